"""Fixtures of the ordering tests: a second client, to check that clients never see each other."""

import httpx
import pytest

from tests.conftest import ClientFactory


@pytest.fixture
async def other_api(make_client: ClientFactory) -> httpx.AsyncClient:
    """The API as another client, XY999, sees it."""
    return await make_client("XY999")
