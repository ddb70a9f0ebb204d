"""The shipped copy of The Time Machine and its integrity check."""

import hashlib

import pytest
from paths import SHARED_DATA as SHARED

from book.data import TIME_MACHINE_SHA256, load_time_machine, time_machine_path


def test_shipped_file_has_the_pinned_digest():
    raw = time_machine_path().read_bytes()
    assert hashlib.sha256(raw).hexdigest() == TIME_MACHINE_SHA256


@pytest.mark.skipif(
    not (SHARED / "timemachine.txt.sha256").exists(),
    reason="the shared data folder is not beside this checkout",
)
def test_pinned_digest_matches_the_published_one():
    published = (SHARED / "timemachine.txt.sha256").read_text().split()[0]
    assert published == TIME_MACHINE_SHA256


def test_load_returns_the_novel():
    text = load_time_machine()
    assert text.startswith("The Time Machine, by H. G. Wells")
    assert "Time Traveller" in text and len(text) > 170_000


def test_a_damaged_copy_is_refused(tmp_path):
    damaged = tmp_path / "timemachine.txt"
    damaged.write_bytes(time_machine_path().read_bytes().replace(b"Traveller", b"Traveler", 1))
    pattern = f"sha256 should be {TIME_MACHINE_SHA256}, got [0-9a-f]{{64}}"
    with pytest.raises(ValueError, match=pattern):
        load_time_machine(damaged)
