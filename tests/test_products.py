"""The products with V (nmf_teach._products): the same numbers however they are cut and threaded."""

import numpy as np
import pytest
import scipy.sparse as sp
import threadpoolctl

import nmf_teach
from nmf_teach import _products, nmf
from nmf_teach._products import ProductsWithV


def sparse_counts(m, n, density, seed, dtype=np.float64):
    V = sp.random(m, n, density=density, format="csr", random_state=seed, dtype=np.float64)
    V.data = np.ceil(10 * V.data)
    return V.astype(dtype)


def factors(m, n, r, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.random((m, r)).astype(dtype), np.ascontiguousarray(rng.random((n, r)).astype(dtype))


def relative_difference(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@pytest.fixture
def threaded_small(monkeypatch):
    """Thread even small matrices, so the tests stay fast."""
    monkeypatch.setattr(_products, "THREADED_NONZEROS", 1)


@pytest.mark.parametrize("shape", [(300, 120), (120, 300), (1, 50), (50, 1)])
@pytest.mark.parametrize("threads", [1, 2, 3, 5])
def test_sparse_products_equal_scipy(threaded_small, shape, threads):
    m, n = shape
    V = sparse_counts(m, n, 0.2, seed=m + n)
    W, Ht = factors(m, n, 4, seed=1)
    with ProductsWithV(V, threads=threads) as products:
        assert len(products.blocks) == min(threads, V.nnz, max(shape))
        VHt, VtW = products.V_times(Ht), products.Vt_times(W)
    assert relative_difference(VHt, V @ Ht) < 1e-14
    assert relative_difference(VtW, V.T @ W) < 1e-14


def test_the_stacked_product_is_exact_and_the_summed_one_only_reordered(threaded_small):
    V = sparse_counts(400, 150, 0.1, seed=3)  # taller than wide: V Hᵀ is stacked, Vᵀ W summed
    W, Ht = factors(400, 150, 6, seed=4)
    with ProductsWithV(V, threads=4) as products:
        np.testing.assert_array_equal(products.V_times(Ht), V @ Ht)
        assert relative_difference(products.Vt_times(W), V.T @ W) < 1e-14
        # the same blocks always give the same numbers, whatever the threads' timing
        first = products.Vt_times(W).copy()
        for _ in range(20):
            np.testing.assert_array_equal(products.Vt_times(W), first)


def test_blocks_cover_every_row_once_with_balanced_non_zeros(threaded_small):
    V = sparse_counts(1000, 80, 0.05, seed=5)
    with ProductsWithV(V, threads=4) as products:
        blocks = products.blocks
    assert blocks[0][0] == 0 and blocks[-1][1] == V.shape[0]
    assert all(hi == lo for (_, hi, _), (lo, _, _) in zip(blocks[:-1], blocks[1:], strict=True))
    non_zeros = [A_b.nnz for _, _, A_b in blocks]
    assert sum(non_zeros) == V.nnz
    assert max(non_zeros) <= V.nnz / 4 + V.getnnz(axis=1).max()


def test_out_is_written_and_returned(threaded_small):
    for V in (sparse_counts(200, 90, 0.1, seed=6), sparse_counts(90, 200, 0.1, seed=7),
              sparse_counts(200, 90, 0.1, seed=6).toarray()):
        m, n = V.shape
        W, Ht = factors(m, n, 3, seed=8)
        out_m, out_n = np.full((m, 3), np.nan), np.full((n, 3), np.nan)
        with ProductsWithV(V, threads=2) as products:
            assert products.V_times(Ht, out=out_m) is out_m
            assert products.Vt_times(W, out=out_n) is out_n
        assert relative_difference(out_m, V @ Ht) < 1e-14
        assert relative_difference(out_n, V.T @ W) < 1e-14


def test_float32_and_mixed_dtypes(threaded_small):
    V = sparse_counts(150, 60, 0.2, seed=9, dtype=np.float32)
    W32, Ht32 = factors(150, 60, 3, seed=10, dtype=np.float32)
    with ProductsWithV(V, threads=2) as products:
        VHt = products.V_times(Ht32)
        assert VHt.dtype == np.float32
        assert relative_difference(VHt, V @ Ht32) < 1e-6
        VtW = products.Vt_times(W32.astype(np.float64))  # not the kernel's dtype: the plain product
        assert VtW.dtype == np.float64
        assert relative_difference(VtW, V.T @ W32.astype(np.float64)) < 1e-14


class _RaisingKernels:
    """A SciPy whose private kernels changed their signature."""

    def csr_matvecs(self, *args):
        raise TypeError("csr_matvecs() takes 7 arguments")

    csc_matvecs = csr_matvecs


class _WrongKernels:
    """A SciPy whose private kernels run but no longer add into ``out`` (they leave it as it is)."""

    def csr_matvecs(self, *args):
        pass

    csc_matvecs = csr_matvecs


@pytest.mark.parametrize("kernels", [None, _RaisingKernels(), _WrongKernels(), object()],
                         ids=["missing", "raising", "wrong numbers", "renamed"])
def test_any_failure_of_scipys_private_kernels_falls_back_to_the_same_numbers(threaded_small, monkeypatch, kernels):
    """The products through SciPy's private kernels and through the public ``A @ X`` agree to the last bit."""
    V = sparse_counts(120, 70, 0.2, seed=11)
    W, Ht = factors(120, 70, 5, seed=12)
    with ProductsWithV(V, threads=3) as products:
        assert _products._kernels_work()  # this SciPy's kernels pass the check
        through_kernels = products.V_times(Ht).copy(), products.Vt_times(W).copy()
    monkeypatch.setattr(_products, "_sparsetools", kernels)
    with ProductsWithV(V, threads=3) as products:
        assert not _products._kernels_work()
        fallback = products.V_times(Ht), products.Vt_times(W)
    for kernel_result, fallback_result in zip(through_kernels, fallback, strict=True):
        np.testing.assert_array_equal(kernel_result, fallback_result)
    assert relative_difference(fallback[0], V @ Ht) < 1e-14


def test_unsorted_indices_and_other_formats(threaded_small):
    V = sparse_counts(100, 40, 0.3, seed=13)
    shuffled = V.copy()
    for i in range(V.shape[0]):  # reverse the column indices of every row
        lo, hi = shuffled.indptr[i], shuffled.indptr[i + 1]
        shuffled.indices[lo:hi] = shuffled.indices[lo:hi][::-1].copy()
        shuffled.data[lo:hi] = shuffled.data[lo:hi][::-1].copy()
    shuffled.has_sorted_indices = False
    W, Ht = factors(100, 40, 3, seed=14)
    for given in (shuffled, V.tocoo(), V.tocsc(), sp.csr_array(V)):
        with ProductsWithV(given, threads=2) as products:
            assert relative_difference(products.V_times(Ht), V @ Ht) < 1e-14
            assert relative_difference(products.Vt_times(W), V.T @ W) < 1e-14


def blas_threads():
    return [info["num_threads"] for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"]


def test_blas_is_held_to_one_thread_only_while_the_threads_run(threaded_small):
    before = blas_threads()
    V = sparse_counts(100, 40, 0.3, seed=15)
    products = ProductsWithV(V, threads=2)
    assert blas_threads() == before  # made, not entered: nothing taken yet
    with products:
        assert set(blas_threads()) == {1}
    assert blas_threads() == before
    W, Ht = factors(100, 40, 3, seed=16)
    assert relative_difference(products.V_times(Ht), V @ Ht) < 1e-14  # after close: in this thread
    with ProductsWithV(V, threads=1):
        assert blas_threads() == before


def test_small_sparse_matrices_are_not_threaded():
    V = sparse_counts(100, 40, 0.3, seed=17)
    assert V.nnz < _products.THREADED_NONZEROS
    with ProductsWithV(V, threads=4) as products:
        assert len(products.blocks) == 1 and products._pool is None


def test_nmf_on_a_threaded_sparse_matrix_equals_dense_and_repeats():
    V = sparse_counts(3000, 500, 0.04, seed=18)  # 60,000 non-zeros: threaded when there are cores
    assert V.nnz >= _products.THREADED_NONZEROS
    W0, H0 = nmf_teach.random_init(V, 8, seed=0)
    sparse_run = nmf_teach.nmf(V, 8, init=(W0, H0), iterations=30)
    again = nmf_teach.nmf(V, 8, init=(W0, H0), iterations=30)
    dense_run = nmf_teach.nmf(V.toarray(), 8, init=(W0, H0), iterations=30)
    np.testing.assert_array_equal(sparse_run.W, again.W)
    np.testing.assert_array_equal(sparse_run.losses, again.losses)
    assert relative_difference(sparse_run.W, dense_run.W) < 1e-10
    assert relative_difference(sparse_run.H, dense_run.H) < 1e-10
    assert np.all(np.diff(sparse_run.losses) <= 1e-12 * sparse_run.losses[0])


# --------------------------------------------------------------------------
# Dense V: the two forms of each product, and the plan that chooses between them.
# --------------------------------------------------------------------------


def test_both_forms_of_each_dense_product_agree_to_rounding():
    """``V X`` and ``(Xᵀ Vᵀ)ᵀ`` sum the same products in another order: within γ_k |V||X| (Higham (3.13))."""
    from nmf_teach.rounding import matmul_bound

    rng = np.random.default_rng(19)
    for dtype in (np.float64, np.float32):
        V = rng.random((70, 50)).astype(dtype)
        W, Ht = factors(70, 50, 6, seed=20, dtype=dtype)
        products = ProductsWithV(V)
        for product, matrix, operand in ((products.V_times, V, Ht), (products.Vt_times, V.T, W)):
            rows = matrix.shape[0]
            C, F = np.empty((rows, 6), dtype, order="C"), np.empty((rows, 6), dtype, order="F")
            assert product(operand, out=C) is C and product(operand, out=F) is F
            exact = matrix.astype(np.float64) @ operand.astype(np.float64)  # itself within the float64 bound
            bound = matmul_bound(matrix, operand, dtype) + matmul_bound(matrix, operand, np.float64)
            for result in (C, F):
                assert np.all(np.abs(result - exact) <= bound)


class FakeClock:
    """Times the plan's pairs of products as if each pair took ``durations[pair]`` seconds.

    The plan times the pairs in the order of ``_products.PAIRS``, over and over.
    """

    def __init__(self, durations):
        self.durations, self.calls, self.now = [durations[pair] for pair in _products.PAIRS], 0, 0.0

    def __call__(self):
        if self.calls % 2:  # the end of a pair
            self.now += self.durations[(self.calls // 2) % len(self.durations)]
        self.calls += 1
        return self.now


def timings(CC=1.0, CF=1.0, FC=1.0, FF=1.0):
    return {"CC": CC, "CF": CF, "FC": FC, "FF": FF}


@pytest.mark.parametrize("durations, plan", [
    (timings(FF=0.5), ("F", "F")),
    (timings(CF=0.6, FC=0.5, FF=0.9), ("F", "C")),      # the fastest pair, mixed
    (timings(CF=0.5, FC=0.9, FF=0.6), ("C", "F")),
    (timings(CF=0.97, FC=0.97, FF=0.97), ("C", "C")),   # faster by less than the margin
    (timings(CC=0.5, FF=0.6), ("C", "C")),
])
def test_the_plan_takes_the_faster_pair_by_a_margin_and_keeps_it(monkeypatch, durations, plan):
    monkeypatch.setattr(_products, "_plans", {})
    monkeypatch.setattr(_products, "PLANNED_WORK", 0)
    clock = FakeClock(durations)
    monkeypatch.setattr(_products, "_clock", clock)
    V = np.random.default_rng(21).random((40, 30))
    products = ProductsWithV(V)
    assert products.plan(5) == {"V_times": plan[0], "Vt_times": plan[1]}
    assert clock.calls == 2 * len(_products.PAIRS) * _products.PLAN_TRIALS  # each pair: a start and an end
    assert products.empty_V_times(5).flags[f"{plan[0]}_CONTIGUOUS"]
    assert products.empty_Vt_times(5).flags[f"{plan[1]}_CONTIGUOUS"]
    assert products.empty_Vt_times(5).shape == (30, 5)
    ProductsWithV(V).plan(5)
    assert clock.calls == 2 * len(_products.PAIRS) * _products.PLAN_TRIALS  # planned once per shape in a process


@pytest.mark.parametrize("seconds, trials", [(0.001, "max"), (0.004, "budget"), (1.0, "min")])
def test_the_plan_times_short_products_more_often(monkeypatch, seconds, trials):
    """At least PLAN_TRIALS rounds; more while the planning took under PLAN_SECONDS; never more than the cap."""
    monkeypatch.setattr(_products, "_plans", {})
    monkeypatch.setattr(_products, "PLANNED_WORK", 0)
    clock = FakeClock(timings(seconds, seconds, seconds, seconds))
    monkeypatch.setattr(_products, "_clock", clock)
    ProductsWithV(np.random.default_rng(21).random((40, 30))).plan(5)
    per_round = len(_products.PAIRS) * seconds
    expected = {"max": _products.PLAN_MAX_TRIALS, "min": _products.PLAN_TRIALS,
                "budget": int(np.ceil(_products.PLAN_SECONDS / per_round - 1e-9))}[trials]
    assert _products.PLAN_TRIALS < expected < _products.PLAN_MAX_TRIALS or trials != "budget"
    assert clock.calls == 2 * len(_products.PAIRS) * expected


def test_small_and_sparse_products_are_not_planned(monkeypatch):
    monkeypatch.setattr(_products, "_clock", None)  # would fail if called
    assert ProductsWithV(np.ones((30, 20))).plan(4) == {"V_times": "C", "Vt_times": "C"}
    assert ProductsWithV(sparse_counts(300, 200, 0.5, seed=22)).plan(50) == {"V_times": "C", "Vt_times": "C"}


@pytest.mark.parametrize("pair", _products.PAIRS)
def test_nmf_gives_the_same_iterates_whichever_form_is_planned(monkeypatch, pair):
    """Whichever pair of forms is planned, nmf equals the slides' loop (bound of tests/test_reference.py)."""
    from test_reference import relative_difference

    from nmf_teach.reference import iterate_bounds, nmf_plain

    monkeypatch.setattr(_products, "_plans", {})
    monkeypatch.setattr(_products, "PLANNED_WORK", 0)
    monkeypatch.setattr(_products, "_clock", FakeClock({p: 0.5 if p == pair else 1.0 for p in _products.PAIRS}))
    rng = np.random.default_rng(23)
    V, W0, H0 = rng.random((60, 45)), rng.random((60, 5)) + 0.1, rng.random((5, 45)) + 0.1
    fast = nmf(V, 5, init=(W0, H0), iterations=5)
    assert next(iter(_products._plans.values())) == {"V_times": pair[0], "Vt_times": pair[1]}
    assert fast.W.flags.c_contiguous and fast.H.flags.c_contiguous  # whatever layout the loop worked in
    W, H, losses = nmf_plain(V, W0, H0, 5)
    a, b = iterate_bounds(60, 45, 5, 5)[-1]
    assert relative_difference(fast.W, W) <= 2 * a / (1 - a)
    assert relative_difference(fast.H, H) <= 2 * b / (1 - b)
    again = nmf(V, 5, init=(W0, H0), iterations=5)  # the same plan in this process: the same numbers
    np.testing.assert_array_equal(again.H, fast.H)
    np.testing.assert_array_equal(again.losses, fast.losses)
