"""Checks at the public boundary of ``nmf_teach``.

Every public function passes its matrices through these helpers. They never
change a value: they convert types (integers to float64, a SciPy sparse matrix
to CSR) and raise a ``ValueError`` that says what is wrong and where.
"""

import numbers

import numpy as np
import scipy.sparse as sp


def _float_dtype(dtype):
    """float32 stays float32; everything else computes in float64."""
    return np.float32 if dtype == np.float32 else np.float64


def _entries(X):
    """The stored values of X, flat, and a function from a flat index to (row, column)."""
    if sp.issparse(X):
        coo = X.tocoo()
        return coo.data, lambda k: (int(coo.row[k]), int(coo.col[k]))
    return X.ravel(), lambda k: tuple(int(i) for i in np.unravel_index(k, X.shape))


def check_matrix(X, name="V", *, allow_sparse=False, nonnegative=True, copy=False):
    """Return ``X`` as a 2-D float array (or CSR matrix), or raise ``ValueError``.

    Parameters
    ----------
    X : array_like or scipy.sparse matrix
        The matrix to check.
    name : str
        The name used in error messages (``"V"``, ``"W0"``, ...).
    allow_sparse : bool
        Accept a SciPy sparse matrix (returned as CSR, same dtype rules).
    nonnegative : bool
        Refuse negative entries.
    copy : bool
        Return a copy even when no conversion is needed.

    Returns
    -------
    numpy.ndarray or scipy.sparse.csr_matrix
        float32 if ``X`` is float32, float64 otherwise.
    """
    if sp.issparse(X):
        if not allow_sparse:
            raise ValueError(f"{name} is a sparse matrix; pass a dense numpy array here")
        if X.ndim != 2:
            raise ValueError(f"{name} must be 2-D, got {X.ndim} dimensions")
        dtype = _float_dtype(X.dtype)
        if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
            raise ValueError(f"{name} must hold numbers, got dtype {X.dtype}")
        if np.iscomplexobj(X):
            raise ValueError(f"{name} must be real, got complex dtype {X.dtype}")
        X = sp.csr_matrix(X, dtype=dtype, copy=copy)
        if not X.has_canonical_format:
            # Summing duplicate entries rewrites the arrays in place, and
            # csr_matrix(X) may share them with the caller's matrix: copy first.
            X = X.copy()
            X.sum_duplicates()
        values = X.data
    else:
        X = np.asarray(X)
        if X.dtype == object or not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
            raise ValueError(f"{name} must hold real numbers, got dtype {X.dtype}")
        if np.iscomplexobj(X):
            raise ValueError(f"{name} must be real, got complex dtype {X.dtype}")
        if X.ndim != 2:
            raise ValueError(f"{name} must be a 2-D matrix, got an array of shape {X.shape}")
        # Layout kept ("K"): no copy for it. np.asarray copies only for a new dtype;
        # np.array(copy=True) always does (and means the same in numpy 1 and 2).
        if copy:
            X = np.array(X, dtype=_float_dtype(X.dtype), copy=True, order="K")
        else:
            X = np.asarray(X, dtype=_float_dtype(X.dtype), order="K")
        values = X
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {X.shape}); it needs at least one row and one column")
    # One min and one max answer both questions for a valid matrix, without a
    # temporary (a NaN propagates into both). Only a bad matrix is searched.
    smallest, largest = (values.min(), values.max()) if values.size else (0.0, 0.0)
    if not (np.isfinite(smallest) and np.isfinite(largest)):
        values, position = _entries(X)
        bad = ~np.isfinite(values)
        i, j = position(int(np.flatnonzero(bad)[0]))
        n_nan = int(np.isnan(values).sum())
        n_inf = int(bad.sum()) - n_nan
        raise ValueError(
            f"{name} has {n_nan} NaN and {n_inf} infinite entries "
            f"(the first at row {i}, column {j}); NMF needs finite numbers"
        )
    if nonnegative and smallest < 0:
        values, position = _entries(X)
        count = int(np.count_nonzero(values < 0))
        k = int(np.argmin(values))
        i, j = position(k)
        raise ValueError(
            f"{name} has {count} negative entr{'y' if count == 1 else 'ies'} "
            f"(smallest {values[k]:.6g} at row {i}, column {j}); "
            f"NMF needs {name} >= 0"
        )
    return X


def check_rank(rank, name="rank"):
    """Return ``rank`` as an int >= 1, or raise ``ValueError``."""
    if isinstance(rank, bool) or not isinstance(rank, numbers.Integral):
        raise ValueError(f"{name} must be a whole number >= 1, got {rank!r} ({type(rank).__name__})")
    if rank < 1:
        raise ValueError(f"{name} must be >= 1, got {rank}")
    return int(rank)


def check_count(value, name, minimum=0):
    """Return ``value`` as an int >= ``minimum``, or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_number(value, name, *, positive=False):
    """Return ``value`` as a float, finite and >= 0 (> 0 if ``positive``), or raise ``ValueError``."""
    bound = "> 0" if positive else ">= 0"
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) \
            or value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return float(value)


def check_run(iterations, tol, callback, keep_every):
    """The options every solver shares, checked: ``(iterations, tol, keep_every)``.

    ``iterations`` and ``keep_every`` are whole numbers >= 0, ``tol`` a finite
    number >= 0, ``callback`` None or callable.
    """
    iterations = check_count(iterations, "iterations")
    keep_every = check_count(keep_every, "keep_every")
    tol = check_number(tol, "tol")
    if callback is not None and not callable(callback):
        raise ValueError("callback must be callable or None")
    return iterations, tol, keep_every


def check_factors(V, W, H, *, nonnegative=True, copy=False):
    """Check ``V`` (m×n), ``W`` (m×r) and ``H`` (r×n) together.

    ``V`` must always be non-negative; ``W`` and ``H`` too unless
    ``nonnegative=False`` (the objective and plain gradient steps are defined
    for factors of any sign). ``W`` and ``H`` are returned in ``V``'s
    floating dtype.
    """
    V = check_matrix(V, "V", allow_sparse=True)
    W = check_matrix(W, "W", nonnegative=nonnegative, copy=copy)
    H = check_matrix(H, "H", nonnegative=nonnegative, copy=copy)
    m, n = V.shape
    if W.shape[0] != m:
        raise ValueError(f"W has {W.shape[0]} rows but V has {m}; W must be {m} x r")
    if H.shape[1] != n:
        raise ValueError(f"H has {H.shape[1]} columns but V has {n}; H must be r x {n}")
    if W.shape[1] != H.shape[0]:
        raise ValueError(
            f"W is {W.shape[0]} x {W.shape[1]} and H is {H.shape[0]} x {H.shape[1]}: "
            f"the inner sizes (the rank r) differ"
        )
    dtype = V.dtype
    return V, W.astype(dtype, copy=False), H.astype(dtype, copy=False)
