"""Email over SMTP with the standard library; one connection serves a whole batch."""
import base64
import re
import smtplib
import socket
from email.header import Header
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from flask import current_app

from tracker.services.infra.safe_text import for_file, one_line

CRLF = "\r\n"
# Refusals of one message: the server is fine and the connection stays usable for the rest of the batch.
REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class MailServerDown(Exception):
    """No connection to the mail server could be made: the rest of the batch's email can wait for a retry."""


# CR, LF and every other C0/C1 control, and the Unicode line and paragraph separators.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_FOLD = re.compile(r"\r\n[ \t]")  # a folded header line (RFC 5322 §2.2.3): the only line break a header may hold
_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"\\]+@[^\s@<>()\[\],;:\"\\]+")


def mailbox(name: str, address: str) -> str:
    """`Name <address>` with the name cleaned to one line and RFC 2047-encoded when not ASCII; ValueError with a
    Chinese reason for an address that is not one plain addr-spec."""
    address = (address or "").strip()
    if not _ADDRESS.fullmatch(address):
        raise ValueError("收件人邮箱地址无效")
    return formataddr((one_line(name), address), charset="utf-8")


def header_block(fields: list[tuple[str, str]]) -> str:
    """The message's header lines; a value that would start a line of its own (a raw CR or LF, not a fold) is
    refused, so no input can add a header (issue 18.8: a display name with CR/LF added a Bcc)."""
    lines = []
    for name, value in fields:
        if not re.fullmatch(r"[A-Za-z-]+", name) or _CONTROLS.search(_FOLD.sub(" ", value)):
            raise ValueError(f"邮件头 {name} 含有换行或控制字符")
        lines.append(f"{name}: {value}")
    return CRLF.join(lines)


def render(sender: str, to_name: str, to_addr: str, subject: str, body: str) -> str:
    """A plain-text UTF-8 message as ASCII text with CRLF line ends (RFC 2047 headers, base64 body).

    Built directly rather than with EmailMessage: the modern policy's header folding cost ~2.5 ms a message
    (profiled), the largest part of sending one to a local server. Every header goes through header_block.
    """
    body = for_file(body)  # the writers' rule (safe_text): no control characters in the body either
    head = header_block([
        ("From", sender), ("To", mailbox(to_name, to_addr)),
        ("Subject", Header(one_line(subject), "utf-8", header_name="Subject").encode(linesep=CRLF)),
        ("Date", formatdate(usegmt=True)), ("Message-ID", make_msgid(domain="tracker.local")),
        ("MIME-Version", "1.0"), ("Content-Type", 'text/plain; charset="utf-8"'),
        ("Content-Transfer-Encoding", "base64")])
    return head + CRLF * 2 + base64.encodebytes(body.encode()).decode("ascii").replace("\n", CRLF)


class Mailer:
    """An SMTP connection opened on first use, reused for every message, and opened again after a failure."""

    def __init__(self):
        self.conn: smtplib.SMTP | None = None
        name, self.envelope_from = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
        try:
            self.sender = mailbox(name, self.envelope_from)
        except ValueError:  # a setting mistake: every message fails visibly, the robots' still go
            self.sender = ""

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

    def send(self, to_name: str, to_addr: str, subject: str, body: str) -> bool:
        """Send one message; a broken connection is reopened once, then any error is the caller's to retry.

        Returns True when the message went only on the second try after a dropped connection: the first may have
        arrived too. An error after such a drop says so (`may_have_arrived`), for the reminder log.
        """
        if not self.sender:
            raise MailServerDown("MAIL_DEFAULT_SENDER 不是有效的发件地址")
        raw = render(self.sender, to_name, to_addr, subject, body)
        to_addr = to_addr.strip()
        dropped = False
        for last_try in (False, True):
            if self.conn is None:
                try:
                    self.conn = self._connect()
                except MailServerDown as exc:
                    exc.may_have_arrived = dropped
                    raise
            try:
                self.conn.sendmail(self.envelope_from, [to_addr], raw)
                return dropped
            except REFUSALS as exc:
                if getattr(exc, "smtp_code", None) != 421:  # 421: the server is closing the connection
                    exc.may_have_arrived = dropped
                    raise
                self.close()
                if last_try:
                    exc.may_have_arrived = dropped
                    raise
            except (smtplib.SMTPException, OSError) as exc:
                # A dropped connection: the message may have gone, so resending it can at most repeat one.
                self.close()
                dropped = True
                if last_try:
                    exc.may_have_arrived = True
                    raise
        return dropped

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except Exception:  # already broken; nothing more to say to it
                self.conn.close()
            self.conn = None
