"""Schemathesis fuzzes every API operation from the OpenAPI schema the API serves.

Each operation gets generated requests as a member and as an admin (bearer tokens), with
the organization slug and, half the time, the ids of real objects of the cast's
organization filled in, so requests reach the handlers and not only the 404s. The suite
fails on any server error, any status the schema does not document, and any body or
content type that does not match the schema. Examples per operation are bounded so the
run stays in seconds.

Schemathesis generates NUL in strings (`allow_x00`, checked below); a second run takes
each operation's generated requests and writes a control character (NUL, BEL, ESC, DEL,
CSI) into every string of the query and the body, so every operation meets
them, not only the ones whose generated strings happen to hold one: each must answer a
documented 4xx (the input guard's 422), never a server error.
"""

import itertools

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import build_cast
from peergroups.wsgi import application

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_tests_connection():
    """Call the WSGI app as Django's test client does: without closing the connection.

    A real request closes the database connection when it ends; inside a test that
    connection holds the test's transaction (on PostgreSQL, closing it ends the test).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens_and_ids(db):
    from peergroups.api.services import token_create
    from peergroups.organizations.services import invitation_create
    from peergroups.people.models import FacilitatorProfile

    cast = build_cast()
    member_token = token_create(user=cast.member, name="fuzz")[1]
    admin_token = token_create(user=cast.admin, name="fuzz")[1]
    # An open invitation and a waiting facilitator application, for the admins' routes.
    invitation, _ = invitation_create(
        organization=cast.organization, email="fuzz@acme.test", acting_user=cast.admin, send=False
    )
    application = FacilitatorProfile.objects.create(
        organization=cast.organization, user=cast.member2, expertise=["sales"]
    )
    ids = {
        "org_slug": "acme",
        "group_id": cast.group.pk,
        "program_id": cast.program.pk,
        "invitation_id": invitation.pk,
        "profile_id": application.pk,
        "user_id": cast.other_member.pk,
    }
    return [member_token, admin_token], ids


# The schema page needs no database, so it is read once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_within_its_schema(case, tokens_and_ids):
    tokens, ids = tokens_and_ids
    _fill_ids(case, ids)
    for token in tokens:
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=CHECKS)


def test_the_fuzzer_generates_nul():
    assert schema.config.generation.allow_x00


# (A lone surrogate cannot be sent through the fuzzer's client; tests/test_hostile_input.py
# sends one in a JSON body.)
CONTROLS = ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\x00\x00"]
_next_control = itertools.cycle(CONTROLS)


def _poisoned(value, control: str):
    """The value with `control` written into every string in it (an empty one becomes it)."""
    if isinstance(value, str):
        return value[:1] + control + value[1:]
    if isinstance(value, dict):
        return {key: _poisoned(item, control) for key, item in value.items()}
    if isinstance(value, list):
        return [_poisoned(item, control) for item in value]
    return value


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_refuses_control_characters_in_every_operation(case, tokens_and_ids):
    tokens, ids = tokens_and_ids
    _fill_ids(case, ids)
    control = next(_next_control)
    if case.query:
        case.query = _poisoned(case.query, control)
    if isinstance(case.body, dict | list | str):
        case.body = _poisoned(case.body, control)
    for token in tokens:
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=CHECKS)
        if _holds_string(case):  # a string with a control character in it went out
            assert 400 <= response.status_code < 500, (
                response.status_code,
                response.text[:100],
                response.request.headers,
                response.request.body,
            )


def _holds_string(case) -> bool:
    def strings(value) -> bool:
        if isinstance(value, str):
            return True
        if isinstance(value, dict):
            return any(strings(v) for v in value.values())
        if isinstance(value, list):
            return any(strings(v) for v in value)
        return False

    return strings(case.query) or strings(case.body)


def _fill_ids(case, ids: dict) -> None:
    for name, value in ids.items():
        if case.path_parameters and name in case.path_parameters:
            generated = case.path_parameters[name]
            # The slug always, ids half the time: both real objects and strangers get tried.
            if isinstance(value, str) or (isinstance(generated, int) and generated % 2 == 0):
                case.path_parameters[name] = value
