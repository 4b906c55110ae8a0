"""Explore a factorization over the rank r and the iteration k, in Jupyter and in the book.

:func:`explorer` returns ONE display object. Shown in Jupyter it is a live
ipywidgets app: a rank slider, an iteration slider, and three panels that follow
them — the parts (the columns of W), a few columns of V beside their
reconstructions WH, and the relative error ‖V − WH‖/‖V‖ against k with the current
iteration marked. Shown in the rendered book (where no Python runs) the same
object is a self-contained HTML/JavaScript view over frames computed when the
book was built: a grid of ranks × iterations, images as PNG data URIs, no
kernel and no network: the book's build makes explorers static (``static=``,
``NMF_TEACH_STATIC_EXPLORERS``), and ``_config.yml`` (``nb_mime_priority_overrides``)
makes the HTML builder pick that view. In Jupyter the cell also keeps a saved
view (:meth:`Explorer.saved_html`: the frame, loss curve and state of its first
view), hidden while the widget lives and shown, with "run the cell to make it
live", when the notebook is reopened without its kernel.

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
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from ._validation import check_count, check_matrix, check_rank
from .messages import tr
from .solver import nmf

__all__ = ["Explorer", "explorer", "default_iterations", "INITS", "STATIC_ENV"]

INITS = ("random", "nndsvd", "nndsvda")
STATIC_ENV = "NMF_TEACH_STATIC_EXPLORERS"
_LIGHT_RUNS = 8  # runs whose every iteration is kept for the frames; older ones use their snapshots
_LABEL_GAP = 13  # px between the rank labels at the right end of the loss curves

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


def explorer(V, ranks=(2, 5, 10), iterations=200, *, max_rank=None, image_shape=None, row_labels=None, columns=6,
             seed=0, init="random", keep_every=10, cmap=None, parts_cmap=None, rank=None, iteration=None, title=None,
             progress=True, live_memory_mb=200, static=None):
    """An explorer of ``nmf(V, r)`` over the ranks r and the iterations k; see :class:`Explorer`.

    Parameters
    ----------
    V : array_like or scipy.sparse matrix, shape (m, n)
        Non-negative data, one item (an image, a document) per column.
    ranks : sequence of int
        The ranks of the book's static view, computed when the book is built.
        In Jupyter the rank slider offers every rank from 1 to ``max_rank``.
    iterations : int or sequence of int
        The iterations the book's slider offers: an int N gives 0, 1, 2, 5, 10,
        20, 50, ... up to N; a sequence is used as it is. In Jupyter the
        iteration slider offers every k from 0 to the largest.
    max_rank : int or None
        The largest rank of the live rank slider (default: the largest of ``ranks``).
        A rank is computed when it is first chosen, then kept.
    image_shape : (int, int) or None
        (height, width) if every column of V is an image (row-major).
    row_labels : sequence of str or None
        A name for every row of V (the words of a word-count matrix): parts
        and columns are then shown as their top rows.
    columns : int or sequence of int
        The columns of V shown beside their reconstructions: a count (spread
        evenly over V) or the indices.
    seed : int
        Seed of the random start (the live explorer has a control for it).
    init : {"random", "nndsvd", "nndsvda"}
        Start of every run, as in :func:`nmf_teach.nmf` (the live explorer has a control for it).
    keep_every : int
        Spacing of the full snapshots (W, H) of the runs.
    live_memory_mb : float
        Memory for what the frames show (W and a few columns of H, float32)
        at every iteration of the runs kept (at most eight at a time), so that
        a slider move never recomputes. If a run does not fit, every ``s``-th
        iteration is kept and a move recomputes at most ``keep_every - 1``
        iterations from the full snapshot before.
    cmap, parts_cmap : str or None
        Matplotlib colormaps of the data/reconstructions and of the parts
        (images: "gray" and "gray_r"; heatmaps: "viridis").
    rank, iteration : int or None
        Where the sliders start (default: the middle rank of ``ranks``, the last iteration).
    title : str or None
        A heading shown above the sliders.
    progress : bool
        Show a progress bar (tqdm) in Jupyter while a run is computed.
    static : bool or None
        Whether the explorer displays as the static HTML view (the book) or as
        the live widget (Jupyter). None: static if the environment variable
        ``NMF_TEACH_STATIC_EXPLORERS`` is ``"1"``, as the book's build sets it
        (``tools/offline_assets.py``); live otherwise.

    Returns
    -------
    Explorer
    """
    return Explorer(V, ranks, iterations, max_rank=max_rank, image_shape=image_shape, row_labels=row_labels,
                    columns=columns, seed=seed, init=init, keep_every=keep_every, cmap=cmap, parts_cmap=parts_cmap,
                    rank=rank, iteration=iteration, title=title, progress=progress, live_memory_mb=live_memory_mb,
                    static=static)


class _Runs(Mapping):
    """``explorer.results``: the run of every rank of the static view, computed when first read."""

    def __init__(self, explorer):
        self._explorer = explorer

    def __getitem__(self, rank):
        if rank not in self._explorer.ranks:
            raise KeyError(rank)
        return self._explorer.run(rank)

    def __iter__(self):
        return iter(self._explorer.ranks)

    def __len__(self):
        return len(self._explorer.ranks)


class Explorer:
    """The rank/iteration explorer: a live widget in Jupyter, a static HTML view in the book.

    Nothing is computed when it is made. The live widget computes the run of a
    rank (from the chosen start) when the rank is first chosen, showing a
    progress bar, and keeps it; the static view computes the runs of ``ranks``
    from the start the explorer was made with.

    Attributes
    ----------
    ranks : list of int
        The ranks of the static view.
    max_rank : int
        The largest rank of the live rank slider.
    iterations : list of int
        The iterations of the static view (the live slider offers every k up
        to ``iterations[-1]``).
    results : mapping of int to NMFResult
        The run of every rank of ``ranks`` from the start the explorer was
        made with (computed when first read).
    columns : numpy.ndarray
        The indices of the columns of V that are shown.
    """

    def __init__(self, V, ranks=(2, 5, 10), iterations=200, *, max_rank=None, image_shape=None, row_labels=None,
                 columns=6, seed=0, init="random", keep_every=10, cmap=None, parts_cmap=None, rank=None,
                 iteration=None, title=None, progress=True, live_memory_mb=200, static=None):
        V = check_matrix(V, "V", allow_sparse=True)
        m, n = V.shape
        self._V = V
        self.ranks = _check_ranks(ranks)
        self.max_rank = self.ranks[-1] if max_rank is None else check_rank(max_rank, "max_rank")
        if self.max_rank < self.ranks[-1]:
            raise ValueError(f"max_rank={self.max_rank} is below the largest rank of the static view, "
                             f"{self.ranks[-1]}")
        self.iterations = _check_iterations(iterations)
        self.last = self.iterations[-1]
        self.keep_every = check_count(keep_every, "keep_every", minimum=1)
        self.seed = check_count(seed, "seed")
        if init not in INITS:
            raise ValueError(f"init must be one of {', '.join(map(repr, INITS))}, got {init!r}")
        self.init, self.title = init, title
        self.book_start = (self.init, self.seed)
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
        self.rank = self._pick(rank, range(1, self.max_rank + 1), self.ranks[(len(self.ranks) - 1) // 2], "rank")
        self.iteration = self._pick(iteration, range(self.last + 1), self.last, "iteration")
        self.progress = bool(progress)
        self.static = os.environ.get(STATIC_ENV) == "1" if static is None else bool(static)
        self._id = f"nmfx-{next(_ids)}-{np.random.default_rng().integers(1 << 30):x}"
        self._data = V[:, self.columns].toarray() if sp.issparse(V) else np.array(V[:, self.columns])
        self._runs = {}                # (init, seed, rank) -> NMFResult
        self._light = OrderedDict()    # (init, seed, rank) -> {k: (W, shown columns of H)}, float32
        self._states = OrderedDict()
        self._frames = OrderedDict()
        self._svg = {}
        self._memory = float(live_memory_mb) * 1e6
        self._lock = threading.RLock()
        self._thread = None
        self._html = None
        self._widget = None
        self.results = _Runs(self)

    # --- computing -------------------------------------------------------------------------------

    @staticmethod
    def _pick(value, allowed, default, name):
        if value is None:
            return default
        if value not in allowed:
            raise ValueError(f"{name}={value!r} is not one the sliders offer ({allowed[0]} to {allowed[-1]})")
        return int(value)

    def _key(self, rank, start):
        init, seed = self.book_start if start is None else start
        rank = check_rank(rank)
        if rank > self.max_rank:
            raise ValueError(f"rank {rank} is above the explorer's max_rank={self.max_rank}")
        return init, seed, rank

    def run(self, rank, start=None, bar=None):
        """The run of rank ``rank`` from ``start = (init, seed)`` (default: the book's), computed once.

        Besides the full snapshots (every ``keep_every``), the run keeps what a
        frame shows -- W and the shown columns of H, in float32 -- at every
        iteration (or every s-th, within the memory budget): a slider move
        then only renders, it never recomputes. ``bar`` is a tqdm bar to advance.
        """
        key = self._key(rank, start)
        with self._lock:
            if key in self._runs:
                return self._runs[key]
            init, seed, rank = key
            per_iteration = 4 * (self._V.shape[0] * rank + rank * len(self.columns))
            step = max(1, math.ceil(per_iteration * (self.last + 1) / (self._memory / _LIGHT_RUNS)))
            wanted = set(self.iterations)
            light = {}

            def keep(k, W, H, _loss):
                if k % step == 0 or k in wanted:
                    light[k] = (W.astype(np.float32), H[:, self.columns].astype(np.float32))
                if bar is not None:
                    bar.update(1)

            result = nmf(self._V, rank, iterations=self.last, init=init, seed=seed,
                         keep_every=self.keep_every, callback=keep)
            light[0] = (result.W0.astype(np.float32), result.H0[:, self.columns].astype(np.float32))
            self._runs[key] = result
            self._light[key] = light
            while len(self._light) > _LIGHT_RUNS:  # the oldest runs fall back to their snapshots
                self._light.popitem(last=False)
            return result

    def state(self, rank, iteration, start=None):
        """``(W, H)`` of the run of rank ``rank`` after ``iteration`` iterations (read-only arrays)."""
        key = self._key(rank, start)
        iteration = int(iteration)
        if not 0 <= iteration <= self.last:
            raise ValueError(f"iteration must be between 0 and {self.last}, got {iteration}")
        if (key, iteration) in self._states:
            self._states.move_to_end((key, iteration))
            return self._states[key, iteration]
        snapshots = self.run(key[2], key[:2]).snapshots
        before = max(k for k in snapshots if k <= iteration)
        W, H = snapshots[before]
        if before < iteration:
            again = nmf(self._V, key[2], iterations=iteration - before, init=(W, H))
            W, H = again.W, again.H
            W.setflags(write=False)
            H.setflags(write=False)
        self._states[key, iteration] = (W, H)
        if len(self._states) > 16:
            self._states.popitem(last=False)
        return W, H

    def _shown_state(self, key, iteration):
        """W and the shown columns of H at (rank, iteration): kept by the run, else recomputed."""
        kept = self._light.get(key, {}).get(iteration)
        if kept is not None:
            return kept
        W, H = self.state(key[2], iteration, key[:2])
        return W, H[:, self.columns]

    def relative_error(self, rank, iteration, start=None):
        """‖V − WH‖_F / ‖V‖_F of the run of rank ``rank`` after ``iteration`` iterations."""
        key = self._key(rank, start)
        return float(self.run(key[2], key[:2]).relative_errors[int(iteration)])

    # --- one frame -------------------------------------------------------------------------------

    def frame(self, rank, iteration, start=None):
        """The rendered frame at (rank, iteration): a dict of parts, recon (HTML or data URIs) and err."""
        key = self._key(rank, start)
        iteration = int(iteration)
        if (key, iteration) in self._frames:
            self._frames.move_to_end((key, iteration))
            return self._frames[key, iteration]
        self.run(key[2], key[:2])
        W, H_shown = self._shown_state(key, iteration)
        approx = W @ H_shown
        if self.kind == "text":
            parts = _top_words_html(W, self.row_labels, tr("part"))
            recon = _top_words_html(approx, self.row_labels, tr("WH, column"), self.columns)
        elif self.kind == "images":
            parts = _png(_tile(W, self.image_shape, self.parts_cmap, scale_each=True))
            recon = _png(_tile(approx, self.image_shape, self.cmap, scale_each=False,
                               vmax=_vmax(self._data), columns=len(self.columns)))
        else:
            parts = _png(_heatmap(W, self.parts_cmap, scale_each=True))
            recon = _png(_heatmap(approx, self.cmap, scale_each=False, vmax=_vmax(self._data)))
        frame = {"parts": parts, "recon": recon, "err": self.relative_error(*key[2:], iteration, key[:2])}
        self._frames[key, iteration] = frame
        if len(self._frames) > 1024:
            self._frames.popitem(last=False)
        return frame

    def _data_view(self):
        if self.kind == "text":
            return _top_words_html(self._data, self.row_labels, tr("V, column"), self.columns)
        if self.kind == "images":
            return _png(_tile(self._data, self.image_shape, self.cmap, scale_each=False, vmax=_vmax(self._data),
                              columns=len(self.columns)))
        return _png(_heatmap(self._data, self.cmap, scale_each=False, vmax=_vmax(self._data)))

    # --- the loss curve (SVG) --------------------------------------------------------------------

    def _curve_ranks(self, start):
        """The ranks whose curves the loss panel draws: the book's, or every rank computed from ``start``."""
        if start is None:
            return list(self.ranks)
        return sorted(r for (init, seed, r) in self._runs if (init, seed) == start)

    def _curve_geometry(self, start, ranks):
        errors = {r: np.maximum(self.run(r, start).relative_errors, 1e-16) for r in ranks}
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

    def _loss_svg(self, rank, iteration, start=None, ranks=None):
        ranks = self._curve_ranks(start) if ranks is None else ranks
        svg_key = (start, tuple(ranks))
        if svg_key not in self._svg:
            self._svg[svg_key] = self._loss_svg_parts(start, ranks)
        head, curves, y_low, y_high = self._svg[svg_key]
        parts = [head]
        for index, (r, curve) in enumerate(zip(ranks, curves, strict=True)):
            active = " nmfx-active" if r == rank else ""
            parts.append(f'<g class="nmfx-curve{active}" data-rank-index="{index}">{curve}</g>')
        x, y = self._xy(iteration, self.relative_error(rank, iteration, start), y_low, y_high)
        bottom = _SVG_H - _SVG_BOTTOM
        parts.append(f'<line class="nmfx-marker-line" x1="{x}" x2="{x}" y1="{_SVG_TOP}" y2="{bottom}"/>'
                     f'<circle class="nmfx-marker" cx="{x}" cy="{y}" r="4.5"/></svg>')
        return "".join(parts)

    def _loss_svg_parts(self, start, ranks):
        """The parts of the loss SVG that do not move: axes, and one curve per rank."""
        errors, y_low, y_high = self._curve_geometry(start, ranks)
        ks = np.unique(np.round(np.expm1(np.linspace(0, math.log1p(self.last), 160))).astype(int))
        parts = [f'<svg class="nmfx-loss" viewBox="0 0 {_SVG_W} {_SVG_H}" role="img" '
                 f'aria-label="{tr("relative error against iteration, one curve per rank")}">']
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
                     f'{tr("iteration k (log scale)")}</text>')
        ends = [self._xy(self.last, errors[r][self.last], y_low, y_high)[1] for r in ranks]
        label_y = _spread(ends, _LABEL_GAP, _SVG_TOP + _LABEL_GAP / 2, plot_bottom)
        curves = []
        for index, r in enumerate(ranks):
            points = " ".join("%s,%s" % self._xy(k, errors[r][k], y_low, y_high) for k in ks)
            curves.append(f'<polyline points="{points}"/>'
                          f'<text x="{plot_right + 5}" y="{label_y[index] + 3.5:.1f}">r={r}</text>')
        return "".join(parts), curves, y_low, y_high

    # --- HTML --------------------------------------------------------------------------------------

    def _captions(self):
        if self.kind == "images":
            return (tr("parts: the columns of W"), tr("top: columns of V · bottom: their reconstruction WH"))
        if self.kind == "text":
            return (tr("parts: top words of each column of W"), tr("top words of some columns of V and of WH"))
        return (tr("W: one column per part (each scaled to its maximum)"),
                tr("left: columns of V · right: the same columns of WH"))

    def _status(self, rank, iteration, err):
        return (f'{tr("rank")} <b>r = {rank}</b> · {tr("iteration")} <b>k = {iteration}</b> · {tr("relative error")} '
                f'‖V − WH‖/‖V‖ = <b>{err:.4f}</b>')

    def _panel(self, role, content):
        if self.kind == "text":
            return f'<div class="nmfx-{role} nmfx-text">{content}</div>'
        css = "nmfx-heat" if self.kind == "heatmap" else "nmfx-img"
        return f'<img class="nmfx-{role} {css}" src="{content}" alt="{role}">'

    def _body(self, rank, iteration, frame, controls, loss_svg, note=""):
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
                f'<figure class="nmfx-panel nmfx-p-loss"><figcaption>'
                f'{tr("relative error ‖V − WH‖/‖V‖, every rank computed; the dot is (k, error) of the chosen rank")}'
                f'</figcaption>{loss_svg}</figure>'
                f'</div><div class="nmfx-status" aria-live="polite">{self._status(rank, iteration, frame["err"])}'
                f'</div>{note}')

    def to_html(self):
        """The self-contained HTML/JavaScript view over every (rank, iteration) frame of the book's grid."""
        if self._html is not None:
            return self._html
        start = self.book_start
        rank = self.rank if self.rank in self.ranks else self.ranks[(len(self.ranks) - 1) // 2]
        iteration = min(self.iterations, key=lambda k: abs(k - self.iteration))
        r_index, k_index = self.ranks.index(rank), self.iterations.index(iteration)
        _, y_low, y_high = self._curve_geometry(start, self.ranks)
        frames = []
        for r in self.ranks:
            row = []
            for k in self.iterations:
                frame = self.frame(r, k, start)
                x, y = self._xy(k, frame["err"], y_low, y_high)
                row.append([frame["parts"], frame["recon"], self._status(r, k, frame["err"]), x, y])
            frames.append(row)
        data = {"ranks": self.ranks, "iterations": self.iterations, "frames": frames, "kind": self.kind}
        controls = (
            f'<div class="nmfx-controls">'
            f'<label class="nmfx-control"><span>{tr("rank r")} = <output class="nmfx-rank-value">{rank}</output>'
            f'</span><input type="range" class="nmfx-rank" min="0" max="{len(self.ranks) - 1}" step="1" '
            f'value="{r_index}" aria-label="{tr("rank r")}" aria-valuetext="r = {rank}"></label>'
            f'<label class="nmfx-control"><span>{tr("iteration k")} = <output class="nmfx-iteration-value">'
            f'{iteration}</output></span><input type="range" class="nmfx-iteration" min="0" '
            f'max="{len(self.iterations) - 1}" step="1" value="{k_index}" aria-label="{tr("iteration k")}" '
            f'aria-valuetext="k = {iteration}"></label>'
            f'</div>')
        note = tr("Precomputed when the book was built: ranks {ranks}, iterations {iterations}, from {start}. "
                  "Run the chapter in Jupyter for a live explorer: any rank from 1 to {max_rank}, every iteration, "
                  "any start.").format(ranks=", ".join(map(str, self.ranks)),
                                       iterations=", ".join(map(str, self.iterations)),
                                       start=self._start_name(self.init, self.seed), max_rank=self.max_rank)
        note = f'<div class="nmfx-note">{note}</div>'
        body = self._body(rank, iteration, self.frame(rank, iteration, start), controls,
                          self._loss_svg(rank, iteration, start, self.ranks), note)
        payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
        self._html = (
            f'<div class="nmf-explorer tex2jax_ignore mathjax_ignore" id="{self._id}" data-kind="{self.kind}">'
            f'<style>{_CSS}</style>{body}'
            f'<script type="application/json" class="nmfx-json">{payload}</script>'
            f'<script>{_JS}nmfExplorerInit(document.getElementById("{self._id}"));</script>'
            f'<noscript>{tr("JavaScript is off: the sliders above do not move.")}</noscript></div>')
        return self._html

    def save_html(self, path):
        """Write the static view as a standalone page (no kernel, no network)."""
        page = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<title>{html.escape(self.title or tr("NMF explorer"))}</title></head>'
                f'<body style="font-family: sans-serif; max-width: 60rem; margin: auto; padding: 0.5rem">'
                f'{self.to_html()}</body></html>')
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(page)
        return path

    def page_weight(self):
        """Bytes of the static view (the text/html the book embeds)."""
        return len(self.to_html().encode("utf-8"))

    # --- the live widget ---------------------------------------------------------------------------

    def _live_html(self, rank, iteration, start):
        body = self._body(rank, iteration, self.frame(rank, iteration, start), "",
                          self._loss_svg(rank, iteration, start))
        return (f'<div class="nmf-explorer nmfx-live" data-kind="{self.kind}"><style>{_CSS}{_LIVE_CSS}</style>'
                f'{body}</div>')

    def _waiting_html(self, rank):
        return (f'<div class="nmf-explorer nmfx-live" data-kind="{self.kind}"><style>{_CSS}{_LIVE_CSS}</style>'
                f'<div class="nmfx-status">'
                f'{tr("computing the run of rank r = {rank} ({last} iterations)…").format(rank=rank, last=self.last)}'
                f'</div></div>')

    @property
    def widget(self):
        """The live ipywidgets app (created on first use; its first run is computed in the background)."""
        if self._widget is None:
            import ipywidgets as w

            style = {"description_width": "initial"}
            self.rank_slider = w.IntSlider(value=self.rank, min=1, max=self.max_rank, description=tr("rank r"),
                                           continuous_update=False, style=style,
                                           layout=w.Layout(width="auto", flex="1 1 230px"))
            self.iteration_slider = w.IntSlider(value=self.iteration, min=0, max=self.last,
                                                description=tr("iteration k"), continuous_update=True, style=style,
                                                layout=w.Layout(width="auto", flex="1 1 230px"))
            self.init_menu = w.Dropdown(options=[(tr("random"), "random"), ("NNDSVD", "nndsvd"),
                                                 ("NNDSVDa", "nndsvda")], value=self.init, description=tr("start"),
                                        style=style, layout=w.Layout(width="auto", flex="0 1 170px"))
            self.seed_box = w.BoundedIntText(value=self.seed, min=0, max=2**31 - 1, description=tr("seed"),
                                             style=style, layout=w.Layout(width="auto", flex="0 1 130px"),
                                             disabled=self.init != "random")
            self.progress_box = w.HBox(layout=w.Layout(width="100%", align_items="center", flex_flow="row wrap"))
            self.view = w.HTML(self._waiting_html(self.rank), layout=w.Layout(width="100%"))
            note = tr("Live while this cell's kernel runs: any rank from 1 to {max_rank} is computed when first "
                      "chosen ({last} iterations), then kept. In a notebook reopened from its file, run the cell "
                      "to make it live again.").format(max_rank=self.max_rank, last=self.last)
            self.note = w.HTML(f"<small>{note}</small>", layout=w.Layout(width="100%"))
            for control in (self.rank_slider, self.iteration_slider, self.init_menu, self.seed_box):
                control.observe(self._on_control, names="value")
            controls = w.HBox([self.rank_slider, self.iteration_slider, self.init_menu, self.seed_box],
                              layout=w.Layout(flex_flow="row wrap", width="100%", grid_gap="4px 16px"))
            self._widget = w.VBox([controls, self.progress_box, self.view, self.note],
                                  layout=w.Layout(width="100%", max_width="980px"))
            self._thread = threading.Thread(target=self._first_view, name="nmf-explorer", daemon=True)
            self._thread.start()
        return self._widget

    def _first_view(self):
        try:
            self._refresh()
        except Exception as error:  # pragma: no cover - shown to the reader instead of lost in a thread
            text = tr("The explorer could not compute its first view: {error}").format(error=html.escape(repr(error)))
            self.view.value = f"<pre>{text}</pre>"

    def wait(self):
        """Wait until the live widget's first view is computed (it is computed in the background)."""
        if self._thread is not None:
            self._thread.join()
        return self

    def _refresh(self):
        start = (self.init, self.seed)
        if self._key(self.rank, start) not in self._runs:
            bar = self._progress_bar(self.rank, start)  # shown before the run's first iteration
            try:
                self.run(self.rank, start, bar)
            finally:
                if bar is not None:
                    bar.close()
                self.progress_box.children = ()
        self.view.value = self._live_html(self.rank, self.iteration, start)

    def _progress_bar(self, rank, start):
        """Say which run is computed (above the view), with a tqdm bar if ``progress``; return the bar."""
        import ipywidgets as w

        text = tr("computing rank {rank} ({last} iterations from {start})…").format(
            rank=f"<b>r = {rank}</b>", last=self.last, start=self._start_name(*start))
        label = w.HTML(text, layout=w.Layout(flex="0 0 auto", margin="0 12px 0 0"))
        bar = None
        if self.progress:
            try:
                from tqdm.notebook import tqdm
            except ImportError:  # pragma: no cover - tqdm is a dependency of nmf_teach
                tqdm = None
            if tqdm is not None:
                bar = tqdm(total=self.last, desc=f"r = {rank}", unit="it", display=False, leave=False)
        self.progress_box.children = (label,) if bar is None else (label, bar.container)
        return bar

    def _on_control(self, _change=None):
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self.rank, self.iteration = int(self.rank_slider.value), int(self.iteration_slider.value)
        self.init, self.seed = self.init_menu.value, int(self.seed_box.value)
        self.seed_box.disabled = self.init != "random"
        self._refresh()

    def show(self, rank, iteration, *, init=None, seed=None):
        """Move the live controls to (rank, iteration) and, if given, the start (as a reader would).

        Returns the new view's HTML. Any rank from 1 to ``max_rank``.
        """
        self._key(rank, None)
        if not 0 <= int(iteration) <= self.last:
            raise ValueError(f"iteration must be between 0 and {self.last}, got {iteration}")
        app = self.widget
        self.wait()
        with app.hold_sync():
            if init is not None:
                self.init_menu.value = init
            if seed is not None:
                self.seed_box.value = seed
            self.rank_slider.value = rank
            self.iteration_slider.value = iteration
        self._refresh()  # also when no control moved: the loss panel shows every rank computed since
        return self.view.value

    def _repr_mimebundle_(self, include=None, exclude=None):
        if self.static:
            # text/html for the HTML book, text/markdown (a figure of print_grid) for the PDF: _config.yml's
            # nb_mime_priority_overrides choose one per builder.
            return {"text/html": self.to_html(), "text/markdown": self.to_markdown(), "text/plain": repr(self)}
        bundle = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/plain"] = repr(self)
        return bundle

    def _ipython_display_(self):
        """Shown by IPython (Jupyter): the live widget at once, then the saved view that stands in for it.

        A notebook reopened from its file has no kernel behind its widgets: JupyterLab then draws the
        widget's output as "Error displaying widget: model not found" (a trusted notebook) or as its
        text/plain (an untrusted one), and the kernel cannot change a cell's outputs after the cell has
        run. So the cell gets a second output while it runs, once the first view is computed: the saved
        view (:meth:`saved_html`, one frame and the loss curve, HTML that JupyterLab's sanitizer keeps).
        While the widget is live, a rule of its CSS hides that second output; in a reopened notebook the
        saved view shows, and its own CSS hides the widget's error (in an untrusted notebook, where CSS
        is removed, the widget's output is its one line of text/plain).
        """
        from IPython.display import display

        display(self._repr_mimebundle_(), raw=True)  # live: drawn at once, its first run in the background
        if self.static or "google.colab" in sys.modules:  # Colab's page has no JupyterLab classes to hide it
            return
        self.wait()
        display({"text/html": self.saved_html(), "text/plain": self._saved_text()}, raw=True)

    def __repr__(self):
        return tr("NMF explorer ({kind}, V {m}×{n}; ranks 1 to {max_rank}, iterations 0 to {last}; the book shows "
                  "ranks {ranks})").format(kind=self.kind, m=self._V.shape[0], n=self._V.shape[1],
                                           max_rank=self.max_rank, last=self.last, ranks=self.ranks)

    def _saved_text(self):
        return tr("Saved view of the explorer: rank r = {rank}, iteration k = {iteration}, {start}. "
                  "Run the cell to make it live.").format(rank=self.rank, iteration=self.iteration,
                                                          start=self._start_name(self.init, self.seed))

    @staticmethod
    def _start_name(init, seed):
        if init == "random":
            return tr("a random start, seed {seed}").format(seed=seed)
        return tr("the {init} start").format(init=init)

    def saved_html(self):
        """The view the notebook keeps of the live explorer: its current frame, loss curve and state.

        Plain HTML that JupyterLab's sanitizer keeps in an untrusted notebook (no script, no style
        element needed: inline styles, images as data URIs, the loss curve as an SVG image), ending
        with the sentence "run the cell to make it live". One frame: tens to a few hundred kB.
        """
        start = (self.init, self.seed)
        rank, iteration = self.rank, self.iteration
        try:
            frame = self.frame(rank, iteration, start)
            svg = self._loss_svg(rank, iteration, start)
        except Exception as error:  # pragma: no cover - the live view shows the same error
            text = tr("The explorer could not compute its view ({error}): run the cell to make it live.").format(
                error=html.escape(repr(error)))
            return f'<div class="nmfx-saved"><p>{text}</p></div>'
        svg = svg.replace('<svg class="nmfx-loss" ',
                          f'<svg xmlns="{_SVG_NS}" font-family="sans-serif" font-size="11" ', 1)
        svg = svg.replace(">", f"><style>{_SVG_CSS}</style>", 1)
        loss = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
        parts_caption, recon_caption = self._captions()
        caption = 'style="font-size:12px;color:#555;margin:0 0 4px"'
        figure = 'style="margin:0;min-width:0"'
        image = 'style="width:100%;height:auto;display:block;margin:0 0 4px"'
        if self.kind == "text":
            parts = frame["parts"]
            recon = self._data_view() + frame["recon"]
        else:
            size = ' style="width:100%;height:240px;display:block;margin:0 0 4px"' if self.kind == "heatmap" else \
                f" {image}"
            parts = f'<img src="{frame["parts"]}" alt="{tr("parts")}"{size}>'
            recon = (f'<img src="{self._data_view()}" alt="{tr("columns of V")}"{size}>'
                     f'<img src="{frame["recon"]}" alt="{tr("their reconstruction WH")}"{size}>')
        saved = tr("{saved_view} of the explorer ({start}), as it was when the cell ran: run the cell to make it "
                   "live.").format(saved_view=f"<b>{tr('Saved view')}</b>", start=self._start_name(*start))
        hide_error = ("<style>.jp-OutputArea-child:has(> .jp-OutputArea-output.jupyter-widgets)"
                      ":has(~ .jp-OutputArea-child .nmfx-saved){display:none}</style>")
        return (
            f'{hide_error}<div class="nmfx-saved" style="border:1px solid #d0d4da;border-radius:8px;padding:10px 12px;'
            f'max-width:980px;font-size:14px;line-height:1.35">'
            f'<div style="display:grid;grid-template-columns:1.15fr 1fr 1fr;gap:10px 16px;align-items:start">'
            f'<figure {figure}><figcaption {caption}>{parts_caption}</figcaption>{parts}</figure>'
            f'<figure {figure}><figcaption {caption}>{recon_caption}</figcaption>{recon}</figure>'
            f'<figure {figure}><figcaption {caption}>{tr("relative error ‖V − WH‖/‖V‖ of every rank computed")}'
            f'</figcaption><img src="{loss}" alt="{tr("relative error against iteration")}" {image}></figure></div>'
            f'<div style="margin-top:8px">{self._status(rank, iteration, frame["err"])}</div>'
            f'<p style="margin:6px 0 0">{saved}</p></div>')

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
                                   suptitle=tr("parts (columns of W), r = {rank}, k = {iteration}").format(
                                       rank=rank, iteration=iteration))

    def plot_losses(self, ax=None):
        """Every rank's loss against k (:func:`nmf_teach.plotting.loss_curve`), on one Axes."""
        from . import plotting

        for r in self.ranks:
            ax = plotting.loss_curve(self.results[r].losses, ax=ax, label=f"r = {r}")
        return ax

    def print_iterations(self, count=4):
        """The iterations of the printed grid: ``count`` of the book's, spread over them, first and last included."""
        picked = np.linspace(0, len(self.iterations) - 1, min(count, len(self.iterations))).round().astype(int)
        return [self.iterations[i] for i in sorted(set(picked.tolist()))]

    def print_grid(self, iterations=None, words=3, max_parts=8):
        """The parts (columns of W) of every rank of ``ranks`` (rows) at a few iterations (columns).

        The printed stand-in for the explorer (the PDF book): a matplotlib Figure, one panel per
        (rank, iteration) of the book's start, titled with its relative error. Images and heatmaps are
        drawn as the explorer draws them; text shows the top ``words`` words of the first ``max_parts`` parts.
        """
        from matplotlib.figure import Figure

        iterations = self.print_iterations() if iterations is None else [int(k) for k in iterations]
        rows, cols = len(self.ranks), len(iterations)
        fig = Figure(figsize=(6.5, 0.4 + 1.45 * rows), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False)
        for i, r in enumerate(self.ranks):
            for j, k in enumerate(iterations):
                ax = axes[i, j]
                W, _ = self._shown_state(self._key(r, None), k)
                error = self.relative_error(r, k)
                ax.set_title(tr("r = {r}, k = {k}: error {error:.3f}").format(r=r, k=k, error=error), fontsize=7)
                ax.set_xticks([])
                ax.set_yticks([])
                if self.kind == "text":
                    lines = []
                    for part in range(min(r, max_parts)):
                        order = np.argsort(-W[:, part], kind="stable")[:words]
                        words_shown = " ".join(self.row_labels[t] for t in order if W[t, part] > 0)
                        lines.append(f"{part + 1}: " + words_shown.replace("$", r"\$"))  # no mathtext
                    if r > max_parts:
                        lines.append(tr("(first {max_parts} of {r} parts)").format(max_parts=max_parts, r=r))
                    ax.text(0.03, 0.97, "\n".join(lines), fontsize=5, va="top", ha="left", family="monospace",
                            transform=ax.transAxes)
                elif self.kind == "images":
                    ax.imshow(_tile(W, self.image_shape, self.parts_cmap, scale_each=True), cmap="gray",
                              vmin=0, vmax=255, interpolation="nearest")
                else:
                    ax.imshow(_heatmap(W, self.parts_cmap, scale_each=True), aspect="auto", cmap="gray",
                              vmin=0, vmax=255, interpolation="nearest")
        return fig

    def to_markdown(self):
        """The printed stand-in for the explorer: a MyST figure of :meth:`print_grid` (PNG) with a caption.

        The PDF book shows it (a LaTeX build cannot run the sliders); the caption says where the live one is.
        """
        iterations = self.print_iterations()
        buffer = io.BytesIO()
        self.print_grid(iterations).savefig(buffer, format="png", dpi=200)
        uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
        what = {"images": tr("the parts (columns of W, as images)"),
                "text": tr("the top words of the parts (columns of W)"),
                "heatmap": tr("W (one column per part)")}[self.kind]
        title = f"{self.title}: {what}" if self.title else what[0].upper() + what[1:]
        caption = tr("{title} for the ranks r = {ranks} (rows) after k = {iterations} iterations (columns), from "
                     "the book's start; each panel gives the relative error ‖V − WH‖/‖V‖. This is a printed "
                     "snapshot of an explorer: the live one, with sliders over the ranks and iterations, is in the "
                     "HTML book and, for any rank from 1 to {max_rank} and every iteration, in Jupyter (run the "
                     "chapter).").format(title=title, ranks=", ".join(map(str, self.ranks)),
                                         iterations=", ".join(map(str, iterations)), max_rank=self.max_rank)
        caption = caption.replace("*", r"\*").replace("_", r"\_").replace("`", r"\`")
        return f"```{{figure}} {uri}\n:width: 100%\n\n{caption}\n```\n"


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
        words = " · ".join(html.escape(labels[i]) for i in order if column[i] > 0) or tr("(empty)")
        label = f"{name} {indices[j] if indices is not None else j + 1}"
        items.append(f"<li><b>{label}</b>: {words}</li>")
    return f'<ol class="nmfx-words">{"".join(items)}</ol>'


def _x_ticks(last):
    """Ticks of the log iteration axis: 0, the decades, and the last iteration where it has room.

    On the axis k sits at log10(1 + k): the last iteration gets its own tick only if it lies at least
    a fifth of a decade beyond the last decade (200 after 100 does; 150 after 100 would print "100150").
    """
    ticks = [0] + [10 ** d for d in range(0, 7) if 10 ** d <= last]
    if last in ticks or last < 5 or math.log10((1 + last) / (1 + ticks[-1])) < 0.2:
        return ticks
    return ticks + [last]


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


def _spread(ys, gap, low=-math.inf, high=math.inf):
    """Label heights at least ``gap`` apart, in their order, kept within [low, high] where they fit."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    out = [float(y) for y in ys]
    for before, after in zip(order, order[1:], strict=False):
        out[after] = max(out[after], out[before] + gap)
    if order and out[order[-1]] > high:  # pushed below the plot: move the stack up, keeping the gaps
        out[order[-1]] = high
        for after, before in zip(order[::-1], order[-2::-1], strict=False):
            out[before] = min(out[before], out[after] - gap)
    if order and out[order[0]] < low:
        shift = low - out[order[0]]
        for i in order:
            out[i] += shift
    return out


def _fmt_tick(value):
    return f"{value:.0e}".replace("e-0", "e-").replace("e+00", "") if value < 0.01 else f"{value:.3g}"


_SVG_W, _SVG_H = 300, 210
_SVG_LEFT, _SVG_RIGHT, _SVG_TOP, _SVG_BOTTOM = 44, 40, 8, 34
_SVG_NS = "http://www.w3.org/2000/svg"
# The loss curve as a standalone SVG image (the saved view): the colours of _CSS without its variables.
_SVG_CSS = (
    "text{fill:#666}.nmfx-frame{fill:none;stroke:#d0d4da}"
    ".nmfx-grid{stroke:#d0d4da;stroke-width:.6;stroke-dasharray:2 3}"
    ".nmfx-curve polyline{fill:none;stroke:#9aa3ad;stroke-width:1.2;opacity:.55}"
    ".nmfx-curve text{font-size:11px;opacity:.6}"
    ".nmfx-curve.nmfx-active polyline{stroke:#1c7ed6;stroke-width:2.4;opacity:1}"
    ".nmfx-curve.nmfx-active text{fill:#1c7ed6;opacity:1;font-weight:600}"
    ".nmfx-marker{fill:#d9480f;stroke:#fff;stroke-width:1.5}"
    ".nmfx-marker-line{stroke:#d9480f;stroke-width:1;stroke-dasharray:3 3}")

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
@container (min-width:640px){.nmf-explorer .nmfx-panels{
grid-template-columns:minmax(0,1.15fr) minmax(0,1fr) minmax(0,1fr);grid-template-areas:"parts recon loss"}}
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
.nmf-explorer.nmfx-live .nmfx-p-parts .nmfx-text{max-height:360px;overflow-y:auto}
.nmf-explorer.nmfx-live .nmfx-pair .nmfx-text{max-height:170px;overflow-y:auto}
.nmf-explorer svg.nmfx-loss{width:100%;height:auto;display:block;font-size:11px;font-family:inherit}
.nmf-explorer svg text{fill:var(--nmfx-muted)}
.nmf-explorer .nmfx-frame{fill:none;stroke:var(--nmfx-border)}
.nmf-explorer .nmfx-grid{stroke:var(--nmfx-border);stroke-width:.6;stroke-dasharray:2 3}
.nmf-explorer .nmfx-curve polyline{fill:none;stroke:#9aa3ad;stroke-width:1.2;opacity:.55}
.nmf-explorer .nmfx-curve text{font-size:11px;opacity:.6}
.nmf-explorer .nmfx-curve.nmfx-active polyline{stroke:#1c7ed6;stroke-width:2.4;opacity:1}
.nmf-explorer .nmfx-curve.nmfx-active text{fill:#1c7ed6;opacity:1;font-weight:600}
.nmf-explorer .nmfx-marker{fill:var(--nmfx-accent);stroke:#fff;stroke-width:1.5}
.nmf-explorer .nmfx-marker-line{stroke:var(--nmfx-accent);stroke-width:1;stroke-dasharray:3 3}
.nmf-explorer .nmfx-status{margin-top:10px;font-size:.9em;font-variant-numeric:tabular-nums}
.nmf-explorer .nmfx-note{margin-top:6px;font-size:.8em;color:var(--nmfx-muted)}
@media (max-width:480px){.nmf-explorer{padding:8px;font-size:14px}.nmf-explorer .nmfx-panels{gap:10px}}
"""

# The live widget's own rule: while it is drawn, the saved view after it (Explorer.saved_html) is hidden.
_LIVE_CSS = ".jp-OutputArea-child:has(.nmfx-live) ~ .jp-OutputArea-child:has(.nmfx-saved){display:none}"

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
