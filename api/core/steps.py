"""Steps of a multi-write operation (ingestion, erasure, rebuild).

Each such operation is written as steps that can each be repeated safely; it
calls ``after_step`` with a step's name once the step is done, so that tests can
stop the work there (an exception, or a killed process) and prove that running
it again finishes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

Step = Callable[[str], Awaitable[None]]


async def no_stop(step: str) -> None:
    """What runs after each step outside the tests: nothing."""
