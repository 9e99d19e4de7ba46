"""Affinity from attributes and criteria, and the plain-words explanations."""

import numpy as np
import pytest

from grouping import InputError
from grouping.affinity import Criterion, build_affinity, detect_kind
from grouping.explain import explain_group

PEOPLE = [
    {"region": "north", "industry": "biotech", "expertise": {"marketing", "hiring"}, "years": 2.0},
    {"region": "north", "industry": "biotech", "expertise": {"finance"}, "years": 12.0},
    {"region": "south", "industry": "retail", "expertise": {"hiring", "finance"}, "years": 22.0},
]


def test_kinds_are_detected_from_values():
    assert detect_kind(["a", "b", None]) == "category"
    assert detect_kind([1.0, 3, None]) == "number"
    assert detect_kind([{"a"}, frozenset(), None]) == "set"


def test_equality_closeness_and_overlap_with_weights():
    D = build_affinity(
        PEOPLE,
        [
            Criterion("region", "similar", 2.0),
            Criterion("years", "similar", 1.0),
            Criterion("expertise", "diverse", 1.0),
        ],
    )
    assert D.shape == (3, 3)
    assert np.allclose(D, D.T)
    assert np.all(np.diag(D) == 0)
    # 0-1: same region (2), years 10 apart of a 20 range (0.5), no shared expertise (1 - 0)
    assert D[0, 1] == pytest.approx(2 + 0.5 + 1)
    # 0-2: other region (0), 20 apart (0), overlap 1/3 -> diverse 2/3
    assert D[0, 2] == pytest.approx(2 / 3)


def test_missing_values_count_zero_whatever_the_mode():
    people = [{"r": "a"}, {"r": ""}, {"r": "b"}]
    D = build_affinity(people, [Criterion("r", "diverse")])
    assert D[0, 1] == 0 and D[0, 2] == 1


def test_float32_and_blocks_give_the_same_matrix():
    rng = np.random.default_rng(0)
    people = [{"x": float(v), "s": frozenset(rng.choice(5, 2).tolist())} for v in rng.random(50)]
    crit = [Criterion("x", "diverse"), Criterion("s", "similar", 0.5)]
    a = build_affinity(people, crit)
    b = build_affinity(people, crit, dtype=np.float32, block=7)
    assert b.dtype == np.float32
    assert np.allclose(a, b, atol=1e-6)


def test_unknown_attribute_is_an_input_error():
    with pytest.raises(InputError, match="unknown attribute 'sector'"):
        build_affinity(PEOPLE, [Criterion("sector")])


def test_explanation_names_what_is_shared_and_brought():
    crit = [
        Criterion("region", "similar"),
        Criterion("industry", "similar"),
        Criterion("expertise", "diverse"),
    ]
    text = explain_group(PEOPLE, [0, 1], crit)
    assert text == "shares: north, biotech; brings: finance, hiring, marketing"
    text = explain_group(PEOPLE, [0, 1, 2], crit)
    assert text.startswith("shares: north (2/3), biotech (2/3); brings: marketing")


def test_affinity_is_invariant_under_relabelling():
    crit = [Criterion("region", "similar"), Criterion("years", "diverse"), Criterion("expertise")]
    order = [2, 0, 1]
    D = build_affinity(PEOPLE, crit)
    shuffled = build_affinity([PEOPLE[i] for i in order], crit)
    assert np.allclose(shuffled, D[np.ix_(order, order)])


def test_breakdown_gives_each_criterion_its_share_of_pairs():
    from grouping.explain import criterion_breakdown

    crit = [
        Criterion("industry", "similar", 5.0),
        Criterion("region", "similar"),
        Criterion("expertise", "diverse"),
    ]
    breakdown = criterion_breakdown(PEOPLE, [0, 1, 2], crit)
    assert breakdown["industry"] == pytest.approx(1 / 3)  # one pair of three; weights do not matter
    assert breakdown["region"] == pytest.approx(1 / 3)
    # Expertise overlaps: {m,h}-{f}: 0, {m,h}-{h,f}: 1/3, {f}-{h,f}: 1/2 -> diversity 1 - 5/18.
    assert breakdown["expertise"] == pytest.approx(1 - (1 / 3 + 1 / 2) / 3)
