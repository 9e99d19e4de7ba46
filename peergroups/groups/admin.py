from django.contrib import admin

from peergroups.groups.models import GroupMembership, PeerGroup


class MembershipInline(admin.TabularInline):
    """Read-only: memberships change through the app's services, which keep capacity."""

    model = GroupMembership
    fields = ["user", "joined_at"]
    readonly_fields = ["user", "joined_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PeerGroup)
class PeerGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "cycle", "facilitator", "member_count", "capacity"]
    list_filter = ["organization", "program"]
    readonly_fields = ["member_count"]
    raw_id_fields = ["facilitator"]
    inlines = [MembershipInline]
