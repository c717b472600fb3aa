"""The store's files in S3, for where they are not local (Lambda).

The writer uploads each file after writing it, under the same layout:
``<INSIGHTS_S3_PREFIX>/<database>/events/day=…/events.parquet``,
``…/customers.parquet`` and ``…/manifest.json``. A reader lists the prefix and
downloads into its local folder (under /tmp on Lambda) only the files whose
ETag changed since it last downloaded them, each to a temporary name first and
then renamed, as the writer does; DuckDB then reads local files (its httpfs
extension cannot be installed here).

boto3 is the one Lambda's Python runtime provides (the bundle leaves it out,
infra/lambda_package.py); elsewhere it is installed with the dev dependencies,
and is only imported when a bucket is configured.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from api.settings import Settings

ETAGS = ".etags.json"
# A reader lists the bucket at most this often per process; visibility stays
# well inside a minute.
PULL_EVERY_SECONDS = 5.0


class Mirror:
    def __init__(self, settings: Settings, root: Path) -> None:
        self.bucket = settings.insights_s3_bucket
        self.prefix = "/".join(
            part for part in (settings.insights_s3_prefix.strip("/"), settings.mongodb_db) if part
        )
        self.endpoint = settings.insights_s3_endpoint or None
        self.root = root
        self._client: Any = None
        self._lock = threading.Lock()
        self._pulled = 0.0

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}/"

    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(retries={"mode": "standard", "max_attempts": 4})
            self._client = boto3.client("s3", endpoint_url=self.endpoint, config=config)
        return self._client

    def key(self, path: Path) -> str:
        return f"{self.prefix}/{path.relative_to(self.root).as_posix()}"

    def _etags(self) -> dict[str, str]:
        try:
            loaded: dict[str, str] = json.loads((self.root / ETAGS).read_text(encoding="utf-8"))
            return loaded
        except (FileNotFoundError, ValueError):
            return {}

    def _save_etags(self, etags: dict[str, str]) -> None:
        from api.insights.store import write_atomically

        write_atomically(self.root / ETAGS, json.dumps(etags, sort_keys=True).encode())

    def upload(self, path: Path) -> None:
        key = self.key(path)
        with path.open("rb") as body:
            answer = self.client().put_object(Bucket=self.bucket, Key=key, Body=body)
        with self._lock:
            etags = self._etags()
            etags[key] = answer["ETag"]
            self._save_etags(etags)

    def put(self, path: Path, key: str) -> None:
        """A file under a key of the bucket outside the store's layout (exports)."""
        with path.open("rb") as body:
            self.client().put_object(Bucket=self.bucket, Key=key, Body=body)

    def delete(self, path: Path) -> None:
        key = self.key(path)
        self.client().delete_object(Bucket=self.bucket, Key=key)
        with self._lock:
            etags = self._etags()
            etags.pop(key, None)
            self._save_etags(etags)

    def manifest(self) -> dict[str, Any] | None:
        """The manifest of what is in the bucket (None: nothing there yet)."""
        from botocore.exceptions import ClientError

        try:
            answer = self.client().get_object(
                Bucket=self.bucket, Key=f"{self.prefix}/manifest.json"
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        loaded: dict[str, Any] = json.loads(answer["Body"].read())
        return loaded

    def pull(self, force: bool = False) -> int:
        """Downloads the Parquet files that changed in the bucket and removes
        local ones it no longer has; the number downloaded."""
        with self._lock:
            if not force and time.monotonic() - self._pulled < PULL_EVERY_SECONDS:
                return 0
            etags = self._etags()
            listed: dict[str, str] = {}
            pages = self.client().get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}/"):
                for item in page.get("Contents", []):
                    if item["Key"].endswith(".parquet"):
                        listed[item["Key"]] = item["ETag"]
            downloaded = 0
            for key, etag in sorted(listed.items()):
                local = self.root / key.removeprefix(f"{self.prefix}/")
                if etags.get(key) == etag and local.exists():
                    continue
                self._download(key, local)
                etags[key] = etag
                downloaded += 1
            for key in [key for key in etags if key.endswith(".parquet") and key not in listed]:
                with contextlib.suppress(FileNotFoundError):
                    (self.root / key.removeprefix(f"{self.prefix}/")).unlink()
                etags.pop(key)
            self._save_etags(etags)
            self._pulled = time.monotonic()
            return downloaded

    def _download(self, key: str, local: Path) -> None:
        from api.insights.store import TEMP_MARK, replace_durably

        local.parent.mkdir(parents=True, exist_ok=True)
        temporary = local.with_name(f"{local.name}{TEMP_MARK}{uuid.uuid4().hex}")
        try:
            self.client().download_file(self.bucket, key, str(temporary))
            replace_durably(temporary, local)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
