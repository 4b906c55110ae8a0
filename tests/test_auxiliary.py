"""The column subproblem of the convergence proof (lecture slides 16-25), step by step."""

import numpy as np
import pytest

from nmf_teach import (
    K_matrix,
    L_matrix,
    L_quadratic_form,
    argmin_G,
    auxiliary_G,
    column_gradient,
    column_objective,
    column_update,
    gradient_H,
    lemma1_chain,
    objective,
    taylor_F,
    update_H,
)

SEEDS = range(10)


def column_problem(seed):
    """W >= 0 (m×r), a column v >= 0, a current point h_k > 0, and a point h of any sign."""
    rng = np.random.default_rng(seed)
    m, r = int(rng.integers(1, 12)), int(rng.integers(1, 7))
    return rng.random((m, r)), rng.random(m), rng.random(r) + 0.05, 2 * rng.standard_normal(r)


def scale(W, v, h_k, h):
    """The size of the numbers involved, for rounding tolerances."""
    return 1 + column_objective(W, v, h_k) + column_objective(W, v, h) + float(np.sum((W.T @ W) * np.outer(h, h)) ** 2)


@pytest.mark.parametrize("seed", SEEDS)
def test_taylor_F_is_f(seed):
    """f is quadratic, so its second-order Taylor expansion around h_k is f itself, everywhere."""
    W, v, h_k, h = column_problem(seed)
    assert taylor_F(W, v, h_k, h) == pytest.approx(column_objective(W, v, h), rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_column_objective_and_gradient(seed):
    W, v, h_k, h = column_problem(seed)
    assert column_objective(W, v, h) == pytest.approx(0.5 * np.sum((W @ h - v) ** 2), rel=1e-12)
    np.testing.assert_allclose(column_gradient(W, v, h), W.T @ (W @ h - v), rtol=1e-12, atol=1e-12)


def test_one_column_at_a_time_is_the_whole_problem():
    """f(W, H) = Σ_j f(h_j) for v_j, h_j the columns of V and H; ∇_H f has the column gradients as columns."""
    rng = np.random.default_rng(0)
    V, W, H = rng.random((8, 6)), rng.random((8, 3)), rng.random((3, 6))
    columns = [column_objective(W, V[:, j], H[:, j]) for j in range(6)]
    assert sum(columns) == pytest.approx(objective(V, W, H), rel=1e-12)
    G = np.column_stack([column_gradient(W, V[:, j], H[:, j]) for j in range(6)])
    np.testing.assert_allclose(G, gradient_H(V, W, H), rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_G_touches_F_at_h_k(seed):
    """G(h_k | h_k) = F(h_k)."""
    W, v, h_k, _ = column_problem(seed)
    assert auxiliary_G(W, v, h_k, h_k) == pytest.approx(column_objective(W, v, h_k), rel=1e-13)


@pytest.mark.parametrize("seed", SEEDS)
def test_G_lies_above_F(seed):
    """G(h | h_k) >= F(h) at many points h, of any sign."""
    W, v, h_k, _ = column_problem(seed)
    rng = np.random.default_rng(100 + seed)
    for h in [h_k + rng.standard_normal(h_k.shape) * s for s in (1e-3, 0.1, 1, 10) for _ in range(5)]:
        G, F = auxiliary_G(W, v, h_k, h), column_objective(W, v, h)
        assert G >= F - 1e-12 * scale(W, v, h_k, h)


def test_half_of_K_is_not_a_majorizer():
    """The check can fail: with K/2 in place of K, 'G' dips below F somewhere."""
    rng = np.random.default_rng(3)
    W, v, h_k = rng.random((10, 4)), rng.random(10), rng.random(4) + 0.1
    K_half = K_matrix(W, h_k) / 2
    grad, f_k = column_gradient(W, v, h_k), column_objective(W, v, h_k)
    gaps = []
    for _ in range(200):
        d = rng.standard_normal(4)
        gaps.append(f_k + grad @ d + 0.5 * d @ K_half @ d - column_objective(W, v, h_k + d))
    assert min(gaps) < -1e-3


@pytest.mark.parametrize("seed", SEEDS)
def test_K_minus_WtW_is_positive_semidefinite(seed):
    """The heart of the proof: K(h_k) − WᵀW ⪰ 0."""
    W, _, h_k, _ = column_problem(seed)
    K = K_matrix(W, h_k)
    np.testing.assert_allclose(K, np.diag((W.T @ W @ h_k) / h_k), rtol=1e-13)
    eigenvalues = np.linalg.eigvalsh(K - W.T @ W)
    assert eigenvalues.min() >= -1e-12 * np.abs(K).max()


@pytest.mark.parametrize("seed", SEEDS)
def test_L_quadratic_form_is_the_lectures_sum(seed):
    """xᵀ L x = ½ Σ_ab (WᵀW)_ab h_a h_b (x_a − x_b)², and L = D_h (K − WᵀW) D_h ⪰ 0."""
    W, _, h_k, x = column_problem(seed)
    L = L_matrix(W, h_k)
    np.testing.assert_allclose(L, np.diag(h_k) @ (K_matrix(W, h_k) - W.T @ W) @ np.diag(h_k), rtol=1e-12, atol=1e-14)
    assert x @ L @ x == pytest.approx(L_quadratic_form(W, h_k, x), rel=1e-9, abs=1e-12)
    assert L_quadratic_form(W, h_k, x) >= 0


@pytest.mark.parametrize("seed", SEEDS)
def test_argmin_G_is_the_multiplicative_update(seed):
    """h_k − K⁻¹∇f(h_k) = h_k ∘ Wᵀv / (WᵀWh_k), and it is column j of update_H."""
    W, v, h_k, _ = column_problem(seed)
    h_next = argmin_G(W, v, h_k)
    np.testing.assert_allclose(h_next, h_k * (W.T @ v) / (W.T @ W @ h_k), rtol=1e-12)
    np.testing.assert_allclose(column_update(W, v, h_k), h_next, rtol=1e-12)
    np.testing.assert_allclose(update_H(v[:, None], W, h_k[:, None])[:, 0], h_next, rtol=1e-12)
    # the gradient of G vanishes there: ∇f(h_k) + K (h − h_k) = 0
    residual = column_gradient(W, v, h_k) + K_matrix(W, h_k) @ (h_next - h_k)
    assert np.abs(residual).max() <= 1e-12 * (1 + np.abs(column_gradient(W, v, h_k)).max())


def test_the_slides_sign_slip_is_not_the_update():
    """Slide 25 writes WᵀWh_k + Wᵀv inside the step; with the + the result is not the minimizer of G."""
    W, v, h_k, _ = column_problem(4)
    slipped = h_k - (h_k / (W.T @ W @ h_k)) * (W.T @ W @ h_k + W.T @ v)
    assert np.abs(slipped - argmin_G(W, v, h_k)).max() > 1e-3


@pytest.mark.parametrize("seed", SEEDS)
def test_lemma_1_chain(seed):
    """F(h_k) = G(h_k | h_k) >= G(h_{k+1} | h_k) >= F(h_{k+1})."""
    W, v, h_k, _ = column_problem(seed)
    F_k, G_kk, G_next, F_next = lemma1_chain(W, v, h_k)
    tol = 1e-12 * (1 + F_k)
    assert F_k == pytest.approx(G_kk, rel=1e-13)
    assert G_kk >= G_next - tol
    assert G_next >= F_next - tol
    assert F_next == pytest.approx(column_objective(W, v, argmin_G(W, v, h_k)), rel=1e-13)


def test_K_refuses_a_zero_entry_of_h_k():
    W = np.ones((3, 3))
    with pytest.raises(ValueError, match=r"h_k has 1 zero entry \(the first at index 1\)"):
        K_matrix(W, np.array([1.0, 0.0, 2.0]))


def test_column_problem_checks_its_input():
    W, v, h_k, _ = column_problem(0)
    with pytest.raises(ValueError, match=r"v must be a vector of length"):
        column_objective(W, np.ones(W.shape[0] + 1), h_k)
    with pytest.raises(ValueError, match=r"W has 1 negative entry"):
        column_objective(-np.eye(1) * 0.5, np.ones(1), np.ones(1))
