"""Email over SMTP with the standard library; one connection serves a whole batch."""
import base64
import smtplib
import socket
from email.header import Header
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from flask import current_app

from tracker.services.infra.safe_text import for_file

CRLF = "\r\n"
# Refusals of one message: the server is fine and the connection stays usable for the rest of the batch.
REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class MailServerDown(Exception):
    """No connection to the mail server could be made: the rest of the batch's email can wait for a retry."""


def render(sender: str, to_name: str, to_addr: str, subject: str, body: str) -> str:
    """A plain-text UTF-8 message as ASCII text with CRLF line ends (RFC 2047 headers, base64 body).

    Built directly rather than with EmailMessage: the modern policy's header folding cost ~2.5 ms a message
    (profiled), the largest part of sending one to a local server.
    """
    # The writers' rule (safe_text): no control characters anywhere, and no line break inside a header.
    to_name, subject, body = (for_file(to_name).replace("\n", " "), for_file(subject).replace("\n", " "),
                              for_file(body))
    head = [f"From: {sender}", f"To: {formataddr((to_name, to_addr), charset='utf-8')}",
            f"Subject: {Header(subject, 'utf-8', header_name='Subject').encode(linesep=CRLF)}",
            f"Date: {formatdate(usegmt=True)}", f"Message-ID: {make_msgid(domain='tracker.local')}",
            "MIME-Version: 1.0", 'Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: base64"]
    return CRLF.join(head) + CRLF * 2 + base64.encodebytes(body.encode()).decode("ascii").replace("\n", CRLF)


class Mailer:
    """An SMTP connection opened on first use, reused for every message, and opened again after a failure."""

    def __init__(self):
        self.conn: smtplib.SMTP | None = None
        name, self.envelope_from = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
        self.sender = formataddr((name, self.envelope_from), charset="utf-8")

    def _connect(self) -> smtplib.SMTP:
        c = current_app.config
        try:
            conn = smtplib.SMTP(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"])
            # smtplib writes each command separately; without this, Nagle and delayed ACKs cost ~40 ms a message.
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if c["MAIL_USE_TLS"]:
                conn.starttls()
            if c["MAIL_USERNAME"]:
                conn.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"])
        except (smtplib.SMTPException, OSError) as exc:
            raise MailServerDown(f"{type(exc).__name__}: {exc}") from None
        return conn

    def send(self, to_name: str, to_addr: str, subject: str, body: str) -> None:
        """Send one message; a broken connection is reopened once, then any error is the caller's to retry."""
        raw = render(self.sender, to_name, to_addr, subject, body)
        for last_try in (False, True):
            if self.conn is None:
                self.conn = self._connect()
            try:
                self.conn.sendmail(self.envelope_from, [to_addr], raw)
                return
            except REFUSALS as exc:
                if getattr(exc, "smtp_code", None) != 421:  # 421: the server is closing the connection
                    raise
                self.close()
                if last_try:
                    raise
            except (smtplib.SMTPException, OSError):
                # A dropped connection: the message may have gone, so resending it can at most repeat one.
                self.close()
                if last_try:
                    raise

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except Exception:  # already broken; nothing more to say to it
                self.conn.close()
            self.conn = None
