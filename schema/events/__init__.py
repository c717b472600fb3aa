"""GraphQL side of the events domain.

Its enum is registered here, before any module's types use it: the domain's
own class becomes the GraphQL enum, so fields are annotated with it."""

import strawberry

from api.events.documents import EventType

strawberry.enum(EventType, name="EventType", description="What a customer did.")

__all__ = ["EventType"]
