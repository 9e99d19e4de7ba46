"""Writes on programs (create, edit: the bounds must fit the program's groups), peer groups
and memberships.

Seats are taken and given back only through `groups.seats` (one conditional claim that
also requires an open group, one release); a check constraint refuses any overfill.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.errors import Conflict, Invalid, NotFound, Refused, invalid_from, version_require
from peergroups.formats import in_sentence
from peergroups.groups.models import (
    MEMBERSHIP_REASON_MAX,
    GroupMembership,
    MembershipChange,
    MembershipChangeKind,
    PeerGroup,
)
from peergroups.groups.seats import seat_claim, seat_release
from peergroups.groupsize import group_size_check
from peergroups.organizations.access import OrgAccess, admin_require
from peergroups.organizations.models import (
    PROGRAM_DESCRIPTION_MAX,
    PROGRAM_NAME_MAX,
    GroupingBasis,
    MeetingCadence,
    Organization,
    Program,
    Role,
)
from peergroups.organizations.recipients import person_active
from peergroups.people.conflicts import together_check
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus, MemberProfile
from peergroups.people.selectors import person_for_admin
from peergroups.people.services import enrolment_conflict, member_profile_ensure
from peergroups.textlimits import text_check

GROUP_NAME_MAX = PeerGroup._meta.get_field("name").max_length


class AlreadyGrouped(Conflict):
    """The person already belongs to a group of this program and cycle."""


def group_create(
    *,
    program: Program,
    name: str,
    acting_user: User | None,
    capacity: int | None = None,
    facilitator: User | None = None,
    cycle: int = 1,
    time_zone: str = "UTC",
) -> PeerGroup:
    group = PeerGroup(
        organization=program.organization,
        program=program,
        name=name,
        cycle=cycle,
        capacity=capacity or program.max_group_size,
        facilitator=facilitator,
        time_zone=time_zone,
    )
    group.full_clean()
    group.save()
    audit_record(
        organization=program.organization,
        actor=acting_user,
        action="group_create",
        target=group,
        before={},
        after={"program": program.pk, "capacity": group.capacity, "facilitator": facilitator},
    )
    return group


@transaction.atomic
def membership_add(*, group: PeerGroup, user: User, acting_user: User | None) -> GroupMembership:
    if not person_active(organization_id=group.organization_id, user_id=user.pk):
        raise Conflict(gettext("%(user)s is no longer part of this organization.") % {"user": user})
    seat_claim(group=group)
    # The claim holds the group's row, so no one joins beside this check (SQLite: one writer).
    together_check(
        organization=group.organization_id,
        joining=[user.pk],
        members=GroupMembership.objects.filter(group=group).values_list("user_id", flat=True),
    )
    try:
        with transaction.atomic():
            membership = GroupMembership.objects.create(
                group=group, program_id=group.program_id, cycle=group.cycle, user=user
            )
    except IntegrityError:
        raise AlreadyGrouped(f"{user} already belongs to a group in this program.") from None
    audit_record(
        organization=group.organization,
        actor=acting_user,
        action="membership_add",
        target=group,
        before={},
        after={"user": user.pk},
    )
    return membership


@transaction.atomic
def membership_remove(*, group: PeerGroup, user: User, acting_user: User | None) -> None:
    deleted, _ = GroupMembership.objects.filter(group=group, user=user).delete()
    if deleted:
        seat_release(group_id=group.pk)
        audit_record(
            organization=group.organization,
            actor=acting_user,
            action="membership_remove",
            target=group,
            before={"user": user.pk},
            after={},
        )


# Editing after publish. Each write takes the viewer's organization access (from the
# page or the API), checks its own rules and writes one audit row with ids and states.


def _require_admin(access: OrgAccess, group: PeerGroup) -> None:
    if group.organization_id != access.organization.pk:
        raise NotFound(gettext("No such group."))
    if not access.is_admin:
        raise Refused(gettext("Only the program's admins can change this group."))


def _require_open(group: PeerGroup) -> None:
    if group.closed_at is not None:
        raise Conflict(gettext("%(group_name)s is closed.") % {"group_name": group.name})


def _locked_at(group: PeerGroup, version: int | None) -> PeerGroup:
    """The group's row, locked, refused (`Stale`) when it changed since `version`."""
    group = (
        PeerGroup.objects.select_for_update(of=("self",))
        .select_related("facilitator")
        .get(pk=group.pk)
    )
    version_require(
        expected=version,
        current=group.version,
        now=(
            gettext("it is called “%(name)s”, facilitated by %(facilitator)s, and closed.")
            if group.closed_at
            else gettext("it is called “%(name)s”, facilitated by %(facilitator)s.")
        )
        % {"name": group.name, "facilitator": group.facilitator or gettext("nobody")},
    )
    return group


def _reason_clean(reason: str) -> str:
    return text_check(reason, field="reason", limit=MEMBERSHIP_REASON_MAX)


def _membership_of(group: PeerGroup, user_id: int) -> GroupMembership:
    membership = (
        GroupMembership.objects.select_for_update()
        .select_related("user")
        .filter(group=group, user_id=user_id)
        .first()
    )
    if membership is None:
        raise NotFound(gettext("That person is not in this group."))
    return membership


@transaction.atomic
def membership_move(
    *,
    access: OrgAccess,
    acting_user: User,
    group: PeerGroup,
    user_id: int,
    to_group_id: int,
    reason: str = "",
) -> MembershipChange:
    """Move a member to another open group of the same program and cycle.

    The new seat is claimed first (the same conditional update as `membership_add`), so
    a full group refuses the move and nothing changes. The reason is kept for admins.
    """
    _require_admin(access, group)
    reason = _reason_clean(reason)
    target = PeerGroup.objects.filter(organization=access.organization, pk=to_group_id).first()
    if target is None:
        raise Invalid(gettext("Choose a group to move to."), field="to_group")
    if target.pk == group.pk:
        raise Invalid(gettext("They are already in this group."), field="to_group")
    if (target.program_id, target.cycle) != (group.program_id, group.cycle):
        raise Invalid(
            gettext("A member can move only between groups of the same program and cycle."),
            field="to_group",
        )
    membership = _membership_of(group, user_id)
    seat_claim(group=target)
    together_check(  # under the target's row lock, taken by the claim
        organization=access.organization,
        joining=[membership.user_id],
        members=GroupMembership.objects.filter(group=target).values_list("user_id", flat=True),
    )
    seat_release(group_id=group.pk)
    membership.group = target
    membership.program_joined_at = membership.program_joined
    membership.joined_at = timezone.now()
    membership.save(update_fields=["group", "joined_at", "program_joined_at"])
    change = MembershipChange.objects.create(
        organization=access.organization,
        user=membership.user,
        kind=MembershipChangeKind.MOVED,
        from_group=group,
        to_group=target,
        reason=reason,
        acting_user=acting_user,
    )
    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="membership_move",
        target=membership.user,
        before={"group": group.pk},
        after={"group": target.pk, "change": change.pk},
    )
    from peergroups.groups.tasks import group_assignment_send

    target_id, moved_id = target.pk, membership.user_id
    transaction.on_commit(lambda: group_assignment_send.enqueue(target_id, moved_id))
    return change


@transaction.atomic
def membership_withdraw(
    *, access: OrgAccess, acting_user: User, group: PeerGroup, user_id: int, reason: str = ""
) -> MembershipChange:
    """Take a member out of a group after publish; their content stays with the group."""
    _require_admin(access, group)
    reason = _reason_clean(reason)
    membership = _membership_of(group, user_id)
    membership.delete()
    seat_release(group_id=group.pk)
    change = MembershipChange.objects.create(
        organization=access.organization,
        user=membership.user,
        kind=MembershipChangeKind.REMOVED,
        from_group=group,
        reason=reason,
        acting_user=acting_user,
    )
    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="membership_withdraw",
        target=membership.user,
        before={"group": group.pk},
        after={"change": change.pk},
    )
    return change


def facilitator_load(*, organization_id: int, user_id: int) -> tuple[int, int]:
    """(open groups led, capacity) of a facilitator in an organization."""
    leading = PeerGroup.objects.filter(
        organization_id=organization_id, facilitator_id=user_id, closed_at__isnull=True
    ).count()
    capacity = (
        FacilitatorProfile.objects.filter(organization_id=organization_id, user_id=user_id)
        .values_list("capacity", flat=True)
        .first()
    )
    return leading, capacity or 0


@transaction.atomic
def group_facilitator_change(
    *,
    access: OrgAccess,
    acting_user: User,
    group: PeerGroup,
    facilitator_id: int | None,
    version: int | None = None,
) -> PeerGroup:
    """Give the group another facilitator (approved, with free capacity), or none."""
    _require_admin(access, group)
    _require_open(group)
    group = _locked_at(group, version)
    before = group.facilitator_id
    if facilitator_id == before:
        return group
    if facilitator_id is not None:
        approved = FacilitatorProfile.objects.filter(
            organization=access.organization,
            user_id=facilitator_id,
            status=FacilitatorStatus.APPROVED,
            user__organization_roles__organization=access.organization,
            user__organization_roles__role=Role.FACILITATOR,
        ).exists()
        if not approved:
            raise Invalid(
                gettext("Choose an approved facilitator of this organization."), field="facilitator"
            )
        leading, capacity = facilitator_load(
            organization_id=access.organization.pk, user_id=facilitator_id
        )
        if leading >= capacity:
            raise Conflict(
                ngettext(
                    "That facilitator already leads %(leading)s of the %(count)s group they "
                    "can take.",
                    "That facilitator already leads %(leading)s of the %(count)s groups they "
                    "can take.",
                    capacity,
                )
                % {"leading": leading, "count": capacity}
            )
    group.facilitator_id = facilitator_id
    group.version += 1
    group.save(update_fields=["facilitator", "version"])
    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="group_facilitator_change",
        target=group,
        before={"facilitator": before},
        after={"facilitator": facilitator_id},
    )
    return group


@transaction.atomic
def group_rename(
    *, access: OrgAccess, acting_user: User, group: PeerGroup, name: str, version: int | None = None
) -> PeerGroup:
    """Rename a group: its admins and its own facilitator may."""
    if group.organization_id != access.organization.pk:
        raise NotFound(gettext("No such group."))
    if not (access.is_admin or group.facilitator_id == acting_user.pk):
        raise Refused(
            gettext("Only the program's admins and the group's facilitator can rename it.")
        )
    _require_open(group)
    group = _locked_at(group, version)
    name = text_check(
        name, field="name", limit=GROUP_NAME_MAX, blank=gettext("Give the group a name."), fold=True
    )
    before = group.name
    if name == before:
        return group
    taken = (
        PeerGroup.objects.filter(program_id=group.program_id, cycle=group.cycle, name=name)
        .exclude(pk=group.pk)
        .exists()
    )
    if taken:
        raise Conflict(
            gettext("Another group of this program is already called “%(name)s”.") % {"name": name}
        )
    group.name = name
    group.version += 1
    group.save(update_fields=["name", "version"])
    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="group_rename",
        target=group,
        before={"name": before},
        after={"name": name},
    )
    return group


PROGRAM_EDITABLE = (
    "name",
    "description",
    "min_group_size",
    "max_group_size",
    "open_seats",
    "meeting_cadence",
    "grouping_basis",
)


def program_settings_check(
    *,
    organization: Organization,
    name: str,
    description: str,
    min_group_size: int,
    max_group_size: int,
    open_seats: int,
    meeting_cadence: str,
    grouping_basis: str,
    program_id: int | None = None,
) -> tuple[str, str]:
    """The rules every program keeps, created or edited, on the pages or the API; returns
    the name and description as kept."""
    name = text_check(
        name,
        field="name",
        limit=PROGRAM_NAME_MAX,
        blank=gettext("Give the program a name."),
        fold=True,
    )
    description = text_check(description, field="description", limit=PROGRAM_DESCRIPTION_MAX)
    group_size_check(smallest=min_group_size, largest=max_group_size, open_seats=open_seats)
    if meeting_cadence not in MeetingCadence.values:
        raise Invalid(gettext("Choose how often groups meet."), field="meeting_cadence")
    if grouping_basis not in GroupingBasis.values:
        raise Invalid(gettext("Choose what members of a group share."), field="grouping_basis")
    clash = Program.objects.filter(organization=organization, name__iexact=name)
    if clash.exclude(pk=program_id).exists():
        raise Conflict(gettext("Another program is already called “%(name)s”.") % {"name": name})
    return name, description


@transaction.atomic
def program_create(*, organization: Organization, acting_user: User | None, **fields) -> Program:
    """Create a program: the organization's admins (None: the system, a seed, a command)."""
    admin_require(
        organization=organization,
        user=acting_user,
        reason=gettext("Only the organization's admins create programs."),
    )
    program = Program(organization=organization, **fields)
    program.name, program.description = program_settings_check(
        organization=organization,
        name=program.name,
        description=program.description,
        min_group_size=program.min_group_size,
        max_group_size=program.max_group_size,
        open_seats=program.open_seats,
        meeting_cadence=program.meeting_cadence,
        grouping_basis=program.grouping_basis,
    )
    try:
        program.full_clean()
    except ValidationError as error:
        raise invalid_from(error) from None
    program.save()
    audit_record(
        organization=organization,
        actor=acting_user,
        action="program_create",
        target=program,
        before={},
        after={"min_group_size": program.min_group_size, "max_group_size": program.max_group_size},
    )
    return program


@transaction.atomic
def program_update(
    *,
    access: OrgAccess,
    acting_user: User,
    program_id: int,
    name: str,
    description: str,
    min_group_size: int,
    max_group_size: int,
    open_seats: int,
    meeting_cadence: str,
    grouping_basis: str,
    version: int | None = None,
) -> Program:
    """Edit a program: its admins may, within the size bounds, while its groups still fit.

    The largest group may not drop below the members an open group of the program already
    has; groups keep their own capacity, the new bounds shape the groups formed next.
    """
    if not access.is_admin:
        raise Refused(gettext("Only the program's admins can edit it."))
    program = (
        Program.objects.select_for_update()
        .filter(organization=access.organization, pk=program_id)
        .first()
    )
    if program is None:
        raise NotFound(gettext("No such program."))
    version_require(
        expected=version,
        current=program.version,
        now=ngettext(
            "it is called “%(name)s”, with groups of %(smallest)s to %(largest)s, %(count)s "
            "open seat, meeting %(cadence)s, grouped %(basis)s.",
            "it is called “%(name)s”, with groups of %(smallest)s to %(largest)s, %(count)s "
            "open seats, meeting %(cadence)s, grouped %(basis)s.",
            program.open_seats,
        )
        % {
            "name": program.name,
            "smallest": program.min_group_size,
            "largest": program.max_group_size,
            "count": program.open_seats,
            "cadence": in_sentence(program.get_meeting_cadence_display()),
            "basis": in_sentence(program.get_grouping_basis_display()),
        },
    )
    name, description = program_settings_check(
        organization=access.organization,
        name=name,
        description=description,
        min_group_size=min_group_size,
        max_group_size=max_group_size,
        open_seats=open_seats,
        meeting_cadence=meeting_cadence,
        grouping_basis=grouping_basis,
        program_id=program.pk,
    )
    fullest = (
        PeerGroup.objects.filter(program=program, closed_at__isnull=True)
        .order_by("-member_count", "name")
        .first()
    )
    if fullest is not None and fullest.member_count > max_group_size:
        raise Invalid(
            gettext(
                "%(fullest_name)s has %(member_count)s members already; move some before "
                "making the largest group %(max_group_size)s."
            )
            % {
                "fullest_name": fullest.name,
                "member_count": fullest.member_count,
                "max_group_size": max_group_size,
            },
            field="max_group_size",
        )
    after = {
        "name": name,
        "description": description,
        "min_group_size": min_group_size,
        "max_group_size": max_group_size,
        "open_seats": open_seats,
        "meeting_cadence": meeting_cadence,
        "grouping_basis": grouping_basis,
    }
    before = {field: getattr(program, field) for field in PROGRAM_EDITABLE}
    changed = [field for field in PROGRAM_EDITABLE if before[field] != after[field]]
    if not changed:
        return program
    for field in changed:
        setattr(program, field, after[field])
    program.version += 1
    program.save(update_fields=[*changed, "version"])

    def recorded(values: dict) -> dict:
        # Audit rows hold no free text: the description is recorded by its length.
        kept = {field: values[field] for field in changed}
        if "description" in kept:
            kept["description"] = f"{len(kept['description'])} characters"
        return kept

    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="program_update",
        target=program,
        before=recorded(before),
        after=recorded(after),
    )
    return program


@transaction.atomic
def group_close(
    *, access: OrgAccess, acting_user: User, group: PeerGroup, version: int | None = None
) -> PeerGroup:
    """Close a group: it keeps its roster and history, takes no one new and leaves the board."""
    _require_admin(access, group)
    group = _locked_at(group, version)
    _require_open(group)
    group.closed_at = timezone.now()
    group.version += 1
    group.save(update_fields=["closed_at", "version"])
    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="group_close",
        target=group,
        before={"closed_at": None},
        after={"closed_at": group.closed_at, "members": group.member_count},
    )
    return group


# Enrolment: which program a member is in (their profile names one program at a time).
# Invitations and imports name a program as a person arrives; provisioning (SCIM Groups)
# enrols and removes people over time through these two.


@transaction.atomic
def program_enrol(*, access: OrgAccess, acting_user: User, program: Program, user: User) -> None:
    """Enrol a person of the organization in `program` (admins). A person is in one
    program at a time: one enrolled elsewhere is refused (Conflict) with the program named.

    Someone deactivated may be enrolled (an identity provider keeps a disabled person in
    its groups): formation takes only active members, so they are grouped only once back.
    """
    access.require(Role.ADMIN)
    if program.organization_id != access.organization.pk:
        raise NotFound(gettext("No such program in this organization."))
    person_for_admin(access=access, user_id=user.pk)  # of this organization, or a 404
    profile = member_profile_ensure(organization=access.organization, user=user)
    profile = (
        MemberProfile.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=profile.pk)
    )
    if profile.program_id == program.pk:
        return
    if reason := enrolment_conflict(person=user, enrolled=profile.program, program=program):
        raise Conflict(reason)
    profile.program = program
    profile.save(update_fields=["program"])
    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="program_enrol",
        object_type="user",
        object_id=user.pk,
        before={"program": None},
        after={"program": program.pk},
    )


@transaction.atomic
def program_leave(*, access: OrgAccess, acting_user: User, program: Program, user: User) -> None:
    """Take a member out of `program` (admins): they leave its open groups (as a withdrawal
    after publish: their seat frees up, what they wrote stays with the group) and their
    profile names no program. Someone not enrolled in it is left as they are."""
    access.require(Role.ADMIN)
    if program.organization_id != access.organization.pk:
        raise NotFound(gettext("No such program in this organization."))
    profile = (
        MemberProfile.objects.select_for_update()
        .filter(organization=access.organization, user=user, program=program)
        .first()
    )
    if profile is None:
        return
    groups = list(
        PeerGroup.objects.filter(
            program=program, closed_at__isnull=True, memberships__user=user
        ).distinct()
    )
    for group in groups:
        membership_withdraw(
            access=access,
            acting_user=acting_user,
            group=group,
            user_id=user.pk,
            reason=gettext("Left the program."),
        )
    profile.program = None
    profile.save(update_fields=["program"])
    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="program_leave",
        object_type="user",
        object_id=user.pk,
        before={"program": program.pk, "group": [group.pk for group in groups]},
        after={"program": None, "group": []},
    )
