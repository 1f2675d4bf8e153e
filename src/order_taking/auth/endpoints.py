"""The built-in issuer, under the paths Keycloak uses: token endpoint, discovery, keys."""

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import FormData

from order_taking.auth import keys, service
from order_taking.auth.errors import (
    NO_STORE,
    OAuthError,
    documented,
    invalid_client,
    invalid_grant,
    invalid_request,
)
from order_taking.auth.schemas import JsonWebKeySet, OpenIdConfiguration, TokenResponse
from order_taking.core.http import Transaction
from order_taking.core.settings import Settings

router = APIRouter(prefix="/auth/realms/{realm}", tags=["sign-in"])

GRANTS = ["password", "client_credentials", "refresh_token"]
FORM_FIELDS = {
    "grant_type": "`password`, `client_credentials` or `refresh_token`",
    "client_id": "The integration's id (any, e.g. `api-client`); client_credentials: the "
    "client's code or the operator's name",
    "client_secret": "client_credentials: the password (or HTTP Basic authentication)",
    "username": "password grant: the client's code or the operator's name",
    "password": "password grant: the password set with `order-taking clients password`",
    "refresh_token": "refresh_token grant: the refresh token (each is used once)",
    "scope": "The scope asked for (echoed back)",
}
TOKEN_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        name: {"type": "string", "description": description}
                        for name, description in FORM_FIELDS.items()
                    },
                }
            }
        },
    }
}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


RealmName = Annotated[str, Path(description="The realm, `order-taking` by default")]


def _realm(request: Request, realm: RealmName) -> str:
    """The issuer's URL: this service's base URL as the client called it, then the realm."""
    if realm != _settings(request).realm:
        raise OAuthError("not_found", f"Realm {realm} does not exist", 404)
    return str(request.base_url).rstrip("/") + f"/auth/realms/{realm}"


Issuer = Annotated[str, Depends(_realm)]


async def _form(request: Request) -> FormData:
    try:
        return await request.form()
    except Exception:  # whatever the form parser refuses
        raise invalid_request("The body must be an urlencoded or multipart form") from None


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """client_secret_basic: `Authorization: Basic base64(urlencoded id:urlencoded secret)`."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise invalid_client("Malformed Basic authentication") from None
    return unquote(client_id), unquote(secret)


@router.post(
    "/protocol/openid-connect/token",
    response_model=TokenResponse,
    response_model_by_alias=True,
    responses=documented(400, 401, 404, 429),
    summary="Get tokens (OAuth 2.0: password, client_credentials, refresh_token)",
    openapi_extra=TOKEN_FORM,
)
async def token(request: Request, db: Transaction, issuer: Issuer) -> JSONResponse:
    form = await _form(request)
    settings = _settings(request)
    grant_type = _field(form, "grant_type")
    client_id = _field(form, "client_id")
    grant = service.Grant(issuer=issuer, client_id=client_id, scope=_field(form, "scope"))
    if not grant_type:
        raise invalid_request("Missing form parameter: grant_type")
    if grant_type == "refresh_token":
        refresh_token = _field(form, "refresh_token")
        if not refresh_token:
            raise invalid_request("Missing form parameter: refresh_token")
        tokens = await service.refresh(db, settings, grant, refresh_token)
    elif grant_type in ("password", "client_credentials"):
        tokens = await _sign_in(request, db, settings, grant, grant_type, form)
    else:
        raise OAuthError("unsupported_grant_type", f"Unsupported grant_type {grant_type}")
    return JSONResponse(tokens.model_dump(by_alias=True), headers=NO_STORE)


async def _sign_in(
    request: Request,
    db: Transaction,
    settings: Settings,
    grant: service.Grant,
    grant_type: str,
    form: FormData,
) -> TokenResponse:
    if grant_type == "password":
        username, password = _field(form, "username"), _field(form, "password")
        if not username or not password:
            raise invalid_request("Missing form parameter: username and password")
        refusal = invalid_grant(service.BAD_CREDENTIALS)
    else:
        basic = _basic_credentials(request)
        username, password = basic or (grant.client_id, _field(form, "client_secret"))
        if not username or not password:
            raise invalid_client("Client authentication is required: client_id, client_secret")
        refusal = invalid_client("Invalid client or Invalid client credentials")
        grant = service.Grant(issuer=grant.issuer, client_id=username, scope=grant.scope)
    holder = await service.authenticate(
        db,
        request.app.state.rate_limiter,
        settings,
        username=username,
        password=password,
        address=request.client.host if request.client else "",
    )
    if holder is None:
        raise refusal
    return await service.issue(db, settings, grant, holder)


@router.get(
    "/.well-known/openid-configuration",
    response_model=OpenIdConfiguration,
    responses=documented(404),
    summary="OpenID Connect discovery document of the built-in issuer",
)
async def openid_configuration(issuer: Issuer) -> OpenIdConfiguration:
    return OpenIdConfiguration(
        issuer=issuer,
        token_endpoint=f"{issuer}/protocol/openid-connect/token",
        jwks_uri=f"{issuer}/protocol/openid-connect/certs",
        grant_types_supported=GRANTS,
        token_endpoint_auth_methods_supported=["client_secret_post", "client_secret_basic"],
        response_types_supported=["token"],
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=[keys.ALGORITHM],
    )


@router.get(
    "/protocol/openid-connect/certs",
    response_model=JsonWebKeySet,
    responses=documented(404),
    summary="Public keys of the built-in issuer (JWKS), retired ones until their tokens expire",
)
async def jwks(request: Request, db: Transaction, _issuer: Issuer) -> dict[str, Any]:
    return {"keys": await keys.published_keys(db, _settings(request))}
