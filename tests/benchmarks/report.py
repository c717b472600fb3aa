"""Markdown tables for docs/performance.md."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def markdown_table(
    columns: Sequence[str], rows: Iterable[Sequence[str]], label_column: bool = True
) -> str:
    """Figures right-aligned; the first column left-aligned when it is a label."""
    first = "---" if label_column else "---:"
    lines = [
        "| " + " | ".join(columns) + " |",
        "| " + " | ".join([first, *("---:" for _ in columns[1:])]) + " |",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
