"""A chapter runs where nmf_teach is not installed, as on Colab: its first cell installs the package.

A fresh virtual environment with only a kernel and a notebook runner (``ipykernel``, ``nbclient``),
no ``nmf_teach``; chapter 01 executed there top to bottom, its install cell pointed at this checkout
by ``NMF_TEACH_SOURCE`` (on Colab it installs from the repository). Every cell must run and every
check of the chapter must pass. Needs only the package registry (pip's cache makes it quick).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "01_nonnegative_matrices.ipynb"


def test_chapter_installs_nmf_teach_and_runs_in_a_fresh_environment(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "ipykernel", "nbclient", "nbformat"],
                   check=True)
    missing = subprocess.run([str(python), "-c", "import nmf_teach"], capture_output=True)
    assert missing.returncode != 0, "the fresh environment must not have nmf_teach before the chapter runs"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(NMF_TEACH_SOURCE=ROOT.as_uri(), MPLBACKEND="Agg", PATH=f"{venv / 'bin'}:{env.get('PATH', '')}")
    run = ("import nbformat, nbclient\n"
           f"nb = nbformat.read({str(CHAPTER)!r}, as_version=4)\n"
           "nbclient.NotebookClient(nb, timeout=600, kernel_name='python3').execute()\n"
           "print('ran', sum(c.cell_type == 'code' for c in nb.cells), 'code cells')\n")
    done = subprocess.run([str(python), "-c", run], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    installed = subprocess.run([str(python), "-c", "import nmf_teach, sys; print(nmf_teach.__file__)"],
                               capture_output=True, text=True, cwd=tmp_path, env=env)
    assert installed.returncode == 0 and str(venv) in installed.stdout, "the install cell did not install nmf_teach"
    print(done.stdout.strip(), "in a fresh environment; nmf_teach installed by the chapter's first cell at",
          installed.stdout.strip())
