"""The soak's memory verdict: warming up is allowed, growth that goes on is not."""

from __future__ import annotations

from typing import Any

from tests.load.run import soak_summary

RAMP, START = 20.0, 10.0  # as the runner records them: locust started, then its ramp


def soak(rss_at: Any, minutes: int = 10, every: float = 5.0) -> dict[str, Any]:
    measured = START + RAMP
    samples = [
        {"t": measured + n * every, "rss_mb": rss_at(n * every / 60)}
        for n in range(int(minutes * 60 / every) + 1)
    ]
    return {"locust_started_s": START, "ramp_s": RAMP, "samples": samples}


def test_memory_that_levels_off_after_warming_up_is_flat() -> None:
    # 92 MB rising to 100.6 MB over three minutes, then still: the soak of docs/performance.md.
    memory = soak_summary(soak(lambda minute: 92 + 8.6 * min(minute, 3) / 3))
    assert memory["flat"]
    assert memory["first_minute_mb"] < 95 and memory["middle_minute_mb"] == 100.6


def test_memory_that_keeps_growing_is_not_flat() -> None:
    # 3.7 MB a minute, the soak before the analytics fix.
    memory = soak_summary(soak(lambda minute: 104 + 3.7 * minute))
    assert not memory["flat"]
    assert 3.6 < memory["second_half_slope_mb_per_min"] < 3.8


def test_slow_growth_in_the_second_half_is_not_flat() -> None:
    # Under 5 % between the middle and the end, but still a leak: 0.8 MB a minute.
    memory = soak_summary(soak(lambda minute: 100 + 0.8 * minute))
    assert not memory["flat"]


def test_a_short_soak_still_gets_a_verdict() -> None:
    memory = soak_summary(soak(lambda minute: 100.0, minutes=1, every=30))
    assert memory["flat"] and memory["middle_minute_mb"] == 100.0
