"""Template tags that let other apps' pages show a group's next meetings."""

from django import template
from django.utils import timezone

from peergroups.meetings.models import Meeting, MeetingStatus
from peergroups.meetings.selectors import viewer_time_zone

register = template.Library()


@register.inclusion_tag("meetings/_next_meetings.html")
def next_meetings(group, user, limit: int = 3) -> dict:
    """Times and places only, no content: the caller decides who may see even that."""
    meetings = (
        Meeting.objects.filter(group=group, ends_at__gte=timezone.now())
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")[:limit]
    )
    return {
        "group": group,
        "meetings": list(meetings),
        "zone": viewer_time_zone(user=user, group=group),
    }
