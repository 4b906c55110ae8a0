"""The trace identities of the lecture (slides 7-8) against finite differences.

Every identity here is the gradient of a polynomial of degree at most 2 in X,
so central differences are exact up to rounding: the tolerances are tight,
and a wrong formula (a missing transpose, a missing factor 2) fails by O(1).
"""

import numpy as np
import pytest

from nmf_teach import calculus
from nmf_teach.calculus import gradient_error, numerical_gradient, trace_identities

# Relative tolerance for a quadratic function: the rounding of central
# differences is about eps * |phi| / step = 1e-16 * O(10) / 1e-6 = 1e-9 relative.
FD_TOL = 1e-6

SHAPES = [(1, 1, 1), (1, 4, 2), (4, 1, 3), (3, 5, 1), (6, 4, 7), (9, 2, 5)]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("m, n, p", SHAPES)
def test_each_identity_matches_finite_differences(seed, m, n, p):
    for name, phi, X, analytic in trace_identities(seed, m=m, n=n, p=p):
        assert analytic.shape == X.shape, name
        error = gradient_error(analytic, phi, X)
        assert error < FD_TOL, f"{name}: relative error {error:.2e} on X of shape {X.shape}"


def test_the_identities_are_the_lectures_list():
    names = [name for name, *_ in trace_identities(0)]
    assert len(names) == 6
    for label in ("(3)", "(4)", "(5)"):
        assert any(label in name for name in names)


def test_a_wrong_formula_is_caught():
    """The checker can fail: ∇ tr(AX) is Aᵀ, not A; ∇ tr(BᵀXᵀXB) is 2XBBᵀ, not XBBᵀ."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 4))
    A = rng.standard_normal((4, 4))  # square, not symmetric: A and Aᵀ have the same shape
    assert gradient_error(A.T, lambda Y: np.trace(A @ Y), X) < FD_TOL
    assert gradient_error(A, lambda Y: np.trace(A @ Y), X) > 0.1
    B = rng.standard_normal((4, 2))
    phi = lambda Y: np.trace(B.T @ Y.T @ Y @ B)  # noqa: E731
    assert gradient_error(calculus.grad_tr_BtXtXB(X, B), phi, X) < FD_TOL
    assert gradient_error(X @ B @ B.T, phi, X) == pytest.approx(0.5, rel=1e-6)


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (7, 2)])
def test_frobenius_norm_is_trace_of_XtX(shape):
    """Identity (1): ‖X‖²_F = tr(XᵀX), and (2): tr(X) = tr(Xᵀ)."""
    X = np.random.default_rng(1).standard_normal(shape)
    direct = calculus.frobenius_squared(X)
    assert direct == pytest.approx(np.linalg.norm(X) ** 2, rel=1e-14)
    assert calculus.trace_XtX(X) == pytest.approx(direct, rel=1e-14)
    S = X @ X.T + np.triu(np.ones((shape[0], shape[0])))
    assert np.trace(S) == np.trace(S.T)


@pytest.mark.parametrize("seed", range(3))
def test_base_properties_one_by_one(seed):
    """The four base properties of slide 7, each at its own random shapes."""
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 7, size=2)
    X = rng.standard_normal((m, n))
    A_nm = rng.standard_normal((n, m))
    A_mn = rng.standard_normal((m, n))
    S = rng.standard_normal((m, m))
    T = rng.standard_normal((n, n))
    checks = [
        (calculus.grad_tr_AX(A_nm, X), lambda Y: np.trace(A_nm @ Y)),
        (calculus.grad_tr_XtA(A_mn, X), lambda Y: np.trace(Y.T @ A_mn)),
        (calculus.grad_tr_XtAX(S, X), lambda Y: np.trace(Y.T @ S @ Y)),
        (calculus.grad_tr_XAXt(T, X), lambda Y: np.trace(Y @ T @ Y.T)),
    ]
    for analytic, phi in checks:
        assert gradient_error(analytic, phi, X) < FD_TOL


def test_identity_3_with_rectangular_factors():
    """∇_X tr(AXB) = AᵀBᵀ for A (p×m), X (m×n), B (n×q) with all four sizes different."""
    rng = np.random.default_rng(5)
    A, X, B = rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    assert gradient_error(calculus.grad_tr_AXB(A, X, B), lambda Y: np.trace(A @ Y @ B), X) < FD_TOL


def test_numerical_gradient_of_a_cubic():
    """The checker on a non-quadratic function: error O(step²) relative to max(1, |X_ij|)."""
    X = np.array([[0.5, -2.0], [3.0, 10.0]])
    grad = numerical_gradient(lambda Y: float(np.sum(Y ** 3)), X)
    np.testing.assert_allclose(grad, 3 * X ** 2, rtol=1e-6)


def test_numerical_gradient_leaves_X_alone():
    X = np.arange(6.0).reshape(2, 3)
    before = X.copy()
    numerical_gradient(lambda Y: float(np.sum(Y ** 2)), X)
    np.testing.assert_array_equal(X, before)


def test_gradient_error_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match=r"analytic gradient has shape \(3, 2\), but X has shape \(2, 3\)"):
        gradient_error(np.zeros((3, 2)), lambda Y: 0.0, np.zeros((2, 3)))
