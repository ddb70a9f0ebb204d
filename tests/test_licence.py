"""Licences and citation metadata: what a reader may do with the chapter, and how to cite it.

* ``LICENSE``: the MIT licence of the code, as ``pyproject.toml`` declares it;
* ``LICENSE-TEXT.md``: CC BY-SA 4.0 for the text, its address, the attribution line and
  the licence's legal code;
* ``CITATION.cff``: valid Citation File Format 1.2.0 (checked with ``jsonschema`` against
  the schema ``tests/data/cff-1.2.0.schema.json``, copied unchanged from the cffconvert 2.0.0
  wheel on PyPI, ``cffconvert/schemas/1.2.0/schema.json``; cffconvert itself needs
  jsonschema < 4, which the Jupyter stack of the lock cannot take), naming the title,
  repository, site, version and licences the rest of the project names;
* the README states both licences. (The site's footer is checked in tests/test_clients.py.)
"""

from __future__ import annotations

import json
import re

import jsonschema
import yaml
from paths import ROOT

from tools.editions import TEXT_LICENCE, site_url

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
CITATION = yaml.safe_load((ROOT / "CITATION.cff").read_text())
SCHEMA = ROOT / "tests" / "data" / "cff-1.2.0.schema.json"


def _project(key: str) -> str:
    """A top-level string of pyproject.toml's [project] table (Python 3.10 has no tomllib)."""
    table = (ROOT / "pyproject.toml").read_text().split("[project]", 1)[1].split("\n[", 1)[0]
    return re.search(rf'^{key}\s*=\s*"([^"]*)"', table, re.M).group(1)


def test_the_code_is_mit_licensed_as_pyproject_says():
    assert _project("license") == "MIT"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text
    assert CONFIG["author"] in text


def test_the_text_is_cc_by_sa_with_its_attribution_and_legal_code():
    text = (ROOT / "LICENSE-TEXT.md").read_text()
    name, url = TEXT_LICENCE
    assert name == "CC BY-SA 4.0" and url in text
    assert f'"{CONFIG["title"]}" by {CONFIG["author"]}' in text
    assert CONFIG["repository"]["url"] in text
    for clause in (
        "Attribution-ShareAlike 4.0 International",
        "Section 1 -- Definitions.",
        "Section 3 -- License Conditions.",
        "ShareAlike.",
    ):
        assert clause in text, clause


def test_citation_cff_is_valid_cff_1_2():
    schema = json.loads(SCHEMA.read_text())
    assert schema["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(CITATION), key=str)
    assert not errors, [e.message for e in errors]


def test_the_schema_check_catches_a_broken_citation():
    schema = json.loads(SCHEMA.read_text())
    broken = dict(CITATION, authors=[{"nickname": 3}], license="Not-A-Licence")
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))


def test_citation_names_what_the_project_names():
    assert CITATION["title"] == CONFIG["title"]
    assert [a["name"] for a in CITATION["authors"]] == [CONFIG["author"]]
    assert CITATION["repository-code"] == CONFIG["repository"]["url"]
    assert CITATION["url"] == site_url(CONFIG["repository"]["url"])
    assert CITATION["version"] == _project("version")
    assert sorted(CITATION["license"]) == ["CC-BY-SA-4.0", _project("license")]


def test_the_readme_states_both_licences():
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"CC BY-SA 4\.0.*LICENSE-TEXT\.md", readme, re.S)
    assert re.search(r"MIT.*\(LICENSE\)|`LICENSE`", readme)
    assert "CITATION.cff" in readme
