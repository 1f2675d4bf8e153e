"""One error family, rendered by one handler into the contract's shape.

`{"code": ..., "message": ..., "errors": [{"code", "property_path", "value"}]}`: the same entry
shape as a line's `termination_error`, so a client parses both with one type.
"""

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

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


class MalformedRequest(ApiError):
    status_code = 400
    code = "malformed_request"


class Unauthorized(ApiError):
    status_code = 401
    code = "unauthorized"


class NotFound(ApiError):
    status_code = 404
    code = "not_found"


class InvalidState(ApiError):
    status_code = 409
    code = "invalid_state"


class PayloadTooLarge(ApiError):
    status_code = 413
    code = "malformed_request"


class ValidationFailed(ApiError):
    status_code = 422
    code = "validation_error"


class ServiceUnavailable(ApiError):
    status_code = 503
    code = "unavailable"


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
        ServiceUnavailable,
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
    """Every operation that reads a body may answer 400 (not a JSON object) and 413 (too large):
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
                for error in (MalformedRequest, PayloadTooLarge):
                    operation["responses"].setdefault(
                        str(error.status_code),
                        {
                            "description": error.code,
                            "content": {"application/json": {"schema": error_body}},
                        },
                    )
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    """The one rendering of every error, and its declaration in the OpenAPI document."""
    _document_body_errors(app)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, error: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthorized) else None
        return error_response(error.status_code, error.body(), headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [dict(e) for e in error.errors()]
        if _is_body_shape_error(errors):
            problem = MalformedRequest("The request body must be a JSON object.")
            return error_response(problem.status_code, problem.body())
        entries = validation_entries(errors)
        summary = f"{len(entries)} invalid field(s): " + ", ".join(e.property_path for e in entries)
        return error_response(
            422, ErrorBody(code="validation_error", message=summary, errors=entries)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if isinstance(error.__cause__, ApiError):  # raised while FastAPI read the body
            return await _api_error(request, error.__cause__)
        code = _HTTP_CODES.get(error.status_code, "http_error")
        return error_response(
            error.status_code,
            ErrorBody(code=code, message=str(error.detail)),
            dict(error.headers) if error.headers else None,
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=error)
        body = ErrorBody(code="internal_error", message="An unexpected error occurred.")
        return error_response(500, body)
