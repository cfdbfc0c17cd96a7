"""The admin: coordinators correct state facts (population figures); history is read-only.

Measures and positions change only through their services (the API and the
pages), so the admin shows them without letting anyone edit them here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from positions.models import Measure, Position, PositionChange, State


@admin.register(State)
class StateAdmin(admin.ModelAdmin[State]):
    list_display = ["code", "name", "nato_member", "nato_joined", "eu_member", "eu_population"]
    list_filter = ["nato_member", "eu_member"]
    search_fields = ["code", "name"]
    fields = [
        "code",
        "alpha2",
        "name",
        "nato_member",
        "nato_joined",
        "eu_member",
        "eu_population",
        "source",
    ]
    readonly_fields = ["code", "alpha2", "name", "nato_member", "nato_joined", "eu_member"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "category", "status", "sponsor", "lead", "kind", "restricted"]
    list_filter = ["status", "category", "kind", "restricted"]
    search_fields = ["title", "summary"]


@admin.register(Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = ["measure", "state", "alliance", "bilateral", "eu", "version", "updated_at"]
    list_filter = ["state"]
    list_select_related = ["measure", "state"]


@admin.register(PositionChange)
class PositionChangeAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "measure", "state", "version", "source", "by"]
    list_filter = ["source", "state"]
    list_select_related = ["measure", "state", "by"]
