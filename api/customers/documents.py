"""The customer: a visitor of a tracked website, known by the site's own id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import langcodes
import pycountry
from beanie import Document
from pydantic import AfterValidator, EmailStr, Field, model_validator
from pymongo import ASCENDING, DESCENDING, IndexModel

from api.customers.search import customer_terms, normalize, sort_name


def now() -> datetime:
    # MongoDB keeps milliseconds; trimming here keeps cursors and reads equal.
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def check_country(value: str) -> str:
    code = value.upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{value!r} is not an ISO-3166 alpha-2 country code")
    return code


def check_language(value: str) -> str:
    if not langcodes.tag_is_valid(value):
        raise ValueError(f"{value!r} is not a BCP-47 language tag")
    return str(langcodes.standardize_tag(value))


CountryCode = Annotated[str, AfterValidator(check_country)]
LanguageTag = Annotated[str, AfterValidator(check_language)]


def email_key(email: str | None, distinct_id: str) -> str:
    """Unique per customer and never absent, so one plain unique index enforces
    "email unique where present" on servers without partial indexes. The prefix
    keeps a distinct id from ever colliding with an address."""
    if email:
        return "email:" + email.casefold()
    return "none:" + distinct_id


class Customer(Document):
    distinct_id: str = Field(alias="distinctId", min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    country: CountryCode | None = None
    language: LanguageTag | None = None
    created_at: datetime = Field(alias="createdAt", default_factory=now)
    # Equal to createdAt until the customer is seen again, so that ordering by it
    # never meets a missing value.
    last_seen_at: datetime = Field(alias="lastSeenAt", default_factory=now)

    # Derived fields, recomputed on every validation (see _derive).
    email_key: str = Field(alias="emailKey", default="")
    search_terms: list[str] = Field(alias="searchTerms", default_factory=list)
    sort_name: str = Field(alias="sortName", default="")

    @model_validator(mode="after")
    def _derive(self) -> Customer:
        self.email_key = email_key(self.email, self.distinct_id)
        self.search_terms = customer_terms(self.name, self.email, self.distinct_id, self.language)
        self.sort_name = sort_name(self.name)
        return self

    class Settings:
        name = "customers"
        validate_on_save = True
        indexes = [
            IndexModel([("distinctId", ASCENDING)], name="distinctId_unique", unique=True),
            IndexModel([("emailKey", ASCENDING)], name="emailKey_unique", unique=True),
            IndexModel([("searchTerms", ASCENDING)], name="searchTerms"),
            IndexModel([("createdAt", DESCENDING), ("_id", DESCENDING)], name="createdAt_id"),
            IndexModel([("sortName", ASCENDING), ("_id", ASCENDING)], name="sortName_id"),
            IndexModel([("lastSeenAt", DESCENDING), ("_id", DESCENDING)], name="lastSeenAt_id"),
            IndexModel(
                [("country", ASCENDING), ("createdAt", DESCENDING), ("_id", DESCENDING)],
                name="country_createdAt_id",
            ),
        ]


__all__ = ["Customer", "check_country", "check_language", "normalize", "now"]
