"""Reads of people that depend on who is asking."""

from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext

from peergroups.accounts.models import User
from peergroups.errors import NotFound
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Invitation, OrganizationRole, Role
from peergroups.organizations.selectors import programs_with_counts
from peergroups.people.models import (
    Category,
    CategoryKind,
    FacilitatorProfile,
    FacilitatorStatus,
    MemberProfile,
    category_key,
)

PEER_SEARCH_MIN = 2  # characters a search needs before it names anyone
PEER_SEARCH_LIMIT = 20  # matches one search shows at most


def program_peers_of(profile: MemberProfile) -> QuerySet[User]:
    """The people a member may name in their intake: members of their own program.

    Never facilitators, admins, people of another program, nor the member themselves;
    a member not enrolled in a program names no one. The intake service checks ids
    against this same set.
    """
    if profile.program_id is None:
        return User.objects.none()
    staff = OrganizationRole.objects.filter(
        organization_id=profile.organization_id, role__in=[Role.ADMIN, Role.FACILITATOR]
    ).values("user_id")
    return (
        User.objects.filter(
            is_active=True,
            member_profiles__organization_id=profile.organization_id,
            member_profiles__program_id=profile.program_id,
        )
        .exclude(pk=profile.user_id)
        .exclude(pk__in=staff)
        .order_by("full_name", "pk")
    )


def program_peers(*, access: OrgAccess, user: User) -> QuerySet[User]:
    """`program_peers_of` the viewer's own intake profile (none without a profile)."""
    profile = MemberProfile.objects.filter(organization=access.organization, user=user).first()
    if profile is None:
        return User.objects.none()
    return program_peers_of(profile)


def program_peer_search(*, access: OrgAccess, user: User, query: str) -> list[User]:
    """At most PEER_SEARCH_LIMIT of the viewer's program peers whose name contains `query`.

    A query shorter than PEER_SEARCH_MIN characters names no one, so the picker never
    lists the whole program.
    """
    query = " ".join(query.split())
    if len(query) < PEER_SEARCH_MIN:
        return []
    peers = program_peers(access=access, user=user)
    return list(peers.filter(full_name__icontains=query)[:PEER_SEARCH_LIMIT])


def member_search(
    *,
    access: OrgAccess,
    query: str = "",
    region: str = "",
    industry: str = "",
    program_id: int | None = None,
    intake: str = "",
) -> QuerySet[MemberProfile]:
    """Admin's member list; the caller has checked the admin role."""
    access.require(Role.ADMIN)
    profiles = MemberProfile.objects.filter(organization=access.organization).select_related(
        "user", "program"
    )
    if query:
        profiles = profiles.filter(
            Q(user__full_name__icontains=query)
            | Q(user__email__icontains=query)
            | Q(company__icontains=query)
        )
    # A filter typed in another spelling finds the list entry it folds into.
    if region:
        profiles = profiles.filter(
            region=category_label(
                organization_id=access.organization.pk, kind="region", value=region
            )
        )
    if industry:
        profiles = profiles.filter(
            industry=category_label(
                organization_id=access.organization.pk, kind="industry", value=industry
            )
        )
    if program_id:
        profiles = profiles.filter(program_id=program_id)
    if intake == "complete":
        profiles = profiles.filter(completed_at__isnull=False)
    elif intake == "pending":
        profiles = profiles.filter(completed_at__isnull=True)
    return profiles.order_by("sort_name", "pk")


def facilitator_profile_for_admin(*, access: OrgAccess, profile_id: int) -> FacilitatorProfile:
    access.require(Role.ADMIN)
    profile = (
        FacilitatorProfile.objects.select_related("user", "organization")
        .filter(organization=access.organization, pk=profile_id)
        .first()
    )
    if profile is None:
        raise NotFound(gettext("No such application."))
    return profile


def facilitator_profiles_for_admin(
    *, access: OrgAccess, status: str = FacilitatorStatus.PENDING
) -> QuerySet[FacilitatorProfile]:
    """The organization's facilitator applications in one state, oldest first."""
    access.require(Role.ADMIN)
    return (
        FacilitatorProfile.objects.filter(organization=access.organization, status=status)
        .select_related("user", "organization")
        .order_by("applied_at", "pk")
    )


def admin_overview(*, access: OrgAccess) -> dict:
    """Counts for the admin's dashboard: never a name, never a text."""
    access.require(Role.ADMIN)
    organization = access.organization
    profiles = MemberProfile.objects.filter(organization=organization).aggregate(
        total=Count("pk"), complete=Count("pk", filter=Q(completed_at__isnull=False))
    )
    facilitators = FacilitatorProfile.objects.filter(organization=organization).aggregate(
        pending=Count("pk", filter=Q(status=FacilitatorStatus.PENDING)),
        approved=Count("pk", filter=Q(status=FacilitatorStatus.APPROVED)),
    )
    return {
        "members": profiles["total"],
        "intake_complete": profiles["complete"],
        "pending_facilitators": facilitators["pending"],
        "approved_facilitators": facilitators["approved"],
        "open_invitations": Invitation.objects.filter(
            organization=organization, accepted_at__isnull=True
        ).count(),
        "programs": programs_with_counts(access=access),
    }


def person_for_admin(*, access: OrgAccess, user_id: int) -> User:
    """A person of the organization (holding a role now, or a profile from before they
    were deactivated), for the admin's member page. Anyone else is a 404."""
    access.require(Role.ADMIN)
    organization = access.organization
    person = (
        User.objects.filter(pk=user_id)
        .filter(
            Q(organization_roles__organization=organization)
            | Q(member_profiles__organization=organization)
            | Q(facilitator_profiles__organization=organization)
        )
        .distinct()
        .first()
    )
    if person is None:
        raise NotFound(gettext("No such person in this organization."))
    return person


REMIND_AFTER_DAYS = 7  # a stalled invitation or intake gets its one reminder after a week


def stalled_invitations(*, now: datetime) -> QuerySet[Invitation]:
    """Invitations e-mailed over a week ago, still open, not accepted and not reminded yet."""
    return (
        Invitation.objects.filter(
            accepted_at__isnull=True,
            reminded_at__isnull=True,
            sent_at__lte=now - timedelta(days=REMIND_AFTER_DAYS),
            expires_at__gt=now,
        )
        .exclude(token_salt="")  # withdrawn: no link can be rebuilt
        .select_related("organization", "program", "created_by")
        .order_by("pk")
    )


def stalled_intakes(*, now: datetime) -> QuerySet[MemberProfile]:
    """Members who accepted over a week ago and have not completed their intake, not reminded."""
    accepted = Invitation.objects.filter(
        organization_id=OuterRef("organization_id"),
        accepted_by_id=OuterRef("user_id"),
        accepted_at__lte=now - timedelta(days=REMIND_AFTER_DAYS),
    )
    still_member = OrganizationRole.objects.filter(
        organization_id=OuterRef("organization_id"), user_id=OuterRef("user_id"), role=Role.MEMBER
    )
    return (
        MemberProfile.objects.filter(
            completed_at__isnull=True, intake_reminded_at__isnull=True, user__is_active=True
        )
        .filter(Exists(accepted), Exists(still_member))
        .select_related("user", "organization", "program")
        .order_by("pk")
    )


def pick_lists(*, organization) -> dict[str, list[str]]:
    """The organization's pick-lists: kind -> labels (a kind without values is free text)."""
    lists: dict[str, list[str]] = {kind: [] for kind in CategoryKind.values}
    for kind, label in Category.objects.filter(organization=organization).values_list(
        "kind", "label"
    ):
        lists[kind].append(label)
    return lists


def category_usage(*, access: OrgAccess, kind: str) -> list[dict]:
    """Each spelling members use for `kind`, with how many use it and whether it is listed,
    grouped by normalised key so 'Boston' and 'boston ' show side by side."""
    access.require(Role.ADMIN)
    listed = set(
        Category.objects.filter(organization=access.organization, kind=kind).values_list(
            "key", flat=True
        )
    )
    rows = (
        MemberProfile.objects.filter(organization=access.organization)
        .exclude(**{kind: ""})
        .values(kind)
        .annotate(count=Count("pk"))
        .order_by(kind)
    )
    usage = [
        {"value": row[kind], "count": row["count"], "key": category_key(row[kind])} for row in rows
    ]
    for row in usage:
        row["listed"] = row["key"] in listed
    return sorted(usage, key=lambda row: (row["key"], row["value"]))


def category_lookup(*, organization_id: int, kind: str) -> dict[str, str]:
    """The organization's list for `kind` as normalised key -> label."""
    return dict(
        Category.objects.filter(organization_id=organization_id, kind=kind).values_list(
            "key", "label"
        )
    )


def category_label(*, organization_id: int, kind: str, value: str) -> str:
    """The list entry a value folds into, for reading (filters): no write; a value not on
    the list is returned as typed, spaces collapsed."""
    value = " ".join((value or "").split())
    if not value:
        return ""
    listed = (
        Category.objects.filter(organization_id=organization_id, kind=kind, key=category_key(value))
        .values_list("label", flat=True)
        .first()
    )
    return listed or value
