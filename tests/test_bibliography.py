"""Every work in references.bib is cited somewhere in the chapter, and every citation is in it."""

from pybtex.database import parse_file

from tools import nbrefs


def _cited() -> set[str]:
    import nbformat

    keys = set()
    for path in nbrefs.chapters():
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":  # roles, or the links make export writes
                keys |= nbrefs.cited_keys(cell.source)
    return keys


def test_every_bibliography_entry_is_cited():
    entries = set(parse_file(nbrefs.ROOT / "references.bib").entries)
    uncited = sorted(entries - _cited())
    assert not uncited, (
        f"cite these where they are used, or remove them from references.bib: {uncited}"
    )


def test_every_citation_is_in_the_bibliography():
    entries = set(parse_file(nbrefs.ROOT / "references.bib").entries)
    assert _cited() <= entries, sorted(_cited() - entries)
