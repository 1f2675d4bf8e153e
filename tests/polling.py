"""Waiting for what another task or process does: poll with a deadline, never sleep a fixed time."""

import asyncio
import time
from collections.abc import Awaitable, Callable


async def eventually(
    check: Callable[[], Awaitable[bool]], *, seconds: float = 10.0, what: str = "the condition"
) -> None:
    """Polls `check` until it holds; fails once `seconds` have passed without it."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, f"{what}: not reached within {seconds} s"
        await asyncio.sleep(0.01)
