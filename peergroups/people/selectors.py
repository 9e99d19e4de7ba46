"""Reads of people that depend on who is asking."""

from django.db.models import Count, Q, QuerySet

from peergroups.accounts.models import User
from peergroups.errors import NotFound
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Invitation, Role
from peergroups.organizations.selectors import programs_with_counts
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus, MemberProfile


def colleagues(*, access: OrgAccess, exclude: User) -> QuerySet[User]:
    """People holding a role in the organization, for the intake's pickers."""
    return (
        User.objects.filter(organization_roles__organization=access.organization)
        .exclude(pk=exclude.pk)
        .distinct()
        .order_by("full_name")
    )


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
    if region:
        profiles = profiles.filter(region=region)
    if industry:
        profiles = profiles.filter(industry=industry)
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
        raise NotFound("No such application.")
    return profile


def admin_overview(*, access: OrgAccess) -> dict:
    """Counts for the admin's dashboard: never a name, never a text."""
    access.require(Role.ADMIN)
    organization = access.organization
    profiles = MemberProfile.objects.filter(organization=organization).aggregate(
        total=Count("pk"), complete=Count("pk", filter=Q(completed_at__isnull=False))
    )
    return {
        "members": profiles["total"],
        "intake_complete": profiles["complete"],
        "pending_facilitators": FacilitatorProfile.objects.filter(
            organization=organization, status=FacilitatorStatus.PENDING
        ).count(),
        "approved_facilitators": FacilitatorProfile.objects.filter(
            organization=organization, status=FacilitatorStatus.APPROVED
        ).count(),
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
        raise NotFound("No such person in this organization.")
    return person
