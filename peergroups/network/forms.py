"""Forms of the network pages; bounds come from models, rules are the services'."""

from django import forms

from peergroups.network.models import (
    ANSWER_MAX,
    ASK_ME_ABOUT_MAX,
    QUESTION_BODY_MAX,
    QUESTION_TITLE_MAX,
    TOPICS_MAX,
)
from peergroups.people.vocabulary import AREAS
from peergroups.textlimits import text_bound


class DirectoryEntryForm(forms.Form):
    listed = forms.BooleanField(label="List me in the directory", required=False)
    show_expertise = forms.BooleanField(label="Show my areas of expertise", required=False)
    show_industry = forms.BooleanField(label="Show my industry", required=False)
    show_region = forms.BooleanField(label="Show my region", required=False)
    show_role = forms.BooleanField(label="Show my role and company", required=False)
    ask_me_about = text_bound(
        forms.CharField(
            label="Ask me about",
            required=False,
            help_text="One line, e.g. “scaling a sales team from 5 to 30”.",
        ),
        ASK_ME_ABOUT_MAX,
    )
    ask_me_about_topics = forms.MultipleChoiceField(
        label="Topics to ask me about",
        choices=AREAS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=f"Up to {TOPICS_MAX}.",
    )
    handled_topics = forms.MultipleChoiceField(
        label="Topics I have handled",
        choices=AREAS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=f"Up to {TOPICS_MAX}.",
    )
    accepts_questions = forms.BooleanField(label="Peers may send me questions", required=False)


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label="Name or “ask me about”", required=False, max_length=100)
    expertise = forms.ChoiceField(
        label="Expertise or topic", choices=[("", "Any"), *AREAS], required=False
    )
    industry = forms.CharField(required=False, max_length=100)
    region = forms.CharField(required=False, max_length=100)


class QuestionForm(forms.Form):
    title = text_bound(forms.CharField(label="Your question"), QUESTION_TITLE_MAX)
    body = text_bound(
        forms.CharField(
            label="Context",
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text="What you tried, what is at stake. Leave out anything confidential to your group.",
        ),
        QUESTION_BODY_MAX,
    )
    topics = forms.MultipleChoiceField(
        choices=AREAS, widget=forms.CheckboxSelectMultiple, help_text=f"Up to {TOPICS_MAX}."
    )
    anonymous = forms.BooleanField(
        label="Ask anonymously (the people you ask will not see your name)", required=False
    )
    share_answers = forms.BooleanField(
        label="Let everyone I ask read all the answers", required=False
    )


class AnswerForm(forms.Form):
    body = text_bound(
        forms.CharField(label="Your answer", widget=forms.Textarea(attrs={"rows": 5})), ANSWER_MAX
    )
