"""The token endpoint's grants: password, client_credentials and refresh_token."""

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.auth import keys, repository, tokens
from order_taking.auth.errors import OAuthError, invalid_grant
from order_taking.auth.passwords import hash_password, new_password, verify_password
from order_taking.auth.schemas import TokenResponse
from order_taking.auth.tokens import Holder
from order_taking.clients import repository as holders
from order_taking.clients.models import Client, Operator
from order_taking.clients.service import ClientIdentity, OperatorIdentity
from order_taking.core.ratelimit import RateLimiter
from order_taking.core.settings import Settings
from order_taking.core.time import now

log = logging.getLogger(__name__)
BAD_CREDENTIALS = "Invalid user credentials"  # Keycloak's words; never says which part was wrong


@dataclass(frozen=True)
class Grant:
    """What the token endpoint was asked, once the form is read."""

    issuer: str
    client_id: str
    scope: str


async def set_password(db: AsyncSession, holder: Client | Operator) -> str:
    """A new random password for the grants, shown once; only its hash is kept."""
    password = new_password()
    holder.password_hash = hash_password(password)
    await db.flush()
    return password


async def _throttle(limiter: RateLimiter, settings: Settings, username: str, address: str) -> None:
    """Every attempt counts: a guesser is refused before its password is even checked."""
    waits = [
        await limiter.take(
            f"sign-in:username:{username}",
            settings.sign_in_rate_per_username,
            settings.sign_in_burst_per_username,
        ),
        await limiter.take(
            f"sign-in:address:{address}",
            settings.sign_in_rate_per_address,
            settings.sign_in_burst_per_address,
        ),
    ]
    wait = max(waits)
    if wait > 0:
        log.warning("sign-in attempts refused for a while: too many for a username or address")
        raise OAuthError(
            "temporarily_unavailable",
            f"Too many sign-in attempts; retry in {math.ceil(wait)} s.",
            429,
            {"Retry-After": str(math.ceil(wait))},
        )


async def authenticate(
    db: AsyncSession,
    limiter: RateLimiter,
    settings: Settings,
    *,
    username: str,
    password: str,
    address: str,
) -> Holder | None:
    """The client (by code) or else the operator (by name) whose password this is."""
    await _throttle(limiter, settings, username, address)
    client = await holders.find_client(db, username)
    if client is not None and await verify_password(client.password_hash, password):
        return ClientIdentity(id=client.id, code=client.code)
    operator = await holders.find_operator(db, username)
    if operator is not None and await verify_password(operator.password_hash, password):
        return OperatorIdentity(id=operator.id, name=operator.name)
    if client is None and operator is None:
        await verify_password(None, password)
    return None


async def issue(
    db: AsyncSession, settings: Settings, grant: Grant, holder: Holder
) -> TokenResponse:
    key = await keys.signing_key(db)
    issued_at = now()

    def signed(typ: str, seconds: int) -> str:
        return tokens.sign(
            key,
            issuer=grant.issuer,
            holder=holder,
            typ=typ,
            client_id=grant.client_id,
            scope=grant.scope,
            issued_at=issued_at,
            lifetime=timedelta(seconds=seconds),
        )

    access = signed(tokens.ACCESS, settings.access_token_seconds)
    refresh = signed(tokens.REFRESH, settings.refresh_token_seconds)
    return TokenResponse(
        access_token=access,
        expires_in=settings.access_token_seconds,
        refresh_token=refresh,
        refresh_expires_in=settings.refresh_token_seconds,
        token_type="Bearer",
        scope=grant.scope,
    )


async def refresh(db: AsyncSession, settings: Settings, grant: Grant, token: str) -> TokenResponse:
    """New tokens for a refresh token, which is then used up."""
    try:
        claims = tokens.decode(
            token,
            await keys.verification_keys(db, settings),
            realm=settings.realm,
            audience=None,
            typ=tokens.REFRESH,
        )
    except jwt.PyJWTError:
        raise invalid_grant("Invalid refresh token") from None
    if claims.get("azp") and grant.client_id and claims["azp"] != grant.client_id:
        raise invalid_grant("Refresh token issued to another client_id")
    moment = now()
    expires_at = datetime.fromtimestamp(claims["exp"], UTC)
    await repository.forget_refresh_tokens_expired_before(db, moment)
    if not await repository.mark_refresh_token_used(db, claims["jti"], expires_at):
        log.warning("a refresh token was presented a second time")
        raise invalid_grant("Refresh token already used")
    holder = await _holder_now(db, claims)
    if holder is None:
        raise invalid_grant("The token's holder no longer exists")
    # What the form leaves out is as the first grant asked.
    kept = Grant(
        issuer=grant.issuer,
        client_id=grant.client_id or str(claims.get("azp", "")),
        scope=grant.scope or str(claims.get("scope", "")),
    )
    return await issue(db, settings, kept, holder)


async def _holder_now(db: AsyncSession, claims: dict[str, object]) -> Holder | None:
    holder = tokens.holder_of(claims)
    if isinstance(holder, ClientIdentity):
        client = await holders.find_client_by_id(db, holder.id)
        return ClientIdentity(id=client.id, code=client.code) if client else None
    operator = await holders.find_operator_by_id(db, holder.id)
    return OperatorIdentity(id=operator.id, name=operator.name) if operator else None
