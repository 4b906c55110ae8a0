r"""The arithmetic under the lecture's formulas: the multiplicative update and ``WᵀV``, each done one way.

The lecture's functions (:mod:`nmf_teach.updates`, :mod:`nmf_teach.loss`)
and every solver call these two, so that the safe form of the update and the
product ``WᵀV`` exist once.

**The safe form.** ``X ∘ numerator / denominator`` is computed as
``(X ∘ numerator) / denominator``, in that order, as the formula reads. The
update itself is bounded (for H, by ‖column j of V‖ / ‖column i of W‖, by
Cauchy–Schwarz), but the ratio ``numerator / denominator`` alone overflows to
inf when entries of X have decayed to subnormal numbers (below 2.2e-308 in
float64), and then ``0 · inf`` is NaN. Hypothesis found such a float32 run
in tests/test_monotone.py; one row of W and one column of H at 1e-310 gave
NaN in three solvers before they all used this form.

**Zero denominators.** An entry whose denominator is zero keeps its value
(see :mod:`nmf_teach.updates` for why this never increases f).
"""

import numpy as np


def mu_in_place(X, numerator, denominator):
    """``X ← X ∘ numerator / denominator``, written over X (which is returned).

    Entries with a zero denominator keep their value. ``X ∘ numerator`` is
    formed before dividing (see the module docstring). ``numerator`` and
    ``denominator`` may be anything that broadcasts to X's shape.
    """
    if denominator.min() > 0:  # the usual case: two plain passes
        np.multiply(X, numerator, out=X)
        return np.divide(X, denominator, out=X)
    positive = denominator > 0  # elsewhere the entry keeps its value
    np.multiply(X, numerator, out=X, where=positive)
    return np.divide(X, denominator, out=X, where=positive)


def mu(X, numerator, denominator):
    """The multiplicative update ``X ∘ numerator / denominator``, as a new array (see :func:`mu_in_place`)."""
    return mu_in_place(X.copy(), numerator, denominator)


def product_WtV(V, W):
    """``Wᵀ V`` (r×n) for a dense or sparse V, computed as ``(Vᵀ W)ᵀ``.

    For a sparse V that is SciPy's product with the CSC matrix ``Vᵀ``; for a
    dense V it is one BLAS call either way. The result is a transposed
    (Fortran-ordered) view. :func:`nmf_teach.nmf` keeps H transposed and
    computes ``Vᵀ W`` itself (:mod:`nmf_teach._products`), the same numbers.
    """
    return np.asarray(V.T @ W).T
