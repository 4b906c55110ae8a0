"""Keep the chapters' notebooks ready for a classroom, in JupyterLab, on Colab and as slides.

    python tools/notebooks.py            # normalize every notebook of book/ in place
    python tools/notebooks.py --check    # exit 1 and list what is not normalized (tests/test_notebooks.py)

What it sets, in every notebook of ``book/``:

* the kernelspec, language_info and (empty) widget state that JupyterLab writes,
  so that a notebook opened in JupyterLab is not marked modified at once;
* the install cell first (tag ``hide-cell``: folded in the book): on Colab or in
  any environment without ``nmf_teach`` it installs the package with the extras
  the chapters use, from ``NMF_TEACH_SOURCE`` (default: the repository); elsewhere it does
  nothing;
* no code cell ending with ``;`` (a figure is shown with ``plt.show()``): IPython would
  silence the ``{eval}`` after it too;
* the prose's computed numbers as ``{eval}`glued("name", "spec")``` instead of
  ``{glue:text}`name:spec```, and ``from nmf_teach.shown import glue, glued`` in
  place of ``myst_nb``'s glue: JupyterLab (jupyterlab-myst) and the book then show
  the same numbers;
* the solutions folded in JupyterLab: a gated solution gets cells of its own; its
  start shows as a folded dropdown (jupyterlab-myst), and its code cells and its end
  have their source and outputs hidden, as the book folds them in the dropdown;
* slide metadata for a live slideshow (jupyterlab-rise): every section heading starts
  a cell of its own (with its ``(label)=``; a heading inside a directive stays where
  it is), and a section (``##``) starts a slide, a subsection (``###``) a sub-slide, the rest follows
  on the same slide; the install cell and the solutions are skipped; a slide that is
  still too tall for the projector scrolls (``rise.scroll``).

and, for JupyterLab's MyST renderer, ``tools/labextension/static/book-index.json``: what the
book shows for each ``{cite}`` key (``[Lee and Seung, 2001]``, from ``references.bib``) and
each label (``(6.7)``, ``Theorem 7.1``, a section's title: numbered as the book numbers
them), with the online book's address. jupyterlab-myst cannot read a bibliography nor see
another notebook's labels; the nmf-teach-lab extension shows these texts, linked to the book,
where it would show the bare key or label.

The same numbers, for the package's checkers (``nmf_teach.exercises`` names "equation (3.10)", not
its label, with the link it prints): ``nmf_teach/book_numbers.json``, shipped as package data (a
notebook on Colab has no book next to it), one entry per labelled place of the chapters' pages.
"""

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The online book (GitHub Pages of the repository); nmf_teach.exercises.BOOK_URL is the same address.
BOOK_URL = "https://nmf-teach.github.io/nmf-teach/"
BOOK_INDEX = Path("tools") / "labextension" / "static" / "book-index.json"
BOOK_NUMBERS = Path("nmf_teach") / "book_numbers.json"
# What JupyterLab's slideshow (jupyterlab-rise) reads from the notebook: a slide taller than the
# screen scrolls instead of being cut.
RISE = {"scroll": True}
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
# What the kernel of the pinned environment reports, and the (empty) widget state JupyterLab saves:
# stored as they are, so that opening a notebook changes nothing.
LANGUAGE_INFO = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                 "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                 "pygments_lexer": "ipython3", "version": "3.11.7"}
WIDGETS = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2, "version_minor": 0}}
INSTALL_TAG = "nmf-teach-install"
INSTALL_SOURCE = '''# On Colab or any Python without nmf_teach this installs the book's package; here it does nothing.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("nmf_teach") is None:
    source = os.environ.get("NMF_TEACH_SOURCE", "git+https://github.com/nmf-teach/nmf-teach")
    package = f"nmf_teach[news,progress] @ {source}"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", package], check=True)'''
GLUE_ROLE = re.compile(r"\{glue:text\}`([A-Za-z_][A-Za-z0-9_]*)(?::([^`]*))?`")
GLUE_IMPORT = "from myst_nb import glue\n"
SHOWN_IMPORT = "from nmf_teach.shown import glue, glued  # noqa: F401 (glued: in the prose's {eval})\n"
SHOWN_LINE = re.compile(r"^from nmf_teach\.shown import .*\n?", re.M)


def _lines(text):
    return text.splitlines(keepends=True)


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _eval_role(match):
    name, spec = match.group(1), match.group(2)
    return f'{{eval}}`glued("{name}", "{spec}")`' if spec else f'{{eval}}`glued("{name}")`'


SOLUTION_START = re.compile(r"^(:::|```)\{solution-start\}", re.M)
SOLUTION_END = re.compile(r"^(:::|```)\{solution-end\}\n(:::|```)\n?", re.M)


def _split_solutions(cells):
    """Give every gated solution cells of its own: the start (with the solution's prose), the end alone.

    JupyterLab folds cells, not parts of cells: the exercise before a solution and the one after it
    must not share a cell with it.
    """
    out = []
    for cell in cells:
        text = _source(cell)
        if cell["cell_type"] != "markdown":
            out.append(cell)
            continue
        cuts = {0, len(text)}
        cuts.update(match.start() for match in SOLUTION_START.finditer(text))
        for match in SOLUTION_END.finditer(text):
            cuts.update((match.start(), match.end()))
        bounds = sorted(cuts)
        pieces = [text[i:j].strip("\n") for i, j in zip(bounds, bounds[1:], strict=False)]
        pieces = [piece + "\n" for piece in pieces if piece.strip()]
        if len(pieces) < 2:
            out.append(cell)
            continue
        pieces[-1] = pieces[-1][:-1] if not text.endswith("\n") else pieces[-1]
        for index, piece in enumerate(pieces):
            part = json.loads(json.dumps(cell))
            part["source"] = _lines(piece)
            if index:
                part["id"] = f"{cell.get('id', 'cell')}-{index}"
            out.append(part)
    return out


HEADING = re.compile(r"^(?:\([^)\n]*\)=[ \t]*\n)?#{2,3} ", re.M)
FENCE = re.compile(r"^(`{3,}|:{3,})(\S*)")


def _heading_starts(text):
    """Where the section headings (with a ``(label)=`` line before them) start, outside any directive."""
    inside = set()
    depth, offset = [], 0
    for line in text.splitlines(keepends=True):
        match = FENCE.match(line)
        if match and depth and not match.group(2) and match.group(1)[0] == depth[-1][0] \
                and len(match.group(1)) >= len(depth[-1]):
            depth.pop()
        elif match and match.group(2):
            depth.append(match.group(1))
        elif depth:
            inside.add(offset)
        offset += len(line)
    return [m.start() for m in HEADING.finditer(text) if m.start() not in inside]


def _split_headings(cells):
    """Give every section heading a markdown cell of its own start, so that it can start a slide.

    A heading that is not at the start of its cell shared a slide with the section before it.
    """
    out = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            out.append(cell)
            continue
        text = _source(cell)
        bounds = sorted({0, len(text), *_heading_starts(text)})
        pieces = [text[i:j] for i, j in zip(bounds, bounds[1:], strict=False)]
        pieces = [piece for piece in pieces if piece.strip()]
        if len(pieces) < 2:
            out.append(cell)
            continue
        for index, piece in enumerate(pieces):
            part = json.loads(json.dumps(cell))
            piece = piece.rstrip("\n") + ("\n" if index < len(pieces) - 1 else "")
            part["source"] = _lines(piece.rstrip("\n") if index == len(pieces) - 1 and
                                    not text.endswith("\n") else piece)
            if index:
                part["id"] = f"{cell.get('id', 'cell')}-h{index}"
            out.append(part)
    return out


def _unsilence(text, has_plt):
    """A cell must not end with ';': IPython would then also silence the next {eval} (it looks at the
    last cell of its history, and an {eval} is not stored there). A figure is shown with plt.show() instead."""
    stripped = text.rstrip()
    if not stripped.endswith(";"):
        return text
    if not has_plt:
        raise ValueError(f"a code cell ends with ';' and the notebook has no pyplot to show with: {stripped[-80:]!r}")
    return stripped[:-1] + "\nplt.show()"


def normalize(nb):
    """Return the normalized notebook (a new dict) for the notebook ``nb``."""
    nb = json.loads(json.dumps(nb))
    has_plt = any("import matplotlib.pyplot as plt" in _source(c) for c in nb["cells"] if c["cell_type"] == "code")
    nb["cells"] = _split_headings(_split_solutions(nb["cells"]))
    nb["metadata"]["kernelspec"] = dict(KERNELSPEC)
    nb["metadata"]["language_info"] = json.loads(json.dumps(LANGUAGE_INFO))
    nb["metadata"]["widgets"] = json.loads(json.dumps(WIDGETS))
    nb["metadata"]["rise"] = dict(RISE)
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
        else:
            text = _unsilence(text, has_plt)
            if GLUE_IMPORT in text:
                text = text.replace(GLUE_IMPORT, SHOWN_IMPORT)
            elif SHOWN_LINE.search(text):
                text = SHOWN_LINE.sub(SHOWN_IMPORT, text, count=1)
        cell["source"] = _lines(text)
        meta = cell.setdefault("metadata", {})
        # The start of a solution stays visible (a folded dropdown); its code cells and its end are hidden.
        if "{solution-start}" in text:
            in_solution, hidden = True, False
        elif "{solution-end}" in text:
            in_solution, hidden = False, True
        else:
            hidden = in_solution
        meta.pop("slideshow", None)
        meta.pop("collapsed", None)
        jupyter = meta.pop("jupyter", {})
        for key in ("source_hidden", "outputs_hidden"):
            jupyter.pop(key, None)
        if hidden or INSTALL_TAG in meta.get("tags", []):
            jupyter["source_hidden"] = True
            if cell["cell_type"] == "code":
                jupyter["outputs_hidden"] = True
                meta["collapsed"] = True  # the older name of outputs_hidden, which JupyterLab writes too
        if jupyter:
            meta["jupyter"] = jupyter
        if hidden or in_solution or "{solution-start}" in text or INSTALL_TAG in meta.get("tags", []):
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


def _authors(entry):
    names = [person.last_names for person in entry.persons.get("author", [])]
    last = [" ".join(part.replace("{", "").replace("}", "") for part in name) for name in names]
    if not last:
        return entry.fields.get("title", "").replace("{", "").replace("}", "")
    if len(last) == 1:
        return last[0]
    if len(last) == 2:
        return f"{last[0]} and {last[1]}"
    return f"{last[0]} et al."


DIRECTIVE = re.compile(r"^(?:`{3,}|:{3,})\{([a-z:-]+)\}[^\n]*\n((?::[a-z-]+:[^\n]*\n)*)", re.M)
SECTION = re.compile(r"^\(([^)\n]+)\)=[ \t]*\n#+ +(.+)$", re.M)


def book_index(root=ROOT):
    """What the book shows for each citation key and each label, and where.

    Citations as sphinxcontrib-bibtex's author_year style writes them (``[Lee and Seung, 2001]``).
    Labels as the book numbers them, the chapters numbered in ``_toc.yml``'s order across its numbered
    parts: an equation ``(chapter.n)``, n counting the chapter's labelled ``{math}`` blocks (Sphinx numbers
    only those); a theorem, lemma, definition ... ``Theorem chapter.n`` and an exercise ``Exercise
    chapter.n``, n counting that kind in the chapter (sphinx-proof and sphinx-exercise number each kind
    on its own; a proof is not numbered); a section by its title.
    """
    import yaml
    from pybtex.database import parse_file

    bib = parse_file(str(root / "references.bib"))
    cite = {key: f"[{_authors(entry)}, {entry.fields.get('year', 'n.d.')}]" for key, entry in bib.entries.items()}
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    labels = {}
    number = 0
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            path = root / f"{chapter['file']}.ipynb"
            if not path.exists():
                continue
            number += bool(part.get("numbered"))
            page = f"{chapter['file']}.html"
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            text = "\n".join(_source(cell) for cell in cells if cell["cell_type"] == "markdown")
            for label, title in SECTION.findall(text):
                labels[label] = {"text": title.replace("*", "").strip(), "page": f"{page}#{label.lower()}"}
            if not part.get("numbered"):
                continue
            counts = {}
            for kind, options in DIRECTIVE.findall(text):
                label = re.search(r"^:label: *(\S+)", options, re.M)
                if kind == "math":
                    if label:
                        counts[kind] = counts.get(kind, 0) + 1
                        labels[label.group(1)] = {"text": f"({number}.{counts[kind]})",
                                                  "page": f"{page}#equation-{label.group(1).lower()}"}
                    continue
                if kind == "prf:proof" or not (kind.startswith("prf:") or kind == "exercise"):
                    continue
                counts[kind] = counts.get(kind, 0) + 1
                if label:
                    name = kind.removeprefix("prf:").capitalize()
                    # sphinx-exercise keeps the label's case in the anchor, sphinx-proof lower-cases it
                    anchor = label.group(1) if kind == "exercise" else label.group(1).lower()
                    labels[label.group(1)] = {"text": f"{name} {number}.{counts[kind]}", "page": f"{page}#{anchor}"}
    return {"url": BOOK_URL, "references": "book/references.html", "cite": cite, "ref": labels}


def book_numbers(index):
    """What the book shows at each labelled place of its pages, by link relative to the pages.

    ``{"03_alternating_gradient_descent.html#equation-eq-agd-projected": "(3.10)", ...}``: the part of
    :func:`book_index` that ``nmf_teach.exercises`` needs to name the places it links to.
    """
    return {entry["page"].removeprefix("book/"): entry["text"] for entry in index["ref"].values()
            if entry["page"].startswith("book/")}


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
    if not args.paths:  # the whole book: also the index of its citations and equations
        index_path = ROOT / BOOK_INDEX
        new = json.dumps(book_index(), indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        if not index_path.exists() or index_path.read_text(encoding="utf-8") != new:
            stale.append(index_path)
            if not args.check:
                index_path.write_text(new, encoding="utf-8")
        numbers_path = ROOT / BOOK_NUMBERS
        new = json.dumps(book_numbers(json.loads(new)), indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        if not numbers_path.exists() or numbers_path.read_text(encoding="utf-8") != new:
            stale.append(numbers_path)
            if not args.check:
                numbers_path.write_text(new, encoding="utf-8")
    for path in stale:
        print(f"{'not normalized' if args.check else 'normalized'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
