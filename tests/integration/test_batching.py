"""DataLoaders: a page of 100 items with their parents costs a constant number of queries."""

from __future__ import annotations

from strawberry.relay import GlobalID

from api.events.documents import Event, EventType
from api.sessions.documents import Session
from tests.factories import BASE, insert_customers

NODES = """
query($ids: [ID!]!) {
  nodes(ids: $ids) {
    id
    ... on Session { device customer { name email } }
  }
}
"""

EVENTS = """
query($id: ID!) {
  session(id: $id) {
    events(first: 100) {
      edges { node { type session { device } customer { name } } }
    }
  }
}
"""


async def sessions_of_distinct_customers(count):
    customers = await insert_customers(count)
    sessions = [
        Session(customerId=c.id, startTime=BASE, device="web", country=c.country) for c in customers
    ]
    await Session.insert_many(sessions)
    return await Session.find_all().to_list()


async def test_hundred_sessions_with_customers_cost_two_finds(api):
    sessions = await sessions_of_distinct_customers(100)
    ids = [str(GlobalID("Session", str(s.id))) for s in sessions]
    api.commands.reset()
    data = await api.data(NODES, ids=ids)
    assert len(data["nodes"]) == 100
    assert all(node["customer"]["name"] for node in data["nodes"])
    # One find for the sessions, one for all their customers; not 1 + 100.
    assert api.commands.counts == {"find": 2}, api.commands.counts

    api.commands.reset()
    await api.data(NODES, ids=ids[:10])
    assert api.commands.counts == {"find": 2}


async def test_hundred_events_with_session_and_customer(api):
    customers = await insert_customers(1)
    session = Session(customerId=customers[0].id, startTime=BASE, device="ios")
    await session.insert()
    await Event.insert_many(
        [
            Event(
                sessionId=session.id,
                customerId=customers[0].id,
                type=EventType.PAGE_VIEW,
                page=f"/p/{n}",
                timestamp=BASE,
            )
            for n in range(100)
        ]
    )
    api.commands.reset()
    data = await api.data(EVENTS, id=str(GlobalID("Session", str(session.id))))
    assert len(data["session"]["events"]["edges"]) == 100
    # session by id, the events page, the customer; the session is cached.
    assert api.commands.counts == {"find": 3}, api.commands.counts
