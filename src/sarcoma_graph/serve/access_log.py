"""The access log's lines, bounded and truthful: a request target is cut to its first
:data:`TARGET_CHARS` characters (a 64 KB URL made a 64 KB line, at thousands a second), and a
client address that is no IP address (an ``X-Forwarded-For`` a client wrote, relayed by a
proxy that appends) is logged as such, not as the text it carries."""

from __future__ import annotations

import ipaddress
import logging

TARGET_CHARS = 1024


def _address(text: str) -> str:
    """``text`` when it is an IP address with an optional port, else a note saying it is not."""
    host, port = text, ""
    if text.startswith("[") and "]:" in text:  # [IPv6]:port
        host, port = text[1:].split("]:", 1)
    elif text.count(":") == 1:  # IPv4:port (an IPv6 address has several colons)
        host, port = text.split(":")
    try:
        ipaddress.ip_address(host)
        if port and not (port.isdigit() and len(port) <= 5):
            raise ValueError(port)
    except ValueError:
        return f"(a forwarded address that is no IP: {text[:40]!r})"
    return text


class AccessLogFilter(logging.Filter):
    """Rewrites uvicorn's access-log arguments ``(client, method, target, version, status)``."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            client, method, target, version, status = args
            if isinstance(target, str) and len(target) > TARGET_CHARS:
                target = f"{target[:TARGET_CHARS]}…({len(target):,} characters)"
            if isinstance(client, str):
                client = _address(client)
            record.args = (client, method, target, version, status)
        return True


def bound_access_log() -> None:
    """Install the filter on uvicorn's access logger (once)."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogFilter) for f in logger.filters):
        logger.addFilter(AccessLogFilter())
