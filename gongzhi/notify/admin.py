from django.contrib import admin

from gongzhi.notify.models import Delivery, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "title", "created_at", "read_at")
    list_filter = ("kind",)
    raw_id_fields = ("recipient",)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("channel", "subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("channel", "status")
    exclude = ("address_encrypted",)
