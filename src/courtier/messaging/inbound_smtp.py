"""The SMTP receiving endpoint: mail handed to us over SMTP takes the webhook's path.

``courtier inbound-smtp`` listens with aiosmtpd (the SMTP server the tests already talk
to) and gives each message's bytes to :func:`services.inbound.receive_email`, so a mail
that arrives this way is kept, recognised, recorded and linked exactly like one posted
to ``/api/v1/messaging/inbound/email``. The SMTP answer tells the sending server what
became of it, after the database has it:

- 250: recorded (or recognised as a repeat of one already recorded);
- 550 with the reason: malformed; the raw message is kept as a rejected ``Inbound``
  for review and the rejection logged, so the sender gets a bounce and nothing is lost;
- 451: we could not store it now (database down): the sender keeps it and tries again.

Nothing is acknowledged before it is committed, which is what makes "nothing lost" hold
over SMTP: a server killed mid-message has not said 250, so the sender retries.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections, connections

from courtier.core.errors import Invalid
from courtier.messaging.models import Inbound
from courtier.messaging.services.inbound import MAX_RAW, receive_email

log = logging.getLogger("courtier.messaging.inbound_smtp")
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]+")


def _reply_text(text: str) -> str:
    """One printable ASCII line, as an SMTP reply must be."""
    return _UNPRINTABLE.sub(" ", text).strip()[:400]


class InboundHandler:
    """aiosmtpd handler: every accepted DATA is one call of ``receive_email``."""

    def __init__(self, receive: Callable[[bytes], Inbound] = receive_email) -> None:
        self.receive = receive
        self.database = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbound-db")

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        loop = asyncio.get_running_loop()
        try:
            row = await loop.run_in_executor(self.database, self._store, raw)
        except Invalid as exc:
            # receive_email kept the raw mail as rejected and logged why.
            return f"550 5.6.0 Rejected: {_reply_text(str(exc))}"
        except Exception:
            log.exception("inbound email from %s could not be stored", envelope.mail_from)
            return "451 4.3.0 Could not store the message now; try again later"
        log.info("inbound email %s from %s: %s", row.public_id, envelope.mail_from, row.status)
        return f"250 2.0.0 Recorded as {row.public_id}"

    def _store(self, raw: bytes) -> Inbound:
        # Runs on the one database thread: Django connections belong to a thread, and one
        # writer at a time suits SQLite's single writer.
        close_old_connections()
        try:
            return self.receive(raw)
        finally:
            close_old_connections()

    def close(self) -> None:
        # The database thread's connection is closed on that thread, where it was opened.
        self.database.submit(connections.close_all).result()
        self.database.shutdown(wait=True)


class InboundSmtpServer:
    """The endpoint on ``host:port``, in a thread of its own (``start`` / ``stop``)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 2525,
        hostname: str = "",
        *,
        receive: Callable[[bytes], Inbound] = receive_email,
    ) -> None:
        self.handler = InboundHandler(receive)
        self.controller = Controller(
            self.handler,
            hostname=host,
            port=port,
            server_hostname=hostname or None,
            # Larger mail is refused at DATA (552) instead of read into memory.
            data_size_limit=MAX_RAW,
        )

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
        self.handler.close()
