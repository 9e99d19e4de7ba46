"""One status for a form with errors, everywhere (issue 22): a page that shows a submitted
form again with its errors answers 422 (`peergroups.http.FORM_INVALID`), the status the API
gives bad input and the one static/js/htmx-errors.js lets htmx swap in place.

The walk posts nothing (every field left empty) to every page's POST route in the access
matrix, as someone allowed to post there, and checks what comes back: a redirect (nothing
was required), a refusal's own status, or the form again with its errors at 422; never a
400 and never a form with errors at 200.
"""

import re
from pathlib import Path

import pytest
from django.forms import BaseForm, BaseFormSet

from tests.test_access_matrix import LOGIN, MATRIX, resolve_kwargs, world  # noqa: F401

PREFERRED = ["admin", "facilitator", "member", "member2", "other_member", "anonymous"]
PAGE_POSTS = sorted(name for name, method in MATRIX if method == "post" and ":" not in name)


def poster(name: str) -> str | None:
    """Someone the matrix lets post here (a 200, a redirect or a 422, not a refusal)."""
    expected = MATRIX[(name, "post")][1]
    for role in PREFERRED:
        if expected.get(role) in (200, 302, 422):
            return role
    return None


def forms_with_errors(response) -> list:
    found = []
    contexts = response.context if isinstance(response.context, list) else [response.context]
    for context in contexts:
        if context is None:
            continue
        for value in context.flatten().values():
            if isinstance(value, dict):
                candidates = list(value.values())
            elif isinstance(value, list | tuple):
                candidates = list(value)
            else:
                candidates = [value]
            for candidate in candidates:
                if isinstance(candidate, BaseFormSet) and candidate.is_bound:
                    if candidate.total_error_count():
                        found.append(candidate)
                elif isinstance(candidate, BaseForm) and candidate.is_bound and candidate.errors:
                    found.append(candidate)
    return found


@pytest.mark.django_db
def test_every_form_answers_422_with_its_errors(client, world):  # noqa: F811
    walked, invalid, problems = [], [], []
    for name in PAGE_POSTS:
        role = poster(name)
        if role is None:
            continue
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(world["cast"], role))
        from django.urls import reverse

        url = reverse(name, kwargs=resolve_kwargs(MATRIX[(name, "post")][0], world))
        response = client.post(url, {"walk": "1"})  # a browser always sends its CSRF token
        walked.append(name)
        errors = forms_with_errors(response)
        if response.status_code == 400:
            problems.append(f"{name} as {role}: 400")
        elif errors and response.status_code != 422:
            problems.append(f"{name} as {role}: a form with errors at {response.status_code}")
        elif errors:
            invalid.append(name)
    assert problems == []
    # The walk reached the forms: most of them require something and said so.
    assert len(walked) >= 40 and len(invalid) >= 25, (len(walked), sorted(invalid))


FORM_STATUS_LITERAL = re.compile(r"status\s*=\s*(?:400|422)\b")
# A request that is not a form at all (an unknown run-of-show action) may still be a 400.
ALLOWED_LITERALS = {"peergroups/meetings/views.py": 1}


def literal_form_statuses(root: Path) -> dict[str, int]:
    """Page modules that write a 4xx status as a number instead of `form_status` /
    `FORM_INVALID` (or a refusal's own status), with how many times."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or "views" not in path.name:
            continue
        count = len(FORM_STATUS_LITERAL.findall(path.read_text()))
        if count > ALLOWED_LITERALS.get(relative, 0):
            found[relative] = count
    return found


def test_views_state_a_form_status_through_the_one_helper():
    assert literal_form_statuses(Path("peergroups")) == {}


def test_the_literal_check_finds_a_planted_400(tmp_path):
    views = tmp_path / "peergroups" / "things" / "views.py"
    views.parent.mkdir(parents=True)
    views.write_text('return render(request, "x.html", {}, status=400 if post else 200)\n')
    assert literal_form_statuses(tmp_path / "peergroups") == {"peergroups/things/views.py": 1}
