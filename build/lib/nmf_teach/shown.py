"""The numbers a chapter's prose shows, computed by its cells: one source of truth.

A cell keeps a computed number under a name::

    glue("swimmer_cosine_gap", float(1 - matched.min()))

and the prose shows it, formatted, with MyST's inline evaluation::

    a cosine within {eval}`glued("swimmer_cosine_gap", ".1e")` of 1

The book's build (myst-nb, ``nb_execution_mode: inline``) and JupyterLab with
``jupyterlab-myst`` both evaluate ``{eval}`` in the kernel that ran the cells,
so the reader sees the same number in the HTML book and in a classroom's
notebook, and nothing here needs ``myst_nb`` (a notebook runs on Colab too).
"""

__all__ = ["glue", "glued", "Shown"]

_values = {}


class Shown:
    """A number formatted for the prose: its ``repr`` is the text to show (no quotes)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text

    def __str__(self):
        return self.text


def glue(name, value, display=False):
    """Keep ``value`` under ``name`` for :func:`glued`.

    Returns nothing, so that a cell ending with it prints nothing. ``display`` is
    accepted for the sake of notebooks written for ``myst_nb.glue``; nothing is
    displayed.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"glue needs a name made of letters, digits and _, got {name!r}")
    _values[name] = value


def glued(name, spec=""):
    """The value kept under ``name``, formatted with ``spec`` (as in ``format(value, spec)``)."""
    if name not in _values:
        raise KeyError(f"no value was glued under {name!r}: run the cell that computes it first")
    return Shown(format(_values[name], spec))
