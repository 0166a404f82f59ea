"""Read-only admin views of services (every change goes through the actions: pages, API, demo)."""

from django.contrib import admin

from gongzhi.services import models


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.ServicePoint)
class ServicePointAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "unit", "opening_hours", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


@admin.register(models.ServiceItem)
class ServiceItemAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "category", "finish_level", "time_limit_days", "fee", "is_active")
    list_filter = ("category", "finish_level", "is_active")
    search_fields = ("code", "name")


@admin.register(models.Duty)
class DutyAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "unit", "category_code", "kind", "source", "delegated_from")
    list_filter = ("kind", "source")
    search_fields = ("code", "name")


@admin.register(models.Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("number", "item", "mode", "status", "point", "handling_unit", "submitted_at", "visits")
    list_filter = ("status", "mode", "channel")
    search_fields = ("number",)


@admin.register(models.Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("serial", "type", "unit", "issued_at", "valid_until", "revoked_at")
    search_fields = ("serial",)


@admin.register(models.EnforcementCase)
class EnforcementCaseAdmin(ReadOnlyAdmin):
    list_display = ("number", "law_area", "unit", "team", "source", "status")
    list_filter = ("status", "source")
    search_fields = ("number", "appeal_number")
