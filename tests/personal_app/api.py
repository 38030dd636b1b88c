"""API of the test model: masked fields, UUIDs in URLs, the unmask action."""

from __future__ import annotations

from rest_framework import serializers

from core.api import ScopedReadOnlyViewSet
from core.personal.api import MaskedField, UnmaskActionMixin

from .models import Person


class PersonSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    id_number = MaskedField()
    phone = MaskedField()
    address = MaskedField()
    division = serializers.CharField(source="division_id", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name", "id_number", "phone", "address", "birth_date", "sex", "division"]
        read_only_fields = fields


class PersonViewSet(UnmaskActionMixin, ScopedReadOnlyViewSet):
    queryset = Person.objects.all()
    serializer_class = PersonSerializer
