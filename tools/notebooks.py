"""Keep the chapters' notebooks ready for a classroom, in JupyterLab, on Colab and as slides.

    python tools/notebooks.py            # normalize every notebook of book/ in place
    python tools/notebooks.py --check    # exit 1 and list what is not normalized (tests/test_notebooks.py)

What it sets, in every notebook of ``book/``:

* the kernelspec JupyterLab writes ("Python 3 (ipykernel)"), so that a notebook
  opened in JupyterLab is not marked modified at once;
* the install cell first (tag ``hide-cell``: folded in the book): on Colab or in
  any environment without ``nmf_teach`` it installs the package with the extras
  the chapters use, from ``NMF_TEACH_SOURCE`` (default: the repository); elsewhere it does
  nothing;
* the prose's computed numbers as ``{eval}`glued("name", "spec")``` instead of
  ``{glue:text}`name:spec```, and ``from nmf_teach.shown import glue, glued`` in
  place of ``myst_nb``'s glue: JupyterLab (jupyterlab-myst) and the book then show
  the same numbers;
* the solutions folded in JupyterLab: every cell of a gated solution (from
  ``{solution-start}`` to ``{solution-end}``) has its source (and outputs) hidden,
  as the book folds it in a dropdown;
* slide metadata for a live slideshow (jupyterlab-rise): a section heading
  (``##``) starts a slide, a subsection (``###``) a sub-slide, the rest follows
  on the same slide; the install cell and the solutions are skipped.
"""

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
INSTALL_TAG = "nmf-teach-install"
INSTALL_SOURCE = '''# On Colab or any Python without nmf_teach this installs the book's package; here it does nothing.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("nmf_teach") is None:
    source = os.environ.get("NMF_TEACH_SOURCE", "git+https://github.com/nmf-teach/nmf-teach")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", f"nmf_teach[news,progress] @ {source}"], check=True)'''
GLUE_ROLE = re.compile(r"\{glue:text\}`([A-Za-z_][A-Za-z0-9_]*)(?::([^`]*))?`")
GLUE_IMPORT = "from myst_nb import glue\n"
SHOWN_IMPORT = "from nmf_teach.shown import glue, glued\n"


def _lines(text):
    return text.splitlines(keepends=True)


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _eval_role(match):
    name, spec = match.group(1), match.group(2)
    return f'{{eval}}`glued("{name}", "{spec}")`' if spec else f'{{eval}}`glued("{name}")`'


def normalize(nb):
    """Return the normalized notebook (a new dict) for the notebook ``nb``."""
    nb = json.loads(json.dumps(nb))
    nb["metadata"]["kernelspec"] = dict(KERNELSPEC)
    cells = [c for c in nb["cells"] if INSTALL_TAG not in c.get("metadata", {}).get("tags", [])]
    first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
    install = {"cell_type": "code", "execution_count": None, "id": "install-nmf-teach",
               "metadata": {"tags": ["hide-cell", INSTALL_TAG]}, "outputs": [], "source": _lines(INSTALL_SOURCE)}
    cells.insert(first_code, install)
    in_solution = False
    for cell in cells:
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            text = GLUE_ROLE.sub(_eval_role, text)
        elif GLUE_IMPORT in text:
            text = text.replace(GLUE_IMPORT, SHOWN_IMPORT)
        cell["source"] = _lines(text)
        meta = cell.setdefault("metadata", {})
        starts = "{solution-start}" in text
        if starts:
            in_solution = True
        hidden = in_solution
        if "{solution-end}" in text:
            in_solution = False
        meta.pop("slideshow", None)
        jupyter = meta.pop("jupyter", {})
        for key in ("source_hidden", "outputs_hidden"):
            jupyter.pop(key, None)
        if hidden:
            jupyter["source_hidden"] = True
            if cell["cell_type"] == "code":
                jupyter["outputs_hidden"] = True
        if jupyter:
            meta["jupyter"] = jupyter
        if hidden or INSTALL_TAG in meta.get("tags", []):
            slide = "skip"
        elif cell["cell_type"] == "markdown" and re.match(r"(\(.*\)=\s*)?#{1,2} ", text):
            slide = "slide"
        elif cell["cell_type"] == "markdown" and re.match(r"(\(.*\)=\s*)?### ", text):
            slide = "subslide"
        else:
            slide = "-"
        meta["slideshow"] = {"slide_type": slide}
    nb["cells"] = cells
    return nb


def dump(nb):
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def notebooks(root=ROOT):
    return sorted((root / "book").glob("*.ipynb"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that are not normalized")
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    stale = []
    for path in args.paths or notebooks():
        text = path.read_text(encoding="utf-8")
        new = dump(normalize(json.loads(text)))
        if new != text:
            stale.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    for path in stale:
        print(f"{'not normalized' if args.check else 'normalized'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
