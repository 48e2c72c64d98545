"""The static site in a real browser: Debian's headless Chromium driven by selenium, from file://.

Needs ``apt-get install chromium chromium-driver`` (CI installs them); skips with
the reason when they are absent. Nothing downloads a browser. ``make test-browser``
runs this file alone.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pyarrow.parquet as pq
import pytest

from scripts.browser import chromium_driver, missing_browser
from scripts.site import build_site

pytestmark = pytest.mark.skipif(missing_browser() is not None, reason=f"no browser: {missing_browser()}")


@pytest.fixture(scope="module")
def site(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(built_package, tmp_path_factory.mktemp("browser-site") / "site")


@pytest.fixture(scope="module")
def driver() -> Any:
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    browser = chromium_driver(profile)
    yield browser
    browser.quit()
    shutil.rmtree(profile, ignore_errors=True)


def severe(browser: Any) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def test_an_article_shows_its_quotes_and_a_click_shows_the_speaker(built_package: Path, site: Path, driver: Any):
    from selenium.webdriver.common.by import By

    quotes = pq.read_table(built_package / "data" / "quotes.parquet").to_pylist()
    entities = {e["entity_id"]: e for e in pq.read_table(built_package / "data" / "entities.parquet").to_pylist()}
    counts = Counter(q["source_id"] for q in quotes)
    source_id = min(counts, key=lambda s: (-counts[s], s))
    driver.get((site / "articles" / f"{source_id}.html").as_uri())
    shown = driver.find_elements(By.CSS_SELECTOR, "#text mark.quote[id]")
    assert len(shown) == counts[source_id]
    for kind, count in Counter(q["kind"] for q in quotes if q["source_id"] == source_id).items():
        assert len(driver.find_elements(By.CSS_SELECTOR, f"#text mark.quote.{kind}[id]")) == count
    quote = next(q for q in sorted(quotes, key=lambda q: q["start"])
                 if q["source_id"] == source_id and q["speaker_entity_id"])
    element = driver.find_element(By.ID, quote["quote_id"])
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()
    panel = driver.find_element(By.ID, "details")
    section = panel.find_element(By.CSS_SELECTOR, f'section[data-id="{quote["quote_id"]}"]')
    assert entities[quote["speaker_entity_id"]]["name"] in section.text
    if quote["speaker_text"]:
        assert quote["speaker_text"] in section.text
    assert severe(driver) == []


def test_a_link_to_an_annotation_selects_it(built_package: Path, site: Path, driver: Any):
    from selenium.webdriver.common.by import By

    statistic = pq.read_table(built_package / "data" / "statistics.parquet").to_pylist()[0]
    driver.get((site / "articles" / f"{statistic['source_id']}.html").as_uri() + f"#{statistic['statistic_id']}")
    section = driver.find_element(By.CSS_SELECTOR, f'#details section[data-id="{statistic["statistic_id"]}"]')
    assert statistic["measure"] in section.text


def test_every_page_loads_without_console_errors_and_every_internal_link_resolves(site: Path, driver: Any):
    from selenium.webdriver.common.by import By

    start = (site / "index.html").as_uri()
    queue, seen, ids, links = [start], {start}, {}, []
    while queue:
        url = queue.pop()
        driver.get(url)
        assert severe(driver) == [], url
        ids[url] = set(driver.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('[id]'), function (e) { return e.id; });"))
        for attribute, selector in (("href", "a[href], link[href]"), ("src", "script[src], img[src]")):
            for element in driver.find_elements(By.CSS_SELECTOR, selector):
                target = element.get_attribute(attribute)
                if urlsplit(target).scheme != "file":
                    continue  # a source's own web address: shown, never loaded
                links.append((url, target))
                page, _fragment = urldefrag(target)
                if page.endswith(".html") and page not in seen:
                    seen.add(page)
                    queue.append(page)
    assert len(ids) == sum(1 for _ in site.rglob("*.html")), "a page is not reachable from index.html"
    for url, target in links:
        page, fragment = urldefrag(target)
        assert Path(urlsplit(page).path).is_file(), f"{url} links to a missing {target}"
        if fragment and page.endswith(".html"):
            assert fragment in ids[page], f"{url} links to {target}, which has no such anchor"
