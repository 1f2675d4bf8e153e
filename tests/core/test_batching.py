"""core.batching.Batcher: the work of tasks side by side done together."""

import asyncio

import pytest

from order_taking.core.batching import Batcher


class Recorded:
    """A handler that keeps each batch it is given; `gate` holds a batch until set."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.started = asyncio.Event()
        self.gate = asyncio.Event()
        self.gate.set()

    async def handle(self, items: list[int]) -> list[int | Exception]:
        self.batches.append(items)
        self.started.set()
        await self.gate.wait()
        return [ValueError(item) if item < 0 else item * 10 for item in items]


class TestSubmit:
    async def test_tasks_started_together_share_one_batch(self) -> None:
        handler = Recorded()
        batcher = Batcher[int, int](handler.handle)

        results = await asyncio.gather(*(batcher.submit(item) for item in range(5)))

        assert results == [0, 10, 20, 30, 40]
        assert handler.batches == [[0, 1, 2, 3, 4]]

    async def test_items_arriving_during_a_batch_go_together_in_the_next(self) -> None:
        handler = Recorded()
        handler.gate.clear()
        batcher = Batcher[int, int](handler.handle)
        first = asyncio.ensure_future(batcher.submit(1))
        await handler.started.wait()

        later = [asyncio.ensure_future(batcher.submit(item)) for item in (2, 3)]
        await asyncio.sleep(0)
        handler.gate.set()

        assert await asyncio.gather(first, *later) == [10, 20, 30]
        assert handler.batches == [[1], [2, 3]]

    async def test_an_items_error_is_its_own(self) -> None:
        batcher = Batcher[int, int](Recorded().handle)

        results = await asyncio.gather(
            batcher.submit(1), batcher.submit(-1), return_exceptions=True
        )

        assert results[0] == 10
        assert isinstance(results[1], ValueError)

    async def test_a_failed_batch_fails_its_items_only(self) -> None:
        calls = 0

        async def fails_once(items: list[int]) -> list[int | Exception]:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise ConnectionError("database away")
            return items

        batcher = Batcher[int, int](fails_once)

        with pytest.raises(ConnectionError):
            await asyncio.gather(batcher.submit(1), batcher.submit(2))
        assert await batcher.submit(3) == 3

    async def test_a_cancelled_caller_leaves_the_others_their_results(self) -> None:
        handler = Recorded()
        handler.gate.clear()
        batcher = Batcher[int, int](handler.handle)
        cancelled, kept = (asyncio.ensure_future(batcher.submit(i)) for i in (1, 2))
        await handler.started.wait()

        cancelled.cancel()
        handler.gate.set()

        assert await kept == 20
        assert cancelled.cancelled()
