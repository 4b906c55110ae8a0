"""Bad input: a ValueError that names the problem and where. Good input: never changed."""

import numpy as np
import pytest
import scipy.sparse as sp

from nmf_teach import nmf, nndsvd_init, objective, random_init, update_H, update_W
from nmf_teach._validation import check_matrix

GOOD = np.arange(12.0).reshape(3, 4) + 1


def V_with(value, i=1, j=2):
    V = GOOD.copy()
    V[i, j] = value
    return V


class TestV:
    def test_one_negative_entry(self):
        message = r"V has 1 negative entry \(smallest -0.2 at row 1, column 2\); NMF needs V >= 0"
        with pytest.raises(ValueError, match=message):
            nmf(V_with(-0.2), 2)

    def test_several_negative_entries_report_count_and_smallest(self):
        V = GOOD.copy()
        V[0, 0], V[2, 3], V[1, 1] = -1.0, -7.5, -3.0
        with pytest.raises(ValueError, match=r"V has 3 negative entries \(smallest -7.5 at row 2, column 3\)"):
            nmf(V, 2)

    def test_negative_entry_of_a_sparse_V(self):
        V = sp.csr_matrix(V_with(-4.0, 2, 1))
        with pytest.raises(ValueError, match=r"V has 1 negative entry \(smallest -4 at row 2, column 1\)"):
            nmf(V, 2)

    @pytest.mark.parametrize("value, counts", [(np.nan, "1 NaN and 0 infinite"), (np.inf, "0 NaN and 1 infinite"),
                                               (-np.inf, "0 NaN and 1 infinite")])
    def test_nan_and_inf(self, value, counts):
        with pytest.raises(ValueError, match=rf"V has {counts} entries \(the first at row 1, column 2\)"):
            nmf(V_with(value), 2)

    def test_nan_in_a_sparse_V(self):
        with pytest.raises(ValueError, match=r"V has 1 NaN and 0 infinite entries \(the first at row 0, column 3\)"):
            nmf(sp.csc_matrix(V_with(np.nan, 0, 3)), 2)

    @pytest.mark.parametrize("V, shape", [(np.ones(5), r"\(5,\)"), (np.ones((2, 3, 4)), r"\(2, 3, 4\)"),
                                          (np.float64(3.0), r"\(\)")])
    def test_not_2d(self, V, shape):
        with pytest.raises(ValueError, match=rf"V must be a 2-D matrix, got an array of shape {shape}"):
            nmf(V, 1)

    @pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0)])
    def test_empty(self, shape):
        with pytest.raises(ValueError, match=r"V is empty \(shape \(\d, \d\)\)"):
            nmf(np.zeros(shape), 1)
        with pytest.raises(ValueError, match=r"V is empty"):
            nmf(sp.csr_matrix(shape), 1)

    def test_not_numbers(self):
        with pytest.raises(ValueError, match=r"V must hold real numbers, got dtype <U1"):
            nmf(np.array([["a", "b"]]), 1)
        with pytest.raises(ValueError, match=r"V must be real, got complex"):
            nmf(np.ones((2, 2), dtype=complex), 1)
        with pytest.raises(ValueError, match=r"V must be real, got complex"):
            nmf(sp.csr_matrix(np.ones((2, 2), dtype=complex)), 1)

    def test_sparse_factors_are_refused(self):
        with pytest.raises(ValueError, match=r"W is a sparse matrix; pass a dense numpy array"):
            objective(GOOD, sp.csr_matrix(np.ones((3, 1))), np.ones((1, 4)))


class TestRankIterationsTol:
    @pytest.mark.parametrize("rank", [0, -3])
    def test_rank_below_one(self, rank):
        with pytest.raises(ValueError, match=rf"rank must be >= 1, got {rank}"):
            nmf(GOOD, rank)

    @pytest.mark.parametrize("rank, shown", [(2.0, r"2\.0 \(float\)"), (True, r"True \(bool\)"),
                                             ("2", r"'2' \(str\)"), (None, r"None \(NoneType\)")])
    def test_rank_not_a_whole_number(self, rank, shown):
        with pytest.raises(ValueError, match=rf"rank must be a whole number >= 1, got {shown}"):
            nmf(GOOD, rank)

    def test_numpy_integer_rank_is_fine(self):
        assert nmf(GOOD, np.int64(2), iterations=1, seed=0).W.shape == (3, 2)

    def test_iterations(self):
        with pytest.raises(ValueError, match=r"iterations must be >= 0, got -1"):
            nmf(GOOD, 2, iterations=-1)
        with pytest.raises(ValueError, match=r"iterations must be a whole number >= 0, got 2.5"):
            nmf(GOOD, 2, iterations=2.5)

    @pytest.mark.parametrize("tol", [-1e-3, np.nan, np.inf, "0.1", True])
    def test_tol(self, tol):
        with pytest.raises(ValueError, match=r"tol must be a finite number >= 0"):
            nmf(GOOD, 2, tol=tol)

    def test_keep_every_and_callback(self):
        with pytest.raises(ValueError, match=r"keep_every must be >= 0, got -2"):
            nmf(GOOD, 2, keep_every=-2)
        with pytest.raises(ValueError, match=r"callback must be callable or None"):
            nmf(GOOD, 2, callback=3)


class TestInit:
    def test_unknown_string(self):
        message = r"init must be 'random', 'nndsvd', 'nndsvda' or a pair \(W0, H0\), got 'svd'"
        with pytest.raises(ValueError, match=message):
            nmf(GOOD, 2, init="svd")

    @pytest.mark.parametrize("init, name", [(None, "NoneType"), (3, "int"), ((np.ones((3, 2)),), "tuple")])
    def test_not_a_pair(self, init, name):
        with pytest.raises(ValueError, match=rf"or a pair \(W0, H0\), got {name}"):
            nmf(GOOD, 2, init=init)

    def test_W0_of_the_wrong_shape(self):
        message = r"W0 has shape \(3, 3\); for V of shape \(3, 4\) and rank 2 it must be \(3, 2\)"
        with pytest.raises(ValueError, match=message):
            nmf(GOOD, 2, init=(np.ones((3, 3)), np.ones((2, 4))))

    def test_H0_of_the_wrong_shape(self):
        message = r"H0 has shape \(2, 5\); for V of shape \(3, 4\) and rank 2 it must be \(2, 4\)"
        with pytest.raises(ValueError, match=message):
            nmf(GOOD, 2, init=(np.ones((3, 2)), np.ones((2, 5))))

    def test_negative_W0(self):
        W0 = np.ones((3, 2))
        W0[2, 0] = -1e-9
        message = r"W0 has 1 negative entry \(smallest -1e-09 at row 2, column 0\); NMF needs W0 >= 0"
        with pytest.raises(ValueError, match=message):
            nmf(GOOD, 2, init=(W0, np.ones((2, 4))))

    def test_negative_H0(self):
        H0 = -np.ones((2, 4))
        with pytest.raises(ValueError, match=r"H0 has 8 negative entries \(smallest -1 at row 0, column 0\)"):
            nmf(GOOD, 2, init=(np.ones((3, 2)), H0))

    def test_nan_in_H0(self):
        H0 = np.ones((2, 4))
        H0[1, 3] = np.nan
        with pytest.raises(ValueError, match=r"H0 has 1 NaN and 0 infinite entries \(the first at row 1, column 3\)"):
            nmf(GOOD, 2, init=(np.ones((3, 2)), H0))

    def test_nndsvd_rank_too_large(self):
        with pytest.raises(ValueError, match=r"NNDSVD needs rank <= min\(m, n\) = 3, got rank 4; use init='random'"):
            nmf(GOOD, 4, init="nndsvd")


class TestFactorShapes:
    def test_W_rows(self):
        with pytest.raises(ValueError, match=r"W has 2 rows but V has 3; W must be 3 x r"):
            update_W(GOOD, np.ones((2, 2)), np.ones((2, 4)))

    def test_H_columns(self):
        with pytest.raises(ValueError, match=r"H has 5 columns but V has 4; H must be r x 4"):
            update_H(GOOD, np.ones((3, 2)), np.ones((2, 5)))

    def test_inner_sizes(self):
        with pytest.raises(ValueError, match=r"W is 3 x 2 and H is 3 x 4: the inner sizes \(the rank r\) differ"):
            objective(GOOD, np.ones((3, 2)), np.ones((3, 4)))


class TestNothingIsChanged:
    """The solver never writes into what it was given, whatever the type."""

    def test_dense_V_and_start(self):
        rng = np.random.default_rng(0)
        V, W0, H0 = rng.random((6, 5)), rng.random((6, 2)), rng.random((2, 5))
        copies = V.copy(), W0.copy(), H0.copy()
        result = nmf(V, 2, init=(W0, H0), iterations=5)
        for X, before in zip((V, W0, H0), copies, strict=True):
            np.testing.assert_array_equal(X, before)
        assert not np.shares_memory(result.W, W0) and not np.shares_memory(result.H, H0)
        assert not np.shares_memory(result.W0, W0)

    def test_float32_and_int_V(self):
        V32 = np.random.default_rng(1).random((4, 4)).astype(np.float32)
        before = V32.copy()
        nmf(V32, 2, iterations=3, seed=0)
        np.testing.assert_array_equal(V32, before)
        Vint = np.arange(12).reshape(3, 4)
        nmf(Vint, 2, iterations=3, seed=0)
        np.testing.assert_array_equal(Vint, np.arange(12).reshape(3, 4))

    def test_sparse_V_with_duplicate_entries(self):
        """A CSR matrix with duplicates is summed in a copy: the caller's arrays are not rewritten."""
        data, indices, indptr = np.array([1.0, 2.0, 3.0]), np.array([0, 0, 1]), np.array([0, 3, 3])
        V = sp.csr_matrix((data, indices, indptr), shape=(2, 2))
        nmf(V, 1, iterations=3, seed=0)
        np.testing.assert_array_equal(V.data, [1.0, 2.0, 3.0])
        np.testing.assert_array_equal(V.indices, [0, 0, 1])
        np.testing.assert_array_equal(V.indptr, [0, 3, 3])
        assert check_matrix(V, allow_sparse=True).toarray().tolist() == [[3.0, 3.0], [0.0, 0.0]]

    def test_init_functions(self):
        V = np.random.default_rng(2).random((5, 4))
        before = V.copy()
        random_init(V, 2, seed=0)
        nndsvd_init(V, 2)
        nndsvd_init(sp.csr_matrix(V), 2, variant="nndsvda")
        np.testing.assert_array_equal(V, before)

    def test_integers_and_booleans_become_float64(self):
        assert check_matrix(np.ones((2, 2), dtype=np.int32)).dtype == np.float64
        assert check_matrix(np.ones((2, 2), dtype=bool)).dtype == np.float64
        assert check_matrix(np.ones((2, 2), dtype=np.float16)).dtype == np.float64
        assert check_matrix(sp.csr_matrix(np.ones((2, 2), dtype=np.int64)), allow_sparse=True).dtype == np.float64
        assert check_matrix(np.ones((2, 2), dtype=np.float32)).dtype == np.float32


class TestSolverOptions:
    """Every solver checks its options with the same rules as nmf (nmf_teach._validation.check_run)."""

    @staticmethod
    def solvers():
        from nmf_teach import kl, solvers

        mask = np.ones_like(GOOD)
        return {
            "nmf": nmf, "hals": solvers.hals, "accelerated_hals": solvers.accelerated_hals,
            "accelerated_mu": solvers.accelerated_mu, "epsilon_mu": solvers.epsilon_mu,
            "projected_gradient": solvers.projected_gradient,
            "masked_mu": lambda V, r, **options: solvers.masked_mu(V, mask, r, **options),
            "nmf_kl": kl.nmf_kl,
        }

    @pytest.mark.parametrize("tol", [-1e-3, np.nan, np.inf, "0.1", True, None])
    def test_tol(self, tol):
        for solver in self.solvers().values():
            with pytest.raises(ValueError, match=r"tol must be a finite number >= 0"):
                solver(GOOD, 2, tol=tol)

    def test_iterations_keep_every_callback(self):
        for solver in self.solvers().values():
            with pytest.raises(ValueError, match=r"iterations must be >= 0, got -1"):
                solver(GOOD, 2, iterations=-1)
            with pytest.raises(ValueError, match=r"keep_every must be a whole number >= 0"):
                solver(GOOD, 2, keep_every=1.5)
            with pytest.raises(ValueError, match=r"callback must be callable or None"):
                solver(GOOD, 2, callback="print")

    @pytest.mark.parametrize("value", [-1.0, np.nan, "0.5", True, None])
    def test_step_parameters(self, value):
        from nmf_teach import solvers

        with pytest.raises(ValueError, match=r"alpha must be a finite number >= 0"):
            solvers.accelerated_hals(GOOD, 2, alpha=value)
        with pytest.raises(ValueError, match=r"delta must be a finite number >= 0"):
            solvers.accelerated_mu(GOOD, 2, delta=value)
        with pytest.raises(ValueError, match=r"epsilon must be a finite number > 0"):
            solvers.epsilon_mu(GOOD, 2, epsilon=value)
        with pytest.raises(ValueError, match=r"epsilon must be a finite number > 0, got 0"):
            solvers.epsilon_mu(GOOD, 2, epsilon=0)


class TestCopy:
    """``copy`` means the same under numpy 1 and numpy 2 (numpy 1 refuses ``np.array(copy=None)``)."""

    def test_no_copy_when_nothing_changes(self):
        V = np.asfortranarray(np.random.default_rng(3).random((4, 3)))
        assert check_matrix(V) is V  # float64 in any layout: returned as it is
        V32 = V.astype(np.float32)
        assert check_matrix(V32) is V32

    def test_copy_true_always_copies_and_keeps_the_layout(self):
        V = np.asfortranarray(np.random.default_rng(4).random((4, 3)))
        X = check_matrix(V, copy=True)
        assert not np.shares_memory(X, V) and X.flags.f_contiguous
        np.testing.assert_array_equal(X, V)

    def test_a_new_dtype_is_a_new_array(self):
        V = np.arange(6).reshape(2, 3)
        X = check_matrix(V)
        assert X.dtype == np.float64 and not np.shares_memory(X, V)
