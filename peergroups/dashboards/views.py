"""The pages that gather what each role sees across the apps: the organization's
dashboard and a program's page. They sit above the apps they read, so no lower app
has to import upward to show them."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse

from peergroups.formation.selectors import unplaced_count, unplaced_members
from peergroups.groups.selectors import groups_of_user
from peergroups.organizations import selectors
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.models import Role
from peergroups.people.models import FacilitatorProfile, MemberProfile
from peergroups.people.selectors import admin_overview

GROUPS_PER_PAGE = 50
UNPLACED_SHOWN = 50


@org_view()
def dashboard(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    context: dict = {}
    organization = access.organization
    if access.is_admin:
        context["overview"] = admin_overview(access=access)
    if access.is_member or access.is_facilitator:
        context["my_groups"] = groups_of_user(user=request.user, access=access)
    if access.is_member:
        context["profile"] = MemberProfile.objects.filter(
            organization=organization, user=request.user
        ).first()
    context["application"] = FacilitatorProfile.objects.filter(
        organization=organization, user=request.user
    ).first()
    return org_render(request, access, "organizations/dashboard.html", context)


@org_view(Role.ADMIN)
def program_detail(request: HttpRequest, access: OrgAccess, program_id: int) -> HttpResponse:
    program = selectors.program_for_admin(access=access, program_id=program_id)
    groups = program.groups.select_related("facilitator").order_by("-cycle", "pk")
    # Paged, so the page costs the same for 10 groups or 1,200.
    page = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    enrolled = MemberProfile.objects.filter(program=program).count()
    return org_render(
        request,
        access,
        "organizations/program_detail.html",
        {
            "program": program,
            "groups": page,
            "page": page,
            "enrolled": enrolled,
            "unplaced": unplaced_members(program, limit=UNPLACED_SHOWN),
            "unplaced_count": unplaced_count(program),
            "runs": program.formation_runs.select_related("created_by")[:5],
        },
    )
