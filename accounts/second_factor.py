"""The TOTP second factor (django-otp) for system administrators and bureau accounts (等保 2.0 level 3:
two factors for administrators, one of them cryptographic; SECURITY.md).

Who must use it: ``second_factor_required``. The pages are in ``accounts/views.py`` (setup, verify, recovery
codes), enforcement is ``accounts.middleware.SecondFactorMiddleware`` for pages and the admin, and the token
endpoint (``accounts/api``) asks the same ``check_code`` before it issues an API token.

Every write here leaves an audit row: setting up the authenticator (``create`` on the TOTP device), new
recovery codes (``create`` on the static device), a refused code (``login_failed``, ``success=False``) and a
recovery code spent (``login`` on the static device, with how many are left).
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import audit
from core.scoping import BUREAU_ROLES, Role

from .models import User

SECOND_FACTOR_ROLES = frozenset({Role.ADMIN, *BUREAU_ROLES})
TOTP_NAME = "身份验证器"
RECOVERY_NAME = "恢复码"


def second_factor_required(user: User) -> bool:
    """System administrators (superusers) and provincial, city and county bureau accounts, while enforced."""
    if not getattr(settings, "REQUIRE_SECOND_FACTOR", True):
        return False
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or user.role in SECOND_FACTOR_ROLES


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user: User) -> bool:
    return confirmed_totp(user) is not None


def pending_totp(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (created on first view, its key kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an authenticator app by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code, drawn on the server (no script, no external service)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    # Drop the XML declaration so the SVG can sit inside the HTML page, and size it in pixels (it scales).
    svg = svg[svg.index("<svg") :]
    sized = '<svg width="220" height="220" role="img" aria-label="二维码"'
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"', sized, svg)


def _normalise(code: str) -> str:
    return "".join(code.split()).lower()


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: the device that accepted it (None when refused) and why."""

    device: TOTPDevice | StaticDevice | None
    recovery: bool = False
    remaining: int = 0
    error: str = ""


def check_code(user: User, code: str, *, ip: str | None, channel: str) -> CodeCheck:
    """Check a six-digit authenticator code or an eight-character recovery code; audit refusals and recovery use.

    django-otp throttles each device after failures (the wait doubles with each), and a TOTP code is accepted
    once only.
    """
    token = _normalise(code)
    if not token:
        return CodeCheck(None, error="请输入验证码。")
    totp = confirmed_totp(user)
    if totp is None:
        return CodeCheck(None, error="该账号尚未设置第二因素，请先在网页上完成设置。")
    if token.isdigit() and len(token) == 6:
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=totp.pk)
            allowed, _ = device.verify_is_allowed()
            if allowed and device.verify_token(token):
                return CodeCheck(device)
        error = "验证码不正确或已过期，请输入身份验证器上当前显示的 6 位数字。"
        if not allowed:
            error = "验证失败次数过多，请稍等片刻再试。"
        _audit_failure(user, ip=ip, channel=channel, device=totp)
        return CodeCheck(None, error=error)
    with transaction.atomic():
        for static in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
            allowed, _ = static.verify_is_allowed()
            if allowed and static.verify_token(token):
                remaining = static.token_set.count()
                audit.record(
                    acting_user=user,
                    event="login",
                    obj=static,
                    object_repr=f"{user}（使用恢复码，{channel}）",
                    changes={"recovery_codes_left": {"before": remaining + 1, "after": remaining}},
                    ip=ip,
                )
                return CodeCheck(static, recovery=True, remaining=remaining)
    _audit_failure(user, ip=ip, channel=channel, device=totp)
    return CodeCheck(None, error="验证码不正确：请输入身份验证器上的 6 位数字，或一个未用过的 8 位恢复码。")


def _audit_failure(user: User, *, ip: str | None, channel: str, device: Any) -> None:
    audit.record(
        acting_user=user,
        event="login_failed",
        obj=device,
        object_repr=f"{user}（第二因素验证失败，{channel}）",
        ip=ip,
        success=False,
    )


@transaction.atomic
def confirm_totp(*, acting_user: User, device: TOTPDevice, code: str, ip: str | None) -> bool:
    """Confirm a pending authenticator with its first code. Any earlier authenticator is replaced."""
    locked = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=acting_user, confirmed=False)
    if not locked.verify_token(_normalise(code)):
        _audit_failure(acting_user, ip=ip, channel="设置", device=locked)
        return False
    replaced = TOTPDevice.objects.filter(user=acting_user, confirmed=True).exclude(pk=locked.pk)
    replaced_count = replaced.count()
    replaced.delete()
    locked.confirmed = True
    locked.full_clean()
    locked.save(update_fields=["confirmed"])
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=locked,
        object_repr=f"{acting_user}（启用身份验证器）",
        changes={"second_factor": {"before": "已替换旧验证器" if replaced_count else "未设置", "after": "已启用"}},
        ip=ip,
    )
    return True


@transaction.atomic
def new_recovery_codes(*, acting_user: User, ip: str | None) -> list[str]:
    """Replace the user's recovery codes with fresh ones; the plain codes are returned to be shown once."""
    StaticDevice.objects.filter(user=acting_user).delete()
    device = StaticDevice.objects.create(user=acting_user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit.record(
        acting_user=acting_user,
        event="create",
        obj=device,
        object_repr=f"{acting_user}（生成恢复码）",
        changes={"recovery_codes": {"before": None, "after": f"{len(codes)} 个（每个只能使用一次）"}},
        ip=ip,
    )
    return codes
