"""Django admin for staff: schedules only.

Issues, notes, check-ins, commitments and attendance are deliberately not registered:
group content is for the group's members and facilitator, and site staff are not
among them. Operations work on those goes through the app's services.
"""

from django.contrib import admin

from peergroups.meetings.models import Meeting, MeetingSeries


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    list_display = ["group", "frequency", "weekday", "week_of_month", "start_time", "time_zone"]
    list_filter = ["frequency"]
    raw_id_fields = ["group"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["group", "starts_at", "ends_at", "status", "sequence"]
    list_filter = ["status"]
    raw_id_fields = ["group", "series"]

    # View only: edits here would skip the SEQUENCE bump calendar apps rely on;
    # facilitators move and cancel meetings through the app.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
