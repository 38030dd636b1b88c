"""Forms of the accounts app: the Chinese login form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Django's login form with Chinese labels and messages (the lockout itself is django-axes)."""

    error_messages = {
        "invalid_login": "用户名或密码不正确。请注意区分大小写；连续 5 次失败将锁定账号 30 分钟。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["username"].widget.attrs.update({"class": "form-control", "autocomplete": "username"})
        self.fields["username"].error_messages["required"] = "请输入用户名。"
        self.fields["password"].label = "密码"
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"class": "form-control", "autocomplete": "current-password"}
        )
        self.fields["password"].error_messages["required"] = "请输入密码。"


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form with Bootstrap widgets; the validators in settings give the Chinese rules."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class SecondFactorCodeForm(forms.Form):
    """One code: the six digits of the authenticator app, or (on the verify page) an eight-character recovery code."""

    code = forms.CharField(
        label="验证码",
        max_length=32,
        error_messages={"required": "请输入验证码。"},
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg font-monospace",
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args: Any, digits_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if digits_only:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"
            self.fields["code"].help_text = "身份验证器上当前显示的 6 位数字。"
        else:
            self.fields["code"].help_text = "身份验证器上的 6 位数字；手机不在身边时，可输入一个 8 位恢复码。"
