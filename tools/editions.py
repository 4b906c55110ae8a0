"""The book's two editions: English, and Brazilian Portuguese (pt-BR) built from the same notebooks.

The Portuguese edition is Sphinx's own internationalisation. The prose of every page is cut into
messages (paragraphs, headings, captions, table cells), translated in
``locales/pt_BR/LC_MESSAGES/book/<page>.po``; a build with ``language = "pt_BR"`` reads them and
puts the translations in place of the English, parsing each as MyST, so a translated ``{ref}`` or
``{eval}`` works as the English one does. What the code cells print and the words on the figures
are translated by ``nmf_teach.messages`` from ``nmf_teach/locales/pt_BR.po``, selected by
``NMF_TEACH_LANG``, which this extension sets for the kernels of the Portuguese build.

Layout: ``_build/html/`` is the English book, ``_build/html/pt/`` the Portuguese one (each page links
to its twin in the other language); the Portuguese PDF is ``_build/latex/nmf-teach-pt.pdf``.

Two roles in one file:

* a Sphinx extension (``sphinx: local_extensions: {editions: tools}``): the link to the other
  edition on every page, the tag ``pt`` (``{only} pt`` blocks: the translator's note) and
  ``NMF_TEACH_LANG`` for the kernels;
* a script::

      python tools/editions.py config        # write the Portuguese build's _config.yml and _toc.yml (under _build/)
      python tools/editions.py update        # bring every catalog up to the sources (new messages empty)
      python tools/editions.py check         # every message translated, none fuzzy, catalogs current

``make book`` runs ``config`` and builds both editions.
"""

import argparse
import ast
import copy
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from docutils import nodes

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = "pt_BR"
LOCALES = ROOT / "locales"
BOOK_CATALOGS = LOCALES / LANGUAGE / "LC_MESSAGES" / "book"
CODE_CATALOG = ROOT / "nmf_teach" / "locales" / f"{LANGUAGE}.po"
BUILD = ROOT / "_build" / "editions"
PT_CONFIG = BUILD / "pt" / "_config.yml"
PT_TOC = BUILD / "pt" / "_toc.yml"
# The captions of _toc.yml's parts (the table of contents is not in the pages' catalogs).
PT_CAPTIONS = {"Chapters": "Capítulos", "Appendix": "Apêndice", "Back matter": "Material final"}
TWIN_FOLDER = "pt"                    # the Portuguese pages, relative to the English root
PT_TITLE = "NMF passo a passo: as atualizações de Lee–Seung e por que funcionam"
LINK_TEXT = {"en": ("Português", "Esta página em português"), LANGUAGE: ("English", "This page in English")}


# ---------------------------------------------------------------------------
# The Sphinx extension
# ---------------------------------------------------------------------------


def _is_portuguese(config):
    return (config.language or "en").replace("-", "_") == LANGUAGE


def _keep_evaluated_values():
    """Give a translated message's ``{eval}`` the value its English showed.

    myst-nb evaluates each ``{eval}`` in the page's kernel while it reads the page, and stops the kernel
    at the end of the page; Sphinx then parses each translated paragraph on its own, when no kernel is
    left. The values evaluated for the English are kept, per page and expression, and given back to the
    translation (the same expression on the same page: the same number).
    """
    from myst_nb.ext import eval as nb_eval

    if getattr(nb_eval.retrieve_eval_data, "keeps_values", False):
        return
    evaluate = nb_eval.retrieve_eval_data
    kept = {}

    def retrieve_eval_data(document, key):
        where = (document.settings.env.docname, key)
        try:
            kept[where] = evaluate(document, key)
        except nb_eval.RetrievalError:
            if where not in kept:
                raise
        return kept[where]

    retrieve_eval_data.keeps_values = True
    nb_eval.retrieve_eval_data = retrieve_eval_data


def _label_proofs_in_any_language():
    """Let sphinx-proof find the page of a theorem in the PDF of a translated book.

    Its LaTeX writer names a theorem's label after the page whose section *names* hold the page's title;
    names are made from the English title, the title is translated, and the theorem was labelled
    ``None:...``, so that no link or index entry found it (``??``). The nearest enclosing page is used then.
    """
    from sphinx_proof import nodes as proof_nodes

    if getattr(proof_nodes.find_parent, "any_language", False):
        return
    find_parent = proof_nodes.find_parent

    def find_parent_any_language(env, node, parent_tag):
        found = find_parent(env, node, parent_tag)
        while found is None and node is not None:
            node = node.parent
            if node is not None and node.get("docname"):
                found = node["docname"]
        return found

    find_parent_any_language.any_language = True
    proof_nodes.find_parent = find_parent_any_language


def _name_statements_in_pdf(app):
    """Give sphinx-proof's statements their translated names in the PDF ("Proposição 1.1").

    Its HTML writer translates "Proposition" with its own catalog; its LaTeX writer does not. Each LaTeX
    handler is wrapped: after it has written the English name, the name is replaced by the translation.
    """
    from sphinx.locale import get_translation
    from sphinx_proof import nodes as proof_nodes
    from sphinx_proof.nodes import NODE_TYPES, latex_admonition_start, list_rindex

    translate = get_translation(proof_nodes.MESSAGE_CATALOG_NAME)

    def translated(depart):
        def depart_with_translated_name(self, node):
            depart(self, node)
            name = node.attributes.get("realtype", "").title()
            where = list_rindex(self.body, latex_admonition_start) + 2
            if name and self.body[where].startswith(name):
                self.body[where] = translate(name) + self.body[where][len(name):]
        return depart_with_translated_name

    handlers = [(proof_nodes.unenumerable_node, proof_nodes.visit_unenumerable_node,
                 proof_nodes.depart_unenumerable_node)]
    handlers += [(node, proof_nodes.visit_enumerable_node, proof_nodes.depart_enumerable_node)
                 for node in NODE_TYPES.values()]
    for node, visit, depart in handlers:
        app.add_node(node, override=True, latex=(visit, translated(depart)))


def _translate_formulas_without_rst():
    """Let a translated display formula through (its ``\\text{...}`` words: "para todo", "e").

    Sphinx hands a translated formula (a literal-type node) to the page's parser wrapped in reStructuredText's
    literal notation ``::``, which MyST does not know: the formula came out empty
    (executablebooks/MyST-Parser#980). For such a message the literal block reStructuredText would have made
    is made here, from the translation itself.
    """
    from sphinx.transforms import i18n

    if getattr(i18n.publish_msgstr, "keeps_formulas", False):
        return
    publish = i18n.publish_msgstr

    def publish_msgstr(app, source, source_path, source_line, config, settings):
        if source.startswith("::\n\n"):
            text = textwrap.dedent(source[len("::\n\n"):])
            return nodes.literal_block(text, text)
        return publish(app, source, source_path, source_line, config, settings)

    publish_msgstr.keeps_formulas = True
    i18n.publish_msgstr = publish_msgstr


def _config_inited(app, config):
    if _is_portuguese(config):
        _translate_formulas_without_rst()
        _keep_evaluated_values()
        _label_proofs_in_any_language()
        _name_statements_in_pdf(app)
        app.tags.add("pt")
        # The kernels that run the chapters start after this and inherit it: nmf_teach.messages prints in Portuguese.
        os.environ["NMF_TEACH_LANG"] = LANGUAGE
    else:
        app.tags.add("en")


def twin_href(pagename, portuguese):
    """The relative address of ``pagename``'s twin in the other edition, from the page itself."""
    up = "../" * pagename.count("/")
    if portuguese:
        return f"{up}../{pagename}.html"
    return f"{up}{TWIN_FOLDER}/{pagename}.html"


def _page_context(app, pagename, templatename, context, doctree):
    if app.builder.format != "html" or "body" not in context:
        return
    portuguese = _is_portuguese(app.config)
    text, title = LINK_TEXT[LANGUAGE if portuguese else "en"]
    lang = "en" if portuguese else "pt-BR"
    link = (f'<p class="nmf-edition"><a href="{twin_href(pagename, portuguese)}" hreflang="{lang}" lang="{lang}" '
            f'title="{title}">{text}</a></p>\n')
    context["body"] = link + context["body"]


# myst-nb's buttons of folded cells ("Show code cell source"), which no catalog of its translates.
FOLD_PROMPTS = {
    "Show code cell content": "Mostrar a célula de código", "Hide code cell content": "Ocultar a célula de código",
    "Show code cell source": "Mostrar o código", "Hide code cell source": "Ocultar o código",
    "Show code cell output": "Mostrar a saída", "Hide code cell output": "Ocultar a saída",
    "Show code cell outputs": "Mostrar as saídas", "Hide code cell outputs": "Ocultar as saídas",
}


def _translate_fold_prompts(app, doctree, docname):
    if not _is_portuguese(app.config):
        return
    for node in doctree.findall(lambda n: hasattr(n, "attributes") and "prompt_show" in n.attributes):
        for key in ("prompt_show", "prompt_hide"):
            node[key] = FOLD_PROMPTS.get(node[key], node[key])


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("doctree-resolved", _translate_fold_prompts)
    app.connect("html-page-context", _page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# ---------------------------------------------------------------------------
# The Portuguese build's configuration
# ---------------------------------------------------------------------------


def pt_config():
    """The English ``_config.yml`` with the Portuguese title, language and catalogs."""
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config = copy.deepcopy(config)
    config["title"] = PT_TITLE
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx["language"] = LANGUAGE
    sphinx["locale_dirs"] = [str(LOCALES)]
    sphinx["gettext_compact"] = False
    # jupyter-book finds local extensions relative to the configuration file, which is not at the root here;
    # Sphinx reads everything else (bibliography, static folders) from the book's folder, as for English.
    extensions = config["sphinx"].get("local_extensions", {})
    config["sphinx"]["local_extensions"] = {name: str(ROOT / path) for name, path in extensions.items()}
    # Sphinx names figures and tables through babel's \captionsbrazil, which polyglossia (xelatex) never
    # reads: its own "Figura" would run into the number ("Figura1.1"). Set after polyglossia's captions.
    elements = sphinx.setdefault("latex_elements", {})
    elements["preamble"] = (elements.get("preamble", "") + "\\AtBeginDocument{"
                            "\\renewcommand{\\figurename}{Figura }\\renewcommand{\\tablename}{Tabela }}\n")
    latex = config.setdefault("latex", {})
    latex.setdefault("latex_documents", {})["targetname"] = "nmf-teach-pt.tex"
    return config


def pt_toc():
    """The English ``_toc.yml`` with its parts' captions in Portuguese (every caption must have one)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc.get("parts", []):
        if part.get("caption") not in PT_CAPTIONS:
            raise ValueError(f"_toc.yml's caption {part.get('caption')!r} has no Portuguese in PT_CAPTIONS")
        part["caption"] = PT_CAPTIONS[part["caption"]]
    return toc


def write_pt_config():
    """Write the Portuguese build's _config.yml and _toc.yml (under _build/editions/pt); return the first."""
    import yaml

    PT_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    for path, content, source in ((PT_CONFIG, pt_config(), "_config.yml"), (PT_TOC, pt_toc(), "_toc.yml")):
        path.write_text(f"# Written by tools/editions.py from {source}: do not edit.\n"
                        + yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return PT_CONFIG


# ---------------------------------------------------------------------------
# The catalogs
# ---------------------------------------------------------------------------


def book_templates():
    """The messages of every page, ``{page: babel Catalog}``, from Sphinx's gettext builder (no code is run)."""
    from babel.messages.pofile import read_po

    out = BUILD / "gettext"
    config = pt_config()
    config["sphinx"]["config"].pop("language")
    config["sphinx"]["config"]["nb_execution_mode"] = "off"
    config["execute"] = {**config.get("execute", {}), "execute_notebooks": "off"}
    config_file = BUILD / "gettext_config.yml"
    import yaml

    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    jupyter_book = str(Path(sys.executable).with_name("jupyter-book"))
    done = subprocess.run([jupyter_book, "build", str(ROOT), "--builder", "custom", "--custom-builder", "gettext",
                           "--config", str(config_file), "--path-output", str(out), "--quiet"],
                          capture_output=True, text=True)
    pots = sorted((out / "_build" / "gettext" / "book").glob("*.pot"))
    if not pots:
        raise RuntimeError(f"the gettext build made no catalog:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return {pot.stem: read_po(pot.open("rb")) for pot in pots}


def code_messages():
    """The English of every ``say("…")`` and ``tr("…")`` of the chapters and of ``nmf_teach``, in order."""
    found = {}

    def visit(source, where):
        for node in ast.walk(ast.parse(source)):
            if (isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute))
                    and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) in ("say", "tr")
                    and node.args):
                arg = node.args[0]
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    raise ValueError(f"{where}, line {node.lineno}: say/tr needs a string literal, to be translated")
                found.setdefault(arg.value, where)

    for path in sorted((ROOT / "book").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
                visit("\n".join(lines), path.name)
    for path in sorted((ROOT / "nmf_teach").glob("*.py")):
        if path.name != "messages.py":
            visit(path.read_text(encoding="utf-8"), path.name)
    return found


def _update(catalog_path, template):
    """Bring the catalog at ``catalog_path`` to ``template``'s messages: new ones empty, gone ones removed."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    if catalog_path.exists():
        catalog = read_po(catalog_path.open("rb"), locale=LANGUAGE)
    else:
        catalog = Catalog(locale=LANGUAGE)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.project, catalog.version, catalog.fuzzy = "nmf-teach", "1", False
    catalog.copyright_holder = "the nmf-teach authors"
    catalog_path.parent.mkdir(parents=True, exist_ok=True)
    with catalog_path.open("wb") as out:
        write_po(out, catalog, width=0, omit_header=False, ignore_obsolete=True)


def update():
    from babel.messages.catalog import Catalog

    for page, template in book_templates().items():
        _update(BOOK_CATALOGS / f"{page}.po", template)
    template = Catalog(locale=LANGUAGE)
    for message, where in code_messages().items():
        template.add(message, locations=[(where, 0)])
    _update(CODE_CATALOG, template)


def _problems(name, catalog, wanted):
    """Print how much of ``catalog`` is translated; the problems: not current, not translated, fuzzy."""
    ids = {m.id for m in catalog if m.id}
    missing = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    print(f"{name}: {len(ids) - len(missing)} of {len(ids)} messages translated, {len(fuzzy)} fuzzy")
    problems = []
    if ids != wanted:
        problems.append(f"{name}: the catalog is not current ({len(wanted - ids)} new messages, "
                        f"{len(ids - wanted)} gone): run python tools/editions.py update")
    problems += [f"{name}: not translated: {m[:70]!r}" for m in missing]
    problems += [f"{name}: fuzzy: {m[:70]!r}" for m in fuzzy]
    return problems


def check():
    """Count each catalog's messages; return the list of problems (empty when every catalog is complete)."""
    from babel.messages.pofile import read_po

    sys.path.insert(0, str(ROOT))
    from nmf_teach.messages import template_fields

    problems = []
    templates = book_templates()
    pages = {p.stem for p in BOOK_CATALOGS.glob("*.po")}
    for page in sorted(set(templates) | pages):
        if page not in pages:
            problems.append(f"{page}: no catalog (run python tools/editions.py update)")
            continue
        catalog = read_po((BOOK_CATALOGS / f"{page}.po").open("rb"))
        problems += _problems(page, catalog, {m.id for m in templates.get(page, []) if m.id})
    catalog = read_po(CODE_CATALOG.open("rb"))
    problems += _problems("nmf_teach (printed sentences and figure words)", catalog, set(code_messages()))
    for m in catalog:
        if m.id and m.string and template_fields(m.id) != template_fields(m.string):
            problems.append(f"nmf_teach: the translation does not print the same values: {m.id[:70]!r}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["config", "update", "check"])
    args = parser.parse_args(argv)
    if args.action == "config":
        print(write_pt_config().relative_to(ROOT))
    elif args.action == "update":
        update()
    else:
        problems = check()
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
