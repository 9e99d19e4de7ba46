"""Program administration (create, edit) and a group's pages: who is in it, who
facilitates it, and its editing page after publish."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_safe

from peergroups.errors import Conflict, DomainError, Invalid, Refused
from peergroups.groups import services
from peergroups.groups.forms import (
    CloseForm,
    FacilitatorForm,
    MoveForm,
    ProgramEditForm,
    ProgramForm,
    RemoveForm,
    RenameForm,
)
from peergroups.groups.models import PeerGroup
from peergroups.groups.selectors import group_for_user, group_role, group_roster
from peergroups.http import form_add_invalid, form_status
from peergroups.organizations import selectors as organization_selectors
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.models import Role
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus


@org_view(Role.ADMIN)
def program_create(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    form = ProgramForm(request.POST or None, organization=access.organization)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            program = services.program_create(
                organization=access.organization, acting_user=request.user, **fields
            )
        except Invalid as refusal:  # the size bounds, as every caller hears them
            form_add_invalid(form, refusal)
        else:
            messages.success(
                request,
                gettext("Program “%(program_name)s” created.") % {"program_name": program.name},
            )
            return redirect(program.get_absolute_url())
    status = form_status(request)
    return org_render(request, access, "groups/program_form.html", {"form": form}, status=status)


@org_view(Role.ADMIN)
def program_edit(request: HttpRequest, access: OrgAccess, program_id: int) -> HttpResponse:
    program = organization_selectors.program_for_admin(access=access, program_id=program_id)
    form = ProgramEditForm.for_program(program, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_update(
                access=access, acting_user=request.user, program_id=program.pk, **form.cleaned_data
            )
        except (Invalid, Conflict) as error:
            form_add_invalid(form, error)
        else:
            messages.success(
                request,
                gettext("Program “%(program_name)s” saved.") % {"program_name": program.name},
            )
            return redirect(program.get_absolute_url())
    status = form_status(request)
    return org_render(
        request,
        access,
        "groups/program_edit.html",
        {"form": form, "program": program},
        status=status,
    )


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
            # The roster shows names and dates: not each membership's bookkeeping.
            "roster": group_roster(group).only(
                "group", "joined_at", "user__full_name", "user__email"
            ),
            # Links to the content pages; those pages decide access themselves.
            "sees_content": group_role(user=request.user, group=group) is not None,
            "can_manage": access.is_admin or group.facilitator_id == request.user.pk,
        },
    )


def _facilitator_choices(access: OrgAccess) -> list[tuple[int, str]]:
    profiles = FacilitatorProfile.objects.filter(
        organization=access.organization,
        status=FacilitatorStatus.APPROVED,
        user__organization_roles__organization=access.organization,
        user__organization_roles__role=Role.FACILITATOR,
    ).select_related("user")
    return [(profile.user_id, str(profile.user)) for profile in profiles.distinct()]


def _move_targets(group: PeerGroup) -> list[tuple[int, str]]:
    others = (
        PeerGroup.objects.filter(
            program_id=group.program_id, cycle=group.cycle, closed_at__isnull=True
        )
        .exclude(pk=group.pk)
        .order_by("name")
    )
    return [
        (
            other.pk,
            ngettext(
                "%(group_name)s (%(count)s open seat)",
                "%(group_name)s (%(count)s open seats)",
                other.open_seats,
            )
            % {"group_name": other.name, "count": other.open_seats},
        )
        for other in others
    ]


ACTIONS = ("rename", "facilitator", "move", "remove", "close")


@org_view(Role.ADMIN, Role.FACILITATOR)
def group_manage(request: HttpRequest, access: OrgAccess, group_id: int) -> HttpResponse:
    """Admins edit a published group here; its facilitator may rename it.

    Every form posts back here with an `action`; a refusal re-renders that form with the
    service's sentence next to it and keeps what was typed.
    """
    group = group_for_user(user=request.user, access=access, group_id=group_id)
    is_admin = access.is_admin
    if not (is_admin or group.facilitator_id == request.user.pk):
        raise Refused(gettext("Only the program's admins and the group's facilitator edit it."))
    roster = list(group_roster(group))
    members = [(m.user_id, str(m.user)) for m in roster]
    action = request.POST.get("action", "") if request.method == "POST" else ""
    bound = request.POST if request.method == "POST" else None

    def bind(name, form_class, **kwargs):
        return form_class(bound if action == name else None, prefix=name, **kwargs)

    version = group.version
    forms = {"rename": bind("rename", RenameForm, initial={"name": group.name, "version": version})}
    if is_admin:
        forms["facilitator"] = bind(
            "facilitator",
            FacilitatorForm,
            choices=_facilitator_choices(access),
            initial={"facilitator": group.facilitator_id, "version": version},
        )
        forms["move"] = bind("move", MoveForm, members=members, choices=_move_targets(group))
        forms["remove"] = bind("remove", RemoveForm, members=members)
        forms["close"] = bind("close", CloseForm, initial={"version": version})
    if request.method == "POST":
        if action not in forms:
            raise Invalid(gettext("Choose what to change."), field="action")
        form = forms[action]
        if form.is_valid():
            try:
                done = _apply(action, form.cleaned_data, access, request.user, group)
            except DomainError as error:
                form_add_invalid(form, error)
            else:
                messages.success(request, done)
                if action == "close":
                    return redirect("dashboards-board", org_slug=access.organization.slug)
                return redirect(
                    "groups-manage", org_slug=access.organization.slug, group_id=group.pk
                )
    return org_render(
        request,
        access,
        "groups/manage.html",
        {"group": group, "roster": roster, "forms": forms, "action": action},
        status=form_status(request),
    )


def _apply(action: str, data: dict, access: OrgAccess, user, group: PeerGroup) -> str:
    common = {"access": access, "acting_user": user, "group": group}
    if action == "rename":
        renamed = services.group_rename(**common, name=data["name"], version=data["version"])
        return gettext("The group is now called “%(renamed_name)s”.") % {
            "renamed_name": renamed.name
        }
    if action == "facilitator":
        changed = services.group_facilitator_change(
            **common, facilitator_id=data["facilitator"], version=data["version"]
        )
        return f"{changed.facilitator or 'Nobody'} now facilitates {group.name}."
    if action == "move":
        change = services.membership_move(
            **common, user_id=data["user"], to_group_id=data["to_group"], reason=data["reason"]
        )
        return f"{change.user} moved to {change.to_group.name}."
    if action == "remove":
        change = services.membership_withdraw(**common, user_id=data["user"], reason=data["reason"])
        return f"{change.user} is no longer in {group.name}."
    services.group_close(**common, version=data["version"])
    return f"{group.name} is closed."
