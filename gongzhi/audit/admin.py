from django.contrib import admin

from gongzhi.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Audit events can be read here but never changed or deleted."""

    list_display = ("seq", "created_at", "actor_name", "action", "target_label")
    list_filter = ("action",)
    search_fields = ("action", "target_label", "actor_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
