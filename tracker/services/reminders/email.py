"""Email over SMTP with the standard library; one connection serves a whole batch."""
import smtplib
import socket
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app


class Mailer:
    """An SMTP connection opened on first use and reused until closed or broken."""

    def __init__(self):
        self.conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = current_app.config
        conn = smtplib.SMTP(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"])
        # smtplib writes each command separately; without this, Nagle and delayed ACKs cost ~40 ms a message.
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if c["MAIL_USE_TLS"]:
            conn.starttls()
        if c["MAIL_USERNAME"]:
            conn.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"])
        return conn

    def send(self, to_name: str, to_addr: str, subject: str, body: str) -> None:
        """Send one message; raises on any SMTP or network error (the caller retries later)."""
        msg = EmailMessage()
        msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
        msg["To"] = formataddr((to_name, to_addr))
        msg["Subject"] = subject
        msg["Message-ID"] = make_msgid(domain="tracker.local")
        msg.set_content(body)
        if self.conn is None:
            self.conn = self._connect()
        try:
            self.conn.send_message(msg)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except Exception:  # already broken; nothing more to say to it
                pass
            self.conn = None
