"""Staff accounts, sign-in sessions, API keys and write keys."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from beanie import PydanticObjectId
from pydantic import ValidationError

from api.auth import audit
from api.auth.documents import ApiKey, StaffSession, StaffUser, WriteKey
from api.auth.roles import Kind, Principal, Role, staff, website
from api.auth.secrets import (
    API_KEY_PREFIX,
    WRITE_KEY_PREFIX,
    check_password,
    digest,
    hash_password,
    needs_rehash,
    new_token,
)
from api.core.errors import InputError
from api.customers.documents import now
from api.db.errors import is_duplicate_key
from api.db.pagination import Ordering, Page, Window, paginate
from api.ratelimit import service as ratelimit

# A key's lastUsedAt is written at most this often: a write per request would
# double the database work of a busy integration.
LAST_USED_GRANULARITY = timedelta(minutes=1)
_BY_CREATION = Ordering(field="createdAt", attr="created_at", kind="date", descending=True)


def normalise_email(email: str) -> str:
    return email.strip().casefold()


# Staff users


async def create_user(
    email: str, password: str, role: Role, actor: Principal | str, name: str = ""
) -> StaffUser:
    address = normalise_email(email)
    if "@" not in address:
        raise InputError("email", f"{email!r} is not an email address")
    try:
        hashed = hash_password(password)
    except ValueError as error:
        raise InputError("password", str(error)) from None
    user = StaffUser(email=address, name=name, passwordHash=hashed, role=role)
    try:
        await user.insert()
    except Exception as error:
        if is_duplicate_key(error):  # type: ignore[arg-type]
            raise InputError("email", f"a user with email {address} exists already") from None
        raise
    await audit.record(actor, "user.create", address, role=role.value)
    return user


async def user_by_email(email: str) -> StaffUser | None:
    return await StaffUser.find_one({"email": normalise_email(email)})


async def set_role(email: str, role: Role, actor: Principal | str) -> StaffUser:
    user = await _existing_user(email)
    user.role = role
    await user.save()
    # Open sessions carry the role: they change with it, at once.
    await StaffSession.find({"userId": user.id}).update({"$set": {"role": role.value}})
    await audit.record(actor, "user.setRole", user.email, role=role.value)
    return user


async def set_disabled(email: str, disabled: bool, actor: Principal | str) -> StaffUser:
    user = await _existing_user(email)
    user.disabled = disabled
    await user.save()
    if disabled:
        await revoke_sessions(user.id)
    await audit.record(actor, "user.disable" if disabled else "user.enable", user.email)
    return user


async def set_password(email: str, password: str, actor: Principal | str) -> StaffUser:
    user = await _existing_user(email)
    try:
        user.password_hash = hash_password(password)
    except ValueError as error:
        raise InputError("password", str(error)) from None
    await user.save()
    # Someone who knew the old password must not stay signed in.
    await revoke_sessions(user.id)
    await audit.record(actor, "user.setPassword", user.email)
    return user


async def list_users() -> list[StaffUser]:
    return await StaffUser.find({}).sort("email").to_list()


async def _existing_user(email: str) -> StaffUser:
    user = await user_by_email(email)
    if user is None:
        raise InputError("email", f"no user with email {normalise_email(email)}")
    return user


# Sessions


@dataclass(frozen=True)
class SignedIn:
    token: str  # goes into the cookie; only its digest is stored
    session: StaffSession
    user: StaffUser


@dataclass(frozen=True)
class SignInLimits:
    """Failed sign-ins allowed a minute (0: no limit) and the least time a
    failure takes. Counted per client address, never per account alone: a
    limit on the account would let anyone lock its owner out."""

    per_client_account: int = 0  # from one address on one account
    per_client: int = 0  # from one address on any accounts
    failure_seconds: float = 0.0


async def sign_in(
    email: str,
    password: str,
    lifetime: timedelta,
    client: str = "",
    limits: SignInLimits = SignInLimits(),
) -> SignedIn | None:
    """A new session, or None when the email or password is wrong (the caller
    must not tell which). RateLimitedError when ``client`` failed too often."""
    started = time.monotonic()
    # Every attempt takes a place in its windows before the password is
    # checked, so concurrent guesses cannot slip past the limit (where $inc is
    # atomic: MongoDB, not FerretDB); a success gives its places back, so only
    # failures count.
    charged = await _charge_attempt(client, normalise_email(email), limits)
    signed_in = await _check_and_open(email, password, lifetime)
    if signed_in is None:
        # Slows a guesser, and every kind of failure takes as long.
        await asyncio.sleep(max(0.0, started + limits.failure_seconds - time.monotonic()))
        return None
    for decision in charged:
        await ratelimit.give_back(decision)
    return signed_in


async def _charge_attempt(
    client: str, account: str, limits: SignInLimits
) -> list[ratelimit.Decision]:
    # Digests: the counters' ids must not keep what was typed as an email,
    # which is sometimes a password.
    counters = [
        ("signin", digest(f"{client} {account}"), limits.per_client_account),
        ("signin-client", digest(client), limits.per_client),
    ]
    charged = []
    for scope, who, limit in counters:
        if limit:
            charged.append(await ratelimit.charge(scope, who, limit, "failed sign-ins"))
    return charged


async def _check_and_open(email: str, password: str, lifetime: timedelta) -> SignedIn | None:
    user = await user_by_email(email)
    if not check_password(user.password_hash if user else None, password):
        return None
    assert user is not None and user.id is not None
    if user.disabled:
        return None
    moment = now()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = moment
    await user.save()
    # Sessions are checked for expiry on use; here the user's old ones are
    # swept so they do not pile up (FerretDB has no TTL indexes).
    await StaffSession.find({"userId": user.id, "expiresAt": {"$lt": moment}}).delete()
    token = new_token()
    session = StaffSession(
        tokenHash=digest(token),
        userId=user.id,
        email=user.email,
        role=user.role,
        expiresAt=moment + lifetime,
    )
    await session.insert()
    return SignedIn(token=token, session=session, user=user)


async def session_principal(token: str) -> Principal | None:
    found = await StaffSession.find_one({"tokenHash": digest(token)})
    if found is None or found.revoked_at is not None or found.expires_at <= datetime.now(UTC):
        return None
    return staff(Kind.STAFF, found.email, found.role, user_id=str(found.user_id))


async def sign_out(token: str) -> None:
    await StaffSession.find({"tokenHash": digest(token)}).update({"$set": {"revokedAt": now()}})


async def revoke_sessions(user_id: PydanticObjectId | None) -> None:
    await StaffSession.find({"userId": user_id, "revokedAt": None}).update(
        {"$set": {"revokedAt": now()}}
    )


# API keys


async def create_api_key(name: str, role: Role, actor: Principal | str) -> tuple[ApiKey, str]:
    """The key and its secret, which is shown this once and never stored."""
    secret = new_token(API_KEY_PREFIX)
    try:
        key = ApiKey(
            name=name,
            role=role,
            keyHash=digest(secret),
            prefix=secret[: len(API_KEY_PREFIX) + 6],
            createdBy=_label(actor),
        )
    except ValidationError:
        raise InputError("name", "must be 1 to 100 characters") from None
    await key.insert()
    await audit.record(actor, "apiKey.create", str(key.id), name=name, role=role.value)
    return key, secret


async def api_key_principal(secret: str) -> Principal | None:
    key = await ApiKey.find_one({"keyHash": digest(secret)})
    if key is None or key.revoked_at is not None:
        return None
    await _touch(key)
    return staff(Kind.API_KEY, str(key.id), key.role)


async def api_keys(window: Window) -> Page[ApiKey]:
    return await paginate(ApiKey, {}, _BY_CREATION, window, scope="apiKeys")


async def revoke_api_key(key_id: PydanticObjectId, actor: Principal | str) -> ApiKey | None:
    return await _revoke(ApiKey, key_id, actor, "apiKey.revoke", lambda key: {"name": key.name})


# Write keys


async def create_write_key(website_name: str, actor: Principal | str) -> WriteKey:
    try:
        key = WriteKey(
            website=website_name, key=new_token(WRITE_KEY_PREFIX, 18), createdBy=_label(actor)
        )
    except ValidationError:
        raise InputError("website", "must be 1 to 200 characters") from None
    await key.insert()
    await audit.record(actor, "writeKey.create", str(key.id), website=website_name)
    return key


async def write_key_principal(secret: str) -> Principal | None:
    key = await WriteKey.find_one({"key": secret})
    if key is None or key.revoked_at is not None:
        return None
    await _touch(key)
    return website(str(key.id))


async def write_keys(window: Window) -> Page[WriteKey]:
    return await paginate(WriteKey, {}, _BY_CREATION, window, scope="writeKeys")


async def revoke_write_key(key_id: PydanticObjectId, actor: Principal | str) -> WriteKey | None:
    return await _revoke(
        WriteKey, key_id, actor, "writeKey.revoke", lambda key: {"website": key.website}
    )


K = TypeVar("K", ApiKey, WriteKey)


async def _revoke(
    document: type[K],
    key_id: PydanticObjectId,
    actor: Principal | str,
    action: str,
    details: Callable[[K], dict[str, str]],
) -> K | None:
    """Revoked from now on; revoking again changes nothing and records nothing."""
    key = await document.get(key_id)
    if key is None:
        return None
    if key.revoked_at is None:
        key.revoked_at = now()
        await key.save()
        await audit.record(actor, action, str(key.id), **details(key))
    return key


async def demo_write_key() -> WriteKey:
    """The write key of the demo shop (dev and staging only), made on first use."""
    found = await WriteKey.find_one({"website": DEMO_WEBSITE, "revokedAt": None})
    return found or await create_write_key(DEMO_WEBSITE, "system:demo")


DEMO_WEBSITE = "Demo shop"


async def _touch(key: ApiKey | WriteKey) -> None:
    moment = now()
    if key.last_used_at is None or moment - key.last_used_at > LAST_USED_GRANULARITY:
        await key.get_pymongo_collection().update_one(
            {"_id": key.id}, {"$set": {"lastUsedAt": moment}}
        )


def _label(actor: Principal | str) -> str:
    return actor if isinstance(actor, str) else actor.label
