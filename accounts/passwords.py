"""Password rule from SECURITY.md: at least 3 of the 4 character classes (等保 2.0)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class CharacterClassValidator:
    def __init__(self, min_classes: int) -> None:  # set in AUTH_PASSWORD_VALIDATORS (SECURITY.md: 3 of the 4)
        self.min_classes = min_classes

    def validate(self, password: str, user: object = None) -> None:
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。",
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


# Django's own validators, with the messages in the platform's form of address (您) and plain words;
# Django's Chinese catalogue says 你 (issue 13 item 9). Only the wording changes, not the rules.


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短：至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"您的密码至少需要 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return "密码与您的%(verbose_name)s太相似，请换一个。"

    def get_help_text(self) -> str:
        return "您的密码不能与您的用户名、姓名等个人信息太相似。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return "这个密码太常见，容易被猜中，请换一个。"

    def get_help_text(self) -> str:
        return "您的密码不能是常见密码。"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return "密码不能全是数字。"

    def get_help_text(self) -> str:
        return "您的密码不能全是数字。"
