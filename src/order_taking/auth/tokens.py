"""The built-in issuer's JWTs: access tokens for the API, refresh tokens for the token endpoint.

Claims as Keycloak writes them, so that integrators' code reads them unchanged: `client_code`
names a client, `realm_access.roles` holds `order-taking-operator` for an operator.
"""

from datetime import datetime, timedelta
from typing import Any

import jwt

from order_taking.auth.keys import ALGORITHM, PrivateKey
from order_taking.clients.service import ClientIdentity, OperatorIdentity
from order_taking.core.columns import new_id

AUDIENCE = "order-taking"
OPERATOR_ROLE = "order-taking-operator"
ACCESS = "Bearer"  # the `typ` claim, as Keycloak writes it
REFRESH = "Refresh"
ISSUER_PATH = "/auth/realms/{realm}"

Holder = ClientIdentity | OperatorIdentity


def holder_claims(holder: Holder) -> dict[str, Any]:
    if isinstance(holder, ClientIdentity):
        return {"sub": holder.id, "preferred_username": holder.code, "client_code": holder.code}
    return {
        "sub": holder.id,
        "preferred_username": holder.name,
        "realm_access": {"roles": [OPERATOR_ROLE]},
    }


def sign(
    key: PrivateKey,
    *,
    issuer: str,
    holder: Holder,
    typ: str,
    client_id: str,
    scope: str,
    issued_at: datetime,
    lifetime: timedelta,
) -> str:
    expires_at = issued_at + lifetime
    claims = {
        **holder_claims(holder),
        "iss": issuer,
        "aud": AUDIENCE if typ == ACCESS else issuer,
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": new_id(),
        "typ": typ,
        "azp": client_id,
        "scope": scope,
    }
    return jwt.encode(claims, key.key, algorithm=ALGORITHM, headers={"kid": key.kid})


def decode(
    token: str, keys: dict[str, Any], *, realm: str, audience: str | None, typ: str
) -> dict[str, Any]:
    """The claims of a token this service signed; raises `jwt.PyJWTError` otherwise.

    Its `iss` is the base URL the client called, whichever it was, then the realm's path.
    """
    kid = jwt.get_unverified_header(token).get("kid")
    if kid not in keys:
        raise jwt.InvalidSignatureError("not signed by a key of this service")
    claims: dict[str, Any] = jwt.decode(
        token,
        keys[kid],
        algorithms=[ALGORITHM],
        audience=audience,
        options={"require": ["iss", "sub", "exp", "iat", "jti"], "verify_aud": bool(audience)},
    )
    if not str(claims["iss"]).endswith(ISSUER_PATH.format(realm=realm)):
        raise jwt.InvalidIssuerError("not this realm's token")
    if claims.get("typ") != typ:
        raise jwt.InvalidTokenError(f"not a {typ.lower()} token")
    return claims


def holder_of(claims: dict[str, Any]) -> Holder:
    """Who an access token of this service was issued to."""
    roles = (claims.get("realm_access") or {}).get("roles") or []
    if OPERATOR_ROLE in roles:
        return OperatorIdentity(id=claims["sub"], name=claims["preferred_username"])
    return ClientIdentity(id=claims["sub"], code=claims["client_code"])
