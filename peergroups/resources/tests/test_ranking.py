"""Ranking on a small labelled set: the demo library (44 resources across twelve topics)
and 20 queries a member would type, each with the resource they are looking for.

The right resource must be in the top 3 for every query, on SQLite and on PostgreSQL.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from peergroups.demo.resources import LIBRARY
from peergroups.resources import selectors, services
from peergroups.resources.tests.conftest import access_of

LABELLED = [
    ("interview scorecard", "Structured interview scorecard"),
    ("onboarding new manager", "First 90 days onboarding plan for new managers"),
    ("reference check", "Reference checks that actually tell you something"),
    ("job ad for engineers", "Writing a job ad that attracts senior engineers"),
    ("reorganization announcement", "Announcing a reorganization without losing the team"),
    ("kotter steps", "Kotter's eight steps, a practical summary"),
    ("team charter", "Team charter workshop"),
    ("psych safety", "Psychological safety pulse questions"),
    ("blameless retrospective", "Running a blameless retrospective"),
    ("cash flow forecast", "Thirteen-week cash flow forecast"),
    ("raise prices without churn", "Pricing increase playbook"),
    ("pipeline review", "Sales pipeline review cadence"),
    ("commission plan", "Commission plan design checklist"),
    ("complaint escalation", "Customer complaint escalation ladder"),
    ("one page marketing plan", "One-page marketing plan"),
    ("strategy offsite", "Annual strategy offsite agenda"),
    ("okrs", "OKRs without the bureaucracy"),
    ("subject access request", "GDPR checklist for customer data"),
    ("intervew scorcard", "Structured interview scorecard"),  # typos
    ("delegat", "Delegation levels card"),  # still typing
]


@pytest.fixture
def library(accepted):
    for title, kind, topics, summary, url, text in LIBRARY:
        services.resource_share(
            user=accepted.member,
            access=access_of(accepted.member),
            kind=kind,
            title=title,
            summary=summary,
            topics=topics,
            scope="organization",
            url=url or "",
            upload=SimpleUploadedFile("notes.md", text.encode()) if text else None,
        )
    return accepted


def test_the_labelled_set_has_twenty_queries():
    titles = {entry[0] for entry in LIBRARY}
    assert len(LABELLED) == 20
    assert {want for _, want in LABELLED} <= titles


def test_right_resource_in_the_top_three_for_every_query(library):
    misses = []
    for query, want in LABELLED:
        page = selectors.library(
            user=library.member2, access=access_of(library.member2), query=query
        )
        top = [r.title for r in page.resources[:3]]
        if want not in top:
            misses.append((query, want, top))
    assert not misses, misses
