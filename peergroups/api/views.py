"""Placeholder: the API token pages are being written (helper owns this file)."""

from django.http import Http404


def token_list(request):
    raise Http404


def token_revoke(request, token_id):
    raise Http404
