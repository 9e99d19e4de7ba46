"""Writes on intake profiles, conflict declarations and facilitator applications.

Each service checks who may do it and in what state, and raises a domain error
(`peergroups.errors`) with a sentence the page and the API show as it is.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.errors import Conflict, Invalid, Refused
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import (
    Invitation,
    Organization,
    OrganizationRole,
    Program,
    Role,
)
from peergroups.organizations.services import role_grant, role_revoke
from peergroups.people.models import (
    CATEGORY_LABEL_MAX,
    FACILITATOR_CAPACITY,
    Category,
    CategoryKind,
    FacilitatorProfile,
    FacilitatorStatus,
    MemberProfile,
    NotWith,
    category_fold_plan,
    category_key,
)
from peergroups.people.selectors import category_lookup, program_peers_of
from peergroups.textlimits import text_check


def _require_role(organization: Organization, user: User, *roles: str, reason: str) -> None:
    if not OrganizationRole.objects.filter(
        organization=organization, user=user, role__in=roles
    ).exists():
        raise Refused(reason)


def enrolment_conflict(*, person: object, enrolled: Program | None, program: Program) -> str:
    """Why `person`, enrolled in `enrolled`, cannot be enrolled in `program` ("" if they
    can): a person is in one program at a time. Enrolling (`groups.services.program_enrol`)
    and the member import both ask this; leaving a program is `program_leave`'s."""
    if enrolled is None or enrolled.pk == program.pk:
        return ""
    return gettext(
        "%(person)s is enrolled in the program “%(program)s”; a person is in one "
        "program at a time. Remove them from it first."
    ) % {"person": person, "program": enrolled.name}


def member_profile_ensure(
    *, organization: Organization, user: User, program: Program | None = None
) -> MemberProfile:
    """The member's profile in the organization, created when they join (never on a GET)."""
    profile, created = MemberProfile.objects.get_or_create(
        organization=organization, user=user, defaults={"program": program}
    )
    if not created and program is not None and profile.program_id is None:
        profile.program = program
        profile.save(update_fields=["program"])
    return profile


@transaction.atomic
def member_profile_save(
    *, profile: MemberProfile, not_with: list[User] | None = None, acting_user: User
) -> MemberProfile:
    """Save a filled-in intake (fields parsed by the intake form) and mark it complete.

    Only the member fills their own intake; an admin's changes come through an import.
    """
    if profile.user_id != acting_user.pk:
        raise Refused(gettext("Only the member fills in their own intake."))
    _require_role(
        profile.organization,
        acting_user,
        Role.MEMBER,
        reason=gettext("Only members of this organization fill in an intake."),
    )
    if profile.reports_to_id is not None and profile.reports_to_id == profile.user_id:
        raise Invalid(gettext("You cannot be your own manager."), field="reports_to")
    _require_program_peers(profile, not_with or [])
    categories_apply(profile=profile)
    was_completed = profile.completed_at
    first = was_completed is None
    if first:
        profile.completed_at = timezone.now()
    profile.save()
    if not_with is not None:
        not_with_set(profile=profile, others=not_with)
    # The declarations themselves stay out of the log: only the grouping may know them.
    audit_record(
        organization=profile.organization,
        actor=acting_user,
        action="intake_complete" if first else "intake_update",
        target=profile,
        before={"completed_at": was_completed},
        after={"completed_at": profile.completed_at},
    )
    return profile


def _require_program_peers(profile: MemberProfile, not_with: list[User]) -> None:
    """A member names only people of their own program (no staff, no other program)."""
    named = {other.pk for other in not_with} | {profile.reports_to_id} - {None}
    allowed = set(program_peers_of(profile).filter(pk__in=named).values_list("pk", flat=True))
    if profile.reports_to_id is not None and profile.reports_to_id not in allowed:
        raise Invalid(gettext("Name a manager who takes part in your program."), field="reports_to")
    if {other.pk for other in not_with} - allowed - {profile.user_id}:
        raise Invalid(gettext("Name only people of your own program."), field="not_with")


def not_with_set(*, profile: MemberProfile, others: list[User]) -> None:
    """Replace the member's "not with" declarations by `others` (people of this organization)."""
    wanted = {other.pk for other in others if other.pk != profile.user_id}
    in_organization = set(
        OrganizationRole.objects.filter(
            organization=profile.organization, user_id__in=wanted
        ).values_list("user_id", flat=True)
    )
    if wanted - in_organization:
        raise Invalid(gettext("Name only people of this organization."), field="not_with")
    existing = NotWith.objects.filter(organization=profile.organization, user=profile.user)
    existing.exclude(other_id__in=wanted).delete()
    have = set(existing.values_list("other_id", flat=True))
    NotWith.objects.bulk_create(
        NotWith(organization=profile.organization, user=profile.user, other_id=other_id)
        for other_id in wanted - have
    )


def _check_capacity(profile: FacilitatorProfile) -> None:
    low, high = FACILITATOR_CAPACITY
    if not low <= profile.capacity <= high:
        raise Invalid(
            gettext("Choose between %(low)s and %(high)s groups.") % {"low": low, "high": high},
            field="capacity",
        )


@transaction.atomic
def facilitator_apply(*, profile: FacilitatorProfile, acting_user: User) -> FacilitatorProfile:
    """Submit (or resubmit) one's own application; it waits for an admin's review."""
    if profile.user_id != acting_user.pk:
        raise Refused(gettext("People apply to facilitate for themselves."))
    _require_role(
        profile.organization,
        acting_user,
        *Role.values,
        reason=gettext("Only people of this organization apply to facilitate in it."),
    )
    _check_capacity(profile)
    before = {"status": profile.status} if profile.pk else {}
    profile.status = FacilitatorStatus.PENDING
    profile.applied_at = timezone.now()
    profile.reviewed_at = None
    profile.reviewed_by = None
    profile.save()
    audit_record(
        organization=profile.organization,
        actor=acting_user,
        action="facilitator_apply",
        target=profile,
        before=before,
        after={"status": profile.status, "user": profile.user_id},
    )
    return profile


def _review_preconditions(profile: FacilitatorProfile, acting_user: User) -> None:
    _require_role(
        profile.organization,
        acting_user,
        Role.ADMIN,
        reason=gettext("Only a program admin reviews facilitator applications."),
    )
    if profile.user_id == acting_user.pk:
        raise Refused(gettext("Another program admin reviews your own application."))


def _review_notify(profile: FacilitatorProfile) -> None:
    from peergroups.people.tasks import facilitator_review_send

    profile_id = profile.pk
    transaction.on_commit(lambda: facilitator_review_send.enqueue(profile_id))


@transaction.atomic
def facilitator_approve(
    *, profile: FacilitatorProfile, acting_user: User, note: str = ""
) -> FacilitatorProfile:
    """Approve a qualified application: the applicant becomes a facilitator."""
    profile = FacilitatorProfile.objects.select_for_update().get(pk=profile.pk)
    _review_preconditions(profile, acting_user)
    if profile.status == FacilitatorStatus.APPROVED:
        raise Conflict(
            gettext("%(user)s is an approved facilitator already.") % {"user": profile.user}
        )
    gaps = profile.qualification_gaps()
    if gaps:
        raise Conflict(
            gettext("Cannot approve: the applicant %(items)s.") % {"items": ", ".join(gaps)}
        )
    before = {"status": profile.status}
    profile.status = FacilitatorStatus.APPROVED
    profile.reviewed_at = timezone.now()
    profile.reviewed_by = acting_user
    profile.review_note = note
    profile.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note"])
    role_grant(
        organization=profile.organization,
        user=profile.user,
        role=Role.FACILITATOR,
        acting_user=acting_user,
    )
    role_revoke(
        organization=profile.organization,
        user=profile.user,
        role=Role.APPLICANT,
        acting_user=acting_user,
    )
    audit_record(
        organization=profile.organization,
        actor=acting_user,
        action="facilitator_approve",
        target=profile,
        before=before,
        after={"status": profile.status, "user": profile.user_id},
    )
    _review_notify(profile)
    return profile


@transaction.atomic
def facilitator_reject(
    *, profile: FacilitatorProfile, acting_user: User, note: str = ""
) -> FacilitatorProfile:
    """Decline an application that is waiting; an approved facilitator is not declined here."""
    profile = FacilitatorProfile.objects.select_for_update().get(pk=profile.pk)
    _review_preconditions(profile, acting_user)
    if profile.status == FacilitatorStatus.APPROVED:
        raise Conflict(
            gettext("%(user)s is an approved facilitator; this is not an application.")
            % {"user": profile.user}
        )
    before = {"status": profile.status}
    profile.status = FacilitatorStatus.REJECTED
    profile.reviewed_at = timezone.now()
    profile.reviewed_by = acting_user
    profile.review_note = note
    profile.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note"])
    audit_record(
        organization=profile.organization,
        actor=acting_user,
        action="facilitator_reject",
        target=profile,
        before=before,
        after={"status": profile.status, "user": profile.user_id},
    )
    _review_notify(profile)
    return profile


def _category_kind(kind: str) -> str:
    if kind not in CategoryKind.values:
        raise Invalid(gettext("Choose region, industry or function."), field="kind")
    return kind


def _category_label(label: str) -> str:
    return text_check(
        label,
        field="label",
        limit=CATEGORY_LABEL_MAX,
        blank=gettext("Give the value a name."),
        fold=True,
    )


def category_fold(*, organization_id: int, kind: str, value: str) -> str:
    """The one rule for a region, industry or function on any path that sets one: the
    value becomes its list entry ("midwest " -> "Midwest"); a value not on the list yet
    joins it under this spelling. Returns the label ("" for an empty value)."""
    return categories_fold(organization_id=organization_id, kind=kind, values=[value]).get(
        value, ""
    )


def categories_fold(*, organization_id: int, kind: str, values) -> dict[str, str]:
    """`category_fold` for many values at once (an import): spelling -> label, adding the
    new entries to the list in one write."""
    kind = _category_kind(kind)
    values = [value for value in values if value and value.strip()]
    if not values:
        return {}
    lookup = category_lookup(organization_id=organization_id, kind=kind)
    plan = category_fold_plan(lookup, values)
    labels = {category_key(label): label for label in plan.values()}
    new = labels.keys() - lookup.keys()
    if new:
        Category.objects.bulk_create(
            [
                Category(organization_id=organization_id, kind=kind, label=labels[key], key=key)
                for key in sorted(new)
            ],
            ignore_conflicts=True,  # another request added it a moment ago: theirs stands
        )
        # Read the list again, so a value another request listed at the same moment
        # folds into that request's spelling.
        plan = category_fold_plan(
            category_lookup(organization_id=organization_id, kind=kind), values
        )
    return plan


def categories_apply(*, profile: MemberProfile) -> None:
    """Fold a profile's region, industry and function into the organization's lists."""
    for kind in CategoryKind.values:
        value = getattr(profile, kind)
        setattr(
            profile,
            kind,
            category_fold(organization_id=profile.organization_id, kind=kind, value=value),
        )


@transaction.atomic
def category_add(*, access: OrgAccess, acting_user: User, kind: str, label: str) -> Category:
    """Add a value to a pick-list; 'Boston' and ' boston' are the same value."""
    access.require(Role.ADMIN)
    kind = _category_kind(kind)
    label = _category_label(label)
    if Category.objects.filter(
        organization=access.organization, kind=kind, key=category_key(label)
    ).exists():
        raise Conflict(gettext("“%(label)s” is on the list already.") % {"label": label})
    category = Category.objects.create(organization=access.organization, kind=kind, label=label)
    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="category_add",
        target=category,
        before={},
        after={"kind": kind, "label": label},
    )
    return category


@transaction.atomic
def category_merge(
    *, access: OrgAccess, acting_user: User, kind: str, values: list[str], into: str
) -> int:
    """Make every profile whose `kind` reads like one of `values` (or like `into`, in any
    case or spacing) read `into`; `into` joins the pick-list and the merged values leave it.

    Returns how many profiles changed.
    """
    access.require(Role.ADMIN)
    kind = _category_kind(kind)
    into = _category_label(into)
    keys = {category_key(value) for value in values} - {""}
    if not keys:
        raise Invalid(gettext("Choose the values to merge."), field="values")
    keys.add(category_key(into))
    profiles = MemberProfile.objects.filter(organization=access.organization)
    in_use = set(profiles.values_list(kind, flat=True).distinct())
    spellings = [value for value in in_use if category_key(value) in keys and value != into]
    changed = profiles.filter(**{f"{kind}__in": spellings}).update(**{kind: into})
    # Open invitations carry an import's values (intake["values"]) until accepted: they
    # follow the merge too.
    for invitation in Invitation.objects.filter(
        organization=access.organization, accepted_at__isnull=True
    ).exclude(intake={}):
        imported = invitation.intake.get("values") or {}
        value = imported.get(kind)
        if value and value != into and category_key(value) in keys:
            invitation.intake = {**invitation.intake, "values": {**imported, kind: into}}
            invitation.save(update_fields=["intake"])
    listed = Category.objects.filter(organization=access.organization, kind=kind)
    listed.filter(key__in=keys - {category_key(into)}).delete()
    kept = listed.filter(key=category_key(into)).first()
    if kept is None:
        Category.objects.create(organization=access.organization, kind=kind, label=into)
    elif kept.label != into:
        kept.label = into
        kept.save(update_fields=["label"])
    audit_record(
        organization=access.organization,
        actor=acting_user,
        action="category_merge",
        object_type="category",
        before={"kind": kind, "values": sorted(spellings)},
        after={"kind": kind, "into": into, "spellings": len(spellings), "profiles": changed},
    )
    return changed
