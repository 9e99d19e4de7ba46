from django import forms
from django.utils.translation import gettext_lazy


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, so you can tell your tokens apart later."),
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. HR dashboard")}),
    )
