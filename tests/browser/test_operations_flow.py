"""Running a program after publish: the operations board flags a group without a
schedule, an admin moves a member (a refusal shows beside the form), a facilitator
renames their group. Screenshots of each new page at desktop and phone width go to
var/screenshots/<page>[-phone].png."""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from conftest import PASSWORD
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.meetings import services as meetings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def signed_in(browser: Browser, live_server, user, viewport=WIDTHS["desktop"]):
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def schedule(group, facilitator):
    from datetime import date, time

    meetings.meeting_series_set(
        group=group,
        acting_user=facilitator,
        frequency="monthly",
        week_of_month=2,
        weekday=1,
        starts_on=date.today(),
        start_time=time(9),
        end_time=time(12),
        time_zone="America/New_York",
    )


def test_board_flags_a_group_without_a_schedule(browser: Browser, live_server, cast, screenshot):
    schedule(cast.group, cast.facilitator)
    page = signed_in(browser, live_server, cast.admin)
    page.get_by_role("link", name="Operations").click()
    expect(page.get_by_role("heading", name="Operations board")).to_be_visible()
    expect(page.get_by_role("link", name="1 group has no schedule")).to_be_visible()
    row_b = page.locator("tr", has=page.get_by_role("link", name="Group B", exact=True))
    expect(row_b).to_contain_text("Not set")
    expect(row_b).to_contain_text("no schedule")
    row_a = page.locator("tr", has=page.get_by_role("link", name="Group A", exact=True))
    expect(row_a).to_contain_text("Set")
    screenshot(page, "operations-board")
    page.get_by_role("link", name="1 group has no schedule").click()
    expect(page.get_by_role("link", name="Group A", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Group B", exact=True)).to_be_visible()

    phone = signed_in(browser, live_server, cast.admin, WIDTHS["phone"])
    phone.goto(live_server.url + reverse("dashboards-board", kwargs={"org_slug": "acme"}))
    screenshot(phone, "operations-board-phone")


def test_admin_moves_a_member_after_publish(browser: Browser, live_server, cast, screenshot):
    PeerGroup.objects.filter(pk=cast.other_group.pk).update(capacity=1)
    page = signed_in(browser, live_server, cast.admin)
    page.goto(
        live_server.url
        + reverse("groups-detail", kwargs={"org_slug": "acme", "group_id": cast.group.pk})
    )
    page.get_by_role("link", name="Edit group").click()
    page.get_by_label("Member", exact=True).first.select_option(label="Mia Member")
    page.get_by_label("Move to").select_option(label="Group B (0 open seats)")
    page.get_by_label("Reason (private)").first.fill("Asked to meet on Tuesdays")
    page.get_by_role("button", name="Move", exact=True).click()
    # Refused: Group B is full. The sentence sits beside the form, the text is kept.
    expect(page.get_by_role("alert")).to_contain_text("Group B has no open seat.")
    expect(page.get_by_label("Reason (private)").first).to_have_value("Asked to meet on Tuesdays")
    assert GroupMembership.objects.get(user=cast.member).group_id == cast.group.pk

    PeerGroup.objects.filter(pk=cast.other_group.pk).update(capacity=10)
    page.goto(page.url)  # a fresh GET: reloading would post the refused form again
    page.get_by_label("Member", exact=True).first.select_option(label="Mia Member")
    page.get_by_label("Move to").select_option(label="Group B (9 open seats)")
    page.get_by_label("Reason (private)").first.fill("Asked to meet on Tuesdays")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Mia Member moved to Group B.")
    assert GroupMembership.objects.get(user=cast.member).group_id == cast.other_group.pk
    screenshot(page, "group-edit")
    phone = signed_in(browser, live_server, cast.admin, WIDTHS["phone"])
    phone.goto(
        live_server.url
        + reverse("groups-manage", kwargs={"org_slug": "acme", "group_id": cast.group.pk})
    )
    screenshot(phone, "group-edit-phone")

    # The reason shows on the admin's member page, with the person's groups.
    page.goto(
        live_server.url
        + reverse("dashboards-person", kwargs={"org_slug": "acme", "user_id": cast.member.pk})
    )
    expect(page.get_by_text("Asked to meet on Tuesdays")).to_be_visible()
    screenshot(page, "member-detail")
    phone.goto(page.url)
    screenshot(phone, "member-detail-phone")


def test_facilitator_renames_their_group(browser: Browser, live_server, cast, screenshot):
    page = signed_in(browser, live_server, cast.facilitator)
    page.goto(
        live_server.url
        + reverse("groups-detail", kwargs={"org_slug": "acme", "group_id": cast.group.pk})
    )
    page.get_by_role("link", name="Rename group").click()
    expect(page.get_by_role("button", name="Move", exact=True)).to_have_count(0)
    page.get_by_label("Group name").fill("Boston · Biotech")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The group is now called “Boston · Biotech”."
    )
    expect(page.get_by_role("heading", name="Edit Boston · Biotech")).to_be_visible()
    screenshot(page, "group-rename-facilitator")
    page.get_by_role("link", name="Operations").click()
    expect(page.get_by_role("link", name="Boston · Biotech", exact=True)).to_be_visible()


def test_screenshots_of_the_other_new_pages(browser: Browser, live_server, cast, screenshot):
    from datetime import timedelta

    from django.utils import timezone

    from peergroups.meetings.models import Meeting
    from peergroups.organizations.models import Role
    from peergroups.organizations.services import invitation_create

    invitation_create(
        organization=cast.organization,
        email="new@acme.test",
        role=Role.MEMBER,
        program=cast.program,
        acting_user=cast.admin,
        send=False,
    )
    starts = timezone.now() + timedelta(days=5)
    meeting = Meeting.objects.create(
        group=cast.group, starts_at=starts, ends_at=starts + timedelta(hours=3)
    )
    admin_pages = {
        "invitations-funnel": reverse("dashboards-funnel", kwargs={"org_slug": "acme"}),
        "notification-preferences": reverse("accounts-notifications"),
    }
    for width, viewport in WIDTHS.items():
        suffix = "" if width == "desktop" else "-phone"
        admin = signed_in(browser, live_server, cast.admin, viewport)
        for name, url in admin_pages.items():
            admin.goto(live_server.url + url)
            expect(admin.locator("h1")).to_be_visible()
            screenshot(admin, name + suffix)
        fran = signed_in(browser, live_server, cast.facilitator, viewport)
        fran.goto(
            live_server.url + reverse("meetings-run", args=["acme", cast.group.pk, meeting.pk])
        )
        expect(fran.get_by_role("heading", name="This meeting is not today")).to_be_visible()
        screenshot(fran, "meeting-run-early" + suffix)
        # The counter under a bounded text box counts as one types.
        fran.goto(
            live_server.url
            + reverse("meetings-run", args=["acme", cast.group.pk, meeting.pk])
            + "?early=1"
        )
        fran.get_by_label("Note", exact=True).fill("Twelve chars")
        expect(fran.get_by_text("12 of 5,000 characters")).to_be_visible()


def test_board_flags_two_members_who_can_no_longer_share_a_group(
    browser: Browser, live_server, cast, screenshot
):
    from peergroups.people.models import MemberProfile
    from peergroups.people.services import not_with_set

    schedule(cast.group, cast.facilitator)
    schedule(cast.other_group, cast.other_facilitator)
    # After publish, Max declares he would rather not be grouped with Mia: nobody moves.
    profile = MemberProfile.objects.get(organization=cast.organization, user=cast.member2)
    not_with_set(profile=profile, others=[cast.member])
    page = signed_in(browser, live_server, cast.admin)
    page.get_by_role("link", name="Operations").click()
    flag = page.get_by_role("link", name="1 group has members who can no longer share a group")
    expect(flag).to_be_visible()
    notice = page.get_by_role("region", name="Members who can no longer share a group")
    expect(notice).to_contain_text(
        "Two members of Group A can no longer share a group: Max Member and Mia Member."
    )
    expect(notice).not_to_contain_text("declared")
    row_a = page.locator("tr", has=page.get_by_role("link", name="Group A", exact=True))
    expect(row_a).to_contain_text("members kept apart")
    screenshot(page, "operations-board-conflict")

    phone = signed_in(browser, live_server, cast.admin, WIDTHS["phone"])
    phone.goto(live_server.url + reverse("dashboards-board", kwargs={"org_slug": "acme"}))
    expect(
        phone.get_by_role("region", name="Members who can no longer share a group")
    ).to_be_visible()
    screenshot(phone, "operations-board-conflict-phone")

    # The admin moves Mia to Group B from the notice's link; the flag clears.
    notice.get_by_role("link", name="Edit Group A").click()
    page.get_by_label("Member", exact=True).first.select_option(label="Mia Member")
    page.get_by_label("Move to").select_option(label="Group B (9 open seats)")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("Mia Member moved to Group B.")).to_be_visible()
    page.goto(live_server.url + reverse("dashboards-board", kwargs={"org_slug": "acme"}))
    expect(page.get_by_text("No group needs attention.")).to_be_visible()
    assert GroupMembership.objects.get(user=cast.member).group == cast.other_group
