"""One log format for the application's lines and the server's access lines, text or JSON, each
line carrying the request id of the work it is about."""

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

from order_taking.core.context import current_request_id
from order_taking.core.settings import Settings

# The fields a request's access line carries besides the message (see RequestObserver).
REQUEST_FIELDS = ("client", "method", "route", "status", "duration_ms")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

_base_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    record.request_id = current_request_id() or "-"
    return record


# Loggers whose DEBUG lines show SQL statements with their values (contacts' e-mails, phones):
# never below INFO, whatever the level asked for.
STATEMENT_LOGGERS = ("aiosqlite",)


def install_request_ids() -> None:
    """Every log record gets `request_id`, whichever handler formats it (idempotent)."""
    logging.setLogRecordFactory(_record_with_request_id)
    for name in STATEMENT_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id and a request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "-")
        if request_id != "-":
            line["request_id"] = request_id
        for field in REQUEST_FIELDS:
            if (value := record.__dict__.get(field)) is not None:
                line[field] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(settings: Settings) -> dict[str, Any]:
    """The dictConfig of every process (also given to uvicorn, which applies it in each of its
    processes): one handler on the root logger; uvicorn's loggers go through it, its own access
    log is replaced by RequestObserver's line."""
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"}
        if settings.log_format == "json"
        else {"format": TEXT_FORMAT}
    )
    quiet = {"handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"order_taking": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "order_taking",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": settings.log_level.upper()},
        "loggers": {
            "uvicorn": quiet,
            "uvicorn.error": quiet,
            "uvicorn.access": quiet,
            **{name: {"level": "INFO"} for name in STATEMENT_LOGGERS},
        },
    }


def configure_logging(settings: Settings) -> None:
    install_request_ids()
    logging.config.dictConfig(logging_config(settings))
