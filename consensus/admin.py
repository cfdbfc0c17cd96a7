"""The admin shows declarations, versions and amendments; they change only through the services.

Versions are never edited, and amendments are decided through the API, so
nothing here can add, change or delete them.
"""

from __future__ import annotations

from django.contrib import admin

from consensus.models import Amendment, AmendmentStance, Declaration, DeclarationVersion
from positions.admin import ReadOnlyAdmin


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "summit", "year", "created_at"]
    list_filter = ["year"]
    search_fields = ["title", "summit"]


@admin.register(DeclarationVersion)
class DeclarationVersionAdmin(ReadOnlyAdmin):
    list_display = ["declaration", "number", "author", "created_at", "bracket_count"]
    list_filter = ["declaration"]
    list_select_related = ["declaration", "author"]
    search_fields = ["text", "note"]


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "declaration", "version", "paragraph", "sponsor", "status", "created_at"]
    list_filter = ["status", "sponsor"]
    list_select_related = ["declaration", "version", "sponsor"]


@admin.register(AmendmentStance)
class AmendmentStanceAdmin(ReadOnlyAdmin):
    list_display = ["amendment", "state", "stance", "by", "at"]
    list_filter = ["stance", "state"]
    list_select_related = ["amendment", "state", "by"]
