"""nmf_teach.kl: the KL divergence, Lee & Seung's (2001) KL updates and their auxiliary function."""

import numpy as np
import pytest
import scipy.sparse as sp

from nmf_teach import kl


def problem(seed, m=12, n=9, r=3, density=1.0):
    rng = np.random.default_rng(seed)
    V = rng.random((m, n)) * (rng.random((m, n)) < density)
    return V, rng.random((m, r)) + 0.05, rng.random((r, n)) + 0.05


def divergence_transcription(V, WH):
    """D(A||B) = sum_ij (A_ij log(A_ij / B_ij) - A_ij + B_ij), 0 log 0 = 0, entry by entry."""
    total = 0.0
    for i in range(V.shape[0]):
        for j in range(V.shape[1]):
            a, b = V[i, j], WH[i, j]
            total += (a * np.log(a / b) if a > 0 else 0.0) - a + b
    return total


def update_H_transcription(V, W, H):
    """Lee & Seung (2001), eq. (5): H_au <- H_au sum_i W_ia V_iu/(WH)_iu / sum_k W_ka, index by index."""
    m, r = W.shape
    n = H.shape[1]
    WH = W @ H
    new = np.empty_like(H)
    for a in range(r):
        for mu in range(n):
            new[a, mu] = H[a, mu] * sum(W[i, a] * V[i, mu] / WH[i, mu] for i in range(m)) / sum(W[:, a])
    return new


def update_W_transcription(V, W, H):
    """Lee & Seung (2001), eq. (5): W_ia <- W_ia sum_u H_au V_iu/(WH)_iu / sum_v H_av, index by index."""
    m, r = W.shape
    n = H.shape[1]
    WH = W @ H
    new = np.empty_like(W)
    for i in range(m):
        for a in range(r):
            new[i, a] = W[i, a] * sum(H[a, mu] * V[i, mu] / WH[i, mu] for mu in range(n)) / sum(H[a, :])
    return new


def G_transcription(W, v, h_k, h):
    """Lee & Seung (2001), eq. (15), term by term."""
    m, r = W.shape
    total = sum((v[i] * np.log(v[i]) if v[i] > 0 else 0.0) - v[i] for i in range(m))
    total += sum(W[i, a] * h[a] for i in range(m) for a in range(r))
    for i in range(m):
        Wh_k = sum(W[i, b] * h_k[b] for b in range(r))
        for a in range(r):
            if v[i] > 0 and W[i, a] > 0:
                pi = W[i, a] * h_k[a] / Wh_k
                total -= v[i] * pi * (np.log(W[i, a] * h[a]) - np.log(pi))
    return total


@pytest.mark.parametrize("seed", range(3))
def test_divergence_equals_its_definition(seed):
    V, W, H = problem(seed, density=0.6)
    assert kl.kl_divergence(V, W, H) == pytest.approx(divergence_transcription(V, W @ H), rel=1e-12)
    assert kl.kl_divergence(sp.csr_matrix(V), W, H) == pytest.approx(divergence_transcription(V, W @ H), rel=1e-12)


def test_divergence_is_zero_exactly_at_V_equal_WH_and_positive_elsewhere():
    _, W, H = problem(3)
    assert abs(kl.kl_divergence(W @ H, W, H)) < 1e-12
    V, W, H = problem(4)
    assert kl.kl_divergence(V, W, H) > 0
    V[0, 0] = 1.0
    H[:, 0] = 0.0
    assert kl.kl_divergence(V, W, H) == np.inf


@pytest.mark.parametrize("seed", range(3))
def test_updates_equal_lee_seung(seed):
    V, W, H = problem(seed, density=0.7)
    np.testing.assert_allclose(kl.kl_update_H(V, W, H), update_H_transcription(V, W, H), rtol=1e-12)
    np.testing.assert_allclose(kl.kl_update_W(V, W, H), update_W_transcription(V, W, H), rtol=1e-12)
    np.testing.assert_allclose(kl.kl_update_H(sp.csr_matrix(V), W, H), update_H_transcription(V, W, H), rtol=1e-12)
    np.testing.assert_allclose(kl.kl_update_W(sp.csr_matrix(V), W, H), update_W_transcription(V, W, H), rtol=1e-12)


def test_nmf_kl_alternates_W_then_H():
    V, W, H = problem(5)
    result = kl.nmf_kl(V, 3, init=(W, H), iterations=4, keep_every=1)
    for k in range(1, 5):
        W = update_W_transcription(V, W, H)
        H = update_H_transcription(V, W, H)
        np.testing.assert_allclose(result.snapshots[k][0], W, rtol=1e-11)
        np.testing.assert_allclose(result.snapshots[k][1], H, rtol=1e-11)
        assert result.losses[k] == pytest.approx(divergence_transcription(V, W @ H), rel=1e-11)


@pytest.mark.parametrize("seed", range(30))
def test_divergence_never_increases(seed):
    """Lee & Seung (2001), Theorem 2, on random problems of random sizes, dense and sparse."""
    rng = np.random.default_rng(1000 + seed)
    m, n, r = rng.integers(1, 30), rng.integers(1, 30), rng.integers(1, 7)
    V = rng.random((m, n)) * (rng.random((m, n)) < rng.choice([1.0, 0.4])) * rng.choice([1e-3, 1.0, 50.0])
    V = sp.csr_matrix(V) if seed % 2 else V
    losses = kl.nmf_kl(V, int(r), iterations=60, seed=seed).losses
    assert np.all(np.diff(losses) <= 1e-12 * max(1.0, losses[0])), np.diff(losses).max()


def test_sparse_equals_dense_and_seeds():
    V, _, _ = problem(6, m=30, n=25, density=0.3)
    dense = kl.nmf_kl(V, 4, iterations=20, seed=1)
    sparse = kl.nmf_kl(sp.csr_matrix(V), 4, iterations=20, seed=1)
    np.testing.assert_allclose(sparse.W, dense.W, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(sparse.losses, dense.losses, rtol=1e-11)
    again = kl.nmf_kl(V, 4, iterations=20, seed=1)
    np.testing.assert_array_equal(again.W, dense.W)
    assert not np.array_equal(kl.nmf_kl(V, 4, iterations=20, seed=2).W0, dense.W0)


# --------------------------------------------------------------------------
# The auxiliary function of one column.
# --------------------------------------------------------------------------


def column_problem(seed, m=10, r=4):
    rng = np.random.default_rng(seed)
    v = rng.random(m) * (rng.random(m) < 0.8)
    return rng.random((m, r)) * (rng.random((m, r)) < 0.8), v, rng.random(r) + 0.01


@pytest.mark.parametrize("seed", range(5))
def test_G_equals_its_definition(seed):
    W, v, h_k = column_problem(seed)
    h = np.random.default_rng(seed).random(4) + 0.01
    assert kl.kl_auxiliary_G(W, v, h_k, h) == pytest.approx(G_transcription(W, v, h_k, h), rel=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_G_is_auxiliary(seed):
    """G(h | h_k) >= F(h) everywhere and G(h_k | h_k) = F(h_k)."""
    W, v, h_k = column_problem(seed)
    assert kl.kl_auxiliary_G(W, v, h_k, h_k) == pytest.approx(kl.kl_column_objective(W, v, h_k), rel=1e-12)
    rng = np.random.default_rng(seed)
    for _ in range(50):
        h = rng.random(4) * rng.choice([0.01, 1.0, 10.0])
        assert kl.kl_auxiliary_G(W, v, h_k, h) >= kl.kl_column_objective(W, v, h) - 1e-12


@pytest.mark.parametrize("seed", range(10))
def test_update_minimizes_G(seed):
    """The column update is where the gradient of G vanishes; G is larger at every other point tried."""
    W, v, h_k = column_problem(seed)
    W[:, 0] += 0.1  # no zero column: then h_a = 0 is never the minimizer
    h = kl.kl_column_update(W, v, h_k)
    G_min = kl.kl_auxiliary_G(W, v, h_k, h)
    rng = np.random.default_rng(seed)
    for _ in range(100):
        other = h * np.exp(rng.normal(scale=0.3, size=h.shape))
        assert kl.kl_auxiliary_G(W, v, h_k, other) >= G_min - 1e-12
    step = 1e-6
    for a in range(4):
        e = np.zeros(4)
        e[a] = step * h[a]
        slope = (kl.kl_auxiliary_G(W, v, h_k, h + e) - kl.kl_auxiliary_G(W, v, h_k, h - e)) / (2 * e[a])
        assert abs(slope) < 1e-6


@pytest.mark.parametrize("seed", range(10))
def test_lemma_chain(seed):
    """F(h_k) = G(h_k | h_k) >= G(h_(k+1) | h_k) >= F(h_(k+1))."""
    W, v, h_k = column_problem(seed)
    h_next = kl.kl_column_update(W, v, h_k)
    chain = [kl.kl_column_objective(W, v, h_k), kl.kl_auxiliary_G(W, v, h_k, h_k),
             kl.kl_auxiliary_G(W, v, h_k, h_next), kl.kl_column_objective(W, v, h_next)]
    assert chain[0] == pytest.approx(chain[1], rel=1e-12)
    assert chain[1] >= chain[2] - 1e-12 and chain[2] >= chain[3] - 1e-12


def test_column_update_is_the_update_of_H():
    V, W, H = problem(7)
    full = kl.kl_update_H(V, W, H)
    for j in range(V.shape[1]):
        np.testing.assert_allclose(kl.kl_column_update(W, V[:, j], H[:, j]), full[:, j], rtol=1e-12)


# --------------------------------------------------------------------------
# Bad input.
# --------------------------------------------------------------------------


def test_bad_input_is_refused():
    V, W, H = problem(8)
    with pytest.raises(ValueError, match="negative"):
        kl.kl_divergence(-V, W, H)
    with pytest.raises(ValueError, match="negative"):
        kl.kl_update_H(V, -W, H)
    with pytest.raises(ValueError, match="inner sizes"):
        kl.kl_update_W(V, W, H[:2])
    with pytest.raises(ValueError, match="rank"):
        kl.nmf_kl(V, 0)
    with pytest.raises(ValueError, match="init"):
        kl.nmf_kl(V, 2, init="svd")
    with pytest.raises(ValueError, match="tol"):
        kl.nmf_kl(V, 2, tol=-1)
    Wc, v, h_k = column_problem(9)
    with pytest.raises(ValueError, match="positive"):
        kl.kl_auxiliary_G(Wc, v, np.zeros(4), h_k)
    with pytest.raises(ValueError, match="length"):
        kl.kl_column_objective(Wc, v[:3], h_k)
    with pytest.raises(ValueError, match="negative"):
        kl.kl_column_update(Wc, -v, h_k)
