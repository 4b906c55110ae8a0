"""nmf(): the lecture's iteration, checked against a plain transcription and scikit-learn."""

import numpy as np
import pytest
import scipy.sparse as sp

from nmf_teach import make_swimmer, nmf, objective, random_init
from nmf_teach.loss import squared_norm

EPS = np.finfo(np.float64).eps


def lecture_iterates(V, W, H, iterations):
    """The lecture's formulas, transcribed plainly (slides 6 and 13): W first, then H with the new W."""
    iterates = [(W, H)]
    for _ in range(iterations):
        W = W * (V @ H.T) / (W @ H @ H.T)
        H = H * (W.T @ V) / (W.T @ W @ H)
        iterates.append((W, H))
    return iterates


def positive_start(seed, m, n, r):
    rng = np.random.default_rng(seed)
    return rng.random((m, n)), rng.random((m, r)) + 0.1, rng.random((r, n)) + 0.1


def max_relative_difference(A, B):
    return float(np.max(np.abs(A - B) / np.abs(B)))


@pytest.mark.parametrize("seed, m, n, r", [(0, 20, 15, 3), (1, 7, 30, 5), (2, 40, 3, 2), (3, 1, 9, 1), (4, 12, 12, 14)])
def test_iterates_equal_the_lectures_formulas(seed, m, n, r):
    V, W0, H0 = positive_start(seed, m, n, r)
    result = nmf(V, r, init=(W0, H0), iterations=30, keep_every=1)
    for k, (W, H) in enumerate(lecture_iterates(V, W0, H0, 30)):
        assert max_relative_difference(result.snapshots[k][0], W) < 1e-10, f"W at iteration {k}"
        assert max_relative_difference(result.snapshots[k][1], H) < 1e-10, f"H at iteration {k}"
        assert result.losses[k] == pytest.approx(0.5 * np.sum((V - W @ H) ** 2), rel=1e-9)


def test_H_uses_the_new_W():
    """Slide 14 writes W⁽ᵏ⁾ in the H update; the alternating scheme of slide 6 uses W⁽ᵏ⁺¹⁾, and so does nmf."""
    V, W0, H0 = positive_start(5, 8, 6, 2)
    W1 = W0 * (V @ H0.T) / (W0 @ H0 @ H0.T)
    result = nmf(V, 2, init=(W0, H0), iterations=1)
    np.testing.assert_allclose(result.H, H0 * (W1.T @ V) / (W1.T @ W1 @ H0), rtol=1e-12)
    assert max_relative_difference(result.H, H0 * (W0.T @ V) / (W0.T @ W0 @ H0)) > 1e-3


def sklearn_mu(V, W0, H0, iterations):
    """scikit-learn's Lee–Seung updates (frobenius, no regularization) from the same start."""
    from sklearn.decomposition import NMF

    model = NMF(n_components=W0.shape[1], solver="mu", beta_loss="frobenius", init="custom", tol=0,
                max_iter=iterations, alpha_W=0.0, alpha_H=0.0)
    W = model.fit_transform(V, W=W0.copy(), H=H0.copy())
    return W, model.components_


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("iterations", [1, 7, 60])
def test_iterates_equal_scikit_learn(iterations, sparse):
    """sklearn's mu updates W then H with the new W, replacing a zero denominator by ε; here none is zero,
    so both compute the same iterates, to rounding."""
    V, W0, H0 = positive_start(6, 30, 25, 4)
    V[V < 0.3] = 0
    V = sp.csr_matrix(V) if sparse else V
    W_ref, H_ref = sklearn_mu(V, W0, H0, iterations)
    result = nmf(V, 4, init=(W0, H0), iterations=iterations)
    assert max_relative_difference(result.W, W_ref) < 1e-8
    assert max_relative_difference(result.H, H_ref) < 1e-8


class TestResult:
    def test_losses_length_and_shapes(self):
        V = np.random.default_rng(0).random((9, 7))
        for iterations in (0, 1, 13):
            result = nmf(V, 3, iterations=iterations, seed=0)
            assert len(result.losses) == iterations + 1 == result.iterations + 1
            assert result.W.shape == (9, 3) and result.H.shape == (3, 7)
            assert result.rank == 3 and result.seed == 0 and result.init == "random" and not result.converged

    def test_zero_iterations_returns_the_start(self):
        V = np.random.default_rng(0).random((5, 4))
        result = nmf(V, 2, iterations=0, seed=3)
        W0, H0 = random_init(V, 2, seed=3)
        np.testing.assert_array_equal(result.W, W0)
        np.testing.assert_array_equal(result.H, H0)
        assert result.losses[0] == pytest.approx(objective(V, W0, H0), rel=1e-12)

    def test_same_seed_same_run(self):
        V = np.random.default_rng(1).random((10, 8))
        a, b = nmf(V, 3, iterations=20, seed=42), nmf(V, 3, iterations=20, seed=42)
        np.testing.assert_array_equal(a.W, b.W)
        np.testing.assert_array_equal(a.H, b.H)
        np.testing.assert_array_equal(a.losses, b.losses)
        assert not np.array_equal(a.W, nmf(V, 3, iterations=20, seed=43).W)

    def test_replay_from_W0_H0(self):
        V = np.random.default_rng(2).random((10, 8))
        first = nmf(V, 3, iterations=15, seed=5)
        again = nmf(V, 3, init=(first.W0, first.H0), iterations=15)
        np.testing.assert_array_equal(first.W, again.W)
        np.testing.assert_array_equal(first.losses, again.losses)
        assert again.init == "custom"

    def test_relative_errors(self):
        V = np.random.default_rng(3).random((6, 6))
        result = nmf(V, 2, iterations=5, seed=0)
        relative = np.linalg.norm(V - result.W @ result.H) / np.linalg.norm(V)
        np.testing.assert_allclose(result.relative_errors[-1], relative, rtol=1e-10)
        assert nmf(np.zeros((3, 3)), 1, iterations=2).relative_errors.tolist() == [0, 0, 0]


class TestStopping:
    def test_tol_stops_at_the_first_small_decrease(self):
        V = np.random.default_rng(4).random((20, 15))
        result = nmf(V, 3, iterations=5000, seed=0, tol=1e-4)
        assert result.converged and result.iterations < 5000
        assert len(result.losses) == result.iterations + 1
        decrease = -np.diff(result.losses) / result.losses[:-1]
        assert decrease[-1] <= 1e-4
        assert np.all(decrease[:-1] > 1e-4)

    def test_tol_zero_runs_every_iteration(self):
        V = np.random.default_rng(4).random((20, 15))
        result = nmf(V, 3, iterations=300, seed=0)
        assert result.iterations == 300 and not result.converged

    def test_callback_sees_every_iteration_and_can_stop(self):
        V = np.random.default_rng(5).random((8, 6))
        seen = []

        def callback(k, W, H, loss):
            seen.append((k, loss, objective(V, W, H)))
            return k == 5

        result = nmf(V, 2, iterations=50, seed=0, callback=callback)
        assert result.iterations == 5 and len(result.losses) == 6 and not result.converged
        assert [k for k, *_ in seen] == [1, 2, 3, 4, 5]
        for k, loss, direct in seen:
            assert loss == result.losses[k]
            assert loss == pytest.approx(direct, rel=1e-9)

    def test_callback_is_called_on_the_iteration_tol_stops(self):
        V = np.random.default_rng(4).random((20, 15))
        seen = []
        result = nmf(V, 3, iterations=5000, seed=0, tol=1e-4, callback=lambda k, W, H, loss: seen.append(k))
        assert seen[-1] == result.iterations


class TestSnapshots:
    def test_every_jth_iterate_and_the_last(self):
        V = np.random.default_rng(6).random((10, 9))
        result = nmf(V, 3, iterations=10, seed=1, keep_every=3)
        assert sorted(result.snapshots) == [0, 3, 6, 9, 10]
        for k, (W, H) in result.snapshots.items():
            replay = nmf(V, 3, iterations=k, seed=1)
            np.testing.assert_array_equal(W, replay.W)
            np.testing.assert_array_equal(H, replay.H)
            assert result.losses[k] == replay.losses[-1]
        assert not np.shares_memory(result.snapshots[10][0], result.W)

    def test_none_by_default(self):
        assert nmf(np.ones((3, 3)), 1, iterations=4, seed=0).snapshots == {}


class TestLossAccuracy:
    """losses[k] is f(W_k, H_k) to 1e-10 ‖V‖²_F, also where the trace form would cancel."""

    def check(self, V, result, atol_fraction=1e-10):
        norm = squared_norm(V)
        for k, (W, H) in result.snapshots.items():
            assert abs(result.losses[k] - objective(V, W, H)) <= atol_fraction * norm, f"iteration {k}"

    @pytest.mark.parametrize("seed", range(3))
    def test_random_data(self, seed):
        V = np.random.default_rng(seed).random((30, 20))
        self.check(V, nmf(V, 4, iterations=40, seed=seed, keep_every=1))

    def test_sparse_data(self):
        V = sp.random(50, 40, density=0.1, random_state=1, format="csr")
        self.check(V, nmf(V, 5, iterations=40, seed=1, keep_every=1))

    def test_exactly_factorizable_started_near_the_answer(self):
        """f ≈ 1e-20 ‖V‖²: the trace form would return rounding noise ~1e-16 ‖V‖²; the recorded loss
        must be the direct one, correct relative to f itself."""
        rng = np.random.default_rng(7)
        W_true, H_true = rng.random((40, 4)), rng.random((4, 30))
        V = W_true @ H_true
        W0 = W_true * (1 + 1e-10 * rng.standard_normal(W_true.shape))
        result = nmf(V, 4, init=(W0, H_true), iterations=5, keep_every=1)
        self.check(V, result)
        assert 0 < result.losses[0] < 1e-17 * squared_norm(V)
        for k, (W, H) in result.snapshots.items():
            assert result.losses[k] == pytest.approx(objective(V, W, H), rel=1e-6, abs=1e-30)

    def test_swimmer_from_its_true_parts(self):
        V, W_true, H_true, _ = make_swimmer()
        result = nmf(V, 17, init=(W_true, H_true), iterations=3, keep_every=1)
        self.check(V, result)
        assert np.all(result.losses == 0)  # 0/1 data, exact products: not even rounding

    def test_swimmer_from_a_random_start(self):
        V, *_ = make_swimmer()
        self.check(V, nmf(V, 17, iterations=30, seed=0, keep_every=10))


class TestTypes:
    def test_dense_and_sparse_agree(self):
        rng = np.random.default_rng(8)
        V = rng.random((40, 30))
        V[V < 0.7] = 0
        dense = nmf(V, 5, iterations=50, seed=2)
        for Vs in (sp.csr_matrix(V), sp.csc_matrix(V), sp.coo_matrix(V), sp.csr_array(V)):
            sparse = nmf(Vs, 5, iterations=50, seed=2)
            np.testing.assert_allclose(sparse.W, dense.W, rtol=1e-9, atol=1e-14)
            np.testing.assert_allclose(sparse.H, dense.H, rtol=1e-9, atol=1e-14)
            np.testing.assert_allclose(sparse.losses, dense.losses, rtol=1e-11)

    def test_float32_in_float32_out(self):
        V = np.random.default_rng(9).random((20, 10)).astype(np.float32)
        for data in (V, sp.csr_matrix(V)):
            result = nmf(data, 3, iterations=20, seed=0)
            assert result.W.dtype == result.H.dtype == np.float32
            assert result.W0.dtype == np.float32
            assert result.losses.dtype == np.float64
        as64 = nmf(V.astype(np.float64), 3, iterations=20, seed=0)
        np.testing.assert_allclose(result.W, as64.W, rtol=1e-3, atol=1e-5)

    def test_float32_start_for_float64_data_is_converted(self):
        V = np.random.default_rng(10).random((6, 5))
        W0, H0 = (X.astype(np.float32) for X in random_init(V, 2, seed=0))
        result = nmf(V, 2, init=(W0, H0), iterations=3)
        assert result.W.dtype == np.float64

    def test_integers_become_float64(self):
        V = np.random.default_rng(11).integers(0, 5, size=(8, 6))
        result = nmf(V, 2, iterations=10, seed=0)
        assert result.W.dtype == result.H.dtype == np.float64
        np.testing.assert_allclose(result.W, nmf(V.astype(float), 2, iterations=10, seed=0).W, rtol=1e-14)
        assert nmf(sp.csr_matrix(V), 2, iterations=2, seed=0).W.dtype == np.float64


def assert_sane(result, V):
    """No NaN or inf anywhere, never negative, loss never increasing beyond rounding."""
    tol = 100 * EPS * (squared_norm(V) + result.losses[0])
    assert np.all(np.isfinite(result.losses)) and np.all(np.diff(result.losses) <= tol)
    for W, H in result.snapshots.values():
        assert np.all(np.isfinite(W)) and np.all(np.isfinite(H))
        assert W.min() >= 0 and H.min() >= 0


class TestZeros:
    def test_zero_rows_and_columns_of_V(self):
        V = np.random.default_rng(12).random((10, 8))
        V[[2, 7]] = 0
        V[:, [0, 5]] = 0
        for data in (V, sp.csr_matrix(V)):
            result = nmf(data, 3, iterations=30, seed=0, keep_every=1)
            assert_sane(result, V)
            np.testing.assert_array_equal(result.W[[2, 7]], 0)  # V's zero rows empty W's rows at once
            np.testing.assert_array_equal(result.H[:, [0, 5]], 0)

    def test_zero_V(self):
        result = nmf(np.zeros((4, 3)), 2, iterations=5, seed=0, keep_every=1)
        assert_sane(result, np.zeros((4, 3)))
        assert np.all(result.losses == 0)

    def test_zero_V_from_a_positive_start(self):
        V = np.zeros((4, 3))
        result = nmf(V, 2, init=(np.ones((4, 2)), np.ones((2, 3))), iterations=5, keep_every=1)
        assert_sane(result, V)
        assert result.losses[-1] == 0

    @pytest.mark.parametrize("which", ["W0", "H0", "both"])
    def test_zero_start_stays_put(self, which):
        """A zero factor makes every denominator of the other zero: nothing moves, f stays ½‖V‖²."""
        V, W0, H0 = positive_start(13, 6, 5, 2)
        W0 = np.zeros_like(W0) if which in ("W0", "both") else W0
        H0 = np.zeros_like(H0) if which in ("H0", "both") else H0
        result = nmf(V, 2, init=(W0, H0), iterations=10, keep_every=1)
        assert_sane(result, V)
        np.testing.assert_allclose(result.losses, 0.5 * squared_norm(V), rtol=1e-14)
        np.testing.assert_array_equal(result.W, W0)
        np.testing.assert_array_equal(result.H, H0)

    def test_zero_row_of_H_and_column_of_W(self):
        """A zero row of H0 (or column of W0) stays zero; the other factor's matching column (row) is
        left unchanged where f does not depend on it; the rest converges as usual."""
        V, W0, H0 = positive_start(14, 12, 10, 3)
        H0[1] = 0
        W0[:, 2] = 0
        result = nmf(V, 3, init=(W0, H0), iterations=40, keep_every=1)
        assert_sane(result, V)
        np.testing.assert_array_equal(result.H[1], 0)
        np.testing.assert_array_equal(result.W[:, 2], 0)
        np.testing.assert_array_equal(result.W[:, 1], W0[:, 1])
        np.testing.assert_array_equal(result.H[2], H0[2])
        assert result.losses[-1] < 0.5 * result.losses[0]

    def test_rank_larger_than_the_matrix(self):
        V = np.random.default_rng(15).random((3, 4))
        result = nmf(V, 6, iterations=200, seed=0, keep_every=50)
        assert_sane(result, V)
        assert result.losses[-1] < 1e-3 * result.losses[0]
