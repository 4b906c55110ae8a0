"""The PDF editions (``make pdf``: Jupyter Book's pdflatex builder, xelatex), read back with poppler-utils.

The English PDF is ``_build/latex/nmf-teach.pdf`` (``NMF_TEACH_PDF`` to change it), the Portuguese one
``_build/editions/pt/_build/latex/nmf-teach-pt.pdf`` (``make pdf`` copies it to ``_build/latex/``; see
tools/editions.py). ``make test`` builds them before pytest; run alone, the session fixture builds each once
if it is missing or older than the book's sources. These tests check, for each edition, that

1. the page count is plausible for the chapters in ``_toc.yml``;
2. every chapter's title (the first ``#`` heading of each file in ``_toc.yml``) is in the text;
3. LaTeX left nothing unresolved or raw: no ``??`` (an unresolved reference or citation), no ``\\begin``,
   no ``$$``, and no Python repr standing in for an output the PDF cannot show;
4. every character has a glyph (the LaTeX log) and every font is embedded;
5. every explorer of :mod:`nmf_teach.widgets` is printed as a figure (an image on the page of its caption),
   never as its text repr;
6. theorems, proofs (titled "Proof", "Demonstração"), equations numbered by chapter as in the HTML book
   (Theorem 7.1, (6.7)) and the bibliography's citations made it through.

A page with a proof and a page with an explorer grid are rendered to PNG (``pdftoppm``) in
``_build/screenshots/`` to be looked at. Without the PDF tools (poppler-utils, xelatex, latexmk) the tests
skip, saying so; under CI (``CI=true``) they fail instead: ``make pdf`` installs them.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PDF = Path(os.environ.get("NMF_TEACH_PDF", ROOT / "_build" / "latex" / "nmf-teach.pdf")).resolve()
PT_BUILD = ROOT / "_build" / "editions" / "pt"
PDF_PT = PT_BUILD / "_build" / "latex" / "nmf-teach-pt.pdf"
SCREENSHOTS = ROOT / "_build" / "screenshots"
POPPLER = ("pdfinfo", "pdftotext", "pdffonts", "pdftoppm", "pdfimages")
TEX = ("xelatex", "latexmk")
# What each edition's words are: the explorer's printed caption (Explorer.to_markdown; one per explorer),
# the words saying where the live one is, a theorem, a proof's title, the bibliography's heading, a citation.
EDITIONS = {
    "en": {"caption": "printed snapshot of an explorer", "live": ("in the HTML book and", "in Jupyter"),
           "theorem": "Theorem", "statements": "Theorem|Lemma|Definition|Exercise", "proof": "Proof",
           "bibliography": "Bibliography", "citation": r"Lee and Seung,? \(?(1999|2001)"},
    "pt": {"caption": "instantâneo impresso de um explorador", "live": ("no livro em HTML e", "no Jupyter"),
           "theorem": "Teorema", "statements": "Teorema|Lema|Definição|Exercício", "proof": "Demonstração",
           "bibliography": "Referências", "citation": r"Lee and Seung,? \(?(1999|2001)"},
}
# Sources whose change makes the PDF stale (the fixture then builds it again).
SOURCES = ("_config.yml", "_toc.yml", "references.bib", "book", "nmf_teach", "tools/pdf_edition.py", "tools/latex",
           "tools/editions.py", "locales")


def _missing(tools):
    return [tool for tool in tools if shutil.which(tool) is None]


def _require(tools, why):
    missing = _missing(tools)
    if not missing:
        return
    message = (f"{', '.join(missing)} not found ({why}): `make tex` (or `make pdf`) installs them "
               f"(Debian's packages: TEX_PACKAGES in the Makefile)")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _toc_files():
    """The files of _toc.yml in order (root first), as paths relative to the repository, without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("chapters", []))
            walk(entry.get("sections", []))

    walk(toc.get("chapters", []))
    walk(toc.get("parts", []))
    return files


def _markdown_sources(name):
    """The Markdown of a page: the markdown cells of its notebook, or its .md file."""
    notebook = ROOT / f"{name}.ipynb"
    if notebook.is_file():
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]
    return [(ROOT / f"{name}.md").read_text(encoding="utf-8")]


def _title(name, edition="en"):
    """The first level-1 heading of a page, as plain text (MyST emphasis and code marks removed), in ``edition``."""
    for source in _markdown_sources(name):
        for line in source.splitlines():
            if line.startswith("# "):
                title = line[2:].strip()
                if edition == "pt":
                    from nmf_teach.messages import read_po

                    catalog = read_po(ROOT / "locales" / "pt_BR" / "LC_MESSAGES" / "book" / f"{Path(name).name}.po")
                    title = catalog[title][0]
                return re.sub(r"[*_`]", "", title).strip()
    raise AssertionError(f"{name} has no '# ' title")


def _explorer_count():
    """How many cells of the book's notebooks make an explorer (each chapter shows the ones it makes)."""
    count = 0
    for name in _toc_files():
        notebook = ROOT / f"{name}.ipynb"
        if notebook.is_file():
            cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
            count += sum("explorer(" in "".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    return count


def _newest_source():
    """The latest modification time of the book's sources (the files git tracks, when git can say)."""
    listed = subprocess.run(["git", "ls-files", "--", *SOURCES], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode == 0 and listed.stdout.strip():
        paths = [ROOT / line for line in listed.stdout.splitlines()]
    else:
        paths = [p for name in SOURCES for p in ([ROOT / name] if (ROOT / name).is_file() else (ROOT / name).rglob("*"))
                 if p.is_file() and not {"__pycache__", ".ipynb_checkpoints"} & set(p.parts)]
    return max(p.stat().st_mtime for p in paths if p.is_file())


def _run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _flat(text):
    """Text with every run of white space (line breaks of the PDF included) made one space."""
    return re.sub(r"\s+", " ", text).strip()


# --- the PDF, built once per session ---------------------------------------------------------------------


@pytest.fixture(scope="session", params=sorted(EDITIONS))
def edition(request):
    """Each edition in turn: "en", "pt"."""
    return request.param


@pytest.fixture(scope="session")
def words(edition):
    return EDITIONS[edition]


@pytest.fixture(scope="session")
def pdf(edition):
    """The edition's PDF; built (once) if missing or older than the book's sources."""
    _require(POPPLER, "poppler-utils reads the PDF")
    path = PDF if edition == "en" else PDF_PT
    if ("NMF_TEACH_PDF" not in os.environ or edition == "pt") and (
            not path.is_file() or path.stat().st_mtime < _newest_source()):
        _require(TEX, "the PDF is missing or stale and must be built")
        jupyter_book = Path(sys.executable).with_name("jupyter-book")
        options = []
        if edition == "pt":
            subprocess.run([sys.executable, str(ROOT / "tools" / "editions.py"), "config"], check=True, cwd=ROOT)
            options = ["--config", str(PT_BUILD / "_config.yml"), "--toc", str(PT_BUILD / "_toc.yml"),
                       "--path-output", str(PT_BUILD)]
        build = subprocess.run([str(jupyter_book), "build", str(ROOT), "--builder", "pdflatex", *options, "-W", "-n",
                                "--keep-going"], cwd=ROOT, capture_output=True, text=True)
        assert build.returncode == 0 and path.is_file(), (
            f"the PDF build failed (exit {build.returncode}):\n{build.stdout[-4000:]}\n{build.stderr[-4000:]}")
        path.touch()  # up to date now, even where latexmk found nothing to redo and left the file as it was
    if not path.is_file():
        pytest.fail(f"{path} does not exist: build it with `make pdf`")
    return path


@pytest.fixture(scope="session")
def pages(pdf):
    """The text of every page (pdftotext, layout kept per page; pages split at form feeds)."""
    text = _run("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@pytest.fixture(scope="session")
def text(pages):
    return _flat(" ".join(pages))


def _page_count(pdf):
    return int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(pdf)), re.M).group(1))


def _screenshot(pdf, page, name):
    """Page ``page`` (1-based) of the PDF as _build/screenshots/<name>.png (100 dpi)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = SCREENSHOTS / name
    _run("pdftoppm", "-f", str(page), "-l", str(page), "-r", "100", "-png", "-singlefile", str(pdf), str(stem))
    path = stem.with_suffix(".png")
    assert path.is_file() and path.stat().st_size > 10_000, f"{path} was not rendered"
    return path


# --- the tests -------------------------------------------------------------------------------------------


def test_page_count_is_plausible(pdf, pages):
    count = _page_count(pdf)
    chapters = len(_toc_files())
    # At least a title page, a contents page and two pages a chapter; at most 60 a chapter.
    assert 2 + 2 * chapters <= count <= 60 * chapters, f"{count} pages for {chapters} files of _toc.yml"
    assert len(pages) == count, f"pdftotext gave {len(pages)} pages, pdfinfo says {count}"


def test_every_chapter_title_is_in_the_pdf(edition, text):
    missing = [(name, _title(name, edition)) for name in _toc_files()[1:] if _flat(_title(name, edition)) not in text]
    assert not missing, f"chapter titles not found in the PDF's text: {missing}"


def test_nothing_unresolved_or_raw(text):
    problems = {
        "??": "an unresolved reference or citation",
        "\\begin": "raw LaTeX",
        "$$": "raw display math",
        "IPython.core.display": "the repr of an output the PDF cannot show",
        "run the cell to make it live": "an explorer's text repr instead of its printed figure",
        "execute a célula para torná-lo interativo": "an explorer's text repr instead of its printed figure",
    }
    found = {needle: f"{why}: …{text[max(0, i - 80): i + 80]}…" for needle, why in problems.items()
             if (i := text.find(needle)) >= 0}
    assert not found, f"the PDF's text shows: {found}"


def test_every_character_has_a_glyph(pdf):
    """xelatex drops a character no loaded font has (ᵀ, ⪰, ...) and only says so in its log."""
    log = pdf.with_suffix(".log")
    if not log.is_file():
        pytest.skip(f"no LaTeX log next to {pdf}")
    missing = sorted(set(re.findall(r"Missing character: There is no (.+?) in font", log.read_text(errors="replace"))))
    assert not missing, f"printed as nothing (no glyph in the fonts of _config.yml's latex_elements): {missing}"


def test_every_font_is_embedded(pdf):
    lines = _run("pdffonts", str(pdf)).splitlines()
    assert lines[1].startswith("---"), lines[:2]
    rows = [line for line in lines[2:] if line.strip()]
    assert rows, "pdffonts lists no font"
    # Columns: name, type (one or two words), encoding, emb, sub, uni, object ID; emb is 4th from the right.
    not_embedded = [row for row in rows if row.split()[-5] != "yes"]
    assert not not_embedded, f"fonts not embedded: {not_embedded}"


def test_explorers_are_printed_as_figures(edition, words, pdf, pages, text):
    expected = _explorer_count()
    caption = words["caption"]
    assert expected >= 1, "the book makes no explorer: update this test"
    assert text.count(caption) == expected, (
        f"{text.count(caption)} explorer figures in the PDF, {expected} explorers in the book")
    assert all(where in text for where in words["live"]), f"the caption does not say {words['live']}"
    first = next(i for i, page in enumerate(pages, 1) if caption in _flat(page))
    # The grid is an image on the caption's page (a figure and its caption stay on one page).
    images = _run("pdfimages", "-list", "-f", str(first), "-l", str(first), str(pdf)).splitlines()[2:]
    assert any(line.split()[2] == "image" and int(line.split()[3]) >= 400 for line in images), (
        f"no image of at least 400 px wide on page {first} (the explorer's caption): {images}")
    path = _screenshot(pdf, first, f"pdf-{edition}-explorer")
    print(f"page {first} (an explorer's printed grid) rendered to {path}")


def test_proofs_theorems_equations_and_references_are_typeset(edition, words, pdf, pages, text):
    # Numbered by chapter, as in the HTML book: Theorem 7.1 and (6.7), not Theorem 7.1.1.
    theorem, proof = words["theorem"], words["proof"]
    assert re.search(theorem + r" \d+\.\d+(?![.\d])", text), f"no theorem numbered by chapter ({theorem} 7.1)"
    assert not re.search(f"({words['statements']})" + r" \d+\.\d+\.\d+", text), "numbered by section"
    assert re.search(r"\(\d+\.\d+\)", text), "no numbered equation such as (6.7)"
    proof_pages = [i for i, page in enumerate(pages, 1) if re.search(f"^ *{proof} *$", page, re.M)]
    assert proof_pages, f"no page with a proof (a line '{proof}': the title tools/pdf_edition.py gives a proof)"
    assert not re.search(rf"\b{proof}\. ", text), f"a proof without its title (its text still starts '{proof}. ')"
    # The bibliography: sphinxcontrib-bibtex's entries, cited in the text as (Lee and Seung, 2001).
    assert words["bibliography"] in text and re.search(words["citation"], text), "no resolved citation"
    path = _screenshot(pdf, proof_pages[0], f"pdf-{edition}-proof")
    print(f"page {proof_pages[0]} (a proof) rendered to {path}")


# --- the explorer's printed stand-in (no PDF tools needed) ---------------------------------------------


def _png_of(markdown):
    import base64
    import io

    from PIL import Image

    head, _, rest = markdown.partition("data:image/png;base64,")
    assert head == "```{figure} ", f"not a MyST figure of a PNG data URI: {markdown[:80]!r}"
    return Image.open(io.BytesIO(base64.b64decode(rest.split("\n", 1)[0])))


@pytest.mark.parametrize("kind", ["images", "text", "heatmap"])
def test_a_static_explorer_carries_its_printed_grid(kind):
    import numpy as np

    from nmf_teach.widgets import explorer

    V = np.random.default_rng(0).random((16, 12))
    options = {"images": {"image_shape": (4, 4)}, "text": {"row_labels": [f"w{i}" for i in range(16)]}}
    book = explorer(V, ranks=(2, 3), iterations=20, static=True, progress=False, **options.get(kind, {}))
    bundle = book._repr_mimebundle_()
    assert {"text/html", "text/markdown", "text/plain"} <= set(bundle)
    markdown = bundle["text/markdown"]
    assert book.print_iterations() == [0, 2, 5, 20]  # four of 0, 1, 2, 5, 10, 20: first and last included
    image = _png_of(markdown)
    assert image.width >= 1000 and image.height >= 400, image.size  # 6.5 in at 200 dpi, two rows
    caption = markdown.split("\n\n", 1)[1]
    for words in ("r = 2, 3 (rows)", "k = 0, 2, 5, 20 iterations", "HTML book", "Jupyter", "from 1 to 3"):
        assert words in caption, f"{words!r} not in the caption: {caption}"
    assert markdown.endswith("\n```\n")
    live = explorer(V, ranks=(2, 3), iterations=20, static=False, progress=False)
    assert "text/markdown" not in live._repr_mimebundle_(), "in Jupyter no printed grid is computed"
