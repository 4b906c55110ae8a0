"""The whole algorithm: alternate the multiplicative updates, record the loss."""

from dataclasses import dataclass, field

import numpy as np

from ._products import ProductsWithV
from ._validation import check_matrix, check_rank, check_run
from .init import nndsvd_init, random_init
from .objective import cheap_loss_is_accurate, loss_from_products, residual_squared_norm, squared_norm
from .updates import _mu_in_place


@dataclass
class NMFResult:
    """What :func:`nmf` returns.

    Attributes
    ----------
    W : numpy.ndarray, shape (m, r)
    H : numpy.ndarray, shape (r, n)
    losses : numpy.ndarray, shape (iterations + 1,)
        ``losses[0]`` is f at the start, ``losses[k]`` f after iteration k.
    iterations : int
        How many iterations ran (fewer than asked if ``tol`` or the callback
        stopped the run).
    converged : bool
        True if the run stopped because the relative decrease fell to ``tol``.
    rank, init, seed
        The arguments of the run, to replay it.
    W0, H0 : numpy.ndarray
        The starting point (copies).
    norm_V2 : float
        ``‖V‖²_F``, to turn losses into relative errors.
    snapshots : dict of int to (W, H)
        Iterates kept every ``keep_every`` iterations (and the last one),
        keyed by the iteration number k; empty unless ``keep_every > 0``.
    """

    W: np.ndarray
    H: np.ndarray
    losses: np.ndarray
    iterations: int
    converged: bool
    rank: int
    init: object
    seed: object
    W0: np.ndarray
    H0: np.ndarray
    norm_V2: float
    snapshots: dict = field(default_factory=dict)

    @property
    def relative_errors(self):
        """``‖V − WH‖_F / ‖V‖_F`` at every recorded iteration."""
        if self.norm_V2 == 0:
            return np.zeros_like(self.losses)
        return np.sqrt(np.maximum(2 * self.losses, 0) / self.norm_V2)


def _start(V, r, init, seed):
    """The starting pair (W0, H0), checked and in V's dtype."""
    m, n = V.shape
    if isinstance(init, str):
        if init == "random":
            return random_init(V, r, seed)
        if init in ("nndsvd", "nndsvda"):
            return nndsvd_init(V, r, variant=init, seed=seed)
        raise ValueError(f"init must be 'random', 'nndsvd', 'nndsvda' or a pair (W0, H0), got {init!r}")
    try:
        W0, H0 = init
    except (TypeError, ValueError):
        raise ValueError(
            f"init must be 'random', 'nndsvd', 'nndsvda' or a pair (W0, H0), got {type(init).__name__}"
        ) from None
    W0 = check_matrix(W0, "W0", copy=True)
    H0 = check_matrix(H0, "H0", copy=True)
    if W0.shape != (m, r):
        raise ValueError(f"W0 has shape {W0.shape}; for V of shape {V.shape} and rank {r} it must be ({m}, {r})")
    if H0.shape != (r, n):
        raise ValueError(f"H0 has shape {H0.shape}; for V of shape {V.shape} and rank {r} it must be ({r}, {n})")
    return W0.astype(V.dtype, copy=False), H0.astype(V.dtype, copy=False)


def nmf(V, rank, *, iterations=200, init="random", seed=None, tol=0.0, callback=None, keep_every=0):
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

    W and H are updated in place and every product is written into an array
    allocated once, so the loop allocates nothing larger than r×r. A sparse V
    with many non-zeros is multiplied in threads, one block of it per core,
    with BLAS held to one thread meanwhile (see :mod:`nmf_teach._products`);
    the numbers then depend on the number of cores, to rounding.

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

    Returns
    -------
    NMFResult

    References
    ----------
    D. D. Lee and H. S. Seung, "Algorithms for non-negative matrix
    factorization", NIPS 13 (2001).
    """
    V = check_matrix(V, "V", allow_sparse=True)
    r = check_rank(rank)
    iterations, tol, keep_every = check_run(iterations, tol, callback, keep_every)
    W0, H0 = _start(V, r, init, seed)
    norm_V2 = squared_norm(V)
    # H is kept transposed, Ht = Hᵀ (n×r, C-ordered): every product and every
    # entrywise operation below then runs over contiguous memory. The H update
    # reads as the W update of Vᵀ ≈ Hᵀ Wᵀ (chapter 07: the two are one problem).
    W, Ht = W0.copy(), np.array(H0.T, order="C")
    m, n = V.shape

    def loss(W, Ht, A, B, WtW, HHt):
        """f(W, H) from products at hand; directly when the trace form cancels.

        The cross term ⟨WᵀV, H⟩ is passed as ⟨A, B⟩ = ⟨VᵀW, Hᵀ⟩ or ⟨VHᵀ, W⟩:
        the same sum, over contiguous arrays.
        """
        value = loss_from_products(norm_V2, A, B, WtW, HHt)
        if not cheap_loss_is_accurate(value, norm_V2, V.dtype):
            value = 0.5 * residual_squared_norm(V, W, Ht.T)
        return value

    # The products with V, V Hᵀ and Vᵀ W, are almost all the work: see
    # nmf_teach._products for how they are computed (a sparse V on every core).
    # Every m×r and n×r result is written into an array allocated here, once:
    # the loop allocates nothing larger than r×r, and W and Hᵀ are updated in place.
    VHt, W_HHt = np.empty((m, r), dtype=W.dtype), np.empty((m, r), dtype=W.dtype)
    VtW, Ht_WtW = np.empty((n, r), dtype=W.dtype), np.empty((n, r), dtype=W.dtype)
    with ProductsWithV(V) as products:
        HHt = Ht.T @ Ht
        products.V_times(Ht, out=VHt)  # the numerator of the first W update also gives f at the start
        losses = [loss(W, Ht, VHt, W, W.T @ W, HHt)]
        snapshots = {0: (W.copy(), Ht.T.copy())} if keep_every else {}
        converged = False
        k = 0
        while k < iterations:
            k += 1
            # W <- W * (V H^T) / (W (H H^T))                  book eq-mu-W
            if k > 1:
                products.V_times(Ht, out=VHt)
            _mu_in_place(W, VHt, np.matmul(W, HHt, out=W_HHt))
            # H^T <- H^T * (V^T W) / (H^T (W^T W)), new W     book eq-mu-H, transposed
            products.Vt_times(W, out=VtW)
            WtW = W.T @ W
            _mu_in_place(Ht, VtW, np.matmul(Ht, WtW, out=Ht_WtW))
            HHt = Ht.T @ Ht
            losses.append(loss(W, Ht, VtW, Ht, WtW, HHt))
            if keep_every and k % keep_every == 0:
                snapshots[k] = (W.copy(), Ht.T.copy())
            if callback is not None and callback(k, W, Ht.T, losses[-1]):
                break
            if tol > 0 and losses[-2] - losses[-1] <= tol * losses[-2]:
                converged = True
                break
    if keep_every and k not in snapshots:
        snapshots[k] = (W.copy(), Ht.T.copy())
    H = np.ascontiguousarray(Ht.T)
    return NMFResult(
        W=W, H=H, losses=np.asarray(losses), iterations=k, converged=converged,
        rank=r, init=init if isinstance(init, str) else "custom", seed=seed,
        W0=W0, H0=H0, norm_V2=norm_V2, snapshots=snapshots,
    )
