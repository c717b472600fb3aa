"""``python -m api users|keys|write-keys``: managing access from a shell.

The first admin can only be made here (there is nobody yet to do it in the
app). Secrets are read from standard input or a prompt, never from arguments,
which other users of the machine can see in the process list.
"""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from pymongo.errors import PyMongoError

from api.auth import service
from api.auth.roles import Role
from api.cli.command import connected, run
from api.core.errors import InputError
from api.core.ids import global_id, key_id
from api.db.pagination import MAX_PAGE_SIZE, Window
from api.settings import Settings, Stage

DEMO_ADMIN = "admin@tracking.test"
# Ids are printed as the API shows them (ApiKey.id, WriteKey.id); the audit
# log's database ids are taken too.
ID_HELP = "the id from create or list (or the audit log's)"


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise InputError("password", "the two entries differ")
    return first


async def _with_db(settings: Settings, work: Callable[[], Awaitable[None]]) -> int:
    try:
        async with connected(settings):
            await work()
        return 0
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except PyMongoError as error:
        print(f"error: the database is unreachable: {type(error).__name__}", file=sys.stderr)
        return 1


def _date(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


async def users(args: argparse.Namespace, settings: Settings) -> None:
    actor = _actor()
    if args.action == "create":
        user = await service.create_user(args.email, _password(args), Role(args.role), actor)
        print(f"created {user.email} ({user.role.value})")
    elif args.action == "set-role":
        user = await service.set_role(args.email, Role(args.role), actor)
        print(f"{user.email} is now {user.role.value}")
    elif args.action == "set-password":
        user = await service.set_password(args.email, _password(args), actor)
        print(f"password of {user.email} changed; their sessions were ended")
    elif args.action in ("disable", "enable"):
        user = await service.set_disabled(args.email, args.action == "disable", actor)
        print(f"{user.email} {'disabled, sessions ended' if user.disabled else 'enabled'}")
    elif args.action == "demo":
        await _demo_admin(settings)
    else:
        for user in await service.list_users():
            state = "disabled" if user.disabled else "active"
            last = _date(user.last_sign_in_at)
            print(f"{user.email}\t{user.role.value}\t{state}\tlast sign-in {last}")


async def _demo_admin(settings: Settings) -> None:
    """A local admin with a fresh password on every run of `make dev`."""
    if settings.stage != Stage.DEV:
        raise InputError("users demo", "only for the dev stage")
    password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(12)
    if await service.user_by_email(DEMO_ADMIN) is None:
        await service.create_user(DEMO_ADMIN, password, Role.ADMIN, "system:demo", "Demo admin")
    else:
        await service.set_password(DEMO_ADMIN, password, "system:demo")
    print(f"sign in as {DEMO_ADMIN} with password {password}")


async def keys(args: argparse.Namespace, settings: Settings) -> None:
    if args.action == "create":
        key, secret = await service.create_api_key(args.name, Role(args.role), _actor())
        ident = global_id("ApiKey", key.id)
        print(f"API key {ident} ({key.role.value}); its secret, shown once:\n{secret}")
    elif args.action == "revoke":
        revoked = await service.revoke_api_key(key_id(args.id, "ApiKey"), _actor())
        if revoked is None:
            raise InputError("id", f"no API key {args.id}")
        print(f"revoked {global_id('ApiKey', revoked.id)} ({revoked.name})")
    else:
        for key in (await service.api_keys(_all())).items:
            state = f"revoked {_date(key.revoked_at)}" if key.revoked_at else "active"
            ident = global_id("ApiKey", key.id)
            print(f"{ident}\t{key.prefix}…\t{key.role.value}\t{key.name}\t{state}\t"
                  f"last used {_date(key.last_used_at)}")  # fmt: skip


async def write_keys(args: argparse.Namespace, settings: Settings) -> None:
    if args.action == "create":
        key = await service.create_write_key(args.website, _actor())
        print(f"write key {global_id('WriteKey', key.id)} for {key.website}: {key.key}")
    elif args.action == "revoke":
        revoked = await service.revoke_write_key(key_id(args.id, "WriteKey"), _actor())
        if revoked is None:
            raise InputError("id", f"no write key {args.id}")
        print(f"revoked {global_id('WriteKey', revoked.id)} ({revoked.website})")
    else:
        for key in (await service.write_keys(_all())).items:
            state = f"revoked {_date(key.revoked_at)}" if key.revoked_at else "active"
            print(f"{global_id('WriteKey', key.id)}\t{key.key}\t{key.website}\t{state}")


def _all() -> Window:
    return Window(first=MAX_PAGE_SIZE)


def _handler(command: Callable[[argparse.Namespace, Settings], Awaitable[None]]) -> Any:
    def handler(args: argparse.Namespace) -> int:
        return run(lambda settings: _with_db(settings, lambda: command(args, settings)))

    return handler


def add_commands(commands: Any) -> None:
    roles = [role.value for role in Role]

    users_cmd = commands.add_parser("users", help="staff accounts")
    users_actions = users_cmd.add_subparsers(dest="action", required=True)
    create = users_actions.add_parser("create", help="a new account (password from a prompt)")
    create.add_argument("--email", required=True)
    create.add_argument("--role", choices=roles, required=True)
    create.add_argument("--password-stdin", action="store_true", help="read it from stdin")
    role = users_actions.add_parser("set-role")
    role.add_argument("--email", required=True)
    role.add_argument("--role", choices=roles, required=True)
    password = users_actions.add_parser("set-password", help="ends the user's sessions")
    password.add_argument("--email", required=True)
    password.add_argument("--password-stdin", action="store_true")
    for name in ("disable", "enable"):
        users_actions.add_parser(name).add_argument("--email", required=True)
    users_actions.add_parser("list")
    users_actions.add_parser("demo", help="dev only: a local admin with a fresh password")
    users_cmd.set_defaults(func=_handler(users))

    keys_cmd = commands.add_parser("keys", help="API keys for programmatic reading")
    keys_actions = keys_cmd.add_subparsers(dest="action", required=True)
    key_create = keys_actions.add_parser("create", help="prints the secret once")
    key_create.add_argument("--name", required=True)
    key_create.add_argument("--role", choices=roles, default=Role.VIEWER.value)
    keys_actions.add_parser("revoke").add_argument("id", help=ID_HELP)
    keys_actions.add_parser("list")
    keys_cmd.set_defaults(func=_handler(keys))

    write_cmd = commands.add_parser("write-keys", help="websites' keys for sending events")
    write_actions = write_cmd.add_subparsers(dest="action", required=True)
    write_actions.add_parser("create").add_argument("--website", required=True)
    write_actions.add_parser("revoke").add_argument("id", help=ID_HELP)
    write_actions.add_parser("list")
    write_cmd.set_defaults(func=_handler(write_keys))
