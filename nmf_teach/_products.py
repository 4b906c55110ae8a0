"""The two products with V that every iteration needs, ``V Hᵀ`` and ``Vᵀ W``.

They are almost all the work of a multiplicative update (chapter 06: O(mnr)
against O((m + n) r²) for the rest), so :func:`nmf_teach.nmf` computes them
here, the fastest way this package knows:

* a dense V goes to BLAS as it is; BLAS already uses every core;
* a sparse V is multiplied by SciPy, which uses one core only. With more
  than :data:`THREADED_NONZEROS` non-zeros it is cut into as many blocks of
  equal non-zeros as there are cores, and the blocks are multiplied in
  threads (SciPy releases the GIL while it multiplies). While the threads are in use, BLAS is
  held to one thread (threadpoolctl): after each call OpenBLAS's idle
  threads keep spinning for a while and take the cores the sparse products
  need. On the BBC news case (r = 20) an iteration took 3.2 ms with SciPy
  alone, 3.5 ms with two threads beside a free BLAS, and 1.9 ms with two
  threads and BLAS held to one.

For a sparse V the blocks are blocks of rows of a CSR matrix ``A``: ``A = V``
when V has at most as many columns as rows (BBC news, 8829 × 2225), and
``A = Vᵀ`` (V read by columns, as CSC) when V is wider than tall (Grolier,
15276 × 30991): the rows fetched at random are then those of the smaller
factor, about 1.6× faster at Grolier's size (``benchmarks/bench_grolier.py``).
With ``A`` cut into row blocks ``A_1, ..., A_p`` (rows ``lo_b:hi_b``),

* ``A X`` is the blocks ``A_b X`` stacked: every entry is computed exactly as
  by one product;
* ``Aᵀ Y = Σ_b A_bᵀ Y[lo_b:hi_b]``: the partial sums are added in block
  order, so the result depends on the number of blocks (to rounding, 1e-15
  relative), never on the timing of the threads.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, nullcontext

import numpy as np
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

try:  # the kernels behind SciPy's sparse @ dense, which can write into a given array (private to SciPy)
    from scipy.sparse import _sparsetools
except Exception:  # pragma: no cover - a SciPy without them: allocate, as A @ X does
    _sparsetools = None

#: A sparse V with fewer non-zeros is multiplied in one piece: below this,
#: starting the threads costs more than they save.
THREADED_NONZEROS = 50_000


_blas = None  # a threadpoolctl controller, made on first use (finding the libraries takes about 1 ms)


def blas_limited(threads):
    """A context manager holding BLAS to ``threads`` threads (threadpoolctl); None leaves it alone."""
    global _blas
    if threads is None:
        return nullcontext()
    if _blas is None:
        _blas = ThreadpoolController()
    return _blas.limit(limits=int(threads), user_api="blas")


def usable_cores():
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class ProductsWithV:
    """``V @ X`` and ``Vᵀ @ Y`` for one fixed V; use it as a context manager.

    Parameters
    ----------
    V : numpy.ndarray or scipy.sparse matrix, shape (m, n)
        Already checked (see :func:`nmf_teach._validation.check_matrix`).
    threads : int or None
        The number of blocks (and threads) for a sparse V; None uses every
        usable core. 1 multiplies in one piece.

    The threads start, and BLAS is held to one thread, only inside the
    ``with`` block (in :meth:`__enter__`); outside it the blocks are
    multiplied one after the other, with the same numbers.

    Both products take ``out``, a C-ordered array of the result's shape and
    dtype to write into; the solver passes arrays allocated once, so its loop
    allocates nothing large (fresh memory costs page faults: on the machine of
    ``benchmarks/results/mu.md`` that was up to a third of an iteration).

    Examples
    --------
    >>> with ProductsWithV(V) as products:          # doctest: +SKIP
    ...     VHt = products.V_times(Ht)              # V Hᵀ, m×r
    ...     VtW = products.Vt_times(W)              # Vᵀ W, n×r
    """

    def __init__(self, V, threads=None):
        self.shape = V.shape
        self.dtype = V.dtype
        self.sparse = sp.issparse(V)
        self.blocks = None
        self._pool = None
        self._limits = ExitStack()
        self._partials = {}  # A_bᵀ Y is summed over the blocks: a buffer for each block after the first
        if not self.sparse:
            self.V = V
            return
        self.by_columns = V.shape[1] > V.shape[0]
        A = V.tocsc().T if self.by_columns else V.tocsr()  # CSR either way
        if not A.has_sorted_indices:
            A = A.sorted_indices()
        self.A = A
        threads = usable_cores() if threads is None else threads
        count = threads if A.nnz >= THREADED_NONZEROS else 1
        self.blocks = _row_blocks(A, max(count, 1))
        _kernels_work()  # checked here once, not by several threads at once

    def __enter__(self):
        """Start the threads for a sparse V cut in blocks, and hold BLAS to one thread until :meth:`close`."""
        if self.sparse and len(self.blocks) > 1 and self._pool is None:
            self._limits.enter_context(blas_limited(1))
            self._pool = ThreadPoolExecutor(max_workers=len(self.blocks) - 1, thread_name_prefix="nmf_teach")
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Stop the threads (if any) and give BLAS its threads back; later products run in one thread."""
        if self._pool is not None:
            self._pool.shutdown()
        self._pool = None
        self._limits.close()

    def V_times(self, X, out=None):
        """``V @ X`` for a C-ordered X of shape (n, r), written into ``out`` if given."""
        if not self.sparse:
            return np.matmul(self.V, X, out=out)
        return self._A_T_times(X, out) if self.by_columns else self._A_times(X, out)

    def Vt_times(self, Y, out=None):
        """``Vᵀ @ Y`` for a C-ordered Y of shape (m, r), written into ``out`` if given."""
        if not self.sparse:
            return np.matmul(self.V.T, Y, out=out)
        return self._A_times(Y, out) if self.by_columns else self._A_T_times(Y, out)

    def _run(self, tasks):
        """Run the callables ``tasks``: the first in this thread, the others in the pool (if any)."""
        if self._pool is None:
            for task in tasks:
                task()
            return
        futures = [self._pool.submit(task) for task in tasks[1:]]
        tasks[0]()
        for future in futures:
            future.result()

    def _A_times(self, X, out):
        """``A X`` = the blocks ``A_b X`` stacked, each written into its rows of ``out``."""
        if out is None:
            out = np.empty((self.A.shape[0], X.shape[1]), dtype=np.result_type(self.dtype, X.dtype))
        X = np.ascontiguousarray(X)
        self._run([lambda lo=lo, hi=hi, A_b=A_b: _csr_times(A_b, X, out[lo:hi])
                   for lo, hi, A_b in self.blocks])
        return out

    def _A_T_times(self, Y, out):
        """``Aᵀ Y = Σ_b A_bᵀ Y[lo_b:hi_b]``: block 0 into ``out``, the others into buffers, then added."""
        shape = (self.A.shape[1], Y.shape[1])
        dtype = np.result_type(self.dtype, Y.dtype)
        if out is None:
            out = np.empty(shape, dtype=dtype)
        Y = np.ascontiguousarray(Y)
        targets = [out]
        for b in range(1, len(self.blocks)):
            if self._partials.get(b) is None or self._partials[b].shape != shape or self._partials[b].dtype != dtype:
                self._partials[b] = np.empty(shape, dtype=dtype)
            targets.append(self._partials[b])
        self._run([lambda lo=lo, hi=hi, A_b=A_b, target=target: _csr_T_times(A_b, Y[lo:hi], target)
                   for (lo, hi, A_b), target in zip(self.blocks, targets, strict=True)])
        for partial in targets[1:]:
            out += partial
        return out


_kernels_checked = {}  # id(_sparsetools) -> whether its kernels gave SciPy's numbers on a small example


def _kernels_work():
    """Whether SciPy's private kernels exist, run, and give the numbers of ``A @ X`` on a small example.

    ``scipy.sparse._sparsetools`` is not public: a later SciPy may rename,
    change or drop it. Any failure (missing, raising, different numbers)
    means the plain products are used, which allocate their result but give
    the same numbers. Checked once per module object.
    """
    key = id(_sparsetools)
    if key not in _kernels_checked:
        _kernels_checked[key] = _sparsetools is not None and _kernel_gives_scipys_numbers()
    return _kernels_checked[key]


def _kernel_gives_scipys_numbers():
    A = sp.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]]))
    X, Y = np.arange(6.0).reshape(3, 2), np.arange(4.0).reshape(2, 2)
    AX, AtY = np.full((2, 2), np.nan), np.full((3, 2), np.nan)
    try:
        _call_kernel(A, X, AX, transposed=False)
        _call_kernel(A, Y, AtY, transposed=True)
    except Exception:
        return False
    return np.array_equal(AX, A @ X) and np.array_equal(AtY, A.T @ Y)


def _call_kernel(A, X, out, transposed):
    """``out[:] = A @ X`` (``Aᵀ @ X`` if ``transposed``) by SciPy's kernel, for CSR A and C-ordered X, out."""
    out.fill(0)  # the kernel adds to out
    m, n = A.shape
    if transposed:
        _sparsetools.csc_matvecs(n, m, X.shape[1], A.indptr, A.indices, A.data, X.ravel(), out.ravel())
    else:
        _sparsetools.csr_matvecs(m, n, X.shape[1], A.indptr, A.indices, A.data, X.ravel(), out.ravel())


def _kernel_applies(A, X, out):
    """Whether SciPy's kernel can write ``A @ X`` straight into ``out``."""
    return (A.dtype == X.dtype == out.dtype and X.flags.c_contiguous and out.flags.c_contiguous
            and _kernels_work())


def _csr_times(A, X, out):
    """``out[:] = A @ X`` for CSR A and C-ordered X and out."""
    if _kernel_applies(A, X, out):
        _call_kernel(A, X, out, transposed=False)
    else:
        out[:] = A @ X


def _csr_T_times(A, Y, out):
    """``out[:] = Aᵀ @ Y`` for CSR A (read as the CSC matrix Aᵀ) and C-ordered Y and out."""
    if _kernel_applies(A, Y, out):
        _call_kernel(A, Y, out, transposed=True)
    else:
        out[:] = A.T @ Y


def _row_blocks(A, count):
    """``A`` (CSR) cut into at most ``count`` blocks of rows with equal non-zeros.

    Each block is built on slices of A's arrays; SciPy may copy a slice much
    smaller than its array, so the blocks hold at most one more copy of A's non-zeros.
    """
    cuts = np.searchsorted(A.indptr, np.linspace(0, A.nnz, count + 1))
    cuts[0], cuts[-1] = 0, A.shape[0]
    cuts = np.unique(cuts)  # a row with very many non-zeros can make two cuts equal
    blocks = []
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        start, stop = A.indptr[lo], A.indptr[hi]
        A_b = sp.csr_matrix((A.data[start:stop], A.indices[start:stop], A.indptr[lo:hi + 1] - start),
                            shape=(hi - lo, A.shape[1]), copy=False)
        blocks.append((int(lo), int(hi), A_b))
    return blocks
