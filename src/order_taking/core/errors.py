"""One error family, rendered by one handler into the contract's shape.

`{"code": ..., "message": ..., "errors": [{"code", "property_path", "value"}]}`: the same entry
shape as a line's `termination_error`, so a client parses both with one type.
"""

import json
import logging
import math
from typing import Any

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = logging.getLogger(__name__)


class ErrorEntry(BaseModel):
    code: str = Field(description="Machine-readable reason, e.g. `required`, `too_long`")
    property_path: str = Field(
        description="Field concerned, e.g. `related_contact_information[0].city`"
    )
    value: str = Field(description="The value that was refused, as text")


class ErrorBody(BaseModel):
    code: str = Field(description="`malformed_request`, `unauthorized`, `not_found`, ...")
    message: str = Field(description="Human-readable summary")
    errors: list[ErrorEntry] = Field(
        default_factory=list, description="One entry per refused field; may be empty"
    )


class ApiError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(self, message: str, errors: list[ErrorEntry] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []

    def body(self) -> ErrorBody:
        return ErrorBody(code=self.code, message=self.message, errors=self.errors)

    def headers(self) -> dict[str, str] | None:
        return None


class MalformedRequest(ApiError):
    status_code = 400
    code = "malformed_request"


class Unauthorized(ApiError):
    status_code = 401
    code = "unauthorized"

    def headers(self) -> dict[str, str] | None:
        return {"WWW-Authenticate": "Bearer"}


class NotFound(ApiError):
    status_code = 404
    code = "not_found"


class InvalidState(ApiError):
    status_code = 409
    code = "invalid_state"


class PayloadTooLarge(ApiError):
    status_code = 413
    code = "malformed_request"


class UnsupportedMediaType(ApiError):
    status_code = 415
    code = "unsupported_media_type"


class ValidationFailed(ApiError):
    status_code = 422
    code = "validation_error"


class RateLimited(ApiError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, wait_seconds: float, message: str = "Too many requests") -> None:
        self.retry_after = max(math.ceil(wait_seconds), 1)
        super().__init__(f"{message}: retry in {self.retry_after} s.")

    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(self.retry_after)}


class Unavailable(ApiError):
    status_code = 503
    code = "unavailable"
    retry_after = 1

    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(self.retry_after)}


# The database cannot be reached, or no pooled connection came free in time: the request is
# shed with 503 rather than failed with 500, and the next one tries again.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sqlalchemy.exc.TimeoutError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    OSError,
)


def error_response(
    status_code: int, body: ErrorBody, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body.model_dump(), status_code=status_code, headers=headers)


def responses(*errors: type[ApiError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for an endpoint that may raise these errors (401, 422 and 503 always:
    503 when the external token issuer cannot be reached; 400 and 413 are added to every
    operation with a body by `install_error_handlers`)."""
    documented: dict[int | str, dict[str, Any]] = {}
    kinds: tuple[type[ApiError], ...] = (
        Unauthorized,
        ValidationFailed,
        Unavailable,
        *errors,
    )
    for error in kinds:
        documented[error.status_code] = {"model": ErrorBody, "description": error.code}
    return documented


def render_value(value: Any) -> str:
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    # An unpaired surrogate cannot be sent as UTF-8: it is shown as "?".
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= 200 else text[:197] + "..."


def property_path(location: tuple[int | str, ...]) -> str:
    """`("related_contact_information", 0, "city")` → `related_contact_information[0].city`."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


# Pydantic's error types, folded into the few codes a client needs to act on.
_VALIDATION_CODES = {
    "missing": "required",
    "string_too_long": "too_long",
    "string_too_short": "too_short",
    "too_long": "too_many",
    "too_short": "too_few",
    "less_than_equal": "out_of_range",
    "greater_than_equal": "out_of_range",
    "less_than": "out_of_range",
    "greater_than": "out_of_range",
    "date_from_datetime_parsing": "invalid_date",
    "date_parsing": "invalid_date",
    "date_type": "invalid_date",
    "datetime_parsing": "invalid_date",
    "datetime_from_date_parsing": "invalid_date",
    "datetime_type": "invalid_date",
    "uuid_parsing": "invalid_uuid",
    "literal_error": "invalid_choice",
    "enum": "invalid_choice",
}

# Codes raised by our own validators (core.fields, list filters) pass through as they are.
_OWN_CODES = {
    "invalid_type",
    "invalid_date",
    "out_of_range",
    "invalid_choice",
    "invalid_sort",
    "invalid_character",
}

_BODY_SHAPE_ERRORS = {"missing", "model_attributes_type", "dict_type", "model_type"}


def validation_entries(errors: list[dict[str, Any]]) -> list[ErrorEntry]:
    entries = []
    for error in errors:
        location = tuple(error.get("loc", ()))
        if location and location[0] in ("body", "query", "path", "header"):
            location = location[1:]
        error_type = str(error.get("type", ""))
        if error_type == "conflicting_values":  # one error naming each of its fields
            fields = (error.get("ctx") or {}).get("fields", [])
            sent = error.get("input")
            given: dict[str, Any] = sent if isinstance(sent, dict) else {}
            entries += [
                ErrorEntry(
                    code=error_type,
                    property_path=property_path((*location, name)),
                    value=render_value(given.get(name)),
                )
                for name in fields
            ]
            continue
        code = _VALIDATION_CODES.get(error_type) or (
            error_type if error_type in _OWN_CODES else "invalid_type"
        )
        entries.append(
            ErrorEntry(
                code=code,
                property_path=property_path(location),
                value="" if error_type == "missing" else render_value(error.get("input")),
            )
        )
    return entries


HTTP_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> list[str]:
    """The methods some route serves at the request's path (asked of the routes themselves, as
    the router does, one method at a time)."""
    allowed = {"OPTIONS"}
    for method in HTTP_METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.add(method)
    return sorted(allowed)


def _body_problem(request: Request, errors: list[dict[str, Any]]) -> ApiError:
    """Why a body is not a JSON object: its content type, its syntax (and where), or its kind."""
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type and media_type != "application/json" and not media_type.endswith("+json"):
        return UnsupportedMediaType(
            f"The request body must be JSON: Content-Type {media_type!r} is not application/json."
        )
    for error in errors:
        if error.get("type") == "json_invalid":
            location = tuple(error.get("loc", ()))
            where = f" at character {location[1]}" if len(location) > 1 else ""
            reason = (error.get("ctx") or {}).get("error", "invalid JSON")
            return MalformedRequest(f"The request body is not valid JSON: {reason}{where}.")
    return MalformedRequest("The request body must be a JSON object.")


def _is_body_shape_error(errors: list[dict[str, Any]]) -> bool:
    """A body that is missing, not JSON, or not an object is malformed rather than invalid.

    Such errors are located at the body itself (FastAPI puts a JSON syntax error at its offset).
    """
    return any(
        e.get("type") == "json_invalid"
        or (e.get("type") in _BODY_SHAPE_ERRORS and tuple(e.get("loc", ())) == ("body",))
        for e in errors
    )


_HTTP_CODES = {400: "malformed_request", 404: "not_found", 405: "method_not_allowed"}


def _document_body_errors(app: FastAPI) -> None:
    """Every operation that reads a body may answer 400 (not a JSON object), 413 (too large) and
    415 (not JSON):
    declared once here for all of them, as FastAPI lets an app complete its OpenAPI document.
    (ErrorBody is in the document: every endpoint declares its errors with `responses`.)"""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        error_body = {"$ref": "#/components/schemas/ErrorBody"}
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                if "requestBody" not in operation:
                    continue
                _no_null_body(operation["requestBody"])
                # 415 answers a body that should have been JSON (a form, as OAuth's, is not).
                takes_json = "application/json" in operation["requestBody"].get("content", {})
                errors = (MalformedRequest, PayloadTooLarge, UnsupportedMediaType)
                for error in errors if takes_json else errors[:2]:
                    operation["responses"].setdefault(
                        str(error.status_code),
                        {
                            "description": error.code,
                            "content": {"application/json": {"schema": error_body}},
                        },
                    )
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _no_null_body(request_body: dict[str, Any]) -> None:
    """An optional body (`Model | None`) may be left out, never sent as `null` (core.http's
    NoNullBody): the document offers the object alone."""
    for content in request_body.get("content", {}).values():
        schema = content.get("schema", {})
        choices = [c for c in schema.get("anyOf", []) if c != {"type": "null"}]
        if len(choices) == 1 and len(choices) < len(schema["anyOf"]):
            content["schema"] = choices[0]


def install_error_handlers(app: FastAPI) -> None:
    """The one rendering of every error, and its declaration in the OpenAPI document."""
    _document_body_errors(app)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status_code, error.body(), error.headers())

    async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
        log.warning("database unavailable: %s: %s", type(error).__name__, error)
        return await _api_error(request, Unavailable("The database is unavailable: retry soon."))

    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, _database_unavailable)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [dict(e) for e in error.errors()]
        if _is_body_shape_error(errors):
            problem = _body_problem(request, errors)
            return error_response(problem.status_code, problem.body())
        entries = validation_entries(errors)
        summary = f"{len(entries)} invalid field(s): " + ", ".join(e.property_path for e in entries)
        return error_response(
            422, ErrorBody(code="validation_error", message=summary, errors=entries)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        if isinstance(error.__cause__, ApiError):  # raised while FastAPI read the body
            return await _api_error(request, error.__cause__)
        headers = dict(error.headers) if error.headers else {}
        message = str(error.detail)
        if error.status_code == 405:
            # Each method of a path is a route of its own: Allow names those of all of them.
            allowed = _allowed_methods(request)
            headers["Allow"] = ", ".join(allowed)
            if request.method == "OPTIONS":
                return Response(status_code=204, headers=headers)
            message = f"{request.method} is not allowed here; allowed: {headers['Allow']}."
        code = _HTTP_CODES.get(error.status_code, "http_error")
        return error_response(
            error.status_code, ErrorBody(code=code, message=message), headers or None
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=error)
        body = ErrorBody(code="internal_error", message="An unexpected error occurred.")
        return error_response(500, body)
