"""The core path reads in 20 minutes; the word counter counts prose, not code or maths."""

from tools import wordcount


def test_the_core_path_reads_in_twenty_minutes():
    report = wordcount.report()
    assert report["minutes"]["core"] <= 20.0, report["pages"]
    assert report["words"]["optional"] > 0, "the optional part has pages"


def test_prose_leaves_out_code_maths_targets_and_options():
    source = """(sec-x)=
# A title

Two words and $x_t$ inline.

$$
a = b
$$ (eq-a)

```python
print("not prose")
```

```{exercise} Shapes
:label: ex-a

Read this.
```
"""
    assert wordcount.words(source) == len("A title Two words and x inline Shapes Read this".split())


def test_folded_text_is_counted_on_demand_only():
    source = "Visible text.\n\n```{admonition} Hint\n:class: dropdown\n\nFolded words here.\n```\n"
    assert wordcount.words(source) == 3  # "Visible text" and "Hint"
    assert wordcount.words(source, on_demand=True) == 3  # "Folded words here"
