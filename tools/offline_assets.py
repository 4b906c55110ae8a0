"""Serve MathJax 3 and the ipywidgets embed scripts from the book itself, so it works offline.

Two roles in one file:

* a script, run by ``make book`` before ``jupyter-book build``::

      python tools/offline_assets.py

  It runs ``npm ci`` if ``node_modules/`` is missing (versions pinned in
  ``package.json`` / ``package-lock.json``), then copies MathJax's es5 bundle
  (``tex-mml-chtml.js`` with ``output/``, ``input/tex/extensions/``, ``ui/``,
  ``a11y/``, ``sre/``), ``require.js`` and ``@jupyter-widgets/html-manager``'s
  ``dist/embed-amd.js`` (with the icon fonts it loads) into
  ``offline_static/offline/`` (git-ignored). Sphinx
  copies ``offline_static/`` into ``_build/html/_static/`` and ``_config.yml``
  points ``mathjax_path`` and ``nb_ipywidgets_js`` at the copies. If Node/npm
  is missing it says so and exits 0: the book is then built against the CDN.

* a Sphinx extension (``sphinx: local_extensions: {offline_assets: tools}``):
  if the copies are missing when the book is built, it says so and points
  Sphinx back at the CDN instead of failing, so a build without Node still
  works (online only).

The folder is not called ``_static``: Jupyter Book 1 adds every .js/.css file
of a root ``_static/`` to every page.
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = "offline_static"
VENDOR = "offline"
# What the pages load, relative to the html_static_path folder (and to _build/html/_static/).
MATHJAX = f"{VENDOR}/mathjax/tex-mml-chtml.js"
REQUIRE = f"{VENDOR}/require.js"
EMBED = f"{VENDOR}/embed-amd.js"
# embed-amd.js loads its icon fonts from the folder of its AMD modules, resolved against RequireJS's
# baseUrl (by default the page's folder, where they are not) or ``__jupyter_widgets_assets_path__``.
# This script, loaded before require.js, points both at the copies of the fonts.
ASSETS_PATH = f"{VENDOR}/widgets-assets-path.js"
WIDGET_ASSETS = f"{VENDOR}/amd/@jupyter-widgets/html-manager/dist"
LOCAL_FILES = (MATHJAX, REQUIRE, EMBED, ASSETS_PATH)
_ASSETS_PATH_JS = """// Written by tools/offline_assets.py: widget scripts load their fonts from the book, not a CDN.
(function () {
  var amd = new URL("amd/", document.currentScript.src).href;
  window.__jupyter_widgets_assets_path__ = amd + "@jupyter-widgets/html-manager/dist/";
  if (typeof window.require === "undefined") window.require = {baseUrl: amd};  // RequireJS reads this config
})();
"""
_FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".eot", ".svg")

# Where the copies come from (relative to node_modules/).
_MATHJAX_ES5 = Path("mathjax/es5")
_MATHJAX_PARTS = ("tex-mml-chtml.js", "output", "input/tex/extensions", "ui", "a11y", "sre")
_COPIES = (
    (Path("requirejs/require.js"), Path(REQUIRE)),
    (Path("@jupyter-widgets/html-manager/dist/embed-amd.js"), Path(EMBED)),
)

# The CDN defaults of Sphinx 7 and myst-nb 1.4 (used only when the local copies are missing).
CDN_MATHJAX = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"


def _say(message):
    print(f"[offline_assets] {message}", file=sys.stderr, flush=True)


def _npm_ci(root):
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return False
    _say("node_modules/ is missing: running npm ci (versions pinned in package-lock.json)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=root, check=True)
    return True


def copy_assets(root=ROOT):
    """Copy the pinned scripts from ``node_modules`` into ``offline_static/offline``.

    Returns True if the book will be offline, False if Node/npm is missing (CDN fallback).
    """
    root = Path(root)
    modules = root / "node_modules"
    if not (modules / "mathjax").is_dir() and not _npm_ci(root):
        _say("Node.js/npm not found and node_modules/ missing: the book will load MathJax and the "
             "widget scripts from a CDN, so its pages will NOT work offline. Install Node.js and npm "
             "(apt-get install -y nodejs npm) and run `npm ci` for an offline book.")
        return False
    target = root / STATIC / VENDOR
    if target.exists():
        shutil.rmtree(target)
    mathjax = target / "mathjax"
    for part in _MATHJAX_PARTS:
        source = modules / _MATHJAX_ES5 / part
        if not source.exists():
            raise FileNotFoundError(f"{source} is missing: run `npm ci` again")
        destination = mathjax / part
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination)
        else:
            shutil.copy2(source, destination)
    for source, destination in _COPIES:
        (root / STATIC / destination).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(modules / source, root / STATIC / destination)
    fonts = root / STATIC / WIDGET_ASSETS
    fonts.mkdir(parents=True, exist_ok=True)
    for font in (modules / _COPIES[1][0]).parent.iterdir():
        if font.suffix in _FONT_SUFFIXES:
            shutil.copy2(font, fonts / font.name)
    (root / STATIC / ASSETS_PATH).write_text(_ASSETS_PATH_JS)
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    _say(f"copied MathJax 3, require.js and embed-amd.js into {STATIC}/{VENDOR}/ ({size / 1e6:.1f} MB)")
    return True


def local_assets_present(root=ROOT):
    return all((Path(root) / STATIC / name).is_file() for name in LOCAL_FILES)


# --- Sphinx extension -------------------------------------------------------------------------

def _fall_back_to_cdn(app, config):
    if local_assets_present(app.confdir):
        return
    from sphinx.util import logging
    from sphinx.util.console import bold

    logging.getLogger(__name__).info(bold(
        f"offline_assets: {STATIC}/{VENDOR}/ is missing (Node.js/npm not found, or "
        "`python tools/offline_assets.py` not run): MathJax and the widget scripts come from a CDN; "
        "the book will not work offline."))
    config.html_static_path = [p for p in config.html_static_path if Path(p).name != STATIC]
    if str(config.mathjax_path).startswith(VENDOR):
        config.mathjax_path = CDN_MATHJAX
    try:
        from myst_nb.core.config import ipywidgets_js_factory
    except ImportError:  # pragma: no cover - myst-nb is part of the book's environment
        return
    config.nb_ipywidgets_js = ipywidgets_js_factory()


def setup(app):
    # The chapters' explorers (nmf_teach.widgets) display as their precomputed static view in the book;
    # the kernels that execute the chapters are started after this, and inherit it.
    os.environ["NMF_TEACH_STATIC_EXPLORERS"] = "1"
    app.connect("config-inited", _fall_back_to_cdn)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=str(ROOT), help="the book's root folder (default: this repository)")
    args = parser.parse_args(argv)
    copy_assets(args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
