"""Masked representations of personal data (SECURITY.md: masked by default in pages, API answers and exports).

``350425199001011234`` → ``350425********1234``; ``13812345678`` → ``138****5678``; an address keeps its
divisions down to the township and village and hides the rest (group, road, house number).
"""

from __future__ import annotations

import re
from typing import Any

ADDRESS_HIDDEN = "****"

# Province, city, county, township, village: each level is optional, the rest is the part below the village.
_ADDRESS_RE = re.compile(
    r"^(?P<province>.+?(?:省|自治区|特别行政区))?"
    r"(?P<city>.+?(?:自治州|地区|盟|市))?"
    r"(?P<county>.+?(?:自治县|县|区|市|旗))?"
    r"(?P<township>.+?(?:街道|镇|乡))?"
    r"(?P<village>.+?(?:居民委员会|村民委员会|居委会|村委会|社区|村))?"
    r"(?P<rest>.*)$"
)


def _compact(value: Any) -> str:
    return "".join(str(value or "").split())


def mask_id_number(value: Any) -> str:
    """The first six (the region) and last four characters stay: ``350425********1234``."""
    text = _compact(value)
    if not text:
        return ""
    if len(text) <= 10:
        return "*" * len(text)
    return f"{text[:6]}{'*' * (len(text) - 10)}{text[-4:]}"


def mask_phone(value: Any) -> str:
    """A mobile keeps its first three and last four digits (``138****5678``); a landline its area code and last
    four digits (``0598-****1234``)."""
    text = _compact(value)
    if not text:
        return ""
    if "-" in text and text.startswith("0"):
        area, _, number = text.partition("-")
        return f"{area}-{'*' * max(len(number) - 4, 0)}{number[-4:]}"
    if len(text) < 7:
        return "*" * len(text)
    return f"{text[:3]}{'*' * (len(text) - 7)}{text[-4:]}"


def mask_address(value: Any) -> str:
    """Keep the divisions down to the township and village, hide the rest:
    ``福建省大田县均溪镇许思坑村3组12号`` → ``福建省大田县均溪镇许思坑村****``.
    An address naming no township or village shows its county at most."""
    text = _compact(value)
    if not text:
        return ""
    match = _ADDRESS_RE.match(text)
    if match is None:  # pragma: no cover - the pattern matches every string
        return ADDRESS_HIDDEN
    parts = match.groupdict()
    kept = "".join(parts[k] or "" for k in ("province", "city", "county", "township", "village"))
    if not kept:
        return ADDRESS_HIDDEN
    return kept + (ADDRESS_HIDDEN if parts["rest"] else "")


def mask_name(value: Any) -> str:
    """Keep the surname: ``张三丰`` → ``张**``."""
    text = _compact(value)
    if len(text) <= 1:
        return text
    return text[0] + "*" * (len(text) - 1)


def mask_text(value: Any) -> str:
    """Free text (a health note) is hidden whole."""
    return ADDRESS_HIDDEN if _compact(value) else ""


MASKERS = {
    "text": mask_text,
    "id_number": mask_id_number,
    "phone": mask_phone,
    "address": mask_address,
    "name": mask_name,
}


def mask(kind: str, value: Any) -> str:
    return MASKERS[kind](value)
