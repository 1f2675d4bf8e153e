"""The built-in issuer's signing keys: in the database, created on first need, rotated by
`order-taking keys rotate`; a retired key is published until the tokens it signed have expired."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.auth import repository
from order_taking.auth.models import SigningKey
from order_taking.core.columns import new_id
from order_taking.core.settings import Settings
from order_taking.core.time import now

ALGORITHM = "ES256"


@dataclass(frozen=True)
class PrivateKey:
    kid: str
    key: ec.EllipticCurvePrivateKey


def _new_key(generation: int) -> SigningKey:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    kid = new_id()
    jwk: dict[str, Any] = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwk |= {"kid": kid, "alg": ALGORITHM, "use": "sig"}
    return SigningKey(
        id=kid,
        generation=generation,
        algorithm=ALGORITHM,
        private_key=pem,
        public_jwk=jwk,
        created_at=now(),
    )


def retention(settings: Settings) -> timedelta:
    """How long a retired key may still have signed a valid token (access or refresh)."""
    return timedelta(seconds=max(settings.access_token_seconds, settings.refresh_token_seconds))


async def signing_key(db: AsyncSession) -> PrivateKey:
    """The key that signs now, created if there is none yet."""
    current = await repository.current_key(db)
    if current is None:
        await repository.add_key_if_none(db, _new_key(generation=1))
        current = await repository.current_key(db)
        assert current is not None, "the first signing key was neither added nor found"
    private = serialization.load_pem_private_key(current.private_key.encode(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    return PrivateKey(kid=current.id, key=private)


async def rotate(db: AsyncSession, settings: Settings) -> SigningKey:
    """A new key signs from now on; the others are retired (and forgotten once useless)."""
    moment = now()
    key = _new_key(generation=await repository.last_generation(db) + 1)
    await repository.retire_keys(db, moment)
    await repository.forget_keys_retired_before(db, moment - retention(settings))
    db.add(key)
    await db.flush()
    return key


async def published_keys(db: AsyncSession, settings: Settings) -> list[dict[str, Any]]:
    """The JWKS's keys: every key that may have signed a token still valid."""
    keys = await repository.keys_in_use(db, now() - retention(settings))
    return [key.public_jwk for key in keys]


async def verification_keys(db: AsyncSession, settings: Settings) -> dict[str, Any]:
    """kid → public key, of every key that may have signed a token still valid."""
    return {jwk["kid"]: ECAlgorithm.from_jwk(jwk) for jwk in await published_keys(db, settings)}
