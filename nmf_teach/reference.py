"""The algorithm as the lecture's slides write it: the plain reference that :func:`nmf_teach.nmf` must equal.

:func:`nmf_teach.nmf` computes the same iterates faster (H kept transposed,
products written into arrays allocated once, a sparse V cut over the cores,
the loss from products already at hand). This is the loop to read first; the
tests check that both give the same iterates and losses to rounding.
"""

from .loss import objective
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
