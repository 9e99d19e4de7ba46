"""Django admin for staff: reminder preferences only.

Goals, progress, commitments' check-ins and partner pairs are deliberately not
registered: they are members' and groups' own content, and site staff are not among
those who may read them (see meetings/admin.py).
"""

from django.contrib import admin

from peergroups.goals.models import ReminderPreference


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "frequency", "updated_at"]
    list_filter = ["frequency"]
    raw_id_fields = ["user", "organization"]
