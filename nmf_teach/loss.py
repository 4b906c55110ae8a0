r"""The objective of the approximate problem and its gradients.

.. math::

    f(W, H) = \tfrac12 \|V - WH\|_F^2, \qquad
    \nabla_W f = (WH - V) H^T, \qquad
    \nabla_H f = W^T (WH - V).

The book derives these in chapter 05 (labels ``eq-objective``,
``eq-expansion``, ``eq-grad-W``, ``eq-grad-H``). The lecture's functions come
first; the numerical helpers that compute a norm or a loss accurately and
without large temporaries follow them.

The function ``nmf_teach.objective`` is :func:`objective` of this module. The
module was called ``nmf_teach.objective`` before; that name still imports it
(``from nmf_teach.objective import cheap_loss_is_accurate``), but
``nmf_teach.objective`` itself is the function.
"""

import math

import numpy as np
import scipy.sparse as sp

from ._validation import check_factors
from .numerics import product_WtV


def objective(V, W, H):
    r"""The lecture's objective :math:`f(W, H) = \frac12 \|V - WH\|_F^2`.

    Computed directly from the residual (book equation ``eq-objective``), so
    it is exact to rounding however small it is.

    Parameters
    ----------
    V : array_like or scipy.sparse matrix, shape (m, n)
        The data, ``V >= 0``.
    W : array_like, shape (m, r)
    H : array_like, shape (r, n)

    Returns
    -------
    float
    """
    V, W, H = check_factors(V, W, H, nonnegative=False)
    return 0.5 * residual_squared_norm(V, W, H)


def gradient_W(V, W, H):
    r"""The gradient :math:`\nabla_W f = (WH - V)H^T = W(HH^T) - VH^T`.

    Computed in the cheap order on the right, with no m×n temporary (book
    equation ``eq-grad-W``).

    Returns
    -------
    numpy.ndarray, shape (m, r)
    """
    V, W, H = check_factors(V, W, H, nonnegative=False)
    return W @ (H @ H.T) - V @ H.T


def gradient_H(V, W, H):
    r"""The gradient :math:`\nabla_H f = W^T(WH - V) = (W^TW)H - W^TV`.

    Computed in the cheap order on the right, with no m×n temporary (book
    equation ``eq-grad-H``).

    Returns
    -------
    numpy.ndarray, shape (r, n)
    """
    V, W, H = check_factors(V, W, H, nonnegative=False)
    return (W.T @ W) @ H - product_WtV(V, W)


def cheap_loss(V, W, H):
    r"""The loss from the trace expansion, ``½(‖V‖² − 2⟨WᵀV, H⟩ + ⟨WᵀW, HHᵀ⟩)``.

    Never forms the m×n product ``WH``: its cost is that of ``WᵀV`` and two
    r×r products. Equal to :func:`objective` up to rounding of order
    ``eps * ‖V‖²_F`` (chapter 05 checks it).
    """
    V, W, H = check_factors(V, W, H, nonnegative=False)
    return loss_from_products(squared_norm(V), product_WtV(V, W), H, W.T @ W, H @ H.T)


# --------------------------------------------------------------------------
# Numerical helpers: the norm of V, the direct loss in blocks, the cheap loss from products.
# --------------------------------------------------------------------------

# Rows of V handled at once when a residual V - WH must be formed: bounds the
# memory of the direct loss to BLOCK_ROWS x n, whatever the size of V.
BLOCK_ROWS = 512


# Entries summed at once by squared_norm: partial sums of this many squares
# are exact to about 1e-12 relative; math.fsum adds the partial sums exactly.
NORM_CHUNK = 1 << 16


def squared_norm(V):
    """``‖V‖²_F`` of a dense or sparse matrix, accumulated in float64.

    Summed in chunks of ``NORM_CHUNK`` entries, in the order the entries lie
    in memory (no copy of V), the chunks' sums added exactly.
    """
    values = V.data if sp.issparse(V) else np.asarray(V)
    flat = np.ravel(values, order="K")
    partial = []
    for start in range(0, flat.size, NORM_CHUNK):
        chunk = flat[start:start + NORM_CHUNK].astype(np.float64, copy=False)
        partial.append(float(np.einsum("i,i->", chunk, chunk)))
    return math.fsum(partial)


def residual_squared_norm(V, W, H):
    """``‖V - WH‖²_F`` computed directly, a block of rows at a time.

    Never forms more than ``BLOCK_ROWS`` rows of ``WH`` at once, so it also
    works when ``V`` is large and sparse.
    """
    m = V.shape[0]
    total = 0.0
    for start in range(0, m, BLOCK_ROWS):
        rows = slice(start, min(start + BLOCK_ROWS, m))
        block = V[rows].toarray() if sp.issparse(V) else V[rows]
        R = (W[rows] @ H - block).astype(np.float64, copy=False).ravel()
        total += float(R @ R)
    return total


def loss_from_products(norm_V2, WtV, H, WtW, HHt):
    r"""The cheap loss of the trace expansion, from products already at hand.

    .. math::

        f = \tfrac12\left(\|V\|_F^2 - 2\langle W^T V, H\rangle
            + \langle W^T W, H H^T\rangle\right)

    (book equation ``eq-cheap-loss``). It costs O(rn + r²) once ``WᵀV``,
    ``WᵀW`` and ``HHᵀ`` are known, which the multiplicative updates compute
    anyway. The sum is accumulated in float64. Its rounding error is about
    machine epsilon times ``‖V‖²_F``, not times ``f``: when ``f`` is tiny the
    difference cancels (see :func:`cheap_loss_is_accurate`).
    """
    cross = _inner(WtV, H)
    quad = _inner(WtW, HHt)
    return 0.5 * (norm_V2 - 2.0 * cross + quad)


def _inner(A, B):
    """``⟨A, B⟩ = Σ A_ij B_ij``, accumulated in float64, without copying A or B.

    Two float64 arrays laid out alike go to BLAS's dot product (about a
    quarter of einsum's time on an iteration's n×r arrays); anything else to
    einsum, which reads any layout and accumulates float32 in float64.
    """
    if A.dtype == B.dtype == np.float64:
        if A.flags.c_contiguous and B.flags.c_contiguous:
            return float(np.vdot(A, B))
        if A.flags.f_contiguous and B.flags.f_contiguous:
            return float(np.vdot(A.T, B.T))
    return float(np.einsum("ij,ij->", A, B, dtype=np.float64))


def cheap_loss_is_accurate(loss, norm_V2, dtype):
    """Whether the trace-form ``loss`` still carries half its digits.

    The trace form's absolute error is of order ``eps * ‖V‖²``. While
    ``loss >= sqrt(eps) * ‖V‖²`` its relative error is at most about
    ``sqrt(eps)`` (1.5e-8 in float64); below that the solver recomputes the
    loss directly.
    """
    eps = np.finfo(dtype).eps
    return loss >= np.sqrt(eps) * norm_V2
