"""reference.nmf_plain (the slides' loop) and nmf (the fast one) give the same iterates and losses, to rounding.

The tolerance is a bound, not a guess: :func:`nmf_teach.reference.iterate_bounds`
follows the relative error of every entry through the updates (everything is
non-negative, so rounding never cancels; Higham 2002, §3.1). Both computations
obey it, whichever order BLAS, the threads or the transposed layout of nmf
choose, so their iterates differ by at most ``2a / (1 - a)`` relatively. It
grows about twelvefold per iteration, so the tests run a few iterations on
problems of real size; the losses differ by the rounding of each computed
loss (nmf_teach.rounding.loss_bound) plus what the iterates' difference moves.
"""

import math

import numpy as np
import pytest
import scipy.sparse as sp

from nmf_teach import _products, nmf, random_init, update_H, update_W
from nmf_teach.loss import squared_norm
from nmf_teach.reference import iterate_bounds, nmf_plain
from nmf_teach.rounding import gamma, loss_bound

ITERATIONS = 5


def loss_tolerance(V, W, H, f, difference, dtype=np.float64):
    """How far two computed losses may lie apart when their iterates differ by ``difference`` relatively.

    Each computed loss is within :func:`nmf_teach.rounding.loss_bound` of
    the exact loss at its own iterates. Those exact losses differ because the
    iterates do: if ``W' = W(1 + α)``, ``H' = H(1 + β)`` entrywise with
    ``|α|, |β| <= d``, then ``|W'H' - WH| <= δ WH`` with ``δ = (1 + d)² - 1``,
    and ``|f(P') - f(P)| <= ‖P' - P‖ ‖V - P‖ + ½‖P' - P‖²`` (expand the square)
    ``<= δ ‖WH‖ √(2f) + ½ δ² ‖WH‖²`` (‖WH‖ rounded up by γ_{mn}).
    """
    m, n = V.shape
    r = W.shape[1]
    norm_V2 = squared_norm(V)
    delta = (1 + difference) ** 2 - 1
    norm_WH = float(np.linalg.norm(W @ H)) * (1 + gamma(m * n + r))
    moved = delta * norm_WH * math.sqrt(2 * f) + 0.5 * (delta * norm_WH) ** 2
    return 2 * loss_bound(m, n, r, norm_V2, f, dtype) + moved


def relative_difference(A, B):
    """``max |A - B| / |B|`` over the entries, 0 where both are 0."""
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    gap = np.abs(A - B)
    return float(np.max(np.divide(gap, np.abs(B), out=np.zeros_like(gap), where=gap > 0)))


def positive_problem(seed, m, n, r, density=1.0):
    rng = np.random.default_rng(seed)
    V = rng.random((m, n)) * (rng.random((m, n)) < density)
    return V, rng.random((m, r)) + 0.1, rng.random((r, n)) + 0.1


CASES = [  # seed, m, n, r, density, sparse, blocks
    (0, 60, 45, 5, 1.0, False, 1),
    (1, 20, 90, 8, 1.0, False, 1),
    (2, 120, 70, 3, 0.2, True, 3),   # a sparse V cut into 3 blocks, multiplied in threads
    (3, 70, 120, 4, 0.3, True, 2),   # wider than tall: V read by columns
    (4, 1, 30, 1, 1.0, False, 1),
]


@pytest.mark.parametrize("seed, m, n, r, density, sparse, blocks", CASES)
def test_nmf_gives_the_iterates_and_losses_of_the_slides_loop(monkeypatch, seed, m, n, r, density, sparse, blocks):
    monkeypatch.setattr(_products, "THREADED_NONZEROS", 1)
    V, W0, H0 = positive_problem(seed, m, n, r, density)
    data = sp.csr_matrix(V) if sparse else V
    fast = nmf(data, r, init=(W0, H0), iterations=ITERATIONS, keep_every=1, threads=blocks)
    bounds = iterate_bounds(m, n, r, ITERATIONS)
    for k in range(ITERATIONS + 1):
        W_plain, H_plain, losses_plain = nmf_plain(data, W0, H0, k)
        a, b = bounds[k]
        W_fast, H_fast = fast.snapshots[k]
        gaps = relative_difference(W_fast, W_plain), relative_difference(H_fast, H_plain)
        allowed = 2 * a / (1 - a), 2 * b / (1 - b)
        assert gaps[0] <= allowed[0], f"W after iteration {k}: {gaps[0]:.2e} > bound {allowed[0]:.2e}"
        assert gaps[1] <= allowed[1], f"H after iteration {k}: {gaps[1]:.2e} > bound {allowed[1]:.2e}"
        tolerance = loss_tolerance(V, W_plain, H_plain, max(losses_plain[k], fast.losses[k]), max(allowed))
        assert abs(fast.losses[k] - losses_plain[k]) <= tolerance, f"loss after iteration {k}"


def test_the_bound_is_no_blanket():
    """A slip of the slides (the H update with the old W, slide 14) moves the iterates far beyond the bound."""
    V, W0, H0 = positive_problem(5, 60, 45, 5)
    fast = nmf(V, 5, init=(W0, H0), iterations=2)
    W, H = W0, H0
    for _ in range(2):
        W_old, W = W, update_W(V, W, H)
        H = update_H(V, W_old, H)
    a, b = iterate_bounds(60, 45, 5, 2)[-1]
    assert relative_difference(fast.H, H) > 1e6 * 2 * b / (1 - b)


def test_the_bound_is_small_for_a_few_iterations_and_grows():
    bounds = iterate_bounds(60, 45, 5, 10)
    assert bounds[1][1] < 1e-13 and bounds[5][1] < 1e-8
    assert all(later[1] > earlier[1] for earlier, later in zip(bounds[1:], bounds[2:], strict=False))


def test_nmf_plain_is_the_slides_loop_and_leaves_its_input_alone():
    V, W0, H0 = positive_problem(6, 8, 7, 2)
    W0_before, H0_before = W0.copy(), H0.copy()
    W, H, losses = nmf_plain(V, W0, H0, 3)
    np.testing.assert_array_equal(W0, W0_before)
    np.testing.assert_array_equal(H0, H0_before)
    assert len(losses) == 4 and all(later <= earlier for earlier, later in zip(losses, losses[1:], strict=False))
    W_k, H_k = W0, H0
    for _ in range(3):
        W_k = W_k * (V @ H_k.T) / (W_k @ H_k @ H_k.T)
        H_k = H_k * (W_k.T @ V) / (W_k.T @ W_k @ H_k)
    a, b = iterate_bounds(8, 7, 2, 3)[-1]
    assert relative_difference(W, W_k) <= 2 * a / (1 - a) and relative_difference(H, H_k) <= 2 * b / (1 - b)


def test_a_random_start_too():
    V = np.random.default_rng(7).random((40, 30))
    W0, H0 = random_init(V, 4, seed=0)
    fast = nmf(V, 4, init=(W0, H0), iterations=3)
    W, H, losses = nmf_plain(V, W0, H0, 3)
    a, b = iterate_bounds(40, 30, 4, 3)[-1]
    assert relative_difference(fast.W, W) <= 2 * a / (1 - a)
    assert relative_difference(fast.H, H) <= 2 * b / (1 - b)
