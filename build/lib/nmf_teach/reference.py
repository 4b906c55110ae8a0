"""The algorithm as the lecture's slides write it: the plain reference that :func:`nmf_teach.nmf` must equal.

:func:`nmf_teach.nmf` computes the same iterates faster (H kept transposed,
products written into arrays allocated once, a sparse V cut over the cores,
the loss from products already at hand). This is the loop to read first; the
tests check that both give the same iterates and losses to rounding.
"""

import numpy as np

from .loss import objective
from .rounding import gamma, unit_roundoff
from .updates import update_H, update_W


def nmf_plain(V, W0, H0, iterations):
    """Alternate the lecture's two updates ``iterations`` times from (W0, H0), recording f.

    Returns
    -------
    W, H : numpy.ndarray
        The factors after the last iteration (new arrays; W0 and H0 are not modified).
    losses : list of float
        ``losses[k]`` is ``f(W, H) = ½‖V − WH‖²_F`` after iteration k (``losses[0]`` at the start).
    """
    W, H = W0, H0
    losses = [objective(V, W, H)]
    for _ in range(iterations):
        W = update_W(V, W, H)       # W ← W ∘ (V Hᵀ) / (W H Hᵀ)
        H = update_H(V, W, H)       # H ← H ∘ (Wᵀ V) / (Wᵀ W H), with the new W
        losses.append(objective(V, W, H))
    return W, H, losses


def iterate_bounds(m, n, r, iterations, dtype=np.float64):
    r"""How far any computation of the iterates may lie from the exact ones: ``[(a_k, b_k)]`` for k = 0..iterations.

    ``a_k`` (``b_k``) bounds the relative error of every entry of W (H) after
    iteration k, however the sums are ordered (BLAS kernel, threads, blocks,
    the transposed layout of :func:`nmf_teach.nmf`), from a start given
    exactly. Two computations, e.g. :func:`nmf_plain` and
    :func:`nmf_teach.nmf`, then differ by at most ``2a / (1 - a)`` relatively.

    Every quantity is non-negative, so rounding never cancels and relative
    errors can be followed entry by entry (the model of
    :mod:`nmf_teach.rounding`; Higham 2002, §3.1). With W and H within a and b:
    an entry of ``V Hᵀ`` is a sum of n non-negative products, each within b,
    so within :math:`(1 + b)(1 + \gamma_n)`; of ``H Hᵀ`` within
    :math:`(1 + b)^2(1 + \gamma_n)`; of ``W (H Hᵀ)`` within
    :math:`(1 + a)(1 + b)^2(1 + \gamma_n)(1 + \gamma_r)`; and
    ``W ∘ num / den`` adds two roundings, :math:`(1 \pm u)^2`. The quotient takes
    the upper factors of the numerator over the lower ones of the denominator
    (and the other way round): that is the new a. The H update is the same with
    m for n and the new a. The bound grows about twelvefold per iteration: it
    is tight for a few iterations (1e-9 relative after five on a 60 × 45
    problem) and loose after many. It ignores underflow (no entry subnormal).
    """
    u = unit_roundoff(dtype)
    g_m, g_n, g_r = gamma(m, dtype), gamma(n, dtype), gamma(r, dtype)

    def update(x, other, g_long):
        """Relative error of X ∘ num / den from those of X (x) and of the other factor (other)."""
        upper = (1 + x) * (1 + other) * (1 + g_long) * (1 + u) ** 2 \
            / ((1 - x) * (1 - other) ** 2 * (1 - g_long) * (1 - g_r))
        lower = (1 - x) * (1 - other) * (1 - g_long) * (1 - u) ** 2 \
            / ((1 + x) * (1 + other) ** 2 * (1 + g_long) * (1 + g_r))
        return max(upper - 1, 1 - lower)

    a = b = 0.0
    bounds = [(a, b)]
    for _ in range(iterations):
        a = update(a, b, g_n)       # W from V Hᵀ (sums of n) over W (H Hᵀ)
        b = update(b, a, g_m)       # H from Wᵀ V (sums of m) over (Wᵀ W) H, with the new W
        bounds.append((a, b))
    return bounds
