from django.contrib import admin

from peergroups.people.models import FacilitatorProfile, MemberProfile

# "Not with" declarations are not registered: only the grouping may read them.


@admin.register(MemberProfile)
class MemberProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "program", "region", "industry", "completed_at"]
    list_filter = ["organization", "region", "industry"]
    search_fields = ["user__email", "user__full_name", "company"]
    raw_id_fields = ["user", "reports_to"]


@admin.register(FacilitatorProfile)
class FacilitatorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "status", "capacity", "applied_at"]
    list_filter = ["organization", "status"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user", "reviewed_by"]
