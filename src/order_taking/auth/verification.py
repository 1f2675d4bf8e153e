"""Who holds a JWT: one of the built-in issuer's, or one of the external OpenID Connect issuer's.

The external issuer's discovery document and keys are fetched once and kept; a key id not seen
yet fetches the keys again, at most once a minute. Only asymmetric algorithms are accepted, each
with a key of its own type: never `none`, never an HMAC keyed with a public key.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.auth import keys, tokens
from order_taking.clients import repository as holders
from order_taking.clients.service import ClientIdentity, OperatorIdentity
from order_taking.core.errors import Unauthorized, Unavailable
from order_taking.core.settings import Settings

log = logging.getLogger(__name__)

# JWA algorithm → the key type that signs with it.
KEY_TYPES = {
    **{f"{family}{bits}": "RSA" for family in ("RS", "PS") for bits in (256, 384, 512)},
    **{f"ES{bits}": "EC" for bits in (256, 384, 512)},
    "EdDSA": "OKP",
}
LEEWAY_SECONDS = 30
KEYS_REFETCH_SECONDS = 60.0

# What is wrong with a token, in the error's words; never which key was tried.
REFUSALS: list[tuple[type[jwt.PyJWTError], str]] = [
    (jwt.ExpiredSignatureError, "The token has expired."),
    (jwt.ImmatureSignatureError, "The token is not valid yet."),
    (jwt.InvalidIssuerError, "The token's issuer is not accepted."),
    (jwt.InvalidAudienceError, "The token is not meant for this service (audience)."),
    (jwt.MissingRequiredClaimError, "The token lacks a required claim."),
    (jwt.InvalidAlgorithmError, "The token's signing algorithm is not accepted."),
    (jwt.InvalidSignatureError, "The token's signature is not valid."),
]
MALFORMED = "The token is malformed."
WRONG_ISSUER = "The token's issuer is not accepted."
BAD_ALGORITHM = "The token's signing algorithm is not accepted."
BAD_SIGNATURE = "The token's signature is not valid."
NO_CLIENT = "The token names no known client."
NOT_OPERATOR = "This action needs an operator's token."


def refusal(error: jwt.PyJWTError) -> Unauthorized:
    for kind, message in REFUSALS:
        if isinstance(error, kind):
            return Unauthorized(message)
    return Unauthorized(MALFORMED)


@dataclass(frozen=True)
class IssuerKey:
    key: Any  # the cryptography public key
    key_type: str  # RSA, EC, OKP
    algorithm: str | None  # the JWK's `alg`, when it says


def _signing_key(jwk: dict[str, Any]) -> tuple[str, IssuerKey] | None:
    """(kid, key) of a published signing key; None for a key we would accept nothing from."""
    if jwk.get("kty") not in KEY_TYPES.values() or jwk.get("use", "sig") != "sig":
        return None
    try:
        return str(jwk["kid"]), IssuerKey(jwt.PyJWK(jwk).key, str(jwk["kty"]), jwk.get("alg"))
    except (jwt.PyJWTError, KeyError):
        return None


class ExternalIssuer:
    """The issuer named by ORDER_TAKING_OIDC_ISSUER, its keys fetched over HTTP and kept."""

    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = settings.oidc_issuer
        self.audience = settings.oidc_audience
        self.client_claim = settings.oidc_client_claim
        self.operator_role = settings.oidc_operator_role
        self.http = http
        self.clock = clock
        self._keys: dict[str, IssuerKey] = {}
        self._jwks_uri = ""
        self._fetched_at: float | None = None
        self._fetching = asyncio.Lock()

    async def _fetch_keys(self) -> None:
        try:
            if not self._jwks_uri:
                base = self.issuer.rstrip("/")
                discovery = await self._get(f"{base}/.well-known/openid-configuration")
                if discovery.get("issuer") != self.issuer:
                    log.error("the issuer's discovery document names another issuer")
                    raise ValueError("issuer mismatch")
                self._jwks_uri = str(discovery["jwks_uri"])
            jwks = await self._get(self._jwks_uri)
            found = [jwk for jwk in jwks["keys"] if isinstance(jwk, dict)]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            log.warning("the OpenID Connect issuer cannot be reached: %s", type(error).__name__)
            raise Unavailable("The token issuer cannot be reached; retry later.") from None
        self._keys = dict(filter(None, map(_signing_key, found)))
        self._fetched_at = self.clock()

    async def _get(self, url: str) -> dict[str, Any]:
        response = await self.http.get(url)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    async def _key(self, kid: str) -> IssuerKey:
        if kid not in self._keys:
            async with self._fetching:
                recently = self._fetched_at is not None and (
                    self.clock() - self._fetched_at < KEYS_REFETCH_SECONDS
                )
                if kid not in self._keys and not recently:
                    await self._fetch_keys()
        if kid not in self._keys:
            raise Unauthorized(BAD_SIGNATURE)
        return self._keys[kid]

    async def claims(self, token: str, header: dict[str, Any]) -> dict[str, Any]:
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in KEY_TYPES:
            raise Unauthorized(BAD_ALGORITHM)
        key = await self._key(str(header.get("kid", "")))
        if KEY_TYPES[algorithm] != key.key_type or key.algorithm not in (None, algorithm):
            raise Unauthorized(BAD_ALGORITHM)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                issuer=self.issuer,
                audience=self.audience or None,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss"], "verify_aud": bool(self.audience)},
            )
        except jwt.PyJWTError as error:
            raise refusal(error) from None
        return claims

    async def client(self, db: AsyncSession, claims: dict[str, Any]) -> ClientIdentity:
        code = claims.get(self.client_claim)
        client = await holders.find_client(db, code) if isinstance(code, str) else None
        if client is None:
            raise Unauthorized(NO_CLIENT)
        return ClientIdentity(id=client.id, code=client.code)

    def operator(self, claims: dict[str, Any]) -> OperatorIdentity:
        realm_access = claims.get("realm_access")
        roles = realm_access.get("roles") if isinstance(realm_access, dict) else None
        if not isinstance(roles, list) or self.operator_role not in roles:
            raise Unauthorized(NOT_OPERATOR)
        name = claims.get("preferred_username") or claims.get("sub") or ""
        return OperatorIdentity(id=str(claims.get("sub", "")), name=str(name))


class TokenVerifier:
    """The app's `clients.auth.JwtVerifier`: the built-in issuer's JWTs, and the external's."""

    def __init__(self, settings: Settings, external: ExternalIssuer | None) -> None:
        self.settings = settings
        self.external = external
        self._builtin_keys: dict[str, Any] = {}

    async def client(self, db: AsyncSession, token: str) -> ClientIdentity:
        external, claims = await self._claims(db, token)
        if external is not None:
            return await external.client(db, claims)
        holder = tokens.holder_of(claims)
        if not isinstance(holder, ClientIdentity):
            raise Unauthorized(NO_CLIENT)
        return holder

    async def operator(self, db: AsyncSession, token: str) -> OperatorIdentity:
        external, claims = await self._claims(db, token)
        if external is not None:
            return external.operator(claims)
        holder = tokens.holder_of(claims)
        if not isinstance(holder, OperatorIdentity):
            raise Unauthorized(NOT_OPERATOR)
        return holder

    async def _claims(
        self, db: AsyncSession, token: str
    ) -> tuple[ExternalIssuer | None, dict[str, Any]]:
        """The verified claims, and the external issuer if it is the one that signed them."""
        try:
            header = jwt.get_unverified_header(token)
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError:
            raise Unauthorized(MALFORMED) from None
        if self.external is not None and issuer == self.external.issuer:
            return self.external, await self.external.claims(token, header)
        kid = header.get("kid")
        if kid not in self._builtin_keys:
            # A key made since (rotation by another process), or a token of another issuer.
            self._builtin_keys = await keys.verification_keys(db, self.settings)
        if kid not in self._builtin_keys:
            raise Unauthorized(WRONG_ISSUER)
        try:
            claims = tokens.decode(
                token,
                self._builtin_keys,
                realm=self.settings.realm,
                audience=tokens.AUDIENCE,
                typ=tokens.ACCESS,
            )
        except jwt.PyJWTError as error:
            raise refusal(error) from None
        return None, claims
