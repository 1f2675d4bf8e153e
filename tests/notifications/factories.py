"""Small factories for the notification tests."""

from typing import Any

import httpx

from tests.notifications.receiver import Receiver


async def register(
    api: httpx.AsyncClient, callback: str | Receiver, query: str = ""
) -> dict[str, Any]:
    url = callback.url if isinstance(callback, Receiver) else callback
    response = await api.post("/api/v1/hub/", json={"callback": url, "query": query})
    assert response.status_code == 201, response.text
    listener: dict[str, Any] = response.json()
    return listener


async def feed(api: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await api.get("/api/v1/event/", params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page
