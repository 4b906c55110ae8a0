r"""Another loss: the Kullback–Leibler divergence and its multiplicative updates (chapter 10).

.. math::

    D(V \,\|\, WH) = \sum_{ij} \Big( V_{ij} \log\frac{V_{ij}}{[WH]_{ij}} - V_{ij} + [WH]_{ij} \Big)

(with :math:`0 \log 0 = 0`) is zero exactly when V = WH. Lee & Seung (2001)
give multiplicative updates that never increase it,

.. math::

    H_{a\mu} \leftarrow H_{a\mu}\,
        \frac{\sum_i W_{ia} V_{i\mu} / [WH]_{i\mu}}{\sum_k W_{ka}},\qquad
    W_{ia} \leftarrow W_{ia}\,
        \frac{\sum_\mu H_{a\mu} V_{i\mu} / [WH]_{i\mu}}{\sum_\nu H_{a\nu}},

proved, like the Frobenius case of chapter 07, with an auxiliary function:
for one column v of V and the column h of H,

.. math::

    F(h) &= D(v \,\|\, Wh) = \sum_i \big(v_i \log v_i - v_i\big)
        + \sum_{ia} W_{ia} h_a - \sum_i v_i \log \sum_a W_{ia} h_a, \\
    G(h \mid h^k) &= \sum_i \big(v_i \log v_i - v_i\big) + \sum_{ia} W_{ia} h_a
        - \sum_{ia} v_i\, \pi_{ia} \big(\log (W_{ia} h_a) - \log \pi_{ia}\big),
    \qquad \pi_{ia} = \frac{W_{ia} h^k_a}{\sum_b W_{ib} h^k_b}.

Since the weights :math:`\pi_{ia}` sum to one over a, the concavity of the
log (Jensen) gives :math:`G(h \mid h^k) \ge F(h)`, with equality at
:math:`h = h^k`; setting :math:`\partial G / \partial h_a = 0` gives the
update of H. The W update is the H update of :math:`V^T \approx H^T W^T`.

**Zeros.** Where ``[WH]_ij = 0`` the ratio ``V_ij / [WH]_ij`` is taken as 0
(D is infinite there if ``V_ij > 0``; a positive start never gets there). A
zero denominator (a column of W, or a row of H, all zero) leaves the entry
unchanged, as in :mod:`nmf_teach.updates`.
"""

import numpy as np
import scipy.sparse as sp
from scipy.special import xlogy

from ._validation import check_factors, check_matrix
from .driver import run, setup, threads_limited
from .numerics import mu


def _WH_at(V, W, H):
    """``WH`` where it is needed: all of it for dense V, only at V's non-zeros for sparse V."""
    if sp.issparse(V):
        coo = V.tocoo()
        return np.einsum("kr,rk->k", W[coo.row], H[:, coo.col])
    return W @ H


def _ratio_matrix(V, WH):
    """``V / WH`` entrywise (0 where WH = 0), sparse with V's pattern if V is sparse."""
    values = V.tocoo().data if sp.issparse(V) else V
    R = np.zeros_like(WH)
    np.divide(values, WH, out=R, where=WH > 0)
    if sp.issparse(V):
        coo = V.tocoo()
        return sp.csr_matrix((R, (coo.row, coo.col)), shape=V.shape)
    return R


def _divergence(V, WH, W, H):
    """D(V ‖ WH) from ``WH`` at the entries ``_WH_at`` returns."""
    if sp.issparse(V):
        v = V.tocoo().data.astype(np.float64)
        total_WH = float(W.sum(axis=0).astype(np.float64) @ H.sum(axis=1).astype(np.float64))
        return float(np.sum(xlogy(v, v) - xlogy(v, WH)) - v.sum() + total_WH)
    V64, WH64 = V.astype(np.float64, copy=False), WH.astype(np.float64, copy=False)
    return float(np.sum(xlogy(V64, V64) - xlogy(V64, WH64) - V64 + WH64))


def _scaled(X, axis):
    """X with each row (``axis=1``) or column (``axis=0``) divided by a power of two: its largest entry in [0.5, 1).

    Dividing by a power of two changes no digit (unless a result is subnormal), so the KL updates, which do
    not change when a row of W or a column of H is scaled (see
    :func:`_updated_W`), compute the same numbers from the scaled factors,
    but cannot overflow when entries have decayed to subnormal numbers:
    ``V / WH`` with a row of W at 1e-310 is inf, and then ``0 · inf`` is NaN.
    A zero row or column is left as it is.
    """
    _, exponent = np.frexp(X.max(axis=axis, keepdims=True))
    return X / np.ldexp(np.ones_like(X, shape=exponent.shape), exponent)


def _keep_where_zero(X, new, denominator):
    """``new`` where ``denominator > 0``, and X's own entries where it is 0 (the entry keeps its value)."""
    np.copyto(new, X, where=~np.broadcast_to(denominator > 0, new.shape))
    return new


def _updated_W(V, W, H):
    r"""The KL update of W, :math:`W \circ \frac{(V / WH) H^T}{\mathbf 1 H^T}`, as a new array.

    Row i of the update does not change when row i of W is scaled (W and WH
    scale together), and no term changes when a column of H is scaled (H and
    WH scale together), except the denominator ``1 Hᵀ``. So it is computed
    from :func:`_scaled` factors, in the safe form of
    :func:`nmf_teach.numerics.mu` (the factor times the numerator, then divided).
    """
    W_s, H_s = _scaled(W, axis=1), _scaled(H, axis=0)
    R = _ratio_matrix(V, _WH_at(V, W_s, H_s))
    denominator = H.sum(axis=1)[None, :]
    return _keep_where_zero(W, mu(W_s, np.asarray(R @ H_s.T), denominator), denominator)


def _updated_H(V, W, H):
    r"""The KL update of H, :math:`H \circ \frac{W^T (V / WH)}{W^T \mathbf 1}`, as a new array.

    Computed like :func:`_updated_W`: H's columns and W's rows scaled.
    """
    W_s, H_s = _scaled(W, axis=1), _scaled(H, axis=0)
    R = _ratio_matrix(V, _WH_at(V, W_s, H_s))
    denominator = W.sum(axis=0)[:, None]
    return _keep_where_zero(H, mu(H_s, np.asarray((R.T @ W_s).T), denominator), denominator)


def kl_divergence(V, W, H):
    r"""The divergence :math:`D(V \,\|\, WH)`, with :math:`0\log 0 = 0`.

    For sparse V, only the non-zeros of V need ``[WH]_ij``: the rest of the
    sum is :math:`\sum_{ij} [WH]_{ij} = (\mathbf 1^T W)(H \mathbf 1)`.

    Parameters
    ----------
    V : array_like or scipy.sparse matrix, shape (m, n)
    W : array_like, shape (m, r)
    H : array_like, shape (r, n)

    Returns
    -------
    float
        Non-negative; ``inf`` if some ``V_ij > 0`` has ``[WH]_ij = 0``.
    """
    V, W, H = check_factors(V, W, H)
    with np.errstate(divide="ignore"):
        return _divergence(V, _WH_at(V, W, H), W, H)


def kl_update_H(V, W, H):
    r"""One KL multiplicative update of H: :math:`H \circ \frac{W^T (V / WH)}{W^T \mathbf 1}`.

    Returns a new array; ``H`` is not modified.
    """
    V, W, H = check_factors(V, W, H)
    return _updated_H(V, W, H)


def kl_update_W(V, W, H):
    r"""One KL multiplicative update of W: :math:`W \circ \frac{(V / WH) H^T}{\mathbf 1 H^T}`.

    Returns a new array; ``W`` is not modified.
    """
    V, W, H = check_factors(V, W, H)
    return _updated_W(V, W, H)


def nmf_kl(V, rank, *, iterations=200, init="random", seed=None, tol=0.0, callback=None, keep_every=0,
           threads=None):
    r"""Factor ``V ≈ WH`` by the Lee–Seung updates for the KL divergence.

    Each iteration updates W, then H with the new W (see the module
    docstring for the formulas). ``result.losses`` holds
    :math:`D(V \,\|\, WH)` at the start and after every iteration (not the
    Frobenius loss; ``result.relative_errors`` does not apply). For sparse
    V, WH is only ever computed at the non-zeros of V.

    Parameters
    ----------
    V : array_like or scipy.sparse matrix, shape (m, n)
        Non-negative data; not modified.
    rank, iterations, init, seed, tol, callback, keep_every, threads
        As in :func:`nmf_teach.nmf` (``threads`` holds BLAS to that many threads).

    Returns
    -------
    NMFResult

    References
    ----------
    D. D. Lee and H. S. Seung, "Algorithms for non-negative matrix
    factorization", NIPS 13 (2001).
    """
    problem = setup(V, rank, iterations=iterations, init=init, seed=seed, tol=tol, callback=callback,
                    keep_every=keep_every, threads=threads)
    V = problem.V
    W, H = problem.W0.copy(), problem.H0.copy()

    def step(W, H):
        W[...] = _updated_W(V, W, H)
        H[...] = _updated_H(V, W, H)
        return _divergence(V, _WH_at(V, W, H), W, H)

    with np.errstate(divide="ignore"), threads_limited(problem.threads):
        return run(problem, step, W, H, _divergence(V, _WH_at(V, W, H), W, H))


# --------------------------------------------------------------------------
# One column: F, the auxiliary function G, and its minimizer.
# --------------------------------------------------------------------------


def _check_column_problem(W, v, *named_hs):
    """W (m×r), v (length m) and the named vectors h (length r), all >= 0, as float64."""
    W = check_matrix(W, "W").astype(np.float64, copy=False)
    v = np.asarray(v, dtype=np.float64)
    if v.ndim != 1 or v.shape[0] != W.shape[0]:
        raise ValueError(f"v must be a vector of length {W.shape[0]} (the rows of W), got shape {v.shape}")
    check_matrix(v[:, None], "v")
    hs = []
    for name, h in named_hs:
        h = np.asarray(h, dtype=np.float64)
        if h.ndim != 1 or h.shape[0] != W.shape[1]:
            raise ValueError(f"{name} must be a vector of length r = {W.shape[1]}, got shape {h.shape}")
        check_matrix(h[:, None], name)
        hs.append(h)
    return (W, v, *hs)


def kl_column_objective(W, v, h):
    r""":math:`F(h) = D(v \,\|\, Wh) = \sum_i v_i \log\frac{v_i}{[Wh]_i} - v_i + [Wh]_i`."""
    W, v, h = _check_column_problem(W, v, ("h", h))
    Wh = W @ h
    with np.errstate(divide="ignore"):
        return float(np.sum(xlogy(v, v) - xlogy(v, Wh) - v + Wh))


def kl_auxiliary_G(W, v, h_k, h):
    r"""Lee & Seung's auxiliary function :math:`G(h \mid h^k)` for the KL divergence.

    .. math::

        G(h \mid h^k) = \sum_i (v_i \log v_i - v_i) + \sum_{ia} W_{ia} h_a
            - \sum_{ia} v_i \pi_{ia} \big(\log(W_{ia} h_a) - \log \pi_{ia}\big),
        \qquad \pi_{ia} = \frac{W_{ia} h^k_a}{[W h^k]_i}.

    Terms with :math:`W_{ia} = 0` or :math:`v_i = 0` are zero. Needs
    ``h_k > 0`` (so every :math:`\pi_{ia}` with :math:`W_{ia} > 0` is
    positive); ``h`` may have zeros (G is then ``inf`` where they matter).
    """
    W, v, h_k, h = _check_column_problem(W, v, ("h_k", h_k), ("h", h))
    if np.any(h_k <= 0):
        raise ValueError("h_k must be positive: G divides by W h_k and takes log(pi)")
    pi = W * h_k[None, :] / (W @ h_k)[:, None]                 # π_ia, rows sum to 1 (m×r)
    used = (pi > 0) & (v[:, None] > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_term = np.log(W * h[None, :]) - np.log(np.where(pi > 0, pi, 1))
        jensen = np.where(used, v[:, None] * pi * log_term, 0.0)
    return float(np.sum(xlogy(v, v) - v) + np.sum(W @ h) - np.sum(jensen))


def kl_column_update(W, v, h_k):
    r"""The minimizer of :math:`G(\cdot \mid h^k)`, i.e. the KL update of one column.

    :math:`\partial G / \partial h_a = \sum_i W_{ia} - \sum_i v_i \pi_{ia} / h_a = 0` gives

    .. math::

        h_a = h^k_a \frac{\sum_i W_{ia} v_i / [W h^k]_i}{\sum_i W_{ia}}.

    A zero column of W (zero denominator) leaves :math:`h_a` unchanged.
    """
    W, v, h_k = _check_column_problem(W, v, ("h_k", h_k))
    Wh = W @ h_k
    ratio = np.zeros_like(Wh)
    np.divide(v, Wh, out=ratio, where=Wh > 0)
    return mu(h_k, W.T @ ratio, W.sum(axis=0))
