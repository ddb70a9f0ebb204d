"""requirements.txt is the lock `make lock` compiles from requirements.in (pip-compile): a
requirement added to, changed in or removed from requirements.in, or a dependency of the
`book` package (pyproject.toml) the lock does not satisfy, means the lock is stale."""

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from paths import ROOT


def _lines(name: str) -> list[str]:
    return [line.split("#")[0].strip() for line in (ROOT / name).read_text().splitlines()]


def _pins() -> dict[str, str]:
    """The lock's pinned versions, by canonical name."""
    pins = {}
    for line in _lines("requirements.txt"):
        if "==" in line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.split(";")[0].strip()
    return pins


def _direct() -> list[Requirement]:
    """requirements.in's requirements and the book package's own (pyproject.toml)."""
    found = [
        Requirement(line) for line in _lines("requirements.in") if line and not line.startswith("-")
    ]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return found + [Requirement(r) for r in project["dependencies"]]


def _via_requirements_in() -> set[str]:
    """The packages the lock says it holds because requirements.in asks for them."""
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    found, current = set(), None
    for line in lines:
        if line.startswith("-"):
            current = None  # -e file:. (the book package itself)
        elif line and not line.startswith((" ", "#")):
            current = canonicalize_name(line.split("==")[0])
        elif current and "-r requirements.in" in line:
            found.add(current)
    return found


@pytest.mark.parametrize("requirement", _direct(), ids=str)
def test_the_lock_satisfies_every_direct_requirement(requirement):
    pins = _pins()
    name = canonicalize_name(requirement.name)
    assert name in pins, f"{requirement} is not in requirements.txt: run `make lock`"
    assert requirement.specifier.contains(pins[name], prereleases=True), (
        f"requirements.txt pins {name}=={pins[name]}, not {requirement}: run `make lock`"
    )


def test_the_lock_holds_no_requirement_requirements_in_dropped():
    wanted = {
        canonicalize_name(Requirement(line).name)
        for line in _lines("requirements.in")
        if line and not line.startswith("-")
    }
    assert _via_requirements_in() == wanted, "requirements.txt is stale: run `make lock`"


def test_the_lock_is_cpu_only_torch():
    """Binder and the lock install PyTorch's CPU wheels (binder/requirements.txt); a lock
    that pulled CUDA packages would weigh gigabytes."""
    assert not [name for name in _pins() if name.startswith("nvidia-")]
