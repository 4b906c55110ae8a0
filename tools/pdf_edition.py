"""Sphinx extension for the PDF edition (``make pdf``: the LaTeX builder); HTML builds are left as they are.

Five things the LaTeX build needs that configuration alone does not give:

* SVG figures become PDF with ``rsvg-convert`` (Debian's librsvg2-bin, installed by ``make pdf``): LaTeX
  cannot include SVG, and Sphinx's own converter calls ImageMagick, which is not part of the install.
* Outputs that only have HTML besides their repr -- the chapters' small tables (``IPython.display.HTML``
  of a ``<table>``) and matplotlib's animation player (``to_jshtml``) -- would print as
  ``<IPython.core.display.HTML object>``. A table becomes a LaTeX table with the same cells; an animation
  becomes its last frame, with a line saying that it plays in the HTML book. (Any other HTML-only output
  keeps its repr, and tests/test_pdf.py fails on it.)
* The back matter (an unnumbered part of ``_toc.yml``: errata, references) is unnumbered, as in HTML.
* A proof gets "Proof" as its title: sphinx-proof makes it an admonition without one and starts its text
  with "Proof. ", which LaTeX draws as an empty title bar above the proof.
* Theorems, exercises, figures and equations are numbered by chapter, as in the HTML book (Theorem 7.1,
  Fig. 9.1, (6.7)). With parts in the table of contents sphinx-jupyterbook-latex sets
  ``numfig_secnum_depth = 2``, which gives the right LaTeX counters but numbers sphinx-proof's theorems
  by section (Theorem 7.1.1); this sets it back to the book's 1, and ``_config.yml``'s LaTeX preamble
  numbers figures, tables and equations within chapters.

(And Sphinx's "copying images" log line names an image extracted from a data URI by its file, not by the
whole URI: the explorers' printed grids made the build log 3.6 MB.)
"""

import re
import shutil
import subprocess
from html.parser import HTMLParser

from docutils import nodes
from sphinx import addnodes
from sphinx.builders.latex import LaTeXBuilder
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.transforms.post_transforms.images import DataURIExtractor, ImageConverter

# A mime bundle holding one of these is printed as it is (myst-nb picks it for LaTeX).
_PRINTABLE = {"application/pdf", "image/png", "image/jpeg", "text/latex", "text/markdown"}
# matplotlib's to_jshtml(): frames[0] = "data:image/png;base64,..." (base64 lines end in a backslash).
_FRAME = re.compile(r'frames\[(\d+)\]\s*=\s*"(data:image/(?:png|jpeg);base64,[A-Za-z0-9+/=\\\s]+)"')


class RsvgConverter(ImageConverter):
    """SVG to PDF for LaTeX, vector and with its text as text."""

    conversion_rules = [("image/svg+xml", "application/pdf")]

    def is_available(self):
        return shutil.which("rsvg-convert") is not None

    def convert(self, _from, _to):
        result = subprocess.run(["rsvg-convert", "--format=pdf", f"--output={_to}", _from],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise ExtensionError(f"rsvg-convert could not convert {_from}: {result.stderr.strip()}")
        return True


class QuietDataURIExtractor(DataURIExtractor):
    """Sphinx's own extraction of data-URI images into files, except that its "copying images" log line names
    the file rather than the whole URI (the explorers' printed grids would put megabytes of base64 in the log)."""

    default_priority = DataURIExtractor.default_priority - 1

    def handle(self, node):
        super().handle(node)
        self.app.env.original_image_uri.pop(node["uri"], None)


class _Table(HTMLParser):
    """The rows of the first <table> of an HTML string: (is_header, [cell text, ...]) per row."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self._cell, self._depth = [], None, 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._depth += 1
        elif tag == "tr" and self._depth == 1:
            self.rows.append((True, []))
        elif tag in ("td", "th") and self._depth == 1 and self.rows:
            self._cell = []
            if tag == "td":
                self.rows[-1] = (False, self.rows[-1][1])
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "table":
            self._depth -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1][1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _table_node(text):
    """A docutils table with the cells of the HTML table in ``text``, or None if there is no table."""
    if "<table" not in text.lower():
        return None
    parser = _Table()
    parser.feed(text)
    rows = [row for row in parser.rows if row[1]]
    if not rows:
        return None
    width = max(len(cells) for _, cells in rows)
    table = nodes.table(classes=["nmf-teach-html-table"])
    group = nodes.tgroup(cols=width)
    table += group
    group += [nodes.colspec(colwidth=1) for _ in range(width)]
    heading = 0  # the leading rows of <th> cells only are the table's head
    while heading < len(rows) and rows[heading][0]:
        heading += 1
    head, body = [cells for _, cells in rows[:heading]], [cells for _, cells in rows[heading:]]
    for part, part_rows in ((nodes.thead(), head), (nodes.tbody(), body)):
        if not part_rows:
            continue
        for cells in part_rows:
            row = nodes.row()
            for j in range(width):
                entry = nodes.entry()
                entry += nodes.paragraph(text=cells[j] if j < len(cells) else "")
                row += entry
            part += row
        group += part
    return table


def _animation_nodes(text):
    """The last frame of a matplotlib to_jshtml() player, with a line saying where it plays; or None."""
    frames = {int(k): re.sub(r"[\\\s]", "", uri) for k, uri in _FRAME.findall(text)}
    if not frames:
        return None
    last = max(frames)
    note = nodes.paragraph(text=f"An animation of {last + 1} frames, shown here by its last frame: "
                                f"it plays in the HTML book (and in Jupyter).")
    return [nodes.image(uri=frames[last], candidates={"?": frames[last]}), note]


class PrintHtmlOutputs(SphinxPostTransform):
    """LaTeX only: give HTML-only outputs (tables, animations) a printable form before myst-nb picks one."""

    default_priority = 3  # before myst-nb's SelectMimeType (4)
    builders = ("latex",)

    def run(self, **kwargs):
        for bundle in list(self.document.findall(nodes.container)):
            if bundle.get("nb_element") != "mime_bundle":
                continue
            kinds = {child.get("mime_type"): child for child in bundle.children}
            if "text/html" not in kinds or _PRINTABLE & set(kinds):
                continue
            text = "".join(raw.astext() for raw in kinds["text/html"].findall(nodes.raw))
            printed = _animation_nodes(text)
            if printed is None:
                table = _table_node(text)
                printed = None if table is None else [table]
            if printed:
                container = nodes.container(mime_type="text/markdown")
                container += printed
                bundle += container


# The word sphinx-proof's text starts with, in each edition (tools/editions.py).
PROOF_WORDS = ("Proof", "Demonstração")


class TitleProofs(SphinxPostTransform):
    """LaTeX only: sphinx-proof's untitled proof admonition gets the title "Proof" (taken from its text)."""

    default_priority = 3
    builders = ("latex",)

    def run(self, **kwargs):
        for proof in list(self.document.findall(nodes.admonition)):
            if "proof" not in proof["classes"] or (proof.children and isinstance(proof[0], nodes.title)):
                continue
            first = next(iter(proof.findall(nodes.Text)), None)
            word = next((w for w in PROOF_WORDS if first is not None and first.astext().startswith(w + ". ")), None)
            if word is None:
                continue
            first.parent.replace(first, nodes.Text(first.astext()[len(word) + 2:]))
            proof.insert(0, nodes.title(text=word))


class UnnumberedBackMatter(SphinxPostTransform):
    """LaTeX only: the chapters of an unnumbered part of _toc.yml (the back matter) are unnumbered, as in HTML.

    Sphinx's LaTeX numbers every chapter (Errata would be "12"); at each change between numbered and
    unnumbered files this sets LaTeX's secnumdepth (-1: no numbers; the chapters stay in the contents).
    """

    default_priority = 3
    builders = ("latex",)

    def run(self, **kwargs):
        numbered_before = None
        for start in list(self.document.findall(addnodes.start_of_file)):
            numbered = bool(self.env.toc_secnumbers.get(start["docname"]))
            if numbered_before is not None and numbered != numbered_before:
                depth = r"\nmfsecnumdepth" if numbered else "-1"
                start.insert(0, nodes.raw("", f"\\setcounter{{secnumdepth}}{{{depth}}}\n", format="latex"))
            if numbered or numbered_before is not None:
                numbered_before = numbered


def _chapter_numbers(app):
    if isinstance(app.builder, LaTeXBuilder):
        app.config.numfig_secnum_depth = 1


def setup(app):
    app.add_post_transform(RsvgConverter)
    app.add_post_transform(QuietDataURIExtractor)
    app.add_post_transform(PrintHtmlOutputs)
    app.add_post_transform(TitleProofs)
    app.add_post_transform(UnnumberedBackMatter)
    app.connect("builder-inited", _chapter_numbers, priority=900)  # after sphinx-jupyterbook-latex's (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
