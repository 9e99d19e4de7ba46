"""Person administration: an admin deactivates a person, or erases them on request.

Both touch every app a person has rows in (roles, seats, groups led, tokens; for erasure
what they wrote), so they live here, above those apps, beside the person's page.

`person_deactivate` ends their roles, frees their seats in open groups and takes them off
the groups they led; their API tokens end when no organization is left.

`person_erase` deactivates the person (roles, seats, tokens: `person_deactivate`), then
makes the account anonymous ("Erased person", an address that cannot receive mail, no
password), empties their intake and facilitator application texts, and deletes what
only identified them (directory entry, "not with" declarations, calendar feeds, mutes,
API tokens, preferences, the identity provider's SCIM record). What they wrote in
groups is emptied ("delete") or kept under the anonymous account ("keep"), as the
organization chooses; the rows stay either way, so every count and figure is the same
before and after and still passes the aggregate rule (nothing about them can be worked
out from a figure that moved).
"""

from django.apps import apps
from django.db import models, transaction
from django.utils.translation import gettext

from peergroups.accounts.models import User, credentials_reset_send
from peergroups.audit.services import audit_record
from peergroups.dashboards.retention import REMOVED
from peergroups.errors import Conflict, Invalid, NotFound
from peergroups.goals.models import CommitmentCheckIn
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.groups.seats import seat_release
from peergroups.meetings.models import CheckIn, Issue, MeetingNote
from peergroups.network.models import Answer, DirectoryEntry, Mute, Question
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import OrganizationRole, Role
from peergroups.organizations.services import admin_keep_one
from peergroups.outcomes.models import Pulse
from peergroups.people.models import FacilitatorProfile, MemberProfile, NotWith
from peergroups.people.selectors import person_for_admin
from peergroups.resources.models import Resource

DELETE, KEEP = "delete", "keep"


@transaction.atomic
def person_deactivate(*, access: OrgAccess, acting_user: User, user_id: int) -> list[str]:
    """Take a person out of the organization: their roles end, their seats in open groups
    free up and the groups they led lose their facilitator. What they wrote (issues,
    notes, resources) stays with the group. Returns the roles they held."""
    access.require(Role.ADMIN)
    organization = access.organization
    roles = sorted(
        OrganizationRole.objects.filter(organization=organization, user_id=user_id).values_list(
            "role", flat=True
        )
    )
    if not roles:
        raise NotFound(gettext("No such person in this organization."))
    if user_id == acting_user.pk:
        raise Conflict(gettext("You cannot deactivate yourself; ask another admin."))
    if Role.ADMIN in roles:
        admin_keep_one(
            organization=organization,
            user_id=user_id,
            refusal=gettext("The organization's last admin cannot be deactivated."),
        )
    memberships = list(
        GroupMembership.objects.select_for_update().filter(
            group__organization=organization, group__closed_at__isnull=True, user_id=user_id
        )
    )
    for membership in memberships:
        membership.delete()
        seat_release(group_id=membership.group_id)
    led = list(
        PeerGroup.objects.filter(
            organization=organization, facilitator_id=user_id, closed_at__isnull=True
        ).values_list("pk", flat=True)
    )
    PeerGroup.objects.filter(pk__in=led).update(facilitator=None)
    OrganizationRole.objects.filter(organization=organization, user_id=user_id).delete()
    if not OrganizationRole.objects.filter(user_id=user_id).exists():
        # Part of no organization any more: their API tokens end too (the calendar feed,
        # pulse and check-in links of this organization stop by `person_active`).
        credentials_reset_send(user=User.objects.get(pk=user_id))
    audit_record(
        organization=organization,
        actor=acting_user,
        action="person_deactivate",
        object_type="user",
        object_id=user_id,
        before={
            "roles": roles,
            "groups": [m.group_id for m in memberships],
            "facilitated": led,
        },
        after={"roles": [], "groups": [], "facilitated": []},
    )
    return roles


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
            gettext("Choose whether their group texts are deleted or kept."), field="group_content"
        )
    person = person_for_admin(access=access, user_id=user_id)
    organization = access.organization
    if person.pk == acting_user.pk:
        raise Conflict(gettext("You cannot erase yourself; ask another admin."))
    if OrganizationRole.objects.filter(user=person).exclude(organization=organization).exists():
        raise Conflict(
            gettext(
                "This person also belongs to another organization, so their account is not "
                "only yours to erase. Deactivate them here instead."
            )
        )
    if OrganizationRole.objects.filter(organization=organization, user=person).exists():
        person_deactivate(access=access, acting_user=acting_user, user_id=person.pk)
    # Only identified them: gone.
    for model in (DirectoryEntry, NotWith, Mute):
        model.objects.filter(organization=organization, user=person).delete()
    for label in ("meetings.CalendarFeed", "api.ApiToken", "accounts.NotificationPreference"):
        apps.get_model(label).objects.filter(user=person).delete()
    # The identity provider's record of them here (name, addresses, its ids); it may
    # provision them again, as a new person.
    apps.get_model("scim.ScimUser").objects.filter(organization=organization, user=person).delete()
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
