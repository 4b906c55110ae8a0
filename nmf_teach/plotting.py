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
