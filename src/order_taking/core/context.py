"""The request id of the work at hand: set per request (and per job from the confirm that queued
it), carried by every log line written for it."""

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return request_id.get()
