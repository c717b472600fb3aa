"""What the load test sends, named as locust reports it, and the baseline mix.

Shared by the locustfile, the runner and the smoke test; it imports nothing
of locust, so the runner and pytest can read it without gevent's monkey-patching.
"""

from __future__ import annotations

# One name per kind of request: locust groups its figures by these names.
# The staff app (SPA documents, web/src/gql/gql.ts).
CUSTOMERS_LIST = "Customers: list"
CUSTOMERS_NEXT = "Customers: list, next page"
CUSTOMERS_SEARCH = "Customers: search"
CUSTOMERS_SEARCH_NEXT = "Customers: search, next page"
CUSTOMER = "Customer"
CUSTOMER_SESSIONS = "CustomerSessions"
CUSTOMER_SESSIONS_NEXT = "CustomerSessions: next page"
SESSION_EVENTS = "SessionEvents"
# Analytics: the analytics page (no customer) and a customer's comparison card.
RANGES = (7, 30, 90)


def analytics(days: int) -> str:
    return f"Analytics {days}d"


def comparison(days: int) -> str:
    return f"CustomerComparison {days}d"


# Tracked websites: POST /v1/track, with or without an identify payload.
TRACK = "track"
TRACK_IDENTIFY = "track + identify"

STAFF_KINDS = (
    CUSTOMERS_LIST, CUSTOMERS_NEXT, CUSTOMERS_SEARCH, CUSTOMERS_SEARCH_NEXT, CUSTOMER,
    CUSTOMER_SESSIONS, CUSTOMER_SESSIONS_NEXT, SESSION_EVENTS, comparison(90),
)  # fmt: skip
ANALYST_KINDS = (*(analytics(days) for days in RANGES), comparison(7), comparison(30))
WEBSITE_KINDS = (TRACK, TRACK_IDENTIFY)
ALL_KINDS = (*STAFF_KINDS, *ANALYST_KINDS, *WEBSITE_KINDS)

# The 1x load: concurrent users of each class (docs/performance.md, "Load test").
# locust splits --users by the classes' weights, which are these counts
# divided by 5, so 45 users give exactly 10 / 5 / 30 and 450 users ten times that.
BASELINE = {"Staff": 10, "Analyst": 5, "Visitor": 30}
WEIGHTS = {name: count // 5 for name, count in BASELINE.items()}
BASELINE_USERS = sum(BASELINE.values())
