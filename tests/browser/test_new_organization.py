"""A real organization from nothing, in a browser (issue 20, item 7).

From an empty database: the first-run page with the printed setup key, the
organization's settings, a program, an Excel import with the mess people have (their
own headers, an extra column, a bad address, one region in three spellings), intakes, a
facilitator's application and approval by the company's own criteria, a formation that
cannot be made and its one-click remedy, publish, the names confirmed and the welcome
e-mails sent, and the first meeting. Each page is
photographed at desktop and phone width (var/screenshots/<page>.png and
<page>-phone.png) and checked for sideways scrolling on the phone; the time each step
took is printed (and written to var/screenshots/new-organization-timings.txt).
"""

import io
import re
import time
from contextlib import contextmanager

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook
from playwright.sync_api import Browser, Page, expect

from peergroups.accounts.models import User
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.meetings.models import Meeting
from peergroups.organizations.models import Invitation, Organization
from peergroups.organizations.tasks import invitation_token
from peergroups.people.invitations import user_create_from_invitation
from peergroups.people.models import Category, MemberProfile
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_operations_flow import WIDTHS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN = ("hana@acme.example", "Hana Head", "a-long-admin-passphrase-1")
FACILITATOR = ("fred@acme.example", "Fred Facilitator", "a-long-facilitator-phrase-2")
MEMBER_PASSWORD = "a-long-member-passphrase-3"
PROGRAM = "Leaders 2027"
RUN_PAGE = re.compile(r"/formation/\d+/$")
HEADER = ["E-mail", "Name", "Region/Area", "Sector", "Areas of expertise", "Availability"]
HEADER += ["Program", "Not with", "employee_id"]
PEOPLE = [
    # Software and Retail form groups of their own; two Automotive managers cannot,
    # and one would rather not meet the other.
    ("ann@acme.example", "Ann Archer", "Midwest", "Software", "hiring;finance", ""),
    ("ben@acme.example", "Ben Berg", "midwest", "software", "sales;product", ""),
    ("cat@acme.example", "Cat Chen", "MIDWEST", "Software ", "operations;hiring", ""),
    ("dan@acme.example", "Dan Diaz", "Midwest", "SOFTWARE", "marketing;finance", ""),
    ("eve@acme.example", "Eve Evans", "South", "Retail", "sales;hiring", ""),
    ("fay@acme.example", "Fay Fox", "south", "retail", "finance;product", ""),
    ("gus@acme.example", "Gus Gray", "South", "Retail", "operations;marketing", ""),
    ("hal@acme.example", "Hal Hill", "South", "RETAIL", "hiring;technology", ""),
    ("ivy@acme.example", "Ivy Ives", "Midwest", "Automotive", "finance;sales", "jon@acme.example"),
    ("jon@acme.example", "Jon Jones", "midwest", "automotive", "product;operations", ""),
]


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def spreadsheet(*, bad: bool) -> bytes:
    rows = [HEADER]
    for number, (email, name, region, sector, areas, not_with) in enumerate(PEOPLE, start=1):
        if bad and number == 3:
            email = "cat at acme"  # a typo the first upload reports with the other errors
        rows.append(
            [email, name, region, sector, areas, "tue-am", PROGRAM, not_with, 1000 + number]
        )
    if bad:
        rows.append(
            ["kim@acme.example", "", "North", "Software", "hiring", "someday", PROGRAM, "", 99]
        )
    return workbook(rows)


class Journey:
    """Times each step and photographs each page at both widths."""

    def __init__(self, browser: Browser, live_server):
        self.browser = browser
        self.base = live_server.url
        self.timings: list[tuple[str, float]] = []
        self.phones: dict[str, Page] = {}

    @contextmanager
    def step(self, name: str):
        started = time.perf_counter()
        yield
        self.timings.append((name, time.perf_counter() - started))

    def sign_in(self, email: str, password: str, viewport) -> Page:
        page = self.browser.new_context(viewport=viewport).new_page()
        page.goto(self.base + reverse("login"))
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    def shoot(self, page: Page, name: str, who: tuple[str, str] | None = None) -> None:
        """Desktop screenshot of `page`; the same URL on a phone (signed in as `who`)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        # A full-page screenshot can leave the next click off its mark in headless
        # Chromium; setting the viewport again puts the page back as it was.
        page.set_viewport_size(page.viewport_size)
        if who is None:
            phone = self.browser.new_context(viewport=WIDTHS["phone"]).new_page()
        else:
            if who[0] not in self.phones:
                self.phones[who[0]] = self.sign_in(*who, WIDTHS["phone"])
            phone = self.phones[who[0]]
        phone.goto(page.url)
        wider = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert wider <= 0, f"{name} is {wider}px wider than a phone"
        phone.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
        if who is None:
            phone.context.close()

    def report(self) -> str:
        lines = [f"{name:<52} {seconds:6.1f} s" for name, seconds in self.timings]
        lines.append(f"{'total':<52} {sum(s for _, s in self.timings):6.1f} s")
        return "\n".join(lines)


def test_a_new_organization_from_an_empty_database(
    browser: Browser, live_server, run_tasks, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path)
    assert not Organization.objects.exists()
    journey = Journey(browser, live_server)
    admin_login = (ADMIN[0], ADMIN[2])

    # 1. The first-run page, with the key `make run` prints.
    with journey.step("1. First-run page: organization and first admin"):
        printed = io.StringIO()
        call_command("setup_key", stdout=printed)
        key = re.search(r"^\s+([0-9a-f]{24})$", printed.getvalue(), re.MULTILINE).group(1)
        page = browser.new_context(viewport=WIDTHS["desktop"]).new_page()
        page.goto(journey.base + "/")
        expect(page.get_by_role("heading", name="Start your organization")).to_be_visible()
        journey.shoot(page, "first-run")
        page.get_by_label("Setup key").fill(key)
        page.get_by_label("Organization name").fill("Acme Manufacturing")
        page.get_by_label("Your name").fill(ADMIN[1])
        page.get_by_label("Your e-mail address").fill(ADMIN[0])
        page.get_by_label("Choose a password").fill(ADMIN[2])
        page.get_by_role("button", name="Create the organization").click()
        expect(page.get_by_text("“Acme Manufacturing” is ready.")).to_be_visible()

    # 2. Settings: a company's own facilitator criteria.
    with journey.step("2. Settings: time zone, sender, facilitator criteria"):
        page.get_by_label("Default time zone").select_option("America/Chicago")
        page.get_by_label("E-mails come from").fill("Acme Leadership Development")
        page.get_by_label("Replies go to").fill("leaders@acme.example")
        page.get_by_label("What you ask of facilitators").fill(
            "completed our facilitator training\nmanages managers"
        )
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_text("Settings saved.")).to_be_visible()
        journey.shoot(page, "settings", admin_login)

    # 3. A program grouped by industry.
    with journey.step("3. A program by industry"):
        page.get_by_role("link", name="Create a program").click()
        page.get_by_label("Name").fill(PROGRAM)
        page.get_by_label("Smallest group").fill("3")
        page.get_by_label("Largest group (at most 10)").fill("5")
        page.get_by_label("Members of a group share their").select_option("industry")
        page.get_by_role("button", name="Create program").click()
        expect(page.get_by_role("heading", name=PROGRAM)).to_be_visible()
        journey.shoot(page, "program", admin_login)

    # 4. The spreadsheet: every error at once, then a preview, then the import.
    with journey.step("4. Excel import: errors, preview, import"):
        page.goto(journey.base + reverse("people-import", args=["acme-manufacturing"]))
        expect(page.get_by_text("up to 5 MB")).to_be_visible()
        page.get_by_label("CSV or Excel file").set_input_files(
            files=[{"name": "managers.xlsx", "mimeType": "application/octet-stream",
                    "buffer": spreadsheet(bad=True)}]
        )  # fmt: skip
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_text("Nothing was imported")).to_be_visible()
        problems = page.locator(".error-summary + section tbody tr")
        expect(problems).to_have_count(3)  # the bad address, a missing name, a bad slot
        journey.shoot(page, "import-errors", admin_login)
        page.get_by_label("CSV or Excel file").set_input_files(
            files=[{"name": "managers.xlsx", "mimeType": "application/octet-stream",
                    "buffer": spreadsheet(bad=False)}]
        )  # fmt: skip
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_role("heading", name="Check before importing")).to_be_visible()
        expect(
            page.get_by_text("Ignored a column the import does not use: “employee_id”.")
        ).to_be_visible()
        preview = page.locator("#import-preview").inner_text()
        assert "“midwest”, “MIDWEST”" in preview and "“software”, “SOFTWARE”" in preview
        assert not Invitation.objects.exists()  # nothing written before the confirmation
        journey.shoot(page, "import-preview")  # the preview is one POST's answer: desktop only
        page.get_by_label("Send an invitation e-mail to each new member").uncheck()
        page.get_by_role("button", name="Import 10 rows").click()
        expect(page.get_by_text("Imported 10 rows: 10 new invitations, 0 updated.")).to_be_visible()
        journey.shoot(page, "members", admin_login)
    assert list(Category.objects.filter(kind="region").values_list("label", flat=True)) == [
        "Midwest",
        "South",
    ]

    # 5. Intakes: Ann accepts in the browser; the others accept their invitations too.
    with journey.step("5. Intakes: invitations accepted, profiles complete"):
        ann = Invitation.objects.get(email="ann@acme.example")
        member = browser.new_context(viewport=WIDTHS["desktop"]).new_page()
        member.goto(journey.base + reverse("accounts-invitation", args=[invitation_token(ann)]))
        expect(member.get_by_role("heading", name="Join Acme Manufacturing")).to_be_visible()
        journey.shoot(member, "invitation")
        member.get_by_label("Your name").fill("Ann Archer")
        member.get_by_label("Choose a password").fill(MEMBER_PASSWORD)
        member.get_by_role("button", name="Create my account").click()
        member.goto(journey.base + reverse("people-intake", args=["acme-manufacturing"]))
        expect(member.get_by_label("Region")).to_have_value("Midwest")
        journey.shoot(member, "intake", ("ann@acme.example", MEMBER_PASSWORD))
        for invitation in Invitation.objects.exclude(email="ann@acme.example"):
            user_create_from_invitation(
                token=invitation_token(invitation),
                full_name=invitation.full_name,
                password=MEMBER_PASSWORD,
            )
    complete = MemberProfile.objects.filter(completed_at__isnull=False)
    assert complete.count() == 10
    assert set(complete.values_list("region", flat=True)) == {"Midwest", "South"}
    assert set(complete.values_list("industry", flat=True)) == {"Software", "Retail", "Automotive"}

    # 6. A facilitator applies by the company's criteria and is approved.
    with journey.step("6. Facilitator invited, applies, approved"):
        page.goto(journey.base + reverse("organizations-invitations", args=["acme-manufacturing"]))
        page.get_by_label("E-mail address").fill(FACILITATOR[0])
        page.get_by_label("Role").select_option("facilitator")
        page.get_by_role("button", name="Send invitation").click()
        expect(page.get_by_text(f"Invitation to {FACILITATOR[0]} queued")).to_be_visible()
        fred_invitation = Invitation.objects.get(email=FACILITATOR[0])
        fred = browser.new_context(viewport=WIDTHS["desktop"]).new_page()
        fred.goto(
            journey.base + reverse("accounts-invitation", args=[invitation_token(fred_invitation)])
        )
        fred.get_by_label("Your name").fill(FACILITATOR[1])
        fred.get_by_label("Choose a password").fill(FACILITATOR[2])
        fred.get_by_role("button", name="Create my account").click()
        fred.goto(journey.base + reverse("people-facilitator-apply", args=["acme-manufacturing"]))
        expect(fred.get_by_text("Acme Manufacturing asks its facilitators")).to_be_visible()
        fred.get_by_label("completed our facilitator training").check()
        fred.get_by_label("manages managers").check()
        fred.get_by_label("Groups you can lead at once").fill("3")
        journey.shoot(fred, "facilitator-apply", (FACILITATOR[0], FACILITATOR[2]))
        fred.get_by_role("button", name="Send my application").click()
        expect(fred.get_by_text("Your application is in.")).to_be_visible()
        page.goto(journey.base + reverse("people-facilitators", args=["acme-manufacturing"]))
        expect(page.get_by_text("manages managers: yes")).to_be_visible()
        journey.shoot(page, "facilitators", admin_login)
        page.get_by_role("button", name="Approve").click()
        expect(page.get_by_text("now an approved facilitator")).to_be_visible()

    # 7. A formation that cannot be made, and its remedy in one click.
    with journey.step("7. Formation fails, says why, remedy in one click"):
        program_url = journey.base + page_url_of_program()
        page.goto(program_url)
        page.get_by_role("link", name="Form groups").click()
        journey.shoot(page, "formation-start", admin_login)
        page.get_by_label("Time budget (seconds)").fill("1")
        page.get_by_role("button", name="Start formation").click()
        page.wait_for_url(RUN_PAGE)
        run_tasks()
        expect(page.get_by_text("No proposal:")).to_be_visible(timeout=15_000)
        reason = "The industry “Automotive” has 2 people, fewer than the smallest group (3)"
        expect(page.get_by_text(reason)).to_be_visible()
        assert "Ivy Ives" not in page.content() and "Jon Jones" not in page.content()
        journey.shoot(page, "formation-remedy", admin_login)
        failed = page.url
        page.get_by_role("button", name=re.compile("^Form mixed groups of the people of")).click()
        page.wait_for_url(lambda url: RUN_PAGE.search(url) and url != failed)
        run_tasks()
        expect(page.get_by_role("heading", name="Adjust by hand")).to_be_visible(timeout=15_000)
        journey.shoot(page, "formation-proposal", admin_login)

    # 8. Publish: groups, memberships and meetings in one go.
    with journey.step("8. Publish"):
        page.get_by_role("button", name="Publish these groups").click()
        expect(page.locator("#progress")).to_contain_text("Publishing")
        run_tasks()
        expect(page.get_by_text("Published ", exact=False).first).to_be_visible(timeout=15_000)
        run = FormationRun.objects.get(status=RunStatus.PUBLISHED)
        assert "Automotive" in run.parameters["merge_segments"]
        # The welcome e-mails wait for the names.
        assert not [m for m in mail.outbox if m.subject.startswith("Your peer group")]
        journey.shoot(page, "welcome-confirm", admin_login)
        page.get_by_role("button", name="Confirm names and send welcome e-mails").click()
        expect(page.get_by_text("Names confirmed")).to_be_visible()
        run_tasks()
        welcomes = {m.to[0]: m for m in mail.outbox if m.subject.startswith("Your peer group")}
        assert len(welcomes) == 10
        ann = welcomes["ann@acme.example"]
        assert ann.from_email.startswith("Acme Leadership Development <")
        page.goto(program_url)
        expect(page.get_by_text("How the groups were formed")).to_be_visible()
        expect(page.get_by_text("mixed groups for Automotive")).to_be_visible()
        journey.shoot(page, "published", admin_login)
    assert GroupMembership.objects.count() == 10

    # 9. The first meeting: an issue, the agenda, the run of show, and closing it.
    with journey.step("9. First meeting: issue, agenda, close"):
        group = GroupMembership.objects.get(user__email="ann@acme.example").group
        group = PeerGroup.objects.get(pk=group.pk)
        meeting = Meeting.objects.filter(group=group).order_by("starts_at").first()
        member.goto(
            journey.base + reverse("meetings-issues", args=["acme-manufacturing", group.pk])
        )
        member.get_by_role("button", name="I accept this agreement").click()
        member.goto(
            journey.base + reverse("meetings-issue-create", args=["acme-manufacturing", group.pk])
        )
        member.get_by_label("Title").fill("Promote from within or hire the star?")
        member.get_by_label("Category").select_option("hiring")
        member.get_by_label("The situation").fill(
            "Two strong internal candidates, one outside star."
        )
        member.get_by_label("What you want from the group").fill("Experiences, please.")
        member.get_by_label("How urgent is it?").select_option("3")
        member.get_by_role("button", name="Submit issue").click()
        expect(member.get_by_text("Promote from within or hire the star?").first).to_be_visible()
        journey.shoot(member, "issue", ("ann@acme.example", MEMBER_PASSWORD))
        leader = User.objects.get(pk=group.facilitator_id)
        assert leader.email == FACILITATOR[0]
        fred.goto(journey.base + meeting.get_absolute_url())
        fred.get_by_label("Promote from within or hire the star?").check()
        fred.get_by_role("button", name="Save the agenda").click()
        fred.get_by_role("link", name="Run this meeting").click()
        if fred.get_by_role("link", name="Run it now anyway").count():
            fred.get_by_role("link", name="Run it now anyway").click()
        expect(fred.get_by_role("heading", name="Run of show")).to_be_visible()
        # Closing without the required confirmation: its message shows beside the button.
        fred.get_by_role("button", name="Close meeting").click()
        note = fred.locator("#close-confirm-note")
        expect(note).to_have_class(re.compile("error"))
        expect(note).to_contain_text("to close the meeting")
        journey.shoot(fred, "meeting-close", (FACILITATOR[0], FACILITATOR[2]))
        fred.get_by_label(re.compile("Carry 1 unprocessed issue over")).check()
        fred.get_by_role("button", name="Close meeting").click()
        expect(fred.get_by_text("Meeting closed.")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.closed_at is not None

    report = journey.report()
    (SCREENSHOTS / "new-organization-timings.txt").write_text(report + "\n")
    print("\nA new organization, step by step (browser test, Chromium, live server):")
    print(report)


def page_url_of_program() -> str:
    from peergroups.organizations.models import Program

    return Program.objects.get(name=PROGRAM).get_absolute_url()
