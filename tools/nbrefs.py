"""Cross-references and figure captions that read the same on the website and in Jupyter.

The website (Sphinx, myst-nb) resolves every MyST role; JupyterLab and Notebook 7
(jupyterlab-myst) resolve only targets inside the open notebook, and read no figure
captions from cell metadata. So the notebooks keep to forms that work in both:

* an equation or figure of the same notebook: the role, ``{eq}`label``` (both number it);
* an equation of another notebook: ``[(1.2)](#eq-label)``, a link whose text is the
  number the website gives it (Sphinx replaces the text with the same number and links
  the equation; Jupyter shows the text);
* a figure: ``[Fig. 5.1](#fig-label)``;
* a section that is a whole notebook: ``[Title](02_from_scratch.ipynb)``, which the
  website links to the page and Jupyter opens as a notebook;
* every figure cell (``mystnb.figure`` metadata) is followed by a Markdown cell tagged
  ``remove-cell`` (so the website, which shows the metadata caption, drops it) that reads
  ``*Fig. 5.1: <the caption>*`` for Jupyter;
* a citation: authors write ``{cite:p}`Key``` or ``{cite:t}`Key``` (keys from
  ``references.bib``); this module rewrites it into a link to the work's entry in the
  notebook's own reference list, ``([Peters et al., 2018](#cite-05-Peters2018))`` (``cite:p``;
  several keys give ``([A, 2018](#cite-..); [B, 2019](#cite-..))``) or
  ``[Peters et al. (2018)](#cite-05-Peters2018)`` (``cite:t``). jupyterlab-myst cannot read
  ``references.bib`` (it marks every ``{cite}`` role "Citation Not Found"), but it resolves a
  link to a labelled paragraph of the same notebook; the website turns these links back into
  the sphinxcontrib-bibtex roles they were written as (``tools/sphinx_clients.py``, before
  the notebook is parsed), so there they stay real citations. The link text is made here
  from ``references.bib`` as sphinxcontrib-bibtex's author-year style writes it;
* a notebook that cites ends with a ``{bibliography}`` for the website, followed by a
  ``remove-cell`` list of the same works for Jupyter, each entry a paragraph labelled
  ``(cite-05-Key)=``, the target of the citation links. A work cited on several pages
  appears in several bibliographies, which Sphinx accepts only with a key prefix per page
  (sphinxcontrib-bibtex's ``:keyprefix:``): the citations of ``05_....ipynb`` carry the key
  ``05-Key``; this module adds the prefix to a bare key (and renews a stale one);
* the first code cell is the install guard, written here from ``repository.url`` in
  ``_config.yml`` (the repository is named once): where ``book`` cannot be imported (a
  fresh Colab runtime) it pip-installs the repository, elsewhere it does nothing. It is
  tagged ``remove-cell`` (the website does not show it) and marked
  ``book: {generated: install-guard}``; the Chinese notebooks copy it
  (``tools/translate.py``) and the plain ones add the edition's language to it
  (``tools/plainnb.py``, from ``install_guard(root, lang)``);
* the Chinese catalogs (``locales/*/LC_MESSAGES/chapters/*.po``) get the same rewrite of
  their messages and translations, so a translated paragraph stays translated when its
  citation changes form.

Numbers follow the website's: chapter ``i`` (``_toc.yml`` order), then the ``k``-th
labelled equation or figure of that notebook. ``python -m tools.nbrefs`` rewrites the
notebooks into these forms (``make export`` runs it); ``stale()`` lists notebooks that
differ from what it would write, and a test keeps that list empty.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml

try:
    from tools import editions
except ImportError:  # imported as Sphinx's neighbour (tools/ on the path, see _config.yml)
    import editions

ROOT = editions.ROOT
CAPTION_TAG = "remove-cell"
EQ_LABEL = re.compile(r"^\$\$\s*\(([\w-]+)\)\s*$", re.M)  # $$ (eq-label) closing a block
SECTION_LABEL = re.compile(r"^\(([\w-]+)\)=\s*\n#\s+(.+)$", re.M)  # (label)= then a title
ROLE = re.compile(r"\{(eq|numref|ref)\}`([\w-]+)`")
EQ_LINK = re.compile(r"\[\(([\d.]+)\)\]\(#(eq-[\w-]+)\)")
FIG_LINK = re.compile(r"\[Fig\. ([\d.]+)\]\(#([\w-]+)\)")
CITE = re.compile(r"\{cite(?::(\w+))?\}`([^`\n]+)`")  # the authoring form
_LINK = r"\[[^\]\n]+\]\(#cite-[\w-]+\)"
CITE_LINK = re.compile(r"\[([^\]\n]+)\]\(#cite-([\w-]+)\)")  # one work, linked
CITE_GROUP = re.compile(rf"\(({_LINK}(?:; {_LINK})*)\)")  # ``cite:p``'s form
PREFIX = re.compile(r"^\d\d-")
CITE_ANCHOR = "cite-"
BIBLIOGRAPHY = (
    "## References\n\n```{{bibliography}}\n:filter: docname in docnames\n:keyprefix: {prefix}\n```"
)


GUARD = "install-guard"  # the guard cell's ``book.generated``
_GUARD_LANGUAGE = (
    "# The chapter's language for the exercise checks and widgets (book.i18n),\n"
    "# set before `book` is imported.\n"
    'import os\n\nos.environ["BOOK_LANG"] = "{lang}"\n\n'
)
_GUARD = """\
# Colab and Binder: install the chapter's `book` package when this kernel lacks it.
# Where the chapter is installed (the README's set-up), this does nothing.
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("book") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "git+{url}"], check=True)"""


def install_guard(root: Path = ROOT, lang: str = "en") -> str:
    """The install guard's code, from ``repository.url`` in ``root/_config.yml``; with a
    ``lang`` other than English (the plain notebooks, which Colab opens in no edition's
    folder) it first sets ``BOOK_LANG``, before ``book`` is imported."""
    url = yaml.safe_load((root / "_config.yml").read_text())["repository"]["url"]
    code = _GUARD.format(url=url.rstrip("/"))
    return code if lang == "en" else _GUARD_LANGUAGE.format(lang=lang) + code


def _with_guard(nb, root: Path) -> None:
    """Make the notebook's first code cell the install guard (replacing an older guard)."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    first = code[0] if code else None
    if first is None or not (
        first.metadata.get("book", {}).get("generated") == GUARD
        or 'find_spec("book")' in first.source
    ):
        first = nbformat.v4.new_code_cell()
        first.id = "install-guard"
        at = nb.cells.index(code[0]) if code else len(nb.cells)
        nb.cells.insert(at, first)
    first.source = install_guard(root)
    first.outputs = []
    tags = first.metadata.setdefault("tags", [])
    if CAPTION_TAG not in tags:
        tags.append(CAPTION_TAG)
    first.metadata.setdefault("book", {})["generated"] = GUARD


def key_prefix(path: Path) -> str:
    return path.stem[:2] + "-"


def _plain(text: str) -> str:
    """BibTeX field text as plain Unicode: accents decoded, braces dropped, -- as a dash."""
    from pybtex.richtext import Text

    return Text.from_latex(text).render_as("text").replace("--", "–")


def bibliography(root: Path = ROOT) -> dict[str, str]:
    """Each entry of references.bib as one line of Markdown."""
    from pybtex.database import parse_file

    lines = {}
    for key, entry in parse_file(root / "references.bib").entries.items():
        people = entry.persons.get("author", [])
        names = [
            _plain(
                f"{' '.join(p.prelast_names + p.last_names)}, "
                f"{' '.join(n[0] + '.' for n in p.first_names)}"
            )
            for p in people
        ]
        authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        f = entry.fields
        venue = f.get("journal") or f.get("booktitle") or f.get("howpublished", "")
        volume = f.get("volume", "") + (f"({f['number']})" if "number" in f else "")
        where = ", ".join(
            x
            for x in (
                f"*{_plain(venue)}*" if venue else "",
                _plain(volume),
                _plain(f.get("pages", "")),
            )
            if x
        )
        doi = f" https://doi.org/{f['doi']}" if "doi" in f else ""
        lines[key] = f"{authors} ({f['year']}). {_plain(f['title'])}. {where}.{doi}"
    return lines


def chapters(root: Path = ROOT) -> list[Path]:
    """The notebooks in table-of-contents order (``tools.editions.chapters``)."""
    return editions.chapters(root)


def targets(paths: list[Path]) -> dict[str, dict]:
    """Every equation, figure and notebook-level section label, with its number."""
    found = {}
    for i, path in enumerate(paths, start=1):
        nb = nbformat.read(path, as_version=4)
        eqs = figs = 0
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                for label in EQ_LABEL.findall(cell.source):
                    eqs += 1
                    found[label] = {"kind": "eq", "number": f"{i}.{eqs}", "path": path}
                for label, title in SECTION_LABEL.findall(cell.source):
                    found[label] = {"kind": "section", "title": title.strip(), "path": path}
            fig = cell.metadata.get("mystnb", {}).get("figure")
            if cell.cell_type == "code" and fig and fig.get("name"):
                figs += 1
                found[fig["name"]] = {
                    "kind": "fig",
                    "number": f"{i}.{figs}",
                    "path": path,
                    "caption": fig.get("caption", ""),
                }
    return found


def _rewrite_markdown(source: str, path: Path, found: dict) -> str:
    def role(match):
        kind, label = match.groups()
        target = found.get(label)
        if target is None:
            return match.group(0)  # not ours to change (an exercise, say)
        if target["kind"] == "eq" and target["path"] != path:
            return f"[({target['number']})](#{label})"
        if target["kind"] == "fig":
            return f"[Fig. {target['number']}](#{label})"
        if target["kind"] == "section" and target["path"] != path:
            return f"[{target['title']}]({target['path'].name})"
        return match.group(0)

    def number(match, kind):
        label = match.group(2)
        target = found.get(label)
        if target is None or target["kind"] != kind:
            return match.group(0)
        if kind == "eq" and target["path"] == path:
            return f"{{eq}}`{label}`"
        return (
            f"[({target['number']})](#{label})"
            if kind == "eq"
            else f"[Fig. {target['number']}](#{label})"
        )

    source = ROLE.sub(role, source)
    source = EQ_LINK.sub(lambda m: number(m, "eq"), source)
    return FIG_LINK.sub(lambda m: number(m, "fig"), source)


def _caption_cell(target: dict) -> str:
    return f"*Fig. {target['number']}: {target['caption']}*"


def _names(entry) -> str:
    """The authors as sphinxcontrib-bibtex's author-year style names them in a citation."""
    last = [
        _plain(" ".join(p.prelast_names + p.last_names)) for p in entry.persons.get("author", [])
    ]
    if len(last) >= 3:
        return f"{last[0]} et al."
    return " and ".join(last)


def citation_labels(root: Path = ROOT) -> dict[str, tuple[str, str]]:
    """Key -> (parenthetical text, textual text): ``("Peters et al., 2018", "Peters et al.
    (2018)")``, the words of ``{cite:p}`` and of ``{cite:t}`` on the website."""
    from pybtex.database import parse_file

    labels = {}
    for key, entry in parse_file(root / "references.bib").entries.items():
        names, year = _names(entry), entry.fields["year"]
        labels[key] = (f"{names}, {year}", f"{names} ({year})")
    return labels


def citations_to_roles(text: str) -> str:
    """The citation links of ``text`` as the sphinxcontrib-bibtex roles they stand for: a
    parenthesised group of links is ``{cite:p}``, a lone link ``{cite:t}``."""

    def group(match):
        keys = [key for _, key in CITE_LINK.findall(match.group(1))]
        return "{cite:p}`" + ",".join(keys) + "`"

    text = CITE_GROUP.sub(group, text)
    return CITE_LINK.sub(lambda m: "{cite:t}`" + m.group(2) + "`", text)


def cited_keys(text: str) -> set[str]:
    """The bare keys ``text`` cites, in either form (roles or links)."""
    roles = citations_to_roles(text)
    return {
        PREFIX.sub("", key.strip()) for _, group in CITE.findall(roles) for key in group.split(",")
    }


def citations_to_links(text: str, labels: dict, prefix: str, keys: list | None = None) -> str:
    """``text`` with every citation (role or link) as links to the notebook's reference
    list; bare keys get ``prefix``, a stale prefix is renewed. The bare keys cited are
    appended to ``keys`` in order of first citation."""

    def link(key, kind):
        bare = PREFIX.sub("", key.strip())
        if bare not in labels:
            raise KeyError(f"cited but not in references.bib: {bare!r}")
        if keys is not None and bare not in keys:
            keys.append(bare)
        words = labels[bare][0 if kind == "p" else 1]
        return f"[{words}](#{CITE_ANCHOR}{prefix}{bare})"

    def role(match):
        kind, group = match.group(1) or "p", match.group(2).split(",")
        if kind == "t":
            return ", ".join(link(k, "t") for k in group)
        return "(" + "; ".join(link(k, "p") for k in group) + ")"

    return CITE.sub(role, citations_to_roles(text))


def _cited(nb, prefix: str, labels: dict) -> list[str]:
    """Cited keys in order of first citation; every citation rewritten into its link form."""
    keys: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = citations_to_links(cell.source, labels, prefix, keys)
    return keys


def _with_references(nb, entries: dict, prefix: str, labels: dict) -> None:
    """Append or refresh the website bibliography and the Jupyter reference list."""
    nb.cells = [c for c in nb.cells if not c.metadata.get("book", {}).get("references")]
    keys = _cited(nb, prefix, labels)
    if not keys:
        return
    unknown = [k for k in keys if k not in entries]
    if unknown:
        raise KeyError(f"cited but not in references.bib: {unknown}")
    where = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "markdown" and "{bibliography}" in c.source
    ]
    if not where:
        nb.cells.append(nbformat.v4.new_markdown_cell(BIBLIOGRAPHY.format(prefix=prefix)))
        where = [len(nb.cells) - 1]
    listing = nbformat.v4.new_markdown_cell(
        "\n\n".join(f"({CITE_ANCHOR}{prefix}{k})=\n{entries[k]}" for k in sorted(keys))
    )
    listing.metadata = {"tags": [CAPTION_TAG], "book": {"references": True}}
    listing.id = f"refs-{nb.cells[where[0]].id}"[:64]
    nb.cells.insert(where[0] + 1, listing)


def rewrite(
    path: Path, found: dict, entries: dict | None = None, labels: dict | None = None
) -> nbformat.NotebookNode:
    """The notebook at ``path`` with its install guard, references and caption cells in the
    portable forms."""
    nb = nbformat.read(path, as_version=4)
    cells = []
    for cell in nb.cells:
        if (
            cell.cell_type == "markdown"
            and CAPTION_TAG in cell.metadata.get("tags", [])
            and cell.metadata.get("book", {}).get("caption_of")
        ):
            continue  # regenerated below
        if cell.cell_type == "markdown":
            cell.source = _rewrite_markdown(cell.source, path, found)
        cells.append(cell)
        fig = cell.metadata.get("mystnb", {}).get("figure") if cell.cell_type == "code" else None
        if fig and fig.get("name") in found:
            caption = nbformat.v4.new_markdown_cell(_caption_cell(found[fig["name"]]))
            caption.metadata = {"tags": [CAPTION_TAG], "book": {"caption_of": fig["name"]}}
            old = [
                c for c in nb.cells if c.metadata.get("book", {}).get("caption_of") == fig["name"]
            ]
            if old:
                caption.id = old[0].id  # keep ids stable across rewrites
            cells.append(caption)
    nb.cells = cells
    root = path.parents[1]
    _with_guard(nb, root)
    _with_references(
        nb,
        bibliography(root) if entries is None else entries,
        key_prefix(path),
        citation_labels(root) if labels is None else labels,
    )
    return nb


def catalogs(root: Path = ROOT) -> list[Path]:
    """The translation catalogs of the notebooks (``locales/<lang>/LC_MESSAGES/chapters/``)."""
    return sorted((root / "locales").glob("*/LC_MESSAGES/chapters/*.po"))


def rewrite_catalog(path: Path, labels: dict) -> str:
    """A notebook's catalog with the citations of its messages and translations in the link
    form (comments, among them the previous text of a fuzzy entry, stay as they are).
    Catalogs are written unwrapped (``tools/translate.py``), so a citation never spans
    lines of the file."""
    prefix = key_prefix(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    return "\n".join(
        line if line.startswith("#") else citations_to_links(line, labels, prefix) for line in lines
    )


def stale(root: Path = ROOT) -> list[str]:
    """Notebooks and catalogs that differ from what ``rewrite`` and ``rewrite_catalog``
    write."""
    paths = chapters(root)
    found = targets(paths)
    entries = bibliography(root)
    labels = citation_labels(root)
    return [
        p.relative_to(root).as_posix()
        for p in paths
        if nbformat.writes(rewrite(p, found, entries, labels))
        != nbformat.writes(nbformat.read(p, as_version=4))
    ] + [
        p.relative_to(root).as_posix()
        for p in catalogs(root)
        if rewrite_catalog(p, labels) != p.read_text(encoding="utf-8")
    ]


def main() -> int:
    paths = chapters()
    found = targets(paths)
    entries = bibliography()
    labels = citation_labels()
    for path in paths:
        nb = rewrite(path, found, entries, labels)
        if nbformat.writes(nb) != nbformat.writes(nbformat.read(path, as_version=4)):
            nbformat.write(nb, path)
            print(f"rewrote references in {path.relative_to(ROOT)}")
    for path in catalogs():
        text = rewrite_catalog(path, labels)
        if text != path.read_text(encoding="utf-8"):
            path.write_text(text, encoding="utf-8")
            print(f"rewrote citations in {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
