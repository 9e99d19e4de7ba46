"""Every URL pattern and API route, requested by every member of the cast.

Adding a URL without rows here fails `test_every_url_has_rows`: decide who may
open it before it ships. Statuses: 200 page, 302 redirect (LOGIN = to sign-in),
401 API without credentials, 403 wrong role, 404 not in this organization.
"""

import json

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from conftest import build_cast, make_user
from peergroups.organizations.models import Role
from peergroups.organizations.services import invitation_create
from peergroups.people.models import FacilitatorProfile

# World keys that name an organization's own objects (the cross-organization test swaps them).
OTHER_ORGANIZATION_KEYS = {
    "program",
    "group",
    "meeting",
    "issue",
    "goal",
    "commitment",
    "run",
    "waiting_member",
    "applicant_profile",
    "invitation",
    "scim_token",
}
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
FILE = object()  # as a row's data: post a small file as multipart, not JSON

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

# (url name, method) -> (kwargs from the world, expected status by role[, data])
# API rows send their data as JSON; page rows as a form.
MATRIX = {
    ("home", "get"): ({}, dict(dict.fromkeys(ROLES, 302), anonymous=LOGIN)),
    ("ops-healthz", "get"): ({}, EVERYONE),
    # Readiness is public like liveness; the world has no task worker running, so 503.
    ("ops-readyz", "get"): ({}, dict.fromkeys(ROLES, 503)),
    ("ops-readyz", "post"): ({}, dict.fromkeys(ROLES, 405)),
    # The test client asks from 127.0.0.1 with no token set: a private address may scrape
    # (tests: peergroups/ops/tests/test_logs_and_metrics.py for who may not).
    ("ops-metrics", "get"): ({}, EVERYONE),
    ("ops-metrics", "post"): ({}, dict.fromkeys(ROLES, 405)),
    # The development outbox: staff only (nobody of the cast is staff; tests in
    # peergroups/ops/tests/test_outbox.py show staff reading it, and 404 where it is off).
    ("ops-outbox", "get"): ({}, dict(dict.fromkeys(ROLES, 404), anonymous=LOGIN)),
    ("ops-outbox", "post"): ({}, dict.fromkeys(ROLES, 405)),
    ("login", "get"): ({}, dict(dict.fromkeys(ROLES, 302), anonymous=200)),
    ("logout", "post"): ({}, dict.fromkeys(ROLES, 302)),
    ("password_reset", "get"): ({}, EVERYONE),
    ("password_reset_done", "get"): ({}, EVERYONE),
    ("password_reset_confirm", "get"): ({"uidb64": "uid", "token": "token"}, EVERYONE),
    ("password_reset_complete", "get"): ({}, EVERYONE),
    # The link is for new@acme.test: anyone signed in under another address is told so.
    ("accounts-invitation", "get"): (
        {"token": "invitation_token"},
        dict(dict.fromkeys(ROLES, 403), anonymous=200),
    ),
    ("accounts-notifications", "get"): ({}, dict(dict.fromkeys(ROLES, 200), anonymous=LOGIN)),
    ("accounts-notifications", "post"): (
        {},
        dict(dict.fromkeys(ROLES, 302), anonymous=LOGIN),
        {"kinds": ["meeting_change"]},
    ),
    # A person's own language: every signed-in person, for their own account only.
    ("accounts-language", "get"): ({}, dict(dict.fromkeys(ROLES, 200), anonymous=LOGIN)),
    ("accounts-language", "post"): (
        {},
        dict(dict.fromkeys(ROLES, 302), anonymous=LOGIN),
        {"language": "de"},
    ),
    ("organizations-dashboard", "get"): ({"org_slug": "acme"}, ANY_SIGNED_IN),
    # The operations board: admins see every group, facilitators their own.
    ("dashboards-board", "get"): (
        {"org_slug": "acme"},
        dict(ADMIN_ONLY, facilitator=200, other_facilitator=200),
    ),
    ("dashboards-board", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    # A member's page for admins; its POST deactivates them (the world rolls back per test).
    ("dashboards-person", "get"): ({"org_slug": "acme", "user_id": "waiting_member"}, ADMIN_ONLY),
    ("dashboards-person", "post"): (
        {"org_slug": "acme", "user_id": "waiting_member"},
        ADMIN_POST,
        {"action": "deactivate", "confirm": "1"},
    ),
    ("dashboards-funnel", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    # Everyone downloads their own data (issue 21, item 8); the archive holds only theirs.
    ("dashboards-my-data-export", "get"): ({"org_slug": "acme"}, ANY_SIGNED_IN),
    ("dashboards-my-data-export", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    # A resend without an invitation is the service's 422 (test_funnel covers the rest).
    ("dashboards-funnel", "post"): (
        {"org_slug": "acme"},
        dict(ADMIN_ONLY, admin=422),
        {"action": "resend"},
    ),
    ("groups-program-create", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    ("organizations-program", "get"): ({"org_slug": "acme", "program_id": "program"}, ADMIN_ONLY),
    ("dashboards-roster-export", "get"): (
        {"org_slug": "acme", "program_id": "program"},
        ADMIN_ONLY,
    ),
    ("groups-program-edit", "get"): (
        {"org_slug": "acme", "program_id": "program"},
        ADMIN_ONLY,
    ),
    ("organizations-members", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    ("organizations-invitations", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    ("organizations-audit", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    ("organizations-settings", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    # Single sign-on: its settings are the admins'; the sign-in pages are everyone's. Acme
    # has it on (the world), Globex not: its start answers nothing; a callback that no
    # sign-in of this browser started is refused before any call to the provider.
    ("sso-settings", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    ("sso-find", "get"): ({}, EVERYONE),
    ("sso-start", "get"): ({"org_slug": "globex"}, dict.fromkeys(ROLES, 404)),
    ("sso-callback", "get"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 403)),
    ("organizations-first-run", "get"): ({}, dict.fromkeys(ROLES, 404)),
    ("organizations-audit-export", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    ("people-intake", "get"): ({"org_slug": "acme"}, MEMBER_ONLY),
    ("people-intake-search", "get"): ({"org_slug": "acme"}, MEMBER_ONLY),
    ("people-facilitator-apply", "get"): ({"org_slug": "acme"}, ANY_SIGNED_IN),
    ("people-facilitators", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    ("people-facilitator-review", "post"): (
        {"org_slug": "acme", "profile_id": "applicant_profile"},
        dict(ADMIN_ONLY, admin=302),
        {"decision": "reject", "note": "Not this year."},
    ),
    ("people-import", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    ("people-categories", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    ("people-export", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    ("groups-detail", "get"): ({"org_slug": "acme", "group_id": "group"}, GROUP_A),
    # Editing a group after publish: admins everything, its own facilitator the name.
    ("groups-manage", "get"): (
        {"org_slug": "acme", "group_id": "group"},
        dict(GROUP_FACILITATOR, admin=200),
    ),
    ("groups-manage", "post"): (
        {"org_slug": "acme", "group_id": "group"},
        dict(GROUP_FACILITATOR, admin=302, facilitator=302),
        {"action": "rename", "rename-name": "Group A"},
    ),
    # SCIM provisioning: the admins' token page, and the protocol itself, which takes
    # only a SCIM bearer token (never a session: every signed-in role is a 401 there).
    ("scim-tokens", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    ("scim-tokens", "post"): ({"org_slug": "acme"}, ADMIN_ONLY, {"name": "Okta"}),
    ("scim-token-revoke", "post"): (
        {"org_slug": "acme", "token_id": "scim_token"},
        ADMIN_POST,
    ),
    ("scim-token-revoke", "get"): (
        {"org_slug": "acme", "token_id": "scim_token"},
        dict.fromkeys(ROLES, 405),
    ),
    ("scim-root", "get"): ({}, dict.fromkeys(ROLES, 401)),
    ("scim-root", "post"): ({}, dict.fromkeys(ROLES, 401)),
    ("scim-endpoint", "get"): ({"path": "Users"}, dict.fromkeys(ROLES, 401)),
    ("scim-endpoint", "post"): ({"path": "Users"}, dict.fromkeys(ROLES, 401), {"userName": "x"}),
    ("api:api-scim-tokens", "get"): ({"org_slug": "acme"}, API_ADMIN_ONLY),
    ("api:api-scim-tokens", "post"): (
        {"org_slug": "acme"},
        dict(API_ADMIN_ONLY, admin=201),
        {"name": "Entra ID"},
    ),
    ("api:api-scim-token-revoke", "post"): (
        {"org_slug": "acme", "token_id": "scim_token"},
        API_ADMIN_ONLY,
    ),
    ("api-tokens", "get"): ({}, dict(dict.fromkeys(ROLES, 200), anonymous=LOGIN)),
    ("api-token-revoke", "post"): (
        {"token_id": "admin_token"},
        # Only the token's owner may revoke it; to anyone else it does not exist.
        dict(dict.fromkeys(ROLES, 404), anonymous=LOGIN, admin=302),
    ),
    ("formation-start", "get"): ({"org_slug": "acme", "program_id": "program"}, ADMIN_ONLY),
    ("formation-placement", "get"): (
        {"org_slug": "acme", "program_id": "program", "user_id": "waiting_member"},
        ADMIN_ONLY,
    ),
    ("formation-run", "get"): ({"org_slug": "acme", "run_id": "run"}, ADMIN_ONLY),
    ("formation-progress", "get"): ({"org_slug": "acme", "run_id": "run"}, ADMIN_ONLY),
    ("formation-cancel", "post"): ({"org_slug": "acme", "run_id": "run"}, ADMIN_POST),
    # An edit without its fields is refused by the service (422); nothing to undo is a 409.
    ("formation-move", "post"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(ADMIN_ONLY, admin=422),
    ),
    ("formation-swap", "post"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(ADMIN_ONLY, admin=422),
    ),
    ("formation-undo", "post"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(ADMIN_ONLY, admin=409),
    ),
    ("formation-facilitator", "post"): (
        {"org_slug": "acme", "run_id": "run"},
        ADMIN_POST,
        {"group": "1", "facilitator_id": ""},
    ),
    ("formation-rerun", "get"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(ADMIN_ONLY, admin=405),
    ),
    ("formation-rerun", "post"): ({"org_slug": "acme", "run_id": "run"}, ADMIN_POST),
    ("formation-remedy", "get"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(ADMIN_ONLY, admin=405),
    ),
    # The world's run has a proposal: it did not fail, so it offers no remedy.
    ("formation-remedy", "post"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(ADMIN_ONLY, admin=409),
        {"remedy": "0.0"},
    ),
    ("api:api-formation-remedy", "post"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(API_ADMIN_ONLY, admin=409),
        {"remedy": "0.0"},
    ),
    ("formation-publish", "post"): ({"org_slug": "acme", "run_id": "run"}, ADMIN_POST),
    # The world's run is not published: the admin is told there is nobody to welcome yet.
    ("formation-welcome", "post"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(ADMIN_POST, admin=409),
    ),
    ("api:api-formation-start", "post"): (
        {"org_slug": "acme", "program_id": "program"},
        dict(API_ADMIN_ONLY, admin=201),
        {"mode": "new_cycle", "seconds": 1, "min_size": 2, "max_size": 3},
    ),
    ("api:api-formation-status", "get"): ({"org_slug": "acme", "run_id": "run"}, API_ADMIN_ONLY),
    ("api:api-formation-proposal", "get"): ({"org_slug": "acme", "run_id": "run"}, API_ADMIN_ONLY),
    ("api:api-formation-publish", "post"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(API_ADMIN_ONLY, admin=202),  # accepted: a worker publishes
    ),
    ("api:api-formation-rerun", "post"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(API_ADMIN_ONLY, admin=201),
    ),
    # The meetings API mirrors the pages: group content for Group A's members and
    # facilitator only (the vote is a member's act, attendance a facilitator's).
    ("api:api-meetings-list", "get"): ({"org_slug": "acme", "group_id": "group"}, API_GROUP),
    ("api:api-meetings-agenda", "get"): (MEETING, API_GROUP),
    ("api:api-meetings-issues", "get"): ({"org_slug": "acme", "group_id": "group"}, API_GROUP),
    ("api:api-meetings-issue-vote", "post"): (
        ISSUE,
        dict(API_GROUP, facilitator=403, member=200),
    ),
    ("api:api-meetings-attendance", "get"): (MEETING, API_GROUP),
    ("api:api-root", "get"): ({}, dict.fromkeys(ROLES, 404)),
    ("api:api-unknown", "get"): ({"rest": "no/such/thing"}, dict.fromkeys(ROLES, 404)),
    ("api:openapi-json", "get"): ({}, EVERYONE),
    ("api:openapi-view", "get"): ({}, EVERYONE),
    ("api:api-me", "get"): ({}, API_SIGNED_IN),
    ("api:api-organizations", "get"): ({}, API_SIGNED_IN),
    ("api:api-programs", "get"): ({"org_slug": "acme"}, API_ADMIN_ONLY),
    ("api:api-members", "get"): ({"org_slug": "acme"}, API_ADMIN_ONLY),
    ("api:api-my-data", "get"): ({"org_slug": "acme"}, API_ANY),
    # Erasure on request: admins only; a person of no organization's: 404 (test_erasure.py).
    ("api:api-person-erase", "post"): (
        {"org_slug": "acme", "user_id": 0},
        dict(API_ADMIN_ONLY, admin=404),
        {"group_content": "keep"},
    ),
    # Running groups after publish: the group's facts for its people and admins; a rename
    # for admins and its facilitator (the same name: nothing changes); a move, a program
    # edit and the pairs kept apart for admins (bad input: 422 once allowed).
    ("api:api-group", "get"): (
        {"org_slug": "acme", "group_id": "group"},
        dict(GROUP_A, anonymous=401),
    ),
    ("api:api-group", "patch"): (
        {"org_slug": "acme", "group_id": "group"},
        dict(API_GROUP, admin=200, member=403),
        {"name": "Group A"},
    ),
    ("api:api-group-move", "post"): (
        {"org_slug": "acme", "group_id": "group"},
        dict(API_ADMIN_ONLY, admin=422),
        {"user_id": 0, "to_group_id": 0},
    ),
    ("api:api-program", "patch"): (
        {"org_slug": "acme", "program_id": "program"},
        dict(API_ADMIN_ONLY, admin=422),
        {
            "name": "Leaders",
            "min_group_size": 1,
            "max_group_size": 10,
            "open_seats": 0,
            "meeting_cadence": "monthly",
            "grouping_basis": "mixed",
        },
    ),
    ("api:api-group-conflicts", "get"): ({"org_slug": "acme"}, API_ADMIN_ONLY),
    ("api:api-program", "get"): ({"org_slug": "acme", "program_id": "program"}, API_ADMIN_ONLY),
    # The organization's settings (admins); an out-of-bounds retention period is 422.
    ("api:api-organization-settings", "get"): ({"org_slug": "acme"}, API_ADMIN_ONLY),
    # Single sign-on settings (admins; the secret is write-only); an ftp issuer is 422.
    ("api:api-sign-on", "get"): ({"org_slug": "acme"}, API_ADMIN_ONLY),
    ("api:api-sign-on", "patch"): (
        {"org_slug": "acme"},
        dict(API_ADMIN_ONLY, admin=422),
        {"issuer": "ftp://idp.acme.test"},
    ),
    ("api:api-organization-settings", "patch"): (
        {"org_slug": "acme"},
        dict(API_ADMIN_ONLY, admin=422),
        {"content_retention_months": 1},
    ),
    # The admins' weekly work over the API (issue 23): admins of the organization only;
    # another organization's admin gets 404, as for every organization route.
    ("api:api-programs", "post"): (
        {"org_slug": "acme"},
        dict(API_ADMIN_ONLY, admin=201),
        {"name": "Matrix program", "min_group_size": 3, "max_group_size": 6},
    ),
    ("api:api-invitations", "get"): ({"org_slug": "acme"}, API_ADMIN_ONLY),
    ("api:api-invitations", "post"): (
        {"org_slug": "acme"},
        dict(API_ADMIN_ONLY, admin=201),
        {"email": "matrix@acme.test", "role": "member"},
    ),
    ("api:api-invitation-resend", "post"): (
        {"org_slug": "acme", "invitation_id": "invitation"},
        API_ADMIN_ONLY,
    ),
    ("api:api-invitation-revoke", "post"): (
        {"org_slug": "acme", "invitation_id": "invitation"},
        API_ADMIN_ONLY,
    ),
    ("api:api-audit", "get"): ({"org_slug": "acme"}, API_ADMIN_ONLY),
    # The matrix's file is not a member list: the admin is told why, row by row (422).
    ("api:api-members-import", "post"): (
        {"org_slug": "acme"},
        dict(API_ADMIN_ONLY, admin=422),
        FILE,
    ),
    ("api:api-facilitators", "get"): ({"org_slug": "acme"}, API_ADMIN_ONLY),
    # Max's application misses a qualification: approving it is refused with why.
    ("api:api-facilitator-approve", "post"): (
        {"org_slug": "acme", "profile_id": "applicant_profile"},
        dict(API_ADMIN_ONLY, admin=409),
        {"note": "matrix"},
    ),
    ("api:api-facilitator-refuse", "post"): (
        {"org_slug": "acme", "profile_id": "applicant_profile"},
        API_ADMIN_ONLY,
        {"note": "matrix"},
    ),
    ("api:api-formation-cancel", "post"): ({"org_slug": "acme", "run_id": "run"}, API_ADMIN_ONLY),
    ("api:api-groups", "get"): ({"org_slug": "acme"}, API_ADMIN_ONLY),
    # Group A's people reach the group but may not close it or take someone out (403);
    # the admin's stale version is refused (409), a stranger to the group is not in it (404).
    ("api:api-group-close", "post"): (
        {"org_slug": "acme", "group_id": "group"},
        dict(API_ADMIN_ONLY, admin=409),
        {"version": 999},
    ),
    ("api:api-group-withdraw", "post"): (
        {"org_slug": "acme", "group_id": "group"},
        dict(API_ADMIN_ONLY, admin=404),
        {"user_id": 0},
    ),
    ("api:api-person-deactivate", "post"): (
        {"org_slug": "acme", "user_id": "waiting_member"},
        API_ADMIN_ONLY,
    ),
    # A meeting is moved or cancelled by its group's facilitator (a stale version: 409).
    ("api:api-meeting", "patch"): (
        MEETING,
        dict(API_GROUP, member=403, facilitator=422),
        {"starts_at": "2027-01-15T10:00:00+00:00", "ends_at": "2027-01-15T09:00:00+00:00"},
    ),
    ("api:api-meeting-cancel", "post"): (
        MEETING,
        dict(API_GROUP, member=403, facilitator=409),
        {"version": 999},
    ),
    # Meetings. Group content is for Group A's members and facilitator only: admins
    # get 403 (they see aggregates on meetings-insights), other groups 403, other
    # organizations 404. A member who has not accepted the group's current
    # confidentiality agreement gets a 302 to meetings-agreement instead of the page
    # (tested in peergroups/meetings/tests/test_agreement.py); here they have accepted.
    ("meetings-agreement", "get"): ({"org_slug": "acme", "group_id": "group"}, GROUP_CONTENT),
    ("meetings-list", "get"): ({"org_slug": "acme", "group_id": "group"}, GROUP_CONTENT),
    ("meetings-schedule", "get"): ({"org_slug": "acme", "group_id": "group"}, GROUP_FACILITATOR),
    ("meetings-agenda-template", "get"): (
        {"org_slug": "acme", "group_id": "group"},
        GROUP_FACILITATOR,
    ),
    ("meetings-detail", "get"): (MEETING, GROUP_CONTENT),
    ("meetings-edit", "get"): (MEETING, GROUP_FACILITATOR),
    ("meetings-ics", "get"): (MEETING, GROUP_CONTENT),
    ("meetings-agenda-pick", "post"): (MEETING, dict(GROUP_FACILITATOR, facilitator=302), {}),
    ("meetings-check-in", "get"): (MEETING, GROUP_MEMBER),
    ("meetings-run", "get"): (MEETING, GROUP_FACILITATOR),
    ("meetings-issues", "get"): ({"org_slug": "acme", "group_id": "group"}, GROUP_CONTENT),
    ("meetings-issue-create", "get"): ({"org_slug": "acme", "group_id": "group"}, GROUP_MEMBER),
    ("meetings-issue-detail", "get"): (ISSUE, GROUP_CONTENT),
    # Members vote (302 back to the queue); the facilitator picks, so does not vote.
    ("meetings-issue-vote", "post"): (ISSUE, dict(GROUP_MEMBER, member=302), {"vote": "1"}),
    # Everyone with a group in the organization has a feed page; admins hold no group.
    ("meetings-calendar", "get"): (
        {"org_slug": "acme"},
        dict(ANY_SIGNED_IN, admin=403),
    ),
    # The caller's own choice of calendar invitations, as on the calendar page.
    ("api:api-calendar-invitations", "get"): (
        {"org_slug": "acme"},
        dict(ANY_SIGNED_IN, anonymous=401, admin=403),
    ),
    ("api:api-calendar-invitations", "put"): (
        {"org_slug": "acme"},
        dict(ANY_SIGNED_IN, anonymous=401, admin=403),
        {"on": True},
    ),
    # Public but secret: calendar apps cannot sign in, the token is the credential
    # (a revoked or unknown token is 404: test_schedule_and_feed.py).
    ("meetings-feed", "get"): ({"org_slug": "acme", "token": "feed_token"}, EVERYONE),
    ("meetings-insights", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    # Goals and accountability. A member's own pages are for members (their own data;
    # other_member sees their own). The world's goal is Mia's, shared with Group A:
    # the group reads it, only Mia changes it. A private goal is a 404 to anyone but
    # its owner (peergroups/goals/tests/test_access.py). Commitments and check-ins are
    # Group A's content: admins 403, and only Mia checks in on hers.
    ("goals-dashboard", "get"): ({"org_slug": "acme"}, MEMBER_ONLY),
    ("goals-create", "get"): ({"org_slug": "acme"}, MEMBER_ONLY),
    ("goals-reminders", "get"): ({"org_slug": "acme"}, MEMBER_ONLY),
    ("goals-commitments", "get"): ({"org_slug": "acme"}, MEMBER_ONLY),
    ("goals-detail", "get"): ({"org_slug": "acme", "goal_id": "goal"}, GROUP_CONTENT),
    ("goals-progress", "post"): (
        {"org_slug": "acme", "goal_id": "goal"},
        dict(GROUP_CONTENT, member=302, facilitator=403),
        {"action": "progress", "value": "3"},
    ),
    ("goals-check-in", "get"): (
        {"org_slug": "acme", "commitment_id": "commitment"},
        GROUP_MEMBER,
    ),
    ("goals-group", "get"): ({"org_slug": "acme", "group_id": "group"}, GROUP_CONTENT),
    # A meeting's and an issue's commitments, included by the run-of-show and the issue
    # page with htmx: Group A's content (the recording form is the facilitator's).
    ("goals-meeting-commitments", "get"): (MEETING, GROUP_CONTENT),
    ("goals-issue-commitments", "get"): (ISSUE, GROUP_CONTENT),
    # The facilitator records here (422: the empty form re-renders with its errors).
    ("goals-meeting-commitments", "post"): (MEETING, dict(GROUP_FACILITATOR, facilitator=422)),
    ("goals-partners", "post"): (
        {"org_slug": "acme", "group_id": "group"},
        dict(GROUP_FACILITATOR, facilitator=302),
        {},
    ),
    # Public but secret: the e-mailed token is the credential (used or expired: 410,
    # in peergroups/goals/tests/test_check_in_link.py).
    ("goals-token-check-in", "get"): ({"org_slug": "acme", "token": "check_in_token"}, EVERYONE),
    ("goals-insights", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    ("api:api-goals", "get"): ({"org_slug": "acme"}, dict(MEMBER_ONLY, anonymous=401)),
    ("api:api-goals-updates", "post"): (
        {"org_slug": "acme", "goal_id": "goal"},
        dict(API_GROUP, member=201, facilitator=403),
        {"value": "4", "note": "matrix"},
    ),
    ("api:api-commitments", "get"): ({"org_slug": "acme"}, dict(MEMBER_ONLY, anonymous=401)),
    ("api:api-commitments-check-ins", "post"): (
        {"org_slug": "acme", "commitment_id": "commitment"},
        dict(API_GROUP, member=201, facilitator=403),
        {"status": "done"},
    ),
    ("api:api-group-commitments", "get"): ({"org_slug": "acme", "group_id": "group"}, API_GROUP),
    # Outcomes. A member's baseline and pulses are their own (members only); group
    # health is the group's facilitator's; program outcomes are the admins' aggregates.
    ("outcomes-member", "get"): ({"org_slug": "acme"}, MEMBER_ONLY),
    ("outcomes-baseline", "get"): ({"org_slug": "acme"}, MEMBER_ONLY),
    ("outcomes-pulse", "get"): ({"org_slug": "acme"}, MEMBER_ONLY),
    # Public but secret: the e-mailed token is the credential (used or expired: 410,
    # in peergroups/outcomes/tests/test_pulse_link.py).
    ("outcomes-pulse-link", "get"): ({"org_slug": "acme", "token": "pulse_token"}, EVERYONE),
    ("outcomes-group-health", "get"): (
        {"org_slug": "acme", "group_id": "group"},
        GROUP_FACILITATOR,
    ),
    ("outcomes-program", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    ("outcomes-baseline", "post"): (
        {"org_slug": "acme"},
        dict(MEMBER_ONLY, member=422, other_member=422),
    ),
    ("outcomes-pulse", "post"): (
        {"org_slug": "acme"},
        dict(MEMBER_ONLY, member=422, other_member=422),
    ),
    ("outcomes-pulse-link", "post"): (
        {"org_slug": "acme", "token": "pulse_token"},
        dict.fromkeys(ROLES, 422),
    ),
    ("outcomes-program-csv", "get"): ({"org_slug": "acme"}, ADMIN_ONLY),
    ("api:api-outcomes-me", "get"): ({"org_slug": "acme"}, dict(MEMBER_ONLY, anonymous=401)),
    ("api:api-outcomes-baseline", "post"): (
        {"org_slug": "acme"},
        dict(MEMBER_ONLY, anonymous=401, member=201, other_member=201),
        {"hours_per_week": 50, "productivity": 4, "margin_trend": 0, "goal_confidence": 5},
    ),
    ("api:api-outcomes-pulse", "post"): (
        {"org_slug": "acme"},
        dict(MEMBER_ONLY, anonymous=401, member=201, other_member=201),
        {"hours_per_week": 50, "productivity": 4, "margin_trend": 0, "goal_confidence": 5},
    ),
    ("api:api-outcomes-group-health", "get"): (
        {"org_slug": "acme", "group_id": "group"},
        dict(API_GROUP, member=403),
    ),
    ("api:api-outcomes-program", "get"): ({"org_slug": "acme"}, API_ADMIN_ONLY),
    # The other side of each page (POST to a page, GET to an action) and the API's other
    # methods. Form posts without data re-render with their errors (422, `http.FORM_INVALID`).
    ("ops-healthz", "post"): ({}, dict.fromkeys(ROLES, 405)),
    ("accounts-invitation", "post"): (
        {"token": "invitation_token"},
        dict(dict.fromkeys(ROLES, 403), anonymous=422),
    ),
    ("api-token-revoke", "get"): ({"token_id": "admin_token"}, dict.fromkeys(ROLES, 405)),
    ("api-tokens", "post"): ({}, dict(dict.fromkeys(ROLES, 422), anonymous=LOGIN)),
    ("api:api-commitments", "post"): (
        {"org_slug": "acme"},
        dict(dict.fromkeys(ROLES, 422), anonymous=401),
    ),
    ("api:api-goals", "post"): (
        {"org_slug": "acme"},
        dict(dict.fromkeys(ROLES, 422), anonymous=401),
    ),
    ("api:api-meetings-attendance", "put"): (MEETING, dict(API_GROUP, member=403), []),
    ("api:api-meetings-issue-vote", "delete"): (
        {"org_slug": "acme", "group_id": "group", "issue_id": "issue"},
        dict(dict.fromkeys(ROLES, 403), anonymous=401, member=200, outsider=404),
    ),
    ("api:api-meetings-issues", "post"): (
        {"org_slug": "acme", "group_id": "group"},
        dict(API_GROUP, member=201, facilitator=403),
        {"title": "Matrix", "category": "hiring", "situation": "S.", "ask": "A?"},
    ),
    ("api:api-unknown", "delete"): ({"rest": "no/such/thing"}, dict.fromkeys(ROLES, 404)),
    ("api:api-unknown", "patch"): ({"rest": "no/such/thing"}, dict.fromkeys(ROLES, 404)),
    ("api:api-unknown", "post"): ({"rest": "no/such/thing"}, dict.fromkeys(ROLES, 404)),
    ("api:api-unknown", "put"): ({"rest": "no/such/thing"}, dict.fromkeys(ROLES, 404)),
    ("formation-cancel", "get"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=405, outsider=404),
    ),
    ("formation-facilitator", "get"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=405, outsider=404),
    ),
    ("formation-move", "get"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=405, outsider=404),
    ),
    ("formation-placement", "post"): (
        {"org_slug": "acme", "program_id": "program", "user_id": "waiting_member"},
        dict(ADMIN_ONLY, admin=422),  # no group chosen: the service says so
    ),
    ("formation-publish", "get"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=405, outsider=404),
    ),
    ("formation-welcome", "get"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=405, outsider=404),
    ),
    ("formation-start", "post"): (
        {"org_slug": "acme", "program_id": "program"},
        dict(ADMIN_ONLY, admin=422),  # the empty form re-renders with the service's reasons
    ),
    ("formation-swap", "get"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=405, outsider=404),
    ),
    ("formation-undo", "get"): (
        {"org_slug": "acme", "run_id": "run"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=405, outsider=404),
    ),
    ("goals-check-in", "post"): (
        {"org_slug": "acme", "commitment_id": "commitment"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, member=422, outsider=404),
    ),
    ("goals-commitments", "post"): (
        {"org_slug": "acme"},
        dict(
            dict.fromkeys(ROLES, 403), anonymous=LOGIN, member=422, other_member=422, outsider=404
        ),
    ),
    ("goals-create", "post"): (
        {"org_slug": "acme"},
        dict(
            dict.fromkeys(ROLES, 403), anonymous=LOGIN, member=422, other_member=422, outsider=404
        ),
    ),
    ("goals-partners", "get"): (
        {"org_slug": "acme", "group_id": "group"},
        dict.fromkeys(ROLES, 405),
    ),
    ("goals-progress", "get"): ({"org_slug": "acme", "goal_id": "goal"}, dict.fromkeys(ROLES, 405)),
    ("goals-reminders", "post"): (
        {"org_slug": "acme"},
        dict(
            dict.fromkeys(ROLES, 403), anonymous=LOGIN, member=422, other_member=422, outsider=404
        ),
    ),
    ("goals-token-check-in", "post"): (
        {"org_slug": "acme", "token": "check_in_token"},
        dict.fromkeys(ROLES, 422),
    ),
    ("home", "post"): ({}, dict(dict.fromkeys(ROLES, 302), anonymous=LOGIN)),
    ("login", "post"): ({}, dict(dict.fromkeys(ROLES, 302), anonymous=422)),
    ("logout", "get"): ({}, dict.fromkeys(ROLES, 405)),
    ("meetings-agenda-pick", "get"): (
        {"org_slug": "acme", "group_id": "group", "meeting_id": "meeting"},
        dict.fromkeys(ROLES, 405),
    ),
    ("meetings-agenda-template", "post"): (
        {"org_slug": "acme", "group_id": "group"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, facilitator=422, outsider=404),
    ),
    ("meetings-agreement", "post"): (
        {"org_slug": "acme", "group_id": "group"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, member=302, facilitator=302, outsider=404),
    ),
    ("meetings-calendar", "post"): (
        {"org_slug": "acme"},
        dict(dict.fromkeys(ROLES, 200), anonymous=LOGIN, admin=403, outsider=404),
    ),
    ("meetings-check-in", "post"): (
        {"org_slug": "acme", "group_id": "group", "meeting_id": "meeting"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, member=422, outsider=404),
    ),
    ("meetings-edit", "post"): (
        {"org_slug": "acme", "group_id": "group", "meeting_id": "meeting"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, facilitator=422, outsider=404),
    ),
    ("meetings-issue-create", "post"): (
        {"org_slug": "acme", "group_id": "group"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, member=422, outsider=404),
    ),
    ("meetings-issue-vote", "get"): (
        {"org_slug": "acme", "group_id": "group", "issue_id": "issue"},
        dict.fromkeys(ROLES, 405),
    ),
    ("meetings-run", "post"): (
        {"org_slug": "acme", "group_id": "group", "meeting_id": "meeting"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, facilitator=200, outsider=404),
    ),
    ("meetings-schedule", "post"): (
        {"org_slug": "acme", "group_id": "group"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, facilitator=422, outsider=404),
    ),
    ("organizations-invitations", "post"): (
        {"org_slug": "acme"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=422, outsider=404),
    ),
    ("people-categories", "post"): (
        {"org_slug": "acme"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=422, outsider=404),
    ),
    ("groups-program-edit", "post"): (
        {"org_slug": "acme", "program_id": "program"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=422, outsider=404),
    ),
    ("groups-program-create", "post"): (
        {"org_slug": "acme"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=422, outsider=404),
    ),
    # An empty post: the form re-renders with its errors for the admin.
    ("organizations-settings", "post"): (
        {"org_slug": "acme"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=422, outsider=404),
    ),
    # Turning sign-on on without an issuer: the form comes back with the error.
    ("sso-settings", "post"): (
        {"org_slug": "acme"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=422, outsider=404),
        {"enabled": "on", "issuer": ""},
    ),
    ("sso-find", "post"): ({}, dict.fromkeys(ROLES, 422)),
    ("sso-start", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("sso-callback", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    # The first-run page exists only while the install has no organization: never here.
    ("organizations-first-run", "post"): ({}, dict.fromkeys(ROLES, 404)),
    ("password_reset", "post"): ({}, dict.fromkeys(ROLES, 422)),
    ("password_reset_complete", "post"): ({}, dict.fromkeys(ROLES, 405)),
    ("password_reset_confirm", "post"): (
        {"uidb64": "uid", "token": "token"},
        dict.fromkeys(ROLES, 200),
    ),
    ("password_reset_done", "post"): ({}, dict.fromkeys(ROLES, 405)),
    ("people-facilitator-apply", "post"): (
        {"org_slug": "acme"},
        dict(dict.fromkeys(ROLES, 422), anonymous=LOGIN, outsider=404),
    ),
    ("people-facilitator-review", "get"): (
        {"org_slug": "acme", "profile_id": "applicant_profile"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=405, outsider=404),
    ),
    ("people-import", "post"): (
        {"org_slug": "acme"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, admin=422, outsider=404),
    ),
    ("people-intake", "post"): (
        {"org_slug": "acme"},
        dict(
            dict.fromkeys(ROLES, 403), anonymous=LOGIN, member=422, other_member=422, outsider=404
        ),
    ),
    # Resources. The organization's library is open to everyone in it; a group's
    # resources (and their files) are Group A's content: never the admins. Only the
    # sharer edits; the sharer or an admin withdraws an organization-wide resource;
    # nobody votes for their own. Search never returns, counts or snippets a group's
    # resource to anyone outside the group (peergroups/resources/tests/test_search.py).
    ("resources-library", "get"): ({"org_slug": "acme"}, ANY_SIGNED_IN),
    ("resources-share", "get"): ({"org_slug": "acme"}, dict(ANY_SIGNED_IN, admin=403)),
    ("resources-detail", "get"): ({"org_slug": "acme", "resource_id": "resource"}, ANY_SIGNED_IN),
    ("resources-edit", "get"): (RESOURCE, dict(SHARER_ONLY, member=200)),
    ("resources-withdraw", "post"): (RESOURCE, dict(SHARER_ONLY, member=302, admin=302)),
    ("resources-vote", "post"): (
        RESOURCE,
        dict(dict.fromkeys(ROLES, 302), anonymous=LOGIN, member=403, outsider=404),
        {"useful": "1"},
    ),
    ("resources-file", "get"): (
        {"org_slug": "acme", "resource_id": "group_resource"},
        GROUP_CONTENT,
    ),
    ("resources-meeting-share", "get"): (MEETING, GROUP_CONTENT),
    ("api:api-resources-list", "get"): ({"org_slug": "acme"}, API_ANY),
    ("api:api-resources-search", "get"): ({"org_slug": "acme"}, API_ANY, {"q": "scorecard"}),
    ("api:api-resources-create", "post"): (
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
    ("api:api-resources-detail", "get"): (
        {"org_slug": "acme", "resource_id": "group_resource"},
        API_GROUP,
    ),
    ("api:api-resources-update", "patch"): (
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
    ("api:api-resources-withdraw", "delete"): (
        API_RESOURCE,
        dict(API_SHARER_ONLY, member=204, admin=204),
    ),
    ("api:api-resources-vote", "put"): (
        API_RESOURCE,
        dict(dict.fromkeys(ROLES, 200), anonymous=401, member=403, outsider=404),
    ),
    ("api:api-resources-unvote", "delete"): (
        API_RESOURCE,
        dict(dict.fromkeys(ROLES, 200), anonymous=401, member=403, outsider=404),
    ),
    ("api:api-resources-file-upload", "post"): (
        API_RESOURCE,
        dict(API_SHARER_ONLY, member=200),
        FILE,
    ),
    ("api:api-resources-file", "get"): (
        {"org_slug": "acme", "resource_id": "group_resource"},
        API_GROUP,
    ),
    # The network: the directory is for everyone in the organization; listing, asking
    # and answering are for members and facilitators. A question is for its asker (Mia)
    # and the people it went to (Max); to anyone else it does not exist.
    ("network-directory", "get"): ({"org_slug": "acme"}, ANY_SIGNED_IN),
    ("network-directory-me", "get"): ({"org_slug": "acme"}, dict(ANY_SIGNED_IN, admin=403)),
    ("network-questions", "get"): ({"org_slug": "acme"}, dict(ANY_SIGNED_IN, admin=403)),
    ("network-ask", "get"): ({"org_slug": "acme"}, dict(ANY_SIGNED_IN, admin=403)),
    ("network-question", "get"): (QUESTION, QUESTION_PEOPLE),
    ("network-answer", "post"): (
        QUESTION,
        dict(QUESTION_PEOPLE, member=403, member2=302),
        {"body": "An answer."},
    ),
    ("network-decline", "post"): (QUESTION, dict(QUESTION_PEOPLE, member=403, member2=302)),
    ("network-close", "post"): (QUESTION, dict(QUESTION_PEOPLE, member=302, member2=403)),
    ("api:api-directory", "get"): ({"org_slug": "acme"}, API_ANY),
    ("api:api-directory-me", "get"): ({"org_slug": "acme"}, API_NETWORK),
    ("api:api-directory-me-update", "put"): (
        {"org_slug": "acme"},
        API_NETWORK,
        {"listed": True},
    ),
    ("api:api-questions-proposals", "post"): (
        {"org_slug": "acme"},
        API_NETWORK,
        {"topics": ["hiring"]},
    ),
    ("api:api-questions", "get"): ({"org_slug": "acme"}, API_NETWORK),
    ("api:api-questions-create", "post"): (
        {"org_slug": "acme"},
        dict(API_NETWORK, **dict.fromkeys(NETWORK_PEOPLE, 201)),
        {"title": "Matrix question?", "body": "Context.", "topics": ["hiring"]},
    ),
    ("api:api-question", "get"): (QUESTION, dict(QUESTION_PEOPLE, anonymous=401)),
    ("api:api-question-answer", "post"): (
        QUESTION,
        dict(QUESTION_PEOPLE, anonymous=401, member=403, member2=201),
        {"body": "An answer."},
    ),
    ("api:api-question-decline", "post"): (
        QUESTION,
        dict(QUESTION_PEOPLE, anonymous=401, member=403, member2=200),
    ),
    # The other side of the resources and network pages.
    ("network-answer", "get"): (
        {"org_slug": "acme", "question_id": "question"},
        dict.fromkeys(ROLES, 405),
    ),
    ("network-ask", "post"): (
        {"org_slug": "acme"},
        dict(dict.fromkeys(ROLES, 200), anonymous=LOGIN, admin=403, outsider=404),
    ),
    ("network-close", "get"): (
        {"org_slug": "acme", "question_id": "question"},
        dict.fromkeys(ROLES, 405),
    ),
    ("network-decline", "get"): (
        {"org_slug": "acme", "question_id": "question"},
        dict.fromkeys(ROLES, 405),
    ),
    ("network-directory-me", "post"): (
        {"org_slug": "acme"},
        dict(dict.fromkeys(ROLES, 422), anonymous=LOGIN, admin=403, outsider=404),
    ),
    ("resources-edit", "post"): (
        {"org_slug": "acme", "resource_id": "resource"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, member=422, outsider=404),
    ),
    ("resources-meeting-share", "post"): (
        {"org_slug": "acme", "group_id": "group", "meeting_id": "meeting"},
        dict(dict.fromkeys(ROLES, 403), anonymous=LOGIN, member=200, facilitator=200, outsider=404),
    ),
    ("resources-share", "post"): (
        {"org_slug": "acme"},
        dict(dict.fromkeys(ROLES, 422), anonymous=LOGIN, admin=403, outsider=404),
    ),
    ("resources-vote", "get"): (
        {"org_slug": "acme", "resource_id": "resource"},
        dict.fromkeys(ROLES, 405),
    ),
    ("resources-withdraw", "get"): (
        {"org_slug": "acme", "resource_id": "resource"},
        dict.fromkeys(ROLES, 405),
    ),
    ("api:api-question-close", "post"): (
        QUESTION,
        dict(QUESTION_PEOPLE, anonymous=401, member=200, member2=403),
    ),
    # Read-only pages answer 405 to a POST, whoever sends it.
    ("organizations-dashboard", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("organizations-program", "post"): (
        {"org_slug": "acme", "program_id": "program"},
        dict.fromkeys(ROLES, 405),
    ),
    ("organizations-audit", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("organizations-audit-export", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("people-facilitators", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("people-intake-search", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("dashboards-roster-export", "post"): (
        {"org_slug": "acme", "program_id": "program"},
        dict.fromkeys(ROLES, 405),
    ),
    ("organizations-members", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("people-export", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("groups-detail", "post"): (
        {"org_slug": "acme", "group_id": "group"},
        dict.fromkeys(ROLES, 405),
    ),
    ("formation-run", "post"): ({"org_slug": "acme", "run_id": "run"}, dict.fromkeys(ROLES, 405)),
    ("formation-progress", "post"): (
        {"org_slug": "acme", "run_id": "run"},
        dict.fromkeys(ROLES, 405),
    ),
    ("meetings-list", "post"): (
        {"org_slug": "acme", "group_id": "group"},
        dict.fromkeys(ROLES, 405),
    ),
    ("meetings-detail", "post"): (MEETING, dict.fromkeys(ROLES, 405)),
    ("meetings-ics", "post"): (MEETING, dict.fromkeys(ROLES, 405)),
    ("meetings-issues", "post"): (
        {"org_slug": "acme", "group_id": "group"},
        dict.fromkeys(ROLES, 405),
    ),
    ("meetings-issue-detail", "post"): (ISSUE, dict.fromkeys(ROLES, 405)),
    ("meetings-feed", "post"): (
        {"org_slug": "acme", "token": "feed_token"},
        dict.fromkeys(ROLES, 405),
    ),
    ("meetings-insights", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("goals-dashboard", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("goals-detail", "post"): ({"org_slug": "acme", "goal_id": "goal"}, dict.fromkeys(ROLES, 405)),
    ("goals-group", "post"): ({"org_slug": "acme", "group_id": "group"}, dict.fromkeys(ROLES, 405)),
    ("goals-issue-commitments", "post"): (ISSUE, dict.fromkeys(ROLES, 405)),
    ("goals-insights", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("resources-library", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("resources-detail", "post"): (
        {"org_slug": "acme", "resource_id": "resource"},
        dict.fromkeys(ROLES, 405),
    ),
    ("resources-file", "post"): (
        {"org_slug": "acme", "resource_id": "group_resource"},
        dict.fromkeys(ROLES, 405),
    ),
    ("network-directory", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("network-questions", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("network-question", "post"): (QUESTION, dict.fromkeys(ROLES, 405)),
    ("outcomes-member", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("outcomes-group-health", "post"): (
        {"org_slug": "acme", "group_id": "group"},
        dict.fromkeys(ROLES, 405),
    ),
    ("outcomes-program", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
    ("outcomes-program-csv", "post"): ({"org_slug": "acme"}, dict.fromkeys(ROLES, 405)),
}


def _api_methods() -> dict[str, set[str]]:
    """Each API URL name with the HTTP methods its operations answer."""
    from peergroups.api.api import api

    methods: dict[str, set[str]] = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            # An operation without a name of its own answers under the path's first name.
            names = [op.url_name for op in path_view.operations if op.url_name]
            for operation in path_view.operations:
                name = operation.url_name or names[0]
                for method in operation.methods:
                    methods.setdefault(f"api:{name}", set()).add(method.lower())
    return methods


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


def url_keys() -> set[tuple[str, str]]:
    """Every (URL name, method) that needs rows: pages by GET and POST, API routes by theirs."""
    api_methods = _api_methods()
    keys = set()
    for name in url_names():
        if name.startswith("api:"):
            keys |= {(name, method) for method in api_methods.get(name, {"get"})}
        else:
            keys |= {(name, "get"), (name, "post")}
    return keys


def test_every_url_has_rows():
    missing = url_keys() - MATRIX.keys()
    stale = MATRIX.keys() - url_keys()
    assert not missing, f"URLs without access rows: {sorted(missing)}"
    assert not stale, f"Rows for URLs that no longer exist: {sorted(stale)}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The cast plus the objects some URLs point at, built once for the whole module.

    Like Django's setUpTestData: the world lives in a transaction held open for the
    module; each test runs in a savepoint inside it, and the end rolls everything back.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def build_world() -> dict:
    cast = build_cast()
    applicant = FacilitatorProfile.objects.create(
        organization=cast.organization,
        user=cast.member2,
        built_own_business=True,
        trained_feedback_coach=False,
        expertise=["sales"],
    )
    invitation, token = invitation_create(
        organization=cast.organization,
        email="new@acme.test",
        role=Role.MEMBER,
        acting_user=cast.admin,
        send=False,
    )
    from peergroups.api.services import token_create

    api_token, _ = token_create(user=cast.admin, name="matrix")
    from peergroups.sso.services import sign_on_settings_update

    sign_on_settings_update(
        organization=cast.organization,
        acting_user=cast.admin,
        enabled=True,
        issuer="https://idp.acme.test",
        client_id="peergroups",
        client_secret="matrix-secret",
        allowed_domains=["acme.test"],
    )
    scim_token = matrix_scim_token(cast.organization, cast.admin)
    run = matrix_formation_run(cast.organization, cast.program)
    meeting, issue, feed_token = meetings_world(cast.group, cast.member, cast.member2)
    goal, commitment, check_in_token = goals_world(cast.organization, cast.group, cast.member)
    pulse_token = outcomes_world(cast)
    resource, group_resource, question = resources_world(cast)
    return {
        "resource": resource.pk,
        "group_resource": group_resource.pk,
        "question": question.pk,
        "pulse_token": pulse_token,
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
        "invitation": invitation.pk,
        "admin_token": api_token.pk,
        "scim_token": scim_token.pk,
        "uid": urlsafe_base64_encode(force_bytes(cast.member.pk)),
        "token": "bad-token",
        "other_organization": other_organization_objects(cast),
    }


def other_organization_objects(cast) -> dict:
    """Globex's own program, group, meeting, issue, goal, commitment, run and applicant.

    Requested under acme's slug, each must be a 404: ids are never a way across.
    """
    from peergroups.groups.services import group_create, membership_add, program_create
    from peergroups.organizations.services import role_grant
    from peergroups.people.services import member_profile_ensure

    organization = cast.other_organization
    program = program_create(organization=organization, acting_user=cast.outsider, name="Globex 1")
    members = []
    for email, name in (("gia@globex.test", "Gia Globex"), ("gus@globex.test", "Gus Globex")):
        user = make_user(email, name)
        role_grant(
            organization=organization, user=user, role=Role.MEMBER, acting_user=cast.outsider
        )
        member_profile_ensure(organization=organization, user=user, program=program)
        members.append(user)
    facilitator = make_user("gil@globex.test", "Gil Globex")
    role_grant(
        organization=organization,
        user=facilitator,
        role=Role.FACILITATOR,
        acting_user=cast.outsider,
    )
    applicant = FacilitatorProfile.objects.create(
        organization=organization,
        user=facilitator,
        built_own_business=True,
        trained_feedback_coach=True,
        expertise=["sales"],
    )
    group = group_create(
        program=program, name="Globex A", acting_user=cast.outsider, facilitator=facilitator
    )
    for user in members:
        membership_add(group=group, user=user, acting_user=cast.outsider)
    group.refresh_from_db()
    run = matrix_formation_run(organization, program)
    invitation, _ = invitation_create(
        organization=organization,
        email="new@globex.test",
        role=Role.MEMBER,
        acting_user=cast.outsider,
        send=False,
    )
    meeting, issue, _ = meetings_world(group, *members)
    goal, commitment, _ = goals_world(organization, group, members[0])
    return {
        "program": program.pk,
        "group": group.pk,
        "meeting": meeting.pk,
        "issue": issue.pk,
        "goal": goal.pk,
        "commitment": commitment.pk,
        "run": run.pk,
        "waiting_member": members[0].pk,
        "applicant_profile": applicant.pk,
        "invitation": invitation.pk,
        "scim_token": matrix_scim_token(organization, cast.outsider).pk,
    }


def matrix_scim_token(organization, admin):
    from peergroups.organizations.access import organization_access
    from peergroups.scim.services import scim_token_create

    access = organization_access(admin, organization.slug)
    return scim_token_create(access=access, acting_user=admin, name="matrix")[0]


def matrix_formation_run(organization, program):
    """A finished formation run with a one-group proposal, for the formation URLs."""
    from peergroups.formation.criteria import default_criteria
    from peergroups.formation.models import FormationRun, RunStatus
    from peergroups.formation.parameters import MODE_NEW_CYCLE, Parameters
    from peergroups.formation.proposal import Proposal, ProposedGroup
    from peergroups.formation.snapshot import snapshot_take
    from peergroups.people.models import MemberProfile

    MemberProfile.objects.filter(program=program).update(
        completed_at=timezone.now(), region="Boston"
    )
    snapshot = snapshot_take(program, cycle=2, everyone=True)
    parameters = Parameters(
        mode=MODE_NEW_CYCLE,
        basis="mixed",
        criteria=default_criteria("mixed"),
        min_size=2,
        max_size=10,
        seconds=1,
        seed=1,
        history_penalty=0,
    )
    members = tuple(p.user_id for p in snapshot.people)
    return FormationRun.objects.create(
        organization=organization,
        program=program,
        cycle=2,
        status=RunStatus.DONE,
        iterations=100,
        parameters=parameters.as_json(),
        snapshot=snapshot.as_json(),
        proposal=Proposal(groups=(ProposedGroup(members=members),)).as_json(),
    )


def meetings_world(group, member, member2):
    """Group A has a meeting and an issue; its members accepted the agreement."""
    from datetime import UTC, datetime, timedelta

    from peergroups.meetings import services as meetings
    from peergroups.meetings.models import Meeting

    agreement = meetings.agreement_current(group=group)
    for user in (member, member2):
        meetings.agreement_accept(agreement=agreement, user=user)
    starts = datetime(2030, 1, 8, 13, tzinfo=UTC)
    meeting = Meeting.objects.create(
        group=group, starts_at=starts, ends_at=starts + timedelta(hours=4)
    )
    issue = meetings.issue_submit(
        group=group,
        author=member2,
        title="A hard call",
        category="hiring",
        situation="Confidential situation.",
        ask="Experiences, please.",
        urgency=2,
    )
    _, feed_token = meetings.calendar_feed_issue(user=member, organization=group.organization)
    return meeting, issue, feed_token


def goals_world(organization, group, member):
    """Mia has a goal shared with Group A, a commitment, and a one-click check-in link."""
    from datetime import date

    from peergroups.goals import services as goals

    goal = goals.goal_create(
        organization=organization,
        owner=member,
        group=group,
        title="Hire two team leads",
        measure="team leads hired",
        baseline=0,
        target=2,
        due_on=date(2031, 1, 1),
        visibility="group",
    )
    commitment = goals.commitment_make(
        group=group, member=member, text="Write the job ad.", due_on=date(2030, 2, 1)
    )
    token = goals.check_in_token_issue(commitment=commitment)
    return goal, commitment, token


def outcomes_world(cast):
    """Mia has this month's pulse and its one-click link."""
    from peergroups.outcomes import services as outcomes
    from peergroups.outcomes.models import Pulse

    pulse = Pulse.objects.create(
        organization=cast.organization,
        user=cast.member,
        group=cast.group,
        month=timezone.localdate().replace(day=1),
    )
    return outcomes.pulse_token_issue(pulse=pulse)


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


def request(client, name: str, method: str, kwargs: dict, data: list):
    url = reverse(name, kwargs=kwargs)
    if name.startswith("api:") and method == "get":
        return client.get(url, data[0] if data else None)  # a GET's data is its query
    if name.startswith("api:") and not (data and data[0] is FILE):
        body = json.dumps(data[0]) if data else ""
        return client.generic(method.upper(), url, body, content_type="application/json")
    if data and data[0] is FILE:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(url, {"file": SimpleUploadedFile("notes.md", b"# Notes")})
    return getattr(client, method)(url, data[0] if data else None)


def check(response, want, label: str) -> None:
    if want == LOGIN:
        assert response.status_code == 302, f"{label}: {response.status_code}"
        assert response["Location"].startswith(reverse("login")), response["Location"]
    else:
        assert response.status_code == want, f"{label}: {response.status_code}"


ROWS = [(name, method, role) for name, method in sorted(MATRIX) for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role"), ROWS)
def test_access(client, world, name, method, role):
    kwargs, expected, *data = MATRIX[(name, method)]
    if role != "anonymous":
        client.force_login(getattr(world["cast"], role))
    response = request(client, name, method, resolve_kwargs(kwargs, world), data)
    check(response, expected[role], f"{method.upper()} {name} as {role}")


# Another organization's object ids under the caller's own organization's slug.
CROSS_ROWS = [
    (name, method, role)
    for name, method in sorted(MATRIX)
    for role in ("member", "facilitator", "admin")
    if set(MATRIX[(name, method)][0].values()) & OTHER_ORGANIZATION_KEYS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role"), CROSS_ROWS)
def test_other_organizations_ids_are_not_found(client, world, name, method, role):
    kwargs, expected, *data = MATRIX[(name, method)]
    client.force_login(getattr(world["cast"], role))
    other = world["other_organization"]
    response = request(client, name, method, resolve_kwargs(kwargs, {**world, **other}), data)
    # Anything the role could open at home is a 404 here. A role refused at home by its
    # role alone (403) may be refused the same way: that says nothing about the object.
    own = expected[role]
    allowed = {404, own} if own in (401, 403, 405) else {404}
    label = f"{method.upper()} {name} as {role} with another organization's ids"
    assert response.status_code in allowed, f"{label}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_django_admin_is_staff_only(client, world, role):
    cast = world["cast"]
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_password_reset_token_link_is_accepted(client, world):
    """The matrix uses a bad reset token; a good one opens the form."""
    # Other tests' sign-ins touched the in-memory user's last_login; read it afresh.
    member = type(world["cast"].member).objects.get(pk=world["cast"].member.pk)
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    token = default_token_generator.make_token(member)
    response = client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    assert response.status_code == 200
    assert b"new_password1" in response.content
