"""Every URL pattern and API route, requested by every member of the cast.

Adding a URL without rows here fails `test_every_url_has_rows`: decide who may
open it before it ships. Statuses: 200 page, 302 redirect (LOGIN = to sign-in),
401 API without credentials, 403 wrong role, 404 not in this organization.
"""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from peergroups.organizations.models import Role
from peergroups.organizations.services import invitation_create
from peergroups.people.models import FacilitatorProfile

ROLES = [
    "anonymous",
    "member",
    "other_member",
    "facilitator",
    "other_facilitator",
    "admin",
    "outsider",
]
LOGIN = "login"  # a 302 to the sign-in page

# Shorthands for the common shapes of a row.
ANY_SIGNED_IN = dict(
    anonymous=LOGIN,
    member=200,
    other_member=200,
    facilitator=200,
    other_facilitator=200,
    admin=200,
    outsider=404,
)
ADMIN_ONLY = dict(
    anonymous=LOGIN,
    member=403,
    other_member=403,
    facilitator=403,
    other_facilitator=403,
    admin=200,
    outsider=404,
)
MEMBER_ONLY = dict(
    anonymous=LOGIN,
    member=200,
    other_member=200,
    facilitator=403,
    other_facilitator=403,
    admin=403,
    outsider=404,
)
EVERYONE = dict.fromkeys(ROLES, 200)
GROUP_A = dict(
    anonymous=LOGIN,
    member=200,
    other_member=403,
    facilitator=200,
    other_facilitator=403,
    admin=200,  # the roster only; test_groups checks no content is shown
    outsider=404,
)
# Group A's content (meetings, issues, notes, check-ins): never the admins.
GROUP_CONTENT = dict(GROUP_A, admin=403)
GROUP_FACILITATOR = dict(GROUP_CONTENT, member=403)
GROUP_MEMBER = dict(GROUP_CONTENT, facilitator=403)
MEETING = {"org_slug": "acme", "group_id": "group", "meeting_id": "meeting"}
ISSUE = {"org_slug": "acme", "group_id": "group", "issue_id": "issue"}

ADMIN_POST = dict(ADMIN_ONLY, admin=302)  # an admin's form post redirects back to the page
API_SIGNED_IN = dict(dict.fromkeys(ROLES, 200), anonymous=401)
API_ADMIN_ONLY = dict(ADMIN_ONLY, anonymous=401)
API_GROUP = dict(GROUP_CONTENT, anonymous=401)

# Resources and the network.
RESOURCE = {"org_slug": "acme", "resource_id": "resource"}  # Mia's, organization-wide
API_RESOURCE = RESOURCE
QUESTION = {"org_slug": "acme", "question_id": "question"}  # Mia asked Max
SHARER_ONLY = dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, outsider=404)  # Mia shared it
API_SHARER_ONLY = dict(SHARER_ONLY, anonymous=401)
API_ANY = dict(ANY_SIGNED_IN, anonymous=401)
NETWORK_PEOPLE = ["member", "member2", "other_member", "facilitator", "other_facilitator"]
API_NETWORK = dict(API_ANY, admin=403)
QUESTION_PEOPLE = dict(dict.fromkeys(ROLES, 404), anonymous=LOGIN, member=200, member2=200)

# name -> (method, kwargs from the world, expected status by role[, POST data])
MATRIX = {
    "home": ("get", {}, dict(dict.fromkeys(ROLES, 302), anonymous=LOGIN)),
    "accounts-healthz": ("get", {}, EVERYONE),
    "login": ("get", {}, dict(dict.fromkeys(ROLES, 302), anonymous=200)),
    "logout": ("post", {}, dict.fromkeys(ROLES, 302)),
    "password_reset": ("get", {}, EVERYONE),
    "password_reset_done": ("get", {}, EVERYONE),
    "password_reset_confirm": ("get", {"uidb64": "uid", "token": "token"}, EVERYONE),
    "password_reset_complete": ("get", {}, EVERYONE),
    # The link is for new@acme.test: anyone signed in under another address is told so.
    "accounts-invitation": (
        "get",
        {"token": "invitation_token"},
        dict(dict.fromkeys(ROLES, 403), anonymous=200),
    ),
    "organizations-dashboard": ("get", {"org_slug": "acme"}, ANY_SIGNED_IN),
    "organizations-program-create": ("get", {"org_slug": "acme"}, ADMIN_ONLY),
    "organizations-program": ("get", {"org_slug": "acme", "program_id": "program"}, ADMIN_ONLY),
    "organizations-members": ("get", {"org_slug": "acme"}, ADMIN_ONLY),
    "organizations-invitations": ("get", {"org_slug": "acme"}, ADMIN_ONLY),
    "people-intake": ("get", {"org_slug": "acme"}, MEMBER_ONLY),
    "people-facilitator-apply": ("get", {"org_slug": "acme"}, ANY_SIGNED_IN),
    "people-facilitators": ("get", {"org_slug": "acme"}, ADMIN_ONLY),
    "people-facilitator-review": (
        "post",
        {"org_slug": "acme", "profile_id": "applicant_profile"},
        dict(ADMIN_ONLY, admin=302),
        {"decision": "reject", "note": "Not this year."},
    ),
    "people-import": ("get", {"org_slug": "acme"}, ADMIN_ONLY),
    "people-export": ("get", {"org_slug": "acme"}, ADMIN_ONLY),
    "groups-detail": ("get", {"org_slug": "acme", "group_id": "group"}, GROUP_A),
    "api-tokens": ("get", {}, dict(dict.fromkeys(ROLES, 200), anonymous=LOGIN)),
    "api-token-revoke": (
        "post",
        {"token_id": "admin_token"},
        # Only the token's owner may revoke it; to anyone else it does not exist.
        dict(dict.fromkeys(ROLES, 404), anonymous=LOGIN, admin=302),
    ),
    "formation-start": ("get", {"org_slug": "acme", "program_id": "program"}, ADMIN_ONLY),
    "formation-placement": (
        "get",
        {"org_slug": "acme", "program_id": "program", "user_id": "waiting_member"},
        ADMIN_ONLY,
    ),
    "formation-run": ("get", {"org_slug": "acme", "run_id": "run"}, ADMIN_ONLY),
    "formation-progress": ("get", {"org_slug": "acme", "run_id": "run"}, ADMIN_ONLY),
    "formation-cancel": ("post", {"org_slug": "acme", "run_id": "run"}, ADMIN_POST),
    "formation-move": ("post", {"org_slug": "acme", "run_id": "run"}, ADMIN_POST),
    "formation-swap": ("post", {"org_slug": "acme", "run_id": "run"}, ADMIN_POST),
    "formation-undo": ("post", {"org_slug": "acme", "run_id": "run"}, ADMIN_POST),
    "formation-facilitator": ("post", {"org_slug": "acme", "run_id": "run"}, ADMIN_POST),
    "formation-publish": ("post", {"org_slug": "acme", "run_id": "run"}, ADMIN_POST),
    "api:api-formation-start": (
        "post_json",
        {"slug": "acme", "program_id": "program"},
        dict(API_ADMIN_ONLY, admin=201),
        {"mode": "new_cycle", "seconds": 1, "min_size": 2, "max_size": 3},
    ),
    "api:api-formation-status": ("get", {"slug": "acme", "run_id": "run"}, API_ADMIN_ONLY),
    "api:api-formation-proposal": ("get", {"slug": "acme", "run_id": "run"}, API_ADMIN_ONLY),
    "api:api-formation-publish": ("post", {"slug": "acme", "run_id": "run"}, API_ADMIN_ONLY),
    # The meetings API mirrors the pages: group content for Group A's members and
    # facilitator only (the vote is a member's act, attendance a facilitator's).
    "api:api-meetings-list": ("get", {"org_slug": "acme", "group_id": "group"}, API_GROUP),
    "api:api-meetings-agenda": ("get", MEETING, API_GROUP),
    "api:api-meetings-issues": ("get", {"org_slug": "acme", "group_id": "group"}, API_GROUP),
    "api:api-meetings-issue-vote": (
        "post",
        ISSUE,
        dict(API_GROUP, facilitator=403, member=200),
    ),
    "api:api-meetings-attendance": ("get", MEETING, API_GROUP),
    "api:api-root": ("get", {}, dict.fromkeys(ROLES, 404)),
    "api:api-unknown": ("get", {"rest": "no/such/thing"}, dict.fromkeys(ROLES, 404)),
    "api:openapi-json": ("get", {}, EVERYONE),
    "api:openapi-view": ("get", {}, EVERYONE),
    "api:api-me": ("get", {}, API_SIGNED_IN),
    "api:api-organizations": ("get", {}, API_SIGNED_IN),
    "api:api-programs": ("get", {"slug": "acme"}, API_ADMIN_ONLY),
    "api:api-members": ("get", {"slug": "acme"}, API_ADMIN_ONLY),
    # Meetings. Group content is for Group A's members and facilitator only: admins
    # get 403 (they see aggregates on meetings-insights), other groups 403, other
    # organizations 404. A member who has not accepted the group's current
    # confidentiality agreement gets a 302 to meetings-agreement instead of the page
    # (tested in peergroups/meetings/tests/test_agreement.py); here they have accepted.
    "meetings-agreement": ("get", {"org_slug": "acme", "group_id": "group"}, GROUP_CONTENT),
    "meetings-list": ("get", {"org_slug": "acme", "group_id": "group"}, GROUP_CONTENT),
    "meetings-schedule": ("get", {"org_slug": "acme", "group_id": "group"}, GROUP_FACILITATOR),
    "meetings-agenda-template": (
        "get",
        {"org_slug": "acme", "group_id": "group"},
        GROUP_FACILITATOR,
    ),
    "meetings-detail": ("get", MEETING, GROUP_CONTENT),
    "meetings-edit": ("get", MEETING, GROUP_FACILITATOR),
    "meetings-ics": ("get", MEETING, GROUP_CONTENT),
    "meetings-agenda-pick": ("post", MEETING, dict(GROUP_FACILITATOR, facilitator=302), {}),
    "meetings-check-in": ("get", MEETING, GROUP_MEMBER),
    "meetings-run": ("get", MEETING, GROUP_FACILITATOR),
    "meetings-issues": ("get", {"org_slug": "acme", "group_id": "group"}, GROUP_CONTENT),
    "meetings-issue-create": ("get", {"org_slug": "acme", "group_id": "group"}, GROUP_MEMBER),
    "meetings-issue-detail": ("get", ISSUE, GROUP_CONTENT),
    # Members vote (302 back to the queue); the facilitator picks, so does not vote.
    "meetings-issue-vote": ("post", ISSUE, dict(GROUP_MEMBER, member=302), {"vote": "1"}),
    # Everyone with a group in the organization has a feed page; admins hold no group.
    "meetings-calendar": (
        "get",
        {"org_slug": "acme"},
        dict(ANY_SIGNED_IN, admin=403),
    ),
    # Public but secret: calendar apps cannot sign in, the token is the credential
    # (a revoked or unknown token is 404: test_schedule_and_feed.py).
    "meetings-feed": ("get", {"org_slug": "acme", "token": "feed_token"}, EVERYONE),
    "meetings-insights": ("get", {"org_slug": "acme"}, ADMIN_ONLY),
    # Goals and accountability. A member's own pages are for members (their own data;
    # other_member sees their own). The world's goal is Mia's, shared with Group A:
    # the group reads it, only Mia changes it. A private goal is a 404 to anyone but
    # its owner (peergroups/goals/tests/test_access.py). Commitments and check-ins are
    # Group A's content: admins 403, and only Mia checks in on hers.
    "goals-dashboard": ("get", {"org_slug": "acme"}, MEMBER_ONLY),
    "goals-create": ("get", {"org_slug": "acme"}, MEMBER_ONLY),
    "goals-reminders": ("get", {"org_slug": "acme"}, MEMBER_ONLY),
    "goals-commitments": ("get", {"org_slug": "acme"}, MEMBER_ONLY),
    "goals-detail": ("get", {"org_slug": "acme", "goal_id": "goal"}, GROUP_CONTENT),
    "goals-progress": (
        "post",
        {"org_slug": "acme", "goal_id": "goal"},
        dict(GROUP_CONTENT, member=302, facilitator=403),
        {"action": "progress", "value": "3"},
    ),
    "goals-check-in": (
        "get",
        {"org_slug": "acme", "commitment_id": "commitment"},
        GROUP_MEMBER,
    ),
    "goals-group": ("get", {"org_slug": "acme", "group_id": "group"}, GROUP_CONTENT),
    "goals-partners": (
        "post",
        {"org_slug": "acme", "group_id": "group"},
        dict(GROUP_FACILITATOR, facilitator=302),
        {},
    ),
    # Public but secret: the e-mailed token is the credential (used or expired: 410,
    # in peergroups/goals/tests/test_check_in_link.py).
    "goals-token-check-in": ("get", {"org_slug": "acme", "token": "check_in_token"}, EVERYONE),
    "goals-insights": ("get", {"org_slug": "acme"}, ADMIN_ONLY),
    "api:api-goals": ("get", {"org_slug": "acme"}, dict(MEMBER_ONLY, anonymous=401)),
    "api:api-goals-updates": (
        "post_json",
        {"org_slug": "acme", "goal_id": "goal"},
        dict(API_GROUP, member=201, facilitator=403),
        {"value": "4", "note": "matrix"},
    ),
    "api:api-commitments": ("get", {"org_slug": "acme"}, dict(MEMBER_ONLY, anonymous=401)),
    "api:api-commitments-check-ins": (
        "post_json",
        {"org_slug": "acme", "commitment_id": "commitment"},
        dict(API_GROUP, member=201, facilitator=403),
        {"status": "done"},
    ),
    "api:api-group-commitments": ("get", {"org_slug": "acme", "group_id": "group"}, API_GROUP),
    # Resources. The organization's library is open to everyone in it; a group's
    # resources (and their files) are Group A's content: never the admins. Only the
    # sharer edits; the sharer or an admin withdraws an organization-wide resource;
    # nobody votes for their own. Search never returns, counts or snippets a group's
    # resource to anyone outside the group (peergroups/resources/tests/test_search.py).
    "resources-library": ("get", {"org_slug": "acme"}, ANY_SIGNED_IN),
    "resources-share": ("get", {"org_slug": "acme"}, dict(ANY_SIGNED_IN, admin=403)),
    "resources-detail": ("get", {"org_slug": "acme", "resource_id": "resource"}, ANY_SIGNED_IN),
    "resources-edit": ("get", RESOURCE, dict(SHARER_ONLY, member=200)),
    "resources-withdraw": ("post", RESOURCE, dict(SHARER_ONLY, member=302, admin=302)),
    "resources-vote": (
        "post",
        RESOURCE,
        dict(dict.fromkeys(ROLES, 302), anonymous=LOGIN, member=403, outsider=404),
        {"useful": "1"},
    ),
    "resources-file": (
        "get",
        {"org_slug": "acme", "resource_id": "group_resource"},
        GROUP_CONTENT,
    ),
    "resources-meeting-share": ("get", MEETING, GROUP_CONTENT),
    "api:api-resources-list": ("get", {"org_slug": "acme"}, API_ANY),
    "api:api-resources-search": ("get", {"org_slug": "acme"}, API_ANY, {"q": "scorecard"}),
    "api:api-resources-create": (
        "post_json",
        {"org_slug": "acme"},
        dict(API_NETWORK, **dict.fromkeys(NETWORK_PEOPLE, 201)),
        {
            "kind": "article",
            "title": "Matrix article",
            "summary": "Read it.",
            "url": "https://example.org/a",
            "topics": ["sales"],
            "scope": "organization",
        },
    ),
    "api:api-resources-detail": (
        "get",
        {"org_slug": "acme", "resource_id": "group_resource"},
        API_GROUP,
    ),
    "api:api-resources-update": (
        "patch_json",
        API_RESOURCE,
        dict(API_SHARER_ONLY, member=200),
        {
            "kind": "tool",
            "title": "Renamed",
            "summary": "s",
            "topics": ["sales"],
            "url": "https://example.org/b",
        },
    ),
    "api:api-resources-withdraw": (
        "delete",
        API_RESOURCE,
        dict(API_SHARER_ONLY, member=204, admin=204),
    ),
    "api:api-resources-vote": (
        "put",
        API_RESOURCE,
        dict(dict.fromkeys(ROLES, 200), anonymous=401, member=403, outsider=404),
    ),
    "api:api-resources-unvote": (
        "delete",
        API_RESOURCE,
        dict(dict.fromkeys(ROLES, 200), anonymous=401, member=403, outsider=404),
    ),
    "api:api-resources-file-upload": ("post_file", API_RESOURCE, dict(API_SHARER_ONLY, member=200)),
    "api:api-resources-file": (
        "get",
        {"org_slug": "acme", "resource_id": "group_resource"},
        API_GROUP,
    ),
    # The network: the directory is for everyone in the organization; listing, asking
    # and answering are for members and facilitators. A question is for its asker (Mia)
    # and the people it went to (Max); to anyone else it does not exist.
    "network-directory": ("get", {"org_slug": "acme"}, ANY_SIGNED_IN),
    "network-directory-me": ("get", {"org_slug": "acme"}, dict(ANY_SIGNED_IN, admin=403)),
    "network-questions": ("get", {"org_slug": "acme"}, dict(ANY_SIGNED_IN, admin=403)),
    "network-ask": ("get", {"org_slug": "acme"}, dict(ANY_SIGNED_IN, admin=403)),
    "network-question": ("get", QUESTION, QUESTION_PEOPLE),
    "network-answer": (
        "post",
        QUESTION,
        dict(QUESTION_PEOPLE, member=403, member2=302),
        {"body": "An answer."},
    ),
    "network-decline": ("post", QUESTION, dict(QUESTION_PEOPLE, member=403, member2=302)),
    "network-close": ("post", QUESTION, dict(QUESTION_PEOPLE, member=302, member2=403)),
    "api:api-directory": ("get", {"org_slug": "acme"}, API_ANY),
    "api:api-directory-me": ("get", {"org_slug": "acme"}, API_NETWORK),
    "api:api-directory-me-update": (
        "put_json",
        {"org_slug": "acme"},
        API_NETWORK,
        {"listed": True},
    ),
    "api:api-questions-proposals": (
        "post_json",
        {"org_slug": "acme"},
        API_NETWORK,
        {"topics": ["hiring"]},
    ),
    "api:api-questions": ("get", {"org_slug": "acme"}, API_NETWORK),
    "api:api-questions-create": (
        "post_json",
        {"org_slug": "acme"},
        dict(API_NETWORK, **dict.fromkeys(NETWORK_PEOPLE, 201)),
        {"title": "Matrix question?", "body": "Context.", "topics": ["hiring"]},
    ),
    "api:api-question": ("get", QUESTION, dict(QUESTION_PEOPLE, anonymous=401)),
    "api:api-question-answer": (
        "post_json",
        QUESTION,
        dict(QUESTION_PEOPLE, anonymous=401, member=403, member2=201),
        {"body": "An answer."},
    ),
    "api:api-question-decline": (
        "post",
        QUESTION,
        dict(QUESTION_PEOPLE, anonymous=401, member=403, member2=200),
    ),
    "api:api-question-close": (
        "post",
        QUESTION,
        dict(QUESTION_PEOPLE, anonymous=401, member=200, member2=403),
    ),
}


def url_names(patterns=None, namespace: str = "") -> set[str]:
    names = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace == "admin":
                continue  # Django's own admin: staff only, covered by test_django_admin_is_staff_only
            names |= url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(namespace + entry.name)
    return names


def test_every_url_has_rows():
    missing = url_names() - MATRIX.keys()
    stale = MATRIX.keys() - url_names()
    assert not missing, f"URLs without access rows: {sorted(missing)}"
    assert not stale, f"Rows for URLs that no longer exist: {sorted(stale)}"


@pytest.fixture
def world(cast, settings, tmp_path):
    """The cast plus the objects some URLs point at."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    applicant = FacilitatorProfile.objects.create(
        organization=cast.organization,
        user=cast.member2,
        built_own_business=True,
        trained_feedback_coach=False,
        expertise=["sales"],
    )
    _, token = invitation_create(
        organization=cast.organization,
        email="new@acme.test",
        role=Role.MEMBER,
        acting_user=cast.admin,
        send=False,
    )
    from peergroups.api.services import token_create

    api_token, _ = token_create(user=cast.admin, name="matrix")
    run = matrix_formation_run(cast)
    meeting, issue, feed_token = meetings_world(cast)
    goal, commitment, check_in_token = goals_world(cast)
    resource, group_resource, question = resources_world(cast)
    return {
        "resource": resource.pk,
        "group_resource": group_resource.pk,
        "question": question.pk,
        "goal": goal.pk,
        "commitment": commitment.pk,
        "check_in_token": check_in_token,
        "run": run.pk,
        "waiting_member": cast.member.pk,
        "meeting": meeting.pk,
        "issue": issue.pk,
        "feed_token": feed_token,
        "cast": cast,
        "program": cast.program.pk,
        "group": cast.group.pk,
        "applicant_profile": applicant.pk,
        "invitation_token": token,
        "admin_token": api_token.pk,
        "uid": urlsafe_base64_encode(force_bytes(cast.member.pk)),
        "token": "bad-token",
    }


def matrix_formation_run(cast):
    """A finished formation run with a one-group proposal, for the formation URLs."""
    from peergroups.formation.criteria import default_criteria, profile_attributes
    from peergroups.formation.models import FormationRun, RunStatus
    from peergroups.people.models import MemberProfile

    profiles = MemberProfile.objects.filter(program=cast.program).select_related("user")
    profiles.update(completed_at=timezone.now(), region="Boston")
    people = [
        {"user_id": p.user_id, "name": str(p.user), **profile_attributes(p)} for p in profiles
    ]
    return FormationRun.objects.create(
        organization=cast.organization,
        program=cast.program,
        cycle=2,
        status=RunStatus.DONE,
        parameters={
            "mode": "new_cycle",
            "basis": "mixed",
            "criteria": default_criteria("mixed"),
            "min_size": 2,
            "max_size": 10,
            "seconds": 1,
            "seed": 1,
            "history_penalty": 0,
        },
        snapshot={"people": people, "conflicts": [], "history": [], "facilitators": []},
        proposal={"groups": [[p["user_id"] for p in people]], "facilitators": [None]},
    )


def meetings_world(cast):
    """Group A has a meeting and an issue; its members accepted the agreement."""
    from datetime import UTC, datetime, timedelta

    from peergroups.meetings import services as meetings
    from peergroups.meetings.models import Meeting

    agreement = meetings.agreement_current(group=cast.group)
    for member in (cast.member, cast.member2):
        meetings.agreement_accept(agreement=agreement, user=member)
    starts = datetime(2030, 1, 8, 13, tzinfo=UTC)
    meeting = Meeting.objects.create(
        group=cast.group, starts_at=starts, ends_at=starts + timedelta(hours=4)
    )
    issue = meetings.issue_submit(
        group=cast.group,
        author=cast.member2,
        title="A hard call",
        category="hiring",
        situation="Confidential situation.",
        ask="Experiences, please.",
        urgency=2,
    )
    _, feed_token = meetings.calendar_feed_issue(user=cast.member, organization=cast.organization)
    return meeting, issue, feed_token


def goals_world(cast):
    """Mia has a goal shared with Group A, a commitment, and a one-click check-in link."""
    from datetime import date

    from peergroups.goals import services as goals

    goal = goals.goal_create(
        organization=cast.organization,
        owner=cast.member,
        group=cast.group,
        title="Hire two team leads",
        measure="team leads hired",
        baseline=0,
        target=2,
        due_on=date(2031, 1, 1),
        visibility="group",
    )
    commitment = goals.commitment_make(
        group=cast.group, member=cast.member, text="Write the job ad.", due_on=date(2030, 2, 1)
    )
    token = goals.check_in_token_issue(commitment=commitment)
    return goal, commitment, token


def resources_world(cast):
    """Mia shared a link with everyone and a file with Group A; Max and Oli are listed
    for hiring questions, and Mia asked Max one."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from peergroups.network import services as network
    from peergroups.organizations.access import organization_access
    from peergroups.resources import services as resources

    access = organization_access(cast.member, "acme")
    common = {"user": cast.member, "access": access, "kind": "template", "summary": "Use it."}
    resource = resources.resource_share(
        **common,
        title="Interview scorecard",
        topics=["hiring"],
        scope="organization",
        url="https://example.org/scorecard",
    )
    group_resource = resources.resource_share(
        **common,
        title="Group plan",
        topics=["finance"],
        scope="group",
        group_id=cast.group.pk,
        upload=SimpleUploadedFile("plan.md", b"# Plan"),
    )
    for user in (cast.member2, cast.other_member):
        network.directory_entry_save(
            user=user,
            access=organization_access(user, "acme"),
            listed=True,
            ask_me_about_topics=["hiring"],
        )
    question = network.question_ask(
        user=cast.member,
        access=access,
        title="How do you hire?",
        body="Context.",
        topics=["hiring"],
        recipient_ids=[cast.member2.pk],
    )
    return resource, group_resource, question


def resolve_kwargs(kwargs: dict, world: dict) -> dict:
    return {key: world.get(value, value) for key, value in kwargs.items()}


ROWS = [(name, role) for name in sorted(MATRIX) for role in ROLES]


@pytest.mark.parametrize(("name", "role"), ROWS)
def test_access(client, world, name, role):
    method, kwargs, expected, *data = MATRIX[name]
    cast = world["cast"]
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    url = reverse(name, kwargs=resolve_kwargs(kwargs, world))
    if method.endswith("_json"):
        send = getattr(client, method.removesuffix("_json"))
        response = send(url, data[0], content_type="application/json")
    elif method == "post_file":
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post(url, {"file": SimpleUploadedFile("notes.md", b"# Notes")})
    else:
        response = getattr(client, method)(url, data[0] if data else None)
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302, f"{name} as {role}: {response.status_code}"
        assert response["Location"].startswith(reverse("login")), response["Location"]
    else:
        assert response.status_code == want, f"{name} as {role}: {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
def test_django_admin_is_staff_only(client, cast, role):
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_password_reset_token_link_is_accepted(client, cast):
    """The matrix uses a bad reset token; a good one opens the form."""
    uid = urlsafe_base64_encode(force_bytes(cast.member.pk))
    token = default_token_generator.make_token(cast.member)
    response = client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    assert response.status_code == 200
    assert b"new_password1" in response.content
