"""The development outbox in a browser: staff read the invitation that was sent and the
invited person follows its link, without the console (issue 20, item 5)."""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from conftest import PASSWORD, make_user
from peergroups.organizations.services import invitation_create
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_operations_flow import WIDTHS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_follow_an_invitation_from_the_outbox(
    browser: Browser, live_server, cast, run_tasks, settings, tmp_path
):
    settings.MAIL_OUTBOX = True
    settings.MAIL_OUTBOX_DIR = str(tmp_path / "mail")
    settings.EMAIL_BACKEND = "peergroups.ops.outbox.OutboxBackend"
    settings.BASE_URL = live_server.url
    invitation_create(
        organization=cast.organization,
        email="nina@acme.test",
        full_name="Nina O'Neill",
        acting_user=cast.admin,
        program=cast.program,
    )
    run_tasks()
    staff = make_user("staff@peergroups.test", "Sam Staff")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, viewport in (("desktop", WIDTHS["desktop"]), ("phone", WIDTHS["phone"])):
        page = browser.new_context(viewport=viewport).new_page()
        page.goto(live_server.url + reverse("login"))
        page.get_by_label("E-mail address").fill(staff.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Mail outbox").click()  # in the staff's menu
        expect(page.get_by_role("heading", name="Mail outbox")).to_be_visible()
        invitation = page.get_by_role("article").filter(has_text="nina@acme.test")
        expect(invitation).to_contain_text("You are invited to Acme Leaders on Peergroups")
        wider = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert wider <= 0, f"the outbox is {wider}px wider than the {width} viewport"
        suffix = "" if width == "desktop" else "-phone"
        page.screenshot(path=str(SCREENSHOTS / f"mail-outbox{suffix}.png"), full_page=True)
        link = invitation.get_by_role("link", name="/invite/").get_attribute("href")
        page.context.close()

    # The invited person's browser: the link from the outbox opens their invitation.
    assert link.startswith(live_server.url + "/invite/")
    invited = browser.new_context(viewport=WIDTHS["desktop"]).new_page()
    invited.goto(link)
    expect(invited.get_by_role("heading", name="Join Acme Leaders")).to_be_visible()
    invited.context.close()
