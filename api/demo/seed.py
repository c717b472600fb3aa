"""Deterministic, realistic demo data: customers from many countries, their
sessions and the events of those sessions.

``generate`` yields raw MongoDB documents exactly as the Beanie models store
them (aliases as field names, derived customer fields computed by the same
functions the model uses, ``_id`` ObjectIds whose timestamp is the document's
own time). Everything random comes from one ``random.Random(seed)`` and
Faker instances seeded from it, so the same ``(customers, seed, anchor)`` gives
identical documents, ObjectIds included, for the same Faker, Unidecode and
pypinyin versions. The first N customers of a larger run equal a run of N customers.

``load`` bulk-inserts them; ``python -m api seed`` (api/cli/seed.py) runs both.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
import struct
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from bson import ObjectId
from faker import Faker
from pymongo.asynchronous.database import AsyncDatabase
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from unidecode import unidecode

from api.core.hourkeys import hour_key
from api.customers.documents import email_key
from api.customers.search import customer_terms, romanisation, sort_name
from api.events.documents import EventType, event_object_id
from api.ingestion.context import Agent, event_context, parse_user_agent

Doc = dict[str, Any]
Batch = tuple[list[Doc], list[Doc], list[Doc]]

BATCH_CUSTOMERS = 200
INSERT_CHUNK = 5000
WINDOW = timedelta(days=180)
MAX_SESSIONS = 30
MAX_EVENTS = 40
NO_EMAIL_SHARE = 0.05
PLUS_ADDRESS_SHARE = 0.06
ACTIVE_SHARE = 0.11  # of customers with sessions: about 10 % of all customers
PRODUCTS = 500
CURRENCY = "USD"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = 1000
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR

SEARCH = EventType.SEARCH.value
PAGE_VIEW = EventType.PAGE_VIEW.value
ADD_TO_CART = EventType.ADD_TO_CART.value
UPSELL = EventType.UPSELL.value
CHECKOUT = EventType.CHECKOUT.value
# The website's own events, as analysts name them in other tools.
SIGNUP = "signup"
VIDEO_PLAY = "video.play"
FEATURE_USED = "feature.used"
PLANS = ("free", "plus", "pro")
PLAN_WEIGHTS = (70, 20, 10)
FEATURES = ("wishlist", "size_guide", "compare", "share", "dark_mode", "currency_switch")
VIDEO_QUALITIES = ("360p", "720p", "1080p", "4k")
SITE = "https://shop.example"

# Real user agents by the session's device, with their share; each customer keeps
# one per device. They go through ingestion's parser (api/ingestion/context.py).
AGENTS = {
    "web": (
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Safari/537.36", 34),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Safari/537.36", 14),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/18.1 Safari/605.1.15", 12),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70", 11),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", 8),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", 3),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/130.0.0.0 Safari/537.36", 3),
        ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Safari/537.36", 2),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0", 2),
        ("Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.6 Mobile/15E148 Safari/604.1", 6),
        ("Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Safari/537.36", 3),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", 2),
    ),
    "ios": (
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", 45),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1", 25),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", 12),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15", 3),
        ("Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/18.1 Mobile/15E148 Safari/604.1", 15),
    ),
    "android": (
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.6778.81 Mobile Safari/537.36", 25),
        ("Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) "
         "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", 25),
        ("Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.6778.81 Mobile Safari/537.36", 20),
        ("Mozilla/5.0 (Linux; Android 14; 23049PCD8G) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/130.0.6723.107 Mobile Safari/537.36", 12),
        ("Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0", 6),
        ("Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Safari/537.36", 12),
    ),
}  # fmt: skip
CRAWLERS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
    "+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
)
BOT_SHARE = 0.015  # of customers: crawlers the site sees as visitors
SCREENS = {
    "desktop": ((1920, 1080), (1536, 864), (1440, 900), (2560, 1440), (1366, 768), (1280, 800)),
    "mobile": ((390, 844), (393, 852), (412, 915), (375, 667), (360, 800), (430, 932)),
    "tablet": ((820, 1180), (768, 1024), (800, 1280), (1024, 1366)),
}
# Where visits come from: (referrer, UTM query of the landing URL, share); the
# referrers of campaign e-mails are mostly empty (mail apps send none).
SOURCES = (
    (None, "", 34),
    ("https://www.google.com/", "", 22),
    ("https://www.bing.com/", "", 4),
    ("https://duckduckgo.com/", "", 3),
    ("https://www.ecosia.org/", "", 1),
    ("https://l.facebook.com/", "", 4),
    ("https://www.instagram.com/", "", 3),
    ("https://t.co/", "", 2),
    ("https://www.reddit.com/", "", 2),
    ("https://www.linkedin.com/", "", 1),
    ("https://www.google.com/", "utm_source=google&utm_medium=cpc&utm_campaign=winter_sale", 6),
    (None, "utm_source=newsletter&utm_medium=email&utm_campaign=weekly_digest", 6),
    ("https://mail.google.com/",
     "utm_source=newsletter&utm_medium=email&utm_campaign=weekly_digest", 2),
    ("https://www.instagram.com/",
     "utm_source=instagram&utm_medium=social&utm_campaign=spring_drop&utm_content=story", 3),
    ("https://l.facebook.com/",
     "utm_source=facebook&utm_medium=paid_social&utm_campaign=retargeting&utm_content=carousel",
     3),
    ("https://www.deal-blog.example/best-gifts", "utm_source=deal-blog&utm_medium=affiliate", 2),
    ("https://shop.example/home", "", 2),  # the site itself: a new tab, a second visit
)  # fmt: skip


@dataclass(frozen=True)
class Locale:
    code: str  # Faker locale
    weight: int  # share of customers, in percent
    utc_offset_minutes: int  # for the daily rhythm of sessions (no DST)
    order: str = "western"  # "western" first last, "eastern" last first, "joined" lastfirst

    @property
    def country(self) -> str:
        return self.code.split("_")[1]

    @property
    def language(self) -> str:
        return self.code.replace("_", "-")


LOCALES = (
    Locale("en_US", 22, -5 * 60),
    Locale("en_GB", 8, 0),
    Locale("de_DE", 10, 60),
    Locale("fr_FR", 8, 60),
    Locale("es_ES", 6, 60),
    Locale("it_IT", 5, 60),
    Locale("pt_BR", 6, -3 * 60),
    Locale("pl_PL", 4, 60),
    Locale("sv_SE", 3, 60),
    Locale("nl_NL", 4, 60),
    Locale("ja_JP", 4, 9 * 60, "eastern"),
    Locale("zh_CN", 4, 8 * 60, "joined"),
    Locale("ru_RU", 3, 3 * 60),
    Locale("tr_TR", 3, 3 * 60),
    Locale("cs_CZ", 2, 60),
    Locale("ko_KR", 2, 9 * 60, "joined"),
    Locale("el_GR", 1, 2 * 60),
    Locale("en_IN", 3, 5 * 60 + 30),
    Locale("hu_HU", 1, 60, "eastern"),
    Locale("uk_UA", 1, 2 * 60),
)

DOMAINS = ("example.com", "example.org", "example.net", "mail.example", "inbox.example")
DOMAIN_WEIGHTS = (40, 15, 15, 20, 10)
PLUS_TAGS = ("shop", "news", "orders", "store", "deals")
DEVICES = ("web", "ios", "android")
DEVICE_WEIGHTS = (60, 25, 15)
# Relative chance that a session starts in each local hour of the day.
HOUR_WEIGHTS = (
    0.15, 0.08, 0.05, 0.04, 0.04, 0.06, 0.15, 0.30, 0.45, 0.55, 0.60, 0.65,
    0.70, 0.65, 0.60, 0.60, 0.65, 0.75, 0.90, 1.00, 1.00, 0.90, 0.60, 0.30,
)  # fmt: skip

QUERIES_EN = (
    "running shoes", "wireless headphones", "rain jacket", "coffee grinder", "yoga mat",
    "backpack", "desk lamp", "water bottle", "winter boots", "bluetooth speaker",
    "phone case", "sunglasses", "cast iron pan", "gift card", "kids toys", "linen shirt",
    "mechanical keyboard", "usb-c cable", "sale", "smart watch", "hiking socks",
    "espresso machine", "board games", "face cream", "chef knife", "camping tent",
)  # fmt: skip
QUERIES_LOCAL = {
    "de": ("laufschuhe", "regenjacke", "kopfhörer", "kaffeemühle", "rucksack", "winterstiefel"),
    "fr": ("chaussures de course", "veste de pluie", "écouteurs", "cafetière", "sac à dos"),
    "es": ("zapatillas", "chaqueta impermeable", "auriculares", "café molido", "mochila"),
    "it": ("scarpe da corsa", "giacca antipioggia", "cuffie", "macinacaffè", "zaino"),
    "pt": ("tênis de corrida", "fones de ouvido", "jaqueta", "cafeteira", "mochila"),
    "pl": ("buty do biegania", "słuchawki", "kurtka przeciwdeszczowa", "plecak"),
    "sv": ("löparskor", "hörlurar", "regnjacka", "kaffekvarn", "ryggsäck"),
    "nl": ("hardloopschoenen", "koptelefoon", "regenjas", "koffiemolen", "rugzak"),
    "ja": ("ランニングシューズ", "ワイヤレスイヤホン", "レインコート", "コーヒーミル"),
    "zh": ("跑鞋", "蓝牙耳机", "雨衣", "咖啡机", "背包"),
    "ru": ("кроссовки", "наушники", "дождевик", "кофемолка", "рюкзак"),
    "tr": ("koşu ayakkabısı", "kulaklık", "yağmurluk", "sırt çantası"),  # noqa: RUF001
    "cs": ("běžecké boty", "sluchátka", "pláštěnka", "batoh"),
    "ko": ("러닝화", "무선 이어폰", "우비", "백팩"),
    "el": ("παπούτσια τρεξίματος", "ακουστικά", "σακίδιο"),
    "hu": ("futócipő", "fülhallgató", "esőkabát", "hátizsák"),
    "uk": ("кросівки", "навушники", "рюкзак"),
}

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class SeedStats:
    customers: int
    sessions: int
    events: int
    seconds: float


# --- pools, built once per seed -------------------------------------------------------


@dataclass(frozen=True)
class NamePool:
    """Names of one locale: (as written, ASCII transliteration) pairs by gender."""

    first: tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]  # male, female
    last: tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Pools:
    names: dict[str, NamePool]
    prices: tuple[float, ...]  # prices[i] is the price of product i + 1
    product_ids: tuple[int, ...]
    product_cum_weights: tuple[float, ...]


def _ascii(text: str) -> str:
    return _NON_ALNUM.sub("", unidecode(text).casefold())


def _distinct(draw: Any, count: int, tries: int) -> list[Any]:
    seen: dict[Any, None] = {}
    for _ in range(tries):
        seen.setdefault(draw(), None)
        if len(seen) >= count:
            break
    return list(seen)


def _name_pool(fake: Any, locale: Locale) -> NamePool:
    if locale.code == "ja_JP":
        # Faker's Japanese names come with their romanisation: (kanji, kana, romaji).
        def pairs(draw: Any, count: int) -> tuple[tuple[str, str], ...]:
            return tuple((kanji, _ascii(roman)) for kanji, _, roman in _distinct(draw, count, 400))

        last = pairs(fake.last_name_pair, 120)
        return NamePool(
            first=(pairs(fake.first_name_male_pair, 120), pairs(fake.first_name_female_pair, 120)),
            last=(last, last),
        )

    def plain(draw: Any, count: int) -> tuple[tuple[str, str], ...]:
        # Spelled as search spells them: unidecode reads 薛 (Xue) as "xie".
        pairs = _distinct(draw, count, 500)
        return tuple((name, romanisation(name, locale.language)) for name in pairs)

    return NamePool(
        first=(plain(fake.first_name_male, 150), plain(fake.first_name_female, 150)),
        last=(plain(fake.last_name_male, 200), plain(fake.last_name_female, 200)),
    )


@lru_cache(maxsize=4)
def _pools(seed: int) -> Pools:
    names = {}
    for locale in LOCALES:
        fake = Faker(locale.code, providers=["faker.providers.person"])  # names only: fast
        fake.seed_instance(f"{seed}:{locale.code}")
        names[locale.code] = _name_pool(fake, locale)
    rng = random.Random(f"{seed}:catalog")
    prices = tuple(max(2, round(rng.lognormvariate(3.3, 0.8))) - 0.01 for _ in range(PRODUCTS))
    ranks = list(range(1, PRODUCTS + 1))
    rng.shuffle(ranks)
    cumulative, total = [], 0.0
    for rank in ranks:  # Zipf-like popularity: few best sellers, a long tail
        total += 1 / rank**0.9
        cumulative.append(total)
    return Pools(names, prices, tuple(range(1, PRODUCTS + 1)), tuple(cumulative))


# --- helpers --------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _ms(moment: datetime) -> int:
    return (_utc(moment) - _EPOCH) // timedelta(milliseconds=1)


def _dt(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


def _oid(rng: random.Random, ms: int) -> ObjectId:
    return ObjectId(struct.pack(">I", ms // 1000) + rng.randbytes(8))


def _seconds(rng: random.Random, median: float, sigma: float, low: float, high: float) -> int:
    """A duration in ms, log-normal around `median` seconds, clamped."""
    value = rng.lognormvariate(0.0, sigma) * median
    return int(min(high, max(low, value)) * 1000)


# --- customers --------------------------------------------------------------------------


Step = tuple[str, str, Doc]  # event type, page, metadata


@dataclass(frozen=True)
class _Visit:
    """A session's events before it is placed in time."""

    steps: list[Step]
    offsets: list[int]  # ms from the session start, one per step
    length: int  # ms from the session start to its end


class _Generator:
    def __init__(self, seed: int, anchor: datetime) -> None:
        self.rng = random.Random(seed)
        self.pools = _pools(seed)
        self.anchor = _ms(anchor)
        self.emails: set[str] = set()
        self.distinct_ids: set[str] = set()
        self.locale_weights = [locale.weight for locale in LOCALES]

    # identity

    def _name(self, locale: Locale) -> tuple[str, str, str]:
        """(full name as written, first and last name transliterated for the email)."""
        rng = self.rng
        pool = self.pools.names[locale.code]
        gender = rng.random() < 0.5
        first, first_ascii = rng.choice(pool.first[gender])
        last, last_ascii = rng.choice(pool.last[gender])
        if locale.order == "eastern":
            full = f"{last} {first}"
        elif locale.order == "joined":
            full = f"{last}{first}"
        elif locale.code == "es_ES" and rng.random() < 0.6:  # two surnames
            second, _ = rng.choice(pool.last[gender])
            full = f"{first} {last} {second}"
        else:
            full = f"{first} {last}"
        return full, first_ascii or "user", last_ascii

    def _email(self, first: str, last: str) -> str | None:
        rng = self.rng
        if rng.random() < NO_EMAIL_SHARE:
            return None
        pattern = rng.random()
        if not last:
            local = first
        elif pattern < 0.35:
            local = f"{first}.{last}"
        elif pattern < 0.45:
            local = f"{first}{last}"
        elif pattern < 0.50:
            local = f"{first}_{last}"
        elif pattern < 0.60:
            local = f"{first[0]}.{last}"
        elif pattern < 0.80:
            local = f"{first}.{last}{rng.choice((rng.randint(1, 99), rng.randint(1960, 2006)))}"
        elif pattern < 0.85:
            local = f"{last}.{first}"
        else:
            local = f"{first}{rng.randint(1, 999)}"
        if rng.random() < 0.08:  # some people type their address capitalised
            local = ".".join(part.capitalize() for part in local.split("."))
        if rng.random() < PLUS_ADDRESS_SHARE:
            local += "+" + rng.choice(PLUS_TAGS)
        domain = rng.choices(DOMAINS, DOMAIN_WEIGHTS)[0]
        email = f"{local}@{domain}"
        while email.casefold() in self.emails:
            name, _, plus = local.partition("+")
            local = f"{name}{rng.randint(2, 9999)}" + (f"+{plus}" if plus else "")
            email = f"{local}@{domain}"
        self.emails.add(email.casefold())
        return email

    def _distinct_id(self) -> str:
        while True:
            value = "u_" + self.rng.randbytes(6).hex()
            if value not in self.distinct_ids:
                self.distinct_ids.add(value)
                return value

    # time

    def _start_in(self, low: int, high: int, offset_ms: int) -> int:
        """A moment in [low, high), more likely in the customer's waking hours."""
        rng = self.rng
        moment = rng.randint(low, high - 1)
        for _ in range(4):
            hour = (moment + offset_ms) // _HOUR % 24
            if rng.random() < HOUR_WEIGHTS[hour]:
                break
            moment = rng.randint(low, high - 1)
        return moment

    def _session_count(self) -> int:
        # Skewed: many customers come a few times, some come very often.
        while True:
            count = int(self.rng.expovariate(1 / 15))
            if count <= MAX_SESSIONS:
                return count

    # one session

    def _flow(self, intent: float, language: str) -> list[Step]:
        """The events of one visit, as (type, page, metadata) without timing."""
        rng = self.rng
        pools = self.pools
        steps: list[Step] = []
        cart: list[tuple[float, int]] = []
        product = 0
        add_chance = min(0.25, 0.055 * intent)
        checkout_chance = min(0.6, 0.25 * intent)
        entry = rng.random()
        state = (
            "home" if entry < 0.55 else
            "product" if entry < 0.80 else
            "search" if entry < 0.95 else
            "cart"
        )  # fmt: skip
        while state != "exit" and len(steps) < MAX_EVENTS:
            r = rng.random()
            if state == "home":
                steps.append((PAGE_VIEW, "/home", {}))
                if rng.random() < 0.06 and len(steps) < MAX_EVENTS:
                    steps.append((FEATURE_USED, "/home", {"feature": rng.choice(FEATURES)}))
                state = "search" if r < 0.42 else "product" if r < 0.91 else "exit"
            elif state == "search":
                local = QUERIES_LOCAL.get(language)
                queries = local if local and rng.random() < 0.6 else QUERIES_EN
                results = rng.choice((0, *range(3, 61)))
                steps.append(
                    (SEARCH, "/search", {"query": rng.choice(queries), "results": results})
                )
                if results == 0:
                    state = "search" if r < 0.5 else "exit"
                else:
                    state = "product" if r < 0.82 else "search" if r < 0.91 else "exit"
            elif state == "product":
                product = rng.choices(pools.product_ids, cum_weights=pools.product_cum_weights)[0]
                steps.append((PAGE_VIEW, f"/product/{product}", {}))
                extra = rng.random() if len(steps) < MAX_EVENTS else 1.0
                if extra < 0.08:
                    video = {
                        "quality": rng.choice(VIDEO_QUALITIES),
                        "duration": rng.randint(15, 240),
                    }
                    steps.append((VIDEO_PLAY, f"/product/{product}", {"video": video}))
                elif extra < 0.13:
                    feature = {"feature": rng.choice(FEATURES), "productId": product}
                    steps.append((FEATURE_USED, f"/product/{product}", feature))
                state = (
                    "add" if r < add_chance else
                    "product" if r < add_chance + 0.64 else
                    "search" if r < add_chance + 0.76 else
                    "home" if r < add_chance + 0.80 else
                    "cart" if r < add_chance + 0.85 else
                    "exit"
                )  # fmt: skip
            elif state == "add":
                price = pools.prices[product - 1]
                quantity = 1 if r < 0.85 else 2 if r < 0.95 else 3
                cart.append((price, quantity))
                steps.append(
                    (
                        ADD_TO_CART,
                        f"/product/{product}",
                        {"productId": product, "price": price, "quantity": quantity},
                    )
                )
                state = (
                    "upsell" if r < 0.20 else
                    "product" if r < 0.60 else
                    "cart" if r < 0.90 else
                    "exit"
                )  # fmt: skip
            elif state == "upsell":
                extra = rng.choices(pools.product_ids, cum_weights=pools.product_cum_weights)[0]
                price = pools.prices[extra - 1]
                cart.append((price, 1))
                steps.append(
                    (
                        UPSELL,
                        f"/product/{product}",
                        {"productId": extra, "price": price, "offerFor": product},
                    )
                )
                state = "cart" if r < 0.70 else "product" if r < 0.90 else "exit"
            elif state == "cart":
                steps.append((PAGE_VIEW, "/cart", {}))
                if cart and r < checkout_chance:
                    state = "checkout"
                else:
                    state = "product" if rng.random() < 0.6 else "exit"
            else:  # checkout: the end of a converting visit
                total = round(sum(price * quantity for price, quantity in cart), 2)
                items = sum(quantity for _, quantity in cart)
                steps.append(
                    (
                        CHECKOUT,
                        "/checkout",
                        {"orderTotal": total, "items": items, "currency": CURRENCY},
                    )
                )
                state = "exit"
        return steps

    def _timing(self, steps: list[Step]) -> tuple[list[int], int]:
        """Offsets (ms from the session start) of the steps, and the session length.

        A page view's timeSpent is the time until the next event; the last page of
        a visit is usually left quickly."""
        rng = self.rng
        offsets = []
        now = 0
        last = len(steps) - 1
        for index, (kind, page, metadata) in enumerate(steps):
            offsets.append(now)
            if kind == PAGE_VIEW:
                if index == last:
                    spent = _seconds(rng, 6, 0.8, 1, 120)
                elif page == "/home":
                    spent = _seconds(rng, 8, 0.7, 1, 300)
                elif page == "/cart":
                    spent = _seconds(rng, 20, 0.7, 2, 600)
                else:
                    spent = _seconds(rng, 35, 0.8, 2, 900)
                metadata["timeSpent"] = round(spent / 1000, 1)
                now += spent + rng.randint(100, 1500)
            elif kind == SEARCH:
                now += _seconds(rng, 8, 0.6, 1, 120)
            else:
                now += rng.randint(1000, 8000)
        return offsets, now

    def _place(
        self, visits: list[_Visit], created: int, active: bool, offset_ms: int
    ) -> list[tuple[int, int | None, _Visit]]:
        """(start, end, visit) in time order: the first visit right after sign-up,
        the others later and never overlapping; an active visit (the last one)
        started in the hour before the anchor and has no end. Visits that do not
        fit before the anchor are dropped."""
        rng = self.rng
        anchor = self.anchor
        limit = anchor - rng.randint(1 * _MINUTE, 59 * _MINUTE) if active else anchor
        ended = len(visits) - 1 if active else len(visits)
        placed: list[tuple[int, int | None, _Visit]] = []
        if ended:
            starts = [created + rng.randint(200, 5000)]
            low = starts[0] + visits[0].length + 30 * _MINUTE
            if ended > 1 and low < limit - _HOUR:
                starts += sorted(
                    self._start_in(low, limit - _HOUR, offset_ms) for _ in range(ended - 1)
                )
            previous_end = created
            for start, visit in zip(starts, visits, strict=False):
                if placed:  # at least a few minutes after the previous visit
                    start = max(start, previous_end + 5 * _MINUTE)
                end = start + visit.length
                if end >= limit:
                    break
                placed.append((start, end, visit))
                previous_end = end
        if active:
            last = visits[-1]
            keep = sum(1 for offset in last.offsets if limit + offset < anchor) or 1
            placed.append((limit, None, _Visit(last.steps[:keep], last.offsets[:keep], 0)))
        return placed

    def _landing(self, agent: Agent, page: str, language: str) -> Doc:
        """The context of a visit's first event: what the snippet sends on a page
        load (referrer, URL with a campaign's UTM parameters, screen, language)."""
        rng = self.rng
        referrer, query, _ = rng.choices(SOURCES, [share for *_, share in SOURCES])[0]
        kind = agent.as_dict().get("deviceType", "desktop")
        width, height = rng.choice(SCREENS.get(kind, SCREENS["desktop"]))
        client: Doc = {
            "url": f"{SITE}{page}" + (f"?{query}" if query else ""),
            "screenWidth": width,
            "screenHeight": height,
            "language": language,
        }
        if referrer:
            client["referrer"] = referrer
        context = event_context(agent, client, page)
        return context.stored() if context else {}

    def _event(
        self,
        session_id: ObjectId,
        customer_id: ObjectId,
        kind: str,
        page: str,
        moment: int,
        metadata: Doc,
        agent: Agent,
        context: Doc,
    ) -> Doc:
        event_id = str(uuid.UUID(bytes=self.rng.randbytes(16), version=4))
        timestamp = _dt(moment)
        return {
            "_id": event_object_id(event_id),
            "sessionId": session_id,
            "customerId": customer_id,
            "type": kind,
            "page": page,
            "timestamp": timestamp,
            "metadata": metadata,
            "eventId": event_id,
            "hour": hour_key(timestamp),
            "bot": agent.bot,
            "context": context,
        }

    def _crawler(self) -> tuple[Doc, list[Doc], list[Doc]]:
        """A crawler the site sees as a visitor: fast page views, a few visits,
        a known bot's user agent (stored, flagged, left out of analytics)."""
        rng = self.rng
        distinct_id = self._distinct_id()
        name = f"Visitor {distinct_id}"
        anchor = self.anchor
        created = anchor - rng.randint(3 * _HOUR, int(WINDOW.total_seconds() * 1000))
        customer_id = _oid(rng, created)
        agent = parse_user_agent(rng.choice(CRAWLERS))
        visits = []
        for _ in range(rng.randint(1, 6)):
            pages = ["/home"] + [
                f"/product/{rng.randint(1, PRODUCTS)}" for _ in range(rng.randint(4, 30))
            ]
            steps: list[Step] = [
                (PAGE_VIEW, page, {"timeSpent": round(rng.uniform(0.1, 1.5), 1)}) for page in pages
            ]
            offsets = list(itertools.accumulate(rng.randint(300, 2500) for _ in steps[1:]))
            offsets.insert(0, 0)
            visits.append(_Visit(steps, offsets, offsets[-1]))
        placed = self._place(visits, created, False, 0)
        read = agent.as_dict()
        sessions: list[Doc] = []
        events: list[Doc] = []
        last_seen = created
        for start, end, visit in placed:
            session_id = _oid(rng, start)
            for (kind, page, metadata), offset in zip(visit.steps, visit.offsets, strict=True):
                events.append(
                    self._event(
                        session_id, customer_id, kind, page, start + offset, metadata, agent, read
                    )
                )
            sessions.append(
                {
                    "_id": session_id,
                    "customerId": customer_id,
                    "startTime": _dt(start),
                    "endTime": None if end is None else _dt(end),
                    "device": "web",
                    "country": None,
                    "eventCount": len(visit.steps),
                    "eventTypes": [PAGE_VIEW],
                    "clientSessionId": None,
                    "bot": True,
                    "startHour": hour_key(_dt(start)),
                }
            )
            last_seen = max(last_seen, start if end is None else end)
        customer = {
            "_id": customer_id,
            "distinctId": distinct_id,
            "name": name,
            "email": None,
            "country": None,
            "language": None,
            "createdAt": _dt(created),
            "lastSeenAt": _dt(last_seen),
            "emailKey": email_key(None, distinct_id),
            "searchTerms": customer_terms(name, None, distinct_id, None),
            "sortName": sort_name(name),
        }
        return customer, sessions, events

    def _customer(self) -> tuple[Doc, list[Doc], list[Doc]]:
        rng = self.rng
        if rng.random() < BOT_SHARE:
            return self._crawler()
        locale = rng.choices(LOCALES, self.locale_weights)[0]
        name, first, last = self._name(locale)
        email = self._email(first, last)
        distinct_id = self._distinct_id()
        country = locale.country
        language = locale.language
        offset_ms = locale.utc_offset_minutes * _MINUTE

        anchor = self.anchor
        # Newer customers are a little more common than old ones (growth).
        age = int(WINDOW.total_seconds() * 1000 * rng.random() ** 1.2)
        created = anchor - max(age, 3 * _HOUR)
        customer_id = _oid(rng, created)

        count = self._session_count()
        active = count > 0 and rng.random() < ACTIVE_SHARE
        preferred = rng.choices(DEVICES, DEVICE_WEIGHTS)[0]
        intent = rng.lognormvariate(0, 0.6)

        flows = []
        for index in range(count):
            steps = self._flow(intent, language)
            if index == 0 and len(steps) < MAX_EVENTS and rng.random() < 0.35:
                plan = rng.choices(PLANS, PLAN_WEIGHTS)[0]
                steps.insert(1, (SIGNUP, "/signup", {"plan": plan}))
            offsets, length = self._timing(steps)
            flows.append(_Visit(steps, offsets, length))
        placed = self._place(flows, created, active, offset_ms)
        agents = {
            device: rng.choices([ua for ua, _ in pool], [weight for _, weight in pool])[0]
            for device, pool in AGENTS.items()
        }
        # Most browsers say the customer's language; some are left in English.
        spoken = language if rng.random() < 0.85 else "en-US"

        session_docs: list[Doc] = []
        event_docs: list[Doc] = []
        last_seen = created
        for start, end, visit in placed:
            session_id = _oid(rng, start)
            device = preferred if rng.random() < 0.8 else rng.choices(DEVICES, DEVICE_WEIGHTS)[0]
            agent = parse_user_agent(agents[device])
            # What the server reads of the user agent is on every event (one
            # dict for the session's events: BSON encodes it alike each time).
            read = agent.as_dict()
            context = self._landing(agent, visit.steps[0][1], spoken)
            for (kind, page, metadata), offset in zip(visit.steps, visit.offsets, strict=True):
                moment = start + offset
                event_docs.append(
                    self._event(
                        session_id, customer_id, kind, page, moment, metadata, agent, context
                    )
                )
                context = read
            session_docs.append(
                {
                    "_id": session_id,
                    "customerId": customer_id,
                    "startTime": _dt(start),
                    "endTime": None if end is None else _dt(end),
                    "device": device,
                    "country": country,
                    "eventCount": len(visit.steps),
                    "eventTypes": sorted({kind for kind, _, _ in visit.steps}),
                    "clientSessionId": None,
                    "bot": False,
                    "startHour": hour_key(_dt(start)),
                }
            )
            last_seen = max(last_seen, start if end is None else end)

        customer = {
            "_id": customer_id,
            "distinctId": distinct_id,
            "name": name,
            "email": email,
            "country": country,
            "language": language,
            "createdAt": _dt(created),
            "lastSeenAt": _dt(last_seen),
            "emailKey": email_key(email, distinct_id),
            "searchTerms": customer_terms(name, email, distinct_id, language),
            "sortName": sort_name(name),
        }
        return customer, session_docs, event_docs


def generate(customers: int, seed: int, anchor: datetime) -> Iterator[Batch]:
    """Yields batches (customer_docs, session_docs, event_docs) as raw MongoDB documents
    (field names as stored, i.e. the aliases: distinctId, createdAt, customerId, ...,
    with `_id` ObjectIds). Deterministic: same (customers, seed, anchor) -> identical output,
    including ObjectIds. Batches of about 200 customers with all their sessions and events.

    Everything happens in the 180 days before `anchor` (naive means UTC); sessions
    that are still active started in its last hour and have endTime None."""
    if customers < 0:
        raise ValueError("customers must not be negative")
    generator = _Generator(seed, anchor)
    done = 0
    while done < customers:
        size = min(BATCH_CUSTOMERS, customers - done)
        batch: Batch = ([], [], [])
        for _ in range(size):
            customer, sessions, events = generator._customer()
            batch[0].append(customer)
            batch[1].extend(sessions)
            batch[2].extend(events)
        done += size
        yield batch


# --- loading ---------------------------------------------------------------------------


async def _insert(database: AsyncDatabase[dict[str, Any]], name: str, docs: list[Doc]) -> None:
    collection = database[name]
    for start in range(0, len(docs), INSERT_CHUNK):
        await collection.insert_many(docs[start : start + INSERT_CHUNK], ordered=False)


async def load(
    database: AsyncDatabase[dict[str, Any]],
    customers: int,
    seed: int,
    anchor: datetime,
    progress: bool = True,
) -> SeedStats:
    """Bulk-inserts generate(...) into database['customers'|'sessions'|'events'] with
    insert_many(ordered=False) in chunks; shows a rich progress bar over customers when
    progress=True.

    The next batch is generated in a worker thread while the current one is being
    inserted, so the server and the generator work at the same time."""
    started = time.perf_counter()
    counts = [0, 0, 0]
    batches = generate(customers, seed, anchor)
    bar = Progress(
        TextColumn("seeding"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("customers · {task.fields[docs]:,} docs"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not progress,
    )
    with bar:
        task = bar.add_task("seed", total=customers, docs=0)
        upcoming = asyncio.create_task(asyncio.to_thread(next, batches, None))
        while (batch := await upcoming) is not None:
            upcoming = asyncio.create_task(asyncio.to_thread(next, batches, None))
            try:
                for name, docs in zip(("customers", "sessions", "events"), batch, strict=True):
                    await _insert(database, name, docs)
            except BaseException:
                await asyncio.gather(upcoming, return_exceptions=True)
                raise
            for index, docs in enumerate(batch):
                counts[index] += len(docs)
            bar.update(task, advance=len(batch[0]), docs=sum(counts))
    return SeedStats(
        customers=counts[0],
        sessions=counts[1],
        events=counts[2],
        seconds=time.perf_counter() - started,
    )


def midnight_utc(moment: datetime | None = None) -> datetime:
    moment = _utc(moment) if moment else datetime.now(UTC)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)
