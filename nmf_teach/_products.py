"""The two products with V that every iteration needs, ``V Hᵀ`` and ``Vᵀ W``.

They are almost all the work of a multiplicative update (chapter 06: O(mnr)
against O((m + n) r²) for the rest), so :func:`nmf_teach.nmf` computes them
here, the fastest way this package knows:

* a dense V goes to BLAS as it is (BLAS already uses every core), in the
  faster of two forms, ``V X`` or ``(Xᵀ Vᵀ)ᵀ``, measured once per shape: which
  is faster depends on the BLAS kernel (:meth:`ProductsWithV.plan`);
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
import time
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


#: A dense product of fewer multiply-adds (m n r) is not planned (see :meth:`ProductsWithV.plan`):
#: it takes well under a millisecond either way.
PLANNED_WORK = 10_000_000
#: When a product is planned each pair of forms is timed at least this many times (the fastest time counts),
PLAN_TRIALS = 3
#: and more, up to PLAN_MAX_TRIALS times, while the planning has taken less than PLAN_SECONDS: a product
#: of a few milliseconds is timed often enough that the machine's noise does not decide the plan.
PLAN_MAX_TRIALS = 25
PLAN_SECONDS = 0.1
#: Another pair of layouts is planned only if its time is below this fraction of the default's.
PLAN_MARGIN = 0.95
#: The pairs of layouts (of V Hᵀ, of Vᵀ W) a plan chooses from, "CC" the default.
PAIRS = ("CC", "CF", "FC", "FF")

_plans = {}  # (m, n, r, dtype, BLAS) -> {"V_times": "C" or "F", "Vt_times": ...}, made by ProductsWithV.plan
_clock = time.perf_counter

_blas = None  # a threadpoolctl controller, made on first use (finding the libraries takes about 1 ms)


def _controller():
    global _blas
    if _blas is None:
        _blas = ThreadpoolController()
    return _blas


def _blas_signature():
    """The BLAS libraries in use, their kernels and threads (what the speed of a form depends on)."""
    return tuple((info.get("internal_api"), info.get("architecture"), info.get("num_threads"))
                 for info in _controller().info() if info.get("user_api") == "blas")


def _transposed(out):
    """Whether ``out`` is laid out as the transpose of a C-ordered array (and not also C-ordered)."""
    return out.flags.f_contiguous and not out.flags.c_contiguous


def blas_limited(threads):
    """A context manager holding BLAS to ``threads`` threads (threadpoolctl); None leaves it alone."""
    if threads is None:
        return nullcontext()
    return _controller().limit(limits=int(threads), user_api="blas")


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

    Both products take ``out``, an array of the result's shape and dtype to
    write into (its layout chooses the form, see :meth:`plan`); the solver passes arrays allocated once, so its loop
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
        """``V @ X`` for X of shape (n, r) (C-ordered if V is sparse), written into ``out`` if given.

        For a dense V the form follows ``out``'s layout: C-ordered (or None),
        ``V X``; Fortran-ordered, ``(Xᵀ Vᵀ)ᵀ``, written as the r×m product
        ``Xᵀ Vᵀ`` into ``out.T`` (see :meth:`plan`).
        """
        if not self.sparse:
            if out is not None and _transposed(out):
                np.matmul(X.T, self.V.T, out=out.T)
                return out
            return np.matmul(self.V, X, out=out)
        return self._A_T_times(X, out) if self.by_columns else self._A_times(X, out)

    def Vt_times(self, Y, out=None):
        """``Vᵀ @ Y`` for Y of shape (m, r) (C-ordered if V is sparse), written into ``out`` if given.

        For a dense V: ``Vᵀ Y`` into a C-ordered ``out`` (or None), and
        ``(Yᵀ V)ᵀ`` (the lecture's ``Wᵀ V``) into a Fortran-ordered one.
        """
        if not self.sparse:
            if out is not None and _transposed(out):
                np.matmul(Y.T, self.V, out=out.T)
                return out
            return np.matmul(self.V.T, Y, out=out)
        return self._A_times(Y, out) if self.by_columns else self._A_T_times(Y, out)

    def plan(self, r):
        """The layouts, ``"C"`` or ``"F"``, of the two products' results for rank r: the faster pair, measured.

        Which form of a dense product BLAS computes faster depends on its
        kernel: at 2000 × 4000, r = 100, OpenBLAS's Haswell kernel computes
        ``Vᵀ W`` (n×r, C-ordered) about 20 % faster than ``Wᵀ V`` (r×n), and its
        SkylakeX kernel ``Wᵀ V`` up to 1.6× faster than ``Vᵀ W``. So, as FFTW
        plans a transform, the forms are timed the first time a shape is met
        and the faster is used.

        :func:`nmf_teach.nmf` keeps each factor in the layout of the product
        that is its numerator (W like ``V Hᵀ``, Hᵀ like ``Vᵀ W``), so that the
        entrywise update runs over two arrays laid out alike; each factor is
        also the operand of the other product. So the two layouts are chosen
        together: with each of the four pairs (``V Hᵀ``'s, ``Vᵀ W``'s) the
        six products of one iteration (the two with V, and H Hᵀ, W (H Hᵀ),
        Wᵀ W, Hᵀ (Wᵀ W), whose speed depends on the layouts too) are timed as
        :func:`nmf_teach.nmf` computes them
        (interleaved, the fastest time kept; at least :data:`PLAN_TRIALS` times
        each, and more while the planning has taken under :data:`PLAN_SECONDS`),
        and a pair other than ("C", "C") is used only if it is faster by more
        than 1 − :data:`PLAN_MARGIN` (5 %). Products under :data:`PLANNED_WORK`
        multiply-adds, and a sparse V, are not planned (C-ordered).

        The forms compute every entry as a sum of the same products in
        another order: their results differ by rounding only (at most γ_k |V||X|
        entrywise, k the inner size; Higham 2002, (3.13)). The plan is kept
        per process for each shape, dtype and BLAS (library, kernel, threads),
        so within a process the same seed gives the same numbers. Two
        processes on one machine plan alike unless two pairs time within
        5 % of each other there; then their numbers may differ, to rounding.
        """
        m, n = self.shape
        if self.sparse or m * n * r < PLANNED_WORK:
            return {"V_times": "C", "Vt_times": "C"}
        key = (m, n, r, self.dtype.str, _blas_signature())
        if key not in _plans:
            _plans[key] = self._measure(r)
        return _plans[key]

    def empty_V_times(self, r):
        """An uninitialized m×r array for :meth:`V_times`'s result, in the layout :meth:`plan` chose."""
        return np.empty((self.shape[0], r), dtype=self.dtype, order=self.plan(r)["V_times"])

    def empty_Vt_times(self, r):
        """An uninitialized n×r array for :meth:`Vt_times`'s result, in the layout :meth:`plan` chose."""
        return np.empty((self.shape[1], r), dtype=self.dtype, order=self.plan(r)["Vt_times"])

    def _measure(self, r):
        m, n = self.shape
        arrays = {}  # layout -> (W, Hᵀ, V Hᵀ, Vᵀ W, W (H Hᵀ), Hᵀ (Wᵀ W)) laid out that way
        for order in "CF":
            arrays[order] = (np.full((m, r), 0.5, dtype=self.dtype, order=order),
                             np.full((n, r), 0.5, dtype=self.dtype, order=order),
                             *(np.empty(shape, dtype=self.dtype, order=order) for shape in [(m, r), (n, r)] * 2))
        fastest = dict.fromkeys(PAIRS, np.inf)
        trials, spent = 0, 0.0
        while trials < PLAN_TRIALS or (trials < PLAN_MAX_TRIALS and spent < PLAN_SECONDS):
            trials += 1
            for pair in PAIRS:
                W, _, VHt, _, W_HHt, _ = arrays[pair[0]]   # W is laid out like V Hᵀ
                _, Ht, _, VtW, _, Ht_WtW = arrays[pair[1]]  # Hᵀ like Vᵀ W
                start = _clock()  # the products of one iteration of nmf, in its order
                self.V_times(Ht, out=VHt)
                np.matmul(W, Ht.T @ Ht, out=W_HHt)
                self.Vt_times(W, out=VtW)
                np.matmul(Ht, W.T @ W, out=Ht_WtW)
                elapsed = _clock() - start
                fastest[pair] = min(fastest[pair], elapsed)
                spent += elapsed
        best = min(PAIRS, key=lambda pair: fastest[pair])  # the first of equal times: "CC" wins ties
        if fastest[best] >= PLAN_MARGIN * fastest["CC"]:
            best = "CC"
        return {"V_times": best[0], "Vt_times": best[1]}

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
