"""The dashboards app's periodic job: group texts past the retention period are deleted."""

from peergroups.dashboards.retention import group_content_expire_all
from peergroups.ops.scheduler import daily, periodic_job

periodic_job("expire_group_content", group_content_expire_all, daily(hour=3))
