r"""Matrix calculus: the trace identities of the lecture and a finite-difference checker.

The gradient of a scalar function :math:`\phi(X)` of a matrix is the matrix
:math:`[\nabla_X \phi]_{ij} = \partial\phi / \partial X_{ij}`. Chapter 04
proves each identity below and checks it with :func:`numerical_gradient`.

Base properties (lecture slide 7):

* ``∇_X tr(AX) = Aᵀ``            — :func:`grad_tr_AX`
* ``∇_X tr(XᵀA) = A``            — :func:`grad_tr_XtA`
* ``∇_X tr(XᵀAX) = (A + Aᵀ)X``   — :func:`grad_tr_XtAX`
* ``∇_X tr(XAXᵀ) = X(Aᵀ + A)``   — :func:`grad_tr_XAXt`

Properties used (lecture slide 8):

1. ``‖X‖²_F = tr(XᵀX)``            — :func:`frobenius_squared`, :func:`trace_XtX`
2. ``tr(X) = tr(Xᵀ)``
3. ``∇_X tr(AXB) = AᵀBᵀ``          — :func:`grad_tr_AXB`
4. ``∇_X tr(XᵀAX) = (A + Aᵀ)X``    — :func:`grad_tr_XtAX`
5. ``∇_X tr(BᵀXᵀXB) = 2XBBᵀ``      — :func:`grad_tr_BtXtXB`
"""

import numpy as np


def numerical_gradient(phi, X, step=1e-6):
    r"""Central finite differences of a scalar function of a matrix.

    :math:`[\nabla\phi]_{ij} \approx (\phi(X + sE_{ij}) - \phi(X - sE_{ij})) / 2s`,
    whose error is :math:`O(s^2)` plus rounding :math:`O(\epsilon/s)`.

    Parameters
    ----------
    phi : callable
        Takes an array shaped like ``X``, returns a number.
    X : array_like
    step : float
        The step s, relative to ``max(1, |X_ij|)``.

    Returns
    -------
    numpy.ndarray, shape of X
    """
    X = np.array(X, dtype=np.float64)
    grad = np.zeros_like(X)
    for index in np.ndindex(*X.shape):
        s = step * max(1.0, abs(X[index]))
        original = X[index]
        X[index] = original + s
        plus = phi(X)
        X[index] = original - s
        minus = phi(X)
        X[index] = original
        grad[index] = (plus - minus) / (2 * s)
    return grad


def gradient_error(analytic, phi, X, step=1e-6):
    """Relative difference between an analytic gradient and finite differences.

    ``‖analytic − numerical‖_F / max(‖numerical‖_F, 1e-300)``.
    """
    numerical = numerical_gradient(phi, X, step)
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != numerical.shape:
        raise ValueError(f"the analytic gradient has shape {analytic.shape}, but X has shape {numerical.shape}")
    return float(np.linalg.norm(analytic - numerical) / max(np.linalg.norm(numerical), 1e-300))


def frobenius_squared(X):
    r""":math:`\|X\|_F^2 = \sum_{ij} X_{ij}^2`, from the definition."""
    X = np.asarray(X, dtype=np.float64)
    return float(np.sum(X * X))


def trace_XtX(X):
    r""":math:`\operatorname{tr}(X^TX)`, the right side of identity (1)."""
    X = np.asarray(X, dtype=np.float64)
    return float(np.trace(X.T @ X))


def grad_tr_AX(A, X):
    r""":math:`\nabla_X \operatorname{tr}(AX) = A^T`."""
    return np.asarray(A, dtype=np.float64).T.copy()


def grad_tr_XtA(A, X):
    r""":math:`\nabla_X \operatorname{tr}(X^TA) = A`."""
    return np.asarray(A, dtype=np.float64).copy()


def grad_tr_XtAX(A, X):
    r""":math:`\nabla_X \operatorname{tr}(X^TAX) = (A + A^T)X` (identity 4)."""
    A = np.asarray(A, dtype=np.float64)
    return (A + A.T) @ np.asarray(X, dtype=np.float64)


def grad_tr_XAXt(A, X):
    r""":math:`\nabla_X \operatorname{tr}(XAX^T) = X(A^T + A)`."""
    A = np.asarray(A, dtype=np.float64)
    return np.asarray(X, dtype=np.float64) @ (A.T + A)


def grad_tr_AXB(A, X, B):
    r""":math:`\nabla_X \operatorname{tr}(AXB) = A^TB^T` (identity 3)."""
    return np.asarray(A, dtype=np.float64).T @ np.asarray(B, dtype=np.float64).T


def grad_tr_BtXtXB(X, B):
    r""":math:`\nabla_X \operatorname{tr}(B^TX^TXB) = 2XBB^T` (identity 5)."""
    B = np.asarray(B, dtype=np.float64)
    return 2 * np.asarray(X, dtype=np.float64) @ B @ B.T


def trace_identities(rng=None, m=4, n=3, p=5):
    """Every gradient identity of the lecture on random matrices, ready to check.

    Returns a list of ``(name, phi, X, analytic_gradient)``: ``phi`` is the
    scalar function of X, ``analytic_gradient`` the lecture's formula at X.
    Shapes are chosen so that every product is defined (X is m×n).

    Parameters
    ----------
    rng : numpy.random.Generator or int or None
    m, n, p : int
        Sizes of the random matrices.
    """
    rng = np.random.default_rng(rng)
    X = rng.standard_normal((m, n))
    A_nm = rng.standard_normal((n, m))   # tr(AX): A is n×m
    A_mn = rng.standard_normal((m, n))   # tr(XᵀA): A is m×n
    S = rng.standard_normal((m, m))      # tr(XᵀSX): S is m×m
    T = rng.standard_normal((n, n))      # tr(XTXᵀ): T is n×n
    A = rng.standard_normal((p, m))      # tr(AXB): A is p×m, B is n×p
    B = rng.standard_normal((n, p))
    C = rng.standard_normal((n, p))      # tr(CᵀXᵀXC): C is n×p
    return [
        ("∇ tr(AX) = Aᵀ", lambda Y: np.trace(A_nm @ Y), X, grad_tr_AX(A_nm, X)),
        ("∇ tr(XᵀA) = A", lambda Y: np.trace(Y.T @ A_mn), X, grad_tr_XtA(A_mn, X)),
        ("∇ tr(XᵀAX) = (A + Aᵀ)X  (4)", lambda Y: np.trace(Y.T @ S @ Y), X, grad_tr_XtAX(S, X)),
        ("∇ tr(XAXᵀ) = X(Aᵀ + A)", lambda Y: np.trace(Y @ T @ Y.T), X, grad_tr_XAXt(T, X)),
        ("∇ tr(AXB) = AᵀBᵀ  (3)", lambda Y: np.trace(A @ Y @ B), X, grad_tr_AXB(A, X, B)),
        ("∇ tr(BᵀXᵀXB) = 2XBBᵀ  (5)", lambda Y: np.trace(C.T @ Y.T @ Y @ C), X, grad_tr_BtXtXB(X, C)),
    ]
