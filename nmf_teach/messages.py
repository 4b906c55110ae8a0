"""The sentences the chapters print and the words on their figures, in the book's language.

The book has two editions built from the same notebooks: English and Brazilian
Portuguese. A check cell prints its result with :func:`say`, whose template is
an f-string without the ``f``::

    say("The two sides differ by {gap:.0e}, within the rounding bound {tol:.0e}.")

In the English edition this prints exactly what
``print(f"The two sides differ by {gap:.0e}, ...")`` would. In the Portuguese
one the template is first replaced by its translation from the catalog
``nmf_teach/locales/pt_BR.po``, which names the same values (``{gap:.0e}``),
so both editions print the same numbers. Words on a figure go through
:func:`tr` (no values in them).

The language is chosen by the environment variable ``NMF_TEACH_LANG``
(``pt_BR``; anything else, or nothing, is English), which the Portuguese
build sets (``make book``); :func:`set_language` changes it in a session.
"""

import ast
import os
import sys
import textwrap
from pathlib import Path

__all__ = ["say", "tr", "set_language", "language", "catalog", "template_fields", "read_po"]

LOCALES = Path(__file__).with_name("locales")
LANGUAGES = ("en", "pt_BR")

_language = None
_catalogs = {}


def read_po(path):
    """The translations of a gettext ``.po`` file as ``{msgid: (msgstr, fuzzy)}`` (the header left out).

    Only what the catalogs of this package use: ``msgid``/``msgstr`` with C-escaped
    strings continued over lines, comments, and the ``#, fuzzy`` flag.
    """
    entries, entry, flags, current = {}, None, "", None
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if line.startswith("#,"):
            flags += line
        elif line.startswith("msgid "):
            if entry is not None and entry[0]:   # the header has msgid ""
                entries[entry[0]] = (entry[1], entry[2])
            entry, flags, current = [ast.literal_eval(line[6:]), "", "fuzzy" in flags], "", 0
        elif line.startswith("msgstr "):
            entry[1], current = ast.literal_eval(line[7:]), 1
        elif line.startswith('"'):
            if current is None:
                raise ValueError(f"{path}, line {number}: a string outside msgid/msgstr")
            entry[current] += ast.literal_eval(line)
        elif not line.startswith("#") and line:
            raise ValueError(f"{path}, line {number}: not a line of a .po file: {line!r}")
    if entry is not None and entry[0]:
        entries[entry[0]] = (entry[1], entry[2])
    return entries


def language():
    """The language the sentences are printed in: ``"en"`` or ``"pt_BR"``."""
    global _language
    if _language is None:
        set_language(os.environ.get("NMF_TEACH_LANG", "en"))
    return _language


def set_language(name):
    """Print the sentences in ``name`` from now on: ``"en"`` or ``"pt_BR"`` (``"pt"``, ``"pt-BR"`` too)."""
    global _language
    name = {"pt": "pt_BR", "pt-BR": "pt_BR", "pt_br": "pt_BR", "": "en", "C": "en"}.get(name, name)
    if name.split("_")[0] == "en":
        name = "en"
    if name not in LANGUAGES:
        raise ValueError(f"the book is printed in {' or '.join(LANGUAGES)}, not {name!r}")
    _language = name


def catalog(name=None):
    """The translations into ``name`` (default: the current language), ``{english: translated}``.

    Entries marked fuzzy or left empty are not used: their English is printed.
    """
    name = name or language()
    if name == "en":
        return {}
    if name not in _catalogs:
        entries = read_po(LOCALES / f"{name}.po")
        _catalogs[name] = {k: v for k, (v, fuzzy) in entries.items() if v and not fuzzy}
    return _catalogs[name]


def tr(text, **values):
    """``text`` in the book's language (a figure's label, a legend, a title).

    With ``values``, the translation is filled in with them as by ``str.format``:
    ``tr("step k = {k}", k=3)`` is ``"step k = 3"`` in English, ``"passo k = 3"`` in Portuguese.
    """
    text = catalog().get(text, text)
    return text.format(**values) if values else text


def _as_fstring(template):
    """Python source of an f-string whose value is ``template`` evaluated as one."""
    body = template.replace("\\", "\\\\")
    for quote in ('"""', "'''"):
        if quote not in body and not body.endswith(quote[0]):
            return "f" + quote + body + quote
    raise ValueError(f"a template cannot contain both kinds of triple quote: {template!r}")


def template_fields(template):
    """The expressions and format specifications of ``template`` read as an f-string, in order.

    A translation must have the same ones as its English (a test checks every catalog entry).
    """
    tree = ast.parse(_as_fstring(template), mode="eval").body
    fields = []
    for part in tree.values if isinstance(tree, ast.JoinedStr) else []:
        if isinstance(part, ast.FormattedValue):
            spec = "" if part.format_spec is None else ast.unparse(part.format_spec)
            fields.append((ast.unparse(part.value), part.conversion, spec))
    return fields


def say(template, width=None):
    """Print ``template``, in the book's language, as an f-string evaluated where ``say`` is called.

    Parameters
    ----------
    template : str
        The English sentence with ``{expression:spec}`` fields, as an f-string without
        its ``f`` (the key of its translation).
    width : int, optional
        Wrap the sentence to this many characters (``textwrap.fill``).
    """
    caller = sys._getframe(1)
    source = _as_fstring(catalog().get(template, template))
    text = eval(compile(source, "<say>", "eval"), caller.f_globals, caller.f_locals)
    if width is not None:
        text = textwrap.fill(text, width=width)
    print(text)
