"""Timing runs, for chapter 10's solver race and benchmarks/bench_solvers.py.

Not part of the algorithm: the solvers never import this module.
scikit-learn is imported by :func:`sklearn_runs` only, when it is called, so
the package runs without it.
"""

import time
import warnings

import numpy as np

from ._validation import check_matrix
from .driver import check_threads, threads_limited
from .loss import residual_squared_norm, squared_norm

__all__ = ["run_timed", "sklearn_runs"]


def run_timed(solver, V, rank, *, stop_below=None, time_limit=None, **options):
    r"""Run a solver of ``nmf_teach`` and note the wall-clock time after every iteration.

    Parameters
    ----------
    solver : callable
        :func:`nmf_teach.nmf` or a solver of :mod:`nmf_teach.solvers`.
    V, rank
        As for the solver.
    stop_below : float or None
        Stop as soon as the relative error :math:`\|V - WH\|_F / \|V\|_F`
        is at most this.
    time_limit : float or None
        Stop after the first iteration that ends later than this many
        seconds after the start.
    **options
        Passed to the solver (``iterations``, ``init``, ...), but not
        ``callback``, which this function uses.

    Returns
    -------
    result : NMFResult
    seconds : numpy.ndarray, shape (result.iterations + 1,)
        ``seconds[k]`` is the time at the end of iteration k
        (``seconds[0] = 0``: the start is not timed).
    """
    if "callback" in options:
        raise ValueError("run_timed sets the callback itself; do not pass one")
    norm_V2 = squared_norm(check_matrix(V, "V", allow_sparse=True))
    seconds = [0.0]

    def note(k, W, H, loss):
        seconds.append(time.perf_counter() - start)
        if stop_below is not None and np.sqrt(max(2 * loss, 0) / norm_V2) <= stop_below:
            return True
        return time_limit is not None and seconds[-1] > time_limit

    start = time.perf_counter()
    result = solver(V, rank, callback=note, **options)
    return result, np.asarray(seconds)


def sklearn_runs(V, W0, H0, solver, iterations, *, threads=None):
    r"""scikit-learn's NMF from the start (W0, H0), timed, once per number of iterations.

    scikit-learn does not report its error after every iteration, so it is
    run afresh with ``max_iter=k`` and ``tol=0`` for each k in
    ``iterations`` (same start, no early stop), and each run is timed.

    Parameters
    ----------
    V : array_like or scipy.sparse matrix
    W0, H0 : numpy.ndarray
    solver : {"cd", "mu"}
    iterations : sequence of int
    threads : int or None
        BLAS is held to this many threads during the runs (None: left as it
        is), as ``threads=`` does for the solvers of ``nmf_teach``.

    Returns
    -------
    seconds, relative_errors : numpy.ndarray
        One entry per element of ``iterations``.
    """
    from sklearn.decomposition import non_negative_factorization
    from sklearn.exceptions import ConvergenceWarning

    V = check_matrix(V, "V", allow_sparse=True)
    threads = check_threads(threads)
    norm_V2 = squared_norm(V)
    seconds, errors = [], []
    for k in iterations:
        with warnings.catch_warnings(), threads_limited(threads):
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            W, H, _ = non_negative_factorization(V, W=W0.copy(), H=H0.copy(), n_components=W0.shape[1],
                                                 init="custom", solver=solver, tol=0.0, max_iter=int(k))
            seconds.append(time.perf_counter() - start)
        errors.append(np.sqrt(residual_squared_norm(V, W, H) / norm_V2))
    return np.asarray(seconds), np.asarray(errors)
