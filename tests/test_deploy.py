"""Production settings pass `manage.py check --deploy`, and every page is sent a strict Content-Security-Policy."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

BASE = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "SECURE_COOKIES": "1",
    "ALLOWED_HOSTS": "zhanwu.example.org",
    "ZHANWU_REQUIRE_SECRET": "1",
    # Production refuses to start without the personal-data keys (core.personal.crypto).
    "ZHANWU_DATA_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(16)).decode(),
    "ZHANWU_LOOKUP_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
}


def _check_deploy(**extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REQUIRE_SECOND_FACTOR", "DJANGO_SETTINGS_MODULE"}}
    env.update(PRODUCTION, **extra)
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    # The only check silenced beyond axes.W006 is security.W021 (HSTS preload), explained in config/settings.py.
    assert settings.SILENCED_SYSTEM_CHECKS == ["axes.W006", "security.W021"]
    result = _check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_while_the_second_factor_is_off() -> None:
    result = _check_deploy(REQUIRE_SECOND_FACTOR="0")
    assert result.returncode != 0
    assert "accounts.W001" in result.stderr + result.stdout


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_script(demo: None, password: str) -> None:
    client = Client()
    for url in ["/login/", "/api/docs/", "/api/redoc/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        directives = dict(
            (part.strip().split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split(";")
        )
        assert directives["script-src"] == "'self'", url
        assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in directives["script-src"]
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
    client.post("/login/", {"username": "datian_bureau", "password": password})
    assert "script-src 'self'" in client.get("/stations/")["Content-Security-Policy"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)


def _templates() -> list[Path]:
    roots = [BASE / "templates", *BASE.glob("*/templates")]
    return sorted(p for root in roots for p in root.rglob("*.html"))


def test_templates_have_no_inline_script_or_event_handler() -> None:
    """The CSP would block them: behaviour lives in static/js/ and templates carry data- attributes."""
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, re.compile(r"javascript:", re.IGNORECASE)):
            offenders += [f"{path.relative_to(BASE)}: {m.group(0).strip()}" for m in pattern.finditer(text)]
    assert _templates(), "no templates found"
    assert not offenders, offenders


def test_the_scan_would_notice() -> None:
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js"></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert INLINE_HANDLER.search('<button onclick="go()">')
    assert not INLINE_HANDLER.search('<button data-fill-target="x">')


PROBE = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
c = Client()
plain = c.get("/login/", HTTP_HOST="zhanwu.example.org")
tls = c.get("/login/", HTTP_HOST="zhanwu.example.org", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "tls": [tls.status_code, tls.get("Strict-Transport-Security", "")],
    "csrf_secure": bool(tls.cookies["csrftoken"]["secure"]),
}))
"""


def test_behind_tls_http_is_redirected_and_hsts_is_sent() -> None:
    import json

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(PRODUCTION, TRUST_X_FORWARDED_PROTO="1", DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", PROBE], cwd=BASE, env=env, capture_output=True, text=True, check=True
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["plain"] == [301, "https://zhanwu.example.org/login/"]
    assert answer["tls"] == [200, "max-age=31536000; includeSubDomains"]
    assert answer["csrf_secure"] is True
