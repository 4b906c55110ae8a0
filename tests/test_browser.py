"""The built book in a real browser (Debian's chromium driven by Playwright), offline.

Over every page of ``_build/html``, both editions (the Portuguese one is ``_build/html/pt``;
``make test`` builds them first; the folder can be changed with ``NMF_TEACH_HTML``), these tests check that

1. the math renders: MathJax typeset every formula, with no error and no raw TeX left;
2. every explorer of :mod:`nmf_teach.widgets` works without a kernel: moving the
   rank slider and the iteration slider changes the shown images and labels and
   moves the loss marker (screenshots before and after a move, at 1280 px and
   400 px, go to ``_build/screenshots/``);
3. no page requests anything outside the book (every request is recorded; the
   book is served on 127.0.0.1 and nothing else is let through);
4. every chapter made from a notebook has its Binder and Colab launch buttons.

And that check 2 has teeth: on a page holding a plain ipywidgets ``interact``
saved by a kernel (the usual way to put a slider in a notebook), the same check
fails, because there the slider moves and the picture never changes.

The browser is ``/usr/bin/chromium`` (``NMF_TEACH_CHROMIUM`` to change it);
Playwright's own browser download is never used.
"""

import functools
import http.server
import json
import os
import re
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = Path(os.environ.get("NMF_TEACH_HTML", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = HTML.parent / "screenshots"
CHROMIUM = os.environ.get("NMF_TEACH_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
SKIP_DIRS = {"_static", "_sources", "_images", "reports", "_sphinx_design_static", "_panels_static"}
SKIP_PAGES = {"search.html", "genindex.html"}
PT = "pt"   # the Portuguese edition's folder (tools/editions.py)
MISSING = (f"the built book is missing: {HTML / 'index.html'} does not exist. Build it first "
           f"(`make book`, or `python tools/offline_assets.py && jupyter-book build . -W -n`), "
           f"or point NMF_TEACH_HTML at a built _build/html folder.")


def book_pages():
    """Every content page of the built book, relative to ``HTML`` (posix paths)."""
    if not (HTML / "index.html").is_file():
        return []
    pages = []
    for path in sorted(HTML.rglob("*.html")):
        relative = path.relative_to(HTML)
        if (set(relative.parts) & SKIP_DIRS or relative.name in SKIP_PAGES
                or relative.as_posix() in ("index.html", f"{PT}/index.html")):
            continue
        pages.append(relative.as_posix())
    return pages


# The pages are found when the tests are collected; with no built book, one failing case says so.
PAGES = book_pages() or ["<no built book>"]


def _require_book(page):
    if page == "<no built book>" or not (HTML / "index.html").is_file():
        pytest.fail(MISSING)


# --- fixtures ------------------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    """The built book served on 127.0.0.1 (a free port) from a thread."""
    if not (HTML / "index.html").is_file():
        pytest.fail(MISSING)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(_QuietHandler, directory=str(HTML)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (make setup does it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def _is_local(url, origin):
    return url.startswith((origin, "data:", "blob:", "about:", "file://"))


def open_page(browser, url, origin, width=1280):
    """Open ``url`` offline: every request is recorded, and any that leaves the book is aborted."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    requests, errors = [], []

    def route(route_):
        if _is_local(route_.request.url, origin):
            route_.continue_()
        else:
            route_.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed",
            lambda r: errors.append(f"failed {r.url}") if _is_local(r.url, origin) else None)
    page.goto(url, wait_until="load")
    if page.locator(".math").count():
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
    return context, page, requests, errors


@pytest.fixture(scope="module")
def visits(browser, server):
    """Every page visited once: its requests, its math, its launch links, its explorers."""
    records = {}
    for name in book_pages():
        context, page, requests, errors = open_page(browser, server + name, server)
        page.wait_for_timeout(300)  # late requests (fonts, widget scripts)
        records[name] = {
            "requests": list(requests),
            "errors": errors,
            "math": page.evaluate(_MATH_REPORT),
            "links": page.eval_on_selector_all("a[href]", "nodes => nodes.map(n => n.href)"),
            "explorers": page.locator(".nmf-explorer").count(),
        }
        context.close()
    return records


_MATH_REPORT = r"""() => {
  const math = Array.from(document.querySelectorAll('.math'));
  const article = (document.querySelector('article') || document.body).cloneNode(true);
  article.querySelectorAll('pre, code, script, style, textarea, .highlight, .nmf-explorer, mjx-container, '
                           + 'mjx-assistive-mml').forEach(n => n.remove());
  return {
    formulas: math.length,
    typeset: math.filter(n => n.querySelector('mjx-container')).length,
    containers: document.querySelectorAll('mjx-container').length,
    errors: document.querySelectorAll('mjx-merror, merror, [data-mjx-error]').length,
    errorTexts: Array.from(document.querySelectorAll('mjx-merror, [data-mjx-error]'))
                  .map(n => n.getAttribute('data-mjx-error') || n.textContent).slice(0, 5),
    text: article.textContent,
  };
}"""
_RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\$[^$\n]{0,200}\\[A-Za-z]+[^$\n]{0,200}\$")


# --- 1. math --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_math_renders_without_error(visits, page):
    _require_book(page)
    math = visits[page]["math"]
    assert math["typeset"] == math["formulas"], (
        f"{page}: MathJax typeset {math['typeset']} of {math['formulas']} formulas")
    assert math["errors"] == 0, f"{page}: MathJax errors: {math['errorTexts']}"
    raw = _RAW_TEX.findall(math["text"])
    assert not raw, f"{page}: raw TeX left in the text: {raw[:5]}"


# --- 3. offline -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_page_requests_nothing_outside_the_book(visits, server, page):
    _require_book(page)
    outside = [url for url in visits[page]["requests"] if not _is_local(url, server)]
    assert not outside, f"{page} requested {len(outside)} URL(s) outside the book: {outside[:5]}"
    # Every file the page asks the book for exists (the offline scripts, the widget fonts), and no script
    # fails. (sphinx-thebe declares THEBE_JS_URL twice on every page: harmless, and not this book's doing.)
    errors = [e for e in visits[page]["errors"] if "THEBE_JS_URL" not in e]
    assert not errors, f"{page}: failed requests or JavaScript errors: {errors[:5]}"


# --- 4. launch buttons ----------------------------------------------------------------------------------


def notebook_pages():
    return [p for p in book_pages() if (HTML / "_sources" / p).with_suffix(".ipynb").is_file()]


def test_book_has_notebook_chapters():
    if not book_pages():
        pytest.fail(MISSING)
    assert notebook_pages(), "no page of the built book comes from a notebook: no launch button to check"


@pytest.mark.parametrize("page", notebook_pages() or ["<no notebook page>"])
def test_launch_buttons(visits, page):
    if page == "<no notebook page>":
        pytest.skip("no notebook page (test_book_has_notebook_chapters fails)")
    notebook = Path(page.removeprefix(f"{PT}/")).with_suffix(".ipynb").as_posix()   # one notebook, two editions
    links = visits[page]["links"]
    binder = [link for link in links if "mybinder.org/v2/gh/" in link and notebook in link]
    colab = [link for link in links if "colab.research.google.com/github/" in link and notebook in link]
    assert binder, f"{page}: no Binder launch button for {notebook}"
    assert colab, f"{page}: no Colab launch button for {notebook}"


# --- 2. explorers ---------------------------------------------------------------------------------------

_SNAPSHOT = """root => ({
  images: Array.from(root.querySelectorAll('img')).map(i => i.currentSrc || i.src)
            .concat(Array.from(root.querySelectorAll('.nmfx-text')).map(n => n.innerHTML)),
  labels: root.innerText,
  marker: (() => { const m = root.querySelector('.nmfx-marker');
                   return m ? [m.getAttribute('cx'), m.getAttribute('cy')] : null; })(),
})"""
_POSITION = """el => el.tagName === 'INPUT' ? [+el.value, +el.max]
                   : [+el.getAttribute('aria-valuenow'), +el.getAttribute('aria-valuemax')]"""


def _move(page, slider):
    """Move a slider one step with the keyboard, as a reader would (back if it is at its end)."""
    value, top = slider.evaluate(_POSITION)
    slider.focus()
    page.keyboard.press("ArrowLeft" if value >= top else "ArrowRight")
    page.wait_for_timeout(300)


def assert_sliders_drive_the_view(page, root, shots=None):
    """Moving each of the first two sliders of ``root`` changes its images and labels and moves the marker."""
    sliders = root.locator("input[type=range], [role=slider]")
    assert sliders.count() >= 2, f"expected a rank and an iteration slider, found {sliders.count()}"
    for index, name in enumerate(("rank", "iteration")):
        before = root.evaluate(_SNAPSHOT)
        if shots:
            root.screenshot(path=str(shots / f"{name}-before.png"))
        _move(page, sliders.nth(index))
        after = root.evaluate(_SNAPSHOT)
        if shots:
            root.screenshot(path=str(shots / f"{name}-after.png"))
        assert after["labels"] != before["labels"], f"moving the {name} slider did not change the labels"
        assert after["images"] != before["images"], f"moving the {name} slider did not change the image"
        assert after["marker"] is not None, "there is no loss marker"
        assert after["marker"] != before["marker"], f"moving the {name} slider did not move the loss marker"


def explorer_pages():
    return [p for p in book_pages() if 'class="nmf-explorer' in (HTML / p).read_text(encoding="utf-8")]


def test_book_has_an_explorer():
    if not book_pages():
        pytest.fail(MISSING)
    assert explorer_pages(), "no page of the built book shows an explorer of nmf_teach.widgets"


@pytest.mark.parametrize("page", explorer_pages() or ["<no explorer page>"])
@pytest.mark.parametrize("width", [1280, 400])
def test_explorer_sliders_work_without_a_kernel(browser, server, page, width):
    if page == "<no explorer page>":
        pytest.skip("no explorer page (test_book_has_an_explorer fails)")
    context, tab, requests, errors = open_page(browser, server + page, server, width=width)
    try:
        explorers = tab.locator(".nmf-explorer")
        assert explorers.count() >= 1
        for index in range(explorers.count()):
            root = explorers.nth(index)
            root.scroll_into_view_if_needed()
            shots = SCREENSHOTS / f"{Path(page).stem}-explorer{index + 1}-{width}px"
            shots.mkdir(parents=True, exist_ok=True)
            if index == 0:
                tab.screenshot(path=str(SCREENSHOTS / f"{Path(page).stem}-{width}px-before.png"), full_page=True)
            assert_sliders_drive_the_view(tab, root, shots)
            if index == 0:
                tab.screenshot(path=str(SCREENSHOTS / f"{Path(page).stem}-{width}px-after.png"), full_page=True)
            box = root.bounding_box()
            assert box["width"] <= width, f"the explorer is wider ({box['width']} px) than the {width} px screen"
        outside = [url for url in requests if not _is_local(url, server)]
        assert not outside, f"moving the sliders requested {outside[:3]}"
    finally:
        context.close()


# --- the check has teeth ----------------------------------------------------------------------------------


def test_explorer_check_passes_on_a_standalone_explorer(browser, tmp_path):
    """The same check on a page written by Explorer.save_html (no book, no kernel)."""
    from nmf_teach import make_swimmer
    from nmf_teach.widgets import explorer

    V, *_ = make_swimmer()
    page_path = explorer(V, ranks=(3, 9), iterations=20, image_shape=(32, 32), seed=0).save_html(
        tmp_path / "explorer.html")
    context = browser.new_context(viewport={"width": 400, "height": 900})
    page = context.new_page()
    page.goto(Path(page_path).as_uri())
    assert_sliders_drive_the_view(page, page.locator(".nmf-explorer"))
    context.close()


_INTERACT_NOTEBOOK = """
%matplotlib inline
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

def show(r=2, k=10):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.imshow(np.random.default_rng(100 * r + k).random((8, 8)))
    ax.set_title(f"r = {r}, k = {k}")
    plt.show()

widgets.interact(show, r=(1, 5), k=(0, 50))
"""


def test_explorer_check_fails_on_a_plain_ipywidgets_interact(browser, tmp_path):
    """A plain ipywidgets interact, saved by a kernel and embedded as the book would: the slider is dead."""
    import nbclient
    import nbformat

    if not (HTML / "_static" / "offline" / "embed-amd.js").is_file():
        pytest.fail(MISSING + " (with its offline scripts: _static/offline/embed-amd.js)")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_INTERACT_NOTEBOOK)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    views = [output["data"]["application/vnd.jupyter.widget-view+json"]
             for output in nb.cells[0].outputs if "application/vnd.jupyter.widget-view+json" in output.get("data", {})]
    assert views, "the interact cell displayed no widget"
    static = (HTML / "_static" / "offline").as_uri()
    page_html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<script src="{static}/widgets-assets-path.js"></script><script src="{static}/require.js"></script>'
        f'<script src="{static}/embed-amd.js"></script>'
        f'<script type="application/vnd.jupyter.widget-state+json">{json.dumps(state)}</script></head><body>'
        + "".join(f'<div class="plain"><script type="application/vnd.jupyter.widget-view+json">{json.dumps(v)}'
                  '</script></div>' for v in views)
        + "</body></html>")
    (tmp_path / "interact.html").write_text(page_html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 900, "height": 900})
    page = context.new_page()
    page.goto((tmp_path / "interact.html").as_uri())
    root = page.locator(".plain").first
    root.locator("[role=slider]").first.wait_for(timeout=20000)
    root.locator("img").first.wait_for(timeout=20000)  # the saved picture is there...
    with pytest.raises(AssertionError, match="did not change the image"):
        assert_sliders_drive_the_view(page, root)  # ...but moving the slider leaves it as it was
    context.close()
