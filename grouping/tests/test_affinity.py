"""The affinity builder and the group explanations, on small cases worked by hand."""

import numpy as np
import pytest

from grouping.affinity import Criterion, build_affinity, similarity
from grouping.exceptions import InputError
from grouping.explain import explain_group

PEOPLE = [
    {"region": "Boston", "years": 2, "expertise": ["marketing", "hiring"]},
    {"region": "Boston", "years": 12, "expertise": ["hiring"]},
    {"region": "Denver", "years": 7, "expertise": ["finance", "sales"]},
    {"region": "", "years": None, "expertise": []},
]


def test_categories_compare_by_equality_and_missing_scores_neutral():
    s = similarity(PEOPLE, Criterion("region"))
    assert s[0, 1] == 1.0
    assert s[0, 2] == 0.0
    assert s[3, 0] == s[0, 3] == 0.5


def test_numbers_compare_by_closeness_over_the_range():
    s = similarity(PEOPLE, Criterion("years"))
    assert s[0, 1] == pytest.approx(0.0)  # 2 vs 12: the whole range apart
    assert s[0, 2] == pytest.approx(0.5)  # 2 vs 7: half the range
    assert s[3, 1] == 0.5


def test_sets_compare_by_jaccard_overlap():
    s = similarity(PEOPLE, Criterion("expertise"))
    assert s[0, 1] == pytest.approx(0.5)  # {marketing, hiring} vs {hiring}
    assert s[0, 2] == 0.0
    assert s[3, 2] == 0.5  # nothing declared: neutral


def test_affinity_is_the_weighted_sum_with_diverse_criteria_flipped():
    criteria = [Criterion("region", "similar", 2.0), Criterion("expertise", "diverse", 1.0)]
    d = build_affinity(PEOPLE, criteria)
    assert d[0, 1] == pytest.approx(2.0 * 1.0 + 1.0 * (1 - 0.5))
    assert d[0, 2] == pytest.approx(2.0 * 0.0 + 1.0 * 1.0)
    assert np.allclose(d, d.T)
    assert np.all(np.diag(d) == 0)


def test_affinity_is_invariant_under_relabelling():
    criteria = [Criterion("region"), Criterion("years", "diverse"), Criterion("expertise")]
    order = [2, 0, 3, 1]
    d = build_affinity(PEOPLE, criteria)
    shuffled = build_affinity([PEOPLE[i] for i in order], criteria)
    assert np.allclose(shuffled, d[np.ix_(order, order)])


def test_unknown_attribute_and_bad_mode_are_refused():
    with pytest.raises(InputError, match="no person has the attribute 'industry'"):
        build_affinity(PEOPLE, [Criterion("industry")])
    with pytest.raises(InputError, match="similar or diverse"):
        Criterion("region", "opposite")
    with pytest.raises(InputError):
        build_affinity(PEOPLE, [])


def test_explanation_names_what_the_group_shares_and_brings():
    people = [
        {"industry": "biotech", "region": "Boston", "expertise": ["marketing", "hiring"]},
        {"industry": "biotech", "region": "Boston", "expertise": ["finance"]},
        {"industry": "biotech", "region": "Cambridge", "expertise": ["hiring", "sales"]},
    ]
    criteria = [
        Criterion("industry"),
        Criterion("region"),
        Criterion("expertise", "diverse"),
    ]
    explanation = explain_group(people, [0, 1, 2], criteria, label=str.title)
    assert explanation.text == "shares: Biotech, Boston; brings: Hiring, Marketing, Finance, Sales"
    assert explanation.breakdown["industry"] == pytest.approx(1.0)
    assert explanation.breakdown["region"] == pytest.approx(1 / 3)
    # Expertise pairs: {m,h}-{f}: 0, {m,h}-{h,s}: 1/3, {f}-{h,s}: 0 overlap -> diversity 1 - 1/9.
    assert explanation.breakdown["expertise"] == pytest.approx(1 - 1 / 9)
