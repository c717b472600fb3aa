"""Print or check the SDL in schema/schema.graphql.

python -m schema.export          # rewrite the file
python -m schema.export --check  # exit 1 when the file is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from schema import schema

SDL_PATH = Path(__file__).with_name("schema.graphql")


def sdl() -> str:
    return schema.as_str().rstrip() + "\n"


def main(argv: list[str]) -> int:
    current = sdl()
    if "--check" in argv:
        if not SDL_PATH.exists() or SDL_PATH.read_text() != current:
            print(f"{SDL_PATH.name} is stale: run `make schema`", file=sys.stderr)
            return 1
        return 0
    SDL_PATH.write_text(current)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
