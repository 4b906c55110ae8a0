r"""The column subproblem of the convergence proof (chapter 07).

Fix W (m×r, W >= 0) and one column v (length m, v >= 0) of V. The lecture
studies

.. math::

    f(h) = \tfrac12 \|W h - v\|_2^2, \qquad
    \nabla f(h) = W^T W h - W^T v, \qquad \nabla^2 f = W^T W,

its exact second-order Taylor expansion F around :math:`h^k` (equal to f,
since f is quadratic), and the auxiliary function

.. math::

    G(h \mid h^k) = f(h^k) + \nabla f(h^k)^T (h - h^k)
        + \tfrac12 (h - h^k)^T K(h^k) (h - h^k),\qquad
    K(h^k) = \operatorname{Diag}\!\left(\frac{[W^T W h^k]_a}{h^k_a}\right).

Its minimizer is the multiplicative update :math:`h^k \circ W^T v / (W^T W h^k)`.

**Zero entries.** K divides by :math:`h^k_a`. Where :math:`h^k_a = 0`, or
where :math:`[W^TWh^k]_a = 0`, the update leaves the entry unchanged. Let
:func:`support` be the other entries, S. Chapter 07 shows that
:math:`W h^k = W_S h^k_S`, so the problem restricted to S is the lecture's
problem with every entry positive: G is the lecture's G on S, with the
entries outside S held at their value (G is :math:`+\infty` elsewhere).
:func:`auxiliary_G` and :func:`argmin_G` follow that rule; with
:math:`h^k > 0` and no zero column in W, S is everything and they are the
lecture's formulas.

Every function that takes a point ``h`` also accepts an r×N array whose
columns are N points (for contour plots), and then returns N values.
"""

import numpy as np

from . import updates
from ._validation import check_matrix


def _as_points(h, r, name):
    """``h`` as a float array of shape (r,) or (r, N), checked (any sign)."""
    h = np.asarray(h, dtype=np.float64)
    if h.ndim not in (1, 2) or h.shape[0] != r:
        raise ValueError(f"{name} must be a vector of length r = {r} (or an r x N array of points), "
                         f"got shape {h.shape}")
    check_matrix(h.reshape(r, -1), name, nonnegative=False)
    return h


def _check_W_v(W, v):
    W = check_matrix(W, "W").astype(np.float64, copy=False)
    v = np.asarray(v, dtype=np.float64)
    if v.ndim != 1 or v.shape[0] != W.shape[0]:
        raise ValueError(f"v must be a vector of length {W.shape[0]} (the rows of W), got shape {v.shape}")
    check_matrix(v[:, None], "v")
    return W, v


def _check_h_k(W, h_k):
    """``h_k`` as a non-negative vector of length r (the current point)."""
    h_k = np.asarray(h_k, dtype=np.float64)
    if h_k.ndim != 1 or h_k.shape[0] != W.shape[1]:
        raise ValueError(f"h_k must be a vector of length r = {W.shape[1]}, got shape {h_k.shape}")
    check_matrix(h_k[:, None], "h_k")
    return h_k


def _check_positive(W, h_k):
    W = check_matrix(W, "W").astype(np.float64, copy=False)
    h_k = _check_h_k(W, h_k)
    zero = np.flatnonzero(h_k <= 0)
    if zero.size:
        raise ValueError(
            f"K(h_k) divides by h_k, and h_k has {zero.size} zero entr{'y' if zero.size == 1 else 'ies'} "
            f"(the first at index {zero[0]}); the auxiliary function is defined on the entries where "
            f"h_k > 0 (chapter 07: a zero entry stays zero under the update; see support())"
        )
    return W, h_k


def _quadratic(d, M):
    """``dᵀ M d`` for a vector d, or for each column of an r×N array d."""
    return float(d @ M @ d) if d.ndim == 1 else np.einsum("an,ab,bn->n", d, M, d)


def _linear(g, d):
    return float(g @ d) if d.ndim == 1 else g @ d


def column_objective(W, v, h):
    r""":math:`f(h) = \frac12\|Wh - v\|_2^2`, the loss of one column."""
    W, v = _check_W_v(W, v)
    h = _as_points(h, W.shape[1], "h")
    residual = W @ h - (v if h.ndim == 1 else v[:, None])
    return 0.5 * float(residual @ residual) if h.ndim == 1 else 0.5 * np.sum(residual**2, axis=0)


def column_gradient(W, v, h):
    r""":math:`\nabla f(h) = W^TWh - W^Tv` (a vector of length r)."""
    W, v = _check_W_v(W, v)
    h = _as_points(h, W.shape[1], "h")
    if h.ndim != 1:
        raise ValueError("column_gradient takes one point h (a vector)")
    return W.T @ (W @ h) - W.T @ v


def taylor_F(W, v, h_k, h):
    r"""The exact second-order Taylor expansion of f around ``h_k``, at ``h``.

    :math:`F(h) = f(h^k) + \nabla f(h^k)^T(h - h^k) + \frac12 (h - h^k)^T W^TW (h - h^k)`.
    Computed from that formula, not from f; since f is quadratic, F equals f
    everywhere (chapter 07 checks it).
    """
    W, v = _check_W_v(W, v)
    h_k = _as_points(h_k, W.shape[1], "h_k")
    if h_k.ndim != 1:
        raise ValueError("taylor_F expands around one point h_k (a vector)")
    h = _as_points(h, W.shape[1], "h")
    d = h - (h_k if h.ndim == 1 else h_k[:, None])
    return (column_objective(W, v, h_k) + _linear(column_gradient(W, v, h_k), d)
            + 0.5 * _quadratic(d, W.T @ W))


def K_matrix(W, h_k):
    r"""The lecture's :math:`K(h^k) = \operatorname{Diag}([W^TWh^k]_a / h^k_a)`.

    Needs every entry of ``h_k`` positive (it divides by them): a
    ``ValueError`` says which entry is zero otherwise.

    Returns
    -------
    numpy.ndarray, shape (r, r)
    """
    W, h_k = _check_positive(W, h_k)
    return np.diag((W.T @ (W @ h_k)) / h_k)


def L_matrix(W, h_k):
    r""":math:`L = D_{h^k} (K(h^k) - W^TW) D_{h^k}`, i.e. :math:`L_{ab} = h^k_a (K - W^TW)_{ab} h^k_b`."""
    W, h_k = _check_positive(W, h_k)
    M = K_matrix(W, h_k) - W.T @ W
    return h_k[:, None] * M * h_k[None, :]


def L_quadratic_form(W, h_k, x):
    r"""The lecture's closed form :math:`x^TLx = \frac12 \sum_{ab} (W^TW)_{ab} h^k_a h^k_b (x_a - x_b)^2`.

    Computed from the right-hand side, never from L, so chapter 07 can
    compare the two. (The slide calls the vector v; here v is the column of V.)
    """
    W, h_k = _check_positive(W, h_k)
    x = np.asarray(x, dtype=np.float64)
    if x.shape != h_k.shape:
        raise ValueError(f"x must have the shape of h_k, {h_k.shape}, got {x.shape}")
    WtW = W.T @ W
    diff2 = (x[:, None] - x[None, :]) ** 2
    return 0.5 * float(np.sum(WtW * h_k[:, None] * h_k[None, :] * diff2))


def support(W, h_k):
    r"""The entries S the update can move: :math:`h^k_a > 0` and :math:`[W^TWh^k]_a > 0`.

    Outside S the multiplicative update leaves :math:`h^k_a` unchanged: either
    :math:`h^k_a = 0` (the update multiplies it) or the denominator is zero
    (the package's rule, :mod:`nmf_teach.updates`). Either way
    :math:`h^k_a w_a = 0` (w_a the column a of W), chapter 07.

    Returns
    -------
    numpy.ndarray of bool, shape (r,)
    """
    W = check_matrix(W, "W").astype(np.float64, copy=False)
    h_k = _check_h_k(W, h_k)
    return (h_k > 0) & (W.T @ (W @ h_k) > 0)


def auxiliary_G(W, v, h_k, h, K=None):
    r"""The auxiliary function :math:`G(h \mid h^k)` at ``h``.

    :math:`G(h \mid h^k) = f(h^k) + \nabla f(h^k)^T(h - h^k) + \frac12 (h - h^k)^T K(h^k)(h - h^k)`.

    Parameters
    ----------
    W, v : the column problem (W >= 0, v >= 0).
    h_k : array_like, shape (r,)
        The current point, >= 0.
    h : array_like, shape (r,) or (r, N)
        Where to evaluate G (any sign).
    K : array_like, shape (r, r), or None
        None (default) uses the lecture's :func:`K_matrix`, restricted to
        :func:`support` when ``h_k`` has zero entries: then G is
        :math:`+\infty` at any h that differs from ``h_k`` outside the
        support. Pass another K to try a different curvature (chapter 07's
        exercise halves it); it is used as given, on every entry.
    """
    W, v = _check_W_v(W, v)
    h_k = _check_h_k(W, h_k)
    h = _as_points(h, W.shape[1], "h")
    d = h - (h_k if h.ndim == 1 else h_k[:, None])
    if K is not None:
        K = np.asarray(K, dtype=np.float64)
        if K.shape != (W.shape[1], W.shape[1]):
            raise ValueError(f"K must be {W.shape[1]} x {W.shape[1]}, got shape {K.shape}")
        return column_objective(W, v, h_k) + _linear(column_gradient(W, v, h_k), d) + 0.5 * _quadratic(d, K)
    S = support(W, h_k)
    if S.any():  # the lecture's G of the problem restricted to S (W h_k = W_S h_k_S there)
        W_S, h_S, d_S = W[:, S], h_k[S], d[S]
        value = (column_objective(W_S, v, h_S) + _linear(column_gradient(W_S, v, h_S), d_S)
                 + 0.5 * _quadratic(d_S, K_matrix(W_S, h_S)))
    else:  # nothing can move: G is f(h_k) at h_k and +inf elsewhere
        value = column_objective(W, v, h_k)
    off_face = np.any(d[~S] != 0, axis=0)
    return np.where(off_face, np.inf, value) if h.ndim == 2 else (np.inf if off_face else value)


def argmin_G(W, v, h_k):
    r"""The minimizer of :math:`G(\cdot \mid h^k)`: :math:`h^k - K^{-1}\nabla f(h^k)`.

    Computed from that formula (not from the update), on the :func:`support`
    S; entries outside S keep their value. Chapter 07 compares it with the
    multiplicative update :math:`h^k \circ W^Tv / (W^TWh^k)`.
    """
    W, v = _check_W_v(W, v)
    h_k = _check_h_k(W, h_k)
    S = support(W, h_k)
    h_next = h_k.copy()
    if S.any():
        W_S = W[:, S]
        h_next[S] = h_k[S] - column_gradient(W_S, v, h_k[S]) / np.diag(K_matrix(W_S, h_k[S]))
    return h_next


def column_update(W, v, h_k):
    r"""The multiplicative update of one column, :math:`h^k \circ W^Tv / (W^TWh^k)`.

    It is column j of :func:`nmf_teach.update_H` for ``v = V[:, j]``,
    ``h_k = H[:, j]``, and is computed by it (one source of truth; zero
    denominators leave the entry unchanged, as there).
    """
    W, v = _check_W_v(W, v)
    h_k = _check_h_k(W, h_k)
    return updates.update_H(v[:, None], W, h_k[:, None])[:, 0]


def lemma1_chain(W, v, h_k, h_next=None):
    r"""The four numbers of Lemma 1 for one step from ``h_k`` to ``h_next``.

    Parameters
    ----------
    W, v, h_k : the column problem and the current point.
    h_next : array_like or None
        The next point; None (default) takes :func:`argmin_G`. Pass the
        column of :func:`nmf_teach.update_H` to test the update itself.

    Returns
    -------
    tuple of float
        :math:`(F(h^k),\ G(h^k \mid h^k),\ G(h^{k+1} \mid h^k),\ F(h^{k+1}))`;
        Lemma 1 says they are non-increasing from left to right, the first
        two equal.
    """
    if h_next is None:
        h_next = argmin_G(W, v, h_k)
    return (
        column_objective(W, v, h_k),
        auxiliary_G(W, v, h_k, h_k),
        auxiliary_G(W, v, h_k, h_next),
        column_objective(W, v, h_next),
    )
