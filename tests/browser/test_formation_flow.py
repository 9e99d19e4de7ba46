"""An admin forms the demo program's groups, moves one person, and publishes."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from peergroups.demo.seed import ADMIN_EMAIL, DEMO_PASSWORD, PROGRAM_NAME
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.formation.parameters import Parameters
from peergroups.formation.proposal import Proposal
from peergroups.formation.services import proposal_set_facilitator
from peergroups.formation.snapshot import Snapshot
from peergroups.groups.models import GroupMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def groups_of(run: FormationRun) -> list[tuple[int, ...]]:
    return [g.members for g in Proposal.from_json(run.proposal).groups]


def a_valid_move(run: FormationRun) -> tuple[str, int]:
    """A person and a group (1-based) that a move may join without breaking any rule."""
    snapshot = Snapshot.from_json(run.snapshot)
    parameters = Parameters.from_json(run.parameters)
    segment = {"region": "region", "industry": "industry"}.get(parameters.basis)
    groups = groups_of(run)
    low, high = parameters.min_size, parameters.fill_size
    for g, members in enumerate(groups):
        if len(members) - 1 < low:
            continue
        for h, target in enumerate(groups):
            if h == g or len(target) + 1 > high:
                continue
            for person in members:
                mine = snapshot.person[person].attributes
                if all(
                    (min(person, other), max(person, other)) not in snapshot.kept_apart
                    and (not segment or snapshot.person[other].attributes[segment] == mine[segment])
                    for other in target
                ):
                    return snapshot.person[person].name, h + 1
    raise AssertionError("the proposal leaves no valid move")


def option_of(page: Page, label: str, name: str) -> str:
    options = page.get_by_label(label, exact=True).locator("option").all_inner_texts()
    return next(option for option in options if option.startswith(name + " ("))


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

    # A refused move says why beside the Move form, and nothing changes.
    snapshot = Snapshot.from_json(run.snapshot)
    first = snapshot.person[groups_of(run)[0][0]].name
    page.get_by_label("Move", exact=True).select_option(label=option_of(page, "Move", first))
    page.get_by_label("to group").select_option("1")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.locator("#move-error")).to_contain_text("in this group already")
    expect(page.get_by_role("button", name="Undo")).to_be_disabled()

    name, group = a_valid_move(run)
    page.get_by_label("Move", exact=True).select_option(label=option_of(page, "Move", name))
    page.get_by_label("to group").select_option(str(group))
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_role("button", name="Undo")).to_be_enabled()
    expect(page.locator("#move-error")).to_be_empty()
    run.refresh_from_db()
    moved = next(p.user_id for p in snapshot.people if p.name == name)
    assert moved in groups_of(run)[group - 1]
    screenshot(page, "formation-proposal")

    # A facilitator who is full is refused beside the group's select, which shows the truth.
    busy = next(f for f in snapshot.facilitators if f.free < len(groups_of(run)))
    for g in range(len(groups_of(run))):  # busy leads the first `free` groups, no others
        proposal_set_facilitator(run=run, group=g, facilitator_id=None, acting_user=None)
    for g in range(busy.free):
        proposal_set_facilitator(run=run, group=g, facilitator_id=busy.user_id, acting_user=None)
    run.refresh_from_db()
    other = busy.free  # the first group not led by the busy facilitator
    before = Proposal.from_json(run.proposal).groups[other].facilitator_id
    page.reload()
    select = page.locator(f"#fac-{other}")
    select.select_option(str(busy.user_id))
    expect(page.locator(f"#fac-error-{other}")).to_contain_text("no free capacity")
    expect(select).to_have_value("" if before is None else str(before))
    screenshot(page, "formation-refused-facilitator")

    page.get_by_role("button", name="Publish these groups").click()
    expect(page.locator("#progress")).to_contain_text("Publishing")
    screenshot(page, "formation-publishing")
    run_tasks()  # the formation worker publishes; the page follows and shows the result
    expect(page.get_by_text("Published ", exact=False).first).to_be_visible()
    screenshot(page, "formation-published")
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED
    membership = GroupMembership.objects.get(user_id=moved)
    assert sorted(membership.group.memberships.values_list("user_id", flat=True)) == sorted(
        groups_of(run)[group - 1]
    )
