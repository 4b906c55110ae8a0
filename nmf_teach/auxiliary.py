r"""The column subproblem of the convergence proof (chapter 07).

Fix W (m×r) and one column v (length m) of V. The lecture studies

.. math::

    f(h) = \tfrac12 \|W h - v\|_2^2, \qquad
    \nabla f(h) = W^T W h - W^T v, \qquad \nabla^2 f = W^T W,

its exact second-order Taylor expansion F around :math:`h^k`, and the
auxiliary function

.. math::

    G(h \mid h^k) = f(h^k) + \nabla f(h^k)^T (h - h^k)
        + \tfrac12 (h - h^k)^T K(h^k) (h - h^k),\qquad
    K(h^k) = \operatorname{Diag}\!\left(\frac{[W^T W h^k]_a}{h^k_a}\right).

Its minimizer is the multiplicative update :math:`h^k \circ W^T v / (W^T W h^k)`.
"""

import numpy as np

from ._validation import check_matrix


def _check_column_problem(W, v, *hs):
    W = check_matrix(W, "W")
    v = np.asarray(v, dtype=np.float64)
    if v.ndim != 1 or v.shape[0] != W.shape[0]:
        raise ValueError(f"v must be a vector of length {W.shape[0]} (the rows of W), got shape {v.shape}")
    check_matrix(v[:, None], "v")
    out = []
    for name, h in hs:
        h = np.asarray(h, dtype=np.float64)
        if h.ndim != 1 or h.shape[0] != W.shape[1]:
            raise ValueError(f"{name} must be a vector of length r = {W.shape[1]}, got shape {h.shape}")
        check_matrix(h[:, None], name, nonnegative=False)
        out.append(h)
    return (W.astype(np.float64, copy=False), v, *out)


def _check_positive(W, h_k):
    W = check_matrix(W, "W").astype(np.float64, copy=False)
    h_k = np.asarray(h_k, dtype=np.float64)
    if h_k.ndim != 1 or h_k.shape[0] != W.shape[1]:
        raise ValueError(f"h_k must be a vector of length r = {W.shape[1]}, got shape {h_k.shape}")
    check_matrix(h_k[:, None], "h_k")
    zero = np.flatnonzero(h_k <= 0)
    if zero.size:
        raise ValueError(
            f"K(h_k) divides by h_k, and h_k has {zero.size} zero entr{'y' if zero.size == 1 else 'ies'} "
            f"(the first at index {zero[0]}); the auxiliary function is defined on the entries where "
            f"h_k > 0 (chapter 07: a zero entry stays zero under the update)"
        )
    return W, h_k


def column_objective(W, v, h):
    r""":math:`f(h) = \frac12\|Wh - v\|_2^2`, the loss of one column."""
    W, v, h = _check_column_problem(W, v, ("h", h))
    residual = W @ h - v
    return 0.5 * float(residual @ residual)


def column_gradient(W, v, h):
    r""":math:`\nabla f(h) = W^TWh - W^Tv`."""
    W, v, h = _check_column_problem(W, v, ("h", h))
    return W.T @ (W @ h) - W.T @ v


def taylor_F(W, v, h_k, h):
    r"""The exact second-order Taylor expansion of f around ``h_k``, at ``h``.

    :math:`F(h) = f(h^k) + \nabla f(h^k)^T(h - h^k) + \frac12 (h - h^k)^T W^TW (h - h^k)`.
    Since f is quadratic, F equals f everywhere (chapter 07 checks it).
    """
    W, v, h_k, h = _check_column_problem(W, v, ("h_k", h_k), ("h", h))
    d = h - h_k
    return column_objective(W, v, h_k) + float(column_gradient(W, v, h_k) @ d) + 0.5 * float(d @ (W.T @ (W @ d)))


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
    compare the two.
    """
    W, h_k = _check_positive(W, h_k)
    x = np.asarray(x, dtype=np.float64)
    if x.shape != h_k.shape:
        raise ValueError(f"x must have the shape of h_k, {h_k.shape}, got {x.shape}")
    WtW = W.T @ W
    diff2 = (x[:, None] - x[None, :]) ** 2
    return 0.5 * float(np.sum(WtW * h_k[:, None] * h_k[None, :] * diff2))


def auxiliary_G(W, v, h_k, h):
    r"""The auxiliary function :math:`G(h \mid h^k)` at ``h``.

    :math:`G(h \mid h^k) = f(h^k) + \nabla f(h^k)^T(h - h^k) + \frac12 (h - h^k)^T K(h^k)(h - h^k)`.
    """
    W, v, h_k, h = _check_column_problem(W, v, ("h_k", h_k), ("h", h))
    K = K_matrix(W, h_k)
    d = h - h_k
    return column_objective(W, v, h_k) + float(column_gradient(W, v, h_k) @ d) + 0.5 * float(d @ K @ d)


def argmin_G(W, v, h_k):
    r"""The minimizer of :math:`G(\cdot \mid h^k)`: :math:`h^k - K^{-1}\nabla f(h^k)`.

    Computed from that formula (not from the update), so chapter 07 can
    compare it with the multiplicative update
    :math:`h^k \circ W^Tv / (W^TWh^k)`.
    """
    W, v, h_k = _check_column_problem(W, v, ("h_k", h_k))
    K_diagonal = np.diag(K_matrix(W, h_k))
    return h_k - column_gradient(W, v, h_k) / K_diagonal


def column_update(W, v, h_k):
    r"""The multiplicative update of one column, :math:`h^k \circ W^Tv / (W^TWh^k)`.

    Zero denominators leave the entry unchanged, as in :func:`nmf_teach.update_H`.
    """
    W, v, h_k = _check_column_problem(W, v, ("h_k", h_k))
    check_matrix(h_k[:, None], "h_k")
    den = W.T @ (W @ h_k)
    ratio = np.ones_like(den)
    np.divide(W.T @ v, den, out=ratio, where=den > 0)
    return h_k * ratio


def lemma1_chain(W, v, h_k):
    r"""The four numbers of Lemma 1 for one step :math:`h^{k+1} = \arg\min_h G(h \mid h^k)`.

    Returns
    -------
    tuple of float
        :math:`(F(h^k),\ G(h^k \mid h^k),\ G(h^{k+1} \mid h^k),\ F(h^{k+1}))`;
        Lemma 1 says they are non-increasing from left to right, the first
        two equal.
    """
    h_next = argmin_G(W, v, h_k)
    return (
        column_objective(W, v, h_k),
        auxiliary_G(W, v, h_k, h_k),
        auxiliary_G(W, v, h_k, h_next),
        column_objective(W, v, h_next),
    )
