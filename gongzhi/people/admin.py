from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from gongzhi.people.models import ApiToken, Household, Resident, RoleGrant, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "is_active", "is_staff", "last_login")
    search_fields = ("username", "display_name")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Gongzhi", {"fields": ("display_name", "language", "elderly_mode")}),
    )


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "department", "organization", "valid_from", "valid_to", "revoked_at")
    list_filter = ("role",)
    raw_id_fields = ("user", "unit", "department", "organization", "granted_by", "revoked_by")
    search_fields = ("user__username",)


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("number", "address", "unit")
    search_fields = ("number",)
    raw_id_fields = ("unit",)


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    """Read-mostly: numbers stay encrypted here; use the register pages (audited) to see them."""

    list_display = ("name", "gender", "birth_date", "unit", "moved_out_on")
    search_fields = ("name",)
    raw_id_fields = ("unit", "household", "user")
    readonly_fields = ("identity_encrypted", "identity_index", "mobile_encrypted", "mobile_index")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "token_hash")
