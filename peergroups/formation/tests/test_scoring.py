"""The plain-Python scorer and rule check equal the engine's, so edits show the engine's truth.

Web processes re-score edited groups with `formation.scoring` and check them with
`proposal.group_violations`; the engine (`grouping`) is the reference for both.
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grouping.affinity import Criterion, build_affinity
from grouping.checks import group_scores, violations
from grouping.explain import criterion_breakdown, explain_group
from peergroups.formation import scoring
from peergroups.formation.criteria import ATTRIBUTES, Measure, display_attributes
from peergroups.formation.execute import run_problem
from peergroups.formation.parameters import Parameters
from peergroups.formation.proposal import Proposal, group_violations
from peergroups.formation.snapshot import Person, Snapshot
from peergroups.formation.tests.conftest import groups_of

REGIONS = ["Boston", "Denver", "", "Lyon"]
AREAS = ["marketing", "hiring", "finance", "sales", "tue-am", "wed-pm"]

person_attributes = st.fixed_dictionaries(
    {
        "region": st.sampled_from(REGIONS),
        "industry": st.sampled_from(["Biotech", "Retail", ""]),
        "function": st.sampled_from(["engineering", "sales", ""]),
        "management_level": st.one_of(st.none(), st.integers(1, 5)),
        "team_size": st.one_of(st.none(), st.floats(0, 10, allow_nan=False)),
        "years_managing": st.one_of(st.none(), st.integers(0, 30)),
        "company_size": st.sampled_from(["", "small", "large"]),
        "company_stage": st.sampled_from(["", "startup", "mature"]),
        "expertise": st.lists(st.sampled_from(AREAS), max_size=4, unique=True),
        "challenge_topics": st.lists(st.sampled_from(AREAS), max_size=3, unique=True),
        "availability": st.lists(st.sampled_from(AREAS), max_size=3, unique=True),
    }
)
criterion = st.builds(
    lambda attribute, mode, weight: Measure(attribute, mode, weight, ATTRIBUTES[attribute][1]),
    st.sampled_from(sorted(ATTRIBUTES)),
    st.sampled_from(["similar", "diverse"]),
    st.floats(0.1, 10, allow_nan=False),
)


@settings(max_examples=60, deadline=None)
@given(
    people=st.lists(person_attributes, min_size=2, max_size=9),
    criteria=st.lists(criterion, min_size=1, max_size=5),
)
def test_pair_affinity_equals_the_engines_matrix(people, criteria):
    engine = build_affinity(people, [Criterion(*m) for m in criteria])
    spans = scoring.number_spans(people, criteria)
    ours = np.array(
        [
            [scoring.pair_affinity(a, b, criteria, spans) if a is not b else 0.0 for b in people]
            for a in people
        ]
    )
    np.testing.assert_allclose(ours, engine, rtol=1e-12, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    people=st.lists(person_attributes, min_size=0, max_size=10),
    criteria=st.lists(criterion, min_size=0, max_size=5),
    met=st.integers(0, 3),
    penalty=st.floats(0, 2, allow_nan=False),
)
def test_group_score_is_the_sum_of_its_pairs_to_the_last_bit(people, criteria, met, penalty):
    """`group_score` reads each member's values once; the float is the one the sum of
    `pair_affinity` over the pairs gives, not merely close to it."""
    spans = scoring.number_spans(people, criteria)
    pairs = sum(
        scoring.pair_affinity(a, b, criteria, spans)
        for i, a in enumerate(people)
        for b in people[i + 1 :]
    )
    score = scoring.group_score(people, criteria, spans, met=met, history_penalty=penalty)
    assert score == pairs - penalty * met


@settings(max_examples=60, deadline=None)
@given(
    people=st.lists(person_attributes, min_size=1, max_size=10),
    criteria=st.lists(criterion, min_size=1, max_size=5),
)
def test_breakdown_and_explanation_equal_the_engines(people, criteria):
    members = list(range(len(people)))
    engine_criteria = [Criterion(*m) for m in criteria]
    expected = criterion_breakdown(people, members, engine_criteria)
    assert scoring.breakdown(people, criteria) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    display = [display_attributes(p) for p in people]
    assert scoring.explanation(display, criteria) == explain_group(
        display, members, engine_criteria
    )


def small_snapshot() -> tuple[Snapshot, Parameters]:
    rng = np.random.default_rng(3)
    people = tuple(
        Person(
            user_id=100 + i,
            name=f"Person {i}",
            attributes={
                "region": "Boston" if i < 6 else "Denver",
                "industry": ["Biotech", "Retail"][i % 2],
                "function": "",
                "management_level": int(rng.integers(1, 5)),
                "team_size": None,
                "years_managing": int(rng.integers(0, 20)),
                "company_size": "",
                "company_stage": "",
                "expertise": sorted(rng.choice(AREAS, 2, replace=False).tolist()),
                "challenge_topics": [],
                "availability": [],
            },
        )
        for i in range(10)
    )
    snapshot = Snapshot(
        people=people,
        kept_apart={(100, 101): "reporting line", (102, 107): "declared not-with"},
        history=((100, 103), (104, 105)),
    )
    parameters = Parameters(
        mode="unplaced",
        basis="region",
        criteria=[
            {"attribute": "industry", "mode": "similar", "weight": 2},
            {"attribute": "management_level", "mode": "similar", "weight": 1},
            {"attribute": "expertise", "mode": "diverse", "weight": 2},
        ],
        min_size=2,
        max_size=4,
        seconds=1,
        seed=1,
        history_penalty=1.5,
    )
    return snapshot, parameters


def _engine_verdicts(found: list[str]) -> set[tuple[str, int]]:
    verdicts = set()
    for message in found:
        if match := re.match(r"group (\d+) has \d+ people, size", message):
            verdicts.add(("size", int(match[1])))
        elif match := re.search(r"must not share a group but share group (\d+)", message):
            verdicts.add(("kept_apart", int(match[1])))
        elif match := re.match(r"group (\d+) mixes segments", message):
            verdicts.add(("segment", int(match[1])))
        else:
            raise AssertionError(message)
    return verdicts


@settings(max_examples=80, deadline=None)
@given(assignment=st.lists(st.integers(0, 3), min_size=10, max_size=10))
def test_group_rules_give_the_engines_verdicts(assignment):
    snapshot, parameters = small_snapshot()
    problem = run_problem(snapshot, parameters)
    labels = sorted(set(assignment))  # relabel so no group is empty, as in a proposal
    compact = [labels.index(g) for g in assignment]
    ours = set()
    for g in range(len(labels)):
        members = tuple(
            p.user_id for p, label in zip(snapshot.people, compact, strict=True) if label == g
        )
        ours |= {
            (v.kind, g)
            for v in group_violations(
                snapshot=snapshot, parameters=parameters, index=g, members=members
            )
        }
    assert ours == _engine_verdicts(violations(problem, np.array(compact)))


@settings(max_examples=40, deadline=None)
@given(assignment=st.lists(st.integers(0, 3), min_size=10, max_size=10))
def test_group_scores_equal_the_engines_with_history(assignment):
    from peergroups.formation.proposal import ProposedGroup, group_refigured

    snapshot, parameters = small_snapshot()
    problem = run_problem(snapshot, parameters)
    labels = sorted(set(assignment))
    compact = [labels.index(g) for g in assignment]
    engine = group_scores(problem, np.array(compact), len(labels))
    for g in range(len(labels)):
        members = tuple(
            p.user_id for p, label in zip(snapshot.people, compact, strict=True) if label == g
        )
        group = group_refigured(
            snapshot=snapshot, parameters=parameters, group=ProposedGroup(members=members)
        )
        assert group.score == pytest.approx(engine[g], rel=1e-12, abs=1e-9)


def test_scores_after_an_edit_equal_the_engines_objective(cast, waiting, solved):
    from peergroups.formation.services import proposal_swap

    run = solved(basis="mixed", history_penalty=0.0)
    snapshot = Snapshot.from_json(run.snapshot)
    stored = Proposal.from_json(run.proposal)
    groups = groups_of(run)
    proposal_swap(run=run, user_a=groups[0][0], user_b=groups[1][0], acting_user=cast.admin)
    run.refresh_from_db()
    edited = Proposal.from_json(run.proposal)
    assert edited.groups[2:] == stored.groups[2:]  # untouched groups keep the engine's figures

    problem = run_problem(snapshot, Parameters.from_json(run.parameters))
    where = edited.where()
    assignment = np.array([where[p.user_id] for p in snapshot.people])
    engine = group_scores(problem, assignment, len(edited.groups))
    assert [g.score for g in edited.groups] == pytest.approx(engine.tolist(), rel=1e-12)
    assert sum(g.score for g in edited.groups) == pytest.approx(float(engine.sum()), rel=1e-12)
    # Before the edit the stored scores were the engine's own.
    assert sum(g.score for g in stored.groups) == pytest.approx(run.best_objective, rel=1e-12)


def test_a_large_run_searches_in_steps_and_reads_exact_figures(cast, waiting, solved, monkeypatch):
    from peergroups.formation import execute

    # From QUANTIZED_FROM_PEOPLE the engine searches an int16 affinity; lowered here so
    # that the fixture's program counts as large.
    monkeypatch.setattr(execute, "QUANTIZED_FROM_PEOPLE", 2)
    run = solved(basis="mixed", history_penalty=2.0)
    assert run.status == "done"
    snapshot = Snapshot.from_json(run.snapshot)
    parameters = Parameters.from_json(run.parameters)
    assert run_problem(snapshot, parameters, dtype=np.int16).affinity.dtype == np.int16
    stored = Proposal.from_json(run.proposal)
    where = stored.where()
    exact = run_problem(snapshot, parameters)  # float64
    engine = group_scores(exact, np.array([where[p.user_id] for p in snapshot.people]))
    assert [g.score for g in stored.groups] == pytest.approx(engine.tolist(), rel=1e-12)
    assert run.best_objective == pytest.approx(float(engine.sum()), rel=1e-12)
