"""The audit log: who did what to what, for actions that change access or erase data."""

from __future__ import annotations

from typing import Any

from api.auth.documents import AuditEntry
from api.auth.roles import Principal
from api.db.pagination import Ordering, Page, Window, paginate

_ORDER = Ordering(field="at", attr="at", kind="date", descending=True)


async def record(actor: Principal | str, action: str, target: str, **details: Any) -> None:
    label = actor if isinstance(actor, str) else actor.label
    await AuditEntry(actor=label, action=action, target=target, details=details).insert()


async def entries(window: Window, action: str | None = None) -> Page[AuditEntry]:
    query = {"action": action} if action else {}
    return await paginate(AuditEntry, query, _ORDER, window, scope="audit")
