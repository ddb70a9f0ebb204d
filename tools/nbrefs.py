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
* a notebook that cites (``{cite:p}`Key```, keys from ``references.bib``) ends with a
  ``{bibliography}`` for the website, followed by a ``remove-cell`` list of the same works
  for Jupyter, where citations show as their keys. A work cited on several pages appears in
  several bibliographies, which Sphinx accepts only with a key prefix per page
  (sphinxcontrib-bibtex's ``:keyprefix:``): the citations of ``05_....ipynb`` are written
  ``{cite:p}`05-Key```, and this module adds the prefix to a bare key.

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

ROOT = Path(__file__).resolve().parent.parent
CAPTION_TAG = "remove-cell"
EQ_LABEL = re.compile(r"^\$\$\s*\(([\w-]+)\)\s*$", re.M)        # $$ (eq-label) closing a block
SECTION_LABEL = re.compile(r"^\(([\w-]+)\)=\s*\n#\s+(.+)$", re.M)  # (label)= then a title
ROLE = re.compile(r"\{(eq|numref|ref)\}`([\w-]+)`")
EQ_LINK = re.compile(r"\[\(([\d.]+)\)\]\(#(eq-[\w-]+)\)")
FIG_LINK = re.compile(r"\[Fig\. ([\d.]+)\]\(#([\w-]+)\)")
CITE = re.compile(r"(\{cite(?::\w+)?\}`)([^`]+)(`)")
PREFIXED = re.compile(r"^\d\d-")
BIBLIOGRAPHY = ("## References\n\n```{{bibliography}}\n:filter: docname in docnames\n"
                ":keyprefix: {prefix}\n```")


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
        names = [_plain(f"{' '.join(p.prelast_names + p.last_names)}, "
                        f"{' '.join(n[0] + '.' for n in p.first_names)}") for p in people]
        authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        f = entry.fields
        venue = f.get("journal") or f.get("booktitle") or f.get("howpublished", "")
        volume = f.get("volume", "") + (f"({f['number']})" if "number" in f else "")
        where = ", ".join(x for x in (f"*{_plain(venue)}*" if venue else "", _plain(volume),
                                      _plain(f.get("pages", ""))) if x)
        doi = f" https://doi.org/{f['doi']}" if "doi" in f else ""
        lines[key] = f"{authors} ({f['year']}). {_plain(f['title'])}. {where}.{doi}"
    return lines


def chapters(root: Path = ROOT) -> list[Path]:
    """The notebooks in table-of-contents order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [entry["file"] for part in toc.get("parts", [toc])
             for entry in part.get("chapters", [])]
    return [root / f"{f}.ipynb" for f in files if (root / f"{f}.ipynb").exists()]


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
                found[fig["name"]] = {"kind": "fig", "number": f"{i}.{figs}", "path": path,
                                      "caption": fig.get("caption", "")}
    return found


def _rewrite_markdown(source: str, path: Path, found: dict) -> str:
    def role(match):
        kind, label = match.groups()
        target = found.get(label)
        if target is None:
            return match.group(0)              # not ours to change (an exercise, say)
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
        return (f"[({target['number']})](#{label})" if kind == "eq"
                else f"[Fig. {target['number']}](#{label})")

    source = ROLE.sub(role, source)
    source = EQ_LINK.sub(lambda m: number(m, "eq"), source)
    return FIG_LINK.sub(lambda m: number(m, "fig"), source)


def _caption_cell(target: dict) -> str:
    return f"*Fig. {target['number']}: {target['caption']}*"


def _cited(nb, prefix: str) -> list[str]:
    """Cited keys in order of first citation; bare keys in the cells get ``prefix``."""
    keys = []

    def prefixed(match):
        group = [k.strip() for k in match.group(2).split(",")]
        group = [k if PREFIXED.match(k) else prefix + k for k in group]
        keys.extend(k[len(prefix):] for k in group if k[len(prefix):] not in keys)
        return match.group(1) + ",".join(group) + match.group(3)

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = CITE.sub(prefixed, cell.source)
    return keys


def _with_references(nb, entries: dict, prefix: str) -> None:
    """Append or refresh the website bibliography and the Jupyter reference list."""
    nb.cells = [c for c in nb.cells if not c.metadata.get("book", {}).get("references")]
    keys = _cited(nb, prefix)
    if not keys:
        return
    unknown = [k for k in keys if k not in entries]
    if unknown:
        raise KeyError(f"cited but not in references.bib: {unknown}")
    where = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "markdown" and "{bibliography}" in c.source]
    if not where:
        nb.cells.append(nbformat.v4.new_markdown_cell(BIBLIOGRAPHY.format(prefix=prefix)))
        where = [len(nb.cells) - 1]
    listing = nbformat.v4.new_markdown_cell(
        "\n".join(f"- {entries[k]}" for k in sorted(keys)))
    listing.metadata = {"tags": [CAPTION_TAG], "book": {"references": True}}
    listing.id = f"refs-{nb.cells[where[0]].id}"[:64]
    nb.cells.insert(where[0] + 1, listing)


def rewrite(path: Path, found: dict, entries: dict | None = None) -> nbformat.NotebookNode:
    """The notebook at ``path`` with its references and caption cells in the portable forms."""
    nb = nbformat.read(path, as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and CAPTION_TAG in cell.metadata.get("tags", []) \
                and cell.metadata.get("book", {}).get("caption_of"):
            continue                                   # regenerated below
        if cell.cell_type == "markdown":
            cell.source = _rewrite_markdown(cell.source, path, found)
        cells.append(cell)
        fig = cell.metadata.get("mystnb", {}).get("figure") if cell.cell_type == "code" else None
        if fig and fig.get("name") in found:
            caption = nbformat.v4.new_markdown_cell(_caption_cell(found[fig["name"]]))
            caption.metadata = {"tags": [CAPTION_TAG], "book": {"caption_of": fig["name"]}}
            old = [c for c in nb.cells if c.metadata.get("book", {}).get("caption_of")
                   == fig["name"]]
            if old:
                caption.id = old[0].id                 # keep ids stable across rewrites
            cells.append(caption)
    nb.cells = cells
    _with_references(nb, bibliography(path.parents[1]) if entries is None else entries,
                     key_prefix(path))
    return nb


def stale(root: Path = ROOT) -> list[str]:
    """Notebooks whose references or caption cells differ from what ``rewrite`` writes."""
    paths = chapters(root)
    found = targets(paths)
    entries = bibliography(root)
    return [p.relative_to(root).as_posix() for p in paths
            if nbformat.writes(rewrite(p, found, entries)) != nbformat.writes(
                nbformat.read(p, as_version=4))]


def main() -> int:
    paths = chapters()
    found = targets(paths)
    entries = bibliography()
    for path in paths:
        nb = rewrite(path, found, entries)
        if nbformat.writes(nb) != nbformat.writes(nbformat.read(path, as_version=4)):
            nbformat.write(nb, path)
            print(f"rewrote references in {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
