"""An admin forms the demo program's groups, moves one person, and publishes."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from peergroups.demo.seed import ADMIN_EMAIL, DEMO_PASSWORD, PROGRAM_NAME
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.groups.models import GroupMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def a_valid_move(run: FormationRun) -> tuple[str, int]:
    """A person and a group (1-based) that a move may join without breaking any rule."""
    people = run.snapshot["people"]
    index = {p["user_id"]: i for i, p in enumerate(people)}
    conflicts = {(a, b) for a, b, _ in run.snapshot["conflicts"]}
    conflicts |= {(b, a) for a, b in conflicts}
    groups = run.proposal["groups"]
    low, high = run.parameters["min_size"], run.parameters["max_size"]
    for g, members in enumerate(groups):
        if len(members) - 1 < low:
            continue
        for h, target in enumerate(groups):
            if h == g or len(target) + 1 > high:
                continue
            for person in members:
                if all((index[person], index[other]) not in conflicts for other in target):
                    return people[index[person]]["name"], h + 1
    raise AssertionError("the proposal leaves no valid move")


def test_admin_forms_adjusts_and_publishes_groups(page: Page, live_server, run_tasks, screenshot):
    call_command("seed_demo", verbosity=0)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mail address").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=PROGRAM_NAME).click()
    page.get_by_role("link", name="Form groups").click()

    page.get_by_label("Time budget (seconds)").fill("2")
    page.get_by_role("button", name="Start formation").click()
    expect(page.get_by_text("Waiting for a worker")).to_be_visible()

    run_tasks()  # the worker `make run` starts beside the web server
    # The page polls with htmx and shows the proposal once the run is done.
    expect(page.get_by_role("heading", name="Adjust by hand")).to_be_visible(timeout=15_000)
    run = FormationRun.objects.get()
    assert run.status == RunStatus.DONE
    expect(page.get_by_text("shares:").first).to_be_visible()

    name, group = a_valid_move(run)
    page.get_by_label("Move").select_option(
        label=next(
            option
            for option in page.get_by_label("Move").locator("option").all_inner_texts()
            if option.startswith(name + " (")
        )
    )
    page.get_by_label("to group").select_option(str(group))
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_role("button", name="Undo")).to_be_enabled()
    run.refresh_from_db()
    moved = next(p["user_id"] for p in run.snapshot["people"] if p["name"] == name)
    assert moved in run.proposal["groups"][group - 1]
    screenshot(page, "formation-proposal")

    page.get_by_role("button", name="Publish these groups").click()
    expect(page.get_by_role("status")).to_contain_text("Published")
    screenshot(page, "formation-published")
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED
    membership = GroupMembership.objects.get(user_id=moved)
    assert sorted(membership.group.memberships.values_list("user_id", flat=True)) == sorted(
        run.proposal["groups"][group - 1]
    )
