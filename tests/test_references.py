"""References, captions and solutions that work in Jupyter as well as on the website.

The rules are in tools/nbrefs.py (references and caption cells) and in the exercises
notebook (solutions): these tests keep the notebooks to them.
"""

from __future__ import annotations

import ast
import re
import shutil

import nbformat
import pytest
from paths import ROOT

from tools import nbrefs

NOTEBOOKS = nbrefs.chapters()
EXERCISES = ROOT / "chapters" / "06_summary_exercises.ipynb"
SOLUTION_FIRST_LINE = "# The solution's code"


def test_notebooks_use_the_portable_reference_forms():
    assert nbrefs.stale() == [], "run `make export` (tools/nbrefs.py rewrites them)"


def test_a_changed_numbering_is_detected(tmp_path):
    for name in ("_config.yml", "_toc.yml", "references.bib"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "chapters", tmp_path / "chapters")
    first = tmp_path / "chapters" / "01_looking_both_ways.ipynb"
    nb = nbformat.read(first, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and "(eq-forward)" in c.source)
    cell.source = "$$\nz = 0\n$$ (eq-new)\n\n" + cell.source  # eq-forward becomes (1.2)
    nbformat.write(nb, first)
    assert "chapters/02_from_scratch.ipynb" in nbrefs.stale(tmp_path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_role_points_outside_its_notebook(path):
    found = nbrefs.targets(NOTEBOOKS)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for kind, label in nbrefs.ROLE.findall(cell.source):
            target = found.get(label)
            assert target is None or target["path"] == path, (
                f"{path.name}: {{{kind}}}`{label}` points into {target['path'].name}"
            )
        for number, label in nbrefs.EQ_LINK.findall(cell.source):
            assert found[label]["number"] == number, (path.name, label, number)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_has_a_caption_cell_for_jupyter(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        fig = cell.metadata.get("mystnb", {}).get("figure")
        if cell.cell_type != "code" or not fig:
            continue
        following = nb.cells[i + 1]
        assert "remove-cell" in following.metadata.get("tags", []), (path.name, fig["name"])
        assert fig["caption"] in following.source, f"{path.name}: caption cell of {fig['name']}"
        assert re.match(r"\*Fig\. \d+\.\d+: ", following.source), following.source[:40]


def _solution_cells(nb):
    """Code cells between a solution-start and its solution-end."""
    inside, cells = False, []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if "{solution-start}" in cell.source:
                inside = True
            if "{solution-end}" in cell.source:
                inside = False
        elif inside:
            cells.append(cell)
    return cells


def _defined_names(source: str) -> set[str]:
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def test_solutions_never_replace_the_learners_definitions():
    """ "Run All" executes the solution cells; the learner's own answers must survive it."""
    nb = nbformat.read(EXERCISES, as_version=4)
    solutions = _solution_cells(nb)
    assert len(solutions) >= 7
    stubs = [
        c
        for c in nb.cells
        if c.cell_type == "code"
        and c not in solutions
        and ("NotImplementedError" in c.source or "answer = None" in c.source)
    ]
    learner = set().union(*(_defined_names(c.source) for c in stubs))
    assert {
        "shapes",
        "DeepBiRNN",
        "contextual_vector",
        "merge",
        "summarize",
        "final_states",
        "answer",
        "accuracy_left",
    } <= learner
    for cell in solutions:
        clash = _defined_names(cell.source) & learner
        assert not clash, f"a solution cell redefines the learner's {sorted(clash)}"


def test_solution_cells_are_collapsed_and_say_only_what_they_are():
    """Collapsed in Jupyter, a cell still shows its first line of code and of output."""
    nb = nbformat.read(EXERCISES, as_version=4)
    for cell in _solution_cells(nb):
        assert cell.metadata.get("jupyter") == {"outputs_hidden": True, "source_hidden": True}
        assert cell.source.startswith(SOLUTION_FIRST_LINE), cell.source[:60]
        texts = [o.get("text", "") for o in cell.get("outputs", []) if "text" in o]
        assert texts and texts[0].startswith("What the solution prints:"), texts[:1]


def test_run_all_keeps_the_learners_stubs(tmp_path):
    """Execute the exercises top to bottom, then ask the kernel whose functions remain."""
    from nbclient import NotebookClient

    nb = nbformat.read(EXERCISES, as_version=4)
    probe = """
def still_a_stub(f, *args):
    try:
        f(*args)
    except NotImplementedError:
        return True
    return False
print(all([still_a_stub(shapes, 1, 1, 1, 1), still_a_stub(DeepBiRNN, 1, 1, 1),
           still_a_stub(contextual_vector, ["bank"], 0), still_a_stub(merge, 0, 0, "sum"),
           still_a_stub(summarize, 0, 0, 0), still_a_stub(final_states, 0, 0, 0),
           still_a_stub(accuracy_left, 0, 0, 0, 0)]),
      answer is None)
"""
    nb.cells.append(nbformat.v4.new_code_cell(probe))
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXERCISES.parent)}},
    ).execute()
    # A busy kernel may flush one print in several stream outputs.
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert printed.strip() == "True True", nb.cells[-1].outputs


def test_citations_are_rewritten_into_links_once_and_read_back_as_roles():
    """Authors cite with {cite:p} and {cite:t}; `make export` turns both into links to the
    notebook's reference list (idempotently), and the website reads them back as roles."""
    labels = nbrefs.citation_labels()
    text = (
        "GRUs {cite:p}`Cho2014`, tagging {cite:p}`Huang2015, 07-Lample2016` and "
        "{cite:t}`Peters2018` (moved here from notebook 7)."
    )
    once = nbrefs.citations_to_links(text, labels, "05-")
    assert once == (
        "GRUs ([Cho et al., 2014](#cite-05-Cho2014)), tagging ([Huang et al., 2015]"
        "(#cite-05-Huang2015); [Lample et al., 2016](#cite-05-Lample2016)) and "
        "[Peters et al. (2018)](#cite-05-Peters2018) (moved here from notebook 7)."
    )
    assert nbrefs.citations_to_links(once, labels, "05-") == once
    assert nbrefs.citations_to_roles(once) == (
        "GRUs {cite:p}`05-Cho2014`, tagging {cite:p}`05-Huang2015,05-Lample2016` and "
        "{cite:t}`05-Peters2018` (moved here from notebook 7)."
    )
    with pytest.raises(KeyError, match="Nobody2000"):
        nbrefs.citations_to_links("{cite:p}`Nobody2000`", labels, "05-")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_citation_has_an_entry_in_the_notebooks_reference_list(path):
    nb = nbformat.read(path, as_version=4)
    cited = {
        key
        for c in nb.cells
        if c.cell_type == "markdown" and not c.metadata.get("book", {}).get("references")
        for _, key in nbrefs.CITE_LINK.findall(c.source)
    }
    assert not any(nbrefs.CITE.search(c.source) for c in nb.cells if c.cell_type == "markdown"), (
        f"{path.name}: a {{cite}} role left: run `make export`"
    )
    listed = [c for c in nb.cells if c.metadata.get("book", {}).get("references")]
    anchors = set(re.findall(r"^\(cite-([\w-]+)\)=$", listed[0].source, re.M)) if listed else set()
    assert cited == anchors, (path.name, cited ^ anchors)
