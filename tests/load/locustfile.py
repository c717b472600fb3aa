"""Who uses the API at once, and how: three kinds of locust users.

* ``Staff``: a colleague in the staff app. Browses the customer list and pages
  on with the cursor, searches as they type, opens a customer (the SPA then
  asks for the customer's 90-day comparison and first sessions), pages their
  sessions and opens a session's events, reading each page in between.
* ``Analyst``: reads the analytics page for the last 7, 30 or 90 days and the
  comparison of one customer over those ranges, with longer reading pauses.
* ``Visitor``: one browser tab on a tracked shop running ``tracker.js``: visits
  made of page views (with the seconds spent on them), searches, carts,
  upsells and checkouts, flushed to ``POST /v1/track`` as batches of 1 to 20
  events with the site's write key, now and then with an ``identify`` payload;
  after a visit a new visitor comes, or a returning one with a new session.

The GraphQL documents are the SPA's own (``tests/load/spa.py``); every request
is named by its kind (``tests/load/kinds.py``) so locust groups the figures by
kind. Run by ``python -m tests.load.run``, which writes the credentials and the
data to pick from into the file named by ``LOAD_FIXTURE``. ``LOAD_THINK_SCALE``
multiplies every pause (1 = as people pause); ``LOAD_TOUR=1`` makes each user
first send every kind of request of its class once (the smoke test's check
that nothing here has rotted).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from locust import FastHttpUser, task
from locust.contrib.fasthttp import FastHttpSession, ResponseContextManager

from tests.load import kinds
from tests.load.spa import documents, iso, last_days

THINK_SCALE = float(os.environ.get("LOAD_THINK_SCALE", "1"))
TOUR = os.environ.get("LOAD_TOUR") == "1"
PAGE_SIZE = 25  # CustomersPage.tsx
SESSIONS_PAGE = 20  # SessionsList
EVENTS_PAGE = 100  # SessionEvents


@cache
def fixture() -> dict[str, Any]:
    """Credentials and data to pick from, written by the runner."""
    path = os.environ.get("LOAD_FIXTURE")
    if not path:
        raise RuntimeError("LOAD_FIXTURE is not set: run it with python -m tests.load.run")
    data: dict[str, Any] = json.loads(Path(path).read_text())
    return data


def pause(low: float, high: float) -> Callable[[Any], float]:
    """A locust wait_time: uniformly between ``low`` and ``high`` seconds, scaled."""
    return lambda _user: random.uniform(low, high) * THINK_SCALE


def think(low: float, high: float) -> None:
    """A person reading or typing. Locust patches time.sleep with gevent's: this
    user's greenlet sleeps, the others run."""
    time.sleep(random.uniform(low, high) * THINK_SCALE)


def arrive(longest: float) -> None:
    """A user starts somewhere in their routine, not all at the same instant:
    without this, every user of a ramp sends its first request at once."""
    think(0, longest)


def traceparent() -> str:
    """The SPA starts a sampled W3C trace for every request (app/tracing.ts)."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def _failure(response: ResponseContextManager, reason: str) -> None:
    # The reason is the failure's kind in locust's report: keep it free of ids.
    response.failure(reason[:160])


class Slots:
    """Hands each new user of a class the next of its credentials, so that
    every simulated person uses a key of their own, as each staff member has."""

    def __init__(self) -> None:
        self._counters: dict[str, Iterator[int]] = {}

    def take(self, name: str, keys: list[str]) -> str:
        counter = self._counters.setdefault(name, itertools.count())
        return keys[next(counter) % len(keys)]


SLOTS = Slots()


class GraphQLClient:
    """POST /graphql as the SPA does it (urql: operationName, query, variables)."""

    def __init__(self, client: FastHttpSession, key: str) -> None:
        self.client = client
        self.key = key

    def __call__(self, kind: str, operation: str, variables: dict[str, Any]) -> Any:
        """The response's data, or None when the request failed (and was reported so)."""
        body = {"operationName": operation, "query": documents()[operation], "variables": variables}
        headers = {"Authorization": f"Bearer {self.key}", "traceparent": traceparent()}
        with self.client.post(
            "/graphql", json=body, headers=headers, name=kind, catch_response=True
        ) as response:
            if response.status_code == 0:
                _failure(response, f"connection: {getattr(response, 'error', None)!r}")
                return None
            try:
                payload = response.json()
            except ValueError:
                _failure(response, f"HTTP {response.status_code}: not JSON")
                return None
            errors = payload.get("errors") if isinstance(payload, dict) else None
            if response.status_code != 200 or errors:
                first = (errors or [{}])[0]
                code = (first.get("extensions") or {}).get("code", "")
                _failure(response, f"HTTP {response.status_code} {code}: {first.get('message')}")
                return None
            return payload.get("data")


def edges(connection: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [edge["node"] for edge in (connection or {}).get("edges", [])]


def next_cursor(connection: dict[str, Any] | None) -> str | None:
    info = (connection or {}).get("pageInfo") or {}
    return info.get("endCursor") if info.get("hasNextPage") else None


class Staff(FastHttpUser):
    """A colleague using the staff app: lists, search, a customer and their sessions."""

    weight = kinds.WEIGHTS["Staff"]
    wait_time = pause(3, 12)  # between one look-up and the next

    def on_start(self) -> None:
        data = fixture()
        self.gql = GraphQLClient(self.client, SLOTS.take("staff", data["staffKeys"]))
        self.zone = random.choice(data["timeZones"])
        self.recent: list[str] = []  # "Recently viewed" in the sidebar
        self.shown: list[dict[str, Any]] = []  # the rows of the last list or search
        if TOUR:
            self.tour()
        else:
            arrive(12)

    def tour(self) -> None:
        data = fixture()
        cursor = self.list_page(None, {})
        self.list_page(cursor, {})
        cursor = self.search_page(data["broadPrefix"], None)
        self.search_page(data["broadPrefix"], cursor)
        sessions_cursor = self.customer_page(data["busyCustomer"])
        if sessions_cursor:
            self.more_sessions(data["busyCustomer"], sessions_cursor)

    # One page or request each, as the SPA sends them.

    def list_page(self, after: str | None, view: dict[str, Any]) -> str | None:
        variables = {"search": None, "filter": None, **view, "first": PAGE_SIZE, "after": after}
        variables.setdefault("orderBy", {"field": "CREATED_AT", "direction": "DESC"})
        kind = kinds.CUSTOMERS_NEXT if after else kinds.CUSTOMERS_LIST
        data = self.gql(kind, "Customers", variables)
        connection = data and data["customers"]
        self.shown = edges(connection)
        return next_cursor(connection)

    def search_page(self, text: str, after: str | None) -> str | None:
        variables = {
            "search": text,
            "filter": None,
            "orderBy": {"field": "CREATED_AT", "direction": "DESC"},
            "first": PAGE_SIZE,
            "after": after,
        }
        kind = kinds.CUSTOMERS_SEARCH_NEXT if after else kinds.CUSTOMERS_SEARCH
        data = self.gql(kind, "Customers", variables)
        connection = data and data["customers"]
        self.shown = edges(connection)
        return next_cursor(connection)

    def customer_page(self, customer_id: str) -> str | None:
        """The customer, then (as the SPA, once it has it) the comparison card and
        the sessions list; then maybe a session's events. The sessions' cursor."""
        data = self.gql(kinds.CUSTOMER, "Customer", {"id": customer_id})
        if not data or not data["customer"]:
            return None
        self.recent = [customer_id, *(c for c in self.recent if c != customer_id)][:8]
        range_ = last_days(90, self.zone)
        self.gql(
            kinds.comparison(90),
            "CustomerComparison",
            {"id": customer_id, "range": range_, "timeZone": self.zone},
        )
        data = self.gql(
            kinds.CUSTOMER_SESSIONS, "CustomerSessions", {"id": customer_id, "first": SESSIONS_PAGE}
        )
        connection = data and data["customer"] and data["customer"]["sessions"]
        sessions = edges(connection)
        if sessions and (TOUR or random.random() < 0.7):
            think(4, 15)
            # Mostly the newest visits, at the top of the list.
            session = sessions[min(int(random.expovariate(0.5)), len(sessions) - 1)]
            self.session_events(session["id"])
        return next_cursor(connection)

    def more_sessions(self, customer_id: str, after: str) -> None:
        variables = {"id": customer_id, "first": SESSIONS_PAGE, "after": after}
        self.gql(kinds.CUSTOMER_SESSIONS_NEXT, "CustomerSessions", variables)

    def session_events(self, session_id: str) -> None:
        self.gql(kinds.SESSION_EVENTS, "SessionEvents", {"id": session_id, "first": EVENTS_PAGE})

    def open_one(self) -> None:
        """Open a customer from the rows shown, read, perhaps load more sessions."""
        if not self.shown:
            return
        think(2, 8)
        customer_id = random.choice(self.shown)["id"]
        cursor = self.customer_page(customer_id)
        if cursor and random.random() < 0.15:
            think(3, 10)
            self.more_sessions(customer_id, cursor)

    # What a person does, with the pauses in between.

    @task(4)
    def browse(self) -> None:
        """The customer list (newest first, sometimes by last seen or one country),
        a few pages down, then a customer."""
        view: dict[str, Any] = {}
        roll = random.random()
        if roll < 0.2:
            view["orderBy"] = {"field": "LAST_SEEN_AT", "direction": "DESC"}
        elif roll < 0.3:
            view["filter"] = {"countries": [random.choice(fixture()["countries"])]}
        cursor = self.list_page(None, view)
        while cursor and random.random() < 0.4:
            think(2, 6)
            cursor = self.list_page(cursor, view)
        if random.random() < 0.7:
            self.open_one()

    @task(4)
    def search(self) -> None:
        """Type a name: the SPA searches once the typing pauses (250 ms), so the
        first letters and then the whole word; maybe page on; open a match."""
        word = random.choice(fixture()["names"])
        cut = random.randint(2, 4)
        if cut < len(word):
            self.search_page(word[:cut], None)
            think(0.4, 1.5)
        cursor = self.search_page(word, None)
        if cursor and random.random() < 0.2:
            think(2, 6)
            self.search_page(word, cursor)
        if random.random() < 0.8:
            self.open_one()

    @task(1)
    def recent_customer(self) -> None:
        """Back to a customer from "Recently viewed"."""
        if self.recent:
            self.customer_page(random.choice(self.recent))


class Analyst(FastHttpUser):
    """Reads the analytics page and customers' comparisons; reads long."""

    weight = kinds.WEIGHTS["Analyst"]
    wait_time = pause(10, 40)

    def on_start(self) -> None:
        data = fixture()
        self.gql = GraphQLClient(self.client, SLOTS.take("analyst", data["analystKeys"]))
        self.zone = random.choice(data["timeZones"])
        if TOUR:
            for days in kinds.RANGES:
                self.analytics(days)
            for days in (7, 30):
                self.comparison(random.choice(data["customers"]), days)
        else:
            arrive(40)

    def analytics(self, days: int) -> None:
        variables = {"range": last_days(days, self.zone), "timeZone": self.zone,
                     "granularity": "DAY"}  # fmt: skip
        self.gql(kinds.analytics(days), "Analytics", variables)

    def comparison(self, customer_id: str, days: int) -> None:
        variables = {"id": customer_id, "range": last_days(days, self.zone), "timeZone": self.zone}
        self.gql(kinds.comparison(days), "CustomerComparison", variables)

    @task(3)
    def dashboard(self) -> None:
        """The page opens on 7 days; then 30 days, sometimes a custom 90."""
        self.analytics(7)
        if random.random() < 0.7:
            think(10, 30)
            self.analytics(30)
            if random.random() < 0.4:
                think(10, 30)
                self.analytics(90)

    @task(1)
    def customer(self) -> None:
        """How one customer compares, over a range or two."""
        customer_id = random.choice(fixture()["customers"])
        for days in random.sample(kinds.RANGES, random.randint(1, 2)):
            self.comparison(customer_id, days)
            think(8, 25)


# The demo shop's pages and what happens on them (web/demo/shop.js).
PRODUCTS = 40
QUERIES = ("running shoes", "rain jacket", "headphones", "backpack", "desk lamp",
           "coffee grinder", "yoga mat", "water bottle", "winter boots", "gift card")  # fmt: skip
FIRST = ("Ann", "Ben", "Chloé", "Dmitri", "Elif", "Femi", "Greta", "Hiro", "Inés", "Jonas",
         "Kasia", "Luca", "Maya", "Noor", "Oscar", "Priya", "Rafael", "Sofia", "Tomás",
         "Yuki")  # fmt: skip
LAST = ("Lee", "Berg", "Dubois", "Ivanova", "Demir", "Okafor", "Schmidt", "Tanaka", "García",
        "Nowak", "Rossi", "Khan", "Andersen", "Silva", "Müller", "Moreau", "Costa",
        "Sato")  # fmt: skip
LOCALES = (("US", "en-US"), ("GB", "en-GB"), ("DE", "de-DE"), ("FR", "fr-FR"), ("ES", "es-ES"),
           ("BR", "pt-BR"), ("JP", "ja-JP"), ("PL", "pl-PL"), ("NL", "nl-NL"))  # fmt: skip
# Events per request: the snippet flushes every 5 s, so mostly a few events;
# more when a tab comes back online, when a hidden page's beacon sends the
# queue, or from an app that batches.
BATCH_SIZES = range(1, 21)
BATCH_WEIGHTS = (20, 16, 13, 10, 8, 6, 5, 4, 3, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1)


def product_price(product: int) -> float:
    return round(9.5 + (product * 37 % 190), 2)


@dataclass
class Visit:
    """One visit of one visitor: where they are, their cart, their clock."""

    distinct_id: str
    session_id: str
    flushes_left: int
    identify_at: int | None  # the flush that carries identify, if this visit has one
    page: str = "/home"
    cart: list[dict[str, Any]] = field(default_factory=list)
    clock: datetime = field(default_factory=lambda: datetime.now(UTC))

    def _event(self, kind: str, page: str, metadata: dict[str, Any]) -> dict[str, Any]:
        return {
            "eventId": str(uuid.uuid4()),
            "distinctId": self.distinct_id,
            "sessionId": self.session_id,
            "type": kind,
            "page": page,
            "timestamp": self.clock,  # made text when the batch is sent
            "metadata": metadata,
        }

    def _step(self) -> list[dict[str, Any]]:
        """The events of leaving the current page: its page view, sent at its end
        with the seconds spent, plus what was done there; then the next page."""
        spent = round(min(random.lognormvariate(2.8, 0.9), 600), 1)
        out = [self._event("page_view", self.page, {"timeSpent": spent})]
        self.clock += timedelta(seconds=spent)
        roll = random.random()
        if self.page.startswith("/product/") and roll < 0.3:
            product = int(self.page.rsplit("/", 1)[1])
            line = {"productId": product, "price": product_price(product), "quantity": 1}
            self.cart.append(line)
            out.append(self._event("add_to_cart", self.page, {**line, "currency": "USD"}))
            self.page = "/cart" if random.random() < 0.5 else "/home"
        elif self.page == "/cart" and self.cart and roll < 0.5:
            if random.random() < 0.3:
                upsell = {"productId": 99, "name": "Gift wrap", "price": 4.5}
                out.append(self._event("upsell", "/cart", {**upsell, "accepted": True,
                                                          "currency": "USD"}))  # fmt: skip
                self.cart.append({"productId": 99, "price": 4.5, "quantity": 1})
            total = round(sum(line["price"] * line["quantity"] for line in self.cart), 2)
            order = {"orderTotal": total, "items": self.cart, "currency": "USD"}
            out.append(self._event("checkout", "/checkout", order))
            self.cart = []
            self.page = "/home"
        elif roll < 0.25:
            query = random.choice(QUERIES)
            out.append(self._event("search", "/search", {"query": query}))
            self.page = "/search"
        else:
            self.page = f"/product/{random.randint(1, PRODUCTS)}"
        return out

    def events(self, count: int) -> list[dict[str, Any]]:
        # A batch holds what the tab queued since it last flushed: events of the
        # last minutes, never of the future.
        self.clock = max(self.clock, datetime.now(UTC) - timedelta(minutes=5))
        out: list[dict[str, Any]] = []
        while len(out) < count:
            out.extend(self._step())
        out = out[:count]
        # The views were read before the flush: a batch that would reach past
        # now is moved back to end now.
        late = max(timedelta(0), out[-1]["timestamp"] - datetime.now(UTC))
        self.clock = out[-1]["timestamp"] - late
        for event in out:
            event["timestamp"] = iso(event["timestamp"] - late)
        return out


class Visitor(FastHttpUser):
    """A tab on a tracked website: the snippet's batches to POST /v1/track."""

    weight = kinds.WEIGHTS["Visitor"]
    wait_time = pause(5, 30)  # the snippet flushes every 5 s when events wait

    def on_start(self) -> None:
        self.write_key = SLOTS.take("website", fixture()["writeKeys"])
        self.known: list[str] = []  # visitors of this tab before: some return
        self.identities: dict[str, dict[str, str]] = {}  # who said who they are
        self.visit = self.new_visit()
        if TOUR:
            self.visit.identify_at = self.visit.flushes_left
            self.flush()
            self.flush()
        else:
            arrive(30)

    def new_visit(self) -> Visit:
        if self.known and random.random() < 0.25:
            distinct_id = random.choice(self.known)
        else:
            distinct_id = "v_" + secrets.token_hex(8)  # as tracker.js makes them
            self.known = [*self.known, distinct_id][-5:]
        flushes = random.randint(2, 12)
        identify_at = random.randint(1, flushes) if random.random() < 0.3 else None
        return Visit(distinct_id, "s_" + secrets.token_hex(8), flushes, identify_at)

    def identity(self) -> dict[str, str]:
        """Who the visitor says they are; a returning visitor says the same again."""
        distinct_id = self.visit.distinct_id
        if distinct_id not in self.identities:
            first, last = random.choice(FIRST), random.choice(LAST)
            country, language = random.choice(LOCALES)
            # Unique, so that an identify never collides with another customer's email.
            email = f"{first}.{last}.{secrets.token_hex(4)}@example.com".lower()
            self.identities[distinct_id] = {"distinctId": distinct_id, "name": f"{first} {last}",
                                            "email": email, "country": country,
                                            "language": language}  # fmt: skip
        return self.identities[distinct_id]

    @task
    def flush(self) -> None:
        visit = self.visit
        size = random.choices(BATCH_SIZES, BATCH_WEIGHTS)[0]
        body: dict[str, Any] = {"events": visit.events(size), "writeKey": self.write_key}
        if visit.identify_at == visit.flushes_left:
            body["identify"] = self.identity()
        self.post_batch(body)
        visit.flushes_left -= 1
        if visit.flushes_left <= 0:
            self.visit = self.new_visit()

    def post_batch(self, body: dict[str, Any]) -> None:
        kind = kinds.TRACK_IDENTIFY if "identify" in body else kinds.TRACK
        # fetch() with a string body: text/plain, no CORS preflight.
        headers = {"Content-Type": "text/plain;charset=UTF-8"}
        with self.client.post(
            "/v1/track", data=json.dumps(body), headers=headers, name=kind, catch_response=True
        ) as response:
            if response.status_code == 0:
                _failure(response, f"connection: {getattr(response, 'error', None)!r}")
                return
            try:
                reply = response.json()
            except ValueError:
                _failure(response, f"HTTP {response.status_code}: not JSON")
                return
            if response.status_code != 200:
                error = reply.get("error") or {}
                _failure(response, f"HTTP {response.status_code} {error.get('code')}")
                return
            stored = reply.get("accepted", 0) + reply.get("duplicates", 0)
            identify = reply.get("identify") or {}
            if reply.get("rejected") or stored != len(body["events"]):
                reasons = {item.get("reason") for item in reply.get("results", [])} - {None}
                _failure(response, f"events rejected: {sorted(reasons)[:2]}")
            elif "identify" in body and identify.get("status") != "accepted":
                _failure(response, f"identify rejected: {identify.get('reason')}")
