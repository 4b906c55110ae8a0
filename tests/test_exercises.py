"""nmf_teach.exercises: right functions pass, catalogued mistakes are named, malformed ones get a sentence.

Every function below is written the way a student would write it, by hand,
never by calling the catalogue.
"""

import re

import numpy as np
import pytest

from nmf_teach import exercises as ex

# ---------------------------------------------------------------------------
# Objective, chapter 05
# ---------------------------------------------------------------------------


def objective_direct(V, W, H):
    return 0.5 * np.linalg.norm(V - W @ H, "fro") ** 2


def objective_trace(V, W, H):
    return 0.5 * (np.sum(V**2) - 2 * np.trace(H.T @ W.T @ V) + np.trace(H.T @ W.T @ W @ H))


def objective_cheap(V, W, H):
    return 0.5 * (np.sum(V * V) - 2 * np.sum((W.T @ V) * H) + np.sum((W.T @ W) * (H @ H.T)))


def objective_loop(V, W, H):
    total = 0.0
    for i in range(V.shape[0]):
        for j in range(V.shape[1]):
            total += (V[i, j] - sum(W[i, a] * H[a, j] for a in range(W.shape[1]))) ** 2
    return total / 2


def objective_float32(V, W, H):
    V, W, H = (X.astype(np.float32) for X in (V, W, H))
    return np.float32(0.5) * np.sum((V - W @ H) ** 2)


def objective_no_half(V, W, H):
    return np.sum((V - W @ H) ** 2)


def objective_slide10(V, W, H):
    return np.sum(V**2) - np.trace(V.T @ W @ H) + 0.5 * np.trace(H.T @ W.T @ W @ H)


def objective_cross_once(V, W, H):
    return 0.5 * (np.sum(V**2) - np.trace(V.T @ W @ H) + np.trace(H.T @ W.T @ W @ H))


def objective_not_squared(V, W, H):
    return 0.5 * np.linalg.norm(V - W @ H)


def objective_slide9(V, W, H):
    return 0.5 * (np.sum(V**2) - 2 * np.trace(W.T @ H.T @ V) + np.trace(H.T @ W.T @ W @ H))


# ---------------------------------------------------------------------------
# Gradients, chapter 05
# ---------------------------------------------------------------------------


def grad_W_cheap(V, W, H):
    return W @ (H @ H.T) - V @ H.T


def grad_W_einsum(V, W, H):
    R = np.einsum("ia,aj->ij", W, H) - V
    return np.einsum("ij,aj->ia", R, H)


def grad_W_float32(V, W, H):
    V, W, H = (X.astype(np.float32) for X in (V, W, H))
    return (W @ H - V) @ H.T


def grad_W_loop(V, W, H):
    G = np.zeros(W.shape)
    R = W @ H - V
    for i in range(W.shape[0]):
        for a in range(W.shape[1]):
            G[i, a] = sum(R[i, j] * H[a, j] for j in range(V.shape[1]))
    return G


def grad_H_cheap(V, W, H):
    return (W.T @ W) @ H - W.T @ V


def grad_H_einsum(V, W, H):
    return np.einsum("ia,ij->aj", W, W @ H - V)


def grad_H_float32(V, W, H):
    V, W, H = (X.astype(np.float32) for X in (V, W, H))
    return W.T @ (W @ H - V)


def grad_H_transposed_problem(V, W, H):
    return ((H.T @ W.T - V.T) @ W).T     # the W gradient of Vᵀ ≈ HᵀWᵀ, transposed


# ---------------------------------------------------------------------------
# Step sizes and updates, chapter 06
# ---------------------------------------------------------------------------


def mu_H_as_gradient_step(V, W, H):
    alpha = H / (W.T @ W @ H)
    return H - alpha * (W.T @ W @ H - W.T @ V)


def mu_H_einsum(V, W, H):
    num = np.einsum("ia,ij->aj", W, V)
    den = np.einsum("ia,ib,bj->aj", W, W, H)
    return H * num / den


def mu_H_float32(V, W, H):
    V, W, H = (X.astype(np.float32) for X in (V, W, H))
    return H * (W.T @ V) / ((W.T @ W) @ H)


def mu_H_loop(V, W, H):
    out = np.empty_like(H)
    WtW, WtV = W.T @ W, W.T @ V
    for a in range(H.shape[0]):
        for j in range(H.shape[1]):
            out[a, j] = H[a, j] * WtV[a, j] / (WtW[a] @ H[:, j])
    return out


def mu_W_cheap(V, W, H):
    return W * (V @ H.T) / (W @ (H @ H.T))


def mu_W_as_gradient_step(V, W, H):
    WHHt = W @ H @ H.T
    return W - W / WHHt * (WHHt - V @ H.T)


def mu_W_via_transpose(V, W, H):
    Wt = W.T * (H @ V.T) / (H @ H.T @ W.T)   # the H update of Vᵀ ≈ HᵀWᵀ
    return Wt.T


def mu_W_float32(V, W, H):
    V, W, H = (X.astype(np.float32) for X in (V, W, H))
    return W * (V @ H.T) / (W @ (H @ H.T))


def iteration_plain(V, W, H):
    W = W * (V @ H.T) / (W @ H @ H.T)
    H = H * (W.T @ V) / (W.T @ W @ H)
    return W, H


def iteration_package(V, W, H):
    import nmf_teach as nt
    W_new = nt.update_W(V, W, H)
    return W_new, nt.update_H(V, W_new, H)


def iteration_gradient_steps(V, W, H):
    W_new = W - W / (W @ H @ H.T) * ((W @ H - V) @ H.T)
    H_new = H - H / (W_new.T @ W_new @ H) * (W_new.T @ (W_new @ H - V))
    return W_new, H_new


def iteration_H_first(V, W, H):
    H = H * (W.T @ V) / (W.T @ W @ H)
    W = W * (V @ H.T) / (W @ H @ H.T)
    return W, H


def iteration_float32(V, W, H):
    V, W, H = (X.astype(np.float32) for X in (V, W, H))
    return iteration_plain(V, W, H)


# ---------------------------------------------------------------------------
# Chapter 03 and 04
# ---------------------------------------------------------------------------


def projected_step(V, W, H, alpha):
    return np.maximum(0, H - alpha * (W.T @ (W @ H - V)))


def projected_step_clip(V, W, H, alpha):
    return np.clip(H - alpha * ((W.T @ W) @ H - W.T @ V), 0, None)


def projected_step_where(V, W, H, alpha):
    step = H - alpha * np.einsum("ia,ij->aj", W, W @ H - V)
    return np.where(step > 0, step, 0.0)


def projected_step_float32(V, W, H, alpha):
    V, W, H = (X.astype(np.float32) for X in (V, W, H))
    return np.maximum(np.float32(0), H - np.float32(alpha) * (W.T @ (W @ H - V)))


def tr_grad(A, X):
    return (A + A.T) @ X


def tr_grad_two_terms(A, X):
    return A @ X + A.T @ X


def tr_grad_einsum(A, X):
    return np.einsum("ik,kj->ij", A, X) + np.einsum("ki,kj->ij", A, X)


def tr_grad_float32(A, X):
    A, X = A.astype(np.float32), X.astype(np.float32)
    return (A + A.T) @ X


# ---------------------------------------------------------------------------
# Chapter 07: K, G, the argmin of G
# ---------------------------------------------------------------------------


def K_plain(W, h_k):
    return np.diag(W.T @ W @ h_k / h_k)


def K_products(W, h_k):
    return np.diag(W.T @ W @ h_k) @ np.linalg.inv(np.diag(h_k))   # D_x⁻¹ D_y, slide 21


def K_loop(W, h_k):
    r = len(h_k)
    K = np.zeros((r, r))
    WtW = W.T @ W
    for a in range(r):
        K[a, a] = sum(WtW[a, b] * h_k[b] for b in range(r)) / h_k[a]
    return K


def K_float32(W, h_k):
    W, h_k = W.astype(np.float32), h_k.astype(np.float32)
    return np.diag((W.T @ (W @ h_k)) / h_k)


def G_plain(W, v, h_k, h):
    f_k = 0.5 * np.sum((W @ h_k - v) ** 2)
    grad = W.T @ W @ h_k - W.T @ v
    K = np.diag(W.T @ W @ h_k / h_k)
    d = h - h_k
    return f_k + grad @ d + 0.5 * d @ K @ d


def G_via_F(W, v, h_k, h):
    """G = F(h) + ½ dᵀ(K − WᵀW)d, chapter 07."""
    d = h - h_k
    K = np.diag(W.T @ W @ h_k / h_k)
    return 0.5 * np.sum((W @ h - v) ** 2) + 0.5 * d @ (K - W.T @ W) @ d


def G_einsum(W, v, h_k, h):
    d = h - h_k
    r_k = W @ h_k - v
    k = np.einsum("ia,ib,b->a", W, W, h_k) / h_k
    return 0.5 * r_k @ r_k + np.einsum("ia,i,a->", W, r_k, d) + 0.5 * np.sum(k * d * d)


def G_float32(W, v, h_k, h):
    W, v, h_k, h = (x.astype(np.float32) for x in (W, v, h_k, h))
    return np.float32(G_plain(W, v, h_k, h))  # numpy 1 would promote the result to float64


def argmin_mu(W, v, h_k):
    return h_k * (W.T @ v) / (W.T @ W @ h_k)


def argmin_newton_form(W, v, h_k):
    K = np.diag(W.T @ W @ h_k / h_k)
    return h_k - np.linalg.solve(K, W.T @ W @ h_k - W.T @ v)


def argmin_diag_inverse(W, v, h_k):
    K_inv = h_k / (W.T @ (W @ h_k))
    return h_k - K_inv * (W.T @ (W @ h_k) - W.T @ v)


def argmin_float32(W, v, h_k):
    W, v, h_k = W.astype(np.float32), v.astype(np.float32), h_k.astype(np.float32)
    return h_k * (W.T @ v) / (W.T @ (W @ h_k))


# ---------------------------------------------------------------------------
# Chapter 10: KL
# ---------------------------------------------------------------------------


def kl_H_plain(V, W, H):
    return H * (W.T @ (V / (W @ H))) / W.sum(axis=0)[:, None]


def kl_H_ones(V, W, H):
    ones = np.ones_like(V)
    return H * (W.T @ (V / (W @ H))) / (W.T @ ones)


def kl_H_loop(V, W, H):
    WH = W @ H
    out = np.empty_like(H)
    for a in range(H.shape[0]):
        for mu in range(H.shape[1]):
            out[a, mu] = H[a, mu] * sum(W[i, a] * V[i, mu] / WH[i, mu] for i in range(V.shape[0])) \
                / sum(W[k, a] for k in range(W.shape[0]))
    return out


def kl_H_float32(V, W, H):
    V, W, H = (X.astype(np.float32) for X in (V, W, H))
    return kl_H_plain(V, W, H)


def kl_W_plain(V, W, H):
    return W * ((V / (W @ H)) @ H.T) / H.sum(axis=1)


def kl_W_einsum(V, W, H):
    R = V / np.einsum("ia,aj->ij", W, H)
    return W * np.einsum("ij,aj->ia", R, H) / np.einsum("aj->a", H)[None, :]


def kl_W_via_transpose(V, W, H):
    return kl_H_plain(V.T, H.T, W.T).T


def kl_W_float32(V, W, H):
    V, W, H = (X.astype(np.float32) for X in (V, W, H))
    return kl_W_plain(V, W, H)


# For each checker: the correct rewrites (each must pass) and the mistakes, by hand, with the
# catalogue key each must be named by.
CASES = {
    ex.check_objective: (
        [objective_direct, objective_trace, objective_cheap, objective_loop, objective_float32],
        {
            "missing-half": objective_no_half,
            "V2-not-halved": objective_slide10,
            "cross-term-factor": objective_cross_once,
            "not-squared": objective_not_squared,
            "slide9-cross-term": objective_slide9,
            "no-square-entries": lambda V, W, H: 0.5 * np.sum(V - W @ H),
        },
    ),
    ex.check_gradient_W: (
        [lambda V, W, H: (W @ H - V) @ H.T, grad_W_cheap, grad_W_einsum, grad_W_loop, grad_W_float32],
        {
            "sign": lambda V, W, H: (V - W @ H) @ H.T,
            "factor-2": lambda V, W, H: 2 * (W @ H - V) @ H.T,
            "half": lambda V, W, H: 0.5 * (W @ H - V) @ H.T,
            "missing-transpose": lambda V, W, H: (W @ H - V) @ H,
            "other-gradient": lambda V, W, H: W.T @ (W @ H - V),
            "no-V": lambda V, W, H: W @ H @ H.T,
        },
    ),
    ex.check_gradient_H: (
        [lambda V, W, H: W.T @ (W @ H - V), grad_H_cheap, grad_H_einsum, grad_H_transposed_problem,
         grad_H_float32],
        {
            "sign": lambda V, W, H: W.T @ (V - W @ H),
            "factor-2": lambda V, W, H: 2 * W.T @ (W @ H - V),
            "half": lambda V, W, H: W.T @ (W @ H - V) / 2,
            "missing-transpose": lambda V, W, H: W @ (W @ H - V),
            "other-gradient": lambda V, W, H: (W @ H - V) @ H.T,
            "no-V": lambda V, W, H: W.T @ W @ H,
        },
    ),
    ex.check_step_size_W: (
        [lambda V, W, H: W / (W @ H @ H.T), lambda V, W, H: W / (W @ (H @ H.T)),
         lambda V, W, H: np.einsum("ia,ia->ia", W, 1 / np.einsum("ib,bj,aj->ia", W, H, H)),
         lambda V, W, H: W.astype(np.float32) / (W.astype(np.float32) @ (H @ H.T).astype(np.float32))],
        {
            "inverted": lambda V, W, H: (W @ H @ H.T) / W,
            "no-W": lambda V, W, H: 1 / (W @ H @ H.T),
            "VHt": lambda V, W, H: W / (V @ H.T),
            "missing-transpose": lambda V, W, H: W / (W @ H @ H),
            "matrix-product": lambda V, W, H: W @ (1 / (W @ H @ H.T)),
        },
    ),
    ex.check_step_size_H: (
        [lambda V, W, H: H / (W.T @ W @ H), lambda V, W, H: H / (W.T @ (W @ H)),
         lambda V, W, H: (H / np.einsum("ia,ib,bj->aj", W, W, H)),
         lambda V, W, H: H.astype(np.float32) / (W.T @ W @ H).astype(np.float32)],
        {
            "inverted": lambda V, W, H: W.T @ W @ H / H,
            "no-H": lambda V, W, H: 1 / (W.T @ W @ H),
            "WtV": lambda V, W, H: H / (W.T @ V),
            "missing-transpose": lambda V, W, H: H / (W @ W @ H),
            "matrix-product": lambda V, W, H: H @ (1 / (W.T @ W @ H)),
        },
    ),
    ex.check_update_W: (
        [mu_W_cheap, mu_W_as_gradient_step, mu_W_via_transpose, mu_W_float32],
        {
            "minus-VHt-sign": lambda V, W, H: W - W / (W @ H @ H.T) * (W @ H @ H.T + V @ H.T),
            "swapped": lambda V, W, H: W * (W @ H @ H.T) / (V @ H.T),
            "no-W": lambda V, W, H: (V @ H.T) / (W @ H @ H.T),
            "missing-transpose": lambda V, W, H: W * (V @ H) / (W @ H @ H),
            "matrix-product": lambda V, W, H: W @ ((V @ H.T) / (W @ H @ H.T)),
            "H-update": lambda V, W, H: H * (W.T @ V) / (W.T @ W @ H),
        },
    ),
    ex.check_update_H: (
        [lambda V, W, H: H * (W.T @ V) / (W.T @ W @ H), mu_H_as_gradient_step, mu_H_einsum, mu_H_loop,
         mu_H_float32],
        {
            "plus-Wtv": lambda V, W, H: H - H / (W.T @ W @ H) * (W.T @ W @ H + W.T @ V),
            "swapped": lambda V, W, H: H * (W.T @ W @ H) / (W.T @ V),
            "no-H": lambda V, W, H: (W.T @ V) / (W.T @ W @ H),
            "missing-transpose": lambda V, W, H: H * (W @ V) / (W @ W @ H),
            "ascent": lambda V, W, H: H + H / (W.T @ W @ H) * (W.T @ W @ H - W.T @ V),
            "matrix-product": lambda V, W, H: H @ ((W.T @ V) / (W.T @ W @ H)),
            "W-update": lambda V, W, H: W * (V @ H.T) / (W @ H @ H.T),
        },
    ),
    ex.check_iteration: (
        [iteration_plain, iteration_package, iteration_gradient_steps, iteration_float32],
        {
            "old-W": lambda V, W, H: (W * (V @ H.T) / (W @ H @ H.T), H * (W.T @ V) / (W.T @ W @ H)),
            "H-first": iteration_H_first,
            "plus-Wtv": lambda V, W, H: (lambda W1: (W1, H - H / (W1.T @ W1 @ H) * (W1.T @ W1 @ H + W1.T @ V)))(
                W * (V @ H.T) / (W @ H @ H.T)),
            "swapped-H": lambda V, W, H: (lambda W1: (W1, H * (W1.T @ W1 @ H) / (W1.T @ V)))(
                W * (V @ H.T) / (W @ H @ H.T)),
            "H-unchanged": lambda V, W, H: (W * (V @ H.T) / (W @ H @ H.T), H.copy()),
        },
    ),
    ex.check_projected_step_H: (
        [projected_step, projected_step_clip, projected_step_where, projected_step_float32],
        {
            "no-projection": lambda V, W, H, alpha: H - alpha * (W.T @ (W @ H - V)),
            "ascent": lambda V, W, H, alpha: np.maximum(0, H + alpha * (W.T @ (W @ H - V))),
            "abs": lambda V, W, H, alpha: np.abs(H - alpha * (W.T @ (W @ H - V))),
            "other-gradient": lambda V, W, H, alpha: np.maximum(0, H - alpha * ((W @ H - V) @ H.T)),
            "factor-2": lambda V, W, H, alpha: np.maximum(0, H - 2 * alpha * W.T @ (W @ H - V)),
        },
    ),
    ex.check_grad_tr_XtAX: (
        [tr_grad, tr_grad_two_terms, tr_grad_einsum, tr_grad_float32],
        {
            "symmetric": lambda A, X: 2 * A @ X,
            "one-term": lambda A, X: A @ X,
            "At-only": lambda A, X: A.T @ X,
            "right-side": lambda A, X: X @ (A + A.T),
            "transposed-X": lambda A, X: (A + A.T) @ X.T,
        },
    ),
    ex.check_K: (
        [K_plain, K_products, K_loop, K_float32],
        {
            "jacobi": lambda W, h_k: np.diag(np.diag(W.T @ W)),
            "hessian": lambda W, h_k: W.T @ W,
            "inverse": lambda W, h_k: np.diag(h_k / (W.T @ W @ h_k)),
            "no-division": lambda W, h_k: np.diag(W.T @ W @ h_k),
            "slide21": lambda W, h_k: np.diag(np.full(len(h_k), (W.T @ W @ h_k)[0] / h_k[0])),
            "row-sums": lambda W, h_k: np.diag(np.sum(W.T @ W, axis=1)),
        },
    ),
    ex.check_G: (
        [G_plain, G_via_F, G_einsum, G_float32],
        {
            "hessian": lambda W, v, h_k, h: 0.5 * np.sum((W @ h - v) ** 2),
            "jacobi": lambda W, v, h_k, h: (0.5 * np.sum((W @ h_k - v) ** 2) + (W.T @ (W @ h_k - v)) @ (h - h_k)
                                            + 0.5 * (h - h_k) @ np.diag(np.diag(W.T @ W)) @ (h - h_k)),
            "no-half": lambda W, v, h_k, h: (0.5 * np.sum((W @ h_k - v) ** 2) + (W.T @ (W @ h_k - v)) @ (h - h_k)
                                             + (h - h_k) @ np.diag(W.T @ W @ h_k / h_k) @ (h - h_k)),
            "gradient-sign": lambda W, v, h_k, h: (0.5 * np.sum((W @ h_k - v) ** 2)
                                                   + (W.T @ v - W.T @ W @ h_k) @ (h - h_k)
                                                   + 0.5 * (h - h_k) @ np.diag(W.T @ W @ h_k / h_k) @ (h - h_k)),
            "minus-vtv": lambda W, v, h_k, h: (0.5 * (h_k @ W.T @ W @ h_k - 2 * h_k @ W.T @ v - v @ v)
                                               + (W.T @ (W @ h_k - v)) @ (h - h_k)
                                               + 0.5 * (h - h_k) @ np.diag(W.T @ W @ h_k / h_k) @ (h - h_k)),
            "f-no-half": lambda W, v, h_k, h: (np.sum((W @ h_k - v) ** 2) + (W.T @ (W @ h_k - v)) @ (h - h_k)
                                               + 0.5 * (h - h_k) @ np.diag(W.T @ W @ h_k / h_k) @ (h - h_k)),
        },
    ),
    ex.check_argmin_G: (
        [argmin_mu, argmin_newton_form, argmin_diag_inverse, argmin_float32],
        {
            "plus-Wtv": lambda W, v, h_k: (h_k * (W.T @ W @ h_k) / (W.T @ W @ h_k)
                                           - h_k * (W.T @ W @ h_k + W.T @ v) / (W.T @ W @ h_k)),
            "K-not-inverse": lambda W, v, h_k: h_k - np.diag(W.T @ W @ h_k / h_k) @ (W.T @ W @ h_k - W.T @ v),
            "jacobi": lambda W, v, h_k: h_k - (W.T @ W @ h_k - W.T @ v) / np.diag(W.T @ W),
            "swapped": lambda W, v, h_k: h_k * (W.T @ W @ h_k) / (W.T @ v),
            "ascent": lambda W, v, h_k: h_k + h_k / (W.T @ W @ h_k) * (W.T @ W @ h_k - W.T @ v),
            "newton": lambda W, v, h_k: np.linalg.solve(W.T @ W, W.T @ v),
        },
    ),
    ex.check_kl_update_H: (
        [kl_H_plain, kl_H_ones, kl_H_loop, kl_H_float32],
        {
            "no-normalisation": lambda V, W, H: H * (W.T @ (V / (W @ H))),
            "frobenius": lambda V, W, H: H * (W.T @ V) / (W.T @ W @ H),
            "ratio-inverted": lambda V, W, H: H * (W.T @ ((W @ H) / V)) / W.sum(axis=0)[:, None],
            "total-sum": lambda V, W, H: H * (W.T @ (V / (W @ H))) / np.sum(W),
            "W-normaliser": lambda V, W, H: H * (W.T @ (V / (W @ H))) / H.sum(axis=1, keepdims=True),
            "missing-transpose": lambda V, W, H: H * (W @ (V / (W @ H))) / W.sum(axis=0)[:, None],
        },
    ),
    ex.check_kl_update_W: (
        [kl_W_plain, kl_W_einsum, kl_W_via_transpose, kl_W_float32],
        {
            "no-normalisation": lambda V, W, H: W * ((V / (W @ H)) @ H.T),
            "frobenius": lambda V, W, H: W * (V @ H.T) / (W @ H @ H.T),
            "ratio-inverted": lambda V, W, H: W * (((W @ H) / V) @ H.T) / H.sum(axis=1),
            "total-sum": lambda V, W, H: W * ((V / (W @ H)) @ H.T) / H.sum(),
            "H-normaliser": lambda V, W, H: W * ((V / (W @ H)) @ H.T) / W.sum(axis=0),
        },
    ),
}

RIGHT = [(check, fn) for check, (rights, _) in CASES.items() for fn in rights]
WRONG = [(check, key, fn) for check, (_, wrongs) in CASES.items() for key, fn in wrongs.items()]


def _id(value):
    return getattr(value, "__name__", str(value))


def test_every_checker_has_its_cases():
    """Each checker: at least four correct versions (the formula and three rewrites) and four named mistakes."""
    assert {check.__name__ for check in CASES} == {f"check_{name}" for name in ex.EXERCISES}
    for check, (rights, wrongs) in CASES.items():
        assert len(rights) >= 4 and len(wrongs) >= 4, check.__name__
        assert set(wrongs) <= {mk.key for mk in ex.EXERCISES[check.__name__[6:]].mistakes}


@pytest.mark.parametrize("check, fn", RIGHT, ids=[f"{_id(c)}-{_id(f)}-{i}" for i, (c, f) in enumerate(RIGHT)])
def test_correct_versions_pass(check, fn):
    result = check(fn)
    assert result.passed, str(result)
    assert result.mistake is None and "passes" in str(result)


@pytest.mark.parametrize("check, key, fn", WRONG, ids=[f"{_id(c)}-{k}" for c, k, _ in WRONG])
def test_mistakes_are_named(check, key, fn):
    result = check(fn)
    assert not result.passed
    assert result.mistake_key == key, str(result)
    assert result.mistake.name in result.message and result.where == result.mistake.where
    assert result.where in str(result)


def test_catalogue_entries_are_told_apart():
    """Each catalogued formula, run as a student function, is named as itself and no other."""
    for exercise in ex.EXERCISES.values():
        keys = [mk.key for mk in exercise.mistakes]
        assert len(keys) == len(set(keys)) and len(keys) >= 4, exercise.name
        for mk in exercise.mistakes:
            def fn(*args, mk=mk, exercise=exercise):
                return mk.formula(dict(zip(exercise.args, args, strict=True)))
            assert ex._check(exercise, fn).mistake_key == mk.key, (exercise.name, mk.key)


# ---------------------------------------------------------------------------
# The tolerance: tight enough to fail, loose enough for every machine
# ---------------------------------------------------------------------------


def test_a_small_error_fails_as_unknown():
    """Off by a relative 1e-9 (far above rounding in float64, far below any mistake): fails, no mistake named."""
    result = ex.check_update_H(lambda V, W, H: H * (W.T @ V) / (W.T @ W @ H) * (1 + 1e-9))
    assert not result.passed and result.mistake is None
    assert "none of the known mistakes" in str(result)
    assert result.entry is not None and result.yours != result.expected


def test_float32_work_returned_as_float64_is_judged_in_float64():
    """The bound uses the dtype returned: float32 arithmetic dressed as float64 fails (module docstring)."""
    result = ex.check_update_H(lambda V, W, H: mu_H_float32(V, W, H).astype(np.float64))
    assert not result.passed


def test_float32_passes_under_other_blas_orders():
    """A float32 loop (one rounding order) and a float32 BLAS product (another) both pass."""
    def loop32(V, W, H):
        return mu_H_loop(*(X.astype(np.float32) for X in (V, W, H)))
    assert ex.check_update_H(loop32).passed
    assert ex.check_update_H(mu_H_float32).passed


def test_probe_names_the_product_order():
    """(WH)Hᵀ is right in value: it passes, with a note on its cost; W(HHᵀ) gets no note."""
    slow = ex.check_update_W(lambda V, W, H: W * (V @ H.T) / ((W @ H) @ H.T))
    fast = ex.check_update_W(lambda V, W, H: W * (V @ H.T) / (W @ (H @ H.T)))
    assert slow.passed and fast.passed
    assert any("m×n product" in note for note in slow.notes)
    assert not any("m×n product" in note for note in fast.notes)
    slow_H = ex.check_update_H(lambda V, W, H: H * (W.T @ V) / (W.T @ (W @ H)))
    assert any("m×n product" in note for note in slow_H.notes)


def test_sparse_V_is_a_note():
    """update_H written with @ only works for a sparse V; np.sum(X**2) of a sparse residual may not."""
    result = ex.check_update_H(lambda V, W, H: H * (W.T @ V) / (W.T @ W @ H))
    assert result.passed and any("sparse V" in note for note in result.notes)
    result = ex.check_objective(lambda V, W, H: 0.5 * np.sum(np.asarray(V - W @ H) ** 2))
    assert result.passed


# ---------------------------------------------------------------------------
# Malformed functions: a sentence, never a traceback
# ---------------------------------------------------------------------------


def raises(V, W, H):
    return H * (W.T @ V) / (W.T @ W @ H)[:, :1].reshape(-1)   # a broadcasting slip: raises


def divides_by_zero(V, W, H):
    return 1 / 0


def returns_nan(V, W, H):
    return H * (W.T @ V) / (W.T @ W @ H - W.T @ W @ H)


def in_place(V, W, H):
    H *= (W.T @ V) / (W.T @ W @ H)
    return H


def forgets_return(V, W, H):
    H * (W.T @ V) / (W.T @ W @ H)


def wrong_shape(V, W, H):
    return (H * (W.T @ V) / (W.T @ W @ H))[:, 0]


def returns_string(V, W, H):
    return "H"


@pytest.mark.parametrize("fn, words", [
    (raises, "raised"),
    (divides_by_zero, "raised ZeroDivisionError"),
    (returns_nan, "NaN"),
    (in_place, "changed its input H in place"),
    (forgets_return, "returned None"),
    (wrong_shape, "shape"),
    (returns_string, "not numbers"),
    (42, "not a function"),
])
def test_malformed_functions_get_a_sentence(fn, words):
    result = ex.check_update_H(fn)
    assert not result.passed and result.mistake is None
    text = str(result)
    assert words in text and "Traceback" not in text
    sentences = " ".join(text.split()).replace(result.url or "", "")  # the link's dots are not full stops
    assert sentences.count(".") <= 6   # a sentence or two, not a dump


def test_wrong_arguments_and_a_single_number():
    result = ex.check_update_H(lambda V, W: W.T @ V)
    assert not result.passed and "raised TypeError" in result.message
    result = ex.check_update_H(lambda V, W, H: 0.0)
    assert not result.passed and "a single number" in result.message


def test_a_list_is_read_after_saying_so():
    result = ex.check_update_H(lambda V, W, H: (H * (W.T @ V) / (W.T @ W @ H)).tolist())
    assert result.passed and any("list" in note for note in result.notes)


def test_scalar_exercises_refuse_arrays():
    result = ex.check_objective(lambda V, W, H: 0.5 * (V - W @ H) ** 2)
    assert not result.passed and "one number" in result.message


def test_iteration_must_return_a_pair():
    result = ex.check_iteration(lambda V, W, H: W * (V @ H.T) / (W @ H @ H.T))
    assert not result.passed and "pair (W, H)" in str(result)


# ---------------------------------------------------------------------------
# How a result shows
# ---------------------------------------------------------------------------


def test_result_shows_as_text_and_html_with_the_link():
    result = ex.check_update_H(lambda V, W, H: H - H / (W.T @ W @ H) * (W.T @ W @ H + W.T @ V))
    assert "slide-25" in str(result) and repr(result) == str(result)
    assert ('<a href="https://nmf-teach.github.io/nmf-teach/book/errata.html#slide-25-tamanho-do-passo" '
            'target="_blank" rel="noopener">the errata, slide 25 tamanho do passo</a>') in result._repr_html_()
    assert not result
    passed = ex.check_update_H(mu_H_einsum)
    assert passed and passed._repr_html_().startswith("<p><strong>✓")


def test_links_are_the_online_books_addresses(monkeypatch):
    """In a terminal the text gives the full address; in Jupyter the HTML is a link that opens it; a note's
    relative link is turned into one too; NMF_TEACH_BOOK_URL points them at another copy of the book."""
    result = ex.check_update_H(lambda V, W, H: H - H / (W.T @ W @ H) * (W.T @ W @ H + W.T @ V))
    url = "https://nmf-teach.github.io/nmf-teach/book/errata.html#slide-25-tamanho-do-passo"
    assert result.url == url and url in str(result).replace("\n", " ").split()[-1]
    monkeypatch.setenv("NMF_TEACH_BOOK_URL", "file:///srv/book/_build/html/")
    assert result.url == "file:///srv/book/_build/html/book/errata.html#slide-25-tamanho-do-passo"
    assert 'href="file:///srv/book/_build/html/book/errata.html#slide-25' in result._repr_html_()
    monkeypatch.delenv("NMF_TEACH_BOOK_URL")
    note = ex.CheckResult(True, "update_W", "Passes.", notes=[ex._PRODUCT_ORDER_NOTE])
    assert "https://nmf-teach.github.io/nmf-teach/book/06_multiplicative_updates.html#the-order-of-the-products" \
        in str(note).replace("\n", " ")
    assert ('<a href="https://nmf-teach.github.io/nmf-teach/book/06_multiplicative_updates.html'
            '#the-order-of-the-products" target="_blank" rel="noopener">chapter 06, the order of the products</a>'
            in note._repr_html_())
    where = "05_objective_and_gradients.html#equation-eq-grad-w"
    assert ex._link_text(where) == f"equation {ex.BOOK_NUMBERS[where]}" and ex.BOOK_NUMBERS[where].startswith("(5.")


def test_links_are_named_as_the_book_numbers_them():
    """Every equation a checker or a mistake links to is in the book, and is named by the number the book
    shows ("equation (3.10)"), never by its label; the full address is never broken across lines."""
    wheres = set()
    for exercise in ex.EXERCISES.values():
        wheres.add(exercise.where)
        wheres.update(mistake.where for mistake in exercise.mistakes)
    for where in wheres:
        if where.startswith(ex.ERRATA):
            continue
        assert where in ex.BOOK_NUMBERS, f"{where}: no such label in the book"
        name = ex._link_text(where)
        assert re.fullmatch(r"equation \(\d+\.\d+\)", name), (where, name)
    result = ex.check_projected_step_H(lambda V, W, H, alpha: np.maximum(0, H - alpha * W.T @ (W @ H - V)))
    url = "https://nmf-teach.github.io/nmf-teach/book/03_alternating_gradient_descent.html" \
          "#equation-eq-agd-projected"
    for width in (40, 60, 78):
        lines = result.text(width).split("\n")
        assert any(line.endswith(url + ")") for line in lines), lines
    number = ex.BOOK_NUMBERS[url.removeprefix(ex.BOOK_URL + "book/")]
    assert re.fullmatch(r"\(3\.\d+\)", number)
    assert f"(see equation {number}: {url}" in str(result).replace("\n", " ")
    assert f'rel="noopener">equation {number}</a>' in result._repr_html_()
    assert "eq-agd-projected</a>" not in result._repr_html_()
    assert re.search(r"the largest error, entry by entry, is [0-9.e+-]+ % of that entry's bound",
                     str(result).replace("\n", " "))


def test_book_numbers_are_package_data():
    """The numbers travel with the package (a notebook on Colab has no book next to it)."""
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    assert "book_numbers.json" in pyproject["tool"]["setuptools"]["package-data"]["nmf_teach"]


def test_the_book_address_is_the_one_jupyterlab_links_to():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    import notebooks

    assert notebooks.BOOK_URL == ex.BOOK_URL


def test_links_point_at_labels_of_the_book():
    """Every link is a chapter page and an anchor that the chapter defines (an equation label or a heading)."""
    import json
    import re
    from pathlib import Path

    make_id = pytest.importorskip("docutils.nodes", reason="docutils comes with the book's environment").make_id

    book = Path(__file__).resolve().parent.parent / "book"
    anchors = {}
    for path in book.glob("*.ipynb"):
        text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])
        ids = {make_id(f"equation-{label}") for label in re.findall(r":label: (\S+)", text)}
        ids |= {make_id(re.sub(r"[*`$]", "", title)) for title in re.findall(r"^#+ (.+)$", text, re.M)}
        anchors[path.stem + ".html"] = ids
    links = {e.where for e in ex.EXERCISES.values()} | {mk.where for e in ex.EXERCISES.values() for mk in e.mistakes}
    for link in links:
        page, anchor = link.split("#")
        assert page in anchors and anchor in anchors[page], link


def test_same_function_same_verdict():
    first = ex.check_update_H(mu_H_einsum)
    second = ex.check_update_H(mu_H_einsum)
    assert str(first) == str(second)
