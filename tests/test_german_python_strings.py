"""The sentences written in Python (domain errors, form errors, e-mail subjects) arrive in
German, through the pages and the API alike, when German is the reader's language; the
rest of the suite checks the English ones.

Who reads in which language is the language middleware's business. Until accounts carry
their own language, the request runs in the language active on the test's thread; once
they do, the person's own choice decides (the API, called with a token, reads the
Accept-Language header). `german` sets all three, so this test holds either way.
"""

from contextlib import contextmanager

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from peergroups.api.tests.helpers import bearer
from peergroups.groups.models import GroupMembership
from peergroups.groups.services import GROUP_NAME_MAX

API = "/api/organizations/acme"
GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


@contextmanager
def german(*people):
    for person in people:
        if hasattr(person, "language"):
            person.language = "de"
            person.save(update_fields=["language"])
    with translation.override("de"):
        yield


def manage_url(group) -> str:
    return reverse("groups-manage", kwargs={"org_slug": "acme", "group_id": group.pk})


@pytest.mark.django_db
def test_a_domain_error_reads_in_german_on_the_page_and_in_the_api(client, cast):
    refusal = (
        "Sie können sich nicht selbst deaktivieren; bitten Sie eine andere Admin-Person darum."
    )
    client.force_login(cast.admin)
    person = reverse("dashboards-person", kwargs={"org_slug": "acme", "user_id": cast.admin.pk})
    with german(cast.admin):
        page = client.post(person, {"action": "deactivate", "confirm": "on"}, **GERMAN)
        client.logout()
        answer = client.post(
            f"{API}/people/{cast.admin.pk}/deactivate",
            {},
            content_type="application/json",
            **GERMAN,
            **bearer(cast.admin),
        )
    assert page.status_code == 409
    assert refusal in page.content.decode()
    assert answer.status_code == 409
    assert answer.json()["detail"] == refusal
    # The same refusal in English for everyone else: nothing stays switched.
    english = client.post(
        f"{API}/people/{cast.admin.pk}/deactivate",
        {},
        content_type="application/json",
        **bearer(cast.admin),
    )
    assert english.json()["detail"] == "You cannot deactivate yourself; ask another admin."


@pytest.mark.django_db
def test_a_form_error_reads_in_german_on_the_page_and_in_the_api(client, cast):
    too_long = "x" * (GROUP_NAME_MAX + 1)
    bound = f"Bitte höchstens {GROUP_NAME_MAX} Zeichen."
    client.force_login(cast.admin)
    with german(cast.admin):
        page = client.post(
            manage_url(cast.group),
            {"action": "rename", "rename-name": too_long, "rename-version": cast.group.version},
            **GERMAN,
        )
        client.logout()
        answer = client.patch(
            f"{API}/groups/{cast.group.pk}",
            {"name": too_long, "version": cast.group.version},
            "application/json",
            **GERMAN,
            **bearer(cast.admin),
        )
    assert page.status_code == 422
    assert bound in page.content.decode()
    assert "Name" in page.content.decode()  # the page itself is still there, with its form
    assert answer.status_code == 422
    assert [error["message"] for error in answer.json()["errors"]] == [bound]
    assert answer.json()["errors"][0]["field"] == "name"  # field names stay English


@pytest.mark.django_db
def test_an_e_mail_subject_reads_in_german_after_a_move_on_the_page_and_in_the_api(
    client, cast, run_tasks, django_capture_on_commit_callbacks
):
    subject = "Ihre Peergroup heißt jetzt Group B (Leaders 2027)"
    client.force_login(cast.admin)
    with german(cast.admin, cast.member, cast.member2):
        with django_capture_on_commit_callbacks(execute=True):
            page = client.post(
                manage_url(cast.group),
                {
                    "action": "move",
                    "move-user": cast.member.pk,
                    "move-to_group": cast.other_group.pk,
                },
                **GERMAN,
            )
            client.logout()
            answer = client.post(
                f"{API}/groups/{cast.group.pk}/moves",
                {"user_id": cast.member2.pk, "to_group_id": cast.other_group.pk},
                content_type="application/json",
                **GERMAN,
                **bearer(cast.admin),
            )
        run_tasks()  # the e-mails are written here, as a worker writes them
    assert page.status_code == 302
    assert answer.status_code == 201, answer.json()
    assert GroupMembership.objects.filter(group=cast.other_group).count() == 3
    sent = {message.to[0]: message.subject for message in mail.outbox}
    assert sent == {cast.member.email: subject, cast.member2.email: subject}


def test_labels_of_fields_built_at_import_follow_the_reader():
    # Fields built once, when the module is imported (a helper called in a class body),
    # were fixed in the language of the process's start: English for every reader.
    from peergroups.groups.forms import MoveForm
    from peergroups.outcomes.forms import PulseForm

    with translation.override("de"):
        assert MoveForm().fields["reason"].label == "Grund (vertraulich)"
        blank_choices = [
            str(field.choices[0][1])
            for field in PulseForm().fields.values()
            if getattr(field, "choices", None) and field.choices[0][0] == ""
        ]
        assert blank_choices == ["Kein Treffen"]
