"""`runserver` whose links point at itself: in development, with no BASE_URL in the
environment, the e-mails and calendar links this process makes use the address it is
listening on (`runserver 8101` gives http://127.0.0.1:8101), not the 8000 default.

It is staticfiles' runserver (serving static files in DEBUG) plus that, so ops sits
before django.contrib.staticfiles in INSTALLED_APPS: Django lets the earlier app's
command win. `make run` passes the same address as BASE_URL to its task workers.
"""

import os

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver

# Listening on every interface: links for the machine itself.
ANY_ADDRESS = {"0", "0.0.0.0", "::"}


def server_base_url(addr: str, port: int | str, *, ipv6: bool = False) -> str:
    host = "127.0.0.1" if addr in ANY_ADDRESS else addr
    if ipv6 and host != "127.0.0.1":
        host = f"[{host}]"
    return f"http://{host}:{port}"


class Command(StaticRunserver):
    def on_bind(self, server_port):
        super().on_bind(server_port)
        if not os.environ.get("BASE_URL"):
            settings.BASE_URL = server_base_url(self.addr, server_port, ipv6=self.use_ipv6)
            self.stdout.write(f"Links in e-mails point at {settings.BASE_URL} (BASE_URL).")
