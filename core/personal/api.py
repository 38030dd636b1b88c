"""DRF pieces for personal data: masked read-only fields and the ``unmask`` action for viewsets.

    class PersonSerializer(serializers.ModelSerializer):
        id_number = MaskedField()          # "350425********1234"
        phone = MaskedField()

    class PersonViewSet(UnmaskActionMixin, ScopedReadOnlyViewSet):
        lookup_field = "public_id"         # set by the mixin: UUIDs in URLs

``POST …/<public_id>/unmask/`` with ``{"reason": "verify", "reason_text": "…", "fields": ["id_number"]}``
answers ``{"public_id": …, "values": {"id_number": "…"}, "audit_id": …}``; missing reason → 400, out of the
``unmask`` scope → 404; each answer writes one audit row with the subject and the reason.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from core.actions import spec_of
from core.audit import client_ip
from core.scoping import Action

from .access import REASON_TEXT_MAX, REASONS, unmask, unmask_action_name
from .fields import EncryptedTextField
from .masking import mask

UUID_REGEX = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


@extend_schema_field({"type": "string", "readOnly": True, "description": "脱敏后的值"})
class MaskedField(serializers.Field):
    """Read-only: the masked value of an encrypted model field (the kind comes from the model field, or
    ``kind="id_number" | "phone" | "address" | "name"``).

    It is also every ModelSerializer's default for an encrypted field (registered below), so a serializer that
    lists ``id_number`` without declaring it still answers the masked value, never the clear one."""

    _KEEP = frozenset({"label", "help_text", "source", "style"})

    def __init__(self, kind: str | None = None, **kwargs: Any) -> None:
        self.kind = kind
        # ModelSerializer passes the model field's write options (required, max_length, validators…): read-only.
        kwargs = {k: v for k, v in kwargs.items() if k in self._KEEP}
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def bind(self, field_name: str, parent: Any) -> None:
        super().bind(field_name, parent)
        if self.kind is None:
            model = getattr(getattr(parent, "Meta", None), "model", None)
            field = model._meta.get_field(self.source) if model is not None else None
            self.kind = field.mask_kind if isinstance(field, EncryptedTextField) else "name"

    def to_representation(self, value: Any) -> str:
        return mask(self.kind or "name", value)


class UnmaskRequestSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=REASONS, label="事由", error_messages={"required": "请选择查看明文的事由。"}
    )
    reason_text = serializers.CharField(
        max_length=REASON_TEXT_MAX, label="具体说明", error_messages={"required": "请具体说明事由。"}
    )
    # (Declared fields are popped off the class by DRF, so the name may shadow Serializer.fields.)
    fields = serializers.ListField(  # type: ignore[assignment]
        child=serializers.CharField(), required=False, label="字段（默认全部）"
    )


class UnmaskResponseSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    values = serializers.DictField(child=serializers.CharField())
    audit_id = serializers.IntegerField()


class UnmaskActionMixin:
    """Adds ``POST <public_id>/unmask/`` to a viewset over a ``PersonalRecord`` model."""

    lookup_field = "public_id"
    lookup_value_regex = UUID_REGEX
    queryset: Any

    def write_spec(self) -> Any:
        """The unmask endpoint is the declared ``<app>.<model>.unmask`` action (core.actions)."""
        if getattr(self, "action", None) == "unmask":
            return spec_of(unmask_action_name(self.queryset.model))
        return super().write_spec()  # type: ignore[misc]

    @extend_schema(
        summary="查看明文",
        description="说明事由后返回身份证号码、电话等字段的明文；每次查看都记入审计日志（记录查看人、当事人和事由）。",
        request=UnmaskRequestSerializer,
        responses=UnmaskResponseSerializer,
    )
    @action(detail=True, methods=["post"], url_path="unmask")
    def unmask(self, request: Request, public_id: str | None = None) -> Response:
        model = self.queryset.model
        obj = model.objects.for_user(request.user, Action.UNMASK).filter(public_id=public_id).first()
        if obj is None:
            raise NotFound("未找到。")
        payload = UnmaskRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            revealed = unmask(
                acting_user=request.user,
                obj=obj,
                reason=payload.validated_data["reason"],
                reason_text=payload.validated_data["reason_text"],
                fields=payload.validated_data.get("fields"),
                ip=client_ip(request),
            )
        except PermissionDenied:
            raise NotFound("未找到。") from None
        except ValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        response = Response({"public_id": str(obj.public_id), "values": revealed.values, "audit_id": revealed.audit.pk})
        # Explicitly: a token client is authenticated inside DRF, after the middleware that adds it for sessions.
        response["Cache-Control"] = "no-store"
        return response


# Masked by default: ModelSerializer maps encrypted model fields to MaskedField (DRF looks the mapping up along
# the model field's class hierarchy, so every subclass of EncryptedTextField is covered).
serializers.ModelSerializer.serializer_field_mapping[EncryptedTextField] = MaskedField
