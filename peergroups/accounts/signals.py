"""A person's credentials end together: apps above accounts that hold one (API tokens)
listen here, so accounts need not know them.

`credentials_reset` is sent when a person's password is set anew (a reset, a change, an
admin's) and when a person no longer holds a role in any organization. Each receiver
revokes what it holds and returns a sentence for the person ("2 API tokens were
revoked.") or None.
"""

from django.dispatch import Signal

credentials_reset = Signal()  # sender: User; kwargs: user
