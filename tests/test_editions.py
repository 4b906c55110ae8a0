"""The two editions (tools/editions.py): every message translated, the twins linked, nothing English left.

The catalogs are checked against the sources (Sphinx's gettext builder, without running the code), so a
paragraph changed in English and not in Portuguese fails here. The built pages are checked in
``_build/html`` (English) and ``_build/html/pt`` (Portuguese), which ``make book`` builds.
"""

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import editions  # noqa: E402

HTML = Path(os.environ.get("NMF_TEACH_HTML", ROOT / "_build" / "html")).resolve()
PT = HTML / editions.TWIN_FOLDER


def _pages(root):
    return sorted(p.relative_to(root).as_posix() for p in (root / "book").glob("*.html"))


def _text(path, code=True):
    """The visible text of a built page (tags dropped, entities decoded); ``code=False``: without the code cells."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    if not code:   # the cells' source, highlighted as Python (their outputs are highlighted otherwise)
        page = re.sub(r'<div class="highlight-ipython3 notranslate"><div class="highlight"><pre>.*?</pre>', " ", page,
                      flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_every_message_of_every_catalog_is_translated_current_and_not_fuzzy():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "editions.py"), "check"],
                          capture_output=True, text=True, timeout=900)
    print(done.stdout)
    assert done.returncode == 0, f"the Portuguese catalogs are incomplete:\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
    counts = re.findall(r"(\d+) of (\d+) (?:messages )?translated, (\d+) fuzzy", done.stdout)
    assert len(counts) == len(list(editions.BOOK_CATALOGS.glob("*.po"))) + 1, "a catalog was not counted"
    assert all(a == b and fuzzy == "0" for a, b, fuzzy in counts)


def test_a_catalog_check_fails_on_a_missing_translation(tmp_path, monkeypatch):
    """The check has teeth: an emptied translation and a changed value are both reported."""
    from babel.messages.pofile import read_po, write_po

    catalog = read_po(editions.CODE_CATALOG.open("rb"))
    messages = [m for m in catalog if m.id and "{" in m.id]
    messages[0].string = ""
    messages[1].string = messages[1].string.replace("}", "!r}", 1)
    with (tmp_path / "pt_BR.po").open("wb") as out:
        write_po(out, catalog, width=0)
    monkeypatch.setattr(editions, "CODE_CATALOG", tmp_path / "pt_BR.po")
    monkeypatch.setattr(editions, "book_templates", lambda: {})
    monkeypatch.setattr(editions, "BOOK_CATALOGS", tmp_path / "none")
    problems = editions.check()
    assert any("not translated" in p for p in problems)
    assert any("does not print the same values" in p for p in problems)


def test_twin_addresses():
    page = "book/01_nonnegative_matrices"
    assert editions.twin_href(page, portuguese=False) == "../pt/book/01_nonnegative_matrices.html"
    assert editions.twin_href(page, portuguese=True) == "../../book/01_nonnegative_matrices.html"
    assert editions.twin_href("index", portuguese=False) == "pt/index.html"


@pytest.fixture(scope="module")
def built():
    if not (HTML / "index.html").is_file() or not (PT / "index.html").is_file():
        pytest.fail(f"both editions must be built first (make book): {HTML} and {PT}")
    return _pages(HTML)


def test_every_page_has_its_twin_and_links_to_it(built):
    assert built == _pages(PT), "the two editions do not have the same pages"
    for page in built:
        for root, other, lang in ((HTML, PT, 'lang="pt-BR"'), (PT, HTML, 'lang="en"')):
            text = (root / page).read_text(encoding="utf-8")
            link = re.search(r'<p class="nmf-edition"><a href="([^"]+)"[^>]*' + lang, text)
            assert link, f"{root / page}: no link to the other edition"
            target = ((root / page).parent / link.group(1)).resolve()
            assert target == (other / page).resolve() and target.is_file(), f"{root / page}: the link misses its twin"
        assert '<html lang="pt-BR"' in (PT / page).read_text(encoding="utf-8") or \
            'lang="pt_BR"' in (PT / page).read_text(encoding="utf-8"), f"pt/{page} does not say it is Portuguese"


def test_the_portuguese_pages_print_no_english_sentence(built):
    """Each printed sentence of the chapters (say) appears in English in the English book and never in the Portuguese.

    A sentence is recognised by its longest stretch of words without a value (at least 25 characters).
    """
    from nmf_teach.messages import read_po

    translations = read_po(editions.CODE_CATALOG)
    english = " ".join(_text(HTML / page, code=False) for page in built)
    portuguese = " ".join(_text(PT / page, code=False) for page in built)
    english, portuguese = (" ".join(t.split()) for t in (english, portuguese))
    found_in_english = 0
    for message, where in editions.code_messages().items():
        if where.endswith(".py"):
            continue
        pieces = [" ".join(p.split()) for p in re.split(r"\{[^{}]*\}", message)]
        piece = max(pieces, key=len)
        if len(piece) < 25 or translations.get(message, ("", False))[0].find(piece) >= 0:
            continue   # too short to recognise, or the translation keeps it (a formula, a name)
        found_in_english += piece in english
        printed = piece in portuguese   # (a bool: pytest would otherwise diff two books' text)
        assert not printed, f"the Portuguese book prints English: {piece!r}"
    assert found_in_english > 100, f"only {found_in_english} printed sentences were found in the English book"


def test_translated_formulas_are_typeset(built):
    """A display formula with words in it is translated ("para todo") and never comes out empty.

    Sphinx hands a translated formula to the parser in reStructuredText's ``::`` notation, which MyST does not
    read (executablebooks/MyST-Parser#980); tools/editions.py makes the literal block itself.
    """
    translated = 0
    for page in built:
        text = (PT / page).read_text(encoding="utf-8")
        formulas = re.findall(r'<div class="math notranslate nohighlight"[^>]*>(.*?)</div>', text, flags=re.S)
        bodies = [body.strip() for f in formulas for body in re.findall(r"\\\[(.*?)\\\]", f, flags=re.S)]
        assert len(bodies) >= len(formulas), f"pt/{page}: a formula without \\[ \\]"
        assert not [b for b in bodies if b in ("", "::")], f"pt/{page}: a formula came out empty"
        translated += sum("\\text{para todo }" in f for f in formulas)
    assert translated >= 2, "the translated formulas (\\text{para todo }) are not in the Portuguese book"
