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


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a copy of chapter 01, its settings as `make lab` installs them."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    folder = tmp_path_factory.mktemp("lab")
    shutil.copy(CHAPTER, folder / CHAPTER.name)
    settings = tmp_path_factory.mktemp("settings")
    workspaces = tmp_path_factory.mktemp("workspaces")
    shutil.copy(ROOT / "tools" / "jupyterlab-overrides.json", settings / "overrides.json")
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), NMF_TEACH_DATA=os.environ.get("NMF_TEACH_DATA", ""))
    env.pop("NMF_TEACH_STATIC_EXPLORERS", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--ip=127.0.0.1", f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={folder}",
         f"--LabApp.app_settings_dir={settings}", f"--LabApp.workspaces_dir={workspaces}"],
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
def page(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        yield context.new_page()
        browser.close()


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
