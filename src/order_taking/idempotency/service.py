"""The rules of Idempotency-Key: what a key is, when a write replays, when it is refused."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.core.errors import ApiError, ErrorEntry, MalformedRequest
from order_taking.idempotency import repository
from order_taking.idempotency.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Response headers that belong to the result and are replayed with it.
REPLAYED_HEADERS = ("content-type", "location")


class KeyReused(ApiError):
    status_code = 422
    code = "idempotency_key_reused"


class KeyInUse(ApiError):
    status_code = 409
    code = "idempotency_key_in_use"


@dataclass(frozen=True)
class KeyedRequest:
    """A write sent with an Idempotency-Key: the key and what identifies the request."""

    key: str
    fingerprint: str


def parse_key(value: str) -> str:
    """The key of the header: 1 to 255 visible ASCII characters, bare or as the draft's quoted
    Structured Field string (`"8e03978e-40d5"`)."""
    key = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all("!" <= c <= "~" for c in key):
        raise MalformedRequest(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters.",
            [ErrorEntry(code="invalid_format", property_path=HEADER, value=value[:200])],
        )
    return key


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


async def claim(
    db: AsyncSession, owner: str, request: KeyedRequest, at: datetime
) -> IdempotencyKey | None:
    """The stored response to replay for this key, or None when the write is to be done.

    Refuses the key (409) while another transaction holds it, and (422) when it was sent first
    with another request. Also purges a few expired keys: a key is forgotten once expired.
    """
    if not await repository.try_lock(db, owner, request.key):
        raise KeyInUse(f"A request with this {HEADER} is still being processed; retry later.")
    await repository.purge_expired(db, at)
    stored = await repository.find(db, owner, request.key)
    if stored is not None and stored.expires_at <= at:
        await repository.remove(db, stored)
        return None
    if stored is not None and stored.fingerprint != request.fingerprint:
        raise KeyReused(
            f"This {HEADER} was used with another request (method, path or body).",
            [ErrorEntry(code="reused", property_path=HEADER, value=request.key[:200])],
        )
    return stored


def record(
    db: AsyncSession,
    owner: str,
    request: KeyedRequest,
    status_code: int,
    headers: dict[str, str],
    body: bytes,
    at: datetime,
    kept: timedelta,
) -> None:
    """Keeps the response of a write that succeeded, in the write's own transaction."""
    repository.add(
        db,
        IdempotencyKey(
            owner=owner,
            key=request.key,
            fingerprint=request.fingerprint,
            status_code=status_code,
            response_headers={k: v for k, v in headers.items() if k in REPLAYED_HEADERS},
            response_body=body,
            created_at=at,
            expires_at=at + kept,
        ),
    )
