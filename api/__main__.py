"""``python -m api``: the command line (api/cli/main.py)."""

from __future__ import annotations

import sys

from api.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
