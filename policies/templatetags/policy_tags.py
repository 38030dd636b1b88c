"""Template filters for policy citations: the document's own number and article instead of internal codes."""

from __future__ import annotations

from django import template

from policies.registry import cite as _cite

register = template.Library()


@register.filter
def cite(clause: str) -> str:
    """``[000 §4(2)]`` → ``田政办〔2021〕25号 第四部分第（二）项``."""
    return _cite(clause or "")
