"""nmf_teach.solvers: HALS, accelerated HALS and MU, projected gradient, ε-MU, masked MU, the KKT measure.

Each solver is checked against a plain transcription of its published
formulas (written out below, loop by loop), for monotone decrease where the
theory promises it, for refusing bad input, for sparse == dense and for
reproducible seeds.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from nmf_teach import nmf, objective, solvers
from nmf_teach.loss import gradient_H, gradient_W, squared_norm

SOLVERS = ["hals", "accelerated_hals", "accelerated_mu", "epsilon_mu", "projected_gradient"]


def problem(seed, m=30, n=20, r=4, density=1.0):
    rng = np.random.default_rng(seed)
    V = rng.random((m, n)) * (rng.random((m, n)) < density)
    return V, rng.random((m, r)) + 0.05, rng.random((r, n)) + 0.05


def half_squared(V, W, H):
    return 0.5 * np.sum((V - W @ H) ** 2)


# --------------------------------------------------------------------------
# Plain transcriptions of the published algorithms.
# --------------------------------------------------------------------------


def hals_transcription(V, W, H, iterations):
    """Cichocki & Phan (2009), Algorithm 1 (HALS), with the max(0, .) projection, columns in order."""
    W, H = W.copy(), H.copy()
    r = W.shape[1]
    for _ in range(iterations):
        A, B = V @ H.T, H @ H.T
        for k in range(r):
            W[:, k] = np.maximum(0, W[:, k] + (A[:, k] - W @ B[:, k]) / B[k, k])
        C, D = W.T @ V, W.T @ W
        for k in range(r):
            H[k, :] = np.maximum(0, H[k, :] + (C[k, :] - D[k, :] @ H) / D[k, k])
    return W, H


def accelerated_transcription(V, W, H, iterations, update, alpha, delta):
    """Gillis & Glineur (2012), Algorithm 2: repeat the update of W (then of H) while it pays.

    At most floor(1 + alpha rho) times, rho_W = 1 + (mn + nr)/(m(r + 1)); stop once
    ||X_(l+1) - X_l|| <= delta ||X_1 - X_0|| (HALS) or < (MU).
    """
    W, H = W.copy(), H.copy()
    m, n = V.shape
    r = W.shape[1]
    K = np.count_nonzero(V) if sp.issparse(V) else m * n
    rho_W, rho_H = 1 + (K + n * r) / (m * (r + 1)), 1 + (K + m * r) / (n * (r + 1))
    for _ in range(iterations):
        A, B = np.asarray(V @ H.T), H @ H.T
        W = update(W, A, B, int(np.floor(1 + alpha * rho_W)), delta)
        C, D = np.asarray(V.T @ W).T, W.T @ W
        H = update(H.T, C.T, D, int(np.floor(1 + alpha * rho_H)), delta).T
    return W, H


def hals_inner(X, A, B, limit, delta):
    """Repeated HALS sweeps on X (p x r) for min ||M - X Y||: A = M Y^T, B = Y Y^T."""
    X = X.copy()
    for j in range(limit):
        X0 = X.copy()
        for k in range(X.shape[1]):
            X[:, k] = np.maximum(0, X[:, k] + (A[:, k] - X @ B[:, k]) / B[k, k])
        change = np.linalg.norm(X - X0)
        if j == 0:
            first = change
        elif change <= delta * first:
            break
    return X


def mu_inner(X, A, B, limit, delta):
    """Repeated Lee-Seung updates X <- X * A / (X B)."""
    for j in range(limit):
        X0 = X
        X = X * A / (X @ B)
        change = np.linalg.norm(X - X0)
        if j == 0:
            first = change
        elif change < delta * first:
            break
    return X


def lin_nlssubprob(V, W, H, tol, maxiter):
    """Lin (2007), the MATLAB function nlssubprob, line by line: min_{H >= 0} ||V - WH||."""
    WtV, WtW = W.T @ V, W.T @ W
    alpha, beta = 1.0, 0.1
    it = 0
    while it < maxiter:
        it += 1
        grad = WtW @ H - WtV
        projgrad = np.linalg.norm(grad[(grad < 0) | (H > 0)])
        if projgrad < tol:
            break
        for inner_iter in range(1, 21):
            Hn = np.maximum(H - alpha * grad, 0)
            d = Hn - H
            gradd = np.sum(grad * d)
            dQd = np.sum((WtW @ d) * d)
            suff_decr = 0.99 * gradd + 0.5 * dQd < 0
            if inner_iter == 1:
                decr_alpha = not suff_decr
                Hp = H
            if decr_alpha:
                if suff_decr:
                    H = Hn
                    break
                alpha = alpha * beta
            else:
                if not suff_decr or np.array_equal(Hp, Hn):
                    H = Hp
                    break
                alpha = alpha / beta
                Hp = Hn
    return H, it


def lin_transcription(V, W, H, iterations, maxiter=1000):
    """Lin (2007), the MATLAB function nmf (alternating), with the outer stopping test left out."""
    gradW = W @ (H @ H.T) - V @ H.T
    gradH = (W.T @ W) @ H - W.T @ V
    initgrad = np.sqrt(np.sum(gradW**2) + np.sum(gradH**2))
    tolW = tolH = 0.001 * initgrad
    for _ in range(iterations):
        Wt, iterW = lin_nlssubprob(V.T, H.T, W.T, tolW, maxiter)
        W = Wt.T
        if iterW == 1:
            tolW = 0.1 * tolW
        H, iterH = lin_nlssubprob(V, W, H, tolH, maxiter)
        if iterH == 1:
            tolH = 0.1 * tolH
    return W, H


# --------------------------------------------------------------------------
# Agreement with the transcriptions.
# --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hals_equals_cichocki_phan(seed):
    V, W0, H0 = problem(seed)
    result = solvers.hals(V, 4, init=(W0, H0), iterations=15)
    W, H = hals_transcription(V, W0, H0, 15)
    np.testing.assert_allclose(result.W, W, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(result.H, H, rtol=1e-9, atol=1e-12)
    assert result.losses[-1] == pytest.approx(half_squared(V, W, H), rel=1e-10)


def test_hals_equals_scikit_learn_cd():
    """scikit-learn's solver='cd' is the same algorithm (Cichocki & Phan cited in its docstring)."""
    from sklearn.decomposition import non_negative_factorization

    V, W0, H0 = problem(3, m=25, n=18, r=3)
    W, H, _ = non_negative_factorization(V, W=W0.copy(), H=H0.copy(), n_components=3, init="custom",
                                         solver="cd", tol=0, max_iter=12)
    result = solvers.hals(V, 3, init=(W0, H0), iterations=12)
    np.testing.assert_allclose(result.W, W, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(result.H, H, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_accelerated_hals_equals_gillis_glineur(seed):
    V, W0, H0 = problem(seed, m=40, n=25, r=3)
    result = solvers.accelerated_hals(V, 3, init=(W0, H0), iterations=8)
    W, H = accelerated_transcription(V, W0, H0, 8, hals_inner, alpha=0.5, delta=0.1)
    np.testing.assert_allclose(result.W, W, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(result.H, H, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_accelerated_mu_equals_gillis_glineur(seed):
    V, W0, H0 = problem(seed, m=40, n=25, r=3)
    result = solvers.accelerated_mu(V, 3, init=(W0, H0), iterations=8)
    W, H = accelerated_transcription(V, W0, H0, 8, mu_inner, alpha=2.0, delta=0.1)
    np.testing.assert_allclose(result.W, W, rtol=1e-9)
    np.testing.assert_allclose(result.H, H, rtol=1e-9)


def test_accelerated_with_alpha_zero_is_plain():
    """alpha = 0 means one inner pass: plain HALS and plain MU."""
    V, W0, H0 = problem(4)
    np.testing.assert_allclose(solvers.accelerated_hals(V, 4, init=(W0, H0), iterations=10, alpha=0).W,
                               solvers.hals(V, 4, init=(W0, H0), iterations=10).W, rtol=1e-12)
    np.testing.assert_allclose(solvers.accelerated_mu(V, 4, init=(W0, H0), iterations=10, alpha=0).H,
                               nmf(V, 4, init=(W0, H0), iterations=10).H, rtol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_projected_gradient_equals_lins_code(seed):
    V, W0, H0 = problem(seed, m=20, n=15, r=3)
    result = solvers.projected_gradient(V, 3, init=(W0, H0), iterations=6)
    W, H = lin_transcription(V, W0, H0, 6)
    np.testing.assert_allclose(result.W, W, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(result.H, H, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("epsilon", [1e-16, 1e-3, 0.05])
def test_epsilon_mu_equals_the_formula(epsilon):
    V, W, H = problem(5)
    W, H = np.maximum(W, epsilon), np.maximum(H, epsilon)
    result = solvers.epsilon_mu(V, 4, init=(W, H), iterations=10, epsilon=epsilon)
    for _ in range(10):
        W = np.maximum(epsilon, W * (V @ H.T) / (W @ H @ H.T))
        H = np.maximum(epsilon, H * (W.T @ V) / (W.T @ W @ H))
    np.testing.assert_allclose(result.W, W, rtol=1e-10)
    np.testing.assert_allclose(result.H, H, rtol=1e-10)
    assert result.W.min() >= epsilon and result.H.min() >= epsilon


def test_epsilon_mu_lifts_zeros_the_plain_update_keeps():
    V, W0, H0 = problem(6)
    W0[0, 0] = 0.0
    plain = nmf(V, 4, init=(W0, H0), iterations=50)
    lifted = solvers.epsilon_mu(V, 4, init=(W0, H0), iterations=50, epsilon=1e-8)
    assert plain.W[0, 0] == 0.0
    assert lifted.W0[0, 0] == 1e-8 and lifted.W[0, 0] >= 1e-8


def test_masked_mu_equals_the_weighted_formula():
    V, W, H = problem(7)
    M = np.random.default_rng(7).random(V.shape) < 0.7
    result = solvers.masked_mu(V, M, 4, init=(W, H), iterations=10)
    for _ in range(10):
        W = W * ((M * V) @ H.T) / ((M * (W @ H)) @ H.T)
        H = H * (W.T @ (M * V)) / (W.T @ (M * (W @ H)))
    np.testing.assert_allclose(result.W, W, rtol=1e-10)
    np.testing.assert_allclose(result.H, H, rtol=1e-10)
    assert result.losses[-1] == pytest.approx(0.5 * np.sum((M * (V - W @ H)) ** 2), rel=1e-10)


def test_masked_mu_with_everything_observed_is_plain_mu():
    V, W0, H0 = problem(8)
    result = solvers.masked_mu(V, np.ones(V.shape, bool), 4, init=(W0, H0), iterations=20)
    np.testing.assert_allclose(result.W, nmf(V, 4, init=(W0, H0), iterations=20).W, rtol=1e-10)


def test_masked_mu_never_reads_unobserved_entries():
    V, W0, H0 = problem(9)
    M = np.random.default_rng(9).random(V.shape) < 0.6
    other = np.where(M, V, 1e6)
    a = solvers.masked_mu(V, M, 4, init=(W0, H0), iterations=10)
    b = solvers.masked_mu(other, M, 4, init=(W0, H0), iterations=10)
    np.testing.assert_array_equal(a.W, b.W)


# --------------------------------------------------------------------------
# Monotone decrease, and the recorded losses are the objective.
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", SOLVERS)
@pytest.mark.parametrize("seed", range(6))
def test_loss_never_increases(name, seed):
    rng = np.random.default_rng(100 + seed)
    m, n, r = rng.integers(2, 40), rng.integers(2, 40), rng.integers(1, 8)
    density = [1.0, 0.3][seed % 2]
    V = rng.random((m, n)) * (rng.random((m, n)) < density) * rng.choice([1e-3, 1.0, 1e3])
    V = sp.csr_matrix(V) if seed % 3 == 0 else V
    result = getattr(solvers, name)(V, int(r), iterations=60, seed=seed)
    rounding = 1e-12 * squared_norm(V)
    assert np.all(np.diff(result.losses) <= rounding), np.diff(result.losses).max()


def test_masked_loss_never_increases():
    for seed in range(10):
        rng = np.random.default_rng(seed)
        V = rng.random((25, 15))
        M = rng.random(V.shape) < 0.5
        losses = solvers.masked_mu(V, M, 3, iterations=80, seed=seed).losses
        assert np.all(np.diff(losses) <= 1e-12 * np.sum(V**2))


@pytest.mark.parametrize("name", SOLVERS)
def test_recorded_losses_are_the_objective(name):
    V, _, _ = problem(11, density=0.5)
    result = getattr(solvers, name)(V, 4, iterations=7, seed=3, keep_every=1)
    for k, (W, H) in result.snapshots.items():
        assert result.losses[k] == pytest.approx(objective(V, W, H), rel=1e-9, abs=1e-12)
    assert result.iterations == 7 and len(result.losses) == 8
    assert result.W.min() >= 0 and result.H.min() >= 0


def test_faster_than_mu_per_iteration():
    """HALS and the accelerated methods reach a lower loss than MU in the same number of iterations."""
    V, W0, H0 = problem(12, m=60, n=50, r=6)
    mu = nmf(V, 6, init=(W0, H0), iterations=30).losses[-1]
    for name in ["hals", "accelerated_hals", "accelerated_mu", "projected_gradient"]:
        assert getattr(solvers, name)(V, 6, init=(W0, H0), iterations=30).losses[-1] < mu, name


# --------------------------------------------------------------------------
# Sparse == dense, seeds, stopping rules.
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", SOLVERS)
def test_sparse_equals_dense(name):
    V, W0, H0 = problem(13, density=0.4)
    if name.startswith("accelerated"):
        V = V + 0.01  # the inner-iteration cap counts stored entries: keep them all
    dense = getattr(solvers, name)(V, 4, init=(W0, H0), iterations=12)
    sparse = getattr(solvers, name)(sp.csr_matrix(V), 4, init=(W0, H0), iterations=12)
    np.testing.assert_allclose(sparse.W, dense.W, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(sparse.losses, dense.losses, rtol=1e-10)


@pytest.mark.parametrize("name", SOLVERS)
def test_same_seed_same_result(name):
    V, _, _ = problem(14)
    a = getattr(solvers, name)(V, 3, iterations=5, seed=42)
    b = getattr(solvers, name)(V, 3, iterations=5, seed=42)
    c = getattr(solvers, name)(V, 3, iterations=5, seed=43)
    np.testing.assert_array_equal(a.W, b.W)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert not np.array_equal(a.W0, c.W0)
    assert a.seed == 42 and a.init == "random" and a.rank == 3


@pytest.mark.parametrize("init", ["nndsvd", "nndsvda"])
def test_svd_starts(init):
    V, _, _ = problem(15)
    result = solvers.hals(V, 4, init=init, iterations=3)
    assert result.init == init and result.losses[1] <= result.losses[0]


def test_tol_callback_and_snapshots():
    V, _, _ = problem(16)
    stopped = solvers.hals(V, 3, iterations=10_000, seed=0, tol=1e-6)
    assert stopped.converged and stopped.iterations < 10_000
    seen = []
    called = solvers.accelerated_mu(V, 3, iterations=50, seed=0, callback=lambda k, W, H, f: seen.append(f) or k == 4)
    assert called.iterations == 4 and seen == list(called.losses[1:])
    kept = solvers.projected_gradient(V, 3, iterations=7, seed=0, keep_every=3)
    assert sorted(kept.snapshots) == [0, 3, 6, 7]


def test_input_not_modified_and_float32_kept():
    V, W0, H0 = problem(17)
    copies = V.copy(), W0.copy(), H0.copy()
    solvers.hals(V, 4, init=(W0, H0), iterations=3)
    solvers.epsilon_mu(V, 4, init=(W0, H0), iterations=3)
    for a, b in zip((V, W0, H0), copies, strict=True):
        np.testing.assert_array_equal(a, b)
    result = solvers.hals(V.astype(np.float32), 4, iterations=3, seed=0)
    assert result.W.dtype == np.float32 and result.H.dtype == np.float32


# --------------------------------------------------------------------------
# Bad input is refused with the package's messages.
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", SOLVERS + ["masked_mu"])
@pytest.mark.parametrize("bad, match", [
    (dict(V=-np.ones((3, 3))), "negative"),
    (dict(V=np.full((3, 3), np.nan)), "NaN"),
    (dict(rank=0), "rank"),
    (dict(rank=2.5), "rank"),
    (dict(iterations=-1), "iterations"),
    (dict(init="svd"), "init"),
    (dict(init=(np.ones((3, 3)), np.ones((2, 3)))), "W0"),
    (dict(tol=-1.0), "tol"),
    (dict(callback=3), "callback"),
])
def test_bad_input_is_refused(name, bad, match):
    args = dict(V=np.ones((4, 3)), rank=2, iterations=2, init="random", tol=0.0, callback=None)
    args.update(bad)
    V, rank = args.pop("V"), args.pop("rank")
    function = getattr(solvers, name)
    with pytest.raises(ValueError, match=match):
        if name == "masked_mu":
            function(V, np.ones(np.shape(V), bool), rank, **args)
        else:
            function(V, rank, **args)


def test_bad_solver_parameters_are_refused():
    V = np.ones((4, 3))
    with pytest.raises(ValueError, match="epsilon"):
        solvers.epsilon_mu(V, 2, epsilon=0)
    with pytest.raises(ValueError, match="alpha"):
        solvers.accelerated_hals(V, 2, alpha=-1)
    with pytest.raises(ValueError, match="delta"):
        solvers.accelerated_mu(V, 2, delta=np.nan)
    with pytest.raises(ValueError, match="max_inner"):
        solvers.projected_gradient(V, 2, max_inner=0)
    with pytest.raises(ValueError, match="mask"):
        solvers.masked_mu(V, np.ones((3, 3), bool), 2)
    with pytest.raises(ValueError, match="mask"):
        solvers.masked_mu(V, np.full((4, 3), 0.5), 2)


# --------------------------------------------------------------------------
# The KKT measure.
# --------------------------------------------------------------------------


def kkt_transcription(V, W, H):
    """sqrt(||min(W, grad_W f)||^2 + ||min(H, grad_H f)||^2) after balancing column/row norms."""
    d = np.sqrt(np.linalg.norm(H, axis=1) / np.linalg.norm(W, axis=0))
    W, H = W * d, H / d[:, None]
    GW, GH = (W @ H - V) @ H.T, W.T @ (W @ H - V)
    return np.sqrt(np.sum(np.minimum(W, GW) ** 2) + np.sum(np.minimum(H, GH) ** 2))


def test_kkt_violation_equals_its_definition():
    V, W, H = problem(18)
    assert solvers.kkt_violation(V, W, H) == pytest.approx(kkt_transcription(V, W, H), rel=1e-12)


def test_kkt_violation_is_zero_at_an_exact_factorization_and_scale_free():
    _, W, H = problem(19)
    V = W @ H
    assert solvers.kkt_violation(V, W, H) < 1e-12
    V2, W2, H2 = problem(20)
    D = np.diag([0.1, 1.0, 7.0, 300.0])
    assert solvers.kkt_violation(V2, W2 @ D, np.linalg.inv(D) @ H2) == pytest.approx(
        solvers.kkt_violation(V2, W2, H2), rel=1e-9)


def test_kkt_violation_sees_a_locked_zero():
    """A zero entry with a negative partial derivative violates the KKT conditions by |that derivative|."""
    V, W, H = problem(21)
    result = solvers.hals(V, 4, init=(W, H), iterations=10_000)
    converged = solvers.kkt_violation(V, result.W, result.H)
    W, H = result.W.copy(), result.H.copy()
    i, j = np.unravel_index(np.argmax(W), W.shape)
    W[i, j] = 0.0
    assert gradient_W(V, W, H)[i, j] < 0
    assert solvers.kkt_violation(V, W, H) > 100 * converged
    assert converged < 1e-10 * np.sqrt(squared_norm(V))
    assert np.abs(gradient_H(V, result.W, result.H) * result.H).max() < 1e-6


def test_kkt_violation_of_the_epsilon_problem():
    """epsilon_mu converges to a KKT point of min f over W, H >= eps: the measure with lower=eps goes to 0."""
    V, W0, H0 = problem(22, m=15, n=12, r=2)
    W0[:, 0] = 0.0
    result = solvers.epsilon_mu(V, 2, init=(W0, H0), iterations=5000, epsilon=1e-3)
    start = solvers.kkt_violation(V, result.W0, result.H0, lower=1e-3)
    assert solvers.kkt_violation(V, result.W, result.H, lower=1e-3) < 1e-5 * start
    W, H = result.W, result.H
    by_hand = np.sqrt(np.sum(np.minimum(W - 1e-3, gradient_W(V, W, H)) ** 2)
                      + np.sum(np.minimum(H - 1e-3, gradient_H(V, W, H)) ** 2))
    assert solvers.kkt_violation(V, W, H, lower=1e-3) == pytest.approx(by_hand, rel=1e-12)
    with pytest.raises(ValueError, match="lower"):
        solvers.kkt_violation(V, W, H, lower=-1)
