"""Group-content pages: one decorator for meetings and the apps above it (goals, …).

`group_view` resolves the group through selectors.group_content_for_user for every
method. A member who has not accepted the agreement gets AgreementRequired, which
the page error mapping (peergroups.http) turns into a redirect to the agreement.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from peergroups.meetings.selectors import GroupContext, group_content_for_user, viewer_time_zone
from peergroups.organizations.access import OrgAccess, org_render, org_view


def group_view(*, facilitator: bool = False) -> Callable:
    """Decorate a view taking `group_id`; it receives a GroupContext `ctx` instead."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @org_view()
        @wraps(view)
        def wrapper(request: HttpRequest, access: OrgAccess, group_id: int, *args, **kwargs):
            ctx = group_content_for_user(user=request.user, access=access, group_id=group_id)
            if facilitator:
                ctx.require_facilitator()
            return view(request, ctx, *args, **kwargs)

        return wrapper

    return decorator


def render_group(request, ctx: GroupContext, template: str, context: dict | None = None, **kw):
    zone = viewer_time_zone(user=request.user, group=ctx.group)
    full = {"group": ctx.group, "ctx": ctx, "zone": zone, **(context or {})}
    return org_render(request, ctx.access, template, full, **kw)


def group_url(ctx: GroupContext, name: str, **kwargs) -> str:
    return reverse(
        name, kwargs={"org_slug": ctx.access.organization.slug, "group_id": ctx.group.pk, **kwargs}
    )
