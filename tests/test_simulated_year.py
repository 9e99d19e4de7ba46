"""A simulated year: one organization runs a program for twelve months, and the rules of
DESIGN.md's "A program's life" hold on every simulated day.

The clock (time-machine) walks from January to December. Once a day the scheduler ticks
as the workers' heartbeats would (`scheduler_tick`, the function `manage.py worker`
calls) and the queued tasks run (`run_tasks`: `db_worker --batch`, the test's
task backend). People act through the pages (the test client) and the services: an
import with invitations and intakes, a formation published, a weekly and monthly groups
meeting with issues, votes, attendance, commitments and check-ins, monthly pulses, late
joiners placed, a move, a "not with" declared after publish, a deactivation, and a second
cycle re-formed so people meet new peers. Members read their mail as a person would: the
outbox, one message at a time, following the links in it.

Every simulated day, after the day's work, `Invariants.check` asserts that no two people
who may not share a group share an open one unless the operations board flags it; no
deactivated person is in an open group, receives an e-mail or has a working link; nobody
receives the same e-mail twice; every open group has a next meeting stored; no group is
over its capacity; no group text older than the organization's retention period
survives the nightly job, and no row goes with it (the counts stay). Every figure the
admin's insight pages show is over at least 5 people
(or hidden): checked each simulated Sunday and after each event (each check renders three
pages, too slow for every day).
"""

import csv
import io
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from urllib.parse import urlsplit

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import PASSWORD, make_user
from peergroups.aggregates import MIN_PEOPLE, Figure
from peergroups.api.services import token_create
from peergroups.dashboards.retention import REMOVED
from peergroups.errors import Conflict
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.formation.parameters import MODE_NEW_CYCLE, MODE_UNPLACED, Parameters
from peergroups.formation.services import formation_run_start
from peergroups.goals.models import CommitmentCheckIn
from peergroups.goals.services import commitment_record
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.groups.services import program_create, program_enrol, program_leave
from peergroups.meetings.models import Issue, IssueStatus, Meeting, MeetingStatus
from peergroups.meetings.services import (
    agenda_issues_pick,
    attendance_record,
    issue_mark_processed,
    meeting_close,
)
from peergroups.ops.scheduler import scheduler_tick
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Invitation, OrganizationRole, Role
from peergroups.organizations.services import organization_create, role_grant
from peergroups.people.conflicts import conflict_pairs
from peergroups.people.models import FacilitatorProfile, MemberProfile
from peergroups.people.services import facilitator_apply, facilitator_approve

pytestmark = pytest.mark.django_db

SLUG = "northwind"
START = datetime(2027, 1, 4, tzinfo=UTC)  # a Monday
DAYS = 365
# The workers tick every 10 seconds; the year samples one tick a day, at 17:00 UTC, as a
# worker that comes back each day after downtime would: it claims each job's latest due
# run once (catch-up once, every day). That is enough for every job's work: pulses go out
# at 09:00 in New York and Denver (14:00 and 16:00 UTC; the window is 3 days), meeting
# reminders cover the next 24 hours, and the daily jobs are due at 02:00, 07:00, 08:00.
TICK_HOUR = 17
ACT_HOUR = 9  # when people do the day's things (UTC)
HOLD_HOUR = 23  # when facilitators record the day's meetings, all over by then
RETENTION_MONTHS = 3  # the organization keeps group texts this long (its settings page)
PULSE_ANSWER_RATE = 0.6  # of the pulses mailed, how many are answered
AREAS = ["marketing", "hiring", "finance", "sales", "operations", "product", "technology"]
LINK = re.compile(r"https?://[^\s<>\"]+")
REGIONS = {"Boston": "America/New_York", "Denver": "America/Denver"}


@dataclass
class Person:
    email: str
    name: str
    region: str
    industry: str
    company: str
    expertise: list[str]
    reports_to: str = ""
    competitors: str = ""
    user: object = None
    links: dict = field(default_factory=dict)  # kind -> the latest link mailed to them

    @property
    def zone(self) -> str:
        return REGIONS[self.region]

    def csv_row(self, program: str) -> list[str]:
        return [
            self.email,
            self.name,
            self.region,
            self.zone,
            self.industry,
            "Operations",
            "middle",
            "12",
            "6",
            self.company,
            ";".join(self.expertise),
            "tue-am;thu-pm",
            self.reports_to,
            self.competitors,
            program,
        ]


def people_csv(people: list[Person], program: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "email",
            "full_name",
            "region",
            "time_zone",
            "industry",
            "function",
            "management_level",
            "team_size",
            "years_managing",
            "company",
            "expertise",
            "availability",
            "reports_to",
            "competitors",
            "program",
        ]
    )
    for person in people:
        writer.writerow(person.csv_row(program))
    return out.getvalue().encode()


def cohort(first: int, count: int) -> list[Person]:
    people = []
    for i in range(first, first + count):
        region = "Boston" if i % 2 == 0 else "Denver"
        people.append(
            Person(
                email=f"m{i:02d}@northwind.test",
                name=f"Manager {i:02d}",
                region=region,
                industry=("Biotech", "Software", "Retail")[i % 3],
                company=f"Company {i:02d}",
                expertise=[AREAS[i % 7], AREAS[(i + 3) % 7]],
            )
        )
    return people


def figures_in(value, seen=None):
    """Every aggregate Figure reachable from a template context value."""
    seen = seen if seen is not None else set()
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, Figure):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from figures_in(item, seen)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from figures_in(item, seen)


class Year:
    """The organization, its people and the clock; each method is one thing people do."""

    def __init__(self, time_machine, run_tasks, capture):
        self.time_machine = time_machine
        self.run_tasks = run_tasks
        self.capture = capture
        self.random = random.Random(2027)
        self.read = 0  # how much of the outbox people have read
        self.by_email: dict[str, Person] = {}
        self.deactivated: dict[str, datetime] = {}  # e-mail -> when
        self.dead_links: list[tuple[str, str]] = []  # (kind, path) that must not work
        self.dead_tokens: list[str] = []  # API keys that must not work
        self.flagged_days = 0  # days on which the board flagged a conflict
        self.mail_seen: set[tuple] = set()
        self.pulses_answered = 0
        self.check_ins = 0
        self.meetings_held = 0
        self.invariant_days = 0
        self.welcomes: dict[str, list] = {}  # e-mail -> the welcome messages read
        self.reminders = 0  # meeting reminders read by members
        self.figures_shown = 0  # admin figures seen over 5+ people
        self.clients: dict[int, Client] = {}
        self.issues_stored = 0  # issue rows: retention empties them, never deletes them
        self.issues_expired = 0

    # --- time ---------------------------------------------------------------------------

    def at(self, moment: datetime) -> None:
        self.time_machine.move_to(moment, tick=False)

    def tick(self) -> None:
        """What every worker's heartbeat does, then the workers run what it queued."""
        assert scheduler_tick(worker_id="simulated"), "a tick that finds no job due"
        self.drain()
        self.read_mail()

    def drain(self) -> None:
        """The workers take every queued task, and the tasks those queue (on commit).

        Mostly only the `default` queue has work: a worker of that queue alone takes it
        (a formation worker would load the grouping engine first, for nothing).
        """
        while queues := set(DBTaskResult.objects.ready().values_list("queue_name", flat=True)):
            with self.capture(execute=True):
                if queues == {"default"}:
                    call_command(
                        "worker", "--batch", "--no-startup-delay", "--queue-name", "default",
                        verbosity=0,
                    )  # fmt: skip
                else:
                    self.run_tasks()

    def act(self, action):
        """Run one request or service call as a committed request would (on_commit tasks
        queued), then let the workers run them."""
        with self.capture(execute=True):
            result = action()
        self.drain()
        return result

    @property
    def admin_client(self) -> Client:
        return self.client(self.admin)

    def client(self, user) -> Client:
        """`user`'s browser, signed in once (the test's sessions last the year)."""
        if user.pk not in self.clients:
            client = Client()
            client.force_login(user)
            self.clients[user.pk] = client
        return self.clients[user.pk]

    # --- set-up -------------------------------------------------------------------------

    def found(self) -> None:
        self.admin = make_user("admin@northwind.test", "Ada Admin")
        self.organization = organization_create(
            name="Northwind Circle", slug=SLUG, admin=self.admin
        )
        self.program = program_create(
            organization=self.organization,
            acting_user=self.admin,
            name="Leaders 2027",
            min_group_size=4,
            max_group_size=7,
            open_seats=1,
            starts_on=date(2027, 1, 11),
        )
        self.facilitators = []
        for i in range(6):
            user = make_user(f"f{i}@northwind.test", f"Facilitator {i}")
            role_grant(
                organization=self.organization,
                user=user,
                role=Role.APPLICANT,
                acting_user=self.admin,
            )
            profile = FacilitatorProfile(
                organization=self.organization,
                user=user,
                built_own_business=True,
                business_description="A consultancy",
                trained_feedback_coach=True,
                coach_training="ICF ACC",
                expertise=["finance", "hiring"],
                capacity=2,
            )
            facilitator_apply(profile=profile, acting_user=user)
            self.act(lambda p=profile: facilitator_approve(profile=p, acting_user=self.admin))
            self.facilitators.append(user)
        # The admin sets how long group texts are kept; the nightly job does the rest.
        response = self.act(
            lambda: self.admin_client.post(
                reverse("organizations-settings", args=[SLUG]),
                {
                    "name": "Northwind Circle",
                    "time_zone": "America/New_York",
                    "content_retention_months": str(RETENTION_MONTHS),
                    "default_language": "en",
                },
            )
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        self.organization.refresh_from_db()
        assert self.organization.content_retention_months == RETENTION_MONTHS

    def import_people(self, people: list[Person], program=None) -> None:
        """The admin uploads the file, reads the preview, and confirms with invitations."""
        upload = io.BytesIO(people_csv(people, (program or self.program).name))
        upload.name = "people.csv"
        url = reverse("people-import", args=[SLUG])
        preview = self.admin_client.post(url, {"file": upload})
        assert preview.status_code == 200, preview.content.decode()[:2000]
        assert all(person.email in preview.text for person in people)
        response = self.act(
            lambda: self.admin_client.post(
                url,
                {"action": "confirm", "token": preview.context["token"], "send_invitations": "on"},
            )
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        for person in people:
            self.by_email[person.email] = person
        self.read_mail()

    def import_refused(self, people: list[Person], program, enrolled: Person) -> None:
        """The admin uploads a file that would move `enrolled` out of their program: the
        preview names the row and why, and nothing of the file is kept."""
        invitations = Invitation.objects.count()
        upload = io.BytesIO(people_csv(people, program.name))
        upload.name = "people.csv"
        preview = self.admin_client.post(reverse("people-import", args=[SLUG]), {"file": upload})
        assert preview.status_code == 422, preview.content.decode()[:2000]
        line = 2 + people.index(enrolled)  # the header is line 1
        [error] = preview.context["row_errors"]
        assert (error.line, error.column) == (line, "program")
        assert "one program at a time" in error.reason
        assert Invitation.objects.count() == invitations

    def accept_and_intake(self, person: Person, not_with: list[Person] = ()) -> None:
        """The person follows the invitation in their mail, signs up and fills the intake."""
        assert "invitation" in person.links, [
            (m.to, m.subject, m.body[:300]) for m in mail.outbox if person.email in m.to
        ]
        path = person.links.pop("invitation")
        client = Client()
        response = self.act(
            lambda: client.post(path, {"full_name": person.name, "password": PASSWORD})
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        person.user = OrganizationRole.objects.get(
            organization=self.organization, user__email=person.email
        ).user
        self.intake(person, not_with=not_with, client=client)

    def intake(self, person: Person, not_with=(), client: Client | None = None) -> None:
        client = client or self.client(person.user)
        data = {
            "region": person.region,
            "time_zone": person.zone,
            "locale": "en",
            "industry": person.industry,
            "function": "Operations",
            "management_level": "middle",
            "team_size": "12",
            "years_managing": "6",
            "company": person.company,
            "company_size": "50-249",
            "company_stage": "growth",
            "expertise": person.expertise,
            "challenges": "Growing the team.",
            "challenge_topics": ["hiring"],
            "goals": "Two promotions this year.",
            "goal_topics": ["leading-change"],
            "availability": ["tue-am", "thu-pm"],
            "competitors": person.competitors,
            "not_with": [str(other.user.pk) for other in not_with],
        }
        if person.reports_to:
            data["reports_to"] = str(self.by_email[person.reports_to].user.pk)
        response = self.act(lambda: client.post(reverse("people-intake", args=[SLUG]), data))
        assert response.status_code == 302, response.content.decode()[:3000]

    # --- formation ----------------------------------------------------------------------

    def form_groups(self, mode: str) -> FormationRun:
        parameters = Parameters(
            mode=mode,
            basis="mixed",
            criteria=[
                {"attribute": "region", "mode": "similar", "weight": 3.0},
                {"attribute": "industry", "mode": "diverse", "weight": 1.0},
                {"attribute": "expertise", "mode": "diverse", "weight": 2.0},
            ],
            min_size=4,
            max_size=7,
            seconds=1.0,
            seed=11,
            history_penalty=50.0,
        )
        run = self.act(
            lambda: formation_run_start(
                program=self.program, acting_user=self.admin, parameters=parameters
            )
        )
        run.refresh_from_db()
        assert run.status == RunStatus.DONE, run.error
        response = self.act(
            lambda: self.admin_client.post(reverse("formation-publish", args=[SLUG, run.pk]))
        )
        assert response.status_code == 302
        self.drain()
        run.refresh_from_db()
        assert run.status == RunStatus.PUBLISHED, run.publish_error
        # The admin keeps the names and confirms them: the welcome e-mails, in batches.
        response = self.act(
            lambda: self.admin_client.post(reverse("formation-welcome", args=[SLUG, run.pk]))
        )
        assert response.status_code == 302
        self.drain()
        self.welcomes.clear()
        self.read_mail()
        # Each member reads one welcome naming their new group and exactly their peers.
        for group in PeerGroup.objects.filter(program=self.program, cycle=run.cycle):
            roster = {m.user.email: str(m.user) for m in group.memberships.select_related("user")}
            for email in roster:
                (welcome,) = self.welcomes.pop(email)
                assert f": {group.name} (" in welcome.subject
                peers = set(re.findall(r"^  - (.+)$", welcome.body, re.M))
                assert peers == {name for other, name in roster.items() if other != email}
        assert not self.welcomes, f"welcomed but not seated: {sorted(self.welcomes)}"
        return run

    def accept_agreements(self) -> None:
        """Each member opens their group and accepts its agreement (once)."""
        for membership in GroupMembership.objects.filter(
            group__organization=self.organization, group__closed_at__isnull=True
        ).select_related("group", "user"):
            client = self.client(membership.user)
            url = reverse("meetings-agreement", args=[SLUG, membership.group_id])
            response = client.post(url, {"action": "accept"})
            assert response.status_code == 302, response.content.decode()[:2000]

    # --- meetings -----------------------------------------------------------------------

    def prepare_meetings(self, now: datetime) -> None:
        """Members bring issues to the meetings of the next two days and vote on them."""
        for meeting in Meeting.objects.filter(
            group__organization=self.organization,
            group__closed_at__isnull=True,
            starts_at__gt=now + timedelta(days=1),
            starts_at__lte=now + timedelta(days=2),
        ).exclude(status=MeetingStatus.CANCELLED):
            members = list(
                GroupMembership.objects.filter(group=meeting.group).select_related("user")
            )
            if len(members) < 2:
                continue
            authors = self.random.sample(members, 2)
            for author in authors:
                client = self.client(author.user)
                response = client.post(
                    reverse("meetings-issue-create", args=[SLUG, meeting.group_id]),
                    {
                        "title": f"Delegating more in {now:%B}",
                        "category": "hiring",
                        "situation": "My team waits for me on every decision.",
                        "ask": "How did you let go?",
                        "urgency": "2",
                    },
                )
                assert response.status_code == 302, response.content.decode()[:2000]
            issues = list(Issue.objects.filter(group=meeting.group, status=IssueStatus.OPEN))
            for voter in self.random.sample(members, min(2, len(members))):
                issue = self.random.choice(issues)
                self.client(voter.user).post(
                    reverse("meetings-issue-vote", args=[SLUG, meeting.group_id, issue.pk]),
                    {"vote": "1"},
                )

    def hold_meetings(self, day_start: datetime) -> None:
        """The facilitators run the meetings that started today."""
        for meeting in (
            Meeting.objects.filter(
                group__organization=self.organization,
                group__closed_at__isnull=True,
                starts_at__gte=day_start,
                starts_at__lt=day_start + timedelta(days=1),
                closed_at__isnull=True,
            )
            .exclude(status=MeetingStatus.CANCELLED)
            .select_related("group__facilitator")
        ):
            facilitator = meeting.group.facilitator
            if facilitator is None:
                continue
            members = list(GroupMembership.objects.filter(group=meeting.group))
            # The most voted issue of someone still in the group (a member who moved or
            # left takes no commitment here).
            issues = list(
                Issue.objects.filter(
                    group=meeting.group,
                    status=IssueStatus.OPEN,
                    author_id__in=[m.user_id for m in members],
                )
                .annotate(backing=Count("votes"))
                .order_by("-backing", "pk")
            )[:1]

            def run_it(meeting=meeting, members=members, issues=issues, facilitator=facilitator):
                if issues:
                    agenda_issues_pick(meeting=meeting, issues=issues, acting_user=facilitator)
                statuses = {
                    m.user_id: "present" if self.random.random() < 0.85 else "absent"
                    for m in members
                }
                attendance_record(meeting=meeting, statuses=statuses, acting_user=facilitator)
                for issue in issues:
                    issue_mark_processed(meeting=meeting, issue=issue, acting_user=facilitator)
                    commitment_record(
                        meeting=meeting,
                        member_id=issue.author_id,
                        text="Hand one decision a week to my deputy.",
                        acting_user=facilitator,
                        issue=issue,
                    )
                meeting_close(meeting=meeting, acting_user=facilitator)

            self.act(run_it)
            self.meetings_held += 1

    def set_weekly(self, group: PeerGroup, weekday: int) -> None:
        response = self.act(
            lambda: self.client(group.facilitator).post(
                reverse("meetings-schedule", args=[SLUG, group.pk]),
                {
                    "frequency": "weekly",
                    "weekday": str(weekday),
                    "start_time": "08:00",
                    "end_time": "10:00",
                    "time_zone": "America/New_York",
                    "starts_on": timezone.now().date().isoformat(),
                    "location": "The boardroom",
                    "video_url": "https://video.example/northwind",
                },
            )
        )
        assert response.status_code == 302, response.content.decode()[:2000]

    # --- an admin's edits after publish -------------------------------------------------

    def move(self, user, to_group: PeerGroup) -> None:
        membership = GroupMembership.objects.get(user=user, group__closed_at__isnull=True)
        response = self.act(
            lambda: self.admin_client.post(
                reverse("groups-manage", args=[SLUG, membership.group_id]),
                {
                    "action": "move",
                    "move-user": str(user.pk),
                    "move-to_group": str(to_group.pk),
                    "move-reason": "A better fit for their schedule.",
                },
            )
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        assert GroupMembership.objects.get(user=user, cycle=membership.cycle).group == to_group

    def a_seat_for(self, user, among: list[PeerGroup]) -> PeerGroup:
        """An open group of `among` with a free seat that `user` may share with everyone."""
        mine = GroupMembership.objects.get(user=user, group__closed_at__isnull=True).group_id
        for group in among:
            group.refresh_from_db()
            if group.pk == mine or group.member_count >= group.capacity:
                continue
            ids = [user.pk, *group.memberships.values_list("user_id", flat=True)]
            if not any(user.pk in pair for pair in kept_apart(self.organization, ids)):
                return group
        raise AssertionError(f"no open seat for {user}")

    def board_flags(self) -> set[int]:
        """The groups the operations board flags to admins as holding a conflict."""
        response = self.admin_client.get(reverse("dashboards-board", args=[SLUG]))
        assert response.status_code == 200
        return {int(g) for g in re.findall(r'data-conflict-group="(\d+)"', response.text)}

    # --- mail, as people read it ----------------------------------------------------------

    def read_mail(self) -> None:
        """Each new message is read by its recipient, who follows the link it brings."""
        while self.read < len(mail.outbox):
            message = mail.outbox[self.read]
            self.read += 1
            key = (tuple(sorted(message.to)), message.subject, message.body)
            assert key not in self.mail_seen, f"sent twice: {message.subject} to {message.to}"
            self.mail_seen.add(key)
            for address in message.to:
                assert address not in self.deactivated, (
                    f"{message.subject!r} went to {address}, deactivated on "
                    f"{self.deactivated[address]:%Y-%m-%d}"
                )
                person = self.by_email.get(address)
                if person is not None:
                    self.follow(person, message)

    def follow(self, person: Person, message) -> None:
        if message.subject.startswith("Your peer group: "):
            self.welcomes.setdefault(person.email, []).append(message)
        if message.subject.startswith("Tomorrow: "):
            # A reminder is for a group the reader is in now, with where it meets.
            name = message.subject.removeprefix("Tomorrow: ").split(" meets ")[0]
            assert GroupMembership.objects.filter(
                user=person.user, group__name=name, group__closed_at__isnull=True
            ).exists(), f"{person.name} was reminded of {name}'s meeting on {timezone.now()}"
            self.reminders += 1
        for link in LINK.findall(message.body):
            path = urlsplit(link).path
            if "/invite/" in path:
                person.links["invitation"] = path
            elif "/pulse/" in path:
                person.links["pulse"] = path
                if person.email not in self.silent and self.random.random() < PULSE_ANSWER_RATE:
                    self.answer_pulse(path)
            elif "/check-in/" in path and path.count("/") > 4:
                person.links["check-in"] = path
                if self.random.random() < 0.6:
                    self.check_in(path)

    def answer_pulse(self, path: str) -> None:
        client = Client()
        assert client.get(path).status_code == 200
        response = self.act(
            lambda: client.post(
                path,
                {
                    "hours_per_week": str(self.random.randint(40, 60)),
                    "productivity": str(self.random.randint(3, 7)),
                    "margin_trend": str(self.random.choice([-1, 0, 1])),
                    "goal_confidence": str(self.random.randint(3, 7)),
                    "meeting_value": str(self.random.randint(4, 7)),
                },
            )
        )
        assert response.status_code == 200, response.content.decode()[:2000]
        self.pulses_answered += 1

    def check_in(self, path: str) -> None:
        client = Client()
        response = self.act(lambda: client.post(path, {"status": "done"}))
        assert response.status_code in (200, 410), response.content.decode()[:2000]
        self.check_ins += response.status_code == 200

    silent: set[str] = set()  # people who never answer a pulse (their link stays unused)


def kept_apart(organization, user_ids) -> dict:
    """The pairs among `user_ids` that may not share a group (the one rule)."""
    return conflict_pairs(organization=organization, user_ids=user_ids)


def open_groups(organization) -> list[PeerGroup]:
    return list(PeerGroup.objects.filter(organization=organization, closed_at__isnull=True))


class Invariants:
    """What must hold every day of the year, whatever happened that day."""

    def __init__(self, year: Year):
        self.year = year

    def check(self, now: datetime) -> None:
        year = self.year
        groups = open_groups(year.organization)
        members = {}
        for membership in GroupMembership.objects.filter(group__in=groups):
            members.setdefault(membership.group_id, []).append(membership.user_id)
        self.capacity(groups, members)
        self.enrolled(groups, members)
        self.kept_apart(groups, members)
        self.deactivated(groups, members)
        self.next_meetings(groups, now)
        self.retention(now)
        year.read_mail()  # nobody gets a message twice; nothing reaches the deactivated
        year.invariant_days += 1

    def capacity(self, groups, members) -> None:
        for group in groups:
            seated = len(members.get(group.pk, []))
            assert seated <= group.capacity <= self.year.program.max_group_size, group
            assert group.member_count == seated, f"{group}: {group.member_count} != {seated}"

    def enrolled(self, groups, members) -> None:
        """A person is in one program at a time, and sits only in that program's groups."""
        program_of = dict(
            MemberProfile.objects.filter(organization=self.year.organization).values_list(
                "user_id", "program_id"
            )
        )
        for group in groups:
            for user_id in members.get(group.pk, []):
                assert program_of.get(user_id) == group.program_id, (
                    f"user {user_id} sits in {group} of another program than theirs"
                )

    def kept_apart(self, groups, members) -> None:
        everyone = [u for ids in members.values() for u in ids]
        pairs = kept_apart(self.year.organization, everyone)
        for group in groups:
            ids = sorted(members.get(group.pk, []))
            clashing = [pair for pair in combinations(ids, 2) if pair in pairs]
            if clashing:
                assert group.pk in self.year.board_flags(), (
                    f"{group} holds people who may not share a group, and the board is silent"
                )
                self.year.flagged_days += 1

    def deactivated(self, groups, members) -> None:
        if not self.year.deactivated:
            return
        gone_ids = {self.year.by_email[email].user.pk for email in self.year.deactivated}
        seated = {u for ids in members.values() for u in ids}
        assert not gone_ids & seated
        assert not any(group.facilitator_id in gone_ids for group in groups)
        for kind, path in self.year.dead_links:
            status = Client().get(path).status_code
            assert status >= 400, f"a deactivated person's {kind} link answers {status}"
        for key in self.year.dead_tokens:
            status = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")
            assert status.status_code == 401, "a deactivated person's API token still works"

    def retention(self, now: datetime) -> None:
        """Nothing written in a group outlives the period by more than the nightly job's
        day, and the rows stay, so every count still adds up."""
        year = self.year
        cutoff = now - relativedelta(months=RETENTION_MONTHS) - timedelta(days=1)
        issues = Issue.objects.filter(group__organization=year.organization)
        old = issues.filter(created_at__lt=cutoff)
        assert not old.exclude(title=REMOVED, situation="", ask="").exists(), (
            f"an issue text older than {RETENTION_MONTHS} months survives on {now:%Y-%m-%d}"
        )
        notes = CommitmentCheckIn.objects.filter(
            commitment__group__organization=year.organization, created_at__lt=cutoff
        ).exclude(note="")
        assert not notes.exists(), "a check-in note outlives the retention period"
        stored = issues.count()
        assert stored >= year.issues_stored, "retention deleted issue rows (the counts move)"
        year.issues_stored = stored
        year.issues_expired = old.count()

    def next_meetings(self, groups, now: datetime) -> None:
        ahead = set(
            Meeting.objects.filter(group__in=groups, starts_at__gt=now)
            .exclude(status=MeetingStatus.CANCELLED)
            .values_list("group_id", flat=True)
        )
        missing = [str(group) for group in groups if group.pk not in ahead]
        assert not missing, f"no next meeting stored for {missing} on {now:%Y-%m-%d}"

    def admin_figures(self) -> int:
        """Every figure on the admin's insight pages is over MIN_PEOPLE people or hidden."""
        client = self.year.client(self.year.admin)
        shown = 0
        for name in ("outcomes-program", "goals-insights", "meetings-insights"):
            response = client.get(reverse(name, args=[SLUG]))
            assert response.status_code == 200, name
            for context in response.context:
                for figure in figures_in(context.flatten()):
                    if figure.shown and figure.people:  # 0: nobody, no value
                        assert figure.people >= MIN_PEOPLE, f"{name}: {figure}"
                        shown += 1
        self.year.figures_shown += shown
        return shown


def test_a_year_of_a_program(settings, time_machine, run_tasks, django_capture_on_commit_callbacks):
    settings.SESSION_COOKIE_AGE = 400 * 24 * 3600  # people stay signed in all year
    year = Year(time_machine, run_tasks, django_capture_on_commit_callbacks)
    invariants = Invariants(year)
    year.at(START + timedelta(hours=8))
    year.found()
    first = cohort(0, 24)
    # A reporting line and a competitor inside the cohort: formation keeps them apart.
    first[2].reports_to = first[0].email
    first[5].competitors = first[3].company
    year.import_people(first)
    slow = first[-1]  # accepts only after the reminder the scheduler sends a week later
    year.silent = {first[7].email}  # never answers a pulse
    for person in first[:-1]:
        year.accept_and_intake(person)

    events = {}

    def on(day: date):
        def register(fn):
            events[day] = fn
            return fn

        return register

    @on(date(2027, 1, 11))
    def publish_first_cycle():
        run = year.form_groups(MODE_UNPLACED)
        year.cycle1 = open_groups(year.organization)
        assert len(year.cycle1) >= 3 and run.cycle == 1
        year.accept_agreements()
        year.weekly = year.cycle1[0]
        year.set_weekly(year.weekly, weekday=3)  # Thursdays; the others keep the monthly cadence

    @on(date(2027, 1, 13))
    def the_slow_one_reminded_then_accepts():
        assert "invitation" in slow.links  # the scheduler's reminder (day 7) reached them
        reminders = [m for m in mail.outbox if slow.email in m.to]
        assert len(reminders) == 2  # the invitation and one reminder, never more
        year.accept_and_intake(slow)

    @on(date(2027, 2, 1))
    def two_more_join():
        year.late = cohort(24, 2)
        year.import_people(year.late)
        for person in year.late:
            year.accept_and_intake(person)

    @on(date(2027, 2, 8))
    def late_joiners_placed():
        for person in [slow, *year.late]:
            response = year.admin_client.get(
                reverse("formation-placement", args=[SLUG, year.program.pk, person.user.pk])
            )
            assert response.status_code == 200
            suggestions = response.context["suggestions"]
            assert suggestions, f"no seat for {person.name}"
            response = year.act(
                lambda p=person, s=suggestions: year.admin_client.post(
                    reverse("formation-placement", args=[SLUG, year.program.pk, p.user.pk]),
                    {"group_id": str(s[0].group.pk)},
                )
            )
            assert response.status_code == 302, response.content.decode()[:2000]
            membership = GroupMembership.objects.get(user=person.user, cycle=1)
            year.client(person.user).post(
                reverse("meetings-agreement", args=[SLUG, membership.group_id]),
                {"action": "accept"},
            )

    @on(date(2027, 1, 12))
    def one_member_subscribes_and_takes_an_api_key():
        leaving = year.by_email[first[7].email]
        response = year.client(leaving.user).post(reverse("meetings-calendar", args=[SLUG]))
        assert response.status_code == 200
        leaving.links["calendar"] = urlsplit(response.context["feed_url"]).path
        assert Client().get(leaving.links["calendar"]).status_code == 200
        _, leaving.links["api"] = token_create(user=leaving.user, name="My script")
        me = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {leaving.links['api']}")
        assert me.status_code == 200

    @on(date(2027, 3, 1))
    def a_second_program_opens():
        year.autumn = program_create(
            organization=year.organization,
            acting_user=year.admin,
            name="Leaders 2027 Autumn",
            min_group_size=3,
            max_group_size=6,
            starts_on=date(2027, 9, 6),
        )
        # The file also names a seated member of the first program: the import refuses it
        # whole (nobody is moved out of a program by an upload), then goes in without them.
        year.autumn_people = cohort(26, 3)
        seated = year.by_email[first[1].email]
        year.import_refused([*year.autumn_people, seated], year.autumn, enrolled=seated)
        year.import_people(year.autumn_people, program=year.autumn)
        for person in year.autumn_people:
            year.accept_and_intake(person)
        assert set(
            MemberProfile.objects.filter(program=year.autumn).values_list("user__email", flat=True)
        ) == {person.email for person in year.autumn_people}

    @on(date(2027, 3, 8))
    def a_member_changes_program():
        changer = year.by_email[first[1].email].user
        access = organization_access(year.admin, SLUG)
        enrol = lambda: program_enrol(  # noqa: E731 - one call, made twice
            access=access, acting_user=year.admin, program=year.autumn, user=changer
        )
        with pytest.raises(Conflict, match="one program at a time"):
            enrol()
        seat = GroupMembership.objects.get(user=changer, cycle=1).group
        year.act(
            lambda: program_leave(
                access=access, acting_user=year.admin, program=year.program, user=changer
            )
        )
        year.act(enrol)
        assert not GroupMembership.objects.filter(user=changer, group__closed_at=None).exists()
        seat.refresh_from_db()
        assert seat.member_count == seat.memberships.count()  # the seat is free again
        year.changed_program = changer

    @on(date(2027, 3, 15))
    def an_admin_moves_a_member():
        fullest = max(year.cycle1, key=lambda g: (g.memberships.count(), g.pk))
        mover = fullest.memberships.order_by("user_id").last().user
        year.move(mover, year.a_seat_for(mover, year.cycle1))

    @on(date(2027, 4, 12))
    def a_member_declares_not_with_a_groupmate():
        group = next(g for g in open_groups(year.organization) if g.member_count >= 3)
        ids = list(group.memberships.order_by("user_id").values_list("user_id", flat=True))
        year.declarer = next(p for p in year.by_email.values() if p.user and p.user.pk == ids[0])
        other = next(p for p in year.by_email.values() if p.user and p.user.pk == ids[1])
        year.intake(year.declarer, not_with=[other])
        # Nobody is moved for it; the board tells the admins (checked tonight, every night).
        assert GroupMembership.objects.get(user=year.declarer.user, cycle=1).group == group

    @on(date(2027, 4, 19))
    def the_admin_moves_one_of_the_two():
        year.move(year.declarer.user, year.a_seat_for(year.declarer.user, year.cycle1))
        assert year.board_flags() == set()

    @on(date(2027, 5, 10))
    def a_member_is_deactivated():
        leaving = year.by_email[first[7].email]
        assert "pulse" in leaving.links  # an unanswered pulse link
        response = year.act(
            lambda: year.admin_client.post(
                reverse("dashboards-person", args=[SLUG, leaving.user.pk]),
                {"action": "deactivate", "confirm": "on"},
            )
        )
        assert response.status_code == 302
        year.deactivated[leaving.email] = timezone.now()
        year.dead_links += [
            (kind, path) for kind, path in leaving.links.items() if kind not in {"api"}
        ]
        year.dead_tokens.append(leaving.links["api"])
        assert len(year.dead_links) >= 2  # the calendar feed and the unanswered pulse

    @on(date(2027, 7, 5))
    def a_second_cycle_meets_new_peers():
        before = {
            pair
            for group in year.cycle1
            for pair in combinations(sorted(group.memberships.values_list("user_id", flat=True)), 2)
        }
        run = year.form_groups(MODE_NEW_CYCLE)
        assert run.cycle == 2
        year.cycle2 = list(PeerGroup.objects.filter(program=year.program, cycle=2))
        after = {
            pair
            for group in year.cycle2
            for pair in combinations(sorted(group.memberships.values_list("user_id", flat=True)), 2)
        }
        assert len(after & before) <= len(after) // 2, "people meet mostly new peers"
        year.accept_agreements()
        year.set_weekly(year.cycle2[0], weekday=1)

    @on(date(2027, 7, 12))
    def the_first_cycle_closes():
        for group in year.cycle1:
            response = year.act(
                lambda g=group: year.admin_client.post(
                    reverse("groups-manage", args=[SLUG, g.pk]),
                    {"action": "close", "close-confirm": "on"},
                )
            )
            assert response.status_code == 302, response.content.decode()[:2000]
        assert set(open_groups(year.organization)) == set(year.cycle2)

    for offset in range(DAYS):
        day_start = START + timedelta(days=offset)
        year.at(day_start + timedelta(hours=ACT_HOUR))
        action = events.get(day_start.date())
        if action is not None:
            action()
        if hasattr(year, "cycle1"):
            year.prepare_meetings(timezone.now())
        year.at(day_start + timedelta(hours=TICK_HOUR))
        year.tick()
        year.at(day_start + timedelta(hours=HOLD_HOUR))
        year.hold_meetings(day_start)
        year.at(day_start + timedelta(hours=23, minutes=59))
        invariants.check(timezone.now())
        if day_start.weekday() == 6 or action is not None:  # Sundays, and after each event
            invariants.admin_figures()

    assert year.invariant_days == DAYS
    # The member who changed program was not grouped again in the first one.
    assert not GroupMembership.objects.filter(
        user=year.changed_program, group__program=year.program, cycle=2
    ).exists()
    assert year.meetings_held > 0 and year.pulses_answered > 0
    assert year.flagged_days >= 1  # the "not with" after publish was on the board
    assert year.reminders > 0 and year.check_ins > 0
    assert year.figures_shown > 0  # the aggregate check saw real figures, not only hidden
    assert year.issues_expired > 0  # the retention job emptied real issues, not nothing
    # The weekly groups met weekly, the monthly ones monthly.
    held = dict(
        Meeting.objects.filter(closed_at__isnull=False)
        .values_list("group_id")
        .annotate(n=Count("pk"))
    )
    assert held[year.weekly.pk] >= 20 and held[year.cycle2[0].pk] >= 20
    assert all(3 <= held.get(g.pk, 0) <= 7 for g in [*year.cycle1[1:], *year.cycle2[1:]]), held
