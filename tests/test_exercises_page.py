"""The rendered exercises page: every solution and hint stays folded until its title is
clicked, the solution's executed code sits inside the fold, and the page loads cleanly."""

from __future__ import annotations

import pytest

PAGE = "chapters/06_summary_exercises.html"
NUM_EXERCISES = 8
NUM_HINTS = NUM_EXERCISES + 3  # exercises 1, 3 and 6 have a second, stronger hint


def _click_title(box):
    """Click a dropdown's title on its plain text: a solution's title also holds a link back
    to its exercise, and clicking that link jumps away instead."""
    title = box.locator(".admonition-title")
    title.click(position={"x": 8, "y": title.bounding_box()["height"] / 2})


def _body(box):
    """The first visible-by-design element of a dropdown's body (anything but its title)."""
    return box.locator(":scope > *:not(.admonition-title):not(button), :scope > section > *").first


@pytest.mark.browser
def test_solutions_are_hidden_until_clicked(open_page):
    page, log = open_page(PAGE)
    page.wait_for_load_state("networkidle")
    exercises = page.locator("div.exercise")
    solutions = page.locator("div.solution")
    assert exercises.count() == NUM_EXERCISES
    assert solutions.count() == NUM_EXERCISES
    for i in range(NUM_EXERCISES):
        assert exercises.nth(i).is_visible()
        solution = solutions.nth(i)
        title = solution.locator(".admonition-title")
        assert title.is_visible(), f"solution {i + 1} has no visible title to click"
        title_text = title.inner_text()
        assert "Solution to" in title_text
        # The solution's code cells (with their outputs) live inside the fold.
        cells = solution.locator("div.cell")
        assert cells.count() >= 1, f"{title_text}: no executed code cell inside the solution"
        code = cells.first.locator("div.cell_input")
        assert not code.is_visible(), f"{title_text}: code visible before clicking"
        assert not _body(solution).is_visible(), f"{title_text}: body visible before clicking"
        _click_title(solution)
        code.wait_for(state="visible", timeout=5000)
        assert _body(solution).is_visible()
        assert solution.locator("div.cell_output").first.is_visible(), f"{title_text}: no output"
        _click_title(solution)
        code.wait_for(state="hidden", timeout=5000)
    assert not log.problems(), log.problems()


@pytest.mark.browser
def test_hints_are_folded_and_stubs_and_checks_are_shown(open_page):
    page, log = open_page(PAGE)
    page.wait_for_load_state("networkidle")
    hints = page.locator(
        "div.admonition.dropdown:not(.solution)",
        has=page.locator(".admonition-title", has_text="Hint"),
    )
    assert hints.count() == NUM_HINTS
    for i in range(NUM_HINTS):
        hint = hints.nth(i)
        assert hint.locator(".admonition-title").inner_text().strip().startswith("Hint")
        assert not _body(hint).is_visible()
        _click_title(hint)
        _body(hint).wait_for(state="visible", timeout=5000)
    # Outside the folds: every stub's check output says what to do, in the open.
    text = " ".join(page.locator("main").inner_text().split())  # feedback is wrapped
    assert text.count("Replace the stub") == NUM_EXERCISES - 1  # the quiz has no stub
    assert not log.problems(), log.problems()
