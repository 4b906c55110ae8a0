"""Starting points: random (seeded, scaled to V) and NNDSVD / NNDSVDa."""

import numpy as np
import pytest
import scipy.sparse as sp

from nmf_teach import nmf, nndsvd_init, objective, random_init


def low_rank(seed, m=40, n=30, r=4, noise=0.0):
    rng = np.random.default_rng(seed)
    V = rng.random((m, r)) @ rng.random((r, n))
    return V + noise * rng.random((m, n))


class TestRandom:
    def test_shapes_dtype_and_signs(self):
        V = low_rank(0)
        W, H = random_init(V, 3, seed=1)
        assert W.shape == (40, 3) and H.shape == (3, 30)
        assert W.dtype == H.dtype == np.float64
        assert W.min() >= 0 and H.min() >= 0
        W32, H32 = random_init(V.astype(np.float32), 3, seed=1)
        assert W32.dtype == H32.dtype == np.float32

    def test_same_seed_same_start(self):
        V = low_rank(1)
        for a, b in zip(random_init(V, 3, seed=7), random_init(V, 3, seed=7), strict=True):
            np.testing.assert_array_equal(a, b)
        assert not np.array_equal(random_init(V, 3, seed=7)[0], random_init(V, 3, seed=8)[0])

    def test_scaled_to_the_mean_of_V(self):
        """Entries of W and H are uniform on [0, 2s), s = sqrt(mean(V)/r): E[WH] = mean(V)."""
        V = 250.0 * np.random.default_rng(2).random((300, 400))
        W, H = random_init(V, 10, seed=3)
        assert (W @ H).mean() == pytest.approx(V.mean(), rel=0.05)
        s = np.sqrt(V.mean() / 10)
        assert W.max() < 2 * s and H.max() < 2 * s

    def test_sparse_V_gives_the_dense_start(self):
        V = low_rank(3)
        V[V < 1.0] = 0
        for a, b in zip(random_init(sp.csr_matrix(V), 2, seed=4), random_init(V, 2, seed=4), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-14)

    def test_zero_V_gives_a_zero_start(self):
        W, H = random_init(np.zeros((3, 4)), 2, seed=0)
        assert not W.any() and not H.any()


class TestNNDSVD:
    @pytest.mark.parametrize("variant", ["nndsvd", "nndsvda"])
    @pytest.mark.parametrize("sparse", [False, True])
    def test_shapes_and_signs(self, variant, sparse):
        V = low_rank(4, noise=0.1)
        W, H = nndsvd_init(sp.csr_matrix(V) if sparse else V, 5, variant=variant, seed=0)
        assert W.shape == (40, 5) and H.shape == (5, 30)
        assert W.min() >= 0 and H.min() >= 0
        assert np.all(np.isfinite(W)) and np.all(np.isfinite(H))

    def test_nndsvda_fills_the_zeros_with_the_mean(self):
        V = low_rank(5, noise=0.1)
        W, H = nndsvd_init(V, 5, variant="nndsvd")
        Wa, Ha = nndsvd_init(V, 5, variant="nndsvda")
        assert (W == 0).any() and (H == 0).any()  # NNDSVD zeroes the negative parts
        assert not (Wa == 0).any() and not (Ha == 0).any()
        np.testing.assert_allclose(Wa[W == 0], V.mean())
        np.testing.assert_array_equal(Wa[W > 0], W[W > 0])

    def test_leading_pair_is_the_rank_one_svd(self):
        """Column 0 of W times row 0 of H is σ₁u₁v₁ᵀ, the best rank-1 approximation."""
        V = low_rank(6, noise=0.1)
        W, H = nndsvd_init(V, 1)
        U, S, Vt = np.linalg.svd(V)
        np.testing.assert_allclose(np.outer(W[:, 0], H[0]), S[0] * np.outer(U[:, 0], Vt[0]), rtol=1e-10, atol=1e-12)

    @pytest.mark.parametrize("seed", range(5))
    def test_nndsvd_starts_lower_than_a_random_start(self, seed):
        V = low_rank(seed, noise=0.01)
        W, H = nndsvd_init(V, 4)
        # seeds 100.. : a seed equal to V's own would redraw V's exact factors
        random_errors = [objective(V, *random_init(V, 4, seed=100 + s)) for s in range(10)]
        assert objective(V, W, H) <= min(random_errors)

    def test_sparse_svd_gives_the_dense_start(self):
        """Below min(m, n) − 1 a sparse V goes through scipy's svds; the start is the same."""
        V = low_rank(7, m=50, n=45, r=3, noise=0.05)
        V[V < 0.6] = 0
        for a, b in zip(nndsvd_init(sp.csr_matrix(V), 3, seed=1), nndsvd_init(V, 3), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)

    def test_matches_scikit_learn(self):
        """Same algorithm as sklearn's NNDSVD (Boutsidis & Gallopoulos): on an exactly rank-5
        matrix its randomized SVD is exact, so the two starts agree."""
        from sklearn.decomposition._nmf import _initialize_nmf

        V = low_rank(8, m=30, n=25, r=5)
        for variant in ("nndsvd", "nndsvda"):
            W, H = nndsvd_init(V, 5, variant=variant)
            W_ref, H_ref = _initialize_nmf(V, 5, init=variant, random_state=0)
            np.testing.assert_allclose(W, W_ref, rtol=1e-7, atol=1e-9)
            np.testing.assert_allclose(H, H_ref, rtol=1e-7, atol=1e-9)

    def test_rank_larger_than_min_shape_is_refused(self):
        V = low_rank(9, m=6, n=4, r=2)
        with pytest.raises(ValueError, match=r"NNDSVD needs rank <= min\(m, n\) = 4, got rank 5"):
            nndsvd_init(V, 5)
        W, H = nndsvd_init(V, 4)  # the largest allowed
        assert W.shape == (6, 4)

    def test_bad_variant(self):
        with pytest.raises(ValueError, match=r"variant must be 'nndsvd' or 'nndsvda', got 'svd'"):
            nndsvd_init(low_rank(0), 2, variant="svd")

    def test_float32_in_float32_out(self):
        W, H = nndsvd_init(low_rank(10).astype(np.float32), 3)
        assert W.dtype == H.dtype == np.float32

    def test_through_the_solver(self):
        V = low_rank(11, noise=0.01)
        result = nmf(V, 4, init="nndsvda", iterations=20)
        W0, H0 = nndsvd_init(V, 4, variant="nndsvda")
        np.testing.assert_array_equal(result.W0, W0)
        assert result.init == "nndsvda"
        assert result.losses[0] == pytest.approx(objective(V, W0, H0), rel=1e-10)
