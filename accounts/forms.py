"""Forms of the accounts app: the Chinese login form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


def apply_validation_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put an action's ValidationError next to the fields it names; anything else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, exc)


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
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password2"].label = "再次输入新密码"
        self.fields["new_password2"].help_text = "请再输入一次新密码，以免输错。"
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
            field.error_messages["required"] = "请填写此项。"


def _bootstrap(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)
        field.error_messages["required"] = "请填写此项。"
        if field.required:
            field.widget.attrs["required"] = True


class OrgUserCreateForm(forms.Form):
    """A new account of the manager's own organisation; the write is accounts.actions.org_user_create."""

    username = forms.RegexField(
        label="用户名",
        max_length=150,
        regex=r"^[A-Za-z0-9_.@+-]+$",
        error_messages={"invalid": "用户名只能用英文字母、数字和 _ . @ + - 这几个符号。"},
        help_text="登录时输入，用拼音字母和数字，创建后不能修改。",
    )
    full_name = forms.CharField(label="姓名", max_length=60)
    phone = forms.RegexField(
        label="手机号",
        max_length=20,
        required=False,
        regex=r"^1\d{10}$",
        error_messages={"invalid": "请输入 11 位手机号码。"},
    )
    position = forms.ChoiceField(label="岗位", choices=[])
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="请当面或电话告知本人；首次登录后系统会提示本人修改密码。",
    )

    def __init__(self, *args: Any, manager: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .actions import BUREAU_POSITIONS
        from .models import User

        self.fields["position"].choices = [(p.value, p.label) for p in BUREAU_POSITIONS]  # type: ignore[attr-defined]
        self.fields["phone"].widget.attrs["inputmode"] = "tel"
        villages = township_villages(manager)
        if villages is not None:
            self.fields["village"] = village_field(villages)
        self.user_model = User
        _bootstrap(self)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if self.user_model.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("这个用户名已被使用，请换一个。")
        return username


def township_villages(manager: Any) -> Any:
    """The villages a township government's manager may assign its colleagues to (read through the scope);
    None for any other organisation (no village field)."""
    from .models import Organisation, User

    # The division model, reached through the field (accounts imports no feature app).
    Division: Any = User._meta.get_field("village").related_model  # noqa: N806
    org = getattr(manager, "organisation", None)
    if org is None or org.kind != Organisation.Kind.TOWNSHIP:
        return None
    return (
        Division.objects.for_user(manager)
        .filter(level=Division.Level.VILLAGE, code__startswith=org.division_id)
        .order_by("code")
    )


def village_field(villages: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="负责村（社区）",
        queryset=villages,
        required=False,
        empty_label="不指定（可查看全乡镇）",
        error_messages={"invalid_choice": "请选择本乡镇（街道）下辖的村（社区）。"},
        help_text="村级民政专干请选择所负责的村（社区）：该账号只能看到本村（社区）的服务对象和探访问题，并在探访发现问题时收到提醒。",
    )


class OrgUserVillageForm(forms.Form):
    """Which village a township government's colleague looks after (accounts.actions.org_user_set_village)."""

    def __init__(self, *args: Any, manager: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"] = village_field(township_villages(manager))
        _bootstrap(self)


class OrgUserPasswordForm(forms.Form):
    password = forms.CharField(
        label="新的临时密码",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="本人下次登录后会被提示改成自己的密码。",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


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
