"""The headless Chromium page every browser test drives (one per module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.cdp import Page, chromium, chromium_path
from tests.conftest import require

HOW = ("install Chromium to run the browser tests: "
       "apt-get update && apt-get install -y chromium chromium-driver")


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    require(chromium_path() is not None, HOW)
    with chromium() as browser:
        browser.send("Network.enable")
        browser.send("Page.enable")
        yield browser
