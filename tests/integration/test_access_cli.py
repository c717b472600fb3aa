"""``python -m api users|keys|write-keys`` run as real processes against the
test's database, and what they make checked against the served app."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import subprocess
import sys
from datetime import timedelta
from typing import Any

from beanie import PydanticObjectId

from api.auth import service
from api.auth.documents import ApiKey, StaffUser, WriteKey
from api.auth.http import SESSION_COOKIE
from api.auth.roles import Role
from api.auth.secrets import check_password
from api.settings import Settings
from tests.api_process import ROOT
from tests.ingest_helpers import NOW, event

PASSWORD = "correct horse battery"
ME = "{ me { kind subject role } }"
SIGN_IN = """
mutation($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { me { subject role } }
}
"""


async def cli(
    settings: Settings, *args: str, stdin: str = "", stage: str = "dev"
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MONGODB_URI": settings.mongodb_uri,
        "MONGODB_DB": settings.mongodb_db,
        "STAGE": stage,
    }
    env.pop("DEMO_PASSWORD", None)
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "api", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    return result.stdout


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one error line of a command that must fail cleanly."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, result.stderr
    return errors[0]


async def me_with_cookie(api, token: str) -> Any:
    async with await api.client() as client:
        response = await client.post(
            "/graphql", json={"query": ME}, headers={"Cookie": f"{SESSION_COOKIE}={token}"}
        )
    assert response.status_code == 200, response.text
    return response.json()["data"]["me"]


async def test_users_create_list_set_role_and_disable(api, settings):
    created = await cli(
        settings,
        *("users", "create", "--email", "  Ana.Admin@Example.COM ", "--role", "admin"),
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert ok(created) == "created ana.admin@example.com (admin)\n"
    user = await StaffUser.find_one({"email": "ana.admin@example.com"})
    assert user is not None and user.role == Role.ADMIN and not user.disabled
    assert PASSWORD not in user.password_hash
    assert check_password(user.password_hash, PASSWORD)
    assert not check_password(user.password_hash, PASSWORD + "\n")

    signed_in = await service.sign_in("ana.admin@example.com", PASSWORD, timedelta(hours=1))
    assert signed_in is not None
    assert await me_with_cookie(api, signed_in.token) == {
        "kind": "staff",
        "subject": "ana.admin@example.com",
        "role": "ADMIN",
    }
    changed = await cli(settings, "users", "set-role", "--email", "ANA.ADMIN@example.com",
                        "--role", "viewer")  # fmt: skip
    assert ok(changed) == "ana.admin@example.com is now viewer\n"
    # The open session follows the role at once.
    assert (await me_with_cookie(api, signed_in.token))["role"] == "VIEWER"

    disabled = await cli(settings, "users", "disable", "--email", "ana.admin@example.com")
    assert ok(disabled) == "ana.admin@example.com disabled, sessions ended\n"
    assert await me_with_cookie(api, signed_in.token) is None
    assert await service.session_principal(signed_in.token) is None
    assert await service.sign_in("ana.admin@example.com", PASSWORD, timedelta(hours=1)) is None
    listed = ok(await cli(settings, "users", "list")).splitlines()
    assert len(listed) == 1
    assert re.fullmatch(
        r"ana\.admin@example\.com\tviewer\tdisabled\tlast sign-in \d{4}-\d\d-\d\d \d\d:\d\d",
        listed[0],
    ), listed

    audit = await api.data("{ auditLog(first: 50) { nodes { actor action target details } } }")
    mine = [entry for entry in audit["auditLog"]["nodes"] if entry["action"].startswith("user.")]
    assert [(entry["action"], entry["target"]) for entry in mine] == [
        ("user.disable", "ana.admin@example.com"),
        ("user.setRole", "ana.admin@example.com"),
        ("user.create", "ana.admin@example.com"),
    ]
    assert all(entry["actor"].startswith("cli:") for entry in mine)
    assert PASSWORD not in str(audit)


async def test_keys_and_write_keys_create_list_and_revoke(api, settings, db):
    key_made, write_made = await asyncio.gather(
        cli(settings, "keys", "create", "--name", "ci reader", "--role", "analyst"),
        cli(settings, "write-keys", "create", "--website", "Shop Süd"),
    )
    header, secret = ok(key_made).splitlines()
    found = re.fullmatch(r"API key (\S+) \(analyst\); its secret, shown once:", header)
    assert found is not None, header
    key_id = database_id(found.group(1), "ApiKey")
    assert secret.startswith("ctk_") and len(secret) > 40
    stored = await ApiKey.get(PydanticObjectId(key_id))
    assert stored is not None and stored.name == "ci reader"
    assert stored.created_by.startswith("cli:")
    assert secret not in str(stored.model_dump())  # only its digest is kept
    written = re.fullmatch(r"write key (\S+) for Shop Süd: (ctw_\S+)\n", ok(write_made))
    assert written is not None, write_made.stdout
    write_id, write_key = written.groups()
    website = await WriteKey.find_one({"key": write_key})
    assert website is not None and website.website == "Shop Süd"

    async with await api.client(secret) as reader, await api.client() as anonymous:
        me = (await reader.post("/graphql", json={"query": ME})).json()["data"]["me"]
        assert me == {"kind": "api_key", "subject": key_id, "role": "ANALYST"}
        sent = await anonymous.post(
            "/v1/track",
            json={"writeKey": write_key, "events": [event("w1", NOW - timedelta(minutes=3))]},
        )
        assert sent.status_code == 200, sent.text
        assert sent.json()["accepted"] == 1
        events = await reader.post("/graphql", json={"query": "{ events { totalCount } }"})
        assert events.json()["data"] == {"events": {"totalCount": 1}}

        # Revoked by the id printed, and by the database id the audit log shows.
        key_revoked, write_revoked = await asyncio.gather(
            cli(settings, "keys", "revoke", found.group(1)),
            cli(settings, "write-keys", "revoke", str(website.id)),
        )
        assert ok(key_revoked) == f"revoked {found.group(1)} (ci reader)\n"
        assert ok(write_revoked) == f"revoked {write_id} (Shop Süd)\n"
        after = await reader.post("/graphql", json={"query": ME})
        assert after.status_code == 401
        assert after.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        again = await anonymous.post(
            "/v1/track",
            json={"writeKey": write_key, "events": [event("w1", NOW - timedelta(minutes=2))]},
        )
        assert again.status_code == 401
        assert again.json()["error"]["code"] == "UNAUTHENTICATED"
    assert await db["events"].count_documents({}) == 1

    listed = ok(await cli(settings, "keys", "list")).splitlines()
    row = next(line for line in listed if line.startswith(found.group(1))).split("\t")
    assert row[1:4] == [f"{secret[:10]}…", "analyst", "ci reader"]
    assert row[4].startswith("revoked ")
    # It was used, which is recorded to the minute.
    assert row[5] != "last used -"


def database_id(printed: str, type_name: str) -> str:
    """The database id inside a global id, which must be of ``type_name``."""
    kind, _, ident = base64.b64decode(printed).decode().partition(":")
    assert kind == type_name and re.fullmatch(r"[0-9a-f]{24}", ident), printed
    return ident


def first_word_after(prefix: str, text: str) -> str:
    assert text.startswith(prefix), text
    return text.removeprefix(prefix).split()[0]


REVOKE = """mutation($key: ID!, $website: ID!) {
  revokeApiKey(id: $key) { id name revokedAt }
  revokeWriteKey(id: $website) { id website revokedAt }
}"""


async def test_printed_ids_are_the_ids_the_api_takes(api, settings):
    """What create and list print is ApiKey.id / WriteKey.id: the argument of
    revokeApiKey and revokeWriteKey."""
    key_made, write_made = await asyncio.gather(
        cli(settings, "keys", "create", "--name", "nightly export"),
        cli(settings, "write-keys", "create", "--website", "Blog"),
    )
    key_id = first_word_after("API key ", ok(key_made))
    write_id = first_word_after("write key ", ok(write_made))
    listed_keys, listed_writes = await asyncio.gather(
        cli(settings, "keys", "list"), cli(settings, "write-keys", "list")
    )
    shown = await api.data("{ apiKeys { nodes { id name } } writeKeys { nodes { id website } } }")
    api_ids = {node["name"]: node["id"] for node in shown["apiKeys"]["nodes"]}
    write_ids = {node["website"]: node["id"] for node in shown["writeKeys"]["nodes"]}
    assert api_ids["nightly export"] == key_id
    assert write_ids["Blog"] == write_id
    assert {line.split("\t")[0] for line in ok(listed_keys).splitlines()} == set(api_ids.values())
    assert [line.split("\t")[0] for line in ok(listed_writes).splitlines()] == [write_id]

    revoked = await api.data(REVOKE, key=key_id, website=write_id)
    assert revoked["revokeApiKey"]["id"] == key_id
    assert revoked["revokeApiKey"]["revokedAt"] is not None
    assert revoked["revokeWriteKey"]["id"] == write_id
    assert revoked["revokeWriteKey"]["revokedAt"] is not None
    # The database id (the audit log's target) is taken too; the wrong type is not.
    again = await api.data(
        REVOKE, key=database_id(key_id, "ApiKey"), website=database_id(write_id, "WriteKey")
    )
    assert again["revokeApiKey"]["id"] == key_id
    assert again["revokeWriteKey"]["id"] == write_id
    wrong = await api.graphql(REVOKE, key=write_id, website=write_id)
    assert [error["extensions"]["code"] for error in wrong["errors"]] == ["BAD_USER_INPUT"]
    mixed = refused(await cli(settings, "keys", "revoke", write_id))
    assert mixed == "error: id: is a WriteKey id, expected a ApiKey id"


async def sign_in_over_http(api, email: str, password: str) -> dict[str, Any]:
    async with await api.client() as anonymous:
        response = await anonymous.post(
            "/graphql", json={"query": SIGN_IN, "variables": {"email": email, "password": password}}
        )
    body: dict[str, Any] = response.json()
    return body


async def test_demo_admin_only_in_dev(api, settings):
    prod = await cli(settings, "users", "demo", stage="prod")
    assert refused(prod) == "error: users demo: only for the dev stage"
    assert prod.stdout == ""
    assert await StaffUser.find({}).count() == 0

    made = ok(await cli(settings, "users", "demo"))
    found = re.fullmatch(r"sign in as (admin@tracking\.test) with password (\S+)\n", made)
    assert found is not None, made
    email, password = found.groups()
    assert len(password) >= 12
    body = await sign_in_over_http(api, email, password)
    assert body["data"]["signIn"]["me"] == {"subject": email, "role": "ADMIN"}
    wrong = await sign_in_over_http(api, email, password[:-1])
    assert wrong["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_bad_input_fails_cleanly(settings, db):
    await service.create_user("taken@example.com", PASSWORD, Role.VIEWER, "test")
    cases: dict[str, tuple[list[str], str, str]] = {
        "short password": (
            ["users", "create", "--email", "new@example.com", "--role", "admin",
             "--password-stdin"],
            "short\n",
            "error: password: a password needs at least 12 characters",
        ),
        "unknown role": (
            ["users", "create", "--email", "new@example.com", "--role", "owner",
             "--password-stdin"],
            PASSWORD,
            "argument --role: invalid choice: 'owner'",
        ),
        "duplicate email": (
            ["users", "create", "--email", "Taken@Example.com", "--role", "admin",
             "--password-stdin"],
            PASSWORD,
            "error: email: a user with email taken@example.com exists already",
        ),
        "not an email": (
            ["users", "create", "--email", "nobody", "--role", "admin", "--password-stdin"],
            PASSWORD,
            "error: email: 'nobody' is not an email address",
        ),
        "unknown key": (
            ["keys", "revoke", "0" * 24],
            "",
            f"error: id: no API key {'0' * 24}",
        ),
    }  # fmt: skip
    results = await asyncio.gather(
        *(cli(settings, *args, stdin=stdin) for args, stdin, _ in cases.values())
    )
    lines = {case: refused(result) for case, result in zip(cases, results, strict=True)}
    expected = {case: message for case, (_, _, message) in cases.items()}
    assert {case: expected[case] in line for case, line in lines.items()} == dict.fromkeys(
        cases, True
    ), lines
    # Errors from the services are exactly one line.
    for case, result in zip(cases, results, strict=True):
        if "invalid choice" not in expected[case]:
            assert result.stderr == lines[case] + "\n", (case, result.stderr)
            assert result.returncode == 2, case
    # Nothing was made by the refused commands.
    assert [user.email for user in await StaffUser.find({}).to_list()] == ["taken@example.com"]
    assert await ApiKey.find({}).count() == 0
