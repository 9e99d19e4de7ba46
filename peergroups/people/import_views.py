"""Placeholder: CSV import/export pages are being written (helper owns this file)."""

from django.http import Http404


def member_import(request, org_slug):
    raise Http404


def member_export(request, org_slug):
    raise Http404
