"""Settings and grouping shared by every test, notebooks included.

Environment: tqdm reads ``TQDM_*`` variables when it is imported, and nbval's kernels
inherit this process's environment; with ``TQDM_DISABLE=1`` the notebooks' training
progress bars draw nothing, so re-executed outputs compare equal with the saved ones
(``make execute`` sets the same switch). ``BOOK_LANG`` is removed, so that each notebook's
folder gives its kernel its language (nbval starts a kernel in its notebook's folder):
``chapters/`` English, ``zh_CN/chapters/`` Chinese, as ``make execute`` ran them.

Groups: every collected test gets one of three markers, so a part of the suite can be
chosen with ``-m``:

* ``notebooks``: the chapter's notebooks, re-executed and compared by nbval;
* ``site``: tests of the built book (a book build or a headless browser, or anything that
  reads ``_build/html``); ``make test`` builds the book first;
* ``unit``: everything else, fast and self-contained (``make test-fast`` runs these and
  the notebooks).
"""

import os

import pytest

os.environ["TQDM_DISABLE"] = "1"
os.environ.pop("BOOK_LANG", None)


def pytest_collection_modifyitems(items):
    for item in items:
        if any(item.get_closest_marker(g) for g in ("unit", "notebooks", "site")):
            continue  # the test chose its group itself
        if item.path.suffix == ".ipynb":
            group = "notebooks"
        elif (
            item.get_closest_marker("build")
            or item.get_closest_marker("browser")
            or "built_book" in getattr(item, "fixturenames", ())
        ):
            group = "site"
        else:
            group = "unit"
        item.add_marker(getattr(pytest.mark, group))
