from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TokenResponse(BaseModel):
    """As Keycloak answers (RFC 6749 §5.1)."""

    model_config = ConfigDict(populate_by_name=True)

    access_token: str = Field(description="A JWT to send as `Authorization: Bearer <token>`")
    expires_in: int = Field(description="Seconds the access token is valid")
    refresh_expires_in: int = Field(description="Seconds the refresh token is valid")
    refresh_token: str = Field(description="Exchanged once for new tokens (grant refresh_token)")
    token_type: str = Field(description="`Bearer`")
    not_before_policy: int = Field(0, alias="not-before-policy", description="Always 0")
    scope: str = Field(description="The scope granted")


class OAuthErrorBody(BaseModel):
    """RFC 6749 §5.2."""

    error: str = Field(
        description="`invalid_request`, `invalid_client`, `invalid_grant`, "
        "`unsupported_grant_type`, `temporarily_unavailable`, `not_found`"
    )
    error_description: str = Field(description="Human-readable explanation")


class OpenIdConfiguration(BaseModel):
    """The discovery document (OpenID Connect Discovery 1.0), as much as this issuer does."""

    issuer: str = Field(description="The `iss` of the tokens")
    token_endpoint: str = Field(description="Where tokens are asked for")
    jwks_uri: str = Field(description="The public keys the tokens are signed with")
    grant_types_supported: list[str] = Field(description="Grants of the token endpoint")
    token_endpoint_auth_methods_supported: list[str] = Field(
        description="How a client sends its secret"
    )
    response_types_supported: list[str] = Field(description="Only `token`")
    subject_types_supported: list[str] = Field(description="Only `public`")
    id_token_signing_alg_values_supported: list[str] = Field(description="Signing algorithms")


class JsonWebKeySet(BaseModel):
    keys: list[dict[str, Any]] = Field(description="Public keys (RFC 7517), each with its `kid`")
