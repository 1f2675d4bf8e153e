"""Work asked for by many tasks at once, done for all of them together, none waiting for a timer."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Answers a result, or the error of that item, for each item of a batch, in the batch's order.
Handler = Callable[[list[T]], Awaitable[Sequence[R | Exception]]]


class Batcher(Generic[T, R]):
    """Calls `handle` on the items submitted side by side: the first starts a batch at the next
    turn of the event loop (so the tasks started together share it), and the items that arrive
    while a batch is handled go together in the next one. An error `handle` raises is every
    item's of that batch."""

    def __init__(self, handle: Handler[T, R]) -> None:
        self._handle = handle
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._running: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            items = [item for item, _ in batch]
            try:
                results: Sequence[R | Exception] = await self._handle(items)
            except Exception as error:
                results = [error] * len(batch)
            for (_, future), result in zip(batch, results, strict=True):
                _settle(future, result)


def _settle(future: "asyncio.Future[R]", result: "R | Exception") -> None:
    if future.done():  # its task was cancelled meanwhile
        return
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)
