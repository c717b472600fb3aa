"""An event's context: what its request's user agent says (browser, OS, device,
whether it is a bot) and what the client saw (referrer, the page's URL and its
UTM parameters, screen, language).

User agents are read by ua-parser with its maintained regexes
(ua-parser-builtins), bots recognised by CrawlerDetect's maintained list; both
are kept up to date by upgrading the packages, never by editing a pattern here.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

import ua_parser
from crawlerdetect import CrawlerDetect

from api.events.documents import DeviceType, EventContext

log = logging.getLogger("api")

UTM_KEYS = {
    "utm_source": "utmSource",
    "utm_medium": "utmMedium",
    "utm_campaign": "utmCampaign",
    "utm_term": "utmTerm",
    "utm_content": "utmContent",
}
UTM_MAX = 200
USER_AGENT_MAX = 1000
# Desktop systems as ua-parser names them; phones and tablets are told apart below.
_DESKTOP_OS = frozenset(
    {"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora", "Debian", "FreeBSD",
     "OpenBSD", "NetBSD", "Red Hat", "SUSE", "Mint", "Arch Linux", "Solaris"}
)  # fmt: skip
_MOBILE_OS = frozenset({"iOS", "Windows Phone", "BlackBerry OS", "KaiOS", "Firefox OS"})

_crawlers = CrawlerDetect()
# CrawlerDetect keeps the last match on the instance: one caller at a time
# (the seed generator runs in a worker thread beside the event loop).
_crawlers_lock = threading.Lock()


@dataclass(frozen=True)
class Agent:
    """What a user agent string says, in the stored context's keys."""

    bot: bool
    fields: tuple[tuple[str, str], ...]

    def as_dict(self) -> dict[str, str]:
        return dict(self.fields)


NO_AGENT = Agent(bot=False, fields=())


def _version(*parts: str | None) -> str | None:
    numbers: list[str] = []
    for part in parts:
        if not part:
            break
        numbers.append(part)
    return ".".join(numbers) or None


def _device_type(user_agent: str, os_family: str | None, device_family: str | None) -> DeviceType:
    if device_family == "iPad" or (device_family or "").lower().endswith("tablet"):
        return "tablet"
    if os_family == "Android":
        # Google's rule: Android phones send "Mobile", tablets do not.
        return "mobile" if "Mobile" in user_agent else "tablet"
    if os_family in _MOBILE_OS or "Mobi" in user_agent:
        return "mobile"
    if os_family in _DESKTOP_OS:
        return "desktop"
    return "other"


@lru_cache(maxsize=4096)
def parse_user_agent(user_agent: str | None) -> Agent:
    """Browser, OS and device type of a user agent, and whether it is a bot's.
    Cached: a site's visitors send a few hundred distinct strings."""
    if not user_agent or not user_agent.strip():
        return NO_AGENT
    user_agent = user_agent[:USER_AGENT_MAX]
    with _crawlers_lock:
        crawler = _crawlers.is_crawler(user_agent)
    parsed = ua_parser.parse(user_agent)
    agent, system, device = parsed.user_agent, parsed.os, parsed.device
    fields: dict[str, str | None] = {}
    if agent is not None and agent.family != "Other":
        fields["browser"] = agent.family
        fields["browserVersion"] = _version(agent.major, agent.minor, agent.patch)
    if system is not None and system.family != "Other":
        fields["os"] = system.family
        fields["osVersion"] = _version(system.major, system.minor, system.patch)
    device_family = device.family if device is not None else None
    bot = crawler or device_family == "Spider"
    fields["deviceType"] = (
        "bot" if bot else _device_type(user_agent, fields.get("os"), device_family)
    )
    kept = tuple((key, value[:200]) for key, value in fields.items() if value)
    return Agent(bot=bot, fields=kept)


def load_parsers() -> None:
    """Loads ua-parser's regexes and CrawlerDetect's list, which otherwise load
    on the first event (about half a second, holding the event loop). Servers
    call it in a thread at start-up (api/server/readiness.py)."""
    began = time.perf_counter()
    parse_user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0")
    log.info("user agent parsers loaded in %.1f s", time.perf_counter() - began)


def referrer_domain(referrer: str) -> str | None:
    """The referrer's host in lower case without a leading ``www.``."""
    try:
        host = urlsplit(referrer).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.") or None


def utm_parameters(*addresses: str | None) -> dict[str, str]:
    """The UTM parameters of the first address that has each (a page's full URL,
    then its path with a query string), cut to 200 characters."""
    found: dict[str, str] = {}
    for address in addresses:
        if not address or "?" not in address:
            continue
        try:
            query = parse_qs(urlsplit(address).query)
        except ValueError:
            continue
        for parameter, key in UTM_KEYS.items():
            values = [value.strip() for value in query.get(parameter, ()) if value.strip()]
            if values and key not in found:
                found[key] = values[0][:UTM_MAX]
    return found


def event_context(
    agent: Agent, client: dict[str, Any] | None, page: str | None
) -> EventContext | None:
    """The stored context of an event: the user agent's fields, and those the
    client sent (``client`` already validated: referrer, url, screenWidth,
    screenHeight, language)."""
    client = client or {}
    values: dict[str, Any] = agent.as_dict()
    referrer = client.get("referrer")
    if referrer:
        values["referrer"] = referrer
        if domain := referrer_domain(referrer):
            values["referrerDomain"] = domain
    values.update(utm_parameters(client.get("url"), page))
    for key in ("screenWidth", "screenHeight", "language"):
        if client.get(key) is not None:
            values[key] = client[key]
    return EventContext.model_validate(values) if values else None
