from django import forms


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What the token is for, so you can tell your tokens apart later.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. HR dashboard"}),
    )
