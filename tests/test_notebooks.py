"""The chapters are ready for a classroom: tools/notebooks.py has nothing left to change.

(The JupyterLab kernelspec, the install cell first, {eval} numbers instead of glue roles, folded
solutions, slide metadata: see tools/notebooks.py. Run `python tools/notebooks.py` to fix.)
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import notebooks  # noqa: E402


def test_every_chapter_is_normalized():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "notebooks.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, f"run `python tools/notebooks.py`:\n{done.stdout}"


def test_normalizing_folds_a_solution_and_converts_glue():
    nb = {"metadata": {}, "nbformat": 4, "nbformat_minor": 5, "cells": [
        {"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["from myst_nb import glue\n", "glue('x', 1.5, display=False)"]},
        {"cell_type": "markdown", "id": "b", "metadata": {},
         "source": ["## A section\n", "The value is {glue:text}`x:.1f`.\n", "\n", ":::{exercise}\n", ":label: e\n",
                    "\n", "Do it.\n", ":::\n", "\n", ":::{solution-start} e\n", ":class: dropdown\n", ":::\n",
                    "\n", "The answer."]},
        {"cell_type": "code", "id": "c", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["assert True"]},
        {"cell_type": "markdown", "id": "d", "metadata": {},
         "source": [":::{solution-end}\n", ":::\n", "\n", "After."]},
    ]}
    out = notebooks.normalize(nb)
    sources = ["".join(cell["source"]) for cell in out["cells"]]
    assert notebooks.INSTALL_TAG in out["cells"][0]["metadata"]["tags"], "the install cell comes first"
    assert "from nmf_teach.shown import glue, glued" in sources[1]
    assert '{eval}`glued("x", ".1f")`' in sources[2] and "{glue" not in "".join(sources)
    starts = [i for i, s in enumerate(sources) if s.startswith(":::{solution-start}")]
    assert len(starts) == 1 and "Do it." in sources[starts[0] - 1], "the exercise and its solution are apart"
    solution_code = out["cells"][starts[0] + 1]
    assert solution_code["metadata"]["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert sources[starts[0] + 2].startswith(":::{solution-end}") and sources[starts[0] + 3] == "After."
    assert out["cells"][2]["metadata"]["slideshow"]["slide_type"] == "slide"
    assert solution_code["metadata"]["slideshow"]["slide_type"] == "skip"
    assert out["metadata"]["kernelspec"]["display_name"] == "Python 3 (ipykernel)"
    assert json.dumps(notebooks.normalize(out)) == json.dumps(out), "normalizing twice changes nothing"


def test_every_number_in_the_prose_is_computed_before_it_is_shown():
    """In the book's build and in JupyterLab alike, {eval} runs in order: the glue must come first.

    (Names glued under a computed name are not seen here; the book's build fails on those, `-W`.)
    """
    import re

    late = []
    for path in notebooks.notebooks():
        cells = json.loads(path.read_text())["cells"]
        glued_at = {}
        for index, cell in enumerate(cells):
            if cell["cell_type"] == "code":
                for name in re.findall(r'glue\(\s*"([A-Za-z_0-9]+)"', "".join(cell["source"])):
                    glued_at.setdefault(name, index)
        for index, cell in enumerate(cells):
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                for name in re.findall(r'\{eval\}`glued\("([A-Za-z_0-9]+)"', text):
                    if glued_at.get(name, -1) > index:
                        late.append(f"{path.name}: cell {index} shows {name!r} before it is glued")
    assert not late, "\n".join(late)
