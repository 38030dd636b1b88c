import pytest
from django.core.exceptions import ValidationError

from accounts.passwords import CharacterClassValidator
from accounts.validators import credit_code_check_char, id_number_check_char, validate_credit_code, validate_id_number


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


# Every weight of both check characters, at positions where the codes above carry a 0 too: bodies with
# every digit value at every position, checked against the standards' own definition of the weights
# (GB 32100-2015: W_i = 3^i mod 31; GB 11643-1999: W_i = 2^(i-1) mod 11 from the check character),
# not against the tables in the code.


def _gb32100_check(body: str) -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(chars.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return chars[(31 - total % 31) % 31]


def _gb11643_check(body: str) -> str:
    total = sum(int(c) * pow(2, 18 - i, 11) for i, c in enumerate(body, start=1))
    return "10X98765432"[total % 11]


def test_gb_references_agree_with_published_codes() -> None:
    assert _gb32100_check("9144030071526726X") == "G"  # Tencent
    assert _gb11643_check("11010519491231002") == "X"  # the standard's own example


@pytest.mark.parametrize("position", range(17))
def test_every_credit_code_weight(position: int) -> None:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for value in chars[1:]:
        body = "0" * position + value + "0" * (16 - position)
        assert credit_code_check_char(body) == _gb32100_check(body), (position, value)


@pytest.mark.parametrize("position", range(17))
def test_every_id_number_weight(position: int) -> None:
    from accounts.validators import id_number_check_char

    for digit in "123456789":
        body = "0" * position + digit + "0" * (16 - position)
        assert id_number_check_char(body) == _gb11643_check(body), (position, digit)


@pytest.mark.parametrize("body", ["", "91350425MA2Y", "91350425MA2YXXXXX0"[:16], "91350425MA2Y0000000"])
def test_a_body_of_the_wrong_length_gets_no_check_character(body: str) -> None:
    """Both check characters are defined for a body of exactly 17 characters; any other length is refused, never
    answered with a character computed over part of the weights."""
    with pytest.raises(ValueError):
        credit_code_check_char(body)
    digits = "".join(c for c in body if c.isdigit())
    with pytest.raises(ValueError):
        id_number_check_char(digits)


def _with_check(first17: str) -> str:
    return first17 + _gb11643_check(first17)


def test_id_number_length_body_and_birth_date_edges() -> None:
    """The length and digit rule (each alone refuses), a leap day in 2000 accepted, 31 April refused."""
    for wrong in ("35042519900101123", "3504251990010112345", "35042519900101123X1", "3504251990O101123X"):
        with pytest.raises(ValidationError, match="18 位"):
            validate_id_number(wrong)
    validate_id_number(_with_check("35042520000229123"))  # 2000 is a leap year
    with pytest.raises(ValidationError, match="出生日期"):
        validate_id_number(_with_check("35042519900431123"))
    with pytest.raises(ValidationError, match="出生日期"):
        validate_id_number(_with_check("35042519990229123"))
