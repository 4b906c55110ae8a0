"""The core works without scikit-learn, and the declared bounds are the ones tested.

scikit-learn is an extra (``pip install 'nmf_teach[news]'``): ``import nmf_teach``, ``nmf``, every
solver, NNDSVD and the faces loaders must run without it. A subprocess makes it unimportable (a
meta-path finder that raises ``ImportError`` for ``sklearn``, as if it were not installed) and runs
them all on a small matrix; the faces loaders read tiny converted files written here.
"""

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from nmf_teach import datasets

ROOT = Path(__file__).resolve().parents[1]

BLOCK_SKLEARN = """
import sys

class NoSklearn:
    def find_spec(self, name, path=None, target=None):
        if name == "sklearn" or name.startswith("sklearn."):
            raise ImportError(f"No module named {name!r} (blocked by the test)", name=name)
        return None

sys.meta_path.insert(0, NoSklearn())
for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
    del sys.modules[name]
"""

CORE = """
import inspect

import numpy as np
import scipy.sparse as sp

try:
    import sklearn  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("the blocker did not work: sklearn imported")

import nmf_teach as nt
from nmf_teach import datasets, kl, solvers

rng = np.random.default_rng(0)
V = rng.random((12, 9))
ran = []
result = nt.nmf(V, 3, iterations=5, seed=0)
ran.append("nmf")
assert np.isfinite(result.W).all() and np.isfinite(result.H).all()
nt.nmf(sp.csr_matrix(V), 3, iterations=5, seed=0, init="nndsvd")
W0, H0 = nt.nndsvd_init(V, 3)
ran.append("nndsvd_init")
nt.random_init(V, 3, seed=0)
for name, solver in vars(solvers).items():
    if name.startswith("_") or not inspect.isfunction(solver) or solver.__module__ != solvers.__name__:
        continue
    parameters = list(inspect.signature(solver).parameters)
    if parameters[:2] == ["V", "rank"]:
        out = solver(V, 3, iterations=5, seed=0)
    elif parameters[:3] == ["V", "mask", "rank"]:
        out = solver(V, np.ones(V.shape, dtype=bool), 3, iterations=5, seed=0)
    else:
        continue  # not a solver (kkt_violation, the benchmark helpers)
    assert np.isfinite(out.W).all() and np.isfinite(out.H).all(), name
    ran.append(name)
out = kl.nmf_kl(V, 3, iterations=5, seed=0)
assert np.isfinite(out.W).all()
ran.append("nmf_kl")
faces = datasets.load_cbcl_faces(download=False)
assert faces.V.shape == (361, 2), faces.V.shape
olivetti = datasets.load_olivetti_faces(download=False)
assert olivetti.V.shape == (4096, 10), olivetti.V.shape
ran += ["load_cbcl_faces", "load_olivetti_faces"]
news = datasets.load_news(download=False)  # prepared counts: no stop words needed
assert news.V.shape == (2, 2), news.V.shape
ran.append("load_news")
import importlib.util

if importlib.util.find_spec("nmf_teach.timing") is not None:  # the benchmark helpers import scikit-learn lazily
    import nmf_teach.timing  # noqa: F401

    ran.append("import nmf_teach.timing")
assert "sklearn" not in sys.modules
print(" ".join(ran))
"""


def run_without_sklearn(code, data):
    env = {**os.environ, "NMF_TEACH_DATA": str(data), "XDG_CACHE_HOME": str(data / "xdg"),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", BLOCK_SKLEARN + textwrap.dedent(code)], env=env, cwd=data,
                          capture_output=True, text=True, timeout=300)


def test_the_core_runs_without_scikit_learn(tmp_path):
    rng = np.random.default_rng(1)
    np.savez_compressed(tmp_path / "cbcl_faces.npz", faces=rng.integers(0, 256, (2, 361)).astype(np.uint8),
                        filenames=np.array(["face00001.pgm", "face00002.pgm"]))
    np.savez_compressed(tmp_path / "olivetti_faces.npz", faces=rng.integers(0, 243, (10, 4096)).astype(np.uint8),
                        target=np.zeros(10, dtype=np.uint8))
    payload = {"counts": sp.csr_matrix(np.array([[1, 0], [2, 3]], dtype=np.int32)), "vocab": ["copper", "lead"],
               "doc_ids": ["business/001", "sport/001"], "categories": ["business", "sport"]}
    datasets._write_bbc(payload, tmp_path)
    done = run_without_sklearn(CORE, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    ran = done.stdout.split()
    for name in ("nmf", "nndsvd_init", "hals", "accelerated_mu", "masked_mu", "nmf_kl", "load_cbcl_faces",
                 "load_news"):
        assert name in ran, f"{name} did not run: {ran}"


def test_counting_words_without_scikit_learn_says_which_extra_to_install(tmp_path):
    done = run_without_sklearn("""
        from nmf_teach import datasets
        try:
            datasets.count_words(["a text about lead"])
        except ImportError as error:
            print(error)
        else:
            raise SystemExit("count_words ran without stop words")
        import pooch

        def no_download(*args, **kwargs):
            raise SystemExit("load_news downloaded texts it cannot count")

        pooch.retrieve = no_download
        try:
            datasets.load_news()  # nothing at hand: the counts must be built
        except ImportError as error:
            print(error)
        """, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    messages = done.stdout.strip().split("\n")
    assert len(messages) == 2 and all("nmf_teach[news]" in m and "scikit-learn" in m for m in messages), messages


def test_make_test_mindeps_installs_every_lower_bound_of_the_core():
    """Every core dependency has a lower bound, and tools/min_requirements.py pins exactly it."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import min_requirements
    finally:
        sys.path.pop(0)
    lines = min_requirements.requirements()
    core = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in core:
        name, bound = requirement.split(">=")
        assert f"{name.strip()}=={bound.split(',')[0].strip()}" in lines, (requirement, lines)
    assert any(line.startswith("scikit-learn==") for line in lines)  # the news extra, at its minimum too
    with pytest.raises(SystemExit, match="no plain lower bound"):
        min_requirements.minimum("numpy")  # a dependency whose minimum could not be tested is refused
