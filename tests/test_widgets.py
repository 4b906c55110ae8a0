"""nmf_teach.widgets: the rank/iteration explorer, without a browser.

The browser side (the static view's sliders really change the picture) is
tests/test_browser.py; here: the mime bundle carries both views, the frames are
the solver's iterates, the live widget follows its sliders, bad input is refused.
"""

import base64
import io
import json
import re

import numpy as np
import pytest
import scipy.sparse as sp
from PIL import Image

from nmf_teach import make_swimmer, nmf
from nmf_teach.widgets import Explorer, default_iterations, explorer

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def swimmer():
    V, *_ = make_swimmer()
    return V


@pytest.fixture(scope="module")
def swimmer_explorer(swimmer):
    return explorer(swimmer, ranks=(4, 9), iterations=30, image_shape=(32, 32), columns=5, seed=3, keep_every=7)


def _static_data(html):
    match = re.search(r'<script type="application/json" class="nmfx-json">(.*?)</script>', html, re.S)
    assert match, "the static view carries no frame data"
    return json.loads(match.group(1).replace("<\\/", "</"))


def _png_size(uri):
    assert uri.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).size


def test_default_iterations():
    assert default_iterations(200) == [0, 1, 2, 5, 10, 20, 50, 100, 200]
    assert default_iterations(30) == [0, 1, 2, 5, 10, 20, 30]
    assert default_iterations(0) == [0]


def test_mime_bundle_is_the_live_widget_in_jupyter_and_the_static_view_in_the_book(swimmer, swimmer_explorer):
    live = swimmer_explorer._repr_mimebundle_()
    assert WIDGET_VIEW in live and live[WIDGET_VIEW]["model_id"] == swimmer_explorer.widget.model_id
    assert "text/html" not in live, "in Jupyter nothing is computed for a static view"
    book = explorer(swimmer, ranks=(4, 9), iterations=30, image_shape=(32, 32), columns=5, seed=3, keep_every=7,
                    static=True)
    bundle = book._repr_mimebundle_()
    assert WIDGET_VIEW not in bundle and "text/html" in bundle and "text/plain" in bundle
    html = bundle["text/html"]
    assert html.count('type="range"') == 2, "the static view has a rank and an iteration slider"
    assert "nmfExplorerInit" in html and "<script" in html
    assert "Precomputed when the book was built" in html and "any rank from 1 to 9" in html
    assert "http://" not in html and "https://" not in html, "the static view must need no network"


def test_the_books_build_makes_explorers_static(swimmer, monkeypatch):
    from nmf_teach.widgets import STATIC_ENV

    monkeypatch.setenv(STATIC_ENV, "1")
    assert explorer(swimmer, ranks=(2,), iterations=2).static
    monkeypatch.delenv(STATIC_ENV)
    assert not explorer(swimmer, ranks=(2,), iterations=2).static
    assert explorer(swimmer, ranks=(2,), iterations=2, static=True).static


def test_nothing_is_computed_before_the_first_view(swimmer):
    ex = explorer(swimmer, ranks=(3, 5), iterations=20, image_shape=(32, 32), max_rank=12)
    assert ex._runs == {}, "making the explorer computes nothing"
    assert list(ex.results) == [3, 5] and ex._runs == {}, "listing the book's ranks computes nothing"
    losses = ex.results[5].losses
    assert len(losses) == 21 and list(ex._runs) == [("random", 0, 5)], "reading a run computes that run only"
    app = ex.widget
    assert app.children and "r = 3<" in ex.wait().view.value, "the first view: the middle rank of the book's"


def test_any_rank_and_any_start_on_demand(swimmer):
    ex = explorer(swimmer, ranks=(4, 9), iterations=30, image_shape=(32, 32), columns=5, seed=3, max_rank=20)
    ex.wait()
    view = ex.show(13, 30)
    assert "r = 13<" in view, "a rank that the book did not precompute"
    direct = nmf(swimmer, 13, iterations=30, seed=3)
    assert ex.relative_error(13, 30, ("random", 3)) == pytest.approx(direct.relative_errors[30], rel=1e-12)
    other = ex.show(13, 30, seed=4)
    assert other != view and ex.seed == 4, "another seed is another run"
    assert ex.relative_error(13, 30, ("random", 4)) == pytest.approx(
        nmf(swimmer, 13, iterations=30, seed=4).relative_errors[30], rel=1e-12)
    nndsvd = ex.show(13, 30, init="nndsvd")
    assert ex.seed_box.disabled, "the seed does not matter to NNDSVD"
    assert ex.relative_error(13, 30, ("nndsvd", 4)) == pytest.approx(
        nmf(swimmer, 13, iterations=30, init="nndsvd").relative_errors[30], rel=1e-12)
    assert nndsvd not in (view, other)
    with pytest.raises(ValueError, match="max_rank=20"):
        ex.show(21, 3)
    with pytest.raises(ValueError, match="max_rank"):
        explorer(swimmer, ranks=(4, 9), max_rank=5)


def test_a_new_rank_shows_its_progress_before_its_first_iteration(swimmer, monkeypatch):
    """Moving to a rank not computed yet: the label naming the rank and a tqdm bar at 0 are up before nmf starts."""
    import nmf_teach.widgets as widgets

    ex = explorer(swimmer, ranks=(4, 9), iterations=30, image_shape=(32, 32), columns=5, seed=3, max_rank=12)
    assert ex.widget.children and ex.wait().progress_box.children == ()  # the first view (r = 4) computed
    seen = []

    def watched(*args, **kwargs):
        children = ex.progress_box.children
        seen.append((len(children), children[0].value if children else "",
                     children[1].children[1].value if len(children) > 1 else None))
        return nmf(*args, **kwargs)

    monkeypatch.setattr(widgets, "nmf", watched)
    ex.show(7, 30)
    assert seen, "the new rank was not computed"
    count, label, bar_value = seen[0]
    assert count == 2 and "r = 7</b>" in label and "30 iterations" in label and "seed 3" in label, label
    assert bar_value == 0, "the bar is shown at 0, before the first iteration"
    assert ex.progress_box.children == (), "the progress is taken away once the run is computed"
    ex.progress = False
    ex.show(8, 30)
    assert seen[-1][0] == 1 and "r = 8</b>" in seen[-1][1], "without a bar the label still names the rank"


def _displayed(ex, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda bundle, raw=False: shown.append(bundle))
    ex._ipython_display_()
    return shown


def test_jupyter_shows_the_widget_then_the_saved_view_that_stands_in_for_it(swimmer, monkeypatch):
    ex = explorer(swimmer, ranks=(4, 9), iterations=30, image_shape=(32, 32), columns=5, seed=3)
    widget, saved = _displayed(ex, monkeypatch)
    assert WIDGET_VIEW in widget and widget[WIDGET_VIEW]["model_id"] == ex.widget.model_id
    assert WIDGET_VIEW not in saved and "run the cell to make it live" in saved["text/html"]
    assert "Run the cell to make it live" in saved["text/plain"]
    # while the widget is live, its CSS hides the saved view that follows it in the cell's outputs
    assert ".jp-OutputArea-child:has(.nmfx-live) ~ .jp-OutputArea-child:has(.nmfx-saved){display:none}" in \
        ex.view.value
    book = explorer(swimmer, ranks=(4,), iterations=3, image_shape=(32, 32), static=True)
    (only,) = _displayed(book, monkeypatch)
    assert WIDGET_VIEW not in only and "Precomputed when the book was built" in only["text/html"]


def test_saved_view_is_the_current_frame_in_html_a_sanitizer_keeps(swimmer):
    """What a reopened notebook shows: the frame's images, the loss curve (an SVG image) and the state, no script."""
    ex = explorer(swimmer, ranks=(4, 9), iterations=30, image_shape=(32, 32), columns=5, seed=3, max_rank=12)
    ex.wait()
    ex.show(7, 12)
    saved = ex.saved_html()
    frame = ex.frame(7, 12, ("random", 3))
    assert frame["parts"] in saved and frame["recon"] in saved, "the parts and reconstructions shown at (7, 12)"
    assert "r = 7<" in saved and "k = 12<" in saved and f"{frame['err']:.4f}" in saved
    curve = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', saved)
    assert curve, "the loss curve is an SVG image"
    svg = base64.b64decode(curve.group(1)).decode("utf-8")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<style>" in svg and "r=7<" in svg
    body = saved[saved.index('<div class="nmfx-saved"'):]
    assert "<script" not in saved and "<svg" not in body and "<style" not in body, \
        "a sanitizer would drop scripts, inline SVG and style elements"
    assert body.endswith("run the cell to make it live.</p></div>")


def test_saved_view_weight():
    """A saved view of the faces chapters' explorers: a few tens of kB in the notebook file."""
    from nmf_teach.datasets import load_cbcl_faces, load_olivetti_faces

    faces, olivetti = load_cbcl_faces(download=False), load_olivetti_faces(download=False)
    for name, V, shape, ranks, iterations in [("CBCL", faces.V, faces.image_shape, (9, 25, 49), 200),
                                                ("Olivetti", olivetti.V, olivetti.image_shape, (5, 15, 40), 150)]:
        ex = explorer(V, ranks=ranks, iterations=iterations, max_rank=60, image_shape=shape, progress=False)
        weight = len(ex.saved_html().encode("utf-8"))
        assert weight < 300e3
        print(f"{name}: the saved view of rank {ex.rank} weighs {weight / 1e3:.0f} kB.")


def test_labels_of_the_loss_curves_never_overlap():
    from nmf_teach.widgets import _spread

    ys = [100.0, 101.0, 101.5, 180.0, 186.0, 187.0]
    out = _spread(ys, 12, 10, 188)
    placed = sorted(out)
    assert all(b - a >= 12 - 1e-9 for a, b in zip(placed, placed[1:], strict=False))
    assert 10 <= min(out) and max(out) <= 188
    assert [ys.index(y) for y in sorted(ys)] == sorted(range(6), key=lambda i: out[i]), "the order is kept"


def test_plain_interact_has_no_static_view():
    """Why the book needs the explorer: a plain ipywidgets interact carries only the widget (a dead picture in HTML)."""
    import ipywidgets

    plain = ipywidgets.interactive(lambda r=1: r, r=(1, 5))
    bundle = plain._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and "text/html" not in bundle


def test_static_view_holds_every_frame_of_the_grid(swimmer_explorer):
    ex = swimmer_explorer
    data = _static_data(ex.to_html())
    assert data["ranks"] == [4, 9] and data["iterations"] == [0, 1, 2, 5, 10, 20, 30]
    frames = data["frames"]
    assert len(frames) == 2 and all(len(row) == 7 for row in frames)
    # parts: a grid of r images of 32×32 (1-pixel lines between them); recon: one row of 5
    assert _png_size(frames[0][3][0]) == (2 * 33 + 1, 2 * 33 + 1)
    assert _png_size(frames[1][3][0]) == (3 * 33 + 1, 3 * 33 + 1)
    assert _png_size(frames[1][3][1]) == (5 * 33 + 1, 33 + 1)
    # every frame differs from its neighbours, and its label names its rank, iteration and error
    for i, r in enumerate(data["ranks"]):
        for j, k in enumerate(data["iterations"]):
            label = frames[i][j][2]
            assert f"r = {r}<" in label and f"k = {k}<" in label
            assert f"{ex.relative_error(r, k):.4f}" in label
            if j:
                assert frames[i][j][0] != frames[i][j - 1][0]
                assert frames[i][j][3] > frames[i][j - 1][3], "the marker moves right as k grows"


def test_frames_are_the_solvers_iterates(swimmer, swimmer_explorer):
    """Between two snapshots the explorer recomputes from the one before: the same iterate as one long run."""
    for r, k in [(4, 0), (4, 7), (9, 12), (9, 30)]:
        W, H = swimmer_explorer.state(r, k)
        direct = nmf(swimmer, r, iterations=k, seed=3)
        np.testing.assert_allclose(W, direct.W, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(H, direct.H, rtol=1e-12, atol=1e-14)
        assert swimmer_explorer.relative_error(r, k) == pytest.approx(direct.relative_errors[k], rel=1e-12)
    print("The explorer's (W, H) equal nmf's at 4 (rank, iteration) pairs to a relative 1e-12.")


def test_live_widget_follows_its_sliders(swimmer_explorer):
    ex = swimmer_explorer
    ex.run(9)  # both curves on the loss panel from the start, so that its scale stays put
    first = ex.show(4, 30)
    assert "r = 4<" in first and "k = 30<" in first
    second = ex.show(9, 30)
    third = ex.show(9, 13)
    assert "r = 9<" in second and "k = 13<" in third
    assert ex.rank_slider.value == 9 and ex.iteration_slider.value == 13
    assert ex.view.value == third
    images = [re.findall(r'class="nmfx-parts[^"]*" src="([^"]+)"', view)[0] for view in (first, second, third)]
    assert len(set(images)) == 3, "every move changes the parts image"
    marker = re.compile(r'class="nmfx-marker" cx="([\d.]+)" cy="([\d.]+)"')
    markers = [marker.search(v).groups() for v in (first, second, third)]
    assert markers[0][1] != markers[1][1] and markers[1][0] != markers[2][0], "the loss marker moves"
    assert 'class="nmfx-curve nmfx-active" data-rank-index="1"' in third, "the chosen rank's curve is highlighted"


def test_heatmap_and_text_kinds():
    rng = np.random.default_rng(0)
    X = rng.random((30, 12))
    heat = explorer(X, ranks=(2, 3), iterations=10, seed=0)
    assert heat.kind == "heatmap" and "nmfx-heat" in heat.to_html()
    words = [f"word{i}" for i in range(30)]
    counts = sp.random(30, 12, density=0.4, random_state=0, format="csr") * 5
    text = explorer(counts, ranks=(2, 3), iterations=10, row_labels=words, columns=[0, 5], seed=0)
    html = text.to_html()
    assert text.kind == "text" and "V, column 5" in html and "part 3" in html
    top = words[int(np.argmax(counts[:, 5].toarray()))]
    assert top in html, "the top word of column 5 is shown"


def test_bad_input_is_refused(swimmer):
    with pytest.raises(ValueError, match="image_shape"):
        Explorer(swimmer, ranks=(2,), iterations=2, image_shape=(30, 30))
    with pytest.raises(ValueError, match="not both"):
        Explorer(swimmer, ranks=(2,), iterations=2, image_shape=(32, 32), row_labels=["a"] * 1024)
    with pytest.raises(ValueError, match="row_labels"):
        Explorer(swimmer, ranks=(2,), iterations=2, row_labels=["a"])
    with pytest.raises(ValueError, match="columns"):
        Explorer(swimmer, ranks=(2,), iterations=2, columns=[999])
    with pytest.raises(ValueError, match="rank"):
        Explorer(swimmer, ranks=(2,), iterations=2, rank=3)
    with pytest.raises(ValueError):
        Explorer(-np.ones((4, 4)), ranks=(2,), iterations=2)
    ex = Explorer(swimmer, ranks=(2,), iterations=2)
    with pytest.raises(ValueError, match="max_rank=2"):
        ex.state(5, 1)
    with pytest.raises(ValueError, match="init"):
        Explorer(swimmer, ranks=(2,), iterations=2, init="svd")
    with pytest.raises(ValueError, match="between 0 and 2"):
        ex.state(2, 3)


def test_faces_page_weight():
    """The CBCL explorer of the faces chapter (ranks up to 49): a few MB at most on its page."""
    from nmf_teach.datasets import load_cbcl_faces

    faces = load_cbcl_faces(download=False)
    ex = explorer(faces.V, ranks=(10, 49), iterations=20, image_shape=faces.image_shape, seed=0, progress=False,
                  static=True)
    weight = ex.page_weight()
    per_frame = weight / (len(ex.ranks) * len(ex.iterations))
    assert weight < 3e6
    print(f"CBCL explorer, ranks 10 and 49, {len(ex.iterations)} iterations: {weight / 1e6:.2f} MB, "
          f"{per_frame / 1e3:.0f} kB a frame.")


def test_iteration_ticks_never_run_together():
    from nmf_teach.widgets import _x_ticks

    for last in range(1, 3000):
        ticks = _x_ticks(last)
        positions = [np.log10(1 + k) for k in ticks]
        assert all(b - a >= 0.2 for a, b in zip(positions[1:], positions[2:], strict=False)), (last, ticks)
    assert _x_ticks(150) == [0, 1, 10, 100] and _x_ticks(200) == [0, 1, 10, 100, 200]
