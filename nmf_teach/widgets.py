"""Explore a factorization over the rank r and the iteration k, in Jupyter and in the book.

:func:`explorer` returns ONE display object. Shown in Jupyter it is a live
ipywidgets app: a rank slider, an iteration slider, and three panels that follow
them — the parts (the columns of W), a few columns of V beside their
reconstructions WH, and the relative error ‖V − WH‖/‖V‖ against k with the current
iteration marked. Shown in the rendered book (where no Python runs) the same
object is a self-contained HTML/JavaScript view over frames computed when the
book was built: a grid of ranks × iterations, images as PNG data URIs, no
kernel and no network. The object carries both views in its mime bundle; the
book's ``_config.yml`` (``nb_mime_priority_overrides``) makes the HTML builder
pick the HTML one, and Jupyter picks the widget.

Everything is computed by :func:`nmf_teach.nmf`: one run per rank, keeping
snapshots of (W, H) every ``keep_every`` iterations and, through its callback,
what a frame shows (W and the shown columns of H, float32) at every iteration
that fits in ``live_memory_mb``. A slider move then renders one small PNG
(rendered frames are cached); an iteration that was not kept is recomputed
from the snapshot before it (the updates are deterministic, so it is the same
iterate), at most ``keep_every - 1`` iterations.

Three kinds of data:

* images (``image_shape=(h, w)``, one image per column of V): parts and
  reconstructions as image grids;
* text (``row_labels=`` the words of the rows of V): every part as its top
  words, every shown column as its top words in V and in WH;
* anything else: heatmaps of W and of the shown columns of V and WH.
"""

import base64
import html
import io
import itertools
import json
import math
import time
from collections import OrderedDict

import numpy as np
import scipy.sparse as sp

from ._validation import check_count, check_matrix, check_rank
from .solver import nmf

__all__ = ["Explorer", "explorer", "default_iterations"]

_ids = itertools.count()
_HEATMAP_MAX_ROWS = 240
_GRID_GAP = 200  # grey level of the lines between the images of a grid


def default_iterations(last):
    """The iterations the sliders offer by default: 0, 1, 2, 5, 10, 20, 50, ... up to ``last``."""
    last = check_count(last, "iterations")
    values = {0, last}
    for decade in itertools.count():
        for step in (1, 2, 5):
            value = step * 10 ** decade
            if value > last:
                return sorted(values)
            values.add(value)


def explorer(V, ranks=(2, 5, 10), iterations=200, *, image_shape=None, row_labels=None, columns=6, seed=0,
             init="random", keep_every=10, cmap=None, parts_cmap=None, rank=None, iteration=None, title=None,
             progress=True, live_memory_mb=200):
    """An explorer of ``nmf(V, r)`` over the ranks r and the iterations k; see :class:`Explorer`.

    Parameters
    ----------
    V : array_like or scipy.sparse matrix, shape (m, n)
        Non-negative data, one item (an image, a document) per column.
    ranks : sequence of int
        The ranks the rank slider offers; one run of :func:`nmf_teach.nmf` each.
    iterations : int or sequence of int
        The iterations the book's slider offers: an int N gives 0, 1, 2, 5, 10,
        20, 50, ... up to N; a sequence is used as it is. In Jupyter the
        iteration slider offers every k from 0 to the largest.
    image_shape : (int, int) or None
        (height, width) if every column of V is an image (row-major).
    row_labels : sequence of str or None
        A name for every row of V (the words of a word-count matrix): parts
        and columns are then shown as their top rows.
    columns : int or sequence of int
        The columns of V shown beside their reconstructions: a count (spread
        evenly over V) or the indices.
    seed : int
        Seed of the random start (same for every rank).
    init : str
        Start of every run, as in :func:`nmf_teach.nmf` ("random", "nndsvd", "nndsvda").
    keep_every : int
        Spacing of the full snapshots (W, H) of the runs.
    live_memory_mb : float
        Memory for what the frames show (W and a few columns of H, float32)
        at every iteration, so that a slider move never recomputes. If every
        iteration does not fit, every ``s``-th is kept and a move recomputes
        at most ``keep_every - 1`` iterations from the full snapshot before.
    cmap, parts_cmap : str or None
        Matplotlib colormaps of the data/reconstructions and of the parts
        (images: "gray" and "gray_r"; heatmaps: "viridis").
    rank, iteration : int or None
        Where the sliders start (default: the middle rank, the last iteration).
    title : str or None
        A heading shown above the sliders.
    progress : bool
        Show a progress bar in Jupyter while the runs are computed (only if it
        takes more than about a second).

    Returns
    -------
    Explorer
    """
    return Explorer(V, ranks, iterations, image_shape=image_shape, row_labels=row_labels, columns=columns,
                    seed=seed, init=init, keep_every=keep_every, cmap=cmap, parts_cmap=parts_cmap, rank=rank,
                    iteration=iteration, title=title, progress=progress, live_memory_mb=live_memory_mb)


class Explorer:
    """The rank/iteration explorer: a live widget in Jupyter, a static HTML view in the book.

    Attributes
    ----------
    ranks : list of int
    iterations : list of int
        The iterations of the static view (the live slider offers every k up
        to ``iterations[-1]``).
    results : dict of int to NMFResult
        The run of every rank (with its snapshots).
    columns : numpy.ndarray
        The indices of the columns of V that are shown.
    """

    def __init__(self, V, ranks=(2, 5, 10), iterations=200, *, image_shape=None, row_labels=None, columns=6,
                 seed=0, init="random", keep_every=10, cmap=None, parts_cmap=None, rank=None, iteration=None,
                 title=None, progress=True, live_memory_mb=200):
        V = check_matrix(V, "V", allow_sparse=True)
        m, n = V.shape
        self._V = V
        self.ranks = _check_ranks(ranks)
        self.iterations = _check_iterations(iterations)
        self.last = self.iterations[-1]
        self.keep_every = check_count(keep_every, "keep_every", minimum=1)
        self.seed, self.init, self.title = seed, init, title
        if image_shape is not None and row_labels is not None:
            raise ValueError("give image_shape (images) or row_labels (text), not both")
        if image_shape is not None:
            image_shape = tuple(int(s) for s in image_shape)
            if len(image_shape) != 2 or min(image_shape) < 1 or image_shape[0] * image_shape[1] != m:
                raise ValueError(f"image_shape {image_shape} does not match V's {m} rows (one image per column "
                                 f"needs height * width == {m})")
            self.kind = "images"
        elif row_labels is not None:
            row_labels = [str(label) for label in row_labels]
            if len(row_labels) != m:
                raise ValueError(f"row_labels has {len(row_labels)} names but V has {m} rows")
            self.kind = "text"
        else:
            self.kind = "heatmap"
        self.image_shape, self.row_labels = image_shape, row_labels
        self.columns = _check_columns(columns, n)
        images = self.kind == "images"
        self.cmap = cmap or ("gray" if images else "viridis")
        self.parts_cmap = parts_cmap or ("gray_r" if images else "viridis")
        self.rank = self._pick(rank, self.ranks, self.ranks[(len(self.ranks) - 1) // 2], "rank")
        self.iteration = self._pick(iteration, range(self.last + 1), self.last, "iteration")
        self._id = f"nmfx-{next(_ids)}-{np.random.default_rng().integers(1 << 30):x}"
        self._data = V[:, self.columns].toarray() if sp.issparse(V) else np.array(V[:, self.columns])
        self._states = OrderedDict()
        self._frames = OrderedDict()
        self._light = {}
        self._svg = None
        self._memory = float(live_memory_mb) * 1e6
        self._html = None
        self._widget = None
        self.results = {}
        self._run_all(progress)

    # --- computing -------------------------------------------------------------------------------

    @staticmethod
    def _pick(value, allowed, default, name):
        if value is None:
            return default
        if value not in allowed:
            raise ValueError(f"{name}={value!r} is not one the sliders offer")
        return int(value)

    def _run_all(self, progress):
        # Besides the full snapshots (every keep_every), keep what a frame shows -- W and the shown
        # columns of H, in float32 -- at every iteration (or every `step`-th, to stay within the memory
        # budget): a slider move then only renders, it never recomputes.
        m = self._V.shape[0]
        per_iteration = 4 * sum(m * r + r * len(self.columns) for r in self.ranks)
        self._step = max(1, math.ceil(per_iteration * (self.last + 1) / self._memory))
        wanted = set(self.iterations)
        start = time.perf_counter()
        bar = None
        for done, r in enumerate(self.ranks):
            light = self._light[r] = {}

            def keep(k, W, H, _loss, light=light):
                if k % self._step == 0 or k in wanted:
                    light[k] = (W.astype(np.float32), H[:, self.columns].astype(np.float32))

            result = nmf(self._V, r, iterations=self.last, init=self.init, seed=self.seed,
                         keep_every=self.keep_every, callback=keep)
            light[0] = (result.W0.astype(np.float32), result.H0[:, self.columns].astype(np.float32))
            self.results[r] = result
            elapsed = time.perf_counter() - start
            left = len(self.ranks) - done - 1
            if progress and bar is None and left and elapsed * (1 + left / (done + 1)) > 1.0:
                bar = _Progress(len(self.ranks), "computing one NMF run per rank")
            if bar is not None:
                bar.update(done + 1, f"rank {r} done ({elapsed:.1f} s)")
        if bar is not None:
            bar.close()

    def state(self, rank, iteration):
        """``(W, H)`` of the run of rank ``rank`` after ``iteration`` iterations (read-only arrays)."""
        rank, iteration = int(rank), int(iteration)
        if rank not in self.results:
            raise ValueError(f"rank {rank} was not computed; the explorer has ranks {self.ranks}")
        if not 0 <= iteration <= self.last:
            raise ValueError(f"iteration must be between 0 and {self.last}, got {iteration}")
        key = (rank, iteration)
        if key in self._states:
            self._states.move_to_end(key)
            return self._states[key]
        snapshots = self.results[rank].snapshots
        before = max(k for k in snapshots if k <= iteration)
        W, H = snapshots[before]
        if before < iteration:
            again = nmf(self._V, rank, iterations=iteration - before, init=(W, H))
            W, H = again.W, again.H
            W.setflags(write=False)
            H.setflags(write=False)
        self._states[key] = (W, H)
        if len(self._states) > 16:
            self._states.popitem(last=False)
        return W, H

    def _shown_state(self, rank, iteration):
        """W and the shown columns of H at (rank, iteration): kept by the run, else recomputed."""
        kept = self._light.get(rank, {}).get(iteration)
        if kept is not None:
            return kept
        W, H = self.state(rank, iteration)
        return W, H[:, self.columns]

    def relative_error(self, rank, iteration):
        """‖V − WH‖_F / ‖V‖_F of the run of rank ``rank`` after ``iteration`` iterations."""
        return float(self.results[int(rank)].relative_errors[int(iteration)])

    # --- one frame -------------------------------------------------------------------------------

    def frame(self, rank, iteration):
        """The rendered frame at (rank, iteration): a dict of parts, recon (HTML or data URIs) and err."""
        key = (int(rank), int(iteration))
        if key in self._frames:
            self._frames.move_to_end(key)
            return self._frames[key]
        W, H_shown = self._shown_state(*key)
        approx = W @ H_shown
        if self.kind == "text":
            parts = _top_words_html(W, self.row_labels, "part")
            recon = _top_words_html(approx, self.row_labels, "WH, column", self.columns)
        elif self.kind == "images":
            parts = _png(_tile(W, self.image_shape, self.parts_cmap, scale_each=True))
            recon = _png(_tile(approx, self.image_shape, self.cmap, scale_each=False,
                               vmax=_vmax(self._data), columns=len(self.columns)))
        else:
            parts = _png(_heatmap(W, self.parts_cmap, scale_each=True))
            recon = _png(_heatmap(approx, self.cmap, scale_each=False, vmax=_vmax(self._data)))
        frame = {"parts": parts, "recon": recon, "err": self.relative_error(*key)}
        self._frames[key] = frame
        if len(self._frames) > 1024:
            self._frames.popitem(last=False)
        return frame

    def _data_view(self):
        if self.kind == "text":
            return _top_words_html(self._data, self.row_labels, "V, column", self.columns)
        if self.kind == "images":
            return _png(_tile(self._data, self.image_shape, self.cmap, scale_each=False, vmax=_vmax(self._data),
                              columns=len(self.columns)))
        return _png(_heatmap(self._data, self.cmap, scale_each=False, vmax=_vmax(self._data)))

    # --- the loss curve (SVG) --------------------------------------------------------------------

    def _curve_geometry(self):
        errors = {r: np.maximum(self.results[r].relative_errors, 1e-16) for r in self.ranks}
        low = min(float(e.min()) for e in errors.values())
        high = max(float(e.max()) for e in errors.values())
        y_low, y_high = math.log10(low), math.log10(high)
        if y_high - y_low < 1e-3:
            y_low, y_high = y_low - 0.5, y_high + 0.5
        pad = 0.05 * (y_high - y_low)
        return errors, y_low - pad, y_high + pad

    def _xy(self, k, err, y_low, y_high):
        x_max = math.log10(1 + self.last) or 1.0
        x = _SVG_LEFT + (_SVG_W - _SVG_LEFT - _SVG_RIGHT) * math.log10(1 + k) / x_max
        y = _SVG_TOP + (_SVG_H - _SVG_TOP - _SVG_BOTTOM) * (y_high - math.log10(max(err, 1e-16))) / (y_high - y_low)
        return round(x, 1), round(y, 1)

    def _loss_svg(self, rank, iteration):
        if self._svg is None:
            self._svg = self._loss_svg_parts()
        head, curves, y_low, y_high = self._svg
        parts = [head]
        for index, (r, curve) in enumerate(zip(self.ranks, curves, strict=True)):
            active = " nmfx-active" if r == rank else ""
            parts.append(f'<g class="nmfx-curve{active}" data-rank-index="{index}">{curve}</g>')
        x, y = self._xy(iteration, self.relative_error(rank, iteration), y_low, y_high)
        bottom = _SVG_H - _SVG_BOTTOM
        parts.append(f'<line class="nmfx-marker-line" x1="{x}" x2="{x}" y1="{_SVG_TOP}" y2="{bottom}"/>'
                     f'<circle class="nmfx-marker" cx="{x}" cy="{y}" r="4.5"/></svg>')
        return "".join(parts)

    def _loss_svg_parts(self):
        """The parts of the loss SVG that do not move: axes, and one curve per rank."""
        errors, y_low, y_high = self._curve_geometry()
        ks = np.unique(np.round(np.expm1(np.linspace(0, math.log1p(self.last), 160))).astype(int))
        parts = [f'<svg class="nmfx-loss" viewBox="0 0 {_SVG_W} {_SVG_H}" role="img" '
                 f'aria-label="relative error against iteration, one curve per rank">']
        plot_bottom, plot_right = _SVG_H - _SVG_BOTTOM, _SVG_W - _SVG_RIGHT
        parts.append(f'<rect x="{_SVG_LEFT}" y="{_SVG_TOP}" width="{plot_right - _SVG_LEFT}" '
                     f'height="{plot_bottom - _SVG_TOP}" class="nmfx-frame"/>')
        for tick in _x_ticks(self.last):
            x, _ = self._xy(tick, 1.0, y_low, y_high)
            parts.append(f'<line x1="{x}" x2="{x}" y1="{_SVG_TOP}" y2="{plot_bottom}" class="nmfx-grid"/>'
                         f'<text x="{x}" y="{plot_bottom + 14}" text-anchor="middle">{tick}</text>')
        for value in _y_ticks(y_low, y_high):
            _, y = self._xy(0, value, y_low, y_high)
            parts.append(f'<line x1="{_SVG_LEFT}" x2="{plot_right}" y1="{y}" y2="{y}" class="nmfx-grid"/>'
                         f'<text x="{_SVG_LEFT - 4}" y="{y + 4}" text-anchor="end">{_fmt_tick(value)}</text>')
        parts.append(f'<text x="{(_SVG_LEFT + plot_right) / 2}" y="{_SVG_H - 4}" text-anchor="middle">'
                     f'iteration k (log scale)</text>')
        label_y = _spread([self._xy(self.last, errors[r][self.last], y_low, y_high)[1] for r in self.ranks], 10)
        curves = []
        for index, r in enumerate(self.ranks):
            points = " ".join("%s,%s" % self._xy(k, errors[r][k], y_low, y_high) for k in ks)
            curves.append(f'<polyline points="{points}"/>'
                          f'<text x="{plot_right + 7}" y="{label_y[index] + 3.5:.1f}">r={r}</text>')
        return "".join(parts), curves, y_low, y_high

    # --- HTML --------------------------------------------------------------------------------------

    def _captions(self):
        if self.kind == "images":
            return ("parts: the columns of W", "top: columns of V · bottom: their reconstruction WH")
        if self.kind == "text":
            return ("parts: top words of each column of W", "top words of some columns of V and of WH")
        return ("W: one column per part (each scaled to its maximum)",
                "left: columns of V · right: the same columns of WH")

    def _status(self, rank, iteration, err):
        return (f'rank <b>r = {rank}</b> · iteration <b>k = {iteration}</b> · relative error '
                f'‖V − WH‖/‖V‖ = <b>{err:.4f}</b>')

    def _panel(self, role, content):
        if self.kind == "text":
            return f'<div class="nmfx-{role} nmfx-text">{content}</div>'
        css = "nmfx-heat" if self.kind == "heatmap" else "nmfx-img"
        return f'<img class="nmfx-{role} {css}" src="{content}" alt="{role}">'

    def _body(self, rank, iteration, frame, controls):
        parts_caption, recon_caption = self._captions()
        title = f'<div class="nmfx-title">{html.escape(self.title)}</div>' if self.title else ""
        data_view = self._data_view()
        if self.kind == "text":
            recon = (f'<div class="nmfx-pair">{self._panel("orig", data_view)}'
                     f'{self._panel("recon", frame["recon"])}</div>')
        elif self.kind == "heatmap":
            recon = (f'<div class="nmfx-pair nmfx-side">{self._panel("orig", data_view)}'
                     f'{self._panel("recon", frame["recon"])}</div>')
        else:
            recon = f'{self._panel("orig", data_view)}{self._panel("recon", frame["recon"])}'
        return (f'{title}{controls}'
                f'<div class="nmfx-panels">'
                f'<figure class="nmfx-panel nmfx-p-parts"><figcaption>{parts_caption}</figcaption>'
                f'{self._panel("parts", frame["parts"])}</figure>'
                f'<figure class="nmfx-panel nmfx-p-recon"><figcaption>{recon_caption}</figcaption>{recon}</figure>'
                f'<figure class="nmfx-panel nmfx-p-loss"><figcaption>relative error ‖V − WH‖/‖V‖, every rank; '
                f'the dot is (k, error) of the chosen rank</figcaption>{self._loss_svg(rank, iteration)}</figure>'
                f'</div><div class="nmfx-status" aria-live="polite">{self._status(rank, iteration, frame["err"])}'
                f'</div>')

    def to_html(self):
        """The self-contained HTML/JavaScript view over every (rank, iteration) frame of the grid."""
        if self._html is not None:
            return self._html
        iteration = min(self.iterations, key=lambda k: abs(k - self.iteration))
        r_index, k_index = self.ranks.index(self.rank), self.iterations.index(iteration)
        errors, y_low, y_high = self._curve_geometry()
        frames = []
        for r in self.ranks:
            row = []
            for k in self.iterations:
                frame = self.frame(r, k)
                x, y = self._xy(k, frame["err"], y_low, y_high)
                row.append([frame["parts"], frame["recon"], self._status(r, k, frame["err"]), x, y])
            frames.append(row)
        data = {"ranks": self.ranks, "iterations": self.iterations, "frames": frames, "kind": self.kind}
        controls = (
            f'<div class="nmfx-controls">'
            f'<label class="nmfx-control"><span>rank r = <output class="nmfx-rank-value">{self.rank}</output></span>'
            f'<input type="range" class="nmfx-rank" min="0" max="{len(self.ranks) - 1}" step="1" value="{r_index}" '
            f'aria-label="rank r" aria-valuetext="r = {self.rank}"></label>'
            f'<label class="nmfx-control"><span>iteration k = <output class="nmfx-iteration-value">{iteration}'
            f'</output></span><input type="range" class="nmfx-iteration" min="0" max="{len(self.iterations) - 1}" '
            f'step="1" value="{k_index}" aria-label="iteration k" aria-valuetext="k = {iteration}"></label>'
            f'</div>')
        body = self._body(self.rank, iteration, self.frame(self.rank, iteration), controls)
        payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
        self._html = (
            f'<div class="nmf-explorer tex2jax_ignore mathjax_ignore" id="{self._id}" data-kind="{self.kind}">'
            f'<style>{_CSS}</style>{body}'
            f'<script type="application/json" class="nmfx-json">{payload}</script>'
            f'<script>{_JS}nmfExplorerInit(document.getElementById("{self._id}"));</script>'
            f'<noscript>JavaScript is off: the sliders above do not move.</noscript></div>')
        return self._html

    def save_html(self, path):
        """Write the static view as a standalone page (no kernel, no network)."""
        page = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<title>{html.escape(self.title or "NMF explorer")}</title></head>'
                f'<body style="font-family: sans-serif; max-width: 60rem; margin: auto; padding: 0.5rem">'
                f'{self.to_html()}</body></html>')
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(page)
        return path

    def page_weight(self):
        """Bytes of the static view (the text/html the book embeds)."""
        return len(self.to_html().encode("utf-8"))

    # --- the live widget ---------------------------------------------------------------------------

    def _live_html(self, rank, iteration):
        return (f'<div class="nmf-explorer nmfx-live" data-kind="{self.kind}"><style>{_CSS}</style>'
                f'{self._body(rank, iteration, self.frame(rank, iteration), "")}</div>')

    @property
    def widget(self):
        """The live ipywidgets app (created on first use)."""
        if self._widget is None:
            import ipywidgets as w

            self.rank_slider = w.SelectionSlider(options=[(str(r), r) for r in self.ranks], value=self.rank,
                                                 description="rank r", continuous_update=True,
                                                 layout=w.Layout(width="auto", flex="1 1 240px"),
                                                 style={"description_width": "5em"})
            self.iteration_slider = w.IntSlider(value=self.iteration, min=0, max=self.last,
                                                description="iteration k", continuous_update=True,
                                                layout=w.Layout(width="auto", flex="1 1 240px"),
                                                style={"description_width": "5em"})
            self.view = w.HTML(self._live_html(self.rank, self.iteration))
            self.rank_slider.observe(self._on_slider, names="value")
            self.iteration_slider.observe(self._on_slider, names="value")
            controls = w.HBox([self.rank_slider, self.iteration_slider],
                              layout=w.Layout(flex_flow="row wrap", width="100%"))
            self._widget = w.VBox([controls, self.view], layout=w.Layout(width="100%"))
        return self._widget

    def _on_slider(self, _change=None):
        self.rank, self.iteration = int(self.rank_slider.value), int(self.iteration_slider.value)
        self.view.value = self._live_html(self.rank, self.iteration)

    def show(self, rank, iteration):
        """Move the live sliders to (rank, iteration) (as a reader would) and return the new view's HTML."""
        with self.widget.hold_sync():
            self.rank_slider.value = rank
            self.iteration_slider.value = iteration
        return self.view.value

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {}
        try:
            bundle.update(self.widget._repr_mimebundle_() or {})
        except ImportError:  # pragma: no cover - ipywidgets is a dependency of nmf_teach
            pass
        bundle["text/html"] = self.to_html()
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self):
        return (f"Explorer({self.kind}, V {self._V.shape[0]}×{self._V.shape[1]}, ranks {self.ranks}, "
                f"iterations {self.iterations[0]}..{self.last}, {len(self.ranks) * len(self.iterations)} frames)")

    # --- static matplotlib figures (print, PDF) ----------------------------------------------------

    def plot_parts(self, rank=None, iteration=None):
        """The parts at (rank, iteration) as a matplotlib figure (:func:`nmf_teach.plotting.image_grid`)."""
        from . import plotting

        rank = self.rank if rank is None else rank
        iteration = self.iteration if iteration is None else iteration
        W, _ = self.state(rank, iteration)
        if self.image_shape is None:
            raise ValueError("plot_parts draws images: give image_shape")
        return plotting.image_grid(W, self.image_shape, cmap=self.parts_cmap,
                                   suptitle=f"parts (columns of W), r = {rank}, k = {iteration}")

    def plot_losses(self, ax=None):
        """Every rank's loss against k (:func:`nmf_teach.plotting.loss_curve`), on one Axes."""
        from . import plotting

        for r in self.ranks:
            ax = plotting.loss_curve(self.results[r].losses, ax=ax, label=f"r = {r}")
        return ax


# --- helpers -----------------------------------------------------------------------------------------


def _check_ranks(ranks):
    if np.isscalar(ranks):
        ranks = [ranks]
    ranks = sorted({check_rank(r) for r in ranks})
    if not ranks:
        raise ValueError("ranks must hold at least one rank")
    return ranks


def _check_iterations(iterations):
    if np.isscalar(iterations):
        return default_iterations(iterations)
    values = sorted({check_count(k, "iterations") for k in iterations})
    if not values:
        raise ValueError("iterations must hold at least one iteration count")
    return values


def _check_columns(columns, n):
    if np.isscalar(columns):
        count = check_count(columns, "columns", minimum=1)
        return np.unique(np.linspace(0, n - 1, min(count, n)).round().astype(int))
    columns = np.asarray(columns, dtype=int).ravel()
    if columns.size == 0 or columns.min() < -n or columns.max() >= n:
        raise ValueError(f"columns must be indices of V's {n} columns, got {columns.tolist()}")
    return columns % n


def _vmax(X):
    top = float(np.max(X)) if X.size else 0.0
    return top if top > 0 else 1.0


def _colorize(values, cmap):
    """Values in [0, 1] → uint8 image (grayscale if the colormap is gray)."""
    import matplotlib

    values = np.clip(np.nan_to_num(values), 0, 1)
    if cmap in ("gray", "Greys_r"):
        return np.round(255 * values).astype(np.uint8)
    if cmap in ("gray_r", "Greys", "binary"):
        return np.round(255 * (1 - values)).astype(np.uint8)
    return matplotlib.colormaps[cmap](values, bytes=True)[..., :3]


def _scale(X, scale_each, vmax=None):
    X = np.asarray(X, dtype=float)
    if scale_each:
        top = X.max(axis=0, keepdims=True)
        return X / np.where(top > 0, top, 1)
    return X / (vmax or _vmax(X))


def _tile(X, shape, cmap, *, scale_each, vmax=None, columns=None, gap=1):
    """Columns of X as a grid of images (gap pixels between them), as a uint8 array."""
    h, w = shape
    count = X.shape[1]
    columns = columns or int(math.ceil(math.sqrt(count)))
    rows = int(math.ceil(count / columns))
    tiles = _colorize(_scale(X, scale_each, vmax), cmap)
    color = tiles.ndim == 3
    grid = np.full((rows * (h + gap) + gap, columns * (w + gap) + gap) + ((3,) if color else ()),
                   _GRID_GAP, dtype=np.uint8)
    if rows * columns > count:  # the empty cells of the last row: page-coloured, not gap-coloured
        grid[gap + (rows - 1) * (h + gap):, gap + (count - (rows - 1) * columns) * (w + gap):] = 255
    for index in range(count):
        row, col = divmod(index, columns)
        tile = tiles[:, index].reshape((h, w, 3) if color else (h, w))
        grid[gap + row * (h + gap): gap + row * (h + gap) + h, gap + col * (w + gap): gap + col * (w + gap) + w] = tile
    return grid


def _heatmap(X, cmap, *, scale_each, vmax=None):
    X = _scale(X, scale_each, vmax)
    if X.shape[0] > _HEATMAP_MAX_ROWS:  # average blocks of rows: a picture, not a table
        edges = np.linspace(0, X.shape[0], _HEATMAP_MAX_ROWS + 1).astype(int)
        X = np.add.reduceat(X, edges[:-1], axis=0) / np.diff(edges)[:, None]
    return _colorize(X, cmap)


def _png(pixels):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _top_words_html(X, labels, name, indices=None, top=6):
    X = np.asarray(X)
    items = []
    for j in range(X.shape[1]):
        column = X[:, j]
        order = np.argsort(-column, kind="stable")[:top]
        words = " · ".join(html.escape(labels[i]) for i in order if column[i] > 0) or "(empty)"
        label = f"{name} {indices[j] if indices is not None else j + 1}"
        items.append(f"<li><b>{label}</b>: {words}</li>")
    return f'<ol class="nmfx-words">{"".join(items)}</ol>'


def _x_ticks(last):
    ticks = [0] + [10 ** d for d in range(0, 7) if 10 ** d <= last]
    return ticks if last in ticks or last < 5 else ticks + [last]


def _y_ticks(y_low, y_high):
    """Tick values for a log axis from 10**y_low to 10**y_high: decades, or evenly spaced round numbers."""
    decades = [10.0 ** d for d in range(math.ceil(y_low), math.floor(y_high) + 1)]
    if len(decades) >= 2:
        return decades[:: max(1, len(decades) // 4)]
    low, high = 10.0 ** y_low, 10.0 ** y_high
    raw = (high - low) / 5
    step = next(m * 10.0 ** math.floor(math.log10(raw)) for m in (1, 2, 2.5, 5, 10)
                if m * 10.0 ** math.floor(math.log10(raw)) >= raw * 0.999)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 12) for i in range(int((high - first) / step + 1e-9) + 1)]


def _spread(ys, gap):
    """Move label heights apart (by at least ``gap``), keeping their order."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    out = list(ys)
    for before, after in zip(order, order[1:], strict=False):
        out[after] = max(out[after], out[before] + gap)
    return out


def _fmt_tick(value):
    return f"{value:.0e}".replace("e-0", "e-").replace("e+00", "") if value < 0.01 else f"{value:.3g}"


class _Progress:
    """A progress bar in Jupyter (HTML, no widget), replaced by nothing when done."""

    def __init__(self, total, what):
        self.total, self.what, self.handle = total, what, None
        try:
            from IPython import get_ipython
            from IPython.display import HTML, display
        except ImportError:  # pragma: no cover
            return
        if get_ipython() is None:
            return
        self._HTML = HTML
        self.handle = display(HTML(self._html(0, "")), display_id=True)

    def _html(self, done, note):
        return (f'<div style="font-size:0.9em">{html.escape(self.what)}: <progress value="{done}" '
                f'max="{self.total}"></progress> {done}/{self.total} {html.escape(note)}</div>')

    def update(self, done, note):
        if self.handle is not None:
            self.handle.update(self._HTML(self._html(done, note)))

    def close(self):
        if self.handle is not None:
            self.handle.update(self._HTML(""))


_SVG_W, _SVG_H = 360, 230
_SVG_LEFT, _SVG_RIGHT, _SVG_TOP, _SVG_BOTTOM = 46, 40, 8, 34

_CSS = """
.nmf-explorer{--nmfx-fg:var(--pst-color-text-base,#222);--nmfx-muted:var(--pst-color-text-muted,#666);
--nmfx-border:var(--pst-color-border,#d0d4da);--nmfx-accent:#d9480f;--nmfx-bg:var(--pst-color-surface,#f6f7f9);
color:var(--nmfx-fg);border:1px solid var(--nmfx-border);border-radius:8px;padding:12px;margin:.5em 0 1em;
max-width:100%;box-sizing:border-box;font-size:15px;line-height:1.35;background:var(--nmfx-bg);
container-type:inline-size}
.nmf-explorer *{box-sizing:border-box}
.nmf-explorer .nmfx-title{font-weight:600;margin-bottom:6px}
.nmf-explorer .nmfx-controls{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:6px 28px;
margin-bottom:10px}
.nmf-explorer .nmfx-control{display:flex;flex-direction:column;gap:2px;margin:0;font-weight:normal}
.nmf-explorer .nmfx-control span{font-variant-numeric:tabular-nums}
.nmf-explorer .nmfx-control output{font-weight:600}
.nmf-explorer input[type=range]{width:100%;margin:4px 0;accent-color:var(--nmfx-accent);min-height:24px}
.nmf-explorer .nmfx-panels{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);
grid-template-areas:"parts recon" "parts loss";gap:14px 18px;align-items:start}
.nmf-explorer .nmfx-p-parts{grid-area:parts}.nmf-explorer .nmfx-p-recon{grid-area:recon}
.nmf-explorer .nmfx-p-loss{grid-area:loss}
@container (max-width:500px){.nmf-explorer .nmfx-panels{grid-template-columns:minmax(0,1fr);
grid-template-areas:"parts" "recon" "loss"}}
@container (min-width:900px){.nmf-explorer .nmfx-panels{grid-template-columns:repeat(3,minmax(0,1fr));
grid-template-areas:"parts recon loss"}}
.nmf-explorer figure.nmfx-panel{margin:0;padding:0;min-width:0}
.nmf-explorer figcaption{font-size:.82em;color:var(--nmfx-muted);margin:0 0 4px;padding:0;text-align:left}
.nmf-explorer img.nmfx-img{width:100%;height:auto;image-rendering:pixelated;display:block;border-radius:3px;
margin:0 0 4px;background:#fff}
.nmf-explorer img.nmfx-heat{width:100%;height:240px;object-fit:fill;image-rendering:pixelated;display:block;
border-radius:3px}
.nmf-explorer .nmfx-side{display:grid;grid-template-columns:1fr 1fr;gap:6px}
.nmf-explorer .nmfx-text ol{margin:0;padding-left:0;list-style:none;font-size:.85em}
.nmf-explorer .nmfx-text li{margin:0 0 3px;overflow-wrap:anywhere}
.nmf-explorer .nmfx-pair .nmfx-text + .nmfx-text{margin-top:8px;padding-top:6px;
border-top:1px dashed var(--nmfx-border)}
.nmf-explorer svg.nmfx-loss{width:100%;height:auto;display:block;font-size:11px;font-family:inherit}
.nmf-explorer svg text{fill:var(--nmfx-muted)}
.nmf-explorer .nmfx-frame{fill:none;stroke:var(--nmfx-border)}
.nmf-explorer .nmfx-grid{stroke:var(--nmfx-border);stroke-width:.6;stroke-dasharray:2 3}
.nmf-explorer .nmfx-curve polyline{fill:none;stroke:#9aa3ad;stroke-width:1.2;opacity:.55}
.nmf-explorer .nmfx-curve text{font-size:10px;opacity:.6}
.nmf-explorer .nmfx-curve.nmfx-active polyline{stroke:#1c7ed6;stroke-width:2.4;opacity:1}
.nmf-explorer .nmfx-curve.nmfx-active text{fill:#1c7ed6;opacity:1;font-weight:600}
.nmf-explorer .nmfx-marker{fill:var(--nmfx-accent);stroke:#fff;stroke-width:1.5}
.nmf-explorer .nmfx-marker-line{stroke:var(--nmfx-accent);stroke-width:1;stroke-dasharray:3 3}
.nmf-explorer .nmfx-status{margin-top:10px;font-size:.9em;font-variant-numeric:tabular-nums}
@media (max-width:480px){.nmf-explorer{padding:8px;font-size:14px}.nmf-explorer .nmfx-panels{gap:10px}}
"""

_JS = """
window.nmfExplorerInit = window.nmfExplorerInit || function (root) {
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var data = JSON.parse(root.querySelector(".nmfx-json").textContent);
  var rank = root.querySelector("input.nmfx-rank"), iter = root.querySelector("input.nmfx-iteration");
  var rankOut = root.querySelector(".nmfx-rank-value"), iterOut = root.querySelector(".nmfx-iteration-value");
  var parts = root.querySelector(".nmfx-parts"), recon = root.querySelector(".nmfx-recon");
  var status = root.querySelector(".nmfx-status");
  var dot = root.querySelector(".nmfx-marker"), line = root.querySelector(".nmfx-marker-line");
  var curves = root.querySelectorAll(".nmfx-curve");
  function show(node, value) {
    if (data.kind === "text") node.innerHTML = value; else node.setAttribute("src", value);
  }
  function update() {
    var i = +rank.value, j = +iter.value, f = data.frames[i][j];
    var r = data.ranks[i], k = data.iterations[j];
    show(parts, f[0]); show(recon, f[1]); status.innerHTML = f[2];
    rankOut.textContent = r; iterOut.textContent = k;
    rank.setAttribute("aria-valuetext", "r = " + r); iter.setAttribute("aria-valuetext", "k = " + k);
    dot.setAttribute("cx", f[3]); dot.setAttribute("cy", f[4]);
    line.setAttribute("x1", f[3]); line.setAttribute("x2", f[3]);
    for (var c = 0; c < curves.length; c++)
      curves[c].classList.toggle("nmfx-active", +curves[c].dataset.rankIndex === i);
    root.dataset.rank = r; root.dataset.iteration = k;
  }
  rank.addEventListener("input", update); iter.addEventListener("input", update);
  update();
};
"""
