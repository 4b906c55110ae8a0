"""The rounding bounds of nmf_teach.rounding hold against exact arithmetic, and are not vacuous."""

from fractions import Fraction

import numpy as np
import pytest

import nmf_teach as nt
from nmf_teach import rounding


def exact_dot(x, y):
    return sum(Fraction(float(a)) * Fraction(float(b)) for a, b in zip(x, y, strict=True))


def exact_loss(V, W, H):
    """½‖V − WH‖²_F in exact rational arithmetic."""
    total = Fraction(0)
    for i in range(V.shape[0]):
        for j in range(V.shape[1]):
            e = Fraction(float(V[i, j])) - exact_dot(W[i], H[:, j])
            total += e * e
    return total / 2


def test_gamma_values_and_limits():
    u = np.finfo(np.float64).eps / 2
    assert rounding.unit_roundoff() == u
    assert rounding.gamma(0) == 0
    assert rounding.gamma(10) == pytest.approx(10 * u / (1 - 10 * u), rel=1e-15)
    assert rounding.gamma(10, np.float32) > 1e8 * rounding.gamma(10)  # float32 is far coarser
    with pytest.raises(ValueError, match="undefined"):
        rounding.gamma(10**8, np.float32)
    with pytest.raises(ValueError, match="n >= 0"):
        rounding.gamma(-1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dot_and_matmul_bounds_hold(dtype):
    rng = np.random.default_rng(0)
    for _ in range(50):
        k = int(rng.integers(1, 200))
        A = (rng.standard_normal((3, k)) * 10.0 ** rng.uniform(-3, 3)).astype(dtype)
        B = (rng.standard_normal((k, 4)) * 10.0 ** rng.uniform(-3, 3)).astype(dtype)
        computed = A @ B
        bound = rounding.matmul_bound(A, B)
        for i in range(3):
            for j in range(4):
                error = abs(Fraction(float(computed[i, j])) - exact_dot(A[i], B[:, j]))
                assert error <= Fraction(float(bound[i, j]))


def test_dot_bound_is_not_vacuous():
    """A sum whose rounding error is large must exceed a bound a few orders smaller."""
    x = np.array([1.0, 1e-16, 1e-16, 1e-16])
    y = np.ones(4)
    error = abs(Fraction(float(x @ y)) - exact_dot(x, y))
    # the computed sum lost the small terms: an error 3e-16, within gamma_4 * 1 = 4.4e-16 ...
    assert error <= Fraction(rounding.dot_bound(4, float(np.abs(x) @ y)))
    # ... and more than a bound a tenth as large would allow: the bound is of the right size.
    assert error > Fraction(rounding.dot_bound(4, float(np.abs(x) @ y)) / 10)


@pytest.mark.parametrize("sparse_V", [False, True])
def test_loss_bound_holds_for_recorded_losses(sparse_V):
    import scipy.sparse as sp

    rng = np.random.default_rng(1)
    for trial in range(6):
        m, n, r = int(rng.integers(2, 9)), int(rng.integers(2, 9)), int(rng.integers(1, 4))
        V = 10.0 ** rng.uniform(-4, 4) * rng.random((m, n))
        result = nt.nmf(sp.csr_matrix(V) if sparse_V else V, r, iterations=5, seed=trial)
        f_exact = exact_loss(V, result.W, result.H)
        bound = rounding.loss_bound(m, n, r, result.norm_V2, result.losses[-1])
        assert abs(Fraction(float(result.losses[-1])) - f_exact) <= Fraction(bound)


def test_check_never_rises_catches_a_rise_and_passes_rounding():
    losses = [10.0, 5.0, 4.0, 4.0 + 1e-15]
    change, tau = rounding.check_never_rises(losses, 100.0, 10, 10, 2)
    assert change == pytest.approx(1e-15, rel=0.5) and tau > 1e-15
    with pytest.raises(AssertionError, match="iteration 3"):
        rounding.check_never_rises([10.0, 5.0, 4.0, 4.001], 100.0, 10, 10, 2)
    assert rounding.check_never_rises([1.0], 1.0, 1, 1, 1)[0] == -np.inf
