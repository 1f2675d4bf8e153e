"""Passwords of the OAuth2 grants, stored as argon2id hashes."""

import asyncio
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id, the library's recommended cost


def new_password() -> str:
    return secrets.token_urlsafe(24)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _unknown_holder_hash() -> str:
    return _hasher.hash(new_password())


def _verify(stored: str | None, password: str) -> bool:
    try:
        # An unknown username costs a verification too, so timing does not tell it apart.
        return _hasher.verify(stored or _unknown_holder_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored: str | None, password: str) -> bool:
    """In a thread: a verification takes tens of milliseconds of CPU, the event loop goes on."""
    return await asyncio.to_thread(_verify, stored, password)
