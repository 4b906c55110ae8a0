"""The convergence theorem as a property test: f never increases, iterates stay >= 0 and finite.

Hypothesis draws the problem: shapes 1-40, ranks 1 to min(m, n) + 2, scales
1e-6 to 1e6, zero rows and columns, sparsity, dense or SciPy sparse V,
float64 or float32, the start (random, NNDSVD, NNDSVDa, or a custom one
with zero rows and columns of its own), and for a sparse V the number of
blocks it is multiplied in (nmf_teach._products threads only large matrices;
here every sparse V is cut, into 1 to 3 blocks). The numbers themselves come from a
seeded numpy generator, so a failing example is replayed exactly.
"""

from unittest.mock import patch

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nmf_teach import _products, nmf, objective
from nmf_teach.objective import squared_norm

ITERATIONS = 25


def rounding_tolerance(V, losses, dtype):
    """How far a computed loss may rise (or be off) through rounding alone.

    In exact arithmetic f never increases. In floating point each recorded
    loss is a sum of terms ‖V‖², 2⟨WᵀV, H⟩, ⟨WᵀW, HHᵀ⟩ (or of squared residuals),
    every one of them a sum of non-negative products of length at most
    k = max(m, n, r); by the standard bound on such sums (Higham, Accuracy
    and Stability of Numerical Algorithms, §3.1) each carries an absolute
    error of at most about k·eps times its size. Their sizes are bounded by
    ‖V‖² + ‖WH‖², and ‖WH‖² <= 2‖V‖² + 4f <= 2‖V‖² + 4f₀ once f has not
    increased. The iterates themselves are rounded too (a relative k·eps
    per entry), which moves f by an amount of the same order. Hence a
    tolerance of a small multiple of k·eps·(‖V‖²_F + f₀), with eps that of
    the dtype the solver computed in. Observed errors are far smaller;
    a real increase (a wrong update) is of order f itself (see
    test_the_check_catches_an_increase).
    """
    k = max(*V.shape, 1)
    return 10 * (k + 2) * np.finfo(dtype).eps * (squared_norm(V) + losses[0])


@st.composite
def problems(draw):
    m, n = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    r = draw(st.integers(1, min(m, n) + 2))
    scale = 10.0 ** draw(st.floats(-6, 6))
    density = draw(st.sampled_from([1.0, 0.5, 0.1]))
    zero_rows = draw(st.lists(st.integers(0, m - 1), max_size=3))
    zero_cols = draw(st.lists(st.integers(0, n - 1), max_size=3))
    layout = draw(st.sampled_from(["dense", "csr", "csc"]))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    starts = ["random", "custom"] + (["nndsvd", "nndsvda"] if r <= min(m, n) else [])
    start = draw(st.sampled_from(starts))
    seed = draw(st.integers(0, 2**32 - 1))
    threads = draw(st.integers(1, 3))

    rng = np.random.default_rng(seed)
    V = scale * rng.random((m, n)) * (rng.random((m, n)) < density)
    V[zero_rows] = 0
    V[:, zero_cols] = 0
    V = V.astype(dtype)
    if start == "custom":
        s = np.sqrt(scale / r)
        W0, H0 = s * rng.random((m, r)), s * rng.random((r, n))
        W0[rng.random(m) < 0.2] = 0          # zero rows of W0
        W0[:, rng.random(r) < 0.2] = 0       # zero columns of W0
        H0[:, rng.random(n) < 0.2] = 0       # zero columns of H0
        H0[rng.random(r) < 0.2] = 0          # zero rows of H0
        init = (W0, H0)
    else:
        init = start
    data = {"dense": V, "csr": sp.csr_matrix(V), "csc": sp.csc_matrix(V)}[layout]
    return data, V, r, init, seed, dtype, threads


@settings(max_examples=1000, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_loss_never_increases_and_iterates_stay_nonnegative(problem):
    data, V, r, init, seed, dtype, threads = problem
    with np.errstate(over="raise", invalid="raise", divide="raise"), \
            patch.object(_products, "THREADED_NONZEROS", 1), patch.object(_products, "usable_cores", lambda: threads):
        result = nmf(data, r, iterations=ITERATIONS, init=init, seed=seed, keep_every=1)
    losses = result.losses
    tol = rounding_tolerance(V, losses, dtype)
    assert len(losses) == ITERATIONS + 1
    assert np.all(np.isfinite(losses))
    rises = np.diff(losses)
    assert rises.max() <= tol, f"the loss rose by {rises.max():.3g} (tolerance {tol:.3g})"
    assert sorted(result.snapshots) == list(range(ITERATIONS + 1))
    for k, (W, H) in result.snapshots.items():
        assert W.dtype == H.dtype == dtype
        assert np.all(np.isfinite(W)) and np.all(np.isfinite(H)), f"iteration {k}"
        assert W.min() >= 0 and H.min() >= 0, f"iteration {k}"
    for k in (0, ITERATIONS // 2, ITERATIONS):  # the recorded loss is f, to the same rounding
        W, H = result.snapshots[k]
        direct = objective(V.astype(np.float64), W.astype(np.float64), H.astype(np.float64))
        assert abs(losses[k] - direct) <= tol, f"iteration {k}"


def test_the_check_catches_an_increase():
    """The tolerance is no blanket: a step twice the Lee–Seung size (a wrong update) raises f far beyond it."""
    from nmf_teach import gradient_step_W, step_size_W

    rng = np.random.default_rng(0)
    V, W, H = rng.random((30, 20)), rng.random((30, 3)), rng.random((3, 20))
    losses = [objective(V, W, H)]
    for _ in range(5):
        W = np.maximum(gradient_step_W(V, W, H, 3 * step_size_W(V, W, H)), 0)
        losses.append(objective(V, W, H))
    assert np.diff(losses).max() > 1e6 * rounding_tolerance(V, losses, np.float64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_many_iterations_on_a_tall_matrix(dtype):
    """Monotone over a long run too (where decreases become tiny and rounding shows)."""
    V = np.random.default_rng(1).random((200, 30)).astype(dtype)
    result = nmf(V, 10, iterations=2000, seed=0)
    assert np.diff(result.losses).max() <= rounding_tolerance(V, result.losses, dtype)
