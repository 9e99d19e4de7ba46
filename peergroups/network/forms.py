"""Forms of the network pages; bounds come from models, rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy

from peergroups.formats import lazy_format
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
    listed = forms.BooleanField(label=gettext_lazy("List me in the directory"), required=False)
    show_expertise = forms.BooleanField(
        label=gettext_lazy("Show my areas of expertise"), required=False
    )
    show_industry = forms.BooleanField(label=gettext_lazy("Show my industry"), required=False)
    show_region = forms.BooleanField(label=gettext_lazy("Show my region"), required=False)
    show_role = forms.BooleanField(label=gettext_lazy("Show my role and company"), required=False)
    ask_me_about = text_bound(
        forms.CharField(
            label=gettext_lazy("Ask me about"),
            required=False,
            help_text=gettext_lazy("One line, e.g. “scaling a sales team from 5 to 30”."),
        ),
        ASK_ME_ABOUT_MAX,
    )
    ask_me_about_topics = forms.MultipleChoiceField(
        label=gettext_lazy("Topics to ask me about"),
        choices=AREAS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=lazy_format(gettext_lazy("Up to %(topics_max)s."), topics_max=TOPICS_MAX),
    )
    handled_topics = forms.MultipleChoiceField(
        label=gettext_lazy("Topics I have handled"),
        choices=AREAS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=lazy_format(gettext_lazy("Up to %(topics_max)s."), topics_max=TOPICS_MAX),
    )
    accepts_questions = forms.BooleanField(
        label=gettext_lazy("Peers may send me questions"), required=False
    )


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Name or “ask me about”"), required=False, max_length=100
    )
    expertise = forms.ChoiceField(
        label=gettext_lazy("Expertise or topic"),
        choices=[("", gettext_lazy("Any")), *AREAS],
        required=False,
    )
    industry = forms.CharField(label=gettext_lazy("Industry"), required=False, max_length=100)
    region = forms.CharField(label=gettext_lazy("Region"), required=False, max_length=100)


class QuestionForm(forms.Form):
    title = text_bound(forms.CharField(label=gettext_lazy("Your question")), QUESTION_TITLE_MAX)
    body = text_bound(
        forms.CharField(
            label=gettext_lazy("Context"),
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text=gettext_lazy(
                "What you tried, what is at stake. Leave out anything confidential to your group."
            ),
        ),
        QUESTION_BODY_MAX,
    )
    topics = forms.MultipleChoiceField(
        label=gettext_lazy("Topics"),
        choices=AREAS,
        widget=forms.CheckboxSelectMultiple,
        help_text=lazy_format(gettext_lazy("Up to %(topics_max)s."), topics_max=TOPICS_MAX),
    )
    anonymous = forms.BooleanField(
        label=gettext_lazy("Ask anonymously (the people you ask will not see your name)"),
        required=False,
    )
    share_answers = forms.BooleanField(
        label=gettext_lazy("Let everyone I ask read all the answers"), required=False
    )


class AnswerForm(forms.Form):
    body = text_bound(
        forms.CharField(
            label=gettext_lazy("Your answer"), widget=forms.Textarea(attrs={"rows": 5})
        ),
        ANSWER_MAX,
    )
