"""The playground and the docs in a real browser: Debian's headless Chromium driven by
Playwright (``executable_path``: Playwright's own browser download is not used).

A problem is typed and submitted as a person would; the verdict, the proof graph or
the countermodel table must render.  Screenshots go to ``artifacts/`` (gitignored).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_service import serve

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

if CHROMIUM is None:
    pytest.skip("no chromium on PATH (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve("serve", LOGICSVC_PROVER_WORKERS="1") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 760})
    opened = context.new_page()
    opened.goto(f"{base_url}/")
    yield opened
    context.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_a_typed_syllogism_is_proved_and_drawn(page: Any) -> None:
    p = page
    p.fill("#premises", "All men are mortal.\nSocrates is a man.")
    p.fill("#conclusion", "Socrates is mortal.")
    p.click("#submit")
    p.wait_for_selector("#graph svg")
    assert p.inner_text("#verdict").startswith("TRUE")
    labels = p.locator("#graph .node .label").all_text_contents()
    assert labels == ["Mortal(socrates)", "Man(socrates)"]
    subs = p.locator("#graph .node .sub").all_text_contents()
    assert subs == ["by premise 1: All men are mortal.", "stated in premise 2: Socrates is a man."]
    assert p.locator("#graph line.edge").count() == 1
    assert p.locator("#program li.used").count() == 2
    shot(p, "playground-proof.png")


def test_affirming_the_consequent_shows_a_countermodel_table(page: Any) -> None:
    p = page
    p.select_option("#example", "fallacy")
    p.click("#submit")
    p.wait_for_selector("table.model")
    assert p.inner_text("#verdict").startswith("UNKNOWN")
    rows = p.locator("table.model tr").all_inner_texts()
    assert [r.split() for r in rows] == [["Happy", "Rich"], ["bob", "✓", "✗"]]
    assert p.locator("#graph svg").count() == 0
    shot(p, "playground-countermodel.png")


def test_a_parse_error_puts_the_caret_under_the_fault(page: Any) -> None:
    p = page
    p.check("input[name=mode][value=formulas]")
    p.fill("#premises", "∀x (Man(x) → → Mortal(x))\nMan(socrates)")
    p.fill("#conclusion", "Mortal(socrates)")
    p.click("#submit")
    p.wait_for_selector("#error-context:not([hidden])")
    assert p.inner_text("#error-message").startswith("premise 1: unexpected '→'")
    text, caret = p.inner_text("#error-context").split("\n")
    assert text == "∀x (Man(x) → → Mortal(x))"
    assert caret == " " * text.index("→ →") + "  ^"


@pytest.mark.parametrize(("path", "ready"), [("/docs", ".opblock"), ("/redoc", "h1")])
def test_the_docs_render_without_the_internet(
    browser: Any, base_url: str, path: str, ready: str
) -> None:
    context = browser.new_context()
    p = context.new_page()
    outside: list[str] = []

    def leaving(request: Any) -> None:
        url = request.url
        # ReDoc's footer logo is an image from its CDN; everything that renders is local
        local = url.startswith((base_url, "blob:", "data:"))
        if not local and request.resource_type != "image":
            outside.append(url)

    p.on("request", leaving)
    p.goto(f"{base_url}{path}")
    p.wait_for_selector(ready, timeout=20_000)
    text = p.inner_text("body")
    for operation in ("/v1/prove", "/v1/reason", "/v1/translate"):
        assert operation in text
    assert outside == []
    shot(p, f"docs{path.replace('/', '-')}.png")
    context.close()
