"""Interactive documentation that works offline: Swagger UI and ReDoc served by the service from
an installed package's files (fastapi-offline ships them), and the operational answers every API
operation may give, declared in the OpenAPI document."""

from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from order_taking.core.errors import RateLimited, Unavailable

ASSETS_PATH = "/docs-assets"


def install_offline_docs(app: FastAPI) -> None:
    """/docs and /redoc with their assets under /docs-assets (the app is made with
    docs_url=None, redoc_url=None so that FastAPI's CDN pages are not served)."""
    assets = files("fastapi_offline") / "static"
    app.mount(ASSETS_PATH, StaticFiles(directory=str(assets)), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )


EMPTY = {"type": "string", "maxLength": 0}


def _empty_query_values_allowed(operation: dict[str, Any]) -> None:
    """core.listing.Page reads an empty query value as if it were not sent: said so in each
    list parameter's schema."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "query":
            continue
        schema = parameter["schema"]
        if "anyOf" in schema:
            schema["anyOf"].append(EMPTY)
        else:
            parameter["schema"] = {"anyOf": [schema, EMPTY], "default": schema.get("default")}
            if "default" not in schema:
                del parameter["schema"]["default"]


def document_operational_errors(app: FastAPI) -> None:
    """Every API operation may answer 429 (rate limit) and 503 (database unavailable), each
    with Retry-After, and a list's query takes empty values: declared once here for all."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        retry_after = {
            "Retry-After": {
                "description": "Seconds to wait before trying again",
                "schema": {"type": "integer"},
            }
        }
        for path, operations in document.get("paths", {}).items():
            if not path.startswith("/api/"):
                continue
            for operation in operations.values():
                _empty_query_values_allowed(operation)
                for error in (RateLimited, Unavailable):
                    operation["responses"].setdefault(
                        str(error.status_code),
                        {
                            "description": error.code,
                            "headers": retry_after,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ErrorBody"}
                                }
                            },
                        },
                    )
        return document

    app.openapi = openapi  # type: ignore[method-assign]
