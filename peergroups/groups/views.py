"""A group's page: who is in it and who facilitates it."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from peergroups.groups.selectors import group_for_user, group_role, group_roster
from peergroups.organizations.access import OrgAccess, org_render, org_view


@require_safe
@org_view()
def group_detail(request: HttpRequest, access: OrgAccess, group_id: int) -> HttpResponse:
    group = group_for_user(user=request.user, access=access, group_id=group_id)
    return org_render(
        request,
        access,
        "groups/detail.html",
        {
            "group": group,
            "roster": group_roster(group),
            # Links to the content pages; those pages decide access themselves.
            "sees_content": group_role(user=request.user, group=group) is not None,
        },
    )
