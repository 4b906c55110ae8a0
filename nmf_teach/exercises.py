r"""Checkers for a student's own functions: "now write it yourself".

Each ``check_*`` function takes the student's function, runs it on a fixed set
of small problems chosen to tell the classic mistakes apart, and returns a
:class:`CheckResult` that prints, in one or two sentences, whether the
function passed, and if not, the smallest problem on which it differs from the
book's formula and the most likely mistake, by name, with a link to where the
book treats it. A checker never raises because of the student's function: a
function that raises, returns the wrong shape, returns NaN or changes its input
gets a sentence that says so.

**The problems.** Shapes with ``m ≠ n ≠ r`` (so a missing transpose cannot
run unnoticed), a few square ones (so a missing transpose *does* run, and its
wrong numbers can be named), scales of V, W and H from 1e-3 to 1e3, zero
entries in V and in the factors (never a whole zero column of W or row of H,
so every denominator of the lecture's formulas is positive, as chapter 06
assumes), and, where the formula applies to it, a sparse V
(``scipy.sparse.csr_array``; failing only there is reported as a note, not as
a failure). The problems are drawn from a fixed seed: same function, same
verdict.

**Passing, to rounding.** The student's result ``S`` passes when, entry by
entry, ``|S − R| <= γ_N(dtype) M + γ_N(float64) M``, with ``R`` the formula
computed in float64, ``M`` the formula evaluated with every matrix replaced by
its absolute value and every subtraction by an addition (the ``|A||B|`` of
Higham's bound ``|fl(AB) − AB| <= γ_k |A||B|``, :mod:`nmf_teach.rounding`),
and ``N`` larger than the longest chain of roundings any way of writing the
formula needs: twice the sum of the largest dimension of each argument, plus
20 (at least ``2(m + n + r) + 20``; the multiplicative update of H, for
one, needs ``2m + r + 2`` and rounding its inputs to float32 adds one per
appearance of V, W or H). So every correct rewrite passes (another product order,
``np.einsum``, a loop over entries, a gradient step written out instead of
the multiplication, float32), while each catalogued mistake is off by far more
than the bound on at least one problem. For the objective ``M`` is the bound
of :func:`nmf_teach.rounding.loss_bound`, which covers the direct and the
trace form. **float32:** the bound uses the precision of what the function
*returns*: a function that computes in float32 should return float32 (it is
then judged with float32's unit roundoff); one that computes in float32 and
returns float64 is judged as float64 and fails.

**Array-likes.** A list or a ``numpy.matrix`` is read with ``numpy.asarray``
(and the result says so); ``None``, strings and complex numbers are refused
with a sentence.

**The catalogue.** Each checker carries its known mistakes
(:attr:`Exercise.mistakes`): one :class:`Mistake` per classic slip, with the
wrong formula, a one-line explanation and a link to where the book treats
it. A function that fails is compared with each of them on every problem; the
one that matches it to rounding (the same bound, computed with the mistake's
own magnitude added) is named. If none matches, the result says so and shows
where the function and the formula differ.

**(WH)Hᵀ versus W(HHᵀ).** The two are equal, so no value can tell them apart:
it is a cost mistake, not a value mistake. The multiplicative-update checkers
run the function once more on a problem whose W and H record the shape of
every matrix product made from them (an ``ndarray`` subclass); if a product
of shape m×n appears, the result passes with a note naming the mistake and
its cost. A function that hides its products from numpy (``np.dot`` on plain
copies, loops) is simply not probed.
"""

import html
import json
import os
import re
import textwrap
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import scipy.sparse as sp

from . import auxiliary, calculus, kl, updates
from .messages import language, tr
from .objective import gradient_H as _package_gradient_H
from .objective import gradient_W as _package_gradient_W
from .objective import objective as _package_objective
from .rounding import gamma, loss_bound

__all__ = [
    "CheckResult", "Exercise", "Mistake", "check_G", "check_K", "check_argmin_G", "check_gradient_H",
    "check_gradient_W", "check_grad_tr_XtAX", "check_iteration", "check_kl_update_H", "check_kl_update_W",
    "check_objective", "check_projected_step_H", "check_step_size_H", "check_step_size_W", "check_update_H",
    "check_update_W", "EXERCISES",
]


# ---------------------------------------------------------------------------
# Where the book treats each formula (relative links into the built book).
# ---------------------------------------------------------------------------

def _eq(doc, label):
    """The anchor Sphinx gives a labelled equation (docutils lower-cases ids)."""
    return f"{doc}.html#equation-{label.lower()}"


ERRATA = "errata.html"
# The online book; NMF_TEACH_BOOK_URL points the links elsewhere (e.g. a local build's
# file:///.../_build/html/). tools/notebooks.py links JupyterLab's citations to the same address.
BOOK_URL = "https://nmf-teach.github.io/nmf-teach/"
_RELATIVE_LINK = re.compile(r"(?<![\w/.:-])([0-9a-z_]+\.html#[0-9a-z-]+)")


def book_url(where):
    """The address of ``where`` (a link relative to the book's chapter pages) in the book.

    >>> book_url("errata.html#slide-15-teorema")
    'https://nmf-teach.github.io/nmf-teach/book/errata.html#slide-15-teorema'
    """
    base = os.environ.get("NMF_TEACH_BOOK_URL", BOOK_URL)
    edition = "/pt" if language() == "pt_BR" else ""   # the Portuguese edition's pages (tools/editions.py)
    return base.rstrip("/") + edition + "/book/" + where


def _book_numbers():
    """What the book shows at each labelled place, by relative link: ``"(3.10)"``, ``"Theorem 7.1"``.

    Written by ``tools/notebooks.py`` from the notebooks and ``_toc.yml`` (its ``--check``, run by
    tests/test_notebooks.py, keeps it up to date); package data, so a notebook on Colab has it too.
    """
    text = resources.files(__package__).joinpath("book_numbers.json").read_text(encoding="utf-8")
    return json.loads(text)


BOOK_NUMBERS = _book_numbers()


def _link_text(where):
    """A reader's name for a link: ``equation (5.4)``, ``Theorem 7.1``, ``the errata, slide 25 tamanho do passo``.

    An equation, theorem, exercise ... by the number the book shows; a labelled section by its chapter and
    title; any other anchor by its page and the anchor's words.
    """
    page, _, anchor = where.partition("#")
    doc = page.removesuffix(".html")
    if doc[:2].isdigit():
        name = tr("chapter {number}").format(number=doc[:2])
    elif doc == "errata":
        name = tr("the errata")
    else:
        name = tr("the {page}").format(page=doc.replace("_", " "))
    shown = BOOK_NUMBERS.get(where)
    if shown is not None and anchor.startswith("equation-"):
        return tr("equation {number}").format(number=shown)
    if shown is not None and re.fullmatch(r"[A-Z][a-z]+ \d+\.\d+", shown):
        kind, number = shown.split(" ")
        names = {"Theorem": tr("Theorem"), "Lemma": tr("Lemma"), "Proposition": tr("Proposition"),
                 "Definition": tr("Definition"), "Corollary": tr("Corollary"), "Exercise": tr("Exercise")}
        return f"{names.get(kind, kind)} {number}"
    if shown is not None:
        return f"{name}, “{shown}”"
    return f"{name}, {anchor.replace('-', ' ')}" if anchor else name


CH03, CH04, CH05 = "03_alternating_gradient_descent", "04_matrix_calculus", "05_objective_and_gradients"
CH06, CH07, CH10 = "06_multiplicative_updates", "07_convergence_theorem", "10_beyond"


@dataclass(frozen=True)
class Mistake:
    """One classic mistake: its name, why it is wrong, where the book treats it, and the wrong formula.

    ``formula(p)`` computes the wrong result from a problem ``p`` (a dict of
    float64 arrays, with the checker's argument names); it may raise where the
    wrong formula's shapes do not fit, as the student's version would.
    """

    key: str
    name: str
    explanation: str
    where: str
    formula: object = field(repr=False)


@dataclass(frozen=True)
class Exercise:
    """A formula a student is asked to write, and how to check it."""

    name: str            # the student's function, as the book calls it: "update_H"
    formula: str         # the formula, in the book's notation
    where: str           # the link to the equation in the book
    args: tuple          # the argument names, in order: ("V", "W", "H")
    output: str          # what it returns: "H", "f", ("W", "H") ...
    reference: object = field(repr=False)   # p -> the right result, float64
    magnitude: object = field(repr=False)   # p -> M of the rounding bound (same shape), or None (objective)
    problems: object = field(repr=False)    # () -> list of problems (dicts), smallest first
    mistakes: tuple = ()
    scalar: bool = False
    sparse: bool = False                    # also try a sparse V (a note if only that fails)
    covers: str = tr("square and not, scales 1e-3 to 1e3, zero entries")   # what the problems cover, for the message
    probe_mn: bool = False                  # note an m×n product (the (WH)Hᵀ cost mistake)


# ---------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------


@dataclass
class CheckResult:
    """What a checker found. Prints as one or two sentences.

    Attributes
    ----------
    passed : bool
    exercise : str
        The name of the checked function (``"update_H"``).
    message : str
        The sentences, in plain text.
    mistake : Mistake or None
        The catalogued mistake the function matches, if any.
    problem : str or None
        The smallest problem on which the function is wrong (a description).
    entry, yours, expected
        Where the function and the formula differ most on that problem, and
        the two values there.
    notes : list of str
        Remarks that do not change the verdict (array-likes, sparse V, product order).
    where : str or None
        The relative link into the book shown with the message (its address: :attr:`url`).

    As text (a terminal) the links are the book's full addresses; in Jupyter (HTML) they are
    links that open the online book (:func:`book_url`) at that place.
    """

    passed: bool
    exercise: str
    message: str
    mistake: Mistake = None
    problem: str = None
    entry: tuple = None
    yours: float = None
    expected: float = None
    notes: list = field(default_factory=list)
    where: str = None

    @property
    def mistake_key(self):
        """The key of the named mistake (``"plus-Wtv"``), or None."""
        return self.mistake.key if self.mistake is not None else None

    def __bool__(self):
        return self.passed

    @property
    def url(self):
        """The full address of :attr:`where` in the online book, or None."""
        return None if self.where is None else book_url(self.where)

    def text(self, width=78):
        """The sentences, wrapped to ``width``: each link named as the book names the place (``equation (3.10)``)
        and given as its full address, never broken across lines (not even at a hyphen)."""
        def link(where):
            return f"{_link_text(where)}: {book_url(where)}"

        text = self.message + ("" if self.where is None else " " + tr("(see {link})").format(link=link(self.where)))
        text += "".join(" " + _RELATIVE_LINK.sub(lambda m: link(m.group(1)), note) for note in self.notes)
        return textwrap.fill(text, width=width, break_on_hyphens=False, break_long_words=False)

    def __str__(self):
        return self.text()

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        def link(where):
            return (f'<a href="{html.escape(book_url(where))}" target="_blank" rel="noopener">'
                    f"{html.escape(_link_text(where))}</a>")

        mark = "✓" if self.passed else "✗"
        body = html.escape(self.message)
        if self.where is not None:
            body += " " + tr("(see {link})").format(link=link(self.where))
        body += "".join(" " + _RELATIVE_LINK.sub(lambda m: link(m.group(1)), html.escape(note)) for note in self.notes)
        return f"<p><strong>{mark}</strong> {body}</p>"


# ---------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------

_SEED = 15

# (m, n, r, scale of V, scale of W, scale of H, density of zeros): smallest first.
# Square cases (m = n = r) let a missing transpose run, so its numbers can be named.
_MATRIX_CASES = [
    (2, 2, 2, 1.0, 1.0, 1.0, 0.0),
    (3, 4, 2, 1.0, 1.0, 1.0, 0.0),
    (4, 3, 1, 1e3, 1.0, 1e-3, 0.0),
    (3, 3, 3, 1e-3, 1e-3, 1e3, 0.3),
    (5, 7, 3, 1e3, 1e-3, 1.0, 0.3),
    (7, 5, 4, 1e-3, 1e3, 1e-3, 0.3),
    (8, 6, 3, 1.0, 1e3, 1e3, 0.2),
]


def _positive(rng, shape, scale, density, keep_lines=False):
    """``scale`` × uniform(0.1, 1), with zeros at ``density``; ``keep_lines``: no row or column all zero."""
    X = scale * (0.1 + 0.9 * rng.random(shape))
    if density > 0:
        zeros = rng.random(shape) < density
        if keep_lines and len(shape) == 2:
            zeros[np.arange(shape[0]), rng.integers(shape[1], size=shape[0])] = False
            zeros[rng.integers(shape[0], size=shape[1]), np.arange(shape[1])] = False
        X[zeros] = 0.0
    return X


def _describe(p):
    """'V 3×4, W 3×2, H 2×4' and the scales, for the messages."""
    parts = [f"{name} {x.shape[0]}×{x.shape[1]}" if np.ndim(x) == 2 else
             tr("{name} of length {length}").format(name=name, length=np.size(x))
             for name, x in p.items() if name[0] != "_" and np.ndim(x) >= 1]
    extra = p.get("_label", "")
    return ", ".join(parts) + (f" ({extra})" if extra else "")


def _scales(names, *values):
    """'entries of V, W, H of size 1e+03, 1, 0.001'."""
    return tr("entries of {names} of size {sizes}").format(names=names, sizes=", ".join(f"{v:g}" for v in values))


def _matrix_problems():
    rng = np.random.default_rng(_SEED)
    problems = []
    for m, n, r, sV, sW, sH, density in _MATRIX_CASES:
        V = _positive(rng, (m, n), sV, density)
        W = _positive(rng, (m, r), sW, 0.0)             # W > 0 and no line of H zero: WH > 0, and
        H = _positive(rng, (r, n), sH, density, True)   # every denominator of chapters 06 and 10 is > 0
        label = _scales("V, W, H", sV, sW, sH)
        if density:
            label = tr("{scales}, with zeros").format(scales=label)
        problems.append({"V": V, "W": W, "H": H, "_label": label})
    return problems


def _step_problems():
    """The matrix problems with a step size alpha (scalar) that changes signs (chapter 03)."""
    problems = _matrix_problems()
    for p in problems:
        L = np.linalg.norm(p["W"].T @ p["W"], 2)
        p["alpha"] = 1.5 / L
    return problems


_COLUMN_CASES = [  # (m, r, scale of W, scale of v, scale of h_k, density of zeros in W and v)
    (2, 2, 1.0, 1.0, 1.0, 0.0),
    (3, 2, 1.0, 1.0, 1.0, 0.0),
    (4, 4, 1e3, 1e-3, 1.0, 0.3),
    (5, 3, 1e-3, 1e3, 1e-3, 0.3),
    (7, 4, 1.0, 1e3, 1e3, 0.3),
]


def _column_problems(with_h=False):
    rng = np.random.default_rng(_SEED + 1)
    problems = []
    for m, r, sW, sv, sh, density in _COLUMN_CASES:
        W = _positive(rng, (m, r), sW, density, True)   # no zero column: [WᵀWhᵏ]_a >= ‖w_a‖² hᵏ_a > 0
        v = _positive(rng, (m,), sv, density)
        h_k = _positive(rng, (r,), sh, 0.0)
        label = _scales("W, v, hᵏ", sW, sv, sh)
        if density:
            label = tr("{scales}, with zeros").format(scales=label)
        p = {"W": W, "v": v, "h_k": h_k, "_label": label}
        if with_h:
            p["h"] = h_k + sh * rng.standard_normal(r)
        problems.append(p)
    return problems


def _trace_problems():
    rng = np.random.default_rng(_SEED + 2)
    problems = []
    for m, n, scale in [(2, 2, 1.0), (3, 2, 1.0), (4, 4, 1e3), (5, 3, 1e-3)]:
        X = scale * rng.standard_normal((m, n))
        A = rng.standard_normal((m, m))
        problems.append({"A": A, "X": X, "_label": _scales("X", scale)})
    return problems


# ---------------------------------------------------------------------------
# Running the student's function
# ---------------------------------------------------------------------------

class _Refused(Exception):
    """The student's function did something the checker answers with a sentence.

    ``kind`` is "raised", "nonfinite" or "other" (shape, type, input changed).
    """

    def __init__(self, sentence, kind="other", shape=None, short=None):
        super().__init__(sentence)
        self.kind = kind
        self.shape = shape            # the shape returned, for kind "shape"
        self.short = short or sentence  # a few words, for a note


def _copy_args(exercise, p):
    return [np.array(p[name], copy=True) for name in exercise.args]


def _as_result(exercise, value, p, notes):
    """The student's return value as a float64 array (or float) and its dtype; or _Refused."""
    if value is None:
        raise _Refused(tr("returned None (is the `return` line missing?)"))
    if exercise.output == ("W", "H"):
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise _Refused(tr("returned {kind}, not the pair (W, H): end it with `return W_new, H_new`").format(
                kind=type(value).__name__))
        pair = [_as_result(_single(exercise, name), v, p, notes)
                for name, v in zip(("W", "H"), value, strict=True)]
        return tuple(x for x, _ in pair), np.result_type(*[d for _, d in pair])
    if isinstance(value, str) or (hasattr(value, "dtype") and value.dtype.kind in "OSU"):
        raise _Refused(tr("returned {kind} {value!r:.40}, not numbers").format(kind=type(value).__name__, value=value))
    if sp.issparse(value):
        value = value.toarray()
    if isinstance(value, (list, tuple)) or isinstance(value, np.matrix):
        note = tr("(Your function returns a list; it was read with np.asarray: the book's "
                  "functions return numpy arrays.)") if isinstance(value, (list, tuple)) else \
            tr("(Your function returns a numpy.matrix; it was read with np.asarray.)")
        if note not in notes:
            notes.append(note)
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - whatever the student returned
        raise _Refused(tr("returned a {kind}, which numpy cannot read as numbers").format(
            kind=type(value).__name__)) from None
    if array.dtype.kind == "c":
        raise _Refused(tr("returned complex numbers"))
    if array.dtype.kind not in "fiub":
        raise _Refused(tr("returned {kind} of dtype {dtype}, not numbers").format(kind=type(value).__name__,
                                                                                   dtype=array.dtype))
    dtype = array.dtype if array.dtype.kind == "f" else np.dtype(np.float64)
    if isinstance(value, float) and not isinstance(value, np.floating):
        dtype = np.dtype(np.float64)
    if exercise.scalar:
        if array.size != 1:
            raise _Refused(tr("returned an array of shape {shape}; {output} is one number").format(
                shape=array.shape, output=exercise.output))
        return float(array.reshape(())), dtype
    expected = np.shape(exercise.reference(p))
    if array.ndim == 0:
        raise _Refused(tr("returned a single number; {output} is a {expected} array on this problem (an entrywise "
                          "formula applied to numbers, not to the matrices?)").format(
                              output=exercise.output, expected="×".join(map(str, expected))), "shape", ())
    if array.shape != expected:
        hint = ""
        if array.shape == expected[::-1]:
            hint = " " + tr("(the transpose of the right shape)")
        raise _Refused(tr("returned an array of shape {shape}{hint}; {output} is {expected} on this problem").format(
                           shape=array.shape, hint=hint, output=exercise.output, expected="×".join(map(str, expected))),
                       "shape", array.shape, short=tr("returned shape {shape}").format(shape=array.shape))
    return array.astype(np.float64), dtype


def _single(exercise, name):
    """A view of a pair exercise as the exercise for one of its outputs (shape checks only)."""
    index = 0 if name == "W" else 1
    return Exercise(name=exercise.name, formula=exercise.formula, where=exercise.where, args=exercise.args,
                    output=name, reference=lambda p: exercise.reference(p)[index],
                    magnitude=None, problems=exercise.problems)


def _run(exercise, fn, p, notes):
    """Call the student's function on problem p: (result, dtype), or raise _Refused with a sentence."""
    args = _copy_args(exercise, p)
    try:
        with np.errstate(all="ignore"):
            value = fn(*args)
    except Exception as error:  # noqa: BLE001 - the student's error becomes a sentence
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        short = tr("raised {error}").format(error=type(error).__name__)
        sentence = tr("raised {error} ('{message}')").format(error=type(error).__name__, message=message[:120]) \
            if message else short
        raise _Refused(sentence, "raised", short=short) from None
    changed = [name for name, a in zip(exercise.args, args, strict=True)
               if a.shape != np.shape(p[name]) or not np.array_equal(a, p[name])]
    if changed:
        raise _Refused(tr("changed its input {names} in place (e.g. with `*=`): the book's functions return a new "
                          "array and leave their inputs as they were").format(names=", ".join(changed)))
    result, dtype = _as_result(exercise, value, p, notes)
    for part in (result if isinstance(result, tuple) else (result,)):
        bad = ~np.isfinite(np.asarray(part))
        if np.any(bad):
            where = "" if np.ndim(part) == 0 else \
                " " + tr("(the first at {index})").format(index=tuple(int(i) for i in np.argwhere(bad)[0]))
            if bad.sum() == 1:
                sentence = tr("returned {count} NaN or infinite entry{where}: a division by zero? Every denominator "
                              "of the formula is positive here")
            else:
                sentence = tr("returned {count} NaN or infinite entries{where}: a division by zero? Every "
                              "denominator of the formula is positive here")
            raise _Refused(sentence.format(count=int(bad.sum()), where=where), "nonfinite")
    return result, dtype


# ---------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------

def _chain(p):
    """N of the bound: longer than any chain of roundings the formula needs (see the module docstring)."""
    sizes = sum(int(np.size(x) and max(np.shape(x) or (1,))) for k, x in p.items() if k[0] != "_")
    return 2 * sizes + 20


def _tolerance(exercise, p, dtype, extra=0.0):
    """Entrywise bound on |student − formula| that rounding can explain (module docstring)."""
    N = _chain(p)
    if exercise.name == "objective":
        V, W = p["V"], p["W"]
        f = max(exercise.reference(p), float(np.abs(extra)) if np.ndim(extra) == 0 else 0.0)
        args = (V.shape[0], V.shape[1], W.shape[1], float(np.sum(V * V)), f)
        return loss_bound(*args, dtype=dtype) + loss_bound(*args)
    M = exercise.magnitude(p)
    if isinstance(M, tuple):
        return tuple((gamma(2 * N, dtype) + gamma(2 * N)) * (Mi + np.abs(e)) for Mi, e in
                     zip(M, extra if isinstance(extra, tuple) else (0.0, 0.0), strict=True))
    return (gamma(N, dtype) + gamma(N)) * (np.abs(M) + np.abs(extra))


def _target(exercise, p, result, dtype):
    """The right result and the bound on the distance to it.

    For a full iteration, the new H is judged against the H update computed
    with the function's *own* new W: a correct new W carries rounding errors
    (relative to ``2W + W_new``, not to ``W_new``, when written as a gradient
    step), and the H update passes them on; the W part is judged on its own.
    """
    if exercise.name != "iteration":
        return exercise.reference(p), _tolerance(exercise, p, dtype)
    W_new = result[0]
    chained = dict(p, W=W_new)
    with np.errstate(all="ignore"):
        target = (exercise.reference(p)[0], _mu_H(p["V"], W_new, p["H"]))
        M = (_iteration_magnitude(p)[0], _mu_magnitude(p["H"], _mu_H(p["V"], W_new, p["H"])))
    N = _chain(chained)
    tol = tuple((gamma(2 * N, dtype) + gamma(2 * N)) * Mi for Mi in M)
    return target, tol


def _parts(x):
    return x if isinstance(x, tuple) else (x,)


def _worst(result, target, tol):
    """(ratio, part, entry, yours, target) where |result − target| / tol is largest (inf: not finite)."""
    best = (-1.0, 0, (), 0.0, 0.0)
    for k, (a, b, t) in enumerate(zip(_parts(result), _parts(target), _parts(tol), strict=True)):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        t = np.broadcast_to(np.asarray(t, dtype=np.float64), a.shape)
        with np.errstate(all="ignore"):
            gap = np.abs(a - b)
            ratio = np.where(t > 0, gap / np.where(t > 0, t, 1.0), np.where(gap > 0, np.inf, 0.0))
        ratio = np.where(np.isnan(ratio), np.inf, ratio)
        i = np.unravel_index(int(np.argmax(ratio)), ratio.shape) if ratio.ndim else ()
        value = float(ratio[i])
        if value > best[0]:
            best = (value, k, tuple(int(j) for j in i), float(a[i]), float(b[i]))
    return best


def _close(result, target, tol):
    return _worst(result, target, tol)[0] <= 1.0


def _entry_text(exercise, part, entry):
    name = exercise.output[part] if isinstance(exercise.output, tuple) else exercise.output
    if not entry:
        return name
    return f"{name}[{', '.join(map(str, entry))}]"


def _mistake_value(mistake, p):
    try:
        with np.errstate(all="ignore"):
            return mistake.formula(p)
    except Exception:  # noqa: BLE001 - the wrong formula's shapes do not fit this problem
        return None


def _matches(exercise, mistake, runs):
    """Whether the mistake reproduces the student's function on every problem (errors included)."""
    any_value = False
    for p, outcome in runs:
        wrong = _mistake_value(mistake, p)
        if isinstance(outcome, _Refused):
            if outcome.kind == "raised" and wrong is None:
                continue  # the wrong formula does not run here either
            if outcome.kind == "shape" and wrong is not None and not isinstance(wrong, tuple) and \
                    np.shape(wrong) == outcome.shape:
                continue  # the wrong formula has the same wrong shape here
            if outcome.kind == "nonfinite" and wrong is not None and \
                    not all(np.all(np.isfinite(x)) for x in _parts(wrong)):
                continue  # nor is it finite here
            return False
        if wrong is None:
            return False
        result, dtype = outcome
        if isinstance(result, tuple) != isinstance(wrong, tuple) or \
                [np.shape(x) for x in _parts(result)] != [np.shape(x) for x in _parts(wrong)]:
            return False
        if not all(np.all(np.isfinite(x)) for x in _parts(wrong)):
            return False
        if not _close(result, wrong, _tolerance(exercise, p, dtype, extra=wrong)):
            return False
        any_value = True
    return any_value


def _probe_mn(fn, exercise, p):
    """Whether the function forms an m×n product from W and H (the (WH)Hᵀ cost mistake)."""
    m, n = p["V"].shape
    shapes = []

    class Probe(np.ndarray):
        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            plain = [np.asarray(x) if isinstance(x, Probe) else x for x in inputs]
            if "out" in kwargs:
                kwargs["out"] = tuple(np.asarray(x) if isinstance(x, Probe) else x for x in kwargs["out"])
            out = getattr(ufunc, method)(*plain, **kwargs)
            if ufunc is np.matmul:
                shapes.append(np.shape(out))
            return out.view(Probe) if isinstance(out, np.ndarray) and out.ndim > 0 else out

    args = [np.array(p[a], copy=True).view(Probe) if a in ("W", "H") else np.array(p[a], copy=True)
            for a in exercise.args]
    try:
        with np.errstate(all="ignore"):
            fn(*args)
    except Exception:  # noqa: BLE001 - the probe is only a note
        return False
    return (m, n) in shapes


_PRODUCT_ORDER_NOTE = tr(
    "Note: it forms an m×n product (WH computed before multiplying by Hᵀ, or WᵀW H as Wᵀ(WH)): "
    "right in value, but O(mnr) work and an m×n array where W(HHᵀ) and (WᵀW)H need O((m+n)r²); "
    "see {link}.").format(link=f"{CH06}.html#the-order-of-the-products")


def _check(exercise, fn):
    """Run ``fn`` on the exercise's problems and judge it (see the module docstring)."""
    notes = []
    if not callable(fn):
        return CheckResult(False, exercise.name, tr("This is not a function: got {kind}. Pass the function itself, "
                                                    "e.g. check_{name}(my_{name}).").format(kind=type(fn).__name__,
                                                                                            name=exercise.name))
    problems = exercise.problems()
    runs = []
    for p in problems:
        try:
            runs.append((p, _run(exercise, fn, p, notes)))
        except _Refused as refusal:
            runs.append((p, refusal))
    wrong = []
    for p, outcome in runs:
        if isinstance(outcome, _Refused):
            wrong.append((p, outcome, None))
            continue
        result, dtype = outcome
        target, tol = _target(exercise, p, result, dtype)
        worst = _worst(result, target, tol)
        if worst[0] > 1.0:
            wrong.append((p, outcome, worst))
    if not wrong:
        return _passed(exercise, fn, problems, runs, notes)
    # A named mistake first: it explains refusals (shapes) and wrong values alike.
    mistake = next((mk for mk in exercise.mistakes if _matches(exercise, mk, runs)), None)
    p, outcome, worst = next(((p, o, w) for p, o, w in wrong if w is not None), wrong[0])
    others = [o for _, o, w in wrong if w is None and o.kind != "raised"]
    if worst is None or (mistake is None and others):  # say what it did, before any number
        refusal = outcome if worst is None else others[0]
        p = p if worst is None else next(q for q, o, w in wrong if o is refusal)
        every = sum(w is None for _, _, w in wrong) == len(problems)
        if every:
            message = tr("On every problem, your {name} {refusal}.").format(name=exercise.name, refusal=refusal)
        else:
            message = tr("On the problem {problem}, your {name} {refusal}.").format(
                problem=_describe(p), name=exercise.name, refusal=refusal)
        if mistake is not None:
            message += " " + tr("It matches a known mistake, {name}; {explanation}").format(
                name=mistake.name, explanation=mistake.explanation)
        return CheckResult(False, exercise.name, message, mistake=mistake, problem=_describe(p), notes=notes,
                           where=(mistake.where if mistake else exercise.where))
    _, part, entry, yours, expected = worst
    location = _entry_text(exercise, part, entry)
    digits = next((d for d in (6, 10) if f"{yours:.{d}g}" != f"{expected:.{d}g}"), 17)
    message = tr("Your {name} is wrong: on the problem {problem}, {location} is {yours:.{digits}g} where the "
                 "formula {formula} gives {expected:.{digits}g}.").format(
                     name=exercise.name, problem=_describe(p), location=location, yours=yours, digits=digits,
                     formula=exercise.formula, expected=expected)
    if mistake is not None:
        message += " " + tr("This matches {name}; {explanation}").format(name=mistake.name,
                                                                         explanation=mistake.explanation)
        link = mistake.where
    else:
        message += " " + tr("It matches none of the known mistakes: compare your function with the formula at "
                            "that entry.")
        link = exercise.where
    refused = [o for _, o, w in wrong if w is None]
    if refused and mistake is None:
        notes.append(tr("(On another problem it {refusal}.)").format(refusal=refused[0]))
    elif refused:
        notes.append(tr("(Where the shapes do not fit, it {short}, as this mistake would.)").format(
            short=refused[0].short))
    return CheckResult(False, exercise.name, message, mistake=mistake, problem=_describe(p), entry=entry,
                       yours=yours, expected=expected, notes=notes, where=link)


def _passed(exercise, fn, problems, runs, notes):
    ratios = []
    for p, (result, dtype) in runs:
        ratios.append(_worst(result, *_target(exercise, p, result, dtype))[0])
    dtypes = sorted({np.dtype(d).name for _, (_, d) in runs})
    share = f"{100 * max(ratios):.2g} %"
    worst = (tr("its largest error is {share} of the bound") if exercise.scalar
             else tr("the largest error, entry by entry, is {share} of that entry's bound")).format(share=share)
    message = tr("Your {name} passes: it equals {formula} on {count} problems ({covers}) to within the rounding "
                 "bound γ_N|·| in {dtypes} ({worst}).").format(
                     name=exercise.name, formula=exercise.formula, count=len(problems), covers=exercise.covers,
                     dtypes="/".join(dtypes), worst=worst)
    if exercise.sparse:
        notes.extend(_sparse_note(exercise, fn))
    if exercise.probe_mn and _probe_mn(fn, exercise, problems[-1]):
        notes.append(_PRODUCT_ORDER_NOTE)
    return CheckResult(True, exercise.name, message, notes=notes, where=exercise.where)


def _sparse_note(exercise, fn):
    """Try a sparse V; a note either way (sparse V is beyond the exercise)."""
    p = dict(_matrix_problems()[4])
    p["V"] = sp.csr_array(p["V"])
    dense = dict(p, V=p["V"].toarray())
    try:
        with np.errstate(all="ignore"):
            value = fn(*[p[a].copy() for a in exercise.args])
        result, dtype = _as_result(exercise, value, dense, [])
    except Exception as error:  # noqa: BLE001
        kind = type(error).__name__ if not isinstance(error, _Refused) else str(error)
        if "_Refused" not in kind:
            return [tr("(With a sparse V, scipy.sparse.csr_array, it raised {kind}; that is fine here: the "
                       "package's own function handles sparse V.)").format(kind=kind)]
        return [tr("(With a sparse V, scipy.sparse.csr_array, it {kind}; that is fine here: the package's own "
                   "function handles sparse V.)").format(kind=kind)]
    if _close(result, exercise.reference(dense), _tolerance(exercise, dense, dtype)):
        return [tr("It works with a sparse V (scipy.sparse.csr_array) too.")]
    return [tr("(With a sparse V, scipy.sparse.csr_array, it gives other numbers: mixing sparse and dense "
               "arrays changes what * and ** mean; the package's own function handles sparse V.)")]


# ---------------------------------------------------------------------------
# The formulas, right and wrong. p is a problem: a dict of float64 arrays.
# ---------------------------------------------------------------------------

def _mu_H(V, W, H):
    return H * (W.T @ V) / (W.T @ W @ H)


def _mu_W(V, W, H):
    return W * (V @ H.T) / (W @ (H @ H.T))


def _objective(p):
    R = p["V"] - p["W"] @ p["H"]
    return 0.5 * float(np.sum(R * R))


def _trace_terms(p):
    V, W, H = p["V"], p["W"], p["H"]
    return float(np.sum(V * V)), float(np.sum((W.T @ V) * H)), float(np.sum((W.T @ W) * (H @ H.T)))


OBJECTIVE = Exercise(
    name="objective", formula="½‖V − WH‖²_F", where=_eq(CH05, "eq-expansion"), args=("V", "W", "H"),
    output="f", reference=lambda p: _package_objective(p["V"], p["W"], p["H"]),
    magnitude=None, problems=_matrix_problems, scalar=True, sparse=True,
    mistakes=(
        Mistake("missing-half", tr("a missing ½ (‖V − WH‖² without the ½)"),
                tr("the lecture's f has the ½ in front, so that its gradient is (WH − V)Hᵀ without a factor 2."),
                _eq(CH05, "eq-expansion"), lambda p: 2 * _objective(p)),
        Mistake("V2-not-halved", tr("slide 10's ‖V‖² where ½‖V‖² belongs"),
                tr("halving the expansion ‖V‖² − 2tr(HᵀWᵀV) + tr(HᵀWᵀWH) halves every term, the constant too."),
                f"{ERRATA}#slide-10-desenvolvendo-a-funcao-objetivo",
                lambda p: _objective(p) + 0.5 * _trace_terms(p)[0]),
        Mistake("cross-term-factor", tr("a lost factor 2 on the cross term (½(‖V‖² − tr(VᵀWH) + …))"),
                tr("tr(VᵀWH) and tr((WH)ᵀV) are equal, so the expansion has 2tr(VᵀWH), halved to tr(VᵀWH)."),
                _eq(CH05, "eq-expansion"),
                lambda p: 0.5 * (_trace_terms(p)[0] - _trace_terms(p)[1] + _trace_terms(p)[2])),
        Mistake("not-squared", tr("slide 15's norm without its square (½‖V − WH‖_F)"),
                tr("f is half the *squared* Frobenius norm; the norm itself is its square root."),
                f"{ERRATA}#slide-15-teorema", lambda p: 0.5 * np.sqrt(2 * _objective(p))),
        Mistake("slide9-cross-term", tr("slide 9's cross term tr(WᵀHᵀV)"),
                tr("the transpose of WH is HᵀWᵀ, so the cross term is tr(HᵀWᵀV); WᵀHᵀ only multiplies when m = n."),
                f"{ERRATA}#slide-9-desenvolvendo-a-funcao-objetivo",
                lambda p: 0.5 * (_trace_terms(p)[0] - 2 * np.trace(p["W"].T @ p["H"].T @ p["V"])
                                 + _trace_terms(p)[2])),
        Mistake("no-square-entries", tr("a sum of the residuals, not of their squares (½Σ(V − WH))"),
                tr("the Frobenius norm squares every entry before summing."), _eq(CH05, "eq-expansion"),
                lambda p: 0.5 * float(np.sum(p["V"] - p["W"] @ p["H"]))),
    ),
)


def _grad_W(p):
    V, W, H = p["V"], p["W"], p["H"]
    return (W @ H - V) @ H.T


def _grad_H(p):
    V, W, H = p["V"], p["W"], p["H"]
    return W.T @ (W @ H - V)


GRADIENT_W = Exercise(
    name="gradient_W", formula="∇_W f = (WH − V)Hᵀ", where=_eq(CH05, "eq-grad-W"), args=("V", "W", "H"),
    output="∇_W f", reference=lambda p: _package_gradient_W(p["V"], p["W"], p["H"]),
    magnitude=lambda p: (np.abs(p["W"]) @ np.abs(p["H"]) + np.abs(p["V"])) @ np.abs(p["H"]).T,
    problems=_matrix_problems, sparse=True,
    mistakes=(
        Mistake("sign", tr("the sign flipped ((V − WH)Hᵀ)"),
                tr("that is minus the gradient, the direction of descent; the gradient points uphill."),
                _eq(CH05, "eq-grad-W"), lambda p: -_grad_W(p)),
        Mistake("factor-2", tr("a factor 2 (the gradient of ‖V − WH‖², without the ½)"),
                tr("identity (5) gives 2WHHᵀ for tr(HᵀWᵀWH), and the ½ of f cancels that 2."),
                _eq(CH04, "eq-tr-5"), lambda p: 2 * _grad_W(p)),
        Mistake("half", tr("a factor ½ too many ((WH − V)Hᵀ / 2)"),
                tr("the ½ of f cancels the 2 of identity (5); it is not kept on top of it."),
                _eq(CH04, "eq-tr-5"), lambda p: 0.5 * _grad_W(p)),
        Mistake("missing-transpose", tr("a missing transpose ((WH − V)H instead of (WH − V)Hᵀ)"),
                tr("identity (3) gives AᵀBᵀ: the H on the right of W comes back transposed."),
                _eq(CH04, "eq-tr-3"), lambda p: (p["W"] @ p["H"] - p["V"]) @ p["H"]),
        Mistake("other-gradient", tr("the gradient in H, Wᵀ(WH − V), in place of the one in W"),
                tr("∇_W f has the shape of W (m×r); Wᵀ(WH − V) is r×n."), _eq(CH05, "eq-grad-H"), _grad_H),
        Mistake("no-V", tr("the V term left out (WHHᵀ)"),
                tr("(WH − V)Hᵀ = WHHᵀ − VHᵀ: the data enters through −VHᵀ."), _eq(CH05, "eq-grad-W"),
                lambda p: p["W"] @ p["H"] @ p["H"].T),
    ),
)

GRADIENT_H = Exercise(
    name="gradient_H", formula="∇_H f = Wᵀ(WH − V)", where=_eq(CH05, "eq-grad-H"), args=("V", "W", "H"),
    output="∇_H f", reference=lambda p: _package_gradient_H(p["V"], p["W"], p["H"]),
    magnitude=lambda p: np.abs(p["W"]).T @ (np.abs(p["W"]) @ np.abs(p["H"]) + np.abs(p["V"])),
    problems=_matrix_problems, sparse=True,
    mistakes=(
        Mistake("sign", tr("the sign flipped (Wᵀ(V − WH))"),
                tr("that is minus the gradient, the direction of descent."), _eq(CH05, "eq-grad-H"),
                lambda p: -_grad_H(p)),
        Mistake("factor-2", tr("a factor 2 (the gradient of ‖V − WH‖², without the ½)"),
                tr("the ½ of f cancels the 2 of identity (4)."), _eq(CH04, "eq-tr-4"), lambda p: 2 * _grad_H(p)),
        Mistake("half", tr("a factor ½ too many (Wᵀ(WH − V) / 2)"),
                tr("the ½ of f cancels the 2 of identity (4); it is not kept on top of it."), _eq(CH04, "eq-tr-4"),
                lambda p: 0.5 * _grad_H(p)),
        Mistake("missing-transpose", tr("a missing transpose (W(WH − V) instead of Wᵀ(WH − V))"),
                tr("identity (3) gives AᵀBᵀ: the W on the left of H comes back transposed."),
                _eq(CH04, "eq-tr-3"), lambda p: p["W"] @ (p["W"] @ p["H"] - p["V"])),
        Mistake("other-gradient", tr("the gradient in W, (WH − V)Hᵀ, in place of the one in H"),
                tr("∇_H f has the shape of H (r×n); (WH − V)Hᵀ is m×r."), _eq(CH05, "eq-grad-W"), _grad_W),
        Mistake("no-V", tr("the V term left out (WᵀWH)"),
                tr("Wᵀ(WH − V) = WᵀWH − WᵀV: the data enters through −WᵀV."), _eq(CH05, "eq-grad-H"),
                lambda p: p["W"].T @ p["W"] @ p["H"]),
    ),
)


def _alpha_W(p):
    return p["W"] / (p["W"] @ p["H"] @ p["H"].T)


def _alpha_H(p):
    return p["H"] / (p["W"].T @ p["W"] @ p["H"])


STEP_SIZE_W = Exercise(
    name="step_size_W", formula="α_W = W / (WHHᵀ)", where=_eq(CH06, "eq-step-W"), args=("V", "W", "H"),
    output="α_W", reference=lambda p: updates.step_size_W(p["V"], p["W"], p["H"]),
    magnitude=_alpha_W, problems=_matrix_problems,
    mistakes=(
        Mistake("inverted", tr("the step size upside down (WHHᵀ / W)"),
                tr("Lee and Seung divide W by WHHᵀ, so that the W in front of the gradient step cancels."),
                _eq(CH06, "eq-step-W"), lambda p: (p["W"] @ p["H"] @ p["H"].T) / p["W"]),
        Mistake("no-W", tr("the W in the numerator left out (1 / (WHHᵀ))"),
                tr("without W_ij on top the step does not turn the subtraction into a multiplication."),
                _eq(CH06, "eq-mu-W-derivation"), lambda p: 1 / (p["W"] @ p["H"] @ p["H"].T)),
        Mistake("VHt", tr("VHᵀ in the denominator (W / (VHᵀ))"),
                tr("the denominator is the positive part of the gradient, WHHᵀ, not the negative part VHᵀ."),
                _eq(CH06, "eq-step-W"), lambda p: p["W"] / (p["V"] @ p["H"].T)),
        Mistake("matrix-product", tr("slide 13's matrix product (W(HHᵀ)⁻¹-like: W @ … instead of W ∘ …)"),
                tr("the step size is an entrywise quotient; a matrix product has the wrong shape, or wrong numbers "
                   "when the shapes happen to fit."), f"{ERRATA}#slide-13-tamanho-do-passo",
                lambda p: p["W"] @ (1 / (p["W"] @ p["H"] @ p["H"].T))),
        Mistake("missing-transpose", tr("a missing transpose (W / (WHH) in place of W / (WHHᵀ))"),
                tr("WHHᵀ: H times its own transpose, r×r, then W in front."), _eq(CH06, "eq-step-W"),
                lambda p: p["W"] / (p["W"] @ p["H"] @ p["H"])),
    ),
)

STEP_SIZE_H = Exercise(
    name="step_size_H", formula="α_H = H / (WᵀWH)", where=_eq(CH06, "eq-step-H"), args=("V", "W", "H"),
    output="α_H", reference=lambda p: updates.step_size_H(p["V"], p["W"], p["H"]),
    magnitude=_alpha_H, problems=_matrix_problems,
    mistakes=(
        Mistake("inverted", tr("the step size upside down (WᵀWH / H)"),
                tr("Lee and Seung divide H by WᵀWH, so that the H in front of the gradient step cancels."),
                _eq(CH06, "eq-step-H"), lambda p: (p["W"].T @ p["W"] @ p["H"]) / p["H"]),
        Mistake("no-H", tr("the H in the numerator left out (1 / (WᵀWH))"),
                tr("without H_ij on top the step does not turn the subtraction into a multiplication."),
                _eq(CH06, "eq-mu-H-derivation"), lambda p: 1 / (p["W"].T @ p["W"] @ p["H"])),
        Mistake("WtV", tr("WᵀV in the denominator (H / (WᵀV))"),
                tr("the denominator is the positive part of the gradient, WᵀWH, not the negative part WᵀV."),
                _eq(CH06, "eq-step-H"), lambda p: p["H"] / (p["W"].T @ p["V"])),
        Mistake("missing-transpose", tr("a missing transpose (H / (WWᵀH) or H / (WWH))"),
                tr("WᵀW is the r×r Gram matrix of the columns of W."), _eq(CH06, "eq-step-H"),
                lambda p: p["H"] / (p["W"] @ p["W"] @ p["H"])),
        Mistake("matrix-product", tr("slide 13's matrix product (H @ … instead of H ∘ …)"),
                tr("the step size is an entrywise quotient; a matrix product has the wrong shape, or wrong numbers "
                   "when the shapes happen to fit."), f"{ERRATA}#slide-13-tamanho-do-passo",
                lambda p: p["H"] @ (1 / (p["W"].T @ p["W"] @ p["H"]))),
    ),
)


def _mu_magnitude(X, R):
    """M for a multiplicative update X → R: 2X + R covers X − α∘∇f written out (the cancellation)."""
    return 2 * np.abs(X) + np.abs(R)


UPDATE_H = Exercise(
    name="update_H", formula="H ∘ WᵀV / (WᵀWH)", where=_eq(CH06, "eq-mu-H"), args=("V", "W", "H"),
    output="H", reference=lambda p: updates.update_H(p["V"], p["W"], p["H"]),
    magnitude=lambda p: _mu_magnitude(p["H"], _mu_H(p["V"], p["W"], p["H"])),
    problems=_matrix_problems, sparse=True, probe_mn=True,
    mistakes=(
        Mistake("plus-Wtv", tr("the slide-25 line with + Wᵀv"),
                tr("H − α_H ∘ (WᵀWH + WᵀV) simplifies to −H ∘ WᵀV / (WᵀWH), negative; the gradient has − WᵀV."),
                f"{ERRATA}#slide-25-tamanho-do-passo", lambda p: -_mu_H(p["V"], p["W"], p["H"])),
        Mistake("swapped", tr("numerator and denominator swapped (H ∘ WᵀWH / (WᵀV))"),
                tr("the data WᵀV is on top: where WH is too small, the ratio is > 1 and H grows."),
                _eq(CH06, "eq-mu-H"), lambda p: p["H"] * (p["W"].T @ p["W"] @ p["H"]) / (p["W"].T @ p["V"])),
        Mistake("no-H", tr("the factor H left out (WᵀV / (WᵀWH))"),
                tr("the update multiplies the current H by the ratio; the ratio alone forgets where H was."),
                _eq(CH06, "eq-mu-H"), lambda p: (p["W"].T @ p["V"]) / (p["W"].T @ p["W"] @ p["H"])),
        Mistake("missing-transpose", tr("a missing transpose (W in place of Wᵀ)"),
                tr("WᵀV and WᵀW: the r×m matrix Wᵀ multiplies V and W from the left."), _eq(CH06, "eq-mu-H"),
                lambda p: p["H"] * (p["W"] @ p["V"]) / (p["W"] @ p["W"] @ p["H"])),
        Mistake("ascent", tr("a gradient step with the sign flipped (H + α_H ∘ ∇_H f)"),
                tr("a step goes against the gradient, H − α_H ∘ ∇_H f; with + it climbs: H ∘ (2 − WᵀV / (WᵀWH))."),
                _eq(CH06, "eq-mu-H-derivation"),
                lambda p: p["H"] * (2 - (p["W"].T @ p["V"]) / (p["W"].T @ p["W"] @ p["H"]))),
        Mistake("matrix-product", tr("slide 13's matrix product (H @ ratio, not H ∘ ratio)"),
                tr("the update multiplies entry by entry; a matrix product has the wrong shape, or wrong numbers "
                   "when the shapes happen to fit."), f"{ERRATA}#slide-13-tamanho-do-passo",
                lambda p: p["H"] @ ((p["W"].T @ p["V"]) / (p["W"].T @ p["W"] @ p["H"]))),
        Mistake("W-update", tr("the W update in place of the H update"),
                tr("W ∘ VHᵀ / (WHHᵀ) updates W (m×r); H ∘ WᵀV / (WᵀWH) updates H (r×n)."),
                _eq(CH06, "eq-mu-W"), lambda p: _mu_W(p["V"], p["W"], p["H"])),
    ),
)

UPDATE_W = Exercise(
    name="update_W", formula="W ∘ VHᵀ / (WHHᵀ)", where=_eq(CH06, "eq-mu-W"), args=("V", "W", "H"),
    output="W", reference=lambda p: updates.update_W(p["V"], p["W"], p["H"]),
    magnitude=lambda p: _mu_magnitude(p["W"], _mu_W(p["V"], p["W"], p["H"])),
    problems=_matrix_problems, probe_mn=True,
    mistakes=(
        Mistake("minus-VHt-sign", tr("the + sign of slide 25, written for W (W − α_W ∘ (WHHᵀ + VHᵀ))"),
                tr("it simplifies to −W ∘ VHᵀ / (WHHᵀ), negative; the gradient has − VHᵀ."),
                f"{ERRATA}#slide-25-tamanho-do-passo", lambda p: -_mu_W(p["V"], p["W"], p["H"])),
        Mistake("swapped", tr("numerator and denominator swapped (W ∘ WHHᵀ / (VHᵀ))"),
                tr("the data VHᵀ is on top: where WH is too small, the ratio is > 1 and W grows."),
                _eq(CH06, "eq-mu-W"), lambda p: p["W"] * (p["W"] @ p["H"] @ p["H"].T) / (p["V"] @ p["H"].T)),
        Mistake("no-W", tr("the factor W left out (VHᵀ / (WHHᵀ))"),
                tr("the update multiplies the current W by the ratio."), _eq(CH06, "eq-mu-W"),
                lambda p: (p["V"] @ p["H"].T) / (p["W"] @ p["H"] @ p["H"].T)),
        Mistake("missing-transpose", tr("a missing transpose (H in place of Hᵀ)"),
                tr("VHᵀ and HHᵀ: the n×r matrix Hᵀ multiplies from the right."), _eq(CH06, "eq-mu-W"),
                lambda p: p["W"] * (p["V"] @ p["H"]) / (p["W"] @ p["H"] @ p["H"])),
        Mistake("matrix-product", tr("slide 13's matrix product (W @ ratio, not W ∘ ratio)"),
                tr("the update multiplies entry by entry; a matrix product has the wrong shape, or wrong numbers "
                   "when the shapes happen to fit."), f"{ERRATA}#slide-13-tamanho-do-passo",
                lambda p: p["W"] @ ((p["V"] @ p["H"].T) / (p["W"] @ p["H"] @ p["H"].T))),
        Mistake("H-update", tr("the H update in place of the W update"),
                tr("H ∘ WᵀV / (WᵀWH) updates H (r×n); W ∘ VHᵀ / (WHHᵀ) updates W (m×r)."),
                _eq(CH06, "eq-mu-H"), lambda p: _mu_H(p["V"], p["W"], p["H"])),
    ),
)


def _iteration(p):
    V, W, H = p["V"], p["W"], p["H"]
    W_new = _mu_W(V, W, H)
    return W_new, _mu_H(V, W_new, H)


def _package_iteration(p):
    """One iteration of the package: ``update_W``, then ``update_H`` with the new W."""
    W_new = updates.update_W(p["V"], p["W"], p["H"])
    return W_new, updates.update_H(p["V"], W_new, p["H"])


def _iteration_magnitude(p):
    W_new, H_new = _iteration(p)
    return _mu_magnitude(p["W"], W_new), _mu_magnitude(p["H"], H_new)


ITERATION = Exercise(
    name="iteration", formula=tr("W ← W ∘ VHᵀ/(WHHᵀ), then H ← H ∘ WᵀV/(WᵀWH) with the new W"),
    where=_eq(CH06, "eq-mu-alternating"), args=("V", "W", "H"), output=("W", "H"),
    reference=_package_iteration, magnitude=_iteration_magnitude, problems=_matrix_problems,
    mistakes=(
        Mistake("old-W", tr("slide 14's W⁽ᵏ⁾ in the H update"),
                tr("slide 6 alternates: H is updated with the new W⁽ᵏ⁺¹⁾; with the old one both move at once, "
                   "a scheme the theorem does not cover."), f"{ERRATA}#slide-14-formula-de-atualizacao",
                lambda p: (_mu_W(p["V"], p["W"], p["H"]), _mu_H(p["V"], p["W"], p["H"]))),
        Mistake("H-first", tr("H updated first, then W with the new H"),
                tr("one iteration of the lecture updates W first (slide 6), then H with the new W."),
                _eq(CH06, "eq-mu-alternating"),
                lambda p: (_mu_W(p["V"], p["W"], _mu_H(p["V"], p["W"], p["H"])), _mu_H(p["V"], p["W"], p["H"]))),
        Mistake("plus-Wtv", tr("the slide-25 sign (+ WᵀV) in the H update"),
                tr("H − α_H ∘ (WᵀWH + WᵀV) is −H ∘ WᵀV / (WᵀWH), negative."),
                f"{ERRATA}#slide-25-tamanho-do-passo",
                lambda p: (_iteration(p)[0], -_iteration(p)[1])),
        Mistake("swapped-H", tr("numerator and denominator swapped in the H update"),
                tr("the data WᵀV is on top."), _eq(CH06, "eq-mu-H"),
                lambda p: (_iteration(p)[0], p["H"] * (_iteration(p)[0].T @ _iteration(p)[0] @ p["H"])
                           / (_iteration(p)[0].T @ p["V"]))),
        Mistake("swapped-W", tr("numerator and denominator swapped in the W update"),
                tr("the data VHᵀ is on top."), _eq(CH06, "eq-mu-W"),
                lambda p: (lambda W1: (W1, _mu_H(p["V"], W1, p["H"])))(
                    p["W"] * (p["W"] @ p["H"] @ p["H"].T) / (p["V"] @ p["H"].T))),
        Mistake("H-unchanged", tr("H left as it was (only W updated)"),
                tr("one iteration updates both factors."), _eq(CH06, "eq-mu-alternating"),
                lambda p: (_mu_W(p["V"], p["W"], p["H"]), p["H"])),
    ),
)


# --- chapter 03: the projected gradient step ------------------------------

PROJECTED_STEP_H = Exercise(
    name="projected_step_H", formula="max(0, H − α Wᵀ(WH − V))", where=_eq(CH03, "eq-agd-projected"),
    args=("V", "W", "H", "alpha"), output="H",
    reference=lambda p: updates.projected_gradient_step_H(p["V"], p["W"], p["H"], p["alpha"]),
    magnitude=lambda p: p["H"] + p["alpha"] * (p["W"].T @ (p["W"] @ p["H"] + p["V"])),
    problems=_step_problems,
    mistakes=(
        Mistake("no-projection", tr("the projection left out (H − α∇_H f)"),
                tr("a fixed step can make entries negative; max(0, ·) puts them back on the boundary."),
                _eq(CH03, "eq-agd-projected"),
                lambda p: p["H"] - p["alpha"] * _grad_H(p)),
        Mistake("ascent", tr("the step taken uphill (max(0, H + α∇_H f))"),
                tr("gradient descent subtracts the gradient."), _eq(CH03, "eq-agd-step"),
                lambda p: np.maximum(p["H"] + p["alpha"] * _grad_H(p), 0)),
        Mistake("abs", tr("|H − α∇_H f| in place of max(0, ·)"),
                tr("the projection onto H ≥ 0 sets negative entries to 0; it does not flip their sign."),
                _eq(CH03, "eq-agd-projected"), lambda p: np.abs(p["H"] - p["alpha"] * _grad_H(p))),
        Mistake("other-gradient", tr("the gradient in W, (WH − V)Hᵀ, in the step for H"),
                tr("the step for H uses ∇_H f = Wᵀ(WH − V)."), _eq(CH05, "eq-grad-H"),
                lambda p: np.maximum(p["H"] - p["alpha"] * _grad_W(p), 0)),
        Mistake("factor-2", tr("a factor 2 on the gradient (max(0, H − 2αWᵀ(WH − V)))"),
                tr("the ½ of f cancels the 2 of the derivative."), _eq(CH05, "eq-grad-H"),
                lambda p: np.maximum(p["H"] - 2 * p["alpha"] * _grad_H(p), 0)),
    ),
)


# --- chapter 04: a trace identity ------------------------------------------

GRAD_TR_XTAX = Exercise(
    name="grad_tr_XtAX", formula="∇_X tr(XᵀAX) = (A + Aᵀ)X", where=_eq(CH04, "eq-tr-4"), args=("A", "X"),
    output="∇_X", reference=lambda p: calculus.grad_tr_XtAX(p["A"], p["X"]),
    magnitude=lambda p: (2 * np.abs(p["A"])) @ np.abs(p["X"]) + np.abs(p["A"]).T @ np.abs(p["X"]),
    problems=_trace_problems, covers=tr("square and not, A not symmetric, X of any sign, scales 1e-3 to 1e3"),
    mistakes=(
        Mistake("symmetric", tr("2AX, which holds only for a symmetric A"),
                tr("A need not be symmetric: each of the two X's in XᵀAX gives a term, AX and AᵀX."),
                _eq(CH04, "eq-tr-4"), lambda p: 2 * p["A"] @ p["X"]),
        Mistake("one-term", tr("AX alone (one of the two X's forgotten)"),
                tr("X appears twice in XᵀAX; the product rule gives a term for each."), _eq(CH04, "eq-tr-4"),
                lambda p: p["A"] @ p["X"]),
        Mistake("At-only", tr("AᵀX alone (one of the two X's forgotten)"),
                tr("X appears twice in XᵀAX; the product rule gives a term for each."), _eq(CH04, "eq-tr-4"),
                lambda p: p["A"].T @ p["X"]),
        Mistake("right-side", tr("X(A + Aᵀ), base property 4's form, for tr(XAXᵀ)"),
                tr("for tr(XᵀAX) the matrix A multiplies X from the left."), _eq(CH04, "eq-base-4"),
                lambda p: p["X"] @ (p["A"] + p["A"].T)),
        Mistake("transposed-X", tr("(A + Aᵀ)Xᵀ: the gradient with the shape of Xᵀ"),
                tr("the gradient has the shape of X."), _eq(CH04, "eq-mc-gradient"),
                lambda p: (p["A"] + p["A"].T) @ p["X"].T),
    ),
)


# --- chapter 07: the column problem -----------------------------------------

def _K(p):
    W, h_k = p["W"], p["h_k"]
    return np.diag(W.T @ (W @ h_k) / h_k)


def _G(p, K=None):
    W, v, h_k, h = p["W"], p["v"], p["h_k"], p["h"]
    K = _K(p) if K is None else K
    r_k = W @ h_k - v
    d = h - h_k
    return float(0.5 * r_k @ r_k + (W.T @ r_k) @ d + 0.5 * d @ K @ d)


def _G_magnitude(p):
    W, v, h_k, h = p["W"], p["v"], p["h_k"], p["h"]
    d = np.abs(h - h_k)
    WtW = W.T @ W
    direct = 0.5 * np.sum((W @ h_k + v) ** 2) + (WtW @ h_k + W.T @ v) @ d + 0.5 * d @ _K(p) @ d
    via_F = 0.5 * np.sum((W @ np.abs(h) + v) ** 2) + 0.5 * d @ (_K(p) + WtW) @ d
    return float(direct + via_F)


def _argmin_G(p):
    W, v, h_k = p["W"], p["v"], p["h_k"]
    return h_k * (W.T @ v) / (W.T @ (W @ h_k))


K_EXERCISE = Exercise(
    name="K", formula="K(hᵏ) = Diag([WᵀWhᵏ]_a / hᵏ_a)", where=_eq(CH07, "eq-07-K"), args=("W", "h_k"),
    output="K", reference=lambda p: auxiliary.K_matrix(p["W"], p["h_k"]),
    magnitude=lambda p: np.abs(_K(p)) + np.max(np.abs(_K(p))) * (1 - np.eye(p["h_k"].size)),
    problems=_column_problems, covers=tr("square W and not, scales 1e-3 to 1e3, zero entries in W and v, hᵏ > 0"),
    mistakes=(
        Mistake("jacobi", tr("the Jacobi diagonal Diag(WᵀW)"),
                tr("Diag(WᵀW) is not always ⪰ WᵀW; the lecture's K weighs the rows of WᵀW by hᵏ_b / hᵏ_a."),
                _eq(CH07, "eq-07-K"), lambda p: np.diag(np.diag(p["W"].T @ p["W"]))),
        Mistake("hessian", tr("the Hessian WᵀW itself"),
                tr("with K = WᵀW, G is F again: the point of K is to be diagonal, so that G is easy to minimize."),
                _eq(CH07, "eq-07-G"), lambda p: p["W"].T @ p["W"]),
        Mistake("inverse", tr("K⁻¹ = Diag(hᵏ_a / [WᵀWhᵏ]_a) in place of K"),
                tr("K divides WᵀWhᵏ by hᵏ; its inverse is the step size of the update."), _eq(CH07, "eq-07-argmin"),
                lambda p: np.diag(p["h_k"] / (p["W"].T @ p["W"] @ p["h_k"]))),
        Mistake("no-division", tr("Diag(WᵀWhᵏ), without the division by hᵏ"),
                tr("each diagonal entry is [WᵀWhᵏ]_a divided by hᵏ_a."), _eq(CH07, "eq-07-K"),
                lambda p: np.diag(p["W"].T @ p["W"] @ p["h_k"])),
        Mistake("slide21", tr("slide 21's y₁/x₁ repeated on the diagonal"),
                tr("the a-th diagonal entry is y_a / x_a, with y = WᵀWhᵏ and x = hᵏ."),
                f"{ERRATA}#slide-21-definicao-de-g",
                lambda p: np.eye(p["h_k"].size) * (p["W"].T @ p["W"] @ p["h_k"])[0] / p["h_k"][0]),
        Mistake("row-sums", tr("Diag(WᵀW 1), the row sums of WᵀW"),
                tr("that diagonal also lies above WᵀW (Gershgorin), but it is not the lecture's K, whose "
                   "minimizer is the multiplicative update."), _eq(CH07, "eq-07-K"),
                lambda p: np.diag((p["W"].T @ p["W"]).sum(axis=1))),
    ),
)

G_EXERCISE = Exercise(
    name="G", formula="G(h | hᵏ) = f(hᵏ) + ∇f(hᵏ)ᵀ(h − hᵏ) + ½(h − hᵏ)ᵀK(hᵏ)(h − hᵏ)",
    where=_eq(CH07, "eq-07-G"), args=("W", "v", "h_k", "h"), output="G",
    reference=lambda p: auxiliary.auxiliary_G(p["W"], p["v"], p["h_k"], p["h"]),
    magnitude=_G_magnitude, problems=lambda: _column_problems(with_h=True), scalar=True,
    covers=tr("square W and not, scales 1e-3 to 1e3, zero entries in W and v, hᵏ > 0"),
    mistakes=(
        Mistake("hessian", tr("WᵀW in place of K (that is F, not G)"),
                tr("with the Hessian, the expansion is exact: F. G replaces WᵀW by the diagonal K ⪰ WᵀW."),
                _eq(CH07, "eq-07-taylor"), lambda p: _G(p, K=p["W"].T @ p["W"])),
        Mistake("jacobi", tr("the Jacobi diagonal Diag(WᵀW) in place of K"),
                tr("the lecture's K is Diag([WᵀWhᵏ]_a / hᵏ_a)."), _eq(CH07, "eq-07-K"),
                lambda p: _G(p, K=np.diag(np.diag(p["W"].T @ p["W"])))),
        Mistake("no-half", tr("the ½ of the quadratic term left out"),
                tr("a second-order Taylor term is ½ dᵀKd."), _eq(CH07, "eq-07-G"),
                lambda p: _G(p, K=2 * _K(p))),
        Mistake("gradient-sign", tr("the gradient with the wrong sign (Wᵀv − WᵀWhᵏ)"),
                tr("∇f(hᵏ) = WᵀWhᵏ − Wᵀv, the derivative of ½‖Wh − v‖²."), _eq(CH07, "eq-07-gradient"),
                lambda p: _G(p) - 2 * float((p["W"].T @ (p["W"] @ p["h_k"] - p["v"])) @ (p["h"] - p["h_k"]))),
        Mistake("minus-vtv", tr("slide 19's − vᵀv in f(hᵏ)"),
                tr("½‖Whᵏ − v‖² expands to ½(hᵏᵀWᵀWhᵏ − 2hᵏᵀWᵀv + vᵀv): + vᵀv."),
                f"{ERRATA}#slide-19-definicao-de-g", lambda p: _G(p) - float(p["v"] @ p["v"])),
        Mistake("f-no-half", tr("f(hᵏ) without its ½ (‖Whᵏ − v‖²)"),
                "f(h) = ½‖Wh − v‖².", _eq(CH07, "eq-07-column-objective"),
                lambda p: _G(p) + 0.5 * float(np.sum((p["W"] @ p["h_k"] - p["v"]) ** 2))),
    ),
)

ARGMIN_G = Exercise(
    name="argmin_G", formula="hᵏ − K⁻¹∇f(hᵏ) = hᵏ ∘ Wᵀv / (WᵀWhᵏ)", where=_eq(CH07, "eq-07-argmin"),
    args=("W", "v", "h_k"), output="h", reference=lambda p: auxiliary.argmin_G(p["W"], p["v"], p["h_k"]),
    magnitude=lambda p: 2 * p["h_k"] + _argmin_G(p), problems=_column_problems,
    covers=tr("square W and not, scales 1e-3 to 1e3, zero entries in W and v, hᵏ > 0"),
    mistakes=(
        Mistake("plus-Wtv", tr("the slide-25 line with + Wᵀv"),
                tr("hᵏ − K⁻¹(WᵀWhᵏ + Wᵀv) simplifies to −hᵏ ∘ Wᵀv / (WᵀWhᵏ), negative; the gradient has − Wᵀv."),
                f"{ERRATA}#slide-25-tamanho-do-passo", lambda p: -_argmin_G(p)),
        Mistake("K-not-inverse", tr("K in place of K⁻¹ (hᵏ − K∇f(hᵏ))"),
                tr("setting ∇f(hᵏ) + K(h − hᵏ) = 0 gives h = hᵏ − K⁻¹∇f(hᵏ)."), _eq(CH07, "eq-07-grad-G"),
                lambda p: p["h_k"] - np.diag(_K(p)) * (p["W"].T @ (p["W"] @ p["h_k"] - p["v"]))),
        Mistake("jacobi", tr("the Jacobi diagonal Diag(WᵀW) in place of K"),
                tr("with Diag(WᵀW) the step is not the multiplicative update (and may break h ≥ 0)."),
                _eq(CH07, "eq-07-K"),
                lambda p: p["h_k"] - (p["W"].T @ (p["W"] @ p["h_k"] - p["v"])) / np.diag(p["W"].T @ p["W"])),
        Mistake("swapped", tr("numerator and denominator swapped (hᵏ ∘ WᵀWhᵏ / (Wᵀv))"),
                tr("the data Wᵀv is on top."), _eq(CH07, "eq-07-mu-derivation"),
                lambda p: p["h_k"] * (p["W"].T @ p["W"] @ p["h_k"]) / (p["W"].T @ p["v"])),
        Mistake("ascent", tr("the step taken uphill (hᵏ + K⁻¹∇f(hᵏ))"),
                tr("the minimizer of G moves against the gradient."), _eq(CH07, "eq-07-argmin"),
                lambda p: 2 * p["h_k"] - _argmin_G(p)),
        Mistake("newton", tr("the Hessian's inverse, (WᵀW)⁻¹, in place of K⁻¹"),
                tr("that minimizes F itself (a least-squares solve), not G, and may leave h ≥ 0."),
                _eq(CH07, "eq-07-taylor"),
                lambda p: np.linalg.solve(p["W"].T @ p["W"], p["W"].T @ p["v"])),
    ),
)


# --- chapter 10: the KL updates ----------------------------------------------

def _kl_H(p):
    V, W, H = p["V"], p["W"], p["H"]
    return H * (W.T @ (V / (W @ H))) / W.sum(axis=0)[:, None]


def _kl_W(p):
    V, W, H = p["V"], p["W"], p["H"]
    return W * ((V / (W @ H)) @ H.T) / H.sum(axis=1)[None, :]


KL_UPDATE_H = Exercise(
    name="kl_update_H", formula="H ∘ Wᵀ(V / WH) / (Wᵀ1)", where=_eq(CH10, "eq-10-kl-mu"), args=("V", "W", "H"),
    output="H", reference=lambda p: kl.kl_update_H(p["V"], p["W"], p["H"]),
    magnitude=_kl_H, problems=_matrix_problems,
    mistakes=(
        Mistake("no-normalisation", tr("the normalisation Σ_k W_ka dropped (H ∘ Wᵀ(V / WH))"),
                tr("the denominator Σ_k W_ka comes from the term Σ_ia W_ia h_a of G; without it the update is "
                   "not the minimizer of G."), _eq(CH10, "eq-10-kl-mu"),
                lambda p: p["H"] * (p["W"].T @ (p["V"] / (p["W"] @ p["H"])))),
        Mistake("frobenius", tr("the Frobenius update H ∘ WᵀV / (WᵀWH)"),
                tr("that minimizes ½‖V − WH‖², not the divergence D(V‖WH)."), _eq(CH06, "eq-mu-H"),
                lambda p: _mu_H(p["V"], p["W"], p["H"])),
        Mistake("ratio-inverted", tr("the ratio upside down (WH / V)"),
                tr("the ratio is V_iμ / [WH]_iμ: where WH is too small, it pushes H up."), _eq(CH10, "eq-10-kl-mu"),
                lambda p: p["H"] * (p["W"].T @ ((p["W"] @ p["H"]) / p["V"])) / p["W"].sum(axis=0)[:, None]),
        Mistake("total-sum", tr("normalised by the sum of all of W (ΣW)"),
                tr("each row a of H is divided by the sum of its own column of W, Σ_k W_ka."),
                _eq(CH10, "eq-10-kl-mu"),
                lambda p: p["H"] * (p["W"].T @ (p["V"] / (p["W"] @ p["H"]))) / p["W"].sum()),
        Mistake("W-normaliser", tr("normalised by the sums of H (Σ_ν H_aν, the W update's denominator)"),
                tr("the H update divides by the column sums of W, Σ_k W_ka."), _eq(CH10, "eq-10-kl-mu"),
                lambda p: p["H"] * (p["W"].T @ (p["V"] / (p["W"] @ p["H"]))) / p["H"].sum(axis=1)[:, None]),
        Mistake("missing-transpose", tr("a missing transpose (W in place of Wᵀ)"),
                tr("Σ_i W_ia (V/WH)_iμ is [Wᵀ(V/WH)]_aμ."), _eq(CH10, "eq-10-kl-mu"),
                lambda p: p["H"] * (p["W"] @ (p["V"] / (p["W"] @ p["H"]))) / p["W"].sum(axis=0)[:, None]),
    ),
)

KL_UPDATE_W = Exercise(
    name="kl_update_W", formula="W ∘ (V / WH)Hᵀ / (1Hᵀ)", where=_eq(CH10, "eq-10-kl-mu"), args=("V", "W", "H"),
    output="W", reference=lambda p: kl.kl_update_W(p["V"], p["W"], p["H"]),
    magnitude=_kl_W, problems=_matrix_problems,
    mistakes=(
        Mistake("no-normalisation", tr("the normalisation Σ_ν H_aν dropped (W ∘ (V / WH)Hᵀ)"),
                tr("without the denominator the update is not the minimizer of the auxiliary function."),
                _eq(CH10, "eq-10-kl-mu"), lambda p: p["W"] * ((p["V"] / (p["W"] @ p["H"])) @ p["H"].T)),
        Mistake("frobenius", tr("the Frobenius update W ∘ VHᵀ / (WHHᵀ)"),
                tr("that minimizes ½‖V − WH‖², not the divergence D(V‖WH)."), _eq(CH06, "eq-mu-W"),
                lambda p: _mu_W(p["V"], p["W"], p["H"])),
        Mistake("ratio-inverted", tr("the ratio upside down (WH / V)"),
                tr("the ratio is V_iμ / [WH]_iμ."), _eq(CH10, "eq-10-kl-mu"),
                lambda p: p["W"] * (((p["W"] @ p["H"]) / p["V"]) @ p["H"].T) / p["H"].sum(axis=1)[None, :]),
        Mistake("total-sum", tr("normalised by the sum of all of H (ΣH)"),
                tr("each column a of W is divided by the sum of its own row of H, Σ_ν H_aν."),
                _eq(CH10, "eq-10-kl-mu"),
                lambda p: p["W"] * ((p["V"] / (p["W"] @ p["H"])) @ p["H"].T) / p["H"].sum()),
        Mistake("H-normaliser", tr("normalised by the sums of W (Σ_k W_ka, the H update's denominator)"),
                tr("the W update divides by the row sums of H, Σ_ν H_aν."), _eq(CH10, "eq-10-kl-mu"),
                lambda p: p["W"] * ((p["V"] / (p["W"] @ p["H"])) @ p["H"].T) / p["W"].sum(axis=0)[None, :]),
    ),
)


EXERCISES = {e.name: e for e in (OBJECTIVE, GRADIENT_W, GRADIENT_H, STEP_SIZE_W, STEP_SIZE_H, UPDATE_W, UPDATE_H,
                                 ITERATION, PROJECTED_STEP_H, GRAD_TR_XTAX, K_EXERCISE, G_EXERCISE, ARGMIN_G,
                                 KL_UPDATE_H, KL_UPDATE_W)}


# ---------------------------------------------------------------------------
# The checkers
# ---------------------------------------------------------------------------

def check_objective(objective):
    r"""Check ``objective(V, W, H)`` against :math:`f = \frac12\|V - WH\|_F^2` (a number; chapter 05)."""
    return _check(OBJECTIVE, objective)


def check_gradient_W(gradient_W):
    r"""Check ``gradient_W(V, W, H)`` against :math:`\nabla_W f = (WH - V)H^T` (chapter 05)."""
    return _check(GRADIENT_W, gradient_W)


def check_gradient_H(gradient_H):
    r"""Check ``gradient_H(V, W, H)`` against :math:`\nabla_H f = W^T(WH - V)` (chapter 05)."""
    return _check(GRADIENT_H, gradient_H)


def check_step_size_W(step_size_W):
    r"""Check ``step_size_W(V, W, H)`` against the Lee–Seung :math:`\alpha_W = W / (WHH^T)` (chapter 06)."""
    return _check(STEP_SIZE_W, step_size_W)


def check_step_size_H(step_size_H):
    r"""Check ``step_size_H(V, W, H)`` against the Lee–Seung :math:`\alpha_H = H / (W^TWH)` (chapter 06)."""
    return _check(STEP_SIZE_H, step_size_H)


def check_update_W(update_W):
    r"""Check ``update_W(V, W, H)`` against :math:`W \circ VH^T / (WHH^T)` (chapter 06)."""
    return _check(UPDATE_W, update_W)


def check_update_H(update_H):
    r"""Check ``update_H(V, W, H)`` against :math:`H \circ W^TV / (W^TWH)` (chapter 06).

    Example
    -------
    >>> def my_update_H(V, W, H):
    ...     return H * (W.T @ V) / (W.T @ W @ H)
    >>> check_update_H(my_update_H).passed
    True
    """
    return _check(UPDATE_H, update_H)


def check_iteration(iteration):
    r"""Check ``iteration(V, W, H) -> (W_new, H_new)``: W first, then H with the new W (chapter 06)."""
    return _check(ITERATION, iteration)


def check_projected_step_H(projected_step_H):
    r"""Check ``projected_step_H(V, W, H, alpha)`` against :math:`\max(0, H - \alpha\nabla_H f)` (chapter 03).

    The step size of the problems is ``1.5 / λ_max(WᵀW)``: large enough that
    the plain step makes entries negative, so a missing projection shows.
    """
    return _check(PROJECTED_STEP_H, projected_step_H)


def check_grad_tr_XtAX(grad_tr_XtAX):
    r"""Check ``grad_tr_XtAX(A, X)`` against :math:`\nabla_X \operatorname{tr}(X^TAX) = (A + A^T)X` (chapter 04).

    The problems use a square A that is *not* symmetric, and X of any sign.
    """
    return _check(GRAD_TR_XTAX, grad_tr_XtAX)


def check_K(K):
    r"""Check ``K(W, h_k)`` against :math:`K(h^k) = \operatorname{Diag}([W^TWh^k]_a / h^k_a)`, r×r (chapter 07)."""
    return _check(K_EXERCISE, K)


def check_G(G):
    r"""Check ``G(W, v, h_k, h)`` against the auxiliary function :math:`G(h \mid h^k)` (a number; chapter 07)."""
    return _check(G_EXERCISE, G)


def check_argmin_G(argmin_G):
    r"""Check ``argmin_G(W, v, h_k)`` against :math:`h^k - K^{-1}\nabla f(h^k)` (chapter 07)."""
    return _check(ARGMIN_G, argmin_G)


def check_kl_update_H(kl_update_H):
    r"""Check ``kl_update_H(V, W, H)`` against the KL update of H (chapter 10, ``eq-10-kl-mu``)."""
    return _check(KL_UPDATE_H, kl_update_H)


def check_kl_update_W(kl_update_W):
    r"""Check ``kl_update_W(V, W, H)`` against the KL update of W (chapter 10, ``eq-10-kl-mu``)."""
    return _check(KL_UPDATE_W, kl_update_W)
