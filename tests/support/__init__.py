"""What several test modules share, so that no test module imports another.

``tests/paths.py`` (the repository's folders and notebooks) predates this package and stays
where it is; everything else shared lives here:

* ``support.site``: the built site's pages (``PAGES``, ``CONTENT_PAGES``, ``NOTEBOOK_PAGES``),
  the Chinese edition's folder ``ZH``, a phone's viewport and ``wait_for_math``;
* ``support.widgets``: typing into the fill-in demo and waiting for it (browser tests);
* ``support.jupyter``: a JupyterLab or Notebook 7 server on a copy of the chapter;
* ``support.guard``: running a notebook's install guard with process launching intercepted;
* ``support.answers``: right and wrong answers to the exercises, for both languages' checks.
"""
