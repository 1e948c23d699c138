"""Access logs without secrets: a token in a query string (`?token=...`, the calendar feed's link) is cut to
its prefix in werkzeug's and gunicorn's access log lines, so whoever reads the logs cannot replay it.

The prefix stays (`daas_AbC123***`): the admin's users page shows the same characters, so a line can still be
matched to the token that made it.
"""

from __future__ import annotations

import logging
import re

from daas.auth.credentials import TOKEN_PREFIX, token_prefix

# Loggers that write one line per request, URL included.
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")
# `token=`, `access_token=`, `feed-token=`... as a query parameter; the value ends where the parameter ends.
_TOKEN_PARAMETER = re.compile(r"(?P<name>[?&;][\w.-]*token=)(?P<value>[^&;#\s\"']+)", re.IGNORECASE)
MASK = "***"


def _masked(match: re.Match[str]) -> str:
    value, prefix = match["value"], token_prefix(match["value"])
    shown = prefix if value.startswith(TOKEN_PREFIX) and len(value) > len(prefix) else ""
    return f"{match['name']}{shown}{MASK}"


def mask_tokens(line: str) -> str:
    """`line` with the value of every token query parameter cut to its prefix."""
    return _TOKEN_PARAMETER.sub(_masked, line)


class TokenMaskingFilter(logging.Filter):
    """Rewrites a record whose message carries a token query parameter; lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


_FILTER = TokenMaskingFilter()


def mask_tokens_in_access_logs() -> None:
    """Install the filter on the access loggers (once per process, however many apps are built). Loggers are
    process-wide, so it holds for gunicorn's access log too, whichever of its handlers is configured."""
    for name in ACCESS_LOGGERS:
        logging.getLogger(name).addFilter(_FILTER)
