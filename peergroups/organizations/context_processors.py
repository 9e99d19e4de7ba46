"""Puts the signed-in user's organizations in every template, for the switcher."""

from peergroups.organizations.models import Organization


def organizations(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def my_organizations():
        return Organization.objects.filter(roles__user=user).distinct().order_by("name")

    # Lazy: pages that never render the switcher run no query for it.
    return {"my_organizations": my_organizations}
