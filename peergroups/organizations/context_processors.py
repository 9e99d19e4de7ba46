"""Puts the signed-in user's organizations in every template, for the switcher."""

from peergroups.organizations.models import Organization


def organizations(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    access = getattr(request, "org_access", None)
    if access is not None:  # an organization page has them already, from its access check
        return {"my_organizations": access.organizations}

    def my_organizations():
        return Organization.objects.filter(roles__user=user).distinct().order_by("name")

    # Lazy: pages that never render the switcher run no query for it.
    return {"my_organizations": my_organizations}
