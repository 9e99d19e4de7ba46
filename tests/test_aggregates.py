"""The aggregate helper: no figure over fewer than 5 people can be shown or worked out.

The independent check is linear algebra: a figure is a sum over records, so what a
viewer can derive from the shown figures is their linear span. For every set T of 1–4
people, no non-zero vector of that span may lie only on T's records (no sum,
difference or other combination of shown figures isolates fewer than 5 people).
"""

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peergroups.aggregates import COMPLEMENT, FEWER, MIN_PEOPLE, Table, count, quartiles

PEOPLE = range(9)


@st.composite
def tables(draw):
    """A random tree (root > up to 4 children > up to 3 grandchildren) with records."""
    table = Table()
    table.node("all")
    nodes = ["all"]
    for i in range(draw(st.integers(1, 4))):
        table.node(("p", i), parent="all")
        nodes.append(("p", i))
        for j in range(draw(st.integers(0, 3))):
            table.node(("c", i, j), parent=("p", i))
            nodes.append(("c", i, j))
    records = draw(
        st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(PEOPLE)), max_size=30)
    )
    for node, person in records:
        table.add(node, person, 1)
    return table, records


def derivable_people_sets(table: Table, records, shown_keys) -> list[frozenset]:
    """People sets T (1–4 people) on whose records some combination of shown figures lies."""
    if not records:
        return []
    index = {key: {n for n in table.subtree(key)} for key in table.parent}
    rows = [
        [1.0 if node in index[key] else 0.0 for node, _ in records]
        for key in shown_keys
        if any(node in index[key] for node, _ in records)
    ]
    matrix = np.array(rows) if rows else np.zeros((0, len(records)))
    rank = np.linalg.matrix_rank(matrix) if rows else 0
    leaks = []
    for size in range(1, MIN_PEOPLE):
        for people in itertools.combinations(PEOPLE, size):
            cols = [i for i, (_, person) in enumerate(records) if person in people]
            if not cols:
                continue
            unit = np.zeros((len(cols), len(records)))
            for row, col in enumerate(cols):
                unit[row, col] = 1.0
            stacked = np.vstack([matrix, unit]) if rows else unit
            if np.linalg.matrix_rank(stacked) < rank + len(cols):
                leaks.append(frozenset(people))
    return leaks


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_shown_figure_lets_anyone_derive_a_figure_over_fewer_than_5_people(drawn):
    table, records = drawn
    shown = table.shown_keys()
    for key in shown:
        people = table.people(key)
        assert not people or len(people) >= MIN_PEOPLE
    assert derivable_people_sets(table, records, shown) == []


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.data())
def test_filtered_and_unfiltered_views_together_reveal_nothing_more(drawn, data):
    """A filter selects nodes of the whole table; every view's figures are the whole
    table's, so subtracting a filtered view from the unfiltered one (or from another
    filtered view) cannot isolate fewer than 5 people."""
    table, records = drawn
    whole = table.figures(count)
    keys = sorted(table.parent, key=repr)
    union = set()
    for _ in range(3):
        chosen = data.draw(st.lists(st.sampled_from(keys), unique=True))
        view = table.select(chosen, count)
        for key, figure in view.items():
            assert figure == whole[key]
            if figure.shown:
                union.add(key)
    union |= {key for key, figure in whole.items() if figure.shown}
    assert derivable_people_sets(table, records, union) == []


def test_people_are_counted_once_however_many_records_they_have():
    table = Table()
    table.node("program")
    for cycle in (1, 2):
        table.node(("cycle", cycle), parent="program")
        for person in (1, 2, 3):
            table.add(("cycle", cycle), person, 1)
    figure = table.figure("program", count)
    assert not figure.shown and figure.hidden == FEWER


def test_a_lone_small_group_hides_a_sibling_so_the_total_cannot_be_subtracted():
    table = Table()
    table.node("program")
    sizes = {"a": 6, "b": 7, "small": 3}
    person = 0
    for name, size in sizes.items():
        table.node(name, parent="program")
        for _ in range(size):
            table.add(name, person, 1)
            person += 1
    figures = table.figures(count)
    assert figures["small"].hidden == FEWER
    assert figures["a"].hidden == COMPLEMENT  # the smaller of the two others
    assert figures["b"].shown and figures["program"].shown
    # program − b = a + small: 9 people, which is allowed.
    assert figures["program"].value - figures["b"].value == 9


def test_empty_figures_are_shown_as_empty():
    table = Table()
    table.node("program")
    table.node("empty", parent="program")
    for person in range(5):
        table.add("program", person, 1)
    figures = table.figures(count)
    assert figures["empty"].shown and figures["empty"].value == 0
    assert figures["program"].value == 5


def test_quartiles_interpolate():
    assert quartiles([1, 2, 3, 4, 5]) == (2.0, 3.0, 4.0)
    assert quartiles([]) is None


def test_records_grouped_in_the_database_give_the_same_figures_as_the_records():
    from peergroups.aggregates import percent, percent_of

    records = [("a", p, p % 3 == 0) for p in range(7)] + [("b", p, True) for p in range(5, 9)]
    records += [("a", 1, True), ("b", 6, False)]
    one, grouped = Table(), Table()
    for table in (one, grouped):
        table.node("all")
        table.node("a", parent="all")
        table.node("b", parent="all")
    partial: dict = {}
    for key, person, present in records:
        one.add(key, person, present)
        held, was = partial.get((key, person), (0, 0))
        partial[(key, person)] = (held + present, was + 1)
    for (key, person), value in partial.items():
        grouped.add_grouped(key, person, value)
    assert one.figures(percent) == grouped.figures(percent_of)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.data())
def test_people_collected_per_node_give_the_same_figures_as_the_records(drawn, data):
    """`add_people` (one row per node from the database: its distinct people and a
    partial) decides and reduces exactly as every record added one by one."""
    from peergroups.aggregates import mean, mean_of, percent, percent_of, quartiles_of

    table, records = drawn
    values = data.draw(st.lists(st.integers(1, 7), min_size=len(records), max_size=len(records)))
    one, collected = Table(), Table()
    for copy in (one, collected):
        for key in table.parent:  # parents before children, as declared
            copy.node(key, parent=table.parent[key])
    by_node: dict = {}
    for (node, person), value in zip(records, values, strict=True):
        one.add(node, person, value)
        by_node.setdefault(node, []).append((person, value))
    for node, rows in by_node.items():
        people = {person for person, _ in rows}
        vs = [v for _, v in rows]
        collected.add_people(node, people, (sum(vs), len(vs), vs))
    assert one.figures(mean) == collected.figures(lambda ps: mean_of([p[:2] for p in ps]))
    assert one.figures(quartiles) == collected.figures(lambda ps: quartiles_of([p[2] for p in ps]))
    assert one.figures(lambda vs: percent([v > 3 for v in vs])) == collected.figures(
        lambda ps: percent_of([(sum(v > 3 for v in p[2]), p[1]) for p in ps])
    )


def test_a_count_from_the_database_stands_alone_and_is_suppressed_below_five():
    table = Table()
    for key, people in (("few", 4), ("enough", 5)):
        table.node(key)
        table.add_counted(key, people=people, value=people * 2)
    figures = table.figures(lambda values: values[0])
    assert figures["few"].hidden == FEWER
    assert (figures["enough"].value, figures["enough"].people) == (10, 5)
    table.node("tree")
    table.node("leaf", parent="tree")
    with pytest.raises(ValueError):
        table.add_counted("leaf", people=9)
    with pytest.raises(ValueError):
        table.node("child", parent="enough")


# --- over time: an observer who reads after every single change -------------------------


@st.composite
def histories(draw):
    """Events in time order: answers (period, person, value) and membership changes, with
    the clock moving on; periods end at 10, 20, 30, ... and some answers come late."""
    events, clock = [], 0
    for _ in range(draw(st.integers(5, 60))):
        clock += draw(st.integers(0, 4))
        if draw(st.booleans()) and clock // 10 > 0:
            period = draw(st.integers(max(0, clock // 10 - 2), clock // 10))  # may be late
        else:
            period = clock // 10
        kind = draw(st.sampled_from(["answer", "answer", "answer", "join", "leave"]))
        events.append((clock, kind, period, draw(st.integers(0, 11)), draw(st.integers(1, 7))))
    return events


def read(events, now):
    """What a facilitator's page shows at `now`: a table by period over the records
    made so far, built as group health builds it."""
    members, table = set(), Table(now=now)
    for period in range(0, now // 10 + 1):
        table.node(period, ends_at=(period + 1) * 10)
    for clock, kind, period, person, value in events:
        if clock > now:
            break
        if kind == "join":
            members.add(person)
        elif kind == "leave":
            members.discard(person)
        elif period in table.parent:
            table.add(period, person, value, recorded_at=clock)
    figures = table.figures(lambda values: sum(values) / len(values) if values else None)
    return {key: (f.value, f.people_band, f.hidden) for key, f in figures.items()}


@given(histories())
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_an_observer_reading_after_every_change_recovers_no_ones_answer(events):
    """Issue 21, row 2. After each single answer or membership change the observer reads
    again; a shown figure that moved would give the new answer by subtraction, and an
    exact people count going up by one would say who answered. Neither may happen: a
    period's figure appears once, over 5+ people, with its people as a band, and stays."""
    published: dict = {}
    for index in range(len(events)):
        now = events[index][0]
        for period, (value, band, hidden) in read(events[: index + 1], now).items():
            if hidden:
                assert period not in published, f"period {period} was shown, then hidden"
                continue
            assert band and not band.startswith("fewer"), band
            if period in published:
                assert published[period] == (value, band), f"period {period} moved"
            published[period] = (value, band)


def test_the_observer_catches_a_figure_that_moves():
    """The guard can fail: the same reads without the time rule (no `ends_at`) move."""
    events = [(0, "answer", 0, p, 5) for p in range(5)] + [(1, "answer", 0, 9, 1)]
    live = []
    for index in range(5, len(events) + 1):
        table = Table()
        table.node(0)
        for _clock, _kind, period, person, value in events[:index]:
            table.add(period, person, value)
        live.append(table.figure(0, lambda v: sum(v) / len(v)).value)
    assert live[0] != live[-1]  # 5.0, then 4.33: the sixth answer is 26 - 25 = 1
    assert read(events, 1)[0][2] == "shown once the month is over"
    assert read(events, 10)[0][:2] == (4.333333333333333, "5–9")
