"""Keep secrets out of the access log: a calendar feed's address is its credential (issue 18.12).

The feed's URL, /calendar/<token>.ics, is a public contract (phones hold it), so the secret cannot leave the path;
instead the request lines that werkzeug's and gunicorn's access loggers write are redacted before any handler sees
them. A proxy in front (nginx) keeps its own log: README, "Deployment", shows its redacting log format.
"""
import logging
import re

FEED_PATH = re.compile(r"(/calendar/)[^/\s?\"]+(\.ics)")
REDACTED = r"\1[redacted]\2"
# The access logs, gunicorn's "Error handling request <uri>", and Flask's "Exception on <path>" (app.logger).
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "tracker")


def redact(text: str) -> str:
    return FEED_PATH.sub(REDACTED, text)


class RedactFeedSecrets(logging.Filter):
    """Rewrites a record's message with every feed secret replaced; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the handler's to report, as it would be without us
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install() -> None:
    """Attach the filter once to each of those loggers (a filter on the logger runs before its handlers and before
    the record propagates, so every handler, ours or the server's, gets the redacted line)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactFeedSecrets) for f in logger.filters):
            logger.addFilter(RedactFeedSecrets())
