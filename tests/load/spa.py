"""The GraphQL documents the staff app sends, read from the SPA's generated
document map (web/src/gql/gql.ts), so the load test asks exactly what the
browser asks and follows the SPA when its queries change; and its date ranges.

urql's Graphcache adds ``__typename`` to every selection set below the root
before sending a document (it needs it to key its cache); ``wire_document``
does the same, so the server parses and answers the same text.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from graphql import (
    FieldNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "web" / "src" / "gql" / "gql.ts"

# In the map `const documents: Documents = { "<document>": types.<Name>Document, ... }`
# each key is a JSON-compatible string literal.
_MAP = re.compile(r"const documents: Documents = \{(?P<body>.*?)\n\};", re.DOTALL)
_ENTRY = re.compile(
    r'^\s*(?P<text>"(?:[^"\\]|\\.)*"): types\.(?P<name>\w+)Document,$', re.MULTILINE
)


class _AddTypename(Visitor):
    def enter_selection_set(
        self, node: SelectionSetNode, _key: Any, parent: Any, *_: Any
    ) -> SelectionSetNode | None:
        if isinstance(parent, OperationDefinitionNode):
            return None  # the root (Query) gets none, as in urql
        names = {sel.name.value for sel in node.selections if isinstance(sel, FieldNode)}
        if "__typename" in names:
            return None
        typename = FieldNode(
            name=NameNode(value="__typename"), arguments=(), directives=(), selection_set=None
        )
        return SelectionSetNode(selections=(*node.selections, typename))


def wire_document(source: str) -> str:
    """The document as urql + Graphcache send it."""
    return print_ast(visit(parse(source), _AddTypename()))


@cache
def documents(path: Path = GENERATED) -> dict[str, str]:
    """Operation name -> the document as sent, for every document of the SPA."""
    found = _MAP.search(path.read_text())
    if found is None:
        raise RuntimeError(f"no document map in {path}: has GraphQL Codegen's output changed?")
    result = {
        entry["name"]: wire_document(json.loads(entry["text"]))
        for entry in _ENTRY.finditer(found["body"])
    }
    if not result:
        raise RuntimeError(f"no documents found in {path}")
    return result


def iso(moment: datetime) -> str:
    """As the browser's ``Date.toISOString()``: UTC, milliseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def last_days(days: int, zone: str) -> dict[str, str]:
    """The last ``days`` whole local days, today included (ui/dates.ts ``lastDays``,
    analytics/range.ts ``resolveRange``): [local midnight days - 1 ago, next midnight)."""
    tz = ZoneInfo(zone)
    today = datetime.now(tz).date()

    def midnight(day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), tzinfo=tz)

    return {
        "from": iso(midnight(today - timedelta(days=days - 1))),
        "to": iso(midnight(today + timedelta(days=1))),
    }
