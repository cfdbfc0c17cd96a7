from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import ApiToken, User


@admin.register(User)
class ConsensusUserAdmin(UserAdmin[User]):
    list_display = ["username", "role", "state", "is_active", "last_login"]
    list_filter = ["role", "state", "is_active"]
    fieldsets = [*(UserAdmin.fieldsets or []), ("Role", {"fields": ["role", "state"]})]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["prefix", "user", "read_only", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["read_only"]
    readonly_fields = ["user", "digest", "prefix", "read_only", "created_at", "last_used_at"]
