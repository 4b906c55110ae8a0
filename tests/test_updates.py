"""The multiplicative updates: the lecture's formulas, gradient steps with the Lee–Seung α."""

import numpy as np
import pytest
import scipy.sparse as sp

from nmf_teach import (
    gradient_H,
    gradient_step_H,
    gradient_step_W,
    gradient_W,
    objective,
    projected_gradient_step_H,
    projected_gradient_step_W,
    step_size_H,
    step_size_W,
    update_H,
    update_W,
)

EPS = np.finfo(np.float64).eps


def positive_problem(seed, m=None, n=None, r=None):
    rng = np.random.default_rng(seed)
    m = m or int(rng.integers(1, 15))
    n = n or int(rng.integers(1, 15))
    r = r or int(rng.integers(1, 6))
    return rng.random((m, n)), rng.random((m, r)) + 0.01, rng.random((r, n)) + 0.01


@pytest.mark.parametrize("seed", range(8))
def test_updates_are_the_lectures_formulas(seed):
    """W ∘ VHᵀ / (WHHᵀ) and H ∘ WᵀV / (WᵀWH), written as on slide 13."""
    V, W, H = positive_problem(seed)
    np.testing.assert_allclose(update_W(V, W, H), W * (V @ H.T) / (W @ H @ H.T), rtol=1e-13)
    np.testing.assert_allclose(update_H(V, W, H), H * (W.T @ V) / (W.T @ W @ H), rtol=1e-13)


@pytest.mark.parametrize("seed", range(8))
def test_step_sizes_are_the_lee_seung_alphas(seed):
    """[α_W]_ij = W_ij / [WHHᵀ]_ij and [α_H]_ij = H_ij / [WᵀWH]_ij."""
    V, W, H = positive_problem(seed)
    np.testing.assert_allclose(step_size_W(V, W, H), W / (W @ H @ H.T), rtol=1e-13)
    np.testing.assert_allclose(step_size_H(V, W, H), H / (W.T @ W @ H), rtol=1e-13)


@pytest.mark.parametrize("seed", range(8))
def test_update_is_a_gradient_step_with_the_lee_seung_alpha(seed):
    """X − α ∘ ∇_X f with the Lee–Seung α equals the multiplicative update, entry by entry.

    The two are computed differently (a subtraction versus a ratio), so they
    agree to rounding relative to the size of the terms: |W| + |α ∘ ∇f|.
    """
    V, W, H = positive_problem(seed)
    alpha_W = step_size_W(V, W, H)
    step_W = gradient_step_W(V, W, H, alpha_W)
    scale_W = np.abs(W) + np.abs(alpha_W * gradient_W(V, W, H))
    assert np.all(np.abs(step_W - update_W(V, W, H)) <= 50 * EPS * scale_W)
    alpha_H = step_size_H(V, W, H)
    step_H = gradient_step_H(V, W, H, alpha_H)
    scale_H = np.abs(H) + np.abs(alpha_H * gradient_H(V, W, H))
    assert np.all(np.abs(step_H - update_H(V, W, H)) <= 50 * EPS * scale_H)


def test_a_different_alpha_is_not_the_update():
    """The check above can fail: half the Lee–Seung step is a different point."""
    V, W, H = positive_problem(1, m=6, n=5, r=2)
    half = gradient_step_W(V, W, H, 0.5 * step_size_W(V, W, H))
    assert np.abs(half - update_W(V, W, H)).max() > 1e-3


def test_updates_never_increase_the_objective_and_keep_signs():
    for seed in range(20):
        V, W, H = positive_problem(seed)
        f0 = objective(V, W, H)
        W1 = update_W(V, W, H)
        f1 = objective(V, W1, H)
        H1 = update_H(V, W1, H)
        f2 = objective(V, W1, H1)
        tol = 100 * EPS * (np.sum(V ** 2) + f0)
        assert f1 <= f0 + tol and f2 <= f1 + tol
        assert W1.min() >= 0 and H1.min() >= 0


def test_updates_return_new_arrays_and_leave_inputs_alone():
    V, W, H = positive_problem(2, m=5, n=4, r=3)
    copies = [X.copy() for X in (V, W, H)]
    new_W, new_H = update_W(V, W, H), update_H(V, W, H)
    assert new_W is not W and new_H is not H
    assert not np.shares_memory(new_W, W) and not np.shares_memory(new_H, H)
    for X, before in zip((V, W, H), copies, strict=True):
        np.testing.assert_array_equal(X, before)


def test_sparse_V_gives_the_dense_updates():
    V, W, H = positive_problem(3, m=12, n=9, r=3)
    V[V < 0.6] = 0
    for Vs in (sp.csr_matrix(V), sp.csc_matrix(V), sp.coo_matrix(V)):
        np.testing.assert_allclose(update_W(Vs, W, H), update_W(V, W, H), rtol=1e-13)
        np.testing.assert_allclose(update_H(Vs, W, H), update_H(V, W, H), rtol=1e-13)


def test_float32_stays_float32():
    V, W, H = (X.astype(np.float32) for X in positive_problem(4, m=5, n=6, r=2))
    assert update_W(V, W, H).dtype == np.float32
    assert update_H(V, W, H).dtype == np.float32


class TestZeroDenominators:
    """[WHHᵀ]_ij = 0 only where W_ij = 0 or row j of H is zero: the entry is left unchanged."""

    def test_zero_row_of_W_stays_zero(self):
        V, W, H = positive_problem(5, m=6, n=5, r=3)
        W[2] = 0
        new = update_W(V, W, H)
        assert np.all(np.isfinite(new)) and np.all(new[2] == 0)
        rows = [0, 1, 3, 4, 5]  # the other rows follow the formula
        np.testing.assert_allclose(new[rows], W[rows] * (V[rows] @ H.T) / (W[rows] @ H @ H.T), rtol=1e-13)

    def test_zero_row_of_H_keeps_its_column_of_W(self):
        """f does not depend on column j of W when row j of H is zero: that column keeps its value."""
        V, W, H = positive_problem(6, m=6, n=5, r=3)
        H[1] = 0
        new = update_W(V, W, H)
        assert np.all(np.isfinite(new))
        np.testing.assert_array_equal(new[:, 1], W[:, 1])
        assert objective(V, new, H) <= objective(V, W, H)

    def test_zero_column_of_W_keeps_its_row_of_H(self):
        V, W, H = positive_problem(7, m=6, n=5, r=3)
        W[:, 0] = 0
        new = update_H(V, W, H)
        assert np.all(np.isfinite(new))
        np.testing.assert_array_equal(new[0], H[0])
        assert objective(V, W, new) <= objective(V, W, H)

    def test_all_zero_start(self):
        V, W, H = positive_problem(8, m=4, n=4, r=2)
        zero_W, zero_H = np.zeros_like(W), np.zeros_like(H)
        np.testing.assert_array_equal(update_W(V, zero_W, H), 0)
        np.testing.assert_array_equal(update_H(V, W, zero_H), 0)
        np.testing.assert_array_equal(update_W(V, W, zero_H), W)
        np.testing.assert_array_equal(update_H(V, zero_W, H), H)

    def test_step_size_is_zero_where_the_update_does_not_move(self):
        V, W, H = positive_problem(9, m=5, n=4, r=3)
        H[2] = 0
        alpha = step_size_W(V, W, H)
        assert np.all(alpha[:, 2] == 0) and np.all(np.isfinite(alpha))
        np.testing.assert_array_equal(gradient_step_W(V, W, H, alpha)[:, 2], W[:, 2])

    def test_zero_row_of_V_empties_the_row_of_W(self):
        V, W, H = positive_problem(10, m=5, n=4, r=2)
        V[3] = 0
        new = update_W(V, W, H)
        np.testing.assert_array_equal(new[3], 0)


class TestGradientSteps:
    def test_fixed_step_is_W_minus_alpha_gradient(self):
        V, W, H = positive_problem(11, m=6, n=5, r=2)
        np.testing.assert_allclose(gradient_step_W(V, W, H, 0.1), W - 0.1 * ((W @ H - V) @ H.T), rtol=1e-13)
        np.testing.assert_allclose(gradient_step_H(V, W, H, 0.1), H - 0.1 * (W.T @ (W @ H - V)), rtol=1e-13)

    def test_a_large_step_breaks_signs_and_projection_restores_them(self):
        V, W, H = positive_problem(12, m=8, n=7, r=3)
        plain = gradient_step_W(V, W, H, 10.0)
        assert plain.min() < 0
        projected = projected_gradient_step_W(V, W, H, 10.0)
        np.testing.assert_array_equal(projected, np.maximum(plain, 0))
        assert projected_gradient_step_H(V, W, H, 10.0).min() >= 0

    def test_gradient_steps_accept_factors_of_any_sign(self):
        V, W, H = positive_problem(13, m=4, n=3, r=2)
        gradient_step_W(V, -W, H, 0.1)
        gradient_step_H(V, W, -H, 0.1)

    def test_bad_step_sizes(self):
        V, W, H = positive_problem(14, m=4, n=3, r=2)
        with pytest.raises(ValueError, match=r"alpha must be finite and >= 0"):
            gradient_step_W(V, W, H, -0.1)
        with pytest.raises(ValueError, match=r"alpha must be finite and >= 0"):
            gradient_step_H(V, W, H, np.inf)
        with pytest.raises(ValueError, match=r"alpha must be a number or a 4 x 2 array, got shape \(2, 4\)"):
            gradient_step_W(V, W, H, np.ones((2, 4)))

    def test_updates_refuse_negative_factors(self):
        V, W, H = positive_problem(15, m=4, n=3, r=2)
        W[1, 1] = -0.5
        with pytest.raises(ValueError, match=r"W has 1 negative entry \(smallest -0.5 at row 1, column 1\)"):
            update_W(V, W, H)
        with pytest.raises(ValueError, match=r"W has 1 negative entry"):
            step_size_H(V, W, H)
