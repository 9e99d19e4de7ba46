"""Django admin for staff: nothing of goals.

Goals, progress, commitments' check-ins and partner pairs are deliberately not
registered: they are members' and groups' own content, and site staff are not among
those who may read them (see meetings/admin.py). Reminder preferences are e-mail
preferences like any other (`accounts.NotificationPreference`).
"""
