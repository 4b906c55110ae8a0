r"""The one loop every solver runs: checks, start, loss record, stopping rules, snapshots, result.

A solver of ``nmf_teach`` (:func:`nmf_teach.nmf`, every solver of
:mod:`nmf_teach.solvers`, :func:`nmf_teach.kl.nmf_kl`) is a **step**: a
function ``step(W, H)`` that performs one iteration in place, W first and
then H with the new W, and returns the loss after it. Each solver

1. checks its input and builds the start with :func:`setup`,
2. makes its step (and the loss at the start),
3. hands both to :func:`run`, the loop they all share,

so every solver stops, calls back and keeps snapshots by the same rules:

* ``callback(k, W, H, loss)`` after every iteration k; True stops the run;
* ``tol > 0`` stops once an iteration lowers the loss by at most ``tol``
  times its previous value (``result.converged`` is then True);
* ``keep_every > 0`` keeps a copy of (W, H) at the start, every
  ``keep_every`` iterations and at the end.

``threads`` (None: all cores) bounds the threads a run may use: BLAS is held
to that many (threadpoolctl) inside :func:`threads_limited`, and
:func:`nmf_teach.nmf` cuts a sparse V into at most that many blocks.
"""

from dataclasses import dataclass, field, replace

import numpy as np

from ._products import blas_limited
from ._validation import check_count, check_matrix, check_rank, check_run
from .init import nndsvd_init, random_init
from .loss import squared_norm


@dataclass
class NMFResult:
    """What every solver returns.

    Attributes
    ----------
    W : numpy.ndarray, shape (m, r)
    H : numpy.ndarray, shape (r, n)
    losses : numpy.ndarray, shape (iterations + 1,)
        ``losses[0]`` is the loss at the start, ``losses[k]`` after iteration k.
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


def starting_pair(V, r, init, seed):
    """The starting pair (W0, H0) for a checked V and rank r, new arrays in V's dtype.

    ``init`` is ``"random"``, ``"nndsvd"``, ``"nndsvda"`` or a pair (W0, H0),
    which is checked and copied.
    """
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


@dataclass(frozen=True)
class Problem:
    """A checked run: the data, the rank, the start and the options of the loop (see :func:`setup`)."""

    V: object
    rank: int
    W0: np.ndarray
    H0: np.ndarray
    norm_V2: float
    iterations: int
    tol: float
    callback: object
    keep_every: int
    init: object
    seed: object
    threads: object

    def with_start(self, W0, H0):
        """The same problem from another start (epsilon_mu raises its start to ε)."""
        return replace(self, W0=W0, H0=H0)


def check_threads(threads):
    """``threads`` as None (every core) or an int >= 1, or raise ``ValueError``."""
    return None if threads is None else check_count(threads, "threads", minimum=1)


def setup(V, rank, *, iterations, init, seed, tol, callback, keep_every, threads):
    """Check every argument a solver shares and build the start: a :class:`Problem`.

    V may be dense or sparse; it is checked (``ValueError`` saying what is
    wrong) but never modified or copied unless its dtype must change.
    """
    V = check_matrix(V, "V", allow_sparse=True)
    r = check_rank(rank)
    iterations, tol, keep_every = check_run(iterations, tol, callback, keep_every)
    threads = check_threads(threads)
    W0, H0 = starting_pair(V, r, init, seed)
    return Problem(V=V, rank=r, W0=W0, H0=H0, norm_V2=squared_norm(V), iterations=iterations, tol=tol,
                   callback=callback, keep_every=keep_every, init=init, seed=seed, threads=threads)


def threads_limited(threads):
    """A context manager holding BLAS to ``threads`` threads for a run (None: as it is)."""
    return blas_limited(threads)


def run(problem, step, W, H, loss0):
    """Iterate ``step`` and collect the :class:`NMFResult`: the loop every solver shares.

    Parameters
    ----------
    problem : Problem
        From :func:`setup`.
    step : callable
        ``step(W, H)`` performs one iteration in place (W first, then H with
        the new W) and returns the loss after it.
    W, H : numpy.ndarray, shapes (m, r) and (r, n)
        The solver's working arrays, holding the start; any memory layout
        (:func:`nmf_teach.nmf` passes a transposed view of its Hᵀ). The
        callback sees them as they are: copy them to keep them.
    loss0 : float
        The loss at the start.
    """
    losses = [loss0]
    keep_every = problem.keep_every
    snapshots = {0: (np.array(W, order="C"), np.array(H, order="C"))} if keep_every else {}
    converged = False
    k = 0
    while k < problem.iterations:
        k += 1
        losses.append(step(W, H))
        if keep_every and k % keep_every == 0:
            snapshots[k] = (np.array(W, order="C"), np.array(H, order="C"))
        if problem.callback is not None and problem.callback(k, W, H, losses[-1]):
            break
        if problem.tol > 0 and losses[-2] - losses[-1] <= problem.tol * losses[-2]:
            converged = True
            break
    if keep_every and k not in snapshots:
        snapshots[k] = (np.array(W, order="C"), np.array(H, order="C"))
    init = problem.init
    return NMFResult(
        W=np.array(W, order="C"), H=np.array(H, order="C"), losses=np.asarray(losses), iterations=k,
        converged=converged, rank=problem.rank, init=init if isinstance(init, str) else "custom",
        seed=problem.seed, W0=problem.W0, H0=problem.H0, norm_V2=problem.norm_V2, snapshots=snapshots,
    )
