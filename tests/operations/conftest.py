"""The worker's fixtures, for the tests of its request ids and metrics."""

from tests.backend.conftest import clock, make_worker

__all__ = ["clock", "make_worker"]
