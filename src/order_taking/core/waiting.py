"""How the workers' loops wait: for a signal, for work in flight, or for the next poll."""

import asyncio
from collections.abc import Iterable
from typing import Any


async def first_of(
    events: Iterable[asyncio.Event], tasks: Iterable[asyncio.Future[Any]], seconds: float
) -> None:
    """Returns when an event is set or a task is done, or after `seconds`."""
    event_waiters = {asyncio.ensure_future(event.wait()) for event in events}
    awaited: set[asyncio.Future[Any]] = {*event_waiters, *tasks}
    try:
        await asyncio.wait(awaited, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in event_waiters:
            waiter.cancel()
