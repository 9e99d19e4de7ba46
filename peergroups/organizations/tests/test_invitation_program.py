"""The program an open invitation enrols its person in (`invitation_program_set`): one
program at a time, admins only, open invitations only."""

import pytest

from peergroups.errors import Conflict, Refused
from peergroups.groups.services import program_create
from peergroups.organizations.services import (
    invitation_create,
    invitation_program_set,
    invitation_revoke,
)

pytestmark = pytest.mark.django_db


def test_set_cleared_one_at_a_time_admins_only(cast):
    invitation, _token = invitation_create(
        organization=cast.organization, email="new@acme.test", acting_user=cast.admin, send=False
    )
    invitation_program_set(invitation=invitation, acting_user=cast.admin, program=cast.program)
    other = program_create(organization=cast.organization, acting_user=cast.admin, name="Next")
    with pytest.raises(Conflict, match="one program at a time"):
        invitation_program_set(invitation=invitation, acting_user=cast.admin, program=other)
    with pytest.raises(Refused):
        invitation_program_set(invitation=invitation, acting_user=cast.member, program=None)
    invitation_program_set(invitation=invitation, acting_user=cast.admin, program=None)
    invitation.refresh_from_db()
    assert invitation.program is None
    invitation_revoke(
        organization=cast.organization, acting_user=cast.admin, invitation_id=invitation.pk
    )
    invitation.refresh_from_db()
    with pytest.raises(Conflict, match="no longer open"):
        invitation_program_set(invitation=invitation, acting_user=cast.admin, program=other)
