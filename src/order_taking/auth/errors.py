"""Errors of the token endpoint, in OAuth 2.0's shape (RFC 6749 §5.2), not the API's."""

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from order_taking.auth.schemas import OAuthErrorBody
from order_taking.core.errors import ErrorBody


class OAuthError(Exception):
    def __init__(
        self,
        error: str,
        description: str,
        status_code: int = 400,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status_code = status_code
        self.headers = headers or {}


def invalid_request(description: str) -> OAuthError:
    return OAuthError("invalid_request", description)


def invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


def invalid_client(description: str) -> OAuthError:
    return OAuthError("invalid_client", description, 401, {"WWW-Authenticate": "Basic"})


NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def oauth_error_response(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, OAuthError)
    body = OAuthErrorBody(error=error.error, error_description=error.description)
    return JSONResponse(
        body.model_dump(), status_code=error.status_code, headers={**NO_STORE, **error.headers}
    )


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` of an endpoint answering these OAuth errors (and, as FastAPI adds
    it to any operation with parameters, the API's 422, which a text path parameter never gets)."""
    response = {"model": OAuthErrorBody, "description": "OAuth 2.0 error"}
    return {
        **{status: response for status in statuses},
        422: {"model": ErrorBody, "description": "validation_error"},
    }
