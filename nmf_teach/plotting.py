"""Figures the chapters share: image grids and loss curves.

Every function draws on a matplotlib Axes or Figure and returns it, so a
chapter can add a title or save it. Keep each function short; one figure idea
per function.
"""

import matplotlib.pyplot as plt
import numpy as np


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
    ax.set_xlabel("iteration k")
    ax.set_ylabel("f(W, H)" if not relative_to else "f(W, H), relative")
    if title:
        ax.set_title(title)
    if label:
        ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    return ax


# Colours of the three blocks of V ≈ W H (the same in every figure of the book).
FACTOR_COLORS = {"V": "#4c72b0", "W": "#dd8452", "H": "#55a868"}


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
        ax.text(left["H"] + widths["H"] / 2, 0.03, f"column j = {column}:  $v_j = W\\,h_j$", ha="center",
                va="bottom", fontsize=10, color="crimson")
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


def error_vs_rank(ranks, errors, *, ax=None, title=None, ylabel=r"relative error $\|V - WH\|_F \,/\, \|V\|_F$",
                  log=False, legend_loc="best"):
    """Plot one or more error curves against the rank r (for example NMF against the truncated SVD).

    Parameters
    ----------
    ranks : array_like of int
    errors : dict of str to array_like
        A label for each curve and its errors, one per rank.
    ax : matplotlib Axes or None
    title, ylabel : str or None
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
    ax.set_xlabel("rank r")
    ax.set_ylabel(ylabel)
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
