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

    error_messages = {
        "password_incorrect": "您输入的当前密码不正确，请重新输入。",
        "password_mismatch": "两次输入的新密码不一致，请重新输入。",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "当前密码"
        self.fields["new_password2"].help_text = "请再输入一次新密码，以免输错。"
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
            field.error_messages["required"] = "请填写此项。"
