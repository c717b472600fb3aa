"""The tracking snippet stays small and talks to no third party."""

import gzip
import re
from pathlib import Path

TRACKER = Path(__file__).resolve().parents[2] / "web" / "tracker" / "tracker.js"
BUDGET = 3072  # bytes, gzip -9


def test_tracker_is_under_3_kb_gzipped():
    size = len(gzip.compress(TRACKER.read_bytes(), compresslevel=9))
    assert size < BUDGET, f"tracker.js is {size} bytes gzipped, the budget is {BUDGET}"


def test_tracker_names_no_urls():
    found = re.findall(r"https?://\S*", TRACKER.read_text(), flags=re.IGNORECASE)
    assert not found, f"tracker.js must only call its configured endpoint: {found}"
