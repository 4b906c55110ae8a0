r"""Beyond the lecture: faster solvers for ½‖V − WH‖²_F, and a stationarity check (chapter 10).

Every solver here has the signature of :func:`nmf_teach.nmf` (``V, rank,
iterations, init, seed, tol, callback, keep_every, threads``), the same
checks of its input, the same starts, and returns the same
:class:`nmf_teach.NMFResult` with the loss after every iteration: each is a
``step`` handed to the loop they all share, :func:`nmf_teach.driver.run`.
Each iteration updates W, then H with the new W; every multiplicative update
is formed as :func:`nmf_teach.numerics.mu_in_place` forms it, which cannot
overflow.

=====================  =====================================================
:func:`hals`           one exact coordinate step per column of W / row of H
                       (Cichocki & Phan 2009)
:func:`accelerated_hals`  several HALS sweeps per costly product
                       (Gillis & Glineur 2012)
:func:`accelerated_mu` several multiplicative updates per costly product
                       (Gillis & Glineur 2012)
:func:`projected_gradient`  alternating least squares, each solved by
                       projected gradient with an Armijo search (Lin 2007)
:func:`epsilon_mu`     the multiplicative update kept >= ε (Gillis 2020;
                       Takahashi & Hibi 2014)
:func:`masked_mu`      the multiplicative update for ½‖M ∘ (V − WH)‖²_F,
                       to fit on observed entries only
=====================  =====================================================

:func:`kkt_violation` measures how far a pair (W, H) is from satisfying the
first-order (KKT) conditions of the problem.

**Where the time goes.** Every solver needs ``VHᵀ`` and ``WᵀV`` once per
iteration: O(mnr) operations (O(nnz(V) r) for sparse V), far more than the
O((m + n) r²) of everything else. HALS and projected gradient spend that
product on an exact (or nearly exact) minimization in W, then in H; the
accelerated methods repeat the cheap part several times per product.
"""

import numpy as np
import scipy.sparse as sp

from ._validation import check_count, check_matrix, check_number
from .driver import run, setup, threads_limited
from .loss import (
    cheap_loss_is_accurate,
    gradient_H,
    gradient_W,
    loss_from_products,
    residual_squared_norm,
)
from .numerics import mu, mu_in_place, product_WtV

# --------------------------------------------------------------------------
# What every Frobenius solver shares: the loss from products at hand.
# --------------------------------------------------------------------------


def _frobenius_solver(V, rank, make_step, *, floor=0.0, **options):
    """Check the input, build the start, and hand ``make_step(V, loss, products)`` to the driver.

    ``options`` are the arguments every solver shares (see
    :func:`nmf_teach.driver.setup`). ``make_step`` returns the iteration
    ``step(W, H)``; ``products["HHt"]`` is ``HHᵀ`` for the current H (each
    step's ``loss`` call refreshes it). W is held in Fortran order so that
    its transpose, the r×m matrix whose rows HALS updates, is contiguous.
    """
    problem = setup(V, rank, **options)
    if floor > 0:
        problem = problem.with_start(np.maximum(problem.W0, floor), np.maximum(problem.H0, floor))
    V, norm_V2 = problem.V, problem.norm_V2
    W, H = np.asfortranarray(problem.W0.copy()), np.ascontiguousarray(problem.H0.copy())
    products = {"HHt": H @ H.T}

    def loss(W, H, WtV, WtW):
        """½‖V − WH‖² from ``WᵀV``, ``WᵀW`` and ``HHᵀ`` (trace form), or directly if it would cancel.

        Keeps ``HHᵀ`` in ``products["HHt"]`` for the next W update.
        """
        products["HHt"] = H @ H.T
        value = loss_from_products(norm_V2, WtV, H, WtW, products["HHt"])
        if not cheap_loss_is_accurate(value, norm_V2, V.dtype):
            value = 0.5 * residual_squared_norm(V, W, H)
        return value

    with threads_limited(problem.threads):
        loss0 = loss(W, H, product_WtV(V, W), W.T @ W)
        return run(problem, make_step(V, loss, products), W, H, loss0)


def _VHt(V, H):
    """``V Hᵀ`` (m×r); for sparse V a sparse-times-dense product."""
    return np.asarray(V @ H.T)


def _inner_limit(V, rows, cols, r, alpha):
    r"""Gillis & Glineur's cap on inner sweeps, :math:`\lfloor 1 + \alpha\rho\rfloor`.

    :math:`\rho = 1 + (K + c\,r) / (p\,(r + 1))` is the cost of the product
    that builds the subproblem of the ``rows`` × r factor, in units of one
    sweep over it; K is the number of entries of V (its non-zeros if sparse)
    and c the other dimension.
    """
    K = V.nnz if sp.issparse(V) else V.shape[0] * V.shape[1]
    rho = 1 + (K + cols * r) / (rows * (r + 1))
    return int(np.floor(1 + alpha * rho))


# --------------------------------------------------------------------------
# HALS: exact minimization over one column of W (one row of H) at a time.
# --------------------------------------------------------------------------


def _hals_sweep(X, B, A):
    r"""One HALS sweep over the rows of ``X`` (r×p), in place.

    For the subproblem :math:`\min_{X \ge 0} \frac12\|V - \cdot\|^2` written
    with its Gram matrix ``B`` (r×r) and cross product ``A`` (r×p), row k is
    replaced by the exact minimizer with the other rows fixed:

    .. math::

        x_k \leftarrow \max\!\left(0,\; x_k + \frac{a_k - b_k^T X}{B_{kk}}\right)

    (for H: ``X = H``, ``B = WᵀW``, ``A = WᵀV``; for W: ``X = Wᵀ``,
    ``B = HHᵀ``, ``A = HVᵀ``). The step is computed in one buffer and
    clipped at :math:`-x_k`, which is the same projection:
    :math:`x_k + \max(s, -x_k) = \max(0, x_k + s)`. Rows with ``B_kk = 0``
    (the loss does not depend on them) are left unchanged. Returns
    ``‖X_new − X_old‖²_F``.
    """
    step = np.empty(X.shape[1], dtype=X.dtype)
    change = 0.0
    for k in range(X.shape[0]):
        if B[k, k] <= 0:
            continue
        np.dot(B[k], X, out=step)              # b_kᵀ X
        np.subtract(A[k], step, out=step)      # a_k − b_kᵀ X
        step /= B[k, k]
        np.maximum(step, -X[k], out=step)      # keeps x_k + step >= 0
        change += float(step @ step)
        X[k] += step
    return change


def _HVt(V, H):
    """``H Vᵀ`` (r×m), C-contiguous: the cross product of the subproblem in W."""
    return np.ascontiguousarray(np.asarray(V @ H.T).T)


def hals(V, rank, *, iterations=200, init="random", seed=None, tol=0.0, callback=None, keep_every=0, threads=None):
    r"""NMF by hierarchical alternating least squares (HALS), a block coordinate descent.

    f is a convex quadratic in each column :math:`w_k` of W alone (and each
    row :math:`h_k` of H alone), so its exact minimizer over
    :math:`w_k \ge 0` with everything else fixed is a projection:

    .. math::

        w_k \leftarrow \max\!\left(0,\; w_k + \frac{[VH^T]_{:k} - W[HH^T]_{:k}}{[HH^T]_{kk}}\right),
        \qquad
        h_k \leftarrow \max\!\left(0,\; h_k + \frac{[W^TV]_{k:} - [W^TW]_{k:}H}{[W^TW]_{kk}}\right).

    One iteration updates the r columns of W in turn, then the r rows of H.
    ``VHᵀ`` and ``HHᵀ`` are computed once per sweep: each column costs
    O(mr). Every step minimizes f exactly over its block, so f never
    increases. This is scikit-learn's ``solver="cd"`` (same order, same
    formula).

    Parameters
    ----------
    V : array_like or scipy.sparse matrix, shape (m, n)
        Non-negative data; not modified.
    rank : int
    iterations : int
    init : {"random", "nndsvd", "nndsvda"} or (W0, H0)
    seed : int or None
    tol : float
        Stop when an iteration lowers f by at most ``tol`` times its
        previous value (0 runs every iteration).
    callback : callable or None
        ``callback(k, W, H, loss)`` after each iteration; return True to stop.
    keep_every : int
        Keep (W, H) every ``keep_every`` iterations in ``result.snapshots``.
    threads : int or None
        BLAS is held to this many threads during the run; None (the default)
        leaves it all cores. The products with a sparse V run in one thread
        here (SciPy's), so ``threads=1`` runs the whole solver in one
        thread, as :func:`nmf_teach.nmf` does with ``threads=1``.

    Returns
    -------
    NMFResult

    References
    ----------
    A. Cichocki and A.-H. Phan, "Fast local algorithms for large scale
    nonnegative matrix and tensor factorizations", IEICE Trans.
    Fundamentals E92-A(3), 708–721 (2009).
    """
    def make_step(V, loss, products):
        def step(W, H):
            _hals_sweep(W.T, products["HHt"], _HVt(V, H))       # columns of W = rows of Wᵀ
            WtV, WtW = product_WtV(V, W), W.T @ W
            _hals_sweep(H, WtW, WtV)
            return loss(W, H, WtV, WtW)
        return step

    return _frobenius_solver(V, rank, make_step, iterations=iterations, init=init, seed=seed, tol=tol,
                             callback=callback, keep_every=keep_every, threads=threads)


def accelerated_hals(V, rank, *, iterations=200, init="random", seed=None, tol=0.0, callback=None,
                     keep_every=0, threads=None, alpha=0.5, delta=0.1):
    r"""HALS with several sweeps per costly product (Gillis & Glineur 2012).

    ``VHᵀ`` costs O(mnr), one HALS sweep over W only O(mr²). So, once
    ``VHᵀ`` and ``HHᵀ`` are known, repeat the sweep over W while it still
    pays: at most :math:`\lfloor 1 + \alpha \rho_W \rfloor` times, with
    :math:`\rho_W = 1 + (mn + nr)/(m(r+1))` the cost of the product in
    sweeps, and stop early once a sweep moves W by less than ``delta`` times
    what the first sweep moved it (:math:`\|W^{(l+1)} - W^{(l)}\|_F \le
    \delta\|W^{(1)} - W^{(0)}\|_F`). Then the same for H. Each sweep
    minimizes exactly over its blocks, so f never increases. ``alpha = 0``
    is plain :func:`hals`.

    Parameters
    ----------
    V, rank, iterations, init, seed, tol, callback, keep_every, threads
        As in :func:`hals`.
    alpha : float
        Weight of the cost ratio in the cap on inner sweeps (0.5, the
        paper's choice for HALS).
    delta : float
        Relative change below which inner sweeps stop (0.1, the paper's).

    Returns
    -------
    NMFResult

    References
    ----------
    N. Gillis and F. Glineur, "Accelerated multiplicative updates and
    hierarchical ALS algorithms for nonnegative matrix factorization",
    Neural Computation 24(4), 1085–1105 (2012).
    """
    alpha = check_number(alpha, "alpha")
    delta = check_number(delta, "delta")

    def repeat(X, B, A, limit):
        first = _hals_sweep(X, B, A)
        for _ in range(limit - 1):
            if _hals_sweep(X, B, A) <= delta**2 * first:
                break

    def make_step(V, loss, products):
        m, n = V.shape
        limit_W, limit_H = _inner_limit(V, m, n, rank, alpha), _inner_limit(V, n, m, rank, alpha)

        def step(W, H):
            repeat(W.T, products["HHt"], _HVt(V, H), limit_W)
            WtV, WtW = product_WtV(V, W), W.T @ W
            repeat(H, WtW, WtV, limit_H)
            return loss(W, H, WtV, WtW)
        return step

    return _frobenius_solver(V, rank, make_step, iterations=iterations, init=init, seed=seed, tol=tol,
                             callback=callback, keep_every=keep_every, threads=threads)


# --------------------------------------------------------------------------
# Multiplicative updates: accelerated, and kept >= ε.
# --------------------------------------------------------------------------


def accelerated_mu(V, rank, *, iterations=200, init="random", seed=None, tol=0.0, callback=None,
                   keep_every=0, threads=None, alpha=2.0, delta=0.1):
    r"""The multiplicative update repeated several times per costly product (Gillis & Glineur 2012).

    With ``VHᵀ`` and ``HHᵀ`` fixed, the update
    :math:`W \leftarrow W \circ VH^T / (W HH^T)` costs only O(mr²), so it is
    repeated up to :math:`\lfloor 1 + \alpha\rho_W\rfloor` times (see
    :func:`accelerated_hals`), stopping early once
    :math:`\|W^{(l+1)} - W^{(l)}\|_F < \delta\|W^{(1)} - W^{(0)}\|_F`;
    then the same for H. Each repetition is the Lee–Seung update of the
    same subproblem, which never increases f (chapter 07's theorem with H
    fixed), so f never increases.

    Parameters
    ----------
    V, rank, iterations, init, seed, tol, callback, keep_every, threads
        As in :func:`hals`.
    alpha : float
        2, the paper's choice for MU.
    delta : float
        0.1, the paper's choice.

    Returns
    -------
    NMFResult

    References
    ----------
    N. Gillis and F. Glineur, Neural Computation 24(4), 1085–1105 (2012).
    """
    alpha = check_number(alpha, "alpha")
    delta = check_number(delta, "delta")

    def repeat(X, numerator, denominator_of, limit):
        for j in range(limit):
            new = mu(X, numerator, denominator_of(X))
            change = np.linalg.norm(new - X)
            X[...] = new
            if j == 0:
                first = change
            elif change < delta * first:
                break

    def make_step(V, loss, products):
        m, n = V.shape
        limit_W, limit_H = _inner_limit(V, m, n, rank, alpha), _inner_limit(V, n, m, rank, alpha)

        def step(W, H):
            HHt = products["HHt"]
            repeat(W, _VHt(V, H), lambda W: W @ HHt, limit_W)
            WtV, WtW = product_WtV(V, W), W.T @ W
            repeat(H, WtV, lambda H: WtW @ H, limit_H)
            return loss(W, H, WtV, WtW)
        return step

    return _frobenius_solver(V, rank, make_step, iterations=iterations, init=init, seed=seed, tol=tol,
                             callback=callback, keep_every=keep_every, threads=threads)


def epsilon_mu(V, rank, *, iterations=200, init="random", seed=None, tol=0.0, callback=None, keep_every=0, threads=None,
               epsilon=1e-16):
    r"""The multiplicative update with every entry kept at least ``epsilon``.

    .. math::

        W \leftarrow \max\!\left(\varepsilon,\; W \circ \frac{VH^T}{WHH^T}\right),\qquad
        H \leftarrow \max\!\left(\varepsilon,\; H \circ \frac{W^TV}{W^TWH}\right).

    The plain update can never move an entry away from zero (zero
    locking), and its limits need not be stationary points. This one solves
    :math:`\min_{W \ge \varepsilon, H \ge \varepsilon} f`: the start is
    raised to ``epsilon`` (``result.W0``, ``result.H0`` hold the raised
    start), f never increases (the update minimizes chapter 07's auxiliary
    function G over the box ``>= ε``: G is separable, so that minimizer is
    the plain one raised to ε), and every limit point of the iterates is a
    stationary (KKT) point of the ε-problem (Takahashi & Hibi 2014; see
    also Gillis 2020).

    Parameters
    ----------
    V, rank, iterations, init, seed, tol, callback, keep_every, threads
        As in :func:`hals`.
    epsilon : float
        The floor ε > 0 (1e-16 by default, as in Gillis's codes).

    Returns
    -------
    NMFResult

    References
    ----------
    N. Takahashi and R. Hibi, "Global convergence of modified multiplicative
    updates for nonnegative matrix factorization", Computational
    Optimization and Applications 57, 417–440 (2014).
    N. Gillis, "Nonnegative Matrix Factorization", SIAM (2020).
    """
    epsilon = check_number(epsilon, "epsilon", positive=True)

    def make_step(V, loss, products):
        def step(W, H):
            np.maximum(epsilon, mu_in_place(W, _VHt(V, H), W @ products["HHt"]), out=W)
            WtV, WtW = product_WtV(V, W), W.T @ W
            np.maximum(epsilon, mu_in_place(H, WtV, WtW @ H), out=H)
            return loss(W, H, WtV, WtW)
        return step

    return _frobenius_solver(V, rank, make_step, floor=epsilon, iterations=iterations, init=init, seed=seed,
                             tol=tol, callback=callback, keep_every=keep_every, threads=threads)


# --------------------------------------------------------------------------
# Projected gradient for each least-squares subproblem (Lin 2007).
# --------------------------------------------------------------------------


def _nls_projected_gradient(X, B, A, tolerance, max_steps, beta=0.1, sigma=0.01):
    r"""Lin's ``nlssubprob``: projected gradient for :math:`\min_{X\ge0} q(X)`, in place.

    :math:`q(X) = \frac12\langle X, BX\rangle - \langle A, X\rangle` (the
    subproblem in H with ``B = WᵀW``, ``A = WᵀV``), gradient
    :math:`BX - A`. Each step is :math:`X^+ = \max(0, X - \alpha\nabla q)`
    with α accepted when the Armijo condition along the projection arc

    .. math::

        q(X^+) - q(X) = \langle\nabla q, D\rangle + \tfrac12\langle D, BD\rangle
        \le \sigma\langle\nabla q, D\rangle, \qquad D = X^+ - X,

    holds; α starts from the previous step's value and is divided by
    ``beta`` while the condition holds (keeping the last step that passed),
    or multiplied by ``beta`` until it does; at most 20 trials, after which
    X is left as it is. Stops when the projected gradient is below
    ``tolerance``.
    Returns the number of steps taken (1 means the subproblem was already
    solved to ``tolerance``).
    """
    step_size = 1.0
    for iteration in range(1, max_steps + 1):
        grad = B @ X - A
        projected = grad[(grad < 0) | (X > 0)]
        if np.sqrt(projected @ projected) < tolerance:
            return iteration
        previous = X.copy()
        for trial in range(20):
            candidate = np.maximum(X - step_size * grad, 0)
            D = candidate - X
            gD = float(np.vdot(grad, D))
            sufficient = (1 - sigma) * gD + 0.5 * float(np.vdot(D, B @ D)) <= 0
            if trial == 0:
                decrease = not sufficient
            if decrease:
                if sufficient:
                    X[...] = candidate
                    break
                step_size *= beta
            else:
                if not sufficient or np.array_equal(previous, candidate):
                    X[...] = previous
                    break
                step_size /= beta
                previous = candidate
    return max_steps


def projected_gradient(V, rank, *, iterations=200, init="random", seed=None, tol=0.0, callback=None,
                       keep_every=0, threads=None, max_inner=1000):
    r"""Alternating non-negative least squares, each solved by projected gradient (Lin 2007).

    Each iteration solves the subproblem in W (H fixed), then in H (W
    fixed), approximately, by projected gradient steps

    .. math::

        H \leftarrow \max\!\left(0,\; H - \alpha\,\nabla_H f\right),

    with the step α chosen by an Armijo search along the projection arc
    (:func:`_nls_projected_gradient`), which guarantees a sufficient
    decrease of f at every accepted step: f never increases. As in Lin's
    code, each subproblem stops when its projected gradient falls below a
    tolerance, which starts at 0.001 times the norm of the full gradient at
    the start and shrinks tenfold whenever a subproblem needs no step.

    Parameters
    ----------
    V, rank, iterations, init, seed, tol, callback, keep_every, threads
        As in :func:`hals`.
    max_inner : int
        At most this many projected-gradient steps per subproblem (Lin: 1000).

    Returns
    -------
    NMFResult

    References
    ----------
    C.-J. Lin, "Projected gradient methods for nonnegative matrix
    factorization", Neural Computation 19(10), 2756–2779 (2007).
    """
    max_inner = check_count(max_inner, "max_inner", minimum=1)

    def make_step(V, loss, products):
        tolerances = {}

        def step(W, H):
            if not tolerances:  # 0.001 ‖∇f(W0, H0)‖_F, as in Lin's code
                start = np.sqrt(np.sum(gradient_W(V, W, H) ** 2) + np.sum(gradient_H(V, W, H) ** 2))
                tolerances["W"] = tolerances["H"] = 0.001 * start
            if _nls_projected_gradient(W.T, products["HHt"], _VHt(V, H).T, tolerances["W"], max_inner) == 1:
                tolerances["W"] *= 0.1
            WtV, WtW = product_WtV(V, W), W.T @ W
            if _nls_projected_gradient(H, WtW, WtV, tolerances["H"], max_inner) == 1:
                tolerances["H"] *= 0.1
            return loss(W, H, WtV, WtW)
        return step

    return _frobenius_solver(V, rank, make_step, iterations=iterations, init=init, seed=seed, tol=tol,
                             callback=callback, keep_every=keep_every, threads=threads)


# --------------------------------------------------------------------------
# Fitting observed entries only (held-out checks of the rank).
# --------------------------------------------------------------------------


def masked_mu(V, mask, rank, *, iterations=200, init="random", seed=None, tol=0.0, callback=None, keep_every=0,
              threads=None):
    r"""Multiplicative updates for the loss on the observed entries only.

    With ``M`` the 0/1 mask of observed entries,
    :math:`f_M(W, H) = \frac12\|M \circ (V - WH)\|_F^2` and

    .. math::

        W \leftarrow W \circ \frac{(M\circ V)H^T}{(M\circ WH)H^T},\qquad
        H \leftarrow H \circ \frac{W^T(M\circ V)}{W^T(M\circ WH)},

    the Lee–Seung update of the weighted problem, which never increases
    :math:`f_M` (the same auxiliary-function argument with the weights
    inside; Gillis 2020). It forms the m×n product WH, so it
    suits small problems. ``result.losses`` holds :math:`f_M`; ``result.norm_V2``
    is :math:`\|M \circ V\|_F^2`.

    Parameters
    ----------
    V : array_like or scipy.sparse matrix, shape (m, n)
        Non-negative data (a sparse V is made dense). Entries outside the
        mask are never read.
    mask : array_like of bool, shape (m, n)
        True where the entry is observed (used to fit).
    rank, iterations, init, seed, tol, callback, keep_every, threads
        As in :func:`hals`. A random or NNDSVD start is built from
        ``M ∘ V``.

    Returns
    -------
    NMFResult
    """
    V = check_matrix(V, "V", allow_sparse=True)
    V = V.toarray() if sp.issparse(V) else V
    mask = np.asarray(mask)
    if mask.shape != V.shape:
        raise ValueError(f"mask has shape {mask.shape} but V has shape {V.shape}; they must match")
    if mask.dtype != bool:
        if not np.all((mask == 0) | (mask == 1)):
            raise ValueError("mask must hold booleans (or 0/1): True where V is observed")
        mask = mask.astype(bool)
    M = mask.astype(V.dtype)
    MV = M * V
    problem = setup(MV, rank, iterations=iterations, init=init, seed=seed, tol=tol, callback=callback,
                    keep_every=keep_every, threads=threads)
    W, H = problem.W0.copy(), problem.H0.copy()

    def masked_loss(W, H):
        R = M * (W @ H) - MV
        return 0.5 * float(np.vdot(R, R))

    def step(W, H):
        mu_in_place(W, MV @ H.T, (M * (W @ H)) @ H.T)
        mu_in_place(H, W.T @ MV, W.T @ (M * (W @ H)))
        return masked_loss(W, H)

    with threads_limited(problem.threads):
        return run(problem, step, W, H, masked_loss(W, H))


# --------------------------------------------------------------------------
# How far from a stationary point?
# --------------------------------------------------------------------------


def kkt_violation(V, W, H, lower=0.0):
    r"""How far (W, H) is from the first-order (KKT) conditions of min f over W, H >= 0.

    The KKT conditions are :math:`W \ge 0`, :math:`\nabla_W f \ge 0`,
    :math:`W \circ \nabla_W f = 0` (and the same for H). For non-negative
    W they hold exactly when :math:`\min(W, \nabla_W f) = 0` entrywise: an
    entry is either zero with a non-negative partial derivative, or
    positive with a zero one. This returns

    .. math::

        \sqrt{\|\min(W, \nabla_W f)\|_F^2 + \|\min(H, \nabla_H f)\|_F^2},

    computed after rescaling each pair (column of W, row of H) to equal
    norms (it does not change WH or f, and removes the arbitrary scaling
    :math:`(WD, D^{-1}H)` from the measure). Zero exactly at a KKT point.

    With ``lower = ε > 0`` it measures the KKT conditions of the problem
    with the bounds :math:`W, H \ge ε` instead (:func:`epsilon_mu`'s
    problem): :math:`\min(W - ε, \nabla_W f)` and :math:`\min(H - ε, \nabla_H f)`,
    without the rescaling (the bounds are not scale-free).

    Parameters
    ----------
    V : array_like or scipy.sparse matrix, shape (m, n)
    W : array_like, shape (m, r)
    H : array_like, shape (r, n)
    lower : float
        The lower bound of the entries (0 for the problem of the lecture).

    Returns
    -------
    float

    References
    ----------
    N. Gillis, "Nonnegative Matrix Factorization", SIAM (2020).
    """
    V = check_matrix(V, "V", allow_sparse=True)
    W = check_matrix(W, "W")
    H = check_matrix(H, "H")
    lower = check_number(lower, "lower")
    if lower == 0:
        w_norms, h_norms = np.linalg.norm(W, axis=0), np.linalg.norm(H, axis=1)
        scale = np.ones_like(w_norms)
        both = (w_norms > 0) & (h_norms > 0)
        scale[both] = np.sqrt(h_norms[both] / w_norms[both])
        W, H = W * scale, H / scale[:, None]
    in_W = np.minimum(W - lower, gradient_W(V, W, H))
    in_H = np.minimum(H - lower, gradient_H(V, W, H))
    return float(np.sqrt(np.sum(in_W**2) + np.sum(in_H**2)))
