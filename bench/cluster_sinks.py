"""Where bench.cluster's reminders go: an SMTP server and a robot endpoint on loopback, both counting repeats."""
import hashlib
import json
import logging
import threading
from collections import Counter
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.http_load import free_port


class _Counted:
    """What a sink received, by message: `seen` counts each, so a message sent twice is a repeat."""

    seen: Counter

    @property
    def total(self) -> int:
        return sum(self.seen.values())

    @property
    def repeats(self) -> int:
        return sum(n - 1 for n in self.seen.values() if n > 1)


class MailSink(_Counted):
    """aiosmtpd in a thread; counts each (recipient, subject), so a message sent twice shows up as a repeat."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP line at INFO
        self.port = free_port()
        self.seen: Counter = Counter()
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                subject = str(make_header(decode_header(message_from_bytes(envelope.content)["Subject"] or "")))
                with sink.lock:
                    for rcpt in envelope.rcpt_tos:
                        sink.seen[(rcpt, subject)] += 1
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> "MailSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


class RobotSink(_Counted):
    """An HTTP server answering as a WeCom robot does; counts each (path, body), a repeat being a second post."""

    def __init__(self):
        self.seen: Counter = Counter()
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with sink.lock:
                    sink.seen[(self.path, hashlib.sha256(body).hexdigest())] += 1
                raw = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> "RobotSink":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
