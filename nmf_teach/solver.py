"""The whole algorithm: alternate the multiplicative updates, record the loss."""

import numpy as np

from ._products import ProductsWithV
from .driver import NMFResult, run, setup, threads_limited
from .loss import cheap_loss_is_accurate, loss_from_products, residual_squared_norm
from .numerics import mu_in_place

__all__ = ["NMFResult", "nmf"]


def nmf(V, rank, *, iterations=200, init="random", seed=None, tol=0.0, callback=None, keep_every=0,
        threads=None):
    r"""Factor ``V ≈ W H`` with the Lee–Seung multiplicative updates.

    Each iteration k updates W first, then H with the new W (lecture slide 6):

    .. math::

        W^{(k+1)} = W^{(k)} \circ \frac{V H^{(k)T}}{W^{(k)} H^{(k)} H^{(k)T}},\qquad
        H^{(k+1)} = H^{(k)} \circ \frac{W^{(k+1)T} V}{W^{(k+1)T} W^{(k+1)} H^{(k)}}.

    The loss :math:`f = \frac12\|V - WH\|_F^2` is recorded at the start and
    after every iteration from the products the updates already computed
    (``VHᵀ`` or ``WᵀV``, ``WᵀW``, ``HHᵀ``) by the trace expansion; when it
    becomes so small that this form cancels (below ``sqrt(eps) ‖V‖²``) it is
    computed directly from the residual, a block of rows at a time. Either
    way it is accurate to a small multiple of ``eps ‖V‖²_F``, with eps that of
    the dtype computed in (the tests check 1e-10 ‖V‖²_F in float64). No m×n
    temporary is formed by an update.

    Zero denominators leave the entry unchanged (see :mod:`nmf_teach.updates`):
    zero rows or columns of V and a zero start give finite results.

    This is the fast form of the slides' three lines; :func:`nmf_teach.reference.nmf_plain`
    is the slides' loop as it reads, and the tests check that the two give the
    same iterates to rounding. W and H are updated in place and every product
    is written into an array allocated once, so the loop allocates nothing
    larger than r×r. A sparse V with many non-zeros is multiplied in threads,
    one block of it per core (``threads`` blocks if given), with BLAS held to
    one thread meanwhile; the numbers then depend on the number of blocks, to
    rounding. For a large dense V each product with V is computed in the
    faster of two forms, timed once per shape in each process (see
    :meth:`nmf_teach._products.ProductsWithV.plan`): within a process the same
    seed gives the same numbers; another process on the same machine makes
    the same choice unless both forms run within 5 % of each other, and
    then its numbers may differ, to rounding. The loop itself (stopping
    rules, callback, snapshots) is :func:`nmf_teach.driver.run`, shared by
    every solver.

    Parameters
    ----------
    V : array_like or scipy.sparse matrix, shape (m, n)
        Non-negative data. float32 computes in float32, anything else in
        float64. Not modified.
    rank : int
        The inner size r >= 1.
    iterations : int
        The number of iterations (>= 0).
    init : {"random", "nndsvd", "nndsvda"} or (W0, H0)
        The start; a pair is copied, never modified.
    seed : int or None
        Seed of the random start (and of the sparse SVD of NNDSVD).
    tol : float
        Stop when an iteration lowers f by at most ``tol`` times its previous
        value. 0 (the default) runs all ``iterations``.
    callback : callable or None
        ``callback(k, W, H, loss)`` after each iteration k (the last one
        too, when ``tol`` stops the run); return True to stop. The arrays
        are the solver's own and are overwritten by the next iteration:
        copy them to keep them.
    keep_every : int
        Keep a copy of (W, H) every ``keep_every`` iterations (and at the
        start and the end) in ``result.snapshots``; 0 keeps none.
    threads : int or None
        The most threads the run may use: BLAS is held to ``threads`` threads
        and a sparse V is cut into at most ``threads`` blocks. None (the
        default) uses every core; 1 runs in one thread.

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
    with threads_limited(threads), ProductsWithV(problem.V, threads=threads) as products:
        return _iterate(problem, products)


def _iterate(problem, products):
    """:func:`nmf`'s run, with ``products`` the products with V (BLAS already held to the run's threads)."""
    V, r, norm_V2 = problem.V, problem.rank, problem.norm_V2
    # H is kept transposed, Ht = Hᵀ (n×r): the H update then reads as the W
    # update of Vᵀ ≈ Hᵀ Wᵀ (chapter 07: the two are one problem). W and Ht are
    # laid out like their numerators V Hᵀ and Vᵀ W (C-ordered, or Fortran-ordered
    # where the plan of nmf_teach._products found that form faster), so each
    # entrywise operation below runs over arrays laid out alike.
    VHt, VtW = products.empty_V_times(r), products.empty_Vt_times(r)
    W = np.array(problem.W0, order=_layout(VHt))
    Ht = np.array(problem.H0.T, order=_layout(VtW))

    def loss(W, Ht, A, B, WtW, HHt):
        """f(W, H) from products at hand; directly when the trace form cancels.

        The cross term ⟨WᵀV, H⟩ is passed as ⟨A, B⟩ = ⟨VᵀW, Hᵀ⟩ or ⟨VHᵀ, W⟩:
        the same sum, over two arrays laid out alike.
        """
        value = loss_from_products(norm_V2, A, B, WtW, HHt)
        if not cheap_loss_is_accurate(value, norm_V2, V.dtype):
            value = 0.5 * residual_squared_norm(V, W, Ht.T)
        return value

    # The products with V, V Hᵀ and Vᵀ W, are almost all the work: see
    # nmf_teach._products for how they are computed (a sparse V on every core,
    # a dense one in the form this BLAS computes faster, which sets the layout
    # of VHt and VtW). Every m×r and n×r result is written into an array
    # allocated once: the loop allocates nothing larger than r×r, and W and Hᵀ
    # are updated in place.
    W_HHt, Ht_WtW = np.empty_like(W), np.empty_like(Ht)  # laid out like W and Ht
    # H Hᵀ of the current H, for the next W update; V Hᵀ too at the start (the loss there needed it)
    current = {"HHt": Ht.T @ Ht, "VHt": False}

    def step(W, H):
        """One iteration on W and Ht = Hᵀ (the driver passes H as Ht's transposed view)."""
        # W <- W * (V H^T) / (W (H H^T))                  book eq-mu-W
        if not current["VHt"]:
            products.V_times(Ht, out=VHt)
        current["VHt"] = False
        mu_in_place(W, VHt, np.matmul(W, current["HHt"], out=W_HHt))
        # H^T <- H^T * (V^T W) / (H^T (W^T W)), new W     book eq-mu-H, transposed
        products.Vt_times(W, out=VtW)
        WtW = W.T @ W
        mu_in_place(Ht, VtW, np.matmul(Ht, WtW, out=Ht_WtW))
        current["HHt"] = Ht.T @ Ht
        return loss(W, Ht, VtW, Ht, WtW, current["HHt"])

    products.V_times(Ht, out=VHt)  # the numerator of the first W update also gives f at the start
    current["VHt"] = True
    loss0 = loss(W, Ht, VHt, W, W.T @ W, current["HHt"])
    return run(problem, step, W, Ht.T, loss0)


def _layout(X):
    """``"F"`` for a Fortran-ordered (and not C-ordered) array, else ``"C"``."""
    return "F" if X.flags.f_contiguous and not X.flags.c_contiguous else "C"
