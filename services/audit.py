"""How the audit page words the services rows whose changes hold codes (core.audit.register_change_formatter)."""

from __future__ import annotations

from typing import Any

from policies.registry import vocabulary

CHECK_WORDS = {"ok": "正常", "fail": "有问题"}


def visit_changes(row: Any) -> list[dict[str, str]]:
    """A visit's audit row: its date, each check of the checklist, and the checks that opened an escalation."""
    labels = vocabulary("visit_checks")
    changes = row.changes or {}
    out = []
    if changes.get("date"):
        out.append({"label": "探访日期", "before": "", "after": str(changes["date"])})
    checks = changes.get("checks") or {}
    if isinstance(checks, dict):
        for code, value in checks.items():
            out.append({"label": labels.get(code, "查看事项"), "before": "", "after": CHECK_WORDS.get(value, "已记录")})
    raised = changes.get("escalations") or []
    out.append(
        {
            "label": "需处置的问题",
            "before": "",
            "after": "、".join(labels.get(c, "查看事项") for c in raised) if raised else "无",
        }
    )
    return out


def register() -> None:
    from core.audit import register_change_formatter, register_change_key

    register_change_formatter("services.Visit", visit_changes)
    register_change_key("escalations", "需处置的问题")
