"""nmf_teach.messages: the printed sentences in the book's language, with the same numbers."""

import pytest

from nmf_teach import messages
from nmf_teach.messages import read_po, say, set_language, template_fields, tr

PO = r'''# a comment
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"

#: 01.ipynb
msgid "The gap is {gap:.1e}."
msgstr "A diferença é {gap:.1e}."

#, fuzzy
msgid "rank r"
msgstr "posto errado"

msgid ""
"Two lines:\n"
"{x} and \"quoted\" {y!r:>6}"
msgstr ""
"Duas linhas:\n"
"{x} e \"citado\" {y!r:>6}"

msgid "iteration k"
msgstr ""
'''


@pytest.fixture
def catalog(tmp_path, monkeypatch):
    """A small pt_BR catalog in place of the package's, and the language set to it for the test."""
    (tmp_path / "pt_BR.po").write_text(PO, encoding="utf-8")
    monkeypatch.setattr(messages, "LOCALES", tmp_path)
    monkeypatch.setattr(messages, "_catalogs", {})
    monkeypatch.setattr(messages, "_language", None)
    yield tmp_path
    monkeypatch.setattr(messages, "_language", None)


def test_read_po_reads_continued_strings_escapes_and_the_fuzzy_flag(catalog):
    entries = read_po(catalog / "pt_BR.po")
    assert entries["The gap is {gap:.1e}."] == ("A diferença é {gap:.1e}.", False)
    assert entries["rank r"] == ("posto errado", True)
    assert entries['Two lines:\n{x} and "quoted" {y!r:>6}'] == ('Duas linhas:\n{x} e "citado" {y!r:>6}', False)
    assert entries["iteration k"] == ("", False)
    assert "" not in entries, "the header is not a message"


def test_say_in_english_prints_what_the_f_string_prints(catalog, capsys):
    set_language("en")
    gap, x, y = 1.234e-5, [1, 2], "s"
    say("The gap is {gap:.1e}.")
    say('Two lines:\n{x} and "quoted" {y!r:>6}')
    say("A long sentence of many words that wraps at twenty characters, {gap:.2f}.", width=20)
    printed = capsys.readouterr().out
    expected = (f"The gap is {gap:.1e}.\n" + f'Two lines:\n{x} and "quoted" {y!r:>6}\n'
                + "A long sentence of\nmany words that\nwraps at twenty\ncharacters, 0.00.\n")
    assert printed == expected


def test_say_in_portuguese_prints_the_translation_with_the_same_numbers(catalog, capsys):
    set_language("pt")
    gap, x, y = 1.234e-5, [1, 2], "s"
    say("The gap is {gap:.1e}.")
    say('Two lines:\n{x} and "quoted" {y!r:>6}')
    assert capsys.readouterr().out == f"A diferença é {gap:.1e}.\n" + f'Duas linhas:\n{x} e "citado" {y!r:>6}\n'


def test_fuzzy_and_empty_entries_are_not_used(catalog):
    set_language("pt_BR")
    assert tr("rank r") == "rank r"          # fuzzy: a translation nobody confirmed is not printed
    assert tr("iteration k") == "iteration k"
    assert tr("not in the catalog") == "not in the catalog"


def test_say_evaluates_in_the_callers_namespace(catalog, capsys):
    set_language("en")

    def inner():
        local_value = 3  # noqa: F841 (read by the template)
        say("local {local_value * 2}, {len('abc')}")

    inner()
    assert capsys.readouterr().out == "local 6, 3\n"


def test_the_language_comes_from_the_environment(catalog, monkeypatch):
    monkeypatch.setenv("NMF_TEACH_LANG", "pt_BR")
    assert messages.language() == "pt_BR"
    assert tr("The gap is {gap:.1e}.") == "A diferença é {gap:.1e}."
    monkeypatch.setattr(messages, "_language", None)
    monkeypatch.setenv("NMF_TEACH_LANG", "en_US.UTF-8")
    assert messages.language() == "en"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="en or pt_BR, not 'fr'"):
        set_language("fr")


def test_template_fields_name_each_value_and_its_format():
    assert template_fields("a {x:.1e} b {f(y)!r} {{literal}} {z:{w}}") == [
        ("x", -1, "f'.1e'"), ("f(y)", 114, ""), ("z", -1, "f'{w}'")]
    assert template_fields("no fields") == []
    # a translation that dropped or changed a value is told apart
    assert template_fields("{gap:.1e}") != template_fields("{gap:.2e}")
