"""The organization's dashboard and the admin's pages for programs, members and invitations."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from peergroups.formation.selectors import unplaced_members
from peergroups.groups.selectors import groups_of_user
from peergroups.organizations import selectors, services
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.forms import InvitationForm, MemberFilterForm, ProgramForm
from peergroups.organizations.models import Invitation, Role
from peergroups.people.models import FacilitatorProfile, MemberProfile
from peergroups.people.selectors import member_search

MEMBERS_PER_PAGE = 50


@org_view()
def dashboard(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    context: dict = {}
    organization = access.organization
    if access.is_admin:
        context["overview"] = selectors.admin_overview(access=access)
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
def program_create(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    form = ProgramForm(request.POST or None, organization=access.organization)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        program = services.program_create(
            organization=access.organization, acting_user=request.user, **fields
        )
        messages.success(request, f"Program “{program.name}” created.")
        return redirect(program.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return org_render(
        request, access, "organizations/program_form.html", {"form": form}, status=status
    )


@org_view(Role.ADMIN)
def program_detail(request: HttpRequest, access: OrgAccess, program_id: int) -> HttpResponse:
    program = selectors.program_for_admin(access=access, program_id=program_id)
    groups = program.groups.select_related("facilitator").order_by("-cycle", "pk")
    enrolled = MemberProfile.objects.filter(program=program).count()
    return org_render(
        request,
        access,
        "organizations/program_detail.html",
        {
            "program": program,
            "groups": groups,
            "enrolled": enrolled,
            "unplaced": unplaced_members(program),
            "runs": program.formation_runs.select_related("created_by")[:5],
        },
    )


@org_view(Role.ADMIN)
def member_list(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    base = MemberProfile.objects.filter(organization=access.organization)
    regions = base.exclude(region="").values_list("region", flat=True).distinct().order_by("region")
    industries = (
        base.exclude(industry="").values_list("industry", flat=True).distinct().order_by("industry")
    )
    form = MemberFilterForm(
        request.GET or None,
        regions=list(regions),
        industries=list(industries),
        programs=list(access.organization.programs.all()),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    profiles = member_search(
        access=access,
        query=filters.get("q", ""),
        region=filters.get("region", ""),
        industry=filters.get("industry", ""),
        program_id=filters.get("program"),
        intake=filters.get("intake", ""),
    )
    page = Paginator(profiles, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return org_render(
        request,
        access,
        "organizations/member_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@org_view(Role.ADMIN)
def invitation_list(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    form = InvitationForm(request.POST or None, organization=access.organization)
    if request.method == "POST" and form.is_valid():
        invitation, _token = services.invitation_create(
            organization=access.organization,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            program=form.cleaned_data["program"],
            acting_user=request.user,
        )
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return redirect("organizations-invitations", org_slug=access.organization.slug)
    invitations = Invitation.objects.filter(organization=access.organization).select_related(
        "program", "accepted_by"
    )[:200]
    status = 400 if request.method == "POST" else 200
    return org_render(
        request,
        access,
        "organizations/invitations.html",
        {"form": form, "invitations": invitations},
        status=status,
    )
