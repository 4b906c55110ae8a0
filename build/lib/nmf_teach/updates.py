r"""The Lee–Seung multiplicative updates, their step sizes, and plain gradient steps.

.. math::

    W \leftarrow W \circ \frac{V H^T}{W H H^T}, \qquad
    H \leftarrow H \circ \frac{W^T V}{W^T W H}

(book equations ``eq-mu-W`` and ``eq-mu-H``). Each is the gradient step
``X - α ∘ ∇_X f`` with the Lee–Seung step size ``α_W = W / (WHHᵀ)``,
``α_H = H / (WᵀWH)`` (``eq-step-W``, ``eq-step-H``), worked out in chapter 06.

**Product order.** ``WHHᵀ`` is computed as ``W (H Hᵀ)``: an r×r product, then
an m×r one, O((m + n) r²) operations and no m×n temporary. ``(W H) Hᵀ`` would
cost O(mnr) and an m×n array. Likewise ``WᵀWH`` is ``(WᵀW) H``. The only
O(mnr) work left is ``V Hᵀ`` and ``Wᵀ V``, which no algorithm can skip.

**Zero denominators.** Since every term is non-negative,
``[W HHᵀ]_ij = Σ_k W_ik [HHᵀ]_kj >= W_ij ‖row j of H‖²``, so a zero
denominator happens only where ``W_ij = 0`` or row j of H is all zero (then
f does not depend on column j of W, and ``[∇_W f]_ij = 0``). In both cases
the entry is left unchanged: a zero stays zero (as it would under the update
whenever the denominator is positive), and an entry the loss does not depend
on keeps its value. Neither can increase f, so the convergence theorem
(chapter 07) still holds, and no NaN or inf is ever produced. The same rule
holds for H (a zero column of W plays the part of the zero row of H).
scikit-learn instead replaces a zero denominator by a small ε, which sets
such an entry of W to zero when row j of H is zero; the two agree wherever
no denominator is zero.
"""

import numpy as np

from ._validation import check_factors
from .loss import gradient_H, gradient_W
from .numerics import mu, product_WtV


def update_W(V, W, H):
    r"""One multiplicative update of W: :math:`W \circ VH^T / (W(HH^T))`.

    Book equation ``eq-mu-W``. Returns a new array; ``W`` is not modified.

    Parameters
    ----------
    V : array_like or scipy.sparse matrix, shape (m, n)
    W : array_like, shape (m, r)
    H : array_like, shape (r, n)

    Returns
    -------
    numpy.ndarray, shape (m, r)
        Non-negative; entries with a zero denominator are unchanged
        (see the module docstring).
    """
    V, W, H = check_factors(V, W, H)
    return mu(W, V @ H.T, W @ (H @ H.T))


def update_H(V, W, H):
    r"""One multiplicative update of H: :math:`H \circ W^TV / ((W^TW)H)`.

    Book equation ``eq-mu-H``. Returns a new array; ``H`` is not modified.

    Returns
    -------
    numpy.ndarray, shape (r, n)
    """
    V, W, H = check_factors(V, W, H)
    return mu(H, product_WtV(V, W), (W.T @ W) @ H)


def step_size_W(V, W, H):
    r"""Lee–Seung step size for W, :math:`[\alpha_W]_{ij} = W_{ij} / [WHH^T]_{ij}`.

    Book equation ``eq-step-W``. Where the denominator is zero the step is 0
    (no move), matching :func:`update_W`.
    """
    V, W, H = check_factors(V, W, H)
    den = W @ (H @ H.T)
    out = np.zeros_like(den)
    np.divide(W, den, out=out, where=den > 0)
    return out


def step_size_H(V, W, H):
    r"""Lee–Seung step size for H, :math:`[\alpha_H]_{ij} = H_{ij} / [W^TWH]_{ij}`.

    Book equation ``eq-step-H``. Where the denominator is zero the step is 0.
    """
    V, W, H = check_factors(V, W, H)
    den = (W.T @ W) @ H
    out = np.zeros_like(den)
    np.divide(H, den, out=out, where=den > 0)
    return out


def gradient_step_W(V, W, H, alpha):
    r"""Plain gradient step :math:`W - \alpha \circ \nabla_W f` (lecture slide 12).

    ``alpha`` is a number or an m×r array of step sizes (entrywise). The
    result may have negative entries: chapter 03 shows why that is a problem.
    """
    V, W, H = check_factors(V, W, H, nonnegative=False)
    alpha = _check_step(alpha, W.shape, "alpha")
    return (W - alpha * gradient_W(V, W, H)).astype(W.dtype, copy=False)


def gradient_step_H(V, W, H, alpha):
    r"""Plain gradient step :math:`H - \alpha \circ \nabla_H f` (lecture slide 12)."""
    V, W, H = check_factors(V, W, H, nonnegative=False)
    alpha = _check_step(alpha, H.shape, "alpha")
    return (H - alpha * gradient_H(V, W, H)).astype(H.dtype, copy=False)


def projected_gradient_step_W(V, W, H, alpha):
    r"""Projected gradient step :math:`\max(0, W - \alpha \circ \nabla_W f)`."""
    return np.maximum(gradient_step_W(V, W, H, alpha), 0)


def projected_gradient_step_H(V, W, H, alpha):
    r"""Projected gradient step :math:`\max(0, H - \alpha \circ \nabla_H f)`."""
    return np.maximum(gradient_step_H(V, W, H, alpha), 0)


# --------------------------------------------------------------------------
# Helpers (the safe form of the update and WᵀV are in nmf_teach.numerics).
# --------------------------------------------------------------------------


def _check_step(alpha, shape, name):
    alpha = np.asarray(alpha, dtype=np.float64)
    if alpha.ndim not in (0, 2) or (alpha.ndim == 2 and alpha.shape != shape):
        raise ValueError(f"{name} must be a number or a {shape[0]} x {shape[1]} array, got shape {alpha.shape}")
    if not np.all(np.isfinite(alpha)) or np.any(alpha < 0):
        raise ValueError(f"{name} must be finite and >= 0 (the lecture's alpha >= 0)")
    return alpha
