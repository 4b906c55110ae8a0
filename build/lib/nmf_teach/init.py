"""Starting points for the iterations: random, NNDSVD and NNDSVDa.

References: Boutsidis & Gallopoulos (2008), "SVD based initialization: a head
start for nonnegative matrix factorization", Pattern Recognition 41(4).
"""

import numpy as np
import scipy.sparse as sp

from ._validation import check_matrix, check_rank


def random_init(V, rank, seed=None):
    r"""A random non-negative start scaled to the data.

    Entries of W and H are drawn uniformly from :math:`[0, 2s)` with
    :math:`s = \sqrt{\bar V / r}`, so that every entry of ``WH`` has mean
    :math:`r s^2 = \bar V`, the mean of V. The same ``seed`` gives the same
    start. W is drawn first, then H.

    Parameters
    ----------
    V : array_like or scipy.sparse matrix, shape (m, n)
    rank : int
    seed : int, numpy.random.Generator or None

    Returns
    -------
    W : numpy.ndarray, shape (m, rank)
    H : numpy.ndarray, shape (rank, n)
    """
    V = check_matrix(V, "V", allow_sparse=True)
    r = check_rank(rank)
    m, n = V.shape
    rng = np.random.default_rng(seed)
    mean = float(V.sum()) / (m * n)
    s = np.sqrt(mean / r)
    W = (2 * s * rng.random((m, r))).astype(V.dtype)
    H = (2 * s * rng.random((r, n))).astype(V.dtype)
    return W, H


def _leading_singular_triplets(V, r, seed):
    """The r leading singular triplets of V, largest first."""
    if sp.issparse(V) and r < min(V.shape) - 1:
        from scipy.sparse.linalg import svds

        rng = np.random.default_rng(seed)
        v0 = rng.random(min(V.shape))
        U, S, Vt = svds(V.astype(np.float64), k=r, v0=v0)
        order = np.argsort(S)[::-1]
        return U[:, order], S[order], Vt[order]
    dense = V.toarray() if sp.issparse(V) else V
    U, S, Vt = np.linalg.svd(np.asarray(dense, dtype=np.float64), full_matrices=False)
    return U[:, :r], S[:r], Vt[:r]


def nndsvd_init(V, rank, variant="nndsvd", seed=None, threshold=1e-6):
    r"""Non-negative double SVD start (Boutsidis & Gallopoulos 2008).

    Each of the r leading singular pairs :math:`(u_j, v_j)` is split into its
    positive and negative parts; the pair of parts with the larger product of
    norms gives column j of W and row j of H, scaled so that their outer
    product has the size :math:`\sigma_j` of the pair. Entries below
    ``threshold`` are set to zero.

    ``variant="nndsvd"`` keeps those zeros (a multiplicative update can never
    move them again: chapter 10). ``variant="nndsvda"`` fills them with the
    mean of V.

    Parameters
    ----------
    V : array_like or scipy.sparse matrix, shape (m, n)
    rank : int
        At most ``min(m, n)``.
    variant : {"nndsvd", "nndsvda"}
    seed : int or None
        Only used for the start vector of the sparse SVD.
    threshold : float

    Returns
    -------
    W, H : numpy.ndarray
    """
    V = check_matrix(V, "V", allow_sparse=True)
    r = check_rank(rank)
    if variant not in ("nndsvd", "nndsvda"):
        raise ValueError(f"variant must be 'nndsvd' or 'nndsvda', got {variant!r}")
    m, n = V.shape
    if r > min(m, n):
        raise ValueError(f"NNDSVD needs rank <= min(m, n) = {min(m, n)}, got rank {r}; use init='random'")
    U, S, Vt = _leading_singular_triplets(V, r, seed)
    W = np.zeros((m, r))
    H = np.zeros((r, n))
    # The leading pair of a non-negative matrix can be taken non-negative
    # (Perron-Frobenius); abs() fixes the sign the SVD happened to choose.
    W[:, 0] = np.sqrt(S[0]) * np.abs(U[:, 0])
    H[0, :] = np.sqrt(S[0]) * np.abs(Vt[0, :])
    for j in range(1, r):
        x, y = U[:, j], Vt[j, :]
        xp, yp = np.maximum(x, 0), np.maximum(y, 0)
        xn, yn = np.maximum(-x, 0), np.maximum(-y, 0)
        xp_norm, yp_norm = np.linalg.norm(xp), np.linalg.norm(yp)
        xn_norm, yn_norm = np.linalg.norm(xn), np.linalg.norm(yn)
        positive, negative = xp_norm * yp_norm, xn_norm * yn_norm
        if positive >= negative:
            u, v, sigma = xp, yp, positive
            u_norm, v_norm = xp_norm, yp_norm
        else:
            u, v, sigma = xn, yn, negative
            u_norm, v_norm = xn_norm, yn_norm
        if sigma > 0:
            scale = np.sqrt(S[j] * sigma)
            W[:, j] = scale * u / u_norm
            H[j, :] = scale * v / v_norm
    W[W < threshold] = 0
    H[H < threshold] = 0
    if variant == "nndsvda":
        mean = float(V.sum()) / (m * n)
        W[W == 0] = mean
        H[H == 0] = mean
    return W.astype(V.dtype), H.astype(V.dtype)
