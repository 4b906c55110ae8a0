"""Chapter 07's checks fail when the multiplicative update is wrong.

The chapter proves that the loss never increases and checks every step with
``nmf_teach``. Those checks are only worth something if they would fail on a
wrong update. Here the update is replaced by slide 25's slip,

    h ← hᵏ − hᵏ ∘ (WᵀWhᵏ + Wᵀv) / (WᵀWhᵏ)      (the correct line has − Wᵀv),

and the chapter is executed with nbclient: it must stop with an
``AssertionError`` raised by its own checks. The slip is injected where every
update of the package is computed: the helper ``mu`` of
``nmf_teach.numerics`` as ``nmf_teach.updates`` imports it (``_mu``, ``_mu_in_place``
or ``_ratio`` in older versions), which ``update_H``, ``update_W`` and so
``column_update`` use, and ``mu_in_place`` as ``nmf_teach.solver`` imports it.
A first test checks, in this process, that the patch really reaches
those public functions, so a refactoring of the internals makes this file
fail loudly instead of passing for nothing.

Cells of the chapter tagged ``setup`` hold its imports; cells tagged
``mu-check`` are the checks that go through an update, each self-contained.
"""

import os
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import nmf_teach

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "07_convergence_theorem.ipynb"
DATA = Path(os.environ.get("NMF_TEACH_DATA", "")) / "cbcl_faces.npz"

SLIDE_DEFS = '''
import numpy as np
import nmf_teach.solver
import nmf_teach.updates


def _slide_mu(X, numerator, denominator):
    """Slide 25's slip: X - X (den + num) / den, for the right X num / den."""
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, X - X * (denominator + numerator) / safe, X)


def _slide_mu_in_place(X, numerator, denominator):
    """The same slip, written over X."""
    X[...] = _slide_mu(X, numerator, denominator)
    return X


def _slide_ratio(numerator, denominator):
    """The same slip as a factor: 1 - (den + num) / den, for num / den."""
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, 1.0 - (denominator + numerator) / safe, 1.0)


# The package's internal helpers that compute an update (whichever exist).
SLIDE = {"mu": _slide_mu, "mu_in_place": _slide_mu_in_place,
         "_mu": _slide_mu, "_mu_in_place": _slide_mu_in_place, "_ratio": _slide_ratio}


def patch(*modules):
    names = [(module, name) for module in modules for name in SLIDE if hasattr(module, name)]
    assert {module for module, _ in names} == set(modules), "the package's update helpers moved"
    for module, name in names:
        setattr(module, name, SLIDE[name])
'''

# update_H, update_W (and so column_update) compute through nmf_teach.updates; nmf through nmf_teach.solver.
PATCH_EVERYWHERE = SLIDE_DEFS + "\npatch(nmf_teach.updates, nmf_teach.solver)\n"
PATCH_SOLVER_ONLY = SLIDE_DEFS + "\npatch(nmf_teach.solver)  # update_H and column_update stay right\n"

needs_data = pytest.mark.skipif(not DATA.is_file(), reason="set NMF_TEACH_DATA to the folder with cbcl_faces.npz")


def slide_update_H(V, W, H):
    """The slide's wrong line, transcribed."""
    WtWH = W.T @ W @ H
    return H - H * (WtWH + W.T @ V) / WtWH


def test_the_patch_reaches_update_H_column_update_and_nmf(monkeypatch):
    namespace = {}
    exec(SLIDE_DEFS, namespace)
    for module in (nmf_teach.updates, nmf_teach.solver):
        names = [name for name in namespace["SLIDE"] if hasattr(module, name)]
        assert names, f"{module.__name__} has none of {list(namespace['SLIDE'])}: update this test"
        for name in names:
            monkeypatch.setattr(module, name, namespace["SLIDE"][name])
    rng = np.random.default_rng(0)
    V, W, H = rng.random((8, 6)), rng.random((8, 3)), rng.random((3, 6))
    np.testing.assert_allclose(nmf_teach.update_H(V, W, H), slide_update_H(V, W, H), rtol=1e-12)
    np.testing.assert_allclose(nmf_teach.column_update(W, V[:, 2], H[:, 2]), slide_update_H(V, W, H)[:, 2],
                               rtol=1e-12)
    W1 = slide_update_H(V.T, H.T, W.T).T
    np.testing.assert_allclose(nmf_teach.update_W(V, W, H), W1, rtol=1e-12)
    result = nmf_teach.nmf(V, 3, iterations=1, init=(W, H))
    np.testing.assert_allclose(result.W, W1, rtol=1e-12)
    np.testing.assert_allclose(result.H, slide_update_H(V, W1, H), rtol=1e-12)


def _chapter():
    return nbformat.read(NOTEBOOK, as_version=4)


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


@pytest.fixture(autouse=True)
def _one_blas_thread(monkeypatch):
    """Kernels inherit this: on a busy machine, BLAS threads fighting for cores cost more than they give."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(name, "1")


def _execute(cells, *, allow_errors):
    notebook = _chapter()
    notebook.cells = cells
    client = NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    return notebook


def _checks(patch):
    """The setup cell, the patch (if any), and every mu-check cell, in the chapter's order."""
    cells = _chapter().cells
    setup = [cell for cell in cells if "setup" in _tags(cell)]
    checks = [cell for cell in cells if "mu-check" in _tags(cell)]
    assert setup and len(checks) >= 5, "the chapter lost its tagged cells"
    injected = [nbformat.v4.new_code_cell(patch)] if patch else []
    return setup + injected + checks, checks


def _error(cell):
    errors = [output for output in cell.get("outputs", []) if output.output_type == "error"]
    return errors[0].ename if errors else None


@needs_data
def test_the_slide_slip_stops_the_chapter():
    cells = _chapter().cells
    patched = [nbformat.v4.new_code_cell(PATCH_EVERYWHERE)] + cells
    with pytest.raises(CellExecutionError) as failure:
        _execute(patched, allow_errors=False)
    assert failure.value.ename == "AssertionError", failure.value.evalue


@needs_data
def test_the_update_checks_pass_with_the_right_update():
    cells, checks = _checks(None)
    executed = _execute(cells, allow_errors=True)
    failed = [_error(cell) for cell in executed.cells if _error(cell)]
    assert not failed, f"the chapter's checks fail without any patch: {failed}"


@needs_data
def test_every_update_check_catches_the_slide_slip():
    cells, checks = _checks(PATCH_EVERYWHERE)
    executed = _execute(cells, allow_errors=True)
    results = [_error(cell) for cell in executed.cells[-len(checks):]]
    first_lines = [cell.source.splitlines()[0] for cell in checks]
    assert results == ["AssertionError"] * len(checks), list(zip(first_lines, results, strict=True))


@needs_data
def test_the_theorem_checks_catch_a_wrong_solver():
    cells, checks = _checks(PATCH_SOLVER_ONLY)
    executed = _execute(cells, allow_errors=True)
    for cell in executed.cells[-len(checks):]:
        runs_the_solver = "nmf_teach.nmf(" in cell.source
        expected = "AssertionError" if runs_the_solver else None
        assert _error(cell) == expected, cell.source.splitlines()[0]
    assert sum("nmf_teach.nmf(" in cell.source for cell in checks) >= 2
