"""Jobs read and write through for_user(system_actor(), …): an unscoped manager call in a task is a bug."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Reference data that belongs to no tenant (Django's content types) may be read directly.
ALLOWED = re.compile(r"ContentType\.objects\.")
MANAGER = re.compile(r"\.(objects|_default_manager)\.(?!for_user\()")


def job_files() -> list[Path]:
    files = sorted(REPO.glob("*/tasks.py")) + [REPO / "obligations/sweep.py"]
    files += sorted(REPO.glob("*/management/commands/sweep_*.py"))
    return [f for f in files if ".venv" not in f.parts]


def test_jobs_never_call_unscoped_managers() -> None:
    offending = []
    for path in job_files():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if MANAGER.search(code) and not ALLOWED.search(code):
                offending.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert job_files()
    assert not offending, "jobs must read through for_user(system_actor(), …):\n" + "\n".join(offending)


def test_the_check_catches_an_unscoped_call() -> None:
    assert MANAGER.search("Station.objects.all()")
    assert MANAGER.search("kind.model._default_manager.filter(x=1)")
    assert MANAGER.search("Station._default_manager.filter(x=1)")
    assert not MANAGER.search("Station.objects.for_user(actor)")
