"""Writes on intake profiles, conflict declarations and facilitator applications."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peergroups.accounts.models import User
from peergroups.organizations.models import Organization, Program, Role
from peergroups.organizations.services import audit, role_grant, role_revoke
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus, MemberProfile, NotWith


def member_profile_ensure(
    *, organization: Organization, user: User, program: Program | None = None
) -> MemberProfile:
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
    """Save a filled-in intake (fields already validated by the form) and mark it complete."""
    if profile.completed_at is None:
        profile.completed_at = timezone.now()
    profile.save()
    if not_with is not None:
        not_with_set(profile=profile, others=not_with)
    audit(
        organization=profile.organization,
        acting_user=acting_user,
        action="intake_save",
        user_id=profile.user_id,
    )
    return profile


def not_with_set(*, profile: MemberProfile, others: list[User]) -> None:
    """Replace the member's "not with" declarations by `others`."""
    wanted = {other.pk for other in others if other.pk != profile.user_id}
    existing = NotWith.objects.filter(organization=profile.organization, user=profile.user)
    existing.exclude(other_id__in=wanted).delete()
    have = set(existing.values_list("other_id", flat=True))
    NotWith.objects.bulk_create(
        NotWith(organization=profile.organization, user=profile.user, other_id=other_id)
        for other_id in wanted - have
    )


@transaction.atomic
def facilitator_apply(*, profile: FacilitatorProfile, acting_user: User) -> FacilitatorProfile:
    """Submit (or resubmit) an application; it waits for an admin's review."""
    profile.status = FacilitatorStatus.PENDING
    profile.applied_at = timezone.now()
    profile.reviewed_at = None
    profile.reviewed_by = None
    profile.save()
    audit(
        organization=profile.organization,
        acting_user=acting_user,
        action="facilitator_apply",
        user_id=profile.user_id,
    )
    return profile


@transaction.atomic
def facilitator_approve(
    *, profile: FacilitatorProfile, acting_user: User, note: str = ""
) -> FacilitatorProfile:
    gaps = profile.qualification_gaps()
    if gaps:
        raise ValidationError(f"Cannot approve: the applicant {', '.join(gaps)}.")
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
    audit(
        organization=profile.organization,
        acting_user=acting_user,
        action="facilitator_approve",
        user_id=profile.user_id,
    )
    return profile


@transaction.atomic
def facilitator_reject(
    *, profile: FacilitatorProfile, acting_user: User, note: str = ""
) -> FacilitatorProfile:
    profile.status = FacilitatorStatus.REJECTED
    profile.reviewed_at = timezone.now()
    profile.reviewed_by = acting_user
    profile.review_note = note
    profile.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note"])
    audit(
        organization=profile.organization,
        acting_user=acting_user,
        action="facilitator_reject",
        user_id=profile.user_id,
    )
    return profile
