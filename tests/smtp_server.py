"""A tiny SMTP server for tests: real sockets, enough of RFC 5321 for Django's SMTP
backend (no TLS, no AUTH). It can refuse recipients, and be stopped and started again
on the same port, as a mail server going down and coming back."""

import socket
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: str


@dataclass
class SmtpServer:
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    drop_at_data: int = 0  # this many sessions are cut off after DATA, mid-send
    port: int = 0
    messages: list[Received] = field(default_factory=list)

    def __post_init__(self):
        self._sock = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> "SmtpServer":
        self._stop.clear()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", self.port))
        self.port = self._sock.getsockname()[1]
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        thread = threading.Thread(target=self._serve, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Down: the port refuses connections until `start()` again."""
        self._stop.set()
        for thread in self._threads:
            thread.join(5)
        self._threads.clear()
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        reader = conn.makefile("rb")

        def say(line: str) -> None:
            conn.sendall(line.encode() + b"\r\n")

        try:
            say("220 test SMTP ready")
            sender, recipients = "", []
            while True:
                raw = reader.readline()
                if not raw:
                    return
                line = raw.decode(errors="replace").rstrip("\r\n")
                verb = line[:4].upper()
                if verb in {"EHLO", "HELO"}:
                    say("250 test")
                elif verb == "MAIL":
                    sender, recipients = line.split(":", 1)[1].strip(" <>"), []
                    say("250 OK")
                elif verb == "RCPT":
                    address = line.split(":", 1)[1].strip(" <>")
                    if address in self.refuse:
                        say("550 5.1.1 No such mailbox")
                    else:
                        recipients.append(address)
                        say("250 OK")
                elif verb == "DATA":
                    if self.drop_at_data:
                        self.drop_at_data -= 1
                        return  # the server dies mid-send: the connection just closes
                    say("354 go ahead")
                    body = []
                    while (chunk := reader.readline()) not in {b".\r\n", b".\n", b""}:
                        body.append(chunk.decode(errors="replace"))
                    self.messages.append(Received(sender, recipients, "".join(body)))
                    say("250 queued")
                elif verb == "RSET":
                    sender, recipients = "", []
                    say("250 OK")
                elif verb == "QUIT":
                    say("221 bye")
                    return
                else:
                    say("250 OK")
        except OSError:
            return
        finally:
            conn.close()


def closed_port() -> int:
    """A port nobody listens on: connections are refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port
