"""A meeting moved in one tab cannot be moved or cancelled from another opened before."""

import re

from django.urls import reverse

from peergroups.meetings.models import MeetingStatus


def move(client, meeting, version, day="2027-01-13", location="Room 5"):
    return client.post(
        reverse("meetings-edit", args=["acme", meeting.group_id, meeting.pk]),
        {
            "action": "move",
            "date": day,
            "start_time": "09:00",
            "end_time": "13:00",
            "location": location,
            "video_url": "",
            "version": version,
        },
    )


def test_two_tabs_move_a_meeting_and_the_second_is_told(client, meeting):
    client.force_login(meeting.group.facilitator)
    url = reverse("meetings-edit", args=["acme", meeting.group_id, meeting.pk])
    page = client.get(url).content.decode()
    opened = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert move(client, meeting, opened).status_code == 302
    second = move(client, meeting, opened, day="2027-01-14", location="Room 9")
    assert second.status_code == 422
    body = second.content.decode()
    assert "This was changed since you opened it: it starts Wed 13 Jan 2027, 09:00" in body
    assert "Room 5" in body and 'value="Room 9"' in body
    meeting.refresh_from_db()
    assert (meeting.location, meeting.sequence) == ("Room 5", 1)
    cancel = client.post(url, {"action": "cancel", "version": opened})
    assert cancel.status_code == 422
    assert "changed since you opened it" in cancel.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MOVED
    assert client.post(url, {"action": "cancel", "version": "1"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


def test_two_api_clients_move_a_meeting_and_the_second_is_told(client, meeting):
    from peergroups.api.services import token_create

    _, key = token_create(user=meeting.group.facilitator, name="calendar sync")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}", "content_type": "application/json"}
    url = f"/api/organizations/acme/groups/{meeting.group_id}/meetings/{meeting.pk}"
    body = {
        "starts_at": "2027-01-13T14:00:00+00:00",
        "ends_at": "2027-01-13T18:00:00+00:00",
        "location": "Room 5",
        "version": 0,
    }
    moved = client.patch(url, body, **auth)
    assert moved.status_code == 200
    assert (moved.json()["sequence"], moved.json()["location"]) == (1, "Room 5")
    stale = client.patch(url, {**body, "location": "Room 9"}, **auth)
    assert stale.status_code == 409
    assert (
        "it starts Wed 13 Jan 2027, 09:00 (America/New_York) at Room 5." in (stale.json()["detail"])
    )
    assert client.post(url + "/cancel", {"version": 0}, **auth).status_code == 409
    meeting.refresh_from_db()
    assert (meeting.location, meeting.status) == ("Room 5", MeetingStatus.MOVED)
    cancelled = client.post(url + "/cancel", {"version": 1}, **auth)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
