"""The pages that gather what each role sees across the apps: the organization's
dashboard and a program's page. They sit above the apps they read, so no lower app
has to import upward to show them."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from peergroups.dashboards.board import FLAG_LABELS, SORTS, STALE_DAYS, board_for_user
from peergroups.dashboards.funnel import invitation_funnel
from peergroups.dashboards.personal_data import personal_data_archive
from peergroups.dashboards.persons import person_deactivate, person_erase
from peergroups.dashboards.roster import roster_csv
from peergroups.errors import Invalid
from peergroups.formation.selectors import published_formations, unplaced_count, unplaced_members
from peergroups.formation.snapshot import current_cycle
from peergroups.groups.models import GroupMembership, MembershipChange, PeerGroup
from peergroups.groups.selectors import groups_of_user
from peergroups.http import csv_response, int_or_none
from peergroups.organizations import selectors
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.models import Invitation, OrganizationRole, Role
from peergroups.organizations.services import invitation_resend, invitation_revoke
from peergroups.people.models import FacilitatorProfile, MemberProfile
from peergroups.people.selectors import admin_overview, person_for_admin

GROUPS_PER_PAGE = 50
UNPLACED_SHOWN = 50


@require_safe
@org_view()
def dashboard(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    context: dict = {}
    organization = access.organization
    if access.is_admin:
        context["overview"] = admin_overview(access=access)
    if access.is_member or access.is_facilitator:
        # Only the fields the cards show: not each group's program settings (JSON).
        context["my_groups"] = groups_of_user(user=request.user, access=access).only(
            *("name", "cycle", "facilitator_id", "capacity", "member_count"),
            *("program__name", "facilitator__full_name", "facilitator__email"),
        )
    if access.is_member:
        # Only what the page shows: not the profile's long texts.
        context["profile"] = (
            MemberProfile.objects.filter(organization=organization, user=request.user)
            .only("completed_at")
            .first()
        )
    if not access.is_facilitator:  # a facilitator's page does not show the application
        context["application"] = (
            FacilitatorProfile.objects.filter(organization=organization, user=request.user)
            .only("status", "review_note")
            .first()
        )
    return org_render(request, access, "organizations/dashboard.html", context)


@require_safe
@org_view(Role.ADMIN)
def program_detail(request: HttpRequest, access: OrgAccess, program_id: int) -> HttpResponse:
    program = selectors.program_for_admin(access=access, program_id=program_id)
    groups = (
        program.groups.select_related("facilitator")
        # The columns the table shows: not each group's settings, nor its facilitator's.
        .only(
            *("program", "name", "cycle", "member_count", "capacity", "facilitator"),
            *("facilitator__full_name", "facilitator__email"),
        )
        .order_by("-cycle", "pk")
    )
    # Paged, so the page costs the same for 10 groups or 1,200.
    page = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    enrolled = MemberProfile.objects.filter(program=program).count()
    cycle = current_cycle(program)
    return org_render(
        request,
        access,
        "organizations/program_detail.html",
        {
            "program": program,
            "groups": page,
            "page": page,
            "enrolled": enrolled,
            "unplaced": unplaced_members(program, limit=UNPLACED_SHOWN, cycle=cycle),
            "unplaced_count": unplaced_count(program, cycle=cycle),
            "formed": published_formations(program),
            # The list shows dates and states: never load a run's snapshot or proposal
            # (megabytes each at 10,000 people).
            "runs": program.formation_runs.select_related("created_by", "organization").defer(
                "snapshot", "proposal", "undo_stack", "baselines"
            )[:5],
        },
    )


@require_safe
@org_view(Role.ADMIN, Role.FACILITATOR)
def operations_board(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    query = request.GET
    sort = query.get("sort", "name")
    descending = query.get("dir") == "desc"
    filters = {
        "program_id": int_or_none(query.get("program")),
        "facilitator_id": int_or_none(query.get("facilitator")),
        "flag": query.get("flag", ""),
        "search": query.get("q", "").strip()[:120],
    }
    board = board_for_user(
        user=request.user, access=access, sort=sort, descending=descending, **filters
    )
    # Each column header links to its sort, flipping the direction of the current one.
    kept = {key: value for key, value in query.items() if key not in ("sort", "dir") and value}
    columns = []
    for key, label in SORTS.items():
        flip = "asc" if (key == sort and descending) else "desc" if key == sort else "asc"
        columns.append(
            {
                "key": key,
                "label": label,
                "url": "?" + urlencode({**kept, "sort": key, "dir": flip}),
                "current": key == sort,
                "descending": descending,
            }
        )
    return org_render(
        request,
        access,
        "dashboards/operations_board.html",
        {
            "board": board,
            "columns": columns,
            "filters": filters,
            "flag_labels": FLAG_LABELS,
            "filtered": any(filters.values()),
            "stale_days": STALE_DAYS,
        },
    )


@org_view(Role.ADMIN)
def person_detail(request: HttpRequest, access: OrgAccess, user_id: int) -> HttpResponse:
    """An admin's page on one person: profile, roles, groups, invitation state and the
    admins' own notes on moves. Never what the person wrote in a group."""
    person = person_for_admin(access=access, user_id=user_id)
    organization = access.organization
    if request.method == "POST" and request.POST.get("action") == "erase":
        if not request.POST.get("confirm"):
            raise Invalid(gettext("Tick the box to confirm the erasure."), field="confirm")
        person_erase(
            access=access,
            acting_user=request.user,
            user_id=person.pk,
            group_content=request.POST.get("group_content", ""),
        )
        messages.success(request, gettext("The person is erased: their name and address are gone."))
        return redirect("dashboards-person", org_slug=organization.slug, user_id=person.pk)
    if request.method == "POST":
        if request.POST.get("action") != "deactivate" or not request.POST.get("confirm"):
            raise Invalid(gettext("Tick the box to confirm the deactivation."), field="confirm")
        roles = person_deactivate(access=access, acting_user=request.user, user_id=person.pk)
        messages.success(
            request,
            gettext(
                "%(person)s is deactivated (was: %(items)s). What they wrote stays with their "
                "groups."
            )
            % {"person": person, "items": ", ".join(roles)},
        )
        return redirect("dashboards-person", org_slug=organization.slug, user_id=person.pk)
    roles = list(
        OrganizationRole.objects.filter(organization=organization, user=person).values_list(
            "role", flat=True
        )
    )
    memberships = (
        GroupMembership.objects.filter(group__organization=organization, user=person)
        .select_related("group", "group__program", "group__facilitator")
        .order_by("-cycle", "group__name")
    )
    return org_render(
        request,
        access,
        "dashboards/person.html",
        {
            "person": person,
            "roles": [Role(role).label for role in roles],
            "active": bool(roles),
            "profile": MemberProfile.objects.filter(organization=organization, user=person)
            .select_related("program")
            .first(),
            "facilitator_profile": FacilitatorProfile.objects.filter(
                organization=organization, user=person
            ).first(),
            "memberships": memberships,
            "facilitated": PeerGroup.objects.filter(organization=organization, facilitator=person)
            .select_related("program")
            .order_by("-cycle", "name"),
            "invitation": Invitation.objects.filter(
                organization=organization, email__iexact=person.email
            )
            .order_by("-created_at")
            .first(),
            "changes": MembershipChange.objects.filter(organization=organization, user=person)
            .select_related("from_group", "to_group", "acting_user")
            .order_by("-created_at")[:20],
            "now": timezone.now(),
        },
    )


@org_view(Role.ADMIN)
def invitation_funnel_page(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """Where people stall between invitation and group; resend or revoke from here."""
    organization = access.organization
    if request.method == "POST":
        invitation_id = int_or_none(request.POST.get("invitation"))
        action = request.POST.get("action")
        if invitation_id is None or action not in ("resend", "revoke"):
            raise Invalid(gettext("Choose an invitation and resend or revoke it."), field="action")
        act = invitation_resend if action == "resend" else invitation_revoke
        invitation = act(
            organization=organization, acting_user=request.user, invitation_id=invitation_id
        )
        done = (
            gettext("The invitation to %(email)s is sent again.")
            if action == "resend"
            else gettext("The invitation to %(email)s is revoked; its link no longer works.")
        )
        messages.success(request, done % {"email": invitation.email})
        return redirect(request.get_full_path())
    program_id = int_or_none(request.GET.get("program"))
    program = (
        selectors.program_for_admin(access=access, program_id=program_id) if program_id else None
    )
    return org_render(
        request,
        access,
        "dashboards/invitation_funnel.html",
        {
            "funnel": invitation_funnel(access=access, program=program),
            "programs": organization.programs.order_by("name"),
            "now": timezone.now(),
        },
    )


@require_safe
@org_view(Role.ADMIN)
def program_roster_export(request: HttpRequest, access: OrgAccess, program_id: int) -> HttpResponse:
    """The program's roster as CSV (names, group, facilitator, schedule); the export is audited."""
    program, content = roster_csv(access=access, acting_user=request.user, program_id=program_id)
    return csv_response(content, f"roster-{access.organization.slug}-{program.pk}.csv")


@require_safe
@org_view()
def my_data(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """Everything Peergroups holds about the signed-in person here, as one zip."""
    content = personal_data_archive(user=request.user, access=access)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f"attachment; filename=my-data-{access.organization.slug}.zip"
    return response
