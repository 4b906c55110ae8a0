"""One loop (nmf_teach.driver) for every solver; threads=; the names the chapters use; the core without scikit-learn."""

import ast
import importlib
import inspect
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import threadpoolctl

import nmf_teach
from nmf_teach import _products, driver, kl, nmf, solvers, timing

ROOT = Path(__file__).resolve().parents[1]


def masked(V, rank, **options):
    return solvers.masked_mu(V, np.ones(V.shape, bool), rank, **options)


SOLVERS = {
    "nmf": nmf, "hals": solvers.hals, "accelerated_hals": solvers.accelerated_hals,
    "accelerated_mu": solvers.accelerated_mu, "epsilon_mu": solvers.epsilon_mu,
    "projected_gradient": solvers.projected_gradient, "masked_mu": masked, "nmf_kl": kl.nmf_kl,
}


def problem(seed=0, m=30, n=20):
    return np.random.default_rng(seed).random((m, n)) + 0.01


# --------------------------------------------------------------------------
# One loop: every solver stops, calls back and keeps snapshots by the same rules.
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", SOLVERS)
def test_every_solver_follows_the_drivers_rules(name):
    solve, V = SOLVERS[name], problem()
    seen = []
    stopped = solve(V, 3, iterations=50, seed=0, keep_every=3,
                    callback=lambda k, W, H, f: seen.append((k, W.shape, H.shape, f)) or k == 7)
    assert stopped.iterations == 7 and not stopped.converged
    assert [k for k, *_ in seen] == list(range(1, 8))
    assert all((W_shape, H_shape) == ((30, 3), (3, 20)) for _, W_shape, H_shape, _ in seen)
    assert [f for *_, f in seen] == list(stopped.losses[1:])
    assert sorted(stopped.snapshots) == [0, 3, 6, 7]
    np.testing.assert_array_equal(stopped.snapshots[7][0], stopped.W)
    np.testing.assert_array_equal(stopped.snapshots[0][1], stopped.H0)
    converged = solve(V, 3, iterations=100_000, seed=0, tol=1e-3)
    losses = converged.losses
    assert converged.converged and converged.iterations == len(losses) - 1 < 100_000
    assert losses[-2] - losses[-1] <= 1e-3 * losses[-2]
    assert all(a - b > 1e-3 * a for a, b in zip(losses[:-2], losses[1:-1], strict=True))
    for result in (stopped, converged):
        assert result.W.flags.c_contiguous and result.H.flags.c_contiguous
        assert result.rank == 3 and result.seed == 0 and result.init == "random"


def calls_of(module, name):
    """The calls ``name(...)`` in the code of ``module`` (not in its docstrings)."""
    tree = ast.parse(inspect.getsource(module))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == name]


def test_no_solver_module_holds_a_loop_of_its_own():
    """The callback is called in driver.run only; the solvers call run."""
    for module in (nmf_teach.solver, solvers, kl):
        assert not calls_of(module, "callback"), module.__name__
        assert calls_of(module, "run"), module.__name__
    assert calls_of(driver, "callback")


def test_setup_checks_what_every_solver_shares():
    V = problem()
    for bad, message in [({"iterations": -1}, "iterations"), ({"tol": np.nan}, "tol"),
                         ({"keep_every": 1.5}, "keep_every"), ({"callback": 3}, "callback"),
                         ({"threads": 0}, "threads"), ({"threads": True}, "threads"), ({"threads": 1.0}, "threads"),
                         ({"init": "svd"}, "init")]:
        options = {"iterations": 3, "init": "random", "seed": 0, "tol": 0.0, "callback": None, "keep_every": 0,
                   "threads": None, **bad}
        with pytest.raises(ValueError, match=message):
            driver.setup(V, 2, **options)
        for solve in SOLVERS.values():
            with pytest.raises(ValueError, match=message):
                solve(V, 2, **options)


# --------------------------------------------------------------------------
# threads=
# --------------------------------------------------------------------------


def blas_threads():
    return {info["num_threads"] for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"}


def our_threads():
    return [t for t in threading.enumerate() if t.name.startswith("nmf_teach")]


def large_sparse():
    V = sp.random(3000, 500, density=0.04, format="csr", random_state=18)
    V.data = np.ceil(10 * V.data)
    assert V.nnz >= _products.THREADED_NONZEROS  # threaded when threads is None and there are cores
    return V


@pytest.mark.parametrize("name", SOLVERS)
def test_threads_1_runs_everything_in_one_thread(name):
    before = blas_threads()
    V = large_sparse() if name in ("nmf", "nmf_kl") else problem()
    inside = []
    SOLVERS[name](V, 4, iterations=2, seed=0, threads=1,
                  callback=lambda k, W, H, f: inside.append((blas_threads(), len(our_threads()))))
    assert inside == [({1}, 0)] * 2
    assert blas_threads() == before


def test_threads_bounds_the_blocks_of_a_sparse_V_and_the_numbers_agree():
    from test_reference import relative_difference

    from nmf_teach.reference import iterate_bounds

    V = large_sparse()
    W0, H0 = nmf_teach.random_init(V, 6, seed=0)
    seen, runs = {}, {}

    def note(threads):
        def callback(k, W, H, f):
            seen.setdefault(threads, (blas_threads(), len(our_threads())))
        return callback

    for threads in (1, 2, 3):
        runs[threads] = nmf(V, 6, init=(W0, H0), iterations=4, threads=threads, callback=note(threads))
    assert all(run.iterations == 4 for run in runs.values())
    # one block in this thread, the others in the pool (which starts its threads as it needs them)
    assert seen[1] == ({1}, 0) and seen[2] == ({1}, 1) and seen[3][0] == {1} and 1 <= seen[3][1] <= 2
    a, b = iterate_bounds(*V.shape, 6, 4)[-1]
    for threads in (2, 3):  # the blocks change only the order of the sums in Vᵀ W
        assert relative_difference(runs[threads].W, runs[1].W) <= 2 * a / (1 - a)
        assert relative_difference(runs[threads].H, runs[1].H) <= 2 * b / (1 - b)
    again = nmf(V, 6, init=(W0, H0), iterations=4, threads=3)
    np.testing.assert_array_equal(again.H, runs[3].H)  # the same threads, the same numbers


# --------------------------------------------------------------------------
# The names the chapters use.
# --------------------------------------------------------------------------


def test_objective_is_the_function_and_its_old_module_path_still_imports():
    rng = np.random.default_rng(1)
    V, W, H = rng.random((5, 4)), rng.random((5, 2)), rng.random((2, 4))
    assert callable(nmf_teach.objective)
    expected = 0.5 * np.sum((V - W @ H) ** 2)
    assert nmf_teach.objective(V, W, H) == pytest.approx(expected, rel=1e-14)
    from nmf_teach.objective import cheap_loss_is_accurate, squared_norm  # chapter 05 imports this way

    assert cheap_loss_is_accurate is nmf_teach.loss.cheap_loss_is_accurate and squared_norm(V) > 0
    assert importlib.import_module("nmf_teach.objective") is nmf_teach.loss
    assert nmf_teach.objective(V, W, H) == pytest.approx(expected, rel=1e-14)  # still the function


def test_timing_helpers():
    V = problem()
    errors = solvers.hals(V, 3, iterations=10, seed=0).relative_errors
    result, seconds = timing.run_timed(solvers.hals, V, 3, iterations=500, seed=0, stop_below=errors[5])
    assert result.iterations == 5
    assert len(seconds) == result.iterations + 1 and seconds[0] == 0 and np.all(np.diff(seconds) >= 0)
    result, _ = timing.run_timed(nmf, V, 3, iterations=10**6, seed=0, time_limit=0.0)
    assert result.iterations == 1
    with pytest.raises(ValueError, match="callback"):
        timing.run_timed(nmf, V, 3, callback=print)
    pytest.importorskip("sklearn")
    W0, H0 = nmf_teach.random_init(V, 3, seed=0)
    seconds, errors = timing.sklearn_runs(V, W0, H0, "mu", [1, 5], threads=1)
    assert seconds.shape == errors.shape == (2,) and errors[1] < errors[0]


# --------------------------------------------------------------------------
# The core without scikit-learn.
# --------------------------------------------------------------------------

WITHOUT_SKLEARN = """
import sys
sys.modules["sklearn"] = None  # any import of scikit-learn now raises ImportError
import numpy as np
import scipy.sparse as sp
import nmf_teach as nt
from nmf_teach import kl, reference, solvers, timing
V = np.random.default_rng(0).random((20, 15))
for V_ in (V, sp.csr_matrix(V)):
    for solve in (nt.nmf, solvers.hals, solvers.accelerated_hals, solvers.accelerated_mu, solvers.epsilon_mu,
                  solvers.projected_gradient, kl.nmf_kl):
        for init in ("random", "nndsvd", "nndsvda"):
            assert np.isfinite(solve(V_, 3, iterations=3, init=init, seed=0).losses).all()
    solvers.masked_mu(V_, V > 0.5, 3, iterations=3, seed=0)
reference.nmf_plain(V, *nt.random_init(V, 3, seed=0), 2)
timing.run_timed(nt.nmf, V, 3, iterations=2)
assert "sklearn" not in [name.split(".")[0] for name, module in sys.modules.items() if module is not None]
print("ok")
"""


def test_the_core_runs_without_scikit_learn():
    done = subprocess.run([sys.executable, "-c", WITHOUT_SKLEARN], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
