"""/docs and /redoc work offline: their HTML names only this service's URLs, which it serves."""

import re

import httpx
import pytest

URL = re.compile(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_page_and_its_assets_come_from_the_service(
    api: httpx.AsyncClient, page: str
) -> None:
    response = await api.get(page)
    assert response.status_code == 200
    html = response.text
    assert "http://" not in html and "https://" not in html and "//" not in html.replace("://", "")
    urls = URL.findall(html)
    assert urls, "the page names its assets"
    for url in urls:
        assert url.startswith("/"), url
        asset = await api.get(url)
        assert asset.status_code == 200, url
        assert asset.content
