"""What chapter 07 relies on in nmf_teach.auxiliary, checked against independent references.

Each test recomputes the quantity from first principles (plain numpy, a
general linear solver, the definition of the update) rather than from another
function of the module.
"""

import numpy as np
import pytest

import nmf_teach
from nmf_teach import auxiliary as aux

EPS = np.finfo(np.float64).eps


def column_problem(seed, m=7, r=4, zeros=False):
    rng = np.random.default_rng(seed)
    W = rng.random((m, r))
    v = rng.random(m)
    h_k = 0.1 + rng.random(r)
    if zeros:
        h_k[0] = 0.0
        W[:, 1] = 0.0
    return W, v, h_k


@pytest.mark.parametrize("seed", range(5))
def test_taylor_F_is_f(seed):
    W, v, h_k = column_problem(seed)
    h = np.random.default_rng(100 + seed).normal(size=(4, 20)) * 3
    direct = 0.5 * np.sum((W @ h - v[:, None]) ** 2, axis=0)
    np.testing.assert_allclose(aux.taylor_F(W, v, h_k, h), direct, rtol=1e-12)
    np.testing.assert_allclose(aux.column_objective(W, v, h), direct, rtol=1e-13)
    assert aux.column_objective(W, v, h[:, 0]) == pytest.approx(direct[0], rel=1e-13)


def test_gradient_against_finite_differences():
    W, v, h_k = column_problem(1)
    numeric = nmf_teach.numerical_gradient(lambda X: aux.column_objective(W, v, X[:, 0]), h_k[:, None])[:, 0]
    np.testing.assert_allclose(aux.column_gradient(W, v, h_k), numeric, rtol=1e-6, atol=1e-8)


def test_K_and_L_from_their_definitions():
    W, v, h_k = column_problem(2)
    K = np.diag((W.T @ W @ h_k) / h_k)
    np.testing.assert_allclose(aux.K_matrix(W, h_k), K, rtol=1e-15)
    L = np.diag(h_k) @ (K - W.T @ W) @ np.diag(h_k)
    np.testing.assert_allclose(aux.L_matrix(W, h_k), L, rtol=1e-13, atol=1e-15)
    # (K - WᵀW) hᵏ = 0: the smallest eigenvalue is exactly zero
    np.testing.assert_allclose((K - W.T @ W) @ h_k, 0, atol=1e-13)


@pytest.mark.parametrize("seed", range(5))
def test_L_quadratic_form_identity(seed):
    W, v, h_k = column_problem(seed, r=6)
    x = np.random.default_rng(seed).normal(size=6)
    L = aux.L_matrix(W, h_k)
    assert aux.L_quadratic_form(W, h_k, x) == pytest.approx(x @ L @ x, rel=1e-10)
    assert aux.L_quadratic_form(W, h_k, x) >= 0


def test_G_touches_and_majorizes_F():
    W, v, h_k = column_problem(3)
    assert aux.auxiliary_G(W, v, h_k, h_k) == pytest.approx(aux.column_objective(W, v, h_k), rel=1e-15)
    h = np.random.default_rng(3).normal(size=(4, 200)) * 5
    assert np.all(aux.auxiliary_G(W, v, h_k, h) >= aux.column_objective(W, v, h) * (1 - 1e-12))


def test_argmin_G_solves_the_linear_system_and_is_the_update():
    W, v, h_k = column_problem(4)
    grad = W.T @ W @ h_k - W.T @ v
    h_star = h_k + np.linalg.solve(aux.K_matrix(W, h_k), -grad)
    np.testing.assert_allclose(aux.argmin_G(W, v, h_k), h_star, rtol=1e-12)
    np.testing.assert_allclose(aux.column_update(W, v, h_k), h_k * (W.T @ v) / (W.T @ W @ h_k), rtol=1e-13)
    np.testing.assert_allclose(aux.column_update(W, v, h_k), h_star, rtol=1e-12)


def test_column_update_is_a_column_of_update_H():
    rng = np.random.default_rng(5)
    V, W, H = rng.random((9, 6)), rng.random((9, 3)), rng.random((3, 6))
    H_new = nmf_teach.update_H(V, W, H)
    for j in range(6):
        np.testing.assert_allclose(aux.column_update(W, V[:, j], H[:, j]), H_new[:, j], rtol=1e-14)


def test_zero_entries_restrict_G_to_the_support():
    W, v, h_k = column_problem(6, zeros=True)  # h_k[0] = 0, column 1 of W is zero
    S = aux.support(W, h_k)
    np.testing.assert_array_equal(S, [False, False, True, True])
    h_next = aux.column_update(W, v, h_k)
    np.testing.assert_array_equal(h_next[~S], h_k[~S])
    np.testing.assert_allclose(aux.argmin_G(W, v, h_k), h_next, rtol=1e-12)
    assert aux.column_objective(W, v, h_next) <= aux.column_objective(W, v, h_k)
    assert aux.auxiliary_G(W, v, h_k, h_k) == pytest.approx(aux.column_objective(W, v, h_k), rel=1e-15)
    moved = h_k.copy()
    moved[0] = 0.5  # off the face where G is finite
    assert aux.auxiliary_G(W, v, h_k, moved) == np.inf
    face = h_k.copy()
    face[2:] += 0.3
    assert aux.auxiliary_G(W, v, h_k, face) >= aux.column_objective(W, v, face)


def test_empty_support_moves_nothing():
    W, v, _ = column_problem(7)
    h_k = np.zeros(4)
    assert not aux.support(W, h_k).any()
    np.testing.assert_array_equal(aux.argmin_G(W, v, h_k), h_k)
    np.testing.assert_array_equal(aux.column_update(W, v, h_k), h_k)
    assert aux.auxiliary_G(W, v, h_k, h_k) == aux.column_objective(W, v, h_k)


def test_lemma1_chain_with_and_without_h_next():
    W, v, h_k = column_problem(8)
    chain = aux.lemma1_chain(W, v, h_k)
    assert chain[0] == pytest.approx(chain[1], rel=1e-15)
    assert chain[1] >= chain[2] >= chain[3]
    same = aux.lemma1_chain(W, v, h_k, aux.column_update(W, v, h_k))
    np.testing.assert_allclose(same, chain, rtol=1e-12)


def test_custom_K_half_breaks_majorization():
    W, v, h_k = column_problem(9)
    half = 0.5 * aux.K_matrix(W, h_k)
    gap = aux.auxiliary_G(W, v, h_k, 2 * h_k, K=half) - aux.column_objective(W, v, 2 * h_k)
    assert gap == pytest.approx(-0.25 * np.sum((W @ h_k) ** 2), rel=1e-10)


def test_errors_speak():
    W, v, h_k = column_problem(10)
    with pytest.raises(ValueError, match="zero entr"):
        aux.K_matrix(W, np.array([1.0, 0.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="length r = 4"):
        aux.column_objective(W, v, np.ones(3))
    with pytest.raises(ValueError, match="negative"):
        aux.argmin_G(W, v, -h_k)
    with pytest.raises(ValueError, match="K must be 4 x 4"):
        aux.auxiliary_G(W, v, h_k, h_k, K=np.eye(3))
