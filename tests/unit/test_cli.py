"""The command line refuses what it cannot run, before starting anything."""

from __future__ import annotations

import pytest

from api.__main__ import main


@pytest.mark.parametrize("workers", ["0", "-2", "two"])
def test_serve_refuses_a_worker_count_below_one(
    workers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--workers", workers])
    assert stopped.value.code == 2
    assert "--workers" in capsys.readouterr().err
