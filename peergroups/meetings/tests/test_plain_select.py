"""The run of show's attendance choices render in Python (`PlainSelect`) exactly as
Django's own Select renders them through its templates."""

import pytest
from django import forms
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from peergroups.meetings.forms import AttendanceForm, PlainSelect
from peergroups.meetings.models import AttendanceStatus

text = st.text(alphabet=st.sampled_from(list("ab <>&\"'é") + [" ", "\u00a0"]), max_size=6)
choice = st.tuples(st.one_of(text, st.integers(-3, 300)), text)
choices = st.lists(
    st.one_of(choice, st.tuples(text.filter(bool), st.lists(choice, min_size=1, max_size=3))),
    max_size=5,
)
attrs = st.dictionaries(
    st.sampled_from(["class", "id", "data-x", "aria-describedby", "required", "disabled"]),
    st.one_of(st.booleans(), text, st.integers(0, 9)),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(choices=choices, attrs=attrs, extra=attrs, value=st.one_of(st.none(), text, st.lists(text)))
def test_plain_select_renders_as_djangos_select(choices, attrs, extra, value):
    for multiple in (False, True):
        django, plain = forms.Select(attrs, choices), PlainSelect(attrs, choices)
        django.allow_multiple_selected = plain.allow_multiple_selected = multiple
        assert plain.render("field", value, extra) == django.render("field", value, extra)


def test_safe_labels_and_values_are_not_escaped_twice():
    choices = [(mark_safe("<b>"), mark_safe("<i>x</i>")), ("&", "A & B")]
    assert PlainSelect(choices=choices).render("f", "&") == forms.Select(choices=choices).render(
        "f", "&"
    )


@pytest.mark.django_db
def test_the_attendance_form_renders_as_with_djangos_select(cast):
    members = [cast.member, cast.member2]
    form = AttendanceForm(members=members, recorded={cast.member.pk: "absent"}, prefix="a")
    for bound in form:
        assert isinstance(bound.field.widget, PlainSelect)
        ours = str(bound)
        bound.field.widget = forms.Select(choices=AttendanceStatus.choices)
        assert ours == str(bound)
