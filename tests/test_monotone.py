"""The convergence theorem as a property test, for every solver: f never rises, iterates stay >= 0 and finite.

Hypothesis draws the problem: shapes 1-40, ranks 1 to min(m, n) + 2, scales
1e-6 to 1e6, zero rows and columns, sparsity, dense or SciPy sparse V,
float64 or float32, the start (random, NNDSVD, NNDSVDa, a custom one with
zero rows and columns of its own, or a custom one with a row of W0 and a
column of H0 at a subnormal number, 1e-310 in float64 and 1e-40 in float32),
and for a sparse V the number of blocks it is multiplied in
(nmf_teach._products threads only large matrices; here every sparse V is
cut, into 1 to 3 blocks). The numbers themselves come from a seeded numpy
generator, so a failing example is replayed exactly.

The tolerance on a rise is :func:`nmf_teach.rounding.rise_tolerance`: twice
the bound on the rounding error of a computed loss (Higham 2002, ch. 3;
chapter 07 derives it). It depends on the shapes, ‖V‖ and the largest loss
only, never on the BLAS or the CPU.
"""

from unittest.mock import patch

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.special import xlogy

from nmf_teach import _products, kl, nmf, objective, solvers
from nmf_teach.loss import squared_norm
from nmf_teach.rounding import gamma, loss_bound, rise_tolerance

ITERATIONS = 25
TINY = {np.float64: 1e-310, np.float32: 1e-40}  # subnormal in each type


def rise_tolerance_of(V, losses, dtype, r, snapshots=None):
    """τ of nmf_teach.rounding for this run, plus what underflow adds (given the iterates: see below)."""
    m, n = V.shape
    tau = rise_tolerance(losses, squared_norm(V), m, n, r, dtype)
    if snapshots:
        f = float(np.max(losses))
        tau += 2 * max(underflow_allowance(V, W, H, f, dtype) for W, H in snapshots.values())
    return tau


def underflow_allowance(V, W, H, f, dtype):
    """The absolute error gradual underflow adds to a computed loss (and to the loss of rounded iterates).

    nmf_teach.rounding's bounds are those of the model without underflow.
    With it (Higham 2002, (2.8)) a product or a quotient may also be off by
    ``s/2``, s the smallest subnormal number of the dtype; sums and differences
    of subnormals are exact. So an entry of WH, of WᵀV, WᵀW or HHᵀ (sums of
    r, m or n products) is off by at most ``r s``, ``m s`` or ``n s`` more,
    and an entry of an iterate by ``s``. Through ``|f(P + Δ) − f(P)| <=
    ‖Δ‖ ‖V − P‖ + ½‖Δ‖²`` for the direct form, and term by term for the
    trace form, that is the sum below: about ``1e-300`` or less unless the
    entries themselves are near the subnormal range (subnormal starts, V = 0).
    """
    s = float(np.finfo(dtype).smallest_subnormal)
    m, n = V.shape
    r = W.shape[1]
    W, H = W.astype(np.float64), H.astype(np.float64)
    size = 2 * np.sqrt(squared_norm(V)) + 2 * np.sqrt(2 * max(f, 0.0))   # bounds ‖V − P‖ and ‖V + P‖
    direct = r * s * np.sqrt(m * n) * size + 0.5 * m * n * (r * s) ** 2
    trace = 2 * m * s * np.abs(H).sum() + r * r * (m * s * np.abs(H @ H.T).max() + n * s * np.abs(W.T @ W).max()
                                                     + m * n * s * s)
    iterates = s * (np.sqrt(m * r) * np.linalg.norm(H) + np.sqrt(r * n) * np.linalg.norm(W) + r * s) * size
    return float(direct + trace + iterates)


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
    starts = ["random", "custom", "subnormal"] + (["nndsvd", "nndsvda"] if r <= min(m, n) else [])
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
    elif start == "subnormal":
        s = np.sqrt(scale / r)
        W0, H0 = s * rng.random((m, r)) + s / 10, s * rng.random((r, n)) + s / 10
        W0[rng.integers(m)] = TINY[dtype]      # one row of W0 and one column of H0, subnormal
        H0[:, rng.integers(n)] = TINY[dtype]
        init = (W0.astype(dtype), H0.astype(dtype))
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
            patch.object(_products, "THREADED_NONZEROS", 1):
        result = nmf(data, r, iterations=ITERATIONS, init=init, seed=seed, keep_every=1, threads=threads)
    losses = result.losses
    tau = rise_tolerance_of(V, losses, dtype, r, result.snapshots)
    assert len(losses) == ITERATIONS + 1
    assert np.all(np.isfinite(losses))
    rises = np.diff(losses)
    assert rises.max() <= tau, f"the loss rose by {rises.max():.3g} (tolerance {tau:.3g})"
    assert sorted(result.snapshots) == list(range(ITERATIONS + 1))
    assert_finite_nonnegative(result, dtype)
    m, n = V.shape
    for k in (0, ITERATIONS // 2, ITERATIONS):  # the recorded loss is f, to the rounding of both computations
        W, H = result.snapshots[k]
        direct = objective(V.astype(np.float64), W.astype(np.float64), H.astype(np.float64))
        f = max(losses[k], direct)
        tol = loss_bound(m, n, r, squared_norm(V), f, dtype) + loss_bound(m, n, r, squared_norm(V), f) \
            + underflow_allowance(V, W, H, f, dtype)
        assert abs(losses[k] - direct) <= tol, f"iteration {k}"


def assert_finite_nonnegative(result, dtype):
    for k, (W, H) in result.snapshots.items():
        assert W.dtype == H.dtype == dtype
        assert np.all(np.isfinite(W)) and np.all(np.isfinite(H)), f"iteration {k}"
        assert W.min() >= 0 and H.min() >= 0, f"iteration {k}"


def test_the_check_catches_an_increase():
    """The tolerance is no blanket: a step twice the Lee–Seung size (a wrong update) raises f far beyond it."""
    from nmf_teach import gradient_step_W, step_size_W

    rng = np.random.default_rng(0)
    V, W, H = rng.random((30, 20)), rng.random((30, 3)), rng.random((3, 20))
    losses = [objective(V, W, H)]
    for _ in range(5):
        W = np.maximum(gradient_step_W(V, W, H, 3 * step_size_W(V, W, H)), 0)
        losses.append(objective(V, W, H))
    assert np.diff(losses).max() > 1e6 * rise_tolerance_of(V, losses, np.float64, 3)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_many_iterations_on_a_tall_matrix(dtype):
    """Monotone over a long run too (where decreases become tiny and rounding shows)."""
    V = np.random.default_rng(1).random((200, 30)).astype(dtype)
    result = nmf(V, 10, iterations=2000, seed=0)
    assert np.diff(result.losses).max() <= rise_tolerance_of(V, result.losses, dtype, 10)


# --------------------------------------------------------------------------
# Every other solver: the same problems.
# --------------------------------------------------------------------------

FROBENIUS = ["hals", "accelerated_hals", "accelerated_mu", "epsilon_mu", "projected_gradient"]


@pytest.mark.parametrize("name", FROBENIUS)
@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(problem=problems())
def test_every_solver_stays_finite_nonnegative_and_never_rises(name, problem):
    """Each solver of nmf_teach.solvers promises that f never increases (see its docstring)."""
    data, V, r, init, seed, dtype, threads = problem
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        options = {"max_inner": 50} if name == "projected_gradient" else {}  # bounded inner work per iteration
        result = getattr(solvers, name)(data, r, iterations=ITERATIONS, init=init, seed=seed, keep_every=1,
                                        threads=threads, **options)
    assert np.all(np.isfinite(result.losses))
    assert_finite_nonnegative(result, dtype)
    tau = rise_tolerance_of(V, result.losses, dtype, r, result.snapshots)
    rise = np.diff(result.losses).max()
    assert rise <= tau, f"{name}: the loss rose by {rise:.3g} > {tau:.3g}"


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(), observed=st.sampled_from([1.0, 0.7, 0.3]))
def test_masked_mu_stays_finite_nonnegative_and_never_rises(problem, observed):
    """f_M = ½‖M ∘ (V − WH)‖² never rises: τ is that of the loss of M ∘ V (masked entries count as zeros of V)."""
    data, V, r, init, seed, dtype, threads = problem
    mask = np.random.default_rng(seed).random(V.shape) < observed
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        result = solvers.masked_mu(data, mask, r, iterations=ITERATIONS, init=init, seed=seed, keep_every=1,
                                   threads=threads)
    assert np.all(np.isfinite(result.losses))
    assert_finite_nonnegative(result, dtype)
    MV = np.where(mask, V, 0)
    tau = rise_tolerance(result.losses, result.norm_V2, *V.shape, r, dtype) \
        + 2 * max(underflow_allowance(MV, W, H, float(np.max(result.losses)), dtype)
                  for W, H in result.snapshots.values())
    assert np.diff(result.losses).max() <= tau


def divergence_rounding(V, W, H, dtype):
    r"""Bound on the rounding error of a computed :math:`D(V \| WH)`.

    D is a sum of mn terms :math:`V\log V - V\log [WH] - V + [WH]`. Each
    ``[WH]_ij`` is within γ_r of itself (a sum of r non-negative products),
    which moves :math:`V\log[WH]` by at most :math:`V γ_r / (1 - γ_r)`; each
    term's four parts are computed within a few units of rounding (the log
    within one, the products and differences within one each), and the
    sum of mn terms adds γ_{mn}. So ``|computed D − D| <= γ_{mn + r + 6} S``
    with ``S = Σ (|V log V| + |V log WH| + V + WH + V)``, computed in float64.
    """
    V = np.asarray(V.toarray() if sp.issparse(V) else V, dtype=np.float64)
    WH = W.astype(np.float64) @ H.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        S = np.sum(np.abs(xlogy(V, V)) + np.abs(xlogy(V, WH)) + 2 * V + WH)
    m, n = V.shape
    return gamma(m * n + W.shape[1] + 6, dtype) * float(S)


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems())
def test_nmf_kl_stays_finite_nonnegative_and_never_rises(problem):
    """Lee & Seung's Theorem 2: D(V ‖ WH) never increases; the tolerance bounds the rounding of two computed D."""
    data, V, r, init, seed, dtype, threads = problem
    with np.errstate(over="raise", invalid="raise"):
        result = kl.nmf_kl(data, r, iterations=ITERATIONS, init=init, seed=seed, keep_every=1, threads=threads)
    assert_finite_nonnegative(result, dtype)
    finite = np.isfinite(result.losses)  # D is inf while some V_ij > 0 has [WH]_ij = 0 (a zero start)
    if finite.any():
        assert np.all(finite[np.argmax(finite):]), "D went back to inf"
    losses = result.losses[finite]
    if losses.size > 1:
        tau = 2 * max(divergence_rounding(V, W, H, dtype) for k, (W, H) in result.snapshots.items() if finite[k])
        assert np.diff(losses).max() <= tau, f"D rose by {np.diff(losses).max():.3g} > {tau:.3g}"
