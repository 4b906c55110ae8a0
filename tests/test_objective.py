"""The objective ½‖V − WH‖²_F, its cheap trace form, and both gradients."""

import numpy as np
import pytest
import scipy.sparse as sp

from nmf_teach import cheap_loss, gradient_H, gradient_W, objective
from nmf_teach.calculus import gradient_error
from nmf_teach.loss import (
    BLOCK_ROWS,
    cheap_loss_is_accurate,
    loss_from_products,
    residual_squared_norm,
    squared_norm,
)

EPS = np.finfo(np.float64).eps


def random_problem(seed, m=None, n=None, r=None, signed=False):
    """V >= 0 of a random shape, and W, H (of any sign if ``signed``)."""
    rng = np.random.default_rng(seed)
    m = m or int(rng.integers(1, 12))
    n = n or int(rng.integers(1, 12))
    r = r or int(rng.integers(1, 6))
    V = rng.random((m, n))
    draw = rng.standard_normal if signed else rng.random
    return V, draw((m, r)), draw((r, n))


@pytest.mark.parametrize("seed", range(6))
def test_objective_is_half_the_squared_frobenius_norm(seed):
    V, W, H = random_problem(seed, signed=True)
    by_definition = 0.5 * sum((V[i, j] - W[i] @ H[:, j]) ** 2 for i in range(V.shape[0]) for j in range(V.shape[1]))
    assert objective(V, W, H) == pytest.approx(by_definition, rel=1e-12)


def test_objective_in_blocks_of_rows_equals_one_block():
    """residual_squared_norm works BLOCK_ROWS rows at a time; the blocks must add up."""
    rng = np.random.default_rng(0)
    m = 2 * BLOCK_ROWS + 3
    V, W, H = rng.random((m, 5)), rng.random((m, 2)), rng.random((2, 5))
    assert residual_squared_norm(V, W, H) == pytest.approx(np.sum((V - W @ H) ** 2), rel=1e-12)
    assert residual_squared_norm(sp.csr_matrix(V), W, H) == pytest.approx(np.sum((V - W @ H) ** 2), rel=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_cheap_loss_equals_objective_to_eps_times_norm_V(seed):
    """The trace expansion ½(‖V‖² − 2⟨WᵀV, H⟩ + ⟨WᵀW, HHᵀ⟩) is f, up to rounding of order eps·‖V‖²."""
    V, W, H = random_problem(seed)
    scale = squared_norm(V) + np.linalg.norm(W @ H) ** 2
    assert abs(cheap_loss(V, W, H) - objective(V, W, H)) <= 100 * EPS * scale
    assert abs(cheap_loss(sp.csr_matrix(V), W, H) - objective(V, W, H)) <= 100 * EPS * scale


def test_cheap_loss_cancels_when_the_loss_is_tiny():
    """Why the solver switches to the direct form: at an exact factorization the trace form
    returns rounding noise of order eps·‖V‖², the direct form returns (almost) zero."""
    rng = np.random.default_rng(3)
    W, H = rng.random((60, 4)), rng.random((4, 50))
    V = W @ H
    direct = objective(V, W, H)
    assert direct <= 1e-28 * squared_norm(V)
    assert abs(cheap_loss(V, W, H)) <= 100 * EPS * squared_norm(V)
    assert not cheap_loss_is_accurate(cheap_loss(V, W, H), squared_norm(V), np.float64)
    assert cheap_loss_is_accurate(objective(V, 0 * W, H), squared_norm(V), np.float64)


def test_loss_from_products_is_the_expansion():
    V, W, H = random_problem(11, m=7, n=5, r=3)
    expected = objective(V, W, H)
    assert loss_from_products(squared_norm(V), W.T @ V, H, W.T @ W, H @ H.T) == pytest.approx(expected, rel=1e-12)


def test_squared_norm_dense_sparse_float32():
    V = np.array([[0.0, 3.0], [4.0, 0.0]])
    assert squared_norm(V) == 25.0
    assert squared_norm(sp.csr_matrix(V)) == 25.0
    assert squared_norm(V.astype(np.float32)) == 25.0


@pytest.mark.parametrize("seed", range(6))
def test_gradient_W_matches_finite_differences(seed):
    V, W, H = random_problem(seed, signed=True)
    error = gradient_error(gradient_W(V, W, H), lambda X: objective(V, X, H), W)
    assert error < 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_gradient_H_matches_finite_differences(seed):
    V, W, H = random_problem(seed, signed=True)
    error = gradient_error(gradient_H(V, W, H), lambda X: objective(V, W, X), H)
    assert error < 1e-6


def test_gradients_are_the_lectures_formulas():
    """∇_W f = (WH − V)Hᵀ and ∇_H f = Wᵀ(WH − V), computed in the cheap order, any sign, sparse V."""
    V, W, H = random_problem(21, m=9, n=8, r=3, signed=True)
    R = W @ H - V
    np.testing.assert_allclose(gradient_W(V, W, H), R @ H.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gradient_H(V, W, H), W.T @ R, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gradient_W(sp.csr_matrix(V), W, H), R @ H.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gradient_H(sp.csc_matrix(V), W, H), W.T @ R, rtol=1e-12, atol=1e-12)


def test_a_wrong_gradient_fails_the_check():
    """The check can fail: the slide's sign slip Wᵀ(V − WH) is −∇_H f."""
    V, W, H = random_problem(2, m=5, n=4, r=2)
    assert gradient_error(-gradient_H(V, W, H), lambda X: objective(V, W, X), H) > 1.0


def test_gradient_vanishes_at_an_exact_factorization():
    rng = np.random.default_rng(4)
    W, H = rng.random((10, 3)), rng.random((3, 8))
    V = W @ H
    assert np.abs(gradient_W(V, W, H)).max() < 1e-13
    assert np.abs(gradient_H(V, W, H)).max() < 1e-13


def test_objective_dtype_and_inputs_untouched():
    V, W, H = random_problem(5, m=4, n=3, r=2)
    copies = [X.copy() for X in (V, W, H)]
    for f in (objective, cheap_loss, gradient_W, gradient_H):
        f(V, W, H)
    for X, before in zip((V, W, H), copies, strict=True):
        np.testing.assert_array_equal(X, before)
    assert gradient_W(V.astype(np.float32), W.astype(np.float32), H.astype(np.float32)).dtype == np.float32
    assert isinstance(objective(V, W, H), float)
