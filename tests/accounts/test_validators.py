import pytest
from django.core.exceptions import ValidationError

from accounts.passwords import CharacterClassValidator
from accounts.validators import credit_code_check_char, validate_credit_code, validate_id_number


def test_credit_code_known_good() -> None:
    # A real published code (Tencent's 统一社会信用代码).
    validate_credit_code("9144030071526726XG")


def test_credit_code_check_character_is_computed() -> None:
    # The check character worked out by hand (weights 3^i mod 31), not by the function under test.
    body = "52350425MJD000017"
    assert credit_code_check_char(body) == "4"
    validate_credit_code(body + "4")


@pytest.mark.parametrize(
    ("code", "message"),
    [("9144030071526726X", "18 位"), ("9144030071526726XA", "校验位"), ("9144030071526726IO", "非法字符")],
)
def test_credit_code_errors(code: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_credit_code(code)


def test_id_number() -> None:
    validate_id_number("11010519491231002X")
    with pytest.raises(ValidationError, match="校验位"):
        validate_id_number("110105194912310021")
    with pytest.raises(ValidationError, match="出生日期"):
        validate_id_number("110105194913310021")


@pytest.mark.parametrize(
    ("pw", "ok"), [("abcdefgh", False), ("abcdEFGH", False), ("abcdEF12", True), ("abcd12#$", True)]
)
def test_password_classes(pw: str, ok: bool) -> None:
    v = CharacterClassValidator(min_classes=3)
    if ok:
        v.validate(pw)
    else:
        with pytest.raises(ValidationError, match="至少 3 类"):
            v.validate(pw)
