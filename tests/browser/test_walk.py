"""The walk (issue 13, "Done when"): every demo account, at a phone and a desktop size, follows the
navigation links and the links of the pages they lead to, as a new user would. On every page:

* it answers (no 4xx/5xx behind a link: no dead end);
* nothing is wider than the screen;
* no English word outside the proper names and file formats a clerk knows (PDF, Excel, CSV …);
* no raw rule key, internal citation, template placeholder or JSON.

Pages are visited breadth-first from the home page, up to ``MAX_PAGES`` per account and size, one page per
URL path pattern (``/stations/12/`` stands for every station page), so the walk stays short.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest

from home.demo import DEMO_PASSWORD, load_demo
from tests.browser.test_township_login import browser_page  # noqa: F401  (fixture)

ACCOUNTS = [
    "admin",
    "fj_province",
    "sanming_city",
    "datian_bureau",
    "junxi_town",
    "junxi_village",
    "agency_sunshine",
    "evaluator",
]
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
MAX_PAGES = 30

# Words a Chinese clerk reads as such: formats, standards and brand-like proper names.
ALLOWED_WORDS = {
    "PDF",
    "Excel",
    "CSV",
    "OCDS",
    "JSON",  # only in the API documentation link text, never as something to type
    "API",
    "TOTP",
    "App",
    "ECharts",
    "GB",
    "PIPL",
    # Authenticator apps named on the second-factor page.
    "Microsoft",
    "Google",
    "Authenticator",
    "FreeOTP",
}
SKIP_PREFIXES = ("/admin/", "/api/", "/static/", "/logout/", "/healthz")
RAW_PATTERNS = [
    (re.compile(r"\b[a-z]+\.[a-z_]+_[a-z_]+\b"), "a rule key"),
    (re.compile(r"\[\d{3} §"), "an internal citation"),
    (re.compile(r"\{(county|township|city|province|village)\}"), "a template placeholder"),
    (re.compile(r"\{\s*\"[a-z_]+\"\s*:"), "JSON"),
    (re.compile(r"\b(None|True|False|null)\b"), "a programming value"),
]
WORD = re.compile(r"[A-Za-z]{3,}")


def _pattern(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/<n>", path)


def _problems(page, width: int) -> list[str]:  # type: ignore[no-untyped-def]
    problems: list[str] = []
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width + 1:
        problems.append(f"wider than the screen ({scroll}px > {width}px)")
    # Data shown to be typed as it is, not wording: a secret for an authenticator app, and identifiers such as
    # login names marked translate="no".
    text = page.evaluate(
        "(() => { let t = document.body.innerText;"
        " document.querySelectorAll('#otp-secret, code, kbd, [translate=\\'no\\']')"
        ".forEach(e => { t = t.split(e.innerText).join(' '); });"
        " return t; })()"
    )
    english = sorted({w for w in WORD.findall(text) if w not in ALLOWED_WORDS})
    if english:
        problems.append(f"English words: {english[:8]}")
    for pattern, what in RAW_PATTERNS:
        found = pattern.search(text)
        if found:
            problems.append(f"{what}: {found.group(0)!r}")
    return problems


def _links(page, base: str) -> list[str]:  # type: ignore[no-untyped-def]
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    out = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(href)
        if parts.netloc and parts.netloc != urlsplit(base).netloc:
            continue
        if parts.path.startswith(SKIP_PREFIXES) or "export=" in (parts.query or ""):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", sorted(SIZES))
def test_walk_every_account(live_server, browser_page, size: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    load_demo()
    page = browser_page
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    failures: list[str] = []
    for username in ACCOUNTS:
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        queue: deque[tuple[str, str]] = deque([("/", "(home)")])
        seen_patterns: set[str] = set()
        visited = 0
        while queue and visited < MAX_PAGES:
            url, source = queue.popleft()
            pattern = _pattern(urlsplit(url).path) + ("?" if "?" in url else "")
            if pattern in seen_patterns:
                continue
            seen_patterns.add(pattern)
            response = page.goto(f"{live_server.url}{url}")
            visited += 1
            status = response.status if response is not None else 0
            if status >= 400:
                failures.append(f"{username} {size}: {url} (linked from {source}) answers {status}")
                continue
            for problem in _problems(page, width):
                failures.append(f"{username} {size}: {url}: {problem}")
            for link in _links(page, live_server.url):
                queue.append((link, url))
    assert not failures, "\n".join(failures[:60])
