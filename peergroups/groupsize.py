"""A peer group's size bounds: one definition and one check.

The program's model and its database constraints, the program edit (page and API) and
a formation run's parameters (page and API) all read and check the bounds here.
"""

from django.utils.translation import gettext, ngettext

from peergroups.errors import Invalid

MIN_GROUP_SIZE = 2  # Fewer is not a group.
MAX_GROUP_SIZE = 10  # A peer group never has more than ten members: the product's premise.


def group_size_check(
    *,
    smallest: int,
    largest: int,
    open_seats: int,
    fields: tuple[str, str, str] = ("min_group_size", "max_group_size", "open_seats"),
) -> None:
    """Raise `Invalid` (naming the field in `fields`: smallest, largest, open seats) when
    a group of `smallest` to `largest` members, keeping `open_seats` free, is not one."""
    smallest_field, largest_field, seats_field = fields
    for field, value in ((smallest_field, smallest), (largest_field, largest)):
        if not MIN_GROUP_SIZE <= value <= MAX_GROUP_SIZE:
            raise Invalid(
                gettext("Groups have between %(smallest)s and %(largest)s members.")
                % {"smallest": MIN_GROUP_SIZE, "largest": MAX_GROUP_SIZE},
                field=field,
            )
    if smallest > largest:
        raise Invalid(
            gettext("The smallest group cannot be larger than the largest."), field=smallest_field
        )
    if open_seats < 0 or largest - open_seats < smallest:
        raise Invalid(
            ngettext(
                "With %(count)s open seat, groups of at most %(largest)s would hold fewer than "
                "the smallest group (%(smallest)s).",
                "With %(count)s open seats, groups of at most %(largest)s would hold fewer than "
                "the smallest group (%(smallest)s).",
                open_seats,
            )
            % {"count": open_seats, "largest": largest, "smallest": smallest},
            field=seats_field,
        )
