"""Erasure on request: an admin removes a person's identity from every row.

`person_erase` deactivates the person (roles, seats, tokens: `person_deactivate`), then
makes the account anonymous ("Erased person", an address that cannot receive mail, no
password), empties their intake and facilitator application texts, and deletes what
only identified them (directory entry, "not with" declarations, calendar feeds, mutes,
API tokens, preferences). What they wrote in groups is emptied ("delete") or kept
under the anonymous account ("keep"), as the organization chooses; the rows stay either
way, so every count and figure is the same before and after and still passes the
aggregate rule (nothing about them can be worked out from a figure that moved).
"""

from django.apps import apps
from django.db import models, transaction

from peergroups.audit.services import audit_record
from peergroups.dashboards.retention import REMOVED
from peergroups.errors import Conflict, Invalid
from peergroups.goals.models import CommitmentCheckIn
from peergroups.groups.services import person_deactivate
from peergroups.meetings.models import CheckIn, Issue, MeetingNote
from peergroups.network.models import Answer, DirectoryEntry, Mute, Question
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import OrganizationRole, Role
from peergroups.outcomes.models import Pulse
from peergroups.people.models import FacilitatorProfile, MemberProfile, NotWith
from peergroups.people.selectors import person_for_admin
from peergroups.resources.models import Resource

DELETE, KEEP = "delete", "keep"
ERASED_NAME = "Erased person"


def _empty_texts(queryset, *, keep: tuple[str, ...] = ()) -> None:
    """Blank every optional text field of the rows (names, companies, free text)."""
    model = queryset.model
    fields = {
        field.name: ""
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and field.blank
        and not field.choices
        and field.name not in keep
        and field.editable
    }
    if fields:
        queryset.update(**fields)


@transaction.atomic
def person_erase(*, access: OrgAccess, acting_user, user_id: int, group_content: str) -> None:
    """Erase a person of this organization (admins only; not one who belongs to another
    organization too, whose account is theirs as well: deactivate them here instead)."""
    access.require(Role.ADMIN)
    if group_content not in (DELETE, KEEP):
        raise Invalid(
            "Choose whether their group texts are deleted or kept.", field="group_content"
        )
    person = person_for_admin(access=access, user_id=user_id)
    organization = access.organization
    if person.pk == acting_user.pk:
        raise Conflict("You cannot erase yourself; ask another admin.")
    if OrganizationRole.objects.filter(user=person).exclude(organization=organization).exists():
        raise Conflict(
            "This person also belongs to another organization, so their account is not "
            "only yours to erase. Deactivate them here instead."
        )
    if OrganizationRole.objects.filter(organization=organization, user=person).exists():
        person_deactivate(access=access, acting_user=acting_user, user_id=person.pk)
    # Only identified them: gone.
    for model in (DirectoryEntry, NotWith, Mute):
        model.objects.filter(organization=organization, user=person).delete()
    for label in ("meetings.CalendarFeed", "api.ApiToken", "accounts.NotificationPreference"):
        apps.get_model(label).objects.filter(user=person).delete()
    _empty_texts(
        MemberProfile.objects.filter(organization=organization, user=person), keep=("time_zone",)
    )
    MemberProfile.objects.filter(organization=organization, user=person).update(
        sort_name="",
        expertise=[],
        challenge_topics=[],
        goal_topics=[],
        availability=[],
        competitors=[],
    )
    _empty_texts(FacilitatorProfile.objects.filter(organization=organization, user=person))
    if group_content == DELETE:
        Issue.objects.filter(group__organization=organization, author=person).update(
            title=REMOVED, situation="", ask=""
        )
        MeetingNote.objects.filter(meeting__group__organization=organization, author=person).update(
            text=""
        )
        CheckIn.objects.filter(meeting__group__organization=organization, member=person).update(
            work="", personal=""
        )
        CommitmentCheckIn.objects.filter(
            commitment__group__organization=organization, commitment__member=person
        ).update(note="")
        Pulse.objects.filter(organization=organization, user=person).update(note="")
        Question.objects.filter(organization=organization, asker=person).update(
            title=REMOVED, body=""
        )
        Answer.objects.filter(question__organization=organization, author=person).update(body="")
        for resource in Resource.objects.filter(organization=organization, shared_by=person):
            if resource.file:
                resource.file.delete(save=False)
        Resource.objects.filter(organization=organization, shared_by=person).update(
            title=REMOVED,
            summary="",
            file="",
            file_name="",
            file_text="",
            url="https://invalid.invalid/",
        )
    # The account itself: no name, no address, no way in.
    person.email = f"erased-{person.pk}@erased.invalid"
    person.full_name = ERASED_NAME
    person.is_active = False
    person.set_unusable_password()
    person.save()
    audit_record(
        organization=organization,
        actor=acting_user,
        action="person_erase",
        object_type="user",
        object_id=person.pk,
        before={"erased": False},
        after={"erased": True, "group_content": group_content},
    )
