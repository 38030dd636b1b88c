"""Helpers shared by the benchmarks: a throw-away PostgreSQL database, Django set-up, report tables."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIVISIONS = Path(__file__).resolve().parents[2] / "shared/data/divisions"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"

Check = tuple[str, str, str, bool]  # what, measured, target, passed


def bench_database_url(db_name: str, override_env: str, who: str) -> str:
    """The URL of the throw-away benchmark database (never the caller's own database):
    ``db_name`` on the server of DATABASE_URL, or the whole URL from ``override_env``."""
    explicit = os.environ.get(override_env)
    if explicit:
        return explicit
    parts = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_SERVER)
    if not parts.scheme.startswith("postgres"):
        sys.exit(f"{who}: DATABASE_URL must point at PostgreSQL, not {parts.scheme!r}")
    return urlunsplit((parts.scheme, parts.netloc, "/" + db_name, "", ""))


def recreate_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit((parts.scheme.replace("postgresql", "postgres"), parts.netloc, "/postgres", parts.query, ""))
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import django

    django.setup()


def table(rows: list[tuple[str, ...]]) -> str:
    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [
            c + " " * (w - width(c)) if i == 0 else " " * (w - width(c)) + c
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells))
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def report(checks: list[Check], ok_message: str) -> int:
    """Print the checks as a table; exit status 1 when any failed."""
    print()
    print(table([("检查", "实测", "目标", "结果"), *[(n, v, t, "PASS" if ok else "FAIL") for n, v, t, ok in checks]]))
    failed = [n for n, _, _, ok in checks if not ok]
    if failed:
        print(f"FAIL: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(ok_message)
    return 0
