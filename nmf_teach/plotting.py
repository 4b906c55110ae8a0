"""Figures the chapters share: image grids and loss curves.

Every function draws on a matplotlib Axes or Figure and returns it, so a
chapter can add a title or save it. Keep each function short; one figure idea
per function.
"""

import re

import matplotlib.pyplot as plt
import numpy as np

from .messages import tr


def image_grid(images, shape, *, columns=None, titles=None, cmap="gray_r", figsize=None, suptitle=None,
               scale_each=True):
    """Show the columns of ``images`` as small pictures in a grid.

    Parameters
    ----------
    images : array_like, shape (pixels, count)
        One image per column (for example W's columns, or V's).
    shape : tuple of int
        (height, width) of one image; ``height * width == pixels``.
    columns : int or None
        Pictures per row (default: about the square root of the count).
    titles : list of str or None
    cmap : str
    figsize : tuple or None
    suptitle : str or None
    scale_each : bool
        Scale every picture to its own range (True) or all to one range.

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = np.asarray(images)
    count = images.shape[1]
    columns = columns or int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / columns))
    figsize = figsize or (1.2 * columns, 1.2 * rows + (0.4 if suptitle else 0))
    fig, axes = plt.subplots(rows, columns, figsize=figsize, squeeze=False)
    vmin, vmax = (None, None) if scale_each else (images.min(), images.max())
    for index, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if index < count:
            ax.imshow(images[:, index].reshape(shape), cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
            if titles is not None:
                ax.set_title(titles[index], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def loss_curve(losses, *, ax=None, label=None, relative_to=None, title=None):
    """Plot a loss against the iteration k on a log scale.

    Parameters
    ----------
    losses : array_like
        ``losses[k]`` after iteration k (``losses[0]`` at the start).
    ax : matplotlib Axes or None
    label : str or None
    relative_to : float or None
        If given, plot ``losses / relative_to`` (for example ``‖V‖²/2``).
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    values = np.asarray(losses, dtype=float)
    if relative_to:
        values = values / relative_to
    ax.semilogy(np.arange(len(values)), values, label=label)
    ax.set_xlabel(tr("iteration k"))
    ax.set_ylabel("f(W, H)" if not relative_to else tr("f(W, H), relative"))
    if title:
        ax.set_title(title)
    if label:
        ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    return ax


def negative_fraction_curve(fractions, *, ax=None, label=None, title=None):
    """Plot the fraction of negative entries of (W, H) against the iteration k.

    Parameters
    ----------
    fractions : array_like
        ``fractions[k]`` after iteration k, a number in [0, 1].
    ax : matplotlib Axes or None
    label : str or None
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    values = 100 * np.asarray(fractions, dtype=float)
    ax.plot(np.arange(len(values)), values, label=label)
    ax.set_xlabel(tr("iteration k"))
    ax.set_ylabel(tr("negative entries of W and H (%)"))
    ax.set_ylim(bottom=0)
    if title:
        ax.set_title(title)
    if label:
        ax.legend()
    ax.grid(True, alpha=0.3)
    return ax


def loglog_curve(x, y, *, ax=None, label=None, xlabel=None, ylabel=None, title=None, style="o-"):
    """Plot y against x with both axes logarithmic (errors against a step or a size).

    Parameters
    ----------
    x, y : array_like
    ax : matplotlib Axes or None
    label, xlabel, ylabel, title : str or None
    style : str
        A matplotlib format string (``"o-"`` marks the measured points).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    ax.loglog(np.asarray(x, dtype=float), np.asarray(y, dtype=float), style, label=label, markersize=4)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if label:
        ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    return ax


def loss_and_smallest_entry(runs, *, title=None, loss_top=None, figsize=(7, 6.4)):
    """Two panels, one above the other, for runs from one start: the loss (log scale) and the smallest entry of W and H.

    Used by chapter 06 to put the multiplicative update beside fixed-step
    gradient descent: the top panel shows which run lowers f, the bottom one
    which run leaves the feasible set ``W >= 0, H >= 0``.

    Parameters
    ----------
    runs : dict of str to (array_like, array_like)
        ``label -> (losses, smallest)``: ``losses[k]`` is f after iteration k
        and ``smallest[k]`` is ``min(W.min(), H.min())`` after iteration k.
    title : str or None
    loss_top : float or None
        Clip the loss axis at this value, so that a run that blows up does
        not flatten the others; such a run gets "(leaves the plot)" in the
        legend.
    figsize : tuple

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (top, bottom) = plt.subplots(2, 1, figsize=figsize, sharex=True)
    for label, (losses, smallest) in runs.items():
        k = np.arange(len(losses))
        if loss_top is not None and np.max(losses) > loss_top:
            label = tr("{label} (leaves the plot: f = {peak:.0e})").format(label=label, peak=np.max(losses))
        (line,) = top.semilogy(k, losses, label=label)
        bottom.plot(k, smallest, color=line.get_color(), label=label)
    top.set_ylabel(tr("f(W, H) = ½‖V − WH‖²\n(log scale)"))
    if loss_top is not None:
        lowest = min(np.min(losses) for losses, _ in runs.values())
        top.set_ylim(0.8 * lowest, loss_top)
    top.set_title(tr("the loss"))
    top.grid(True, which="both", alpha=0.3)
    top.legend(fontsize=8)
    bottom.axhline(0, color="black", linewidth=0.8)
    bottom.set_yscale("symlog", linthresh=1e-2)
    bottom.set_xlabel(tr("iteration k"))
    bottom.set_ylabel(tr("min(min W, min H)\n(symlog scale)"))
    bottom.set_title(tr("the smallest entry: below 0 leaves W ≥ 0, H ≥ 0"))
    bottom.grid(True, alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def product_order_cost(sizes, rank, seconds_cheap, seconds_dear, *, title=None, figsize=(7, 6.4)):
    """The cost of ``W (H Hᵀ)`` against ``(W H) Hᵀ`` as the size grows (m = n = size).

    Top: multiply-adds counted from the shapes, ``(m + n) r²`` against
    ``2 m n r``. Bottom: the measured times (whatever the caller measured,
    typically the median of a few repeats).

    Parameters
    ----------
    sizes : array_like of int
        The values of m = n.
    rank : int
        r.
    seconds_cheap, seconds_dear : array_like
        Measured seconds of ``W @ (H @ H.T)`` and ``(W @ H) @ H.T``.
    title : str or None
    figsize : tuple

    Returns
    -------
    matplotlib.figure.Figure
    """
    sizes = np.asarray(sizes, dtype=float)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=figsize, sharex=True)
    top.loglog(sizes, 2 * sizes * rank**2, "o-", label="W(HHᵀ): (m + n) r²")
    top.loglog(sizes, 2 * sizes**2 * rank, "s-", label="(WH)Hᵀ: 2 m n r")
    top.set_ylabel(tr("multiply-adds (counted)"))
    top.set_title(tr("operations, r = {rank}").format(rank=rank))
    bottom.loglog(sizes, seconds_cheap, "o-", label="W @ (H @ H.T)")
    bottom.loglog(sizes, seconds_dear, "s-", label="(W @ H) @ H.T")
    bottom.set_ylabel(tr("seconds (median of repeats)"))
    bottom.set_title(tr("measured time on this machine"))
    bottom.set_xlabel("m = n")
    bottom.set_xticks(sizes, [str(int(size)) for size in sizes])
    bottom.set_xticks([], minor=True)
    for ax in (top, bottom):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def factorization_diagram(m, n, r, *, values=None, column=None, ax=None, title=None, relation="≈",
                          letters=True, decimals=0, min_fraction=0.04, row_labels=None, column_labels=None,
                          part_labels=None):
    """Draw ``V ≈ W H`` as three coloured blocks whose sizes follow the shapes.

    V is m×n, W is m×r and H is r×n; each block is drawn to scale (a side of
    length d is ``d / max(m, n, r)`` of the longest side, but never thinner
    than ``min_fraction`` of it, so a small rank stays visible) and labelled
    with its name and shape. With ``values`` the entries themselves are drawn,
    one cell each, shaded by size and with the number written in it (for small
    examples). With ``column`` one column is outlined in V and in H: the
    column ``v_j`` of V is W times the column ``h_j`` of H.

    Parameters
    ----------
    m, n, r : int
        The shapes: V is m×n, W is m×r, H is r×n.
    values : tuple (V, W, H) of array_like or None
        The matrices, of those shapes (at most 20 rows and columns each), to
        draw entry by entry.
    column : int or None
        The column j (0-based) to outline in V and H.
    ax : matplotlib Axes or None
    title : str or None
    relation : str
        The sign between V and W H: ``"≈"`` or ``"="``.
    letters : bool
        Also write the shapes with letters (``m × n``), not only numbers.
    decimals : int
        Decimals of the numbers written in the cells (with ``values``).
    min_fraction : float
        The thinnest side drawn, as a fraction of the longest one.
    row_labels, column_labels, part_labels : list of str or None
        With ``values``: names of the m rows (written left of V), of the n
        columns (above V) and of the r parts (above W's columns).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> factorization_diagram(1024, 256, 17)            # the swimmer, to scale
    >>> factorization_diagram(6, 5, 2, values=(V, W, H), column=2, relation="=")
    """
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.patches import Rectangle

    m, n, r = (int(d) for d in (m, n, r))
    if min(m, n, r) < 1:
        raise ValueError(f"the shapes must be positive, got m={m}, n={n}, r={r}")
    shapes = {"V": (m, n), "W": (m, r), "H": (r, n)}
    if values is not None:
        if len(values) != 3:
            raise ValueError(f"values must be the three matrices (V, W, H), got {len(values)} items")
        values = dict(zip("VWH", (np.asarray(X, dtype=float) for X in values), strict=True))
        for name, X in values.items():
            if X.shape != shapes[name]:
                raise ValueError(f"{name} has shape {X.shape}; for m={m}, n={n}, r={r} it must be {shapes[name]}")
            if max(X.shape) > 20:
                raise ValueError(f"{name} is {X.shape[0]}×{X.shape[1]}: too large to draw entry by entry (at most 20)")
    for labels, count, what in ((row_labels, m, "row_labels"), (column_labels, n, "column_labels"),
                                (part_labels, r, "part_labels")):
        if labels is not None and (values is None or len(labels) != count):
            raise ValueError(f"{what} needs values=(V, W, H) and {count} names, got {labels!r}")
    if column is not None and not 0 <= column < n:
        raise ValueError(f"column must be between 0 and {n - 1}, got {column}")

    if values is None:
        longest = max(m, n, r)

        def size(d):
            return max(d / longest, min_fraction)
    else:
        cell = 1 / max(m, n, r)

        def size(d):
            return d * cell

    gap = 0.12
    heights = {"V": size(m), "W": size(m), "H": size(r)}
    widths = {"V": size(n), "W": size(r), "H": size(n)}
    left = {"V": 0.0}
    left["W"] = widths["V"] + 2.5 * gap
    left["H"] = left["W"] + widths["W"] + gap
    if ax is None:
        total_width = left["H"] + widths["H"]
        _, ax = plt.subplots(figsize=(min(2.0 + 6.0 * total_width / max(total_width, 1.0), 11), 4.2))
    letter_shapes = {"V": "m × n", "W": "m × r", "H": "r × n"}
    for name in "VWH":
        x0, w, h = left[name], widths[name], heights[name]
        color = FACTOR_COLORS[name]
        rows, cols = shapes[name]
        if values is None:
            ax.add_patch(Rectangle((x0, -h), w, h, facecolor=color, alpha=0.75, edgecolor="black", lw=1.2))
        else:
            X = values[name]
            cmap = LinearSegmentedColormap.from_list(name, ["white", color])
            top = X.max() if X.max() > 0 else 1.0
            cw, ch = w / cols, h / rows
            for i in range(rows):
                for j in range(cols):
                    shade = X[i, j] / top
                    ax.add_patch(Rectangle((x0 + j * cw, -(i + 1) * ch), cw, ch, facecolor=cmap(0.12 + 0.88 * shade),
                                           edgecolor="white", lw=0.8))
                    ax.text(x0 + (j + 0.5) * cw, -(i + 0.5) * ch, f"{X[i, j]:.{decimals}f}", ha="center",
                            va="center", fontsize=8, color="white" if shade > 0.55 else "black")
            ax.add_patch(Rectangle((x0, -h), w, h, fill=False, edgecolor="black", lw=1.2))
        shape_text = f"{rows} × {cols}"
        if letters:
            shape_text = f"{letter_shapes[name]}\n{shape_text}"
        ax.text(x0 + w / 2, -h - 0.03, f"{name}\n{shape_text}", ha="center", va="top", fontsize=10,
                color=color, fontweight="bold")
    ax.text(widths["V"] + 1.25 * gap, -heights["V"] / 2, relation, ha="center", va="center", fontsize=22)
    if column is not None:
        outline = dict(fill=False, edgecolor="crimson", lw=2.5, zorder=5)
        for name in "VH":
            cw = max(widths[name] / n, 0.012)
            x = left[name] + column * widths[name] / n + (widths[name] / n - cw) / 2
            ax.add_patch(Rectangle((x, -heights[name]), cw, heights[name], **outline))
        ax.add_patch(Rectangle((left["W"], -heights["W"]), widths["W"], heights["W"], **outline))
        ax.text(left["H"] + widths["H"] / 2, 0.03, tr("column j = {column}:  $v_j = W\\,h_j$").format(column=column),
                ha="center", va="bottom", fontsize=10, color="crimson")
    if values is not None:
        cw, ch = widths["V"] / n, heights["V"] / m
        for i, label in enumerate(row_labels or []):
            ax.text(-0.02, -(i + 0.5) * ch, label, ha="right", va="center", fontsize=8)
        for j, label in enumerate(column_labels or []):
            ax.text((j + 0.5) * cw, 0.01, label, ha="center", va="bottom", fontsize=8, rotation=90)
        for a, label in enumerate(part_labels or []):
            ax.text(left["W"] + (a + 0.5) * widths["W"] / r, 0.01, label, ha="center", va="bottom", fontsize=8,
                    rotation=90)
    ax.set_xlim(-0.03, left["H"] + widths["H"] + 0.03)
    top = 0.25 if (column_labels or part_labels) else (0.1 if column is not None else 0.03)
    ax.set_ylim(-max(heights.values()) - 0.28, top)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def error_vs_rank(ranks, errors, *, ax=None, title=None, ylabel=None, log=False, legend_loc="best"):
    """Plot one or more error curves against the rank r (for example NMF against the truncated SVD).

    Parameters
    ----------
    ranks : array_like of int
    errors : dict of str to array_like
        A label for each curve and its errors, one per rank.
    ax : matplotlib Axes or None
    title : str or None
    ylabel : str or None
        Default: ``relative error ‖V − WH‖_F / ‖V‖_F`` (in the book's language).
    log : bool
        Logarithmic error axis.
    legend_loc : str
        Where the legend goes (a matplotlib ``loc``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.8))
    ranks = np.asarray(ranks)
    for index, (label, values) in enumerate(errors.items()):
        marker = "osd^v<>"[index % 7]
        values = np.asarray(values, dtype=float)
        if values.shape != ranks.shape:
            raise ValueError(f"{label!r} has {values.size} errors for {ranks.size} ranks")
        ax.plot(ranks, values, marker + "-", label=label, markersize=4)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(tr("rank r"))
    ax.set_ylabel(tr(r"relative error $\|V - WH\|_F \,/\, \|V\|_F$") if ylabel is None else ylabel)
    ax.set_xticks(ranks)
    if title:
        ax.set_title(title)
    ax.legend(loc=legend_loc)
    ax.grid(True, alpha=0.3)
    return ax


def image_rows(rows, shape, *, titles=None, cmap="gray_r", suptitle=None, width=13.0, scale_each=True):
    """Show several rows of images, one labelled row per set, each picture framed.

    For side-by-side comparisons: true parts above learned ones, NMF parts
    above PCA components. Every row has the same number of pictures.

    Parameters
    ----------
    rows : dict of str to array_like, each of shape (pixels, count)
        A label (written left of the row) and one image per column.
    shape : tuple of int
        (height, width) of one image.
    titles : list of str or None
        Titles of the columns, written above the first row.
    cmap : str
    suptitle : str or None
    width : float
        Figure width in inches; the height follows.
    scale_each : bool
        Scale every picture to its own range (True) or each row to one range.

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = {label: np.asarray(images) for label, images in rows.items()}
    counts = {images.shape[1] for images in rows.values()}
    if len(counts) != 1:
        raise ValueError(f"every row needs the same number of images, got {sorted(counts)}")
    count = counts.pop()
    if titles is not None and len(titles) != count:
        raise ValueError(f"{len(titles)} titles for {count} images")
    side = width / (count + 1.2)
    fig, axes = plt.subplots(len(rows), count, squeeze=False,
                             figsize=(width, side * len(rows) * 1.25 + (0.5 if suptitle else 0.1)))
    for row, (label, images) in enumerate(rows.items()):
        vmin, vmax = (None, None) if scale_each else (images.min(), images.max())
        for index, ax in enumerate(axes[row]):
            ax.imshow(images[:, index].reshape(shape), cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_edgecolor("0.75")
            if row == 0 and titles is not None:
                ax.set_title(titles[index], fontsize=7)
        axes[row, 0].set_ylabel(label, fontsize=9, rotation=0, ha="right", va="center")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout(pad=0.3, w_pad=0.2, h_pad=0.3)
    return fig


# --- Chapters 08 (faces) and 09 (text) ---------------------------------------


def montage(images, shape, *, columns=None, signed=False, gap=1):
    """Tile the columns of ``images`` into one picture, each scaled to its own largest magnitude.

    Parameters
    ----------
    images : array_like, shape (pixels, count)
    shape : tuple of int
        (height, width) of one image.
    columns : int or None
        Images per row (default: about the square root of the count).
    signed : bool
        Scale each image to [-1, 1] by its largest absolute value (for PCA's
        signed eigenfaces); otherwise to [0, 1] by its maximum.
    gap : int
        Pixels of blank (NaN, drawn as the background) between images.

    Returns
    -------
    numpy.ndarray
        A 2-D array with NaN in the gaps, for ``imshow``.
    """
    images = np.asarray(images, dtype=float)
    height, width = shape
    count = images.shape[1]
    columns = columns or int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / columns))
    out = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap), np.nan)
    for index in range(count):
        image = images[:, index].reshape(shape)
        scale = np.abs(image).max() if signed else image.max()
        r, c = divmod(index, columns)
        out[r * (height + gap):r * (height + gap) + height, c * (width + gap):c * (width + gap) + width] = (
            image / scale if scale > 0 else image)
    return out


def _show_montage(ax, images, shape, signed, columns=None):
    cmap = plt.get_cmap("RdGy" if signed else "gray_r").copy()
    cmap.set_bad("0.8")  # the gaps between images: light grey, so white parts keep their frame
    ax.imshow(montage(images, shape, columns=columns, signed=signed), cmap=cmap,
              vmin=-1 if signed else 0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])


def basis_comparison(rows, shape, *, original=None, columns=7, figsize=(10, 10.5), suptitle=None):
    """Lee & Seung's (1999) Figure 1: for each method, its basis images × one face's encoding = its rebuilt face.

    Parameters
    ----------
    rows : list of dict
        One per method, with keys ``name``, ``basis`` (pixels × r), ``encoding``
        (r,), ``reconstruction`` (pixels,) and ``signed`` (bool: draw negative
        values in red, as the paper does for PCA).
    shape : tuple of int
        (height, width) of one image.
    original : array_like or None
        The face being rebuilt, shown at the end of every row for comparison.
    columns : int
        Basis images per row of the montage (7 for rank 49); the encoding is
        drawn on the same grid, so entry a sits where basis image a sits; its
        title counts the entries above 10⁻³ of the largest in magnitude.
    figsize : tuple
    suptitle : str or None

    Returns
    -------
    matplotlib.figure.Figure
    """
    ratios = [2.2, 1, 1] + ([1] if original is not None else [])
    fig, axes = plt.subplots(len(rows), len(ratios), figsize=figsize, squeeze=False,
                             gridspec_kw={"width_ratios": ratios})
    for row, spec in zip(axes, rows, strict=True):
        basis, encoding = np.asarray(spec["basis"]), np.asarray(spec["encoding"], dtype=float)
        signed = bool(spec.get("signed", False))
        _show_montage(row[0], basis, shape, signed, columns)
        row[0].set_ylabel(spec["name"], fontsize=13, rotation=0, ha="right", va="center")
        row[0].set_title(tr("{count} basis images").format(count=basis.shape[1]), fontsize=10)
        grid = np.full(int(np.ceil(len(encoding) / columns)) * columns, np.nan)
        grid[:len(encoding)] = encoding
        limit = np.abs(encoding).max() or 1.0
        cmap = plt.get_cmap("RdGy" if signed else "gray_r").copy()
        cmap.set_bad("0.8")
        row[1].imshow(grid.reshape(-1, columns), cmap=cmap, vmin=-limit if signed else 0, vmax=limit,
                      interpolation="nearest")
        used = int(np.sum(np.abs(encoding) > 1e-3 * limit))
        row[1].set_title(tr("× encoding h\n({used} of {count} above 10⁻³ of the largest)").format(
            used=used, count=len(encoding)), fontsize=10)
        row[1].set_xticks([])
        row[1].set_yticks([])
        row[2].imshow(np.asarray(spec["reconstruction"]).reshape(shape), cmap="gray_r", interpolation="nearest")
        row[2].set_title(tr("= rebuilt face"), fontsize=10)
        row[2].set_axis_off()
        if original is not None:
            row[3].imshow(np.asarray(original).reshape(shape), cmap="gray_r", interpolation="nearest")
            row[3].set_title(tr("original"), fontsize=10)
            row[3].set_axis_off()
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def parts_sum(W, h, shape, *, original=None, top=6, figsize=(9.5, 6.4), suptitle=None):
    """One image rebuilt by adding parts: its largest terms ``h_a w_a``, running sums, all weights.

    Parameters
    ----------
    W : array_like, shape (pixels, r)
        The parts (columns).
    h : array_like, shape (r,)
        The image's weights (a column of H).
    shape : tuple of int
    original : array_like or None
        The image itself, shown first.
    top : int
        Row 1 shows the ``top`` terms of largest contribution ``h_a * sum(w_a)``,
        each scaled to its own maximum (to show its shape). Row 2 shows the
        running sum of the terms, largest first, after ``top + 1`` counts from
        1 to r, all on the scale of ``W h``. Row 3 shows every weight.
    figsize : tuple
    suptitle : str or None

    Returns
    -------
    matplotlib.figure.Figure
    """
    W, h = np.asarray(W, dtype=float), np.asarray(h, dtype=float)
    r = len(h)
    order = np.argsort(h * W.sum(axis=0))[::-1]
    whole = W @ h
    total = whole.sum()
    counts = np.unique(np.round(np.geomspace(1, r, top + 1)).astype(int))
    if len(counts) < top + 1:
        counts = np.unique(np.linspace(1, r, min(top + 1, r)).round().astype(int))
    fig = plt.figure(figsize=figsize)
    grid = fig.add_gridspec(3, top + 1, height_ratios=[1, 1, 1.1])

    def picture(ax, image, title, vmax=None):
        ax.imshow(np.asarray(image).reshape(shape), cmap="gray_r", vmin=0, vmax=vmax, interpolation="nearest")
        ax.set_title(title, fontsize=8)
        ax.set_axis_off()

    if original is not None:
        picture(fig.add_subplot(grid[0, 0]), original, tr("original"))
    for index, a in enumerate(order[:top]):
        term = h[a] * W[:, a]
        share = tr("{share:.0%} of the mass").format(share=term.sum() / total)
        picture(fig.add_subplot(grid[0, index + 1]), term,
                ("+ " if index else "") + tr("part {a}, h = {weight:.2f}").format(a=a, weight=h[a]) + "\n" + share)
    cumulative = np.cumsum(W[:, order] * h[order], axis=1)
    for index, count in enumerate(counts):
        if count == r:
            label = tr("all {r} parts = W h").format(r=r)
        elif count > 1:
            label = tr("largest {count} parts").format(count=count)
        else:
            label = tr("largest {count} part").format(count=count)
        share = tr("{share:.0%} of the mass").format(share=cumulative[:, count - 1].sum() / total)
        picture(fig.add_subplot(grid[1, index]), cumulative[:, count - 1], f"{label}\n{share}", whole.max())
    bars = fig.add_subplot(grid[2, :])
    chosen = set(order[:top].tolist())
    bars.bar(np.arange(r), h, color=["C3" if a in chosen else "0.6" for a in range(r)])
    bars.set_xlabel(tr("part a (column of W)"))
    bars.set_ylabel(tr("weight h_a"))
    bars.set_title(tr("all {r} weights of this image (red: the {top} parts drawn in the first row)").format(
        r=r, top=top), fontsize=10)
    bars.set_xlim(-0.6, r - 0.4)
    bars.grid(True, axis="y", alpha=0.3)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def localization_histogram(values, *, bins=None, ax=None, title=None, xlabel=None):
    """Overlaid histograms of a per-image localization measure, one per method.

    Parameters
    ----------
    values : dict of str to array_like
        Method name to one value per basis image.
    bins : array_like or None
    ax : matplotlib Axes or None
    title : str or None
    xlabel : str or None
        Default: "share of the image's mass in its 10% largest pixels" (in the book's language).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    bins = np.linspace(0, 1, 41) if bins is None else bins
    for name, v in values.items():
        label = tr("{name} (mean {mean:.2f})").format(name=name, mean=np.mean(v))
        ax.hist(np.asarray(v), bins=bins, alpha=0.6, label=label)
    ax.set_xlabel(tr("share of the image's mass in its 10% largest pixels") if xlabel is None else xlabel)
    ax.set_ylabel(tr("basis images"))
    ax.legend()
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    return ax


def mixture_bars(weights, labels, *, ax=None, title=None, xlabel=None):
    """A horizontal bar per topic: how much of one document each topic explains.

    Parameters
    ----------
    weights : array_like, shape (r,)
        Non-negative; drawn as shares of their sum, largest at the top.
    labels : list of str
        A label per topic (for example its top words).
    ax : matplotlib Axes or None
    title : str or None
    xlabel : str or None
        Default: "share of the document's weight" (in the book's language).

    Returns
    -------
    matplotlib.axes.Axes
    """
    weights = np.asarray(weights, dtype=float)
    share = weights / weights.sum()
    order = np.argsort(share)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.32 * len(share) + 1.2))
    ax.barh(np.arange(len(share)), share[order], color="C0")
    ax.set_yticks(np.arange(len(share)), [labels[i] for i in order], fontsize=9)
    ax.set_xlabel(tr("share of the document's weight") if xlabel is None else xlabel)
    ax.set_xlim(0, 1)
    for y, value in enumerate(share[order]):
        ax.text(value + 0.01, y, f"{value:.0%}", va="center", fontsize=8)
    if title:
        ax.set_title(title)
    ax.grid(True, axis="x", alpha=0.3)
    return ax


def mm_slice(W, v, h_k, h_next, *, ax=None, t=None, ylim=None, title=None):
    """F and G(· | h_k) along the line from ``h_k`` (t = 0) to ``h_next`` (t = 1).

    Chapter 07: G touches F at h_k and lies above it; the minimum of G on the
    line is at h_next when h_next is the minimizer of G. Marks F(h_k),
    G(h_next | h_k) and F(h_next), the three numbers of Lemma 1.

    Parameters
    ----------
    W, v : the column problem (``nmf_teach.auxiliary``).
    h_k, h_next : array_like, shape (r,)
    ax : matplotlib Axes or None
    t : array_like or None
        Positions along the line (default -0.5 to 2).
    ylim : tuple or None
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes
    """
    from .auxiliary import auxiliary_G, column_objective

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    h_k, h_next = np.asarray(h_k, dtype=float), np.asarray(h_next, dtype=float)
    t = np.linspace(-0.5, 2.0, 201) if t is None else np.asarray(t, dtype=float)
    points = h_k[:, None] + t[None, :] * (h_next - h_k)[:, None]
    ax.plot(t, column_objective(W, v, points), color="C0", lw=2, label="F = f")
    ax.plot(t, auxiliary_G(W, v, h_k, points), color="C1", lw=2, ls="--", label=r"$G(\cdot \mid h^k)$")
    F_k, F_next = column_objective(W, v, h_k), column_objective(W, v, h_next)
    G_next = auxiliary_G(W, v, h_k, h_next)
    ax.plot([0], [F_k], "ko", ms=6)
    ax.plot([1], [G_next], "o", color="C1", ms=6)
    ax.plot([1], [F_next], "o", color="C0", ms=6)
    ax.annotate("", xy=(1, G_next), xytext=(0, F_k), arrowprops={"arrowstyle": "->", "color": "0.3"})
    ax.annotate("", xy=(1, F_next), xytext=(1, G_next), arrowprops={"arrowstyle": "->", "color": "0.3"})
    ax.set_xticks([0, 1], [r"$h^k$", r"$h^{k+1}$"])
    ax.set_xlabel(tr("position on the line through $h^k$ and $h^{k+1}$"))
    ax.set_ylabel(tr("loss of the column"))
    if ylim is not None:
        ax.set_ylim(*ylim)
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right")
    ax.grid(True, alpha=0.3)
    return ax


def mm_contours(W, v, iterates, *, ax=None, ellipses=None, extent=None, title=None):
    """Contours of F in the plane of a 2-entry column h, the ellipses of G, the MM path.

    For each k in ``ellipses`` it draws the level set G(h | h^k) = F(h^k): an
    ellipse with axes along the coordinates (K is diagonal), centred at the
    minimizer h^{k+1}, inside F's level set F(h) = F(h^k) and touching it at
    h^k.

    Parameters
    ----------
    W : array_like, shape (m, 2)
    v : array_like, shape (m,)
    iterates : array_like, shape (steps + 1, 2)
        h^0, h^1, ... (row k is h^k).
    ax : matplotlib Axes or None
    ellipses : list of int or None
        Which k get an ellipse (default: the first three).
    extent : (h1_min, h1_max, h2_min, h2_max) or None
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes
    """
    from .auxiliary import auxiliary_G, column_objective

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4.5))
    iterates = np.asarray(iterates, dtype=float)
    ellipses = list(range(min(3, len(iterates) - 1))) if ellipses is None else list(ellipses)
    if extent is None:
        low, high = iterates.min(axis=0), iterates.max(axis=0)
        pad = 0.35 * (high - low).max() + 1e-12
        extent = (low[0] - pad, high[0] + pad, low[1] - pad, high[1] + pad)
    x1, x2 = np.meshgrid(np.linspace(extent[0], extent[1], 161), np.linspace(extent[2], extent[3], 161))
    points = np.vstack([x1.ravel(), x2.ravel()])
    F = column_objective(W, v, points).reshape(x1.shape)
    ax.contour(x1, x2, F, levels=12, colors="0.75", linewidths=0.8)
    colors = plt.cm.viridis(np.linspace(0.1, 0.8, max(len(ellipses), 1)))
    for color, k in zip(colors, ellipses, strict=False):
        level = column_objective(W, v, iterates[k])
        G = auxiliary_G(W, v, iterates[k], points).reshape(x1.shape)
        ax.contour(x1, x2, F, levels=[level], colors=[color], linewidths=1.0, linestyles="dotted")
        ax.contour(x1, x2, G, levels=[level], colors=[color], linewidths=1.8)
        ax.plot(*iterates[k + 1], "x", color=color, ms=8)
    ax.plot(iterates[:, 0], iterates[:, 1], "o-", color="k", ms=3, lw=1, label="$h^0, h^1, \\ldots$")
    best = np.linalg.lstsq(np.asarray(W, dtype=float), np.asarray(v, dtype=float), rcond=None)[0]
    ax.plot(*best, "*", color="C3", ms=11, label=tr("minimizer of F"))
    ax.set_xlabel("$h_1$")
    ax.set_ylabel("$h_2$")
    ax.set_aspect("equal")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right")
    return ax


def mm_animation_html(W, v, iterates, *, interval=900):
    """An animation of the MM steps of one column with 2 entries, as HTML (chapter 07).

    Frame k shows, left, F and G(· | h^k) on the line from h^k to h^{k+1}
    (:func:`mm_slice`, one y-axis for all frames, so the steps walk down)
    and, right, the plane with F's contours, G's ellipse and the path so far
    (:func:`mm_contours`). The player is matplotlib's ``to_jshtml``: plain
    JavaScript and embedded images, so it also works offline in the HTML book.
    Display it with ``IPython.display.HTML``.

    Returns
    -------
    str
    """
    from matplotlib.animation import FuncAnimation

    from .auxiliary import column_objective

    iterates = np.asarray(iterates, dtype=float)
    steps = len(iterates) - 1
    low, high = iterates.min(axis=0), iterates.max(axis=0)
    pad = 0.35 * (high - low).max() + 1e-12
    extent = (low[0] - pad, high[0] + pad, low[1] - pad, high[1] + pad)
    top = 1.15 * column_objective(W, v, iterates[0])
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))

    def draw(k):
        left.clear()
        right.clear()
        mm_slice(W, v, iterates[k], iterates[k + 1], ax=left, ylim=(0, top),
                 title=tr("step k = {k}: F and $G(\\cdot \\mid h^k)$ on a line").format(k=k))
        mm_contours(W, v, iterates[: k + 2], ax=right, ellipses=[k], extent=extent,
                    title=tr("the plane of h: the ellipse of G at k = {k}").format(k=k))
        fig.tight_layout()
        return []

    animation = FuncAnimation(fig, draw, frames=steps, interval=interval, blit=False)
    html = animation.to_jshtml(default_mode="once")
    plt.close(fig)
    # The player links a font-awesome stylesheet from a CDN, for its button
    # icons only; the book's own theme draws them. Dropped, so the page loads
    # nothing from outside the book (tests/test_browser.py checks it).
    return re.sub(r'<link rel="stylesheet"[^>]*font-awesome[^>]*>\s*', "", html)


# Colours of the three blocks of V ≈ W H (the same in every figure of the book).
FACTOR_COLORS = {"V": "#4c72b0", "W": "#dd8452", "H": "#55a868"}


# One colour per solver in every figure of chapter 10 (and of its benchmark).
_SOLVER_ORDER = ["mu", "hals", "accelerated hals", "accelerated mu", "projected gradient", "sklearn cd",
                 "sklearn mu", "epsilon mu"]


def _solver_color(name):
    """The colour of a solver, whatever the spelling of its name (``hals``, ``HALS``, ``nmf (MU)``, ...)."""
    key = name.lower().replace("_", " ").replace("scikit-learn", "sklearn")
    key = {"nmf (mu)": "mu", "mu (nt.nmf)": "mu", "ε-mu": "epsilon mu"}.get(key, key)
    return f"C{_SOLVER_ORDER.index(key)}" if key in _SOLVER_ORDER else None


def solver_race(race, *, title=None, figsize=None):
    """Excess relative error against iterations and against time, several solvers and problems (chapter 10).

    The relative errors of a problem lie close together near the end, so each
    curve shows its error minus the lowest error any solver reached on that
    problem, on log–log axes (points at or below that lowest error are left
    out). scikit-learn's points are separate runs, each timed on its own:
    against time they are drawn as dots.

    Parameters
    ----------
    race : dict
        ``{problem label: {solver name: (iterations, seconds, relative_errors)}}``,
        three arrays of equal length per solver; iteration 0 (time 0) is
        left out of the log axes.
    title : str or None
    figsize : tuple or None

    Returns
    -------
    matplotlib.figure.Figure
        One row per problem: against iterations (left), against seconds (right).
    """
    rows = len(race)
    fig, axes = plt.subplots(rows, 2, figsize=figsize or (11, 3.9 * rows), squeeze=False)
    for (label, runs), (left, right) in zip(race.items(), axes, strict=True):
        lowest = min(float(np.min(errors)) for _, _, errors in runs.values())
        for name, (iterations, seconds, errors) in runs.items():
            iterations, seconds, excess = np.asarray(iterations), np.asarray(seconds), np.asarray(errors) - lowest
            keep = (iterations > 0) & (excess > 0)
            sk = name.startswith("scikit")
            style = dict(color=_solver_color(name), label=name, marker="o" if sk else None, markersize=3,
                         linestyle="--" if sk else "-")
            left.loglog(iterations[keep], excess[keep], **style)
            if sk:  # separate timed runs, one per point: no line between them
                style.update(linestyle="none", markersize=4)
            right.loglog(seconds[keep], excess[keep], **style)
        left.set_xlabel(tr("iteration k"))
        right.set_xlabel(tr("seconds (this machine)"))
        left.set_ylabel(tr("relative error − {lowest:.4f}").format(lowest=lowest))
        left.set_title(tr("{label}: against iterations").format(label=label), fontsize=10)
        right.set_title(tr("{label}: against time").format(label=label), fontsize=10)
        for ax in (left, right):
            ax.grid(True, which="both", alpha=0.3)
    axes[0, 1].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def benchmark_curves(bench, *, title=None, figsize=None):
    """Error above the target against time, for every solver of a ``benchmarks/bench_solvers.py`` results file.

    Each curve is the relative error minus the target (scikit-learn cd's
    final error) on log–log axes, down to the benchmark's tolerance for
    "reached"; a triangle below the curves marks when each solver reached
    the target (the fastest of its timed runs).

    Parameters
    ----------
    bench : dict
        The parsed ``solvers.json``: each case has ``results`` with a
        ``curve`` (seconds, errors, iterations) for the solvers of nmf_teach
        and scikit-learn cd, a ``search`` (timed runs) for scikit-learn mu,
        ``target_relative_error`` and ``rtol``.
    title : str or None
    figsize : tuple or None

    Returns
    -------
    matplotlib.figure.Figure
    """
    cases = bench["cases"]
    fig, axes = plt.subplots(1, len(cases), figsize=figsize or (5.8 * len(cases), 4.4), squeeze=False)
    for case, ax in zip(cases, axes[0], strict=True):
        target = case["target_relative_error"]
        floor = case.get("rtol", 1e-9) * target       # at or below this: "reached"
        curves = {}
        for name, row in case["results"].items():
            if "curve" in row:
                seconds, errors = np.asarray(row["curve"][0]), np.asarray(row["curve"][1])
            else:  # scikit-learn mu: the timed runs of its search
                points = sorted(row["search"].items(), key=lambda item: int(item[0]))
                seconds = np.array([p["seconds"] for _, p in points])
                errors = np.array([p["error"] for _, p in points])
            keep = (seconds > 0) & (errors - target > floor)
            curves[name] = (seconds[keep], errors[keep] - target, row)
        marks = min(excess.min() for _, excess, _ in curves.values() if excess.size) / 3
        for name, (seconds, excess, row) in curves.items():
            sk = name.startswith("sklearn")  # separate timed runs, one per point: no line between them
            color = _solver_color(name)
            ax.loglog(seconds, excess, color=color, label=name, linestyle="none" if sk else "-",
                      marker="o" if sk else None, markersize=4)
            if row["reached"]:
                ax.plot([row["min_seconds"]], [marks], marker="v", color=color, markersize=8)
        shape = " × ".join(map(str, case["shape"]))
        ax.set_title(f"{case['case']} ({shape}), r = {case['rank']}", fontsize=10)
        ax.set_xlabel(tr("seconds (benchmark machine); ▼ = reached the target"))
        ax.set_ylabel(tr("relative error − target ({target:.5f})").format(target=target))
        ax.grid(True, which="both", alpha=0.3)
    axes[0, -1].legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
