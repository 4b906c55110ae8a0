r"""Rounding-error bounds: the tolerances of the book's checks.

A computer adds and multiplies with rounding. The standard model of
floating-point arithmetic (N. J. Higham, *Accuracy and Stability of
Numerical Algorithms*, 2nd ed., SIAM 2002, §2.2) says that every
single operation is exact up to a relative error of at most the *unit
roundoff* ``u``,

.. math::

    \operatorname{fl}(a \mathbin{\mathrm{op}} b) = (a \mathbin{\mathrm{op}} b)(1 + \delta),
    \qquad |\delta| \le u = \varepsilon / 2,

where ``ε`` is the spacing of floats near 1 (``2.2e-16`` in float64,
``1.2e-7`` in float32). Chains of ``n`` such operations multiply ``n``
factors ``(1 + δ)``, and their product stays within

.. math::

    \gamma_n = \frac{n u}{1 - n u}

of 1 (Higham, Lemma 3.1). A sum of ``n`` numbers computed in *any* order, and
so a dot product or an entry of a matrix product however a BLAS kernel splits
it, satisfies (Higham, (3.4)–(3.5))

.. math::

    |\operatorname{fl}(x^Ty) - x^Ty| \le \gamma_n\, |x|^T |y| .

These bounds do not depend on the CPU, the BLAS kernel or the number of
threads: a check whose tolerance comes from them holds on every machine, and
fails only when its claim is false by more than rounding can explain.

:func:`loss_bound` applies them to the loss that :func:`nmf_teach.nmf`
records; chapter 07 derives it.
"""

import math

import numpy as np

__all__ = ["unit_roundoff", "gamma", "dot_bound", "matmul_bound", "loss_bound", "rise_tolerance",
           "check_never_rises"]


def unit_roundoff(dtype=np.float64):
    """The unit roundoff ``u = ε/2`` of a floating-point type (1.1e-16 for float64)."""
    return float(np.finfo(dtype).eps) / 2


def gamma(n, dtype=np.float64):
    r"""Higham's :math:`\gamma_n = n u / (1 - n u)`: the relative error of ``n`` chained roundings.

    Parameters
    ----------
    n : int
        The number of operations in the chain, ``n >= 0``.
    dtype : numpy dtype
        The precision the operations are done in.

    Raises
    ------
    ValueError
        If ``n u >= 1``: the chain is too long for any bound of this kind.
    """
    if n < 0:
        raise ValueError(f"gamma needs n >= 0, got {n}")
    nu = n * unit_roundoff(dtype)
    if nu >= 1:
        raise ValueError(f"gamma({n}) is undefined in {np.dtype(dtype).name}: n u = {nu:.2g} >= 1")
    return nu / (1 - nu)


def dot_bound(n, abs_dot, dtype=np.float64):
    r"""Bound on the error of a computed dot product of length ``n``: :math:`\gamma_n |x|^T|y|`.

    ``abs_dot`` is :math:`|x|^T|y|` (for non-negative vectors, the dot product itself).
    """
    return gamma(n, dtype) * abs_dot


def matmul_bound(A, B, dtype=None):
    r"""Entrywise bound on the error of a computed product ``A @ B``: :math:`\gamma_k |A||B|`.

    ``k`` is the inner dimension (the columns of ``A``). ``dtype`` defaults to
    the result type of ``A`` and ``B``.
    """
    A, B = np.asarray(A), np.asarray(B)
    dtype = np.result_type(A, B) if dtype is None else dtype
    k = A.shape[-1]
    return gamma(k, dtype) * (np.abs(A).astype(np.float64) @ np.abs(B).astype(np.float64))


def _loss_chain_length(m, n, r):
    """The ``N`` of :func:`loss_bound`: no sum in either form of the loss is longer."""
    return m * n + (m + n) * r + r * r + 2


def loss_bound(m, n, r, norm_V2, f, dtype=np.float64):
    r"""Bound on the rounding error of a loss that :func:`nmf_teach.nmf` records.

    .. math::

        |\hat f - f| \le \tfrac12\, \gamma_N \bigl(2\|V\|_F + \sqrt{2 f}\bigr)^2,
        \qquad N = mn + (m + n)r + r^2 + 2 ,

    for the trace form :math:`\frac12(\|V\|^2 - 2\langle W^TV, H\rangle +
    \langle W^TW, HH^T\rangle)` and for the direct form
    :math:`\frac12\|V - WH\|_F^2` alike, whatever order the sums are taken
    in. It needs ``V, W, H >= 0`` (true at every iterate of the
    multiplicative updates). In short (chapter 07, "The rounding error of a
    recorded loss", has the proof): every term of the trace form is a sum of
    non-negative products, so its computed value is within :math:`\gamma_N`
    of itself relatively; the three together are bounded by
    :math:`\|V\|^2 + 2\langle V, WH\rangle + \|WH\|^2 = \|V + WH\|_F^2 \le
    (2\|V\| + \|V - WH\|)^2`. For the direct form each residual entry is
    computed within :math:`\gamma_{r+1}(V + WH)_{ij}` and
    :math:`|V - WH| \le V + WH`; with the sum of the ``mn`` squares this
    gives :math:`\gamma_{mn + 2r + 2} \le \gamma_N`.

    Where ``N`` comes from: ``mn`` roundings for ``‖V‖²`` (and for the sum
    of squares of the direct form); ``m + rn`` for a product of the cross
    term (an entry of ``WᵀV``, then the sum with ``H``), or ``n + mr`` when
    ``V Hᵀ`` is formed first; ``m + n + r²`` for the last term (``WᵀW``,
    ``HHᵀ``, their sum); 2 for the final additions (the factors 2 and ½ are
    exact). ``N`` adds these lengths rather than taking the largest, so it
    covers either order of the products. The standard model leaves out
    underflow: a product that underflows changes a sum by at most about
    ``5e-324``, negligible unless the whole loss is that small.

    Parameters
    ----------
    m, n, r : int
        The shape of ``V`` (m × n) and the rank.
    norm_V2 : float
        :math:`\|V\|_F^2`.
    f : float
        The loss (or an upper bound on it).
    dtype : numpy dtype
        The precision of ``V, W, H``.
    """
    size = 2.0 * math.sqrt(max(norm_V2, 0.0)) + math.sqrt(2.0 * max(f, 0.0))
    return 0.5 * gamma(_loss_chain_length(m, n, r), dtype) * size * size


def rise_tolerance(losses, norm_V2, m, n, r, dtype=np.float64):
    r"""τ: the largest rise between two computed losses of a run that rounding can explain.

    Two computed losses each carry at most :func:`loss_bound`'s error, so a
    computed :math:`\hat f^{(k+1)} - \hat f^{(k)}` can exceed the exact change
    by twice that. With ``f`` the largest loss of the run,
    :math:`\tau = 2\,\mathrm{loss\_bound}(m, n, r, \|V\|^2, \max_k \hat f^{(k)})`
    (chapter 07, equation ``eq-07-tau``). The largest *computed* loss stands
    in for the largest exact one; they differ by at most the bound itself,
    which changes τ by a relative :math:`\gamma_N` only. τ errs on the safe
    side: ``‖V‖²`` is computed once per run, and its rounding, the same in
    every loss of the trace form, cancels from the changes (up to terms of
    order u γ_N).
    """
    f_max = float(np.max(losses))
    return 2.0 * loss_bound(m, n, r, norm_V2, f_max, dtype)


def check_never_rises(losses, norm_V2, m, n, r, dtype=np.float64):
    """Assert that a run's loss never rose by more than rounding explains.

    Returns
    -------
    (largest_change, tau) : (float, float)
        The largest one-step change ``losses[k+1] - losses[k]`` (negative: the
        loss fell at every step) and the tolerance :func:`rise_tolerance`.

    Raises
    ------
    AssertionError
        Naming the first step where the loss rose by more than ``tau``.
    """
    losses = np.asarray(losses, dtype=np.float64)
    tau = rise_tolerance(losses, norm_V2, m, n, r, dtype)
    changes = np.diff(losses)
    if changes.size == 0:
        return -math.inf, tau
    too_large = np.flatnonzero(changes > tau)
    if too_large.size:
        k = int(too_large[0])
        raise AssertionError(f"the loss rose from {losses[k]:.6e} to {losses[k + 1]:.6e} at iteration {k + 1}, "
                             f"by {changes[k]:.2e}, more than rounding explains (tau = {tau:.2e})")
    return float(changes.max()), tau
