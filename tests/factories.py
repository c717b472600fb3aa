"""Small, explicit test data: customers, sessions and events written through Beanie."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from api.customers.documents import Customer
from api.events.documents import Event, EventType
from api.sessions.documents import Session

BASE = datetime(2026, 6, 1, tzinfo=UTC)

NAMES = [
    "José Álvarez",
    "Jose Alvarez",
    "Zoë Müller",
    "Anna Schmidt",
    "anna schmidt",
    "Иван Петров",
    "王芳",
    "Jean-Luc Picard",
    "Søren Kierkegaard",
    "Łukasz Żak",
    "Ångström Öberg",
    "Chloé Dubois",
    "O'Brien Patrick",
    "Mary Ann Smith",
    "Émile Zola",
    "Anna",
    "Björk Guðmundsdóttir",
]
COUNTRIES = ["DE", "FR", "ES", "PL", "SE", "JP", "CN", "RU", "US", "GB"]
LANGUAGES = [
    "de-DE",
    "fr-FR",
    "es-ES",
    "pl-PL",
    "sv-SE",
    "ja-JP",
    "zh-CN",
    "ru-RU",
    "en-US",
    "en-GB",
]


def make_customers(count: int, seed: int = 7) -> list[Customer]:
    """Customers with repeated names and timestamps, so ties must be broken by id."""
    rng = random.Random(seed)
    customers = []
    for index in range(count):
        name = NAMES[index % len(NAMES)]
        created = BASE + timedelta(hours=rng.randrange(0, 12))  # many equal values
        email = None if index % 7 == 3 else f"user{index}+tag{index % 3}@example.com"
        country_index = rng.randrange(len(COUNTRIES))
        customers.append(
            Customer(
                distinctId=f"d-{index:04d}",
                name=name,
                email=email,
                country=COUNTRIES[country_index],
                language=LANGUAGES[country_index],
                createdAt=created,
                lastSeenAt=created + timedelta(minutes=rng.randrange(0, 3) * 30),
            )
        )
    return customers


async def insert_customers(count: int, seed: int = 7) -> list[Customer]:
    customers = make_customers(count, seed)
    await Customer.insert_many(customers)
    return await Customer.find_all().to_list()


async def insert_sessions(customer: Customer, count: int, events_each: int = 3) -> list[Session]:
    sessions = []
    for index in range(count):
        start = BASE + timedelta(hours=index // 2)  # pairs share a start time
        session = Session(
            customerId=customer.id,
            startTime=start,
            endTime=None if index == count - 1 else start + timedelta(minutes=10),
            device=["web", "ios", "android"][index % 3],
            country=customer.country,
            eventCount=events_each,
        )
        await session.insert()
        events = [
            Event(
                sessionId=session.id,
                customerId=customer.id,
                type=list(EventType)[n % len(EventType)],
                page=f"/page/{n}",
                timestamp=start + timedelta(seconds=n // 2),  # pairs share a timestamp
                metadata={"timeSpent": n} if n % 5 == 1 else {},
            )
            for n in range(events_each)
        ]
        if events:
            await Event.insert_many(events)
        sessions.append(session)
    return sessions
