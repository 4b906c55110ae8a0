"""The chapters as live slides, and what JupyterLab shows for the book's citations and equations
(tools/notebooks.py; the browser side is in tests/test_lab.py)."""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import notebooks  # noqa: E402

LECTURE_TITLE = re.compile(r"\(\*([^*]+)\*\)")  # a section that is a slide of the lecture names it: (*Fatoração*)


def _markdown(source, id_="m"):
    return {"cell_type": "markdown", "id": id_, "metadata": {}, "source": notebooks._lines(source)}


def _notebook(*cells):
    return {"metadata": {}, "nbformat": 4, "nbformat_minor": 5, "cells": list(cells)}


def test_a_heading_inside_a_cell_starts_a_slide_of_its_own():
    nb = _notebook(_markdown("## Summary\n\n- one\n\n(sec-ex)=\n## Exercises\n\n:::{exercise}\n:label: e\n\n"
                             "### Not a slide: inside a directive\n:::\n\n### Part (*Fatoração*)\nText."))
    cells = [c for c in notebooks.normalize(nb)["cells"] if c["cell_type"] == "markdown"]
    sources = ["".join(c["source"]) for c in cells]
    assert [s.split("\n")[0] for s in sources] == ["## Summary", "(sec-ex)=", "### Part (*Fatoração*)"]
    assert "### Not a slide" in sources[1], "a heading inside a directive must stay in it"
    assert [c["metadata"]["slideshow"]["slide_type"] for c in cells] == ["slide", "slide", "subslide"]
    assert len({c["id"] for c in cells}) == 3
    assert "".join(sources) == "## Summary\n\n- one\n(sec-ex)=\n## Exercises\n\n:::{exercise}\n:label: e\n\n" \
        "### Not a slide: inside a directive\n:::\n### Part (*Fatoração*)\nText."
    again = notebooks.normalize(notebooks.normalize(nb))
    assert again == notebooks.normalize(nb), "normalizing twice changes nothing"


def test_a_slide_taller_than_the_screen_scrolls():
    assert notebooks.normalize(_notebook(_markdown("# T")))["metadata"]["rise"] == {"scroll": True}


def test_every_section_and_every_slide_of_the_lecture_has_its_own_slide():
    """In every chapter (as normalized) each ## or ### heading outside a directive starts its cell, and that
    cell starts a slide or a sub-slide (a solution's are skipped); no two lecture slides named in headings
    share one (sub-)slide."""
    for path in notebooks.notebooks():
        nb = notebooks.normalize(json.loads(path.read_text(encoding="utf-8")))
        slide, titles = -1, {}
        for cell in nb["cells"]:
            kind = cell["metadata"]["slideshow"]["slide_type"]
            slide += kind in ("slide", "subslide")
            if cell["cell_type"] != "markdown" or kind == "skip":
                continue
            text = "".join(cell["source"])
            starts = notebooks._heading_starts(text)
            assert starts in ([], [0]), f"{path.name}: a heading inside a cell: {text[:80]!r}"
            if starts:
                assert kind in ("slide", "subslide"), f"{path.name}: {text[:60]!r} does not start a slide"
            for title in LECTURE_TITLE.findall(text.split("\n\n")[0]):
                titles.setdefault(slide, []).append(title)
        shared = {k: v for k, v in titles.items() if len(v) > 1}
        assert not shared, f"{path.name}: lecture slides sharing a slide: {shared}"


def test_book_index_numbers_labels_as_the_book(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "references.bib").write_text(
        "@article{lee2001a, author = {Lee, Daniel D. and Seung, H. Sebastian}, title = {A}, year = {2001}}\n"
        "@book{g, author = {Golub, G. and Van Loan, C. and Third, T.}, title = {B}, year = {2013}}\n")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nparts:\n"
                                       "  - caption: C\n    numbered: true\n    chapters:\n"
                                       "      - file: book/one\n      - file: book/two\n"
                                       "  - caption: Back\n    chapters:\n      - file: book/errata\n")
    one = _notebook(_markdown("```{math}\n:label: eq-a\nx\n```\n\n$$y$$\n\n:::{math}\n:label: eq-B\nz\n:::\n"))
    two = _notebook(_markdown("```{math}\n:name: n\n:label: eq-c\nx\n```\n:::{prf:theorem}\n:::\n"
                              ":::{prf:theorem} T\n:label: thm-T\n:::\n:::{prf:proof}\n:label: p\n:::\n"
                              ":::{prf:lemma}\n:label: lem\n:::\n(sec-x)=\n## A *section*\n"
                              ":::{exercise}\n:label: ex-A\n:::\n"))
    errata = _notebook(_markdown("```{math}\n:label: eq-errata\nx\n```\n"))
    for name, nb in (("one", one), ("two", two), ("errata", errata)):
        (tmp_path / "book" / f"{name}.ipynb").write_text(json.dumps(nb))
    index = notebooks.book_index(tmp_path)
    assert index["cite"] == {"lee2001a": "[Lee and Seung, 2001]", "g": "[Golub et al., 2013]"}
    assert {label: ref["text"] for label, ref in index["ref"].items()} == {
        "eq-a": "(1.1)", "eq-B": "(1.2)", "eq-c": "(2.1)", "thm-T": "Theorem 2.2", "lem": "Lemma 2.1",
        "sec-x": "A section", "ex-A": "Exercise 2.1"}, "the errata (not numbered) and a proof have no number"
    assert index["ref"]["eq-B"]["page"] == "book/one.html#equation-eq-b"
    assert index["ref"]["thm-T"]["page"] == "book/two.html#thm-t"
    assert index["ref"]["ex-A"]["page"] == "book/two.html#ex-A"
    assert index["url"] == notebooks.BOOK_URL


def test_the_stored_book_index_is_current():
    stored = json.loads((ROOT / notebooks.BOOK_INDEX).read_text(encoding="utf-8"))
    assert stored == notebooks.book_index(), "run `python tools/notebooks.py`"
