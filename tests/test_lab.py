"""A chapter in JupyterLab, as a teacher runs it in class (Playwright driving Debian's chromium).

JupyterLab is started as ``make lab`` starts it (same settings: ``tools/jupyterlab-overrides.json``,
with jupyterlab-myst rendering the MyST markup), on a
copy of chapter 01 in a temporary folder, at a projector's 1280×720. The test

1. opens the chapter and checks that opening it does not mark it modified;
2. runs all cells and checks that no raw MyST markup is left in the rendered prose
   (``{prf:``, ``{glue``, ``{eval}``, ``{ref}``, ``:label:``, ``:::`` ...) and that a number
   computed by the cells is shown in the prose;
3. moves the explorer's rank slider to a rank that was not precomputed for the book (8), sees the
   label "computing rank r = 8" and the progress bar, waits until the parts image and the status line
   change, and measures the explorer: it fits the notebook panel's visible area (with the file browser
   open), the label "iteration k" is not cut, the loss curves' labels do not overlap;
4. saves, shuts the kernel down, reloads the page (the next lesson), and checks that the explorer's
   saved view shows (its images and loss curve drawn, "run the cell to make it live") and no
   "Error displaying widget" is visible (the notebook is not trusted: JupyterLab sanitizes the saved
   view's HTML and draws the widget's output as text); then once more after `jupyter trust` (the widget's
   output is drawn as "Error displaying widget", which the saved view's CSS hides).

Screenshots go to ``_build/screenshots/lab-*.png``.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "01_nonnegative_matrices.ipynb"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("NMF_TEACH_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
RAW_MARKUP = ["{prf:", "{glue", "{eval}", "{ref}", "{doc}", "{cite}", "{eq}", ":label:", ":::", "```{",
              "(ch-", "(sec-", "{solution", "{exercise"]
TOKEN = "nmf-teach-test"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_lab(tmp_path_factory, chapters):
    """JupyterLab as `make lab` sets it up (settings and the nmf-teach-lab extension) on copies of ``chapters``.

    Yields (url, folder) and stops the server afterwards.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    folder = tmp_path_factory.mktemp("lab")
    for chapter in chapters:
        shutil.copy(chapter, folder / chapter.name)
    settings = tmp_path_factory.mktemp("settings")
    shutil.copy(ROOT / "tools" / "jupyterlab-overrides.json", settings / "overrides.json")
    jupyter_path = tmp_path_factory.mktemp("jupyter")
    shutil.copytree(ROOT / "tools" / "labextension", jupyter_path / "labextensions" / "nmf-teach-lab")
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), NMF_TEACH_DATA=os.environ.get("NMF_TEACH_DATA", ""),
               JUPYTER_PATH=str(jupyter_path))
    env.pop("NMF_TEACH_STATIC_EXPLORERS", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--ip=127.0.0.1", f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={folder}",
         f"--LabApp.app_settings_dir={settings}",
         f"--LabApp.workspaces_dir={tmp_path_factory.mktemp('workspaces')}"],
        cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("JupyterLab did not start within 60 s")
    yield f"http://127.0.0.1:{port}", folder
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a copy of chapter 01, as `make lab` sets it up."""
    yield from _start_lab(tmp_path_factory, [CHAPTER])


@pytest.fixture(scope="module")
def browser():
    """Chromium, one for the module: Playwright's sync API allows one running instance at a time."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def page(lab, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    yield context.new_page()
    context.close()


def _open(page, url):
    page.goto(f"{url}/lab/tree/{CHAPTER.name}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle'], .jp-mod-idle, "
                           ".jp-StatusBar-TextItem:has-text('Idle')", timeout=90_000)


def _screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"lab-{name}.png"))


def _explorer(page):
    return page.locator(".jp-OutputArea-output .widget-vbox:has(.widget-slider)").first


_VISIBLE_ERRORS = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))
  .filter(e => e.textContent.includes('Error displaying widget') && e.getClientRects().length > 0).length"""
_OVERLAPS = """root => { const boxes = Array.from(root.querySelectorAll('.nmfx-curve text'))
  .map(t => t.getBoundingClientRect()).filter(b => b.height > 0);
  let count = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) count++; }
  return [boxes.length, count]; }"""
_WATCH_PROGRESS = """() => { window.nmfxSeen = [];
  new MutationObserver(() => { for (const e of document.querySelectorAll('.widget-html, .widget-hprogress'))
    window.nmfxSeen.push(e.className.includes('progress') ? 'bar' : e.textContent); })
  .observe(document.body, {childList: true, subtree: true, characterData: true}); }"""


def _check_saved_view(page, name):
    """The reopened explorer: its saved view drawn (images, loss curve, the sentence), no visible error."""
    assert page.evaluate(_VISIBLE_ERRORS) == 0, f"{name}: 'Error displaying widget' is visible"
    saved = page.locator(".jp-OutputArea-output .nmfx-saved").first
    saved.wait_for(state="visible", timeout=30_000)
    saved.evaluate("el => el.scrollIntoView({block: 'center'})")
    time.sleep(1)
    images = saved.evaluate("el => Array.from(el.querySelectorAll('img')).map(i => [i.alt, i.naturalWidth, "
                            "i.getBoundingClientRect().width])")
    drawn = [alt for alt, natural, width in images if natural > 0 and width > 50]
    assert len(drawn) == 4, f"{name}: the saved view's parts, data, reconstruction and loss curve: {images}"
    assert "run the cell to make it live" in saved.inner_text()
    assert "r = 13" in saved.inner_text(), f"{name}: the saved view names the rank it shows"
    _screenshot(page, name)


def test_chapter_in_jupyterlab(lab, page):
    url, folder = lab
    _open(page, url)
    time.sleep(2)
    dirty = page.locator(".jp-DocumentWidget-tab.jp-mod-dirty, .lm-TabBar-tab.jp-mod-dirty").count()
    assert dirty == 0, "opening the stored notebook marked it modified"

    page.keyboard.press("Escape")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    start = time.monotonic()
    while time.monotonic() - start < 300:
        running = page.locator(".jp-InputPrompt:has-text('[*]')").count()
        if running == 0 and time.monotonic() - start > 5:
            break
        time.sleep(1)
    else:
        pytest.fail("Run All did not finish within 300 s")
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']:has-text('Error')")
    assert errors.count() == 0, errors.first.inner_text()
    rendered = ".jp-MarkdownCell .jp-Cell-inputArea > :not(.jp-InputPrompt):not(.jp-InputArea-editor)"
    deadline = time.monotonic() + 60  # the prose's {eval} numbers arrive from the kernel after the cells ran
    while True:
        prose = "\n".join(page.locator(rendered).all_inner_texts())
        if re.search(r"cosine within \d\.\de-\d\d of 1", prose) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert len(prose) > 5000, "the prose was not rendered"
    raw = {marker: prose.count(marker) for marker in RAW_MARKUP if marker in prose}
    assert not raw, f"raw MyST markup is visible in JupyterLab: {raw}"
    assert re.search(r"cosine within \d\.\de-\d\d of 1", prose), "the glued number is not shown in the prose"
    _screenshot(page, "01-run-all")

    explorer = _explorer(page)
    explorer.scroll_into_view_if_needed()
    parts = explorer.locator("img.nmfx-parts")
    before = parts.get_attribute("src")
    explorer.locator(".nmfx-status").wait_for(timeout=60_000)  # the first view
    page.evaluate(_WATCH_PROGRESS)
    rank_slider = explorer.locator(".widget-slider:has-text('rank r')")
    readout = rank_slider.locator(".widget-readout")  # the slider's number: a reader can type a rank there
    readout.click()
    readout.evaluate("el => { const r = document.createRange(); r.selectNodeContents(el); "
                     "const s = window.getSelection(); s.removeAllRanges(); s.addRange(r); }")
    page.keyboard.type("8")
    page.keyboard.press("Enter")
    page.wait_for_function(  # the view is redrawn (a new element) when the new rank's run is computed
        "() => Array.from(document.querySelectorAll('.nmfx-status')).some(e => e.textContent.includes('r = 8'))",
        timeout=90_000)
    seen = page.evaluate("() => window.nmfxSeen")
    assert any("computing rank r = 8" in text for text in seen), "the view did not say which rank it computes"
    assert "bar" in seen, "no progress bar while rank 8 was computed"
    assert parts.get_attribute("src") != before, "the parts image did not change at rank 8"
    label = explorer.locator(".widget-slider:has-text('iteration k') .widget-label").first
    assert label.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), "the label 'iteration k' is cut"
    curves, overlaps = explorer.evaluate(_OVERLAPS)
    assert curves >= 2 and overlaps == 0, f"{overlaps} pairs of the {curves} curve labels overlap"
    # With the file browser open at 1280×720, the whole explorer (controls, images, curve, note) fits the
    # notebook panel's visible area.
    assert page.locator(".jp-FileBrowser").first.is_visible(), "the file browser is open"
    explorer.evaluate("el => el.scrollIntoView({block: 'start'})")
    time.sleep(1)
    box = explorer.bounding_box()
    panel = page.locator(".jp-NotebookPanel-notebook").first.bounding_box()
    print(f"explorer {box['width']:.0f}×{box['height']:.0f} px, notebook panel's visible area "
          f"{panel['width']:.0f}×{panel['height']:.0f} px")
    assert box["height"] <= panel["height"] and box["width"] <= panel["width"], (box, panel)
    assert panel["y"] - 1 <= box["y"] and box["y"] + box["height"] <= panel["y"] + panel["height"] + 1, (box, panel)
    _screenshot(page, "01-rank-8")

    page.keyboard.press("Control+s")
    time.sleep(3)
    saved = json.loads((folder / CHAPTER.name).read_text())
    views = ["".join(output.get("data", {}).get("text/html", "")) for cell in saved["cells"]
             for output in cell.get("outputs", [])]
    views = [view for view in views if 'class="nmfx-saved"' in view]
    assert len(views) == 1, "the notebook was not saved with the explorer's saved view"
    print(f"the explorer's saved view: {len(views[0].encode()) / 1e3:.0f} kB of the notebook's "
          f"{(folder / CHAPTER.name).stat().st_size / 1e3:.0f} kB")
    # Reopen it as the next lesson would: its kernel gone, the page loaded anew.
    for kernel in json.loads(urllib.request.urlopen(f"{url}/api/kernels?token={TOKEN}").read()):
        urllib.request.urlopen(urllib.request.Request(f"{url}/api/kernels/{kernel['id']}?token={TOKEN}",
                                                      method="DELETE"))
    page.reload()
    _open(page, url)
    time.sleep(5)
    _check_saved_view(page, "01-reopened")
    # The same notebook trusted (as `jupyter trust` or File > Trust Notebook do): JupyterLab then draws the
    # widget's output, "Error displaying widget: model not found", and the saved view's CSS hides it.
    subprocess.run([sys.executable, "-m", "jupyter", "trust", str(folder / CHAPTER.name)], check=True,
                   capture_output=True)
    page.reload()
    _open(page, url)
    time.sleep(5)
    assert page.locator("text=Error displaying widget").count() >= 1, "the trusted notebook drew no widget output"
    _check_saved_view(page, "01-reopened-trusted")


# ---------------------------------------------------------------------------
# The chapters as live slides, their citations and equation numbers, and folded solutions after
# Run All: with tools/labextension (nmf-teach-lab) installed, as `make lab` installs it.
# ---------------------------------------------------------------------------

SLIDES_CHAPTER = ROOT / "book" / "01_nonnegative_matrices.ipynb"
PROSE_CHAPTER = ROOT / "book" / "05_objective_and_gradients.ipynb"  # cites, other chapters' equations, solutions
RENDERED = ".jp-MarkdownCell .jp-Cell-inputArea > :not(.jp-InputPrompt):not(.jp-InputArea-editor)"
# The rendered prose's text, leaving out the bare keys and labels the extension covers with the book's text.
PROSE_JS = """sel => Array.from(document.querySelectorAll(sel)).map(e => {
    const c = e.cloneNode(true); c.querySelectorAll('.nmf-teach-ref').forEach(r => r.remove());
    return c.textContent; }).join('\\n')"""


@pytest.fixture(scope="module")
def lab_ext(tmp_path_factory):
    """JupyterLab as `make lab` sets it up, on two chapters."""
    yield from _start_lab(tmp_path_factory, [SLIDES_CHAPTER, PROSE_CHAPTER])


@pytest.fixture()
def page_ext(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.messages = []
    page.on("console", lambda message: page.messages.append(message.text))
    yield page
    context.close()


def _raw_markup(text):
    return {marker: text.count(marker) for marker in RAW_MARKUP + ["(label)=", "Citation Not Found"] if marker in text}


def _open_slideshow(page, url):
    """Chapter 01 as jupyterlab-rise presents it, its MyST rendered."""
    page.goto(f"{url}/rise/{SLIDES_CHAPTER.name}?token={TOKEN}")
    page.wait_for_selector(".reveal .slides section.present", timeout=90_000)
    page.wait_for_function("() => document.querySelectorAll('.jp-MarkdownCell .myst').length > 0", timeout=60_000)
    time.sleep(3)


def test_slideshow_renders_myst_and_fits(lab_ext, page_ext):
    """The chapter as jupyterlab-rise presents it (/rise/<path>, what View > Render Slideshow opens in a
    browser tab), at 1280×720: every slide's prose is rendered MyST, and every slide fits or scrolls."""
    url, _ = lab_ext
    page = page_ext
    _open_slideshow(page, url)
    assert any("jupyterlab-myst is activated" in m for m in page.messages), "jupyterlab-myst did not load"
    current = """() => { const s = document.querySelectorAll('.reveal .slides section.present');
                         const e = s[s.length - 1]; return e ? e.id : null; }"""
    seen, overflow, raw = [], [], {}
    for _ in range(200):
        slide = page.evaluate(current)
        if slide in seen:
            break
        seen.append(slide)
        time.sleep(0.8)  # the transition, and RISE's scroll set-up on slidechanged
        state = page.evaluate("""() => {
            const s = document.querySelectorAll('.reveal .slides section.present');
            const e = s[s.length - 1];
            const cells = Array.from(e.querySelectorAll('.jp-Cell')).filter(c => !c.classList.contains('reveal-skip'));
            const r = e.getBoundingClientRect();
            return {top: r.top, height: e.scrollHeight, scrolls: getComputedStyle(e).overflowY === 'scroll'
                    && e.clientHeight <= window.innerHeight, cells: cells.length}; }""")
        text = page.evaluate(PROSE_JS, f".reveal .slides section#{slide} {RENDERED}")
        for marker in _raw_markup(text):
            raw.setdefault(marker, []).append(slide)
        if state["height"] > 720 and not state["scrolls"]:
            overflow.append((slide, state["height"]))
        if len(seen) <= 4 or (state["height"] > 720):
            _screenshot(page, f"slides-{len(seen):02d}")
        page.keyboard.press("Space")
        time.sleep(0.4)
    assert len(seen) > 5, f"only {len(seen)} slides"
    assert not raw, f"raw MyST markup on the slides: {raw}"
    assert not overflow, f"slides taller than 720 px that do not scroll: {overflow}"


def test_citations_equations_and_folded_solutions(lab_ext, page_ext):
    """In JupyterLab (notebook view), after Run All: a citation reads as the book's [Author, year] and a
    reference to another chapter as the book's (chapter.n) or Theorem chapter.n, linked to the online book;
    the folded solutions' outputs stay folded."""
    url, folder = lab_ext
    page = page_ext
    page.goto(f"{url}/lab/tree/{PROSE_CHAPTER.name}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle'], .jp-mod-idle, "
                           ".jp-StatusBar-TextItem:has-text('Idle')", timeout=90_000)
    time.sleep(2)
    page.keyboard.press("Escape")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    start = time.monotonic()
    while time.monotonic() - start < 300:
        if page.locator(".jp-InputPrompt:has-text('[*]')").count() == 0 and time.monotonic() - start > 5:
            break
        time.sleep(1)
    else:
        pytest.fail("Run All did not finish within 300 s")
    time.sleep(2)
    refs = page.evaluate("""() => Array.from(document.querySelectorAll('.nmf-teach-ref')).map(e => ({
        kind: e.getAttribute('data-nmf-teach-title'), text: e.getAttribute('data-nmf-teach-text'),
        href: e.getAttribute('data-nmf-teach-href'), size: getComputedStyle(e).fontSize,
        shown: getComputedStyle(e, '::after').content}))""")
    cites = [r for r in refs if r["kind"] == "Citation Not Found"]
    equations = [r for r in refs if r["kind"] == "Cross Reference Not Found"]
    assert cites and all(re.fullmatch(r"\[[^\]]+, \d{4}\]", r["text"]) for r in cites), cites
    assert any(re.fullmatch(r"\(\d+\.\d+\)", r["text"]) for r in equations), equations
    assert all(re.fullmatch(r"\(\d+\.\d+\)|[A-Z][a-z]+ \d+\.\d+|[A-Z].*", r["text"]) for r in equations), equations
    assert all(r["href"].startswith("https://") and r["size"] == "0px" and r["shown"] == f'"{r["text"]}"'
               for r in refs), refs
    # This chapter's own equations and theorems carry the book's numbers (5.n), not jupyterlab-myst's (n).
    numbers = page.evaluate("""() => Array.from(document.querySelectorAll('.nmf-teach-number')).map(
        e => [e.textContent.trim(), e.getAttribute('data-nmf-teach-text'), getComputedStyle(e, '::after').content])""")
    assert any(re.fullmatch(r"\(5\.\d+\)", book) for _, book, _ in numbers), numbers
    assert any(re.fullmatch(r"[A-Z][a-z]+ 5\.\d+", book) for _, book, _ in numbers), numbers
    assert all(shown == f'"{book}"' for _, book, shown in numbers), numbers
    unresolved = page.locator("span[title='Citation Not Found'], span[title='Cross Reference Not Found']")
    assert unresolved.count() == 0, unresolved.first.inner_text()
    prose = page.evaluate(PROSE_JS, RENDERED)
    assert not _raw_markup(prose), _raw_markup(prose)
    assert not re.search(r"\b(eq-[a-z0-9-]+|[a-z]+\d{4}[a-z]+)\b", prose), "a bare label or citation key is shown"

    # A folded cell: its source is a placeholder; its outputs, if folded too, a placeholder whose text is the
    # first line of the outputs (so it shows that the cell ran and printed).
    folded = page.evaluate("""() => Array.from(document.querySelectorAll('.jp-CodeCell')).filter(c => {
            const p = c.querySelector('.jp-InputPlaceholder'); return p && p.offsetParent !== null; })
        .map(c => ({source: c.querySelector('.jp-InputPlaceholder').textContent.trim().slice(0, 40),
                    printed: (c.querySelector('.jp-OutputPlaceholder') || {}).textContent || '',
                    visible: Array.from(c.querySelectorAll('.jp-OutputArea-output')).filter(
                        o => o.offsetParent !== null).map(o => o.textContent.slice(0, 60))}))""")
    assert len(folded) >= 4, f"expected the install cell and the solutions folded, found {folded}"
    ran = [cell for cell in folded if cell["printed"].strip()]
    assert len(ran) >= 3, f"the folded solutions did not run and print: {folded}"
    assert all(not cell["visible"] for cell in folded), f"a folded cell's outputs show: {folded}"
    page.keyboard.press("Control+s")
    time.sleep(3)
    saved = json.loads((folder / PROSE_CHAPTER.name).read_text())
    hidden = [cell for cell in saved["cells"] if cell["cell_type"] == "code"
              and cell["metadata"].get("jupyter", {}).get("source_hidden")]
    assert hidden and all(cell["metadata"]["jupyter"].get("outputs_hidden") for cell in hidden), \
        "a folded cell was saved with its outputs unfolded"
    assert sum(bool(cell["outputs"]) for cell in hidden) >= 3, "the folded solutions were saved without outputs"
    page.locator(".jp-CodeCell:has(.jp-InputPlaceholder)").nth(1).scroll_into_view_if_needed()
    _screenshot(page, "05-folded-solution")
    page.locator(".nmf-teach-ref").first.scroll_into_view_if_needed()
    _screenshot(page, "05-citation")


def test_slideshow_explorer_is_live(lab_ext, page_ext):
    """In the slideshow a teacher runs the chapter cell by cell (Shift+Enter): the explorer appears as a live
    widget there too (the widget manager loads in the slideshow app), not as an error."""
    url, _ = lab_ext
    page = page_ext
    _open_slideshow(page, url)
    active = """() => { const cells = Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell'));
                        return [cells.findIndex(c => c.classList.contains('jp-mod-active')), cells.length]; }"""
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.keyboard.press("Escape")
    for _ in range(300):  # Shift+Enter runs a cell and selects the next (RISE may select back a slide's first cell)
        index, cells = page.evaluate(active)
        if index >= cells - 1:  # one more would add a cell
            break
        page.keyboard.press("Shift+Enter")
        time.sleep(0.3)
    start = time.monotonic()
    while page.locator(".jp-InputPrompt:has-text('[*]')").count() and time.monotonic() - start < 300:
        time.sleep(1)
    slider = page.locator(".reveal .widget-slider").first
    slider.wait_for(state="attached", timeout=60_000)
    assert page.locator("text=Error displaying widget").count() == 0, "the explorer shows an error in the slideshow"
    page.keyboard.press("Escape")
    for _ in range(60):  # back to the first slide, then forward to the explorer's
        page.keyboard.press("Shift+Space")
    for _ in range(60):
        time.sleep(0.5)
        if page.evaluate("""() => { const s = document.querySelectorAll('.reveal .slides section.present');
                                    return !!s[s.length - 1].querySelector('.widget-slider'); }"""):
            break
        page.keyboard.press("Space")
    else:
        pytest.fail("no slide shows the explorer")
    page.evaluate("""() => { const s = document.querySelectorAll('.reveal .slides section.present');
                             const slider = s[s.length - 1].querySelector('.widget-slider');
                             slider.closest('.jp-OutputArea').scrollIntoView(); }""")
    time.sleep(2)
    _screenshot(page, "slides-explorer")
