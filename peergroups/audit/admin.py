from django.contrib import admin

from peergroups.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is written by services, never edited."""

    list_display = ["created_at", "organization", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "organization"]
    search_fields = ["action", "object_id", "actor__email"]
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
