"""The affinity builder and the group explanations, on small cases worked by hand."""

import numpy as np
import pytest

from grouping.affinity import Criterion, build_affinity
from grouping.exceptions import InputError
from grouping.explain import criterion_breakdown, explain_group

PEOPLE = [
    {"region": "Boston", "years": 2, "expertise": ["marketing", "hiring"]},
    {"region": "Boston", "years": 12, "expertise": ["hiring"]},
    {"region": "Denver", "years": 7, "expertise": ["finance", "sales"]},
    {"region": "", "years": None, "expertise": []},
]


def one(criterion: Criterion) -> np.ndarray:
    return build_affinity(PEOPLE, [criterion])


def test_categories_compare_by_equality_and_missing_counts_nothing():
    d = one(Criterion("region", "similar"))
    assert d[0, 1] == 1.0
    assert d[0, 2] == 0.0
    assert d[3, 0] == d[0, 3] == 0.0
    assert one(Criterion("region", "diverse"))[0, 3] == 0.0  # missing counts nothing either way


def test_numbers_compare_by_closeness_over_the_range():
    d = one(Criterion("years", "similar"))
    assert d[0, 1] == pytest.approx(0.0)  # 2 vs 12: the whole range apart
    assert d[0, 2] == pytest.approx(0.5)  # 2 vs 7: half the range


def test_sets_compare_by_jaccard_overlap():
    d = one(Criterion("expertise", "similar"))
    assert d[0, 1] == pytest.approx(0.5)  # {marketing, hiring} vs {hiring}
    assert d[0, 2] == 0.0


def test_affinity_is_the_weighted_sum_with_diverse_criteria_flipped():
    criteria = [Criterion("region", "similar", 2.0), Criterion("expertise", "diverse", 1.0)]
    d = build_affinity(PEOPLE, criteria)
    assert d[0, 1] == pytest.approx(2.0 * 1.0 + 1.0 * (1 - 0.5))
    assert d[0, 2] == pytest.approx(2.0 * 0.0 + 1.0 * 1.0)
    assert np.allclose(d, d.T)
    assert np.all(np.diag(d) == 0)


def test_affinity_is_invariant_under_relabelling():
    criteria = [
        Criterion("region", "similar"),
        Criterion("years", "diverse"),
        Criterion("expertise"),
    ]
    order = [2, 0, 3, 1]
    d = build_affinity(PEOPLE, criteria)
    shuffled = build_affinity([PEOPLE[i] for i in order], criteria)
    assert np.allclose(shuffled, d[np.ix_(order, order)])


def test_unknown_attribute_and_bad_mode_are_refused():
    with pytest.raises(InputError, match="industry"):
        build_affinity(PEOPLE, [Criterion("industry")])
    with pytest.raises(InputError, match="similar"):
        Criterion("region", "opposite")


def test_explanation_names_what_the_group_shares_and_brings():
    people = [
        {"industry": "biotech", "region": "Boston", "expertise": ["marketing", "hiring"]},
        {"industry": "biotech", "region": "Boston", "expertise": ["finance"]},
        {"industry": "biotech", "region": "Cambridge", "expertise": ["hiring", "sales"]},
    ]
    criteria = [
        Criterion("industry", "similar"),
        Criterion("region", "similar"),
        Criterion("expertise"),
    ]
    text = explain_group(people, [0, 1, 2], criteria)
    assert text.startswith("shares: biotech, Boston (2/3); brings: ")
    assert set(text.split("brings: ")[1].split(", ")) == {"finance", "marketing", "sales", "hiring"}


def test_breakdown_gives_each_criterion_its_share_of_pairs():
    people = [
        {"industry": "biotech", "region": "Boston", "expertise": ["marketing", "hiring"]},
        {"industry": "biotech", "region": "Boston", "expertise": ["finance"]},
        {"industry": "biotech", "region": "Cambridge", "expertise": ["hiring", "sales"]},
    ]
    criteria = [
        Criterion("industry", "similar", 5.0),
        Criterion("region", "similar"),
        Criterion("expertise"),
    ]
    breakdown = criterion_breakdown(people, [0, 1, 2], criteria)
    assert breakdown["industry"] == pytest.approx(1.0)  # weights do not matter here
    assert breakdown["region"] == pytest.approx(1 / 3)
    # Expertise overlaps: {m,h}-{f}: 0, {m,h}-{h,s}: 1/3, {f}-{h,s}: 0 -> diversity 1 - 1/9.
    assert breakdown["expertise"] == pytest.approx(1 - 1 / 9)
