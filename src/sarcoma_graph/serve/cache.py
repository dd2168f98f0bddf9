"""A bounded LRU of serialised answers, keyed by store version, request and media type.

The key holds everything the answer depends on, so its hash is a strong ``ETag``: a client
revalidating with ``If-None-Match`` gets ``304`` without the query being run again.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    """A serialised answer ready to send."""

    media_type: str
    body: bytes
    etag: str


def digest(key: Hashable) -> bytes:
    """The key kept in the cache: a digest, so that no query text is held by the cache. A
    ``bytes`` key is taken as a digest already (see ``QueryJob.cache_key``)."""
    if isinstance(key, bytes):
        return key
    return hashlib.blake2b(repr(key).encode(), digest_size=20).digest()


def etag_for(key: Hashable) -> str:
    """A strong entity tag for a cache key (or its :func:`digest`)."""
    return '"' + digest(key)[:12].hex() + '"'


def strong_tags(header: str) -> set[str]:
    """The entity tags of an ``If-Match`` header, compared strongly (RFC 9110 §13.1.1): a weak
    tag never matches, so it is left out (probe r15 L4: ``W/"…"`` was accepted for a write)."""
    return {c.strip() for c in header.split(",") if not c.strip().startswith("W/")}


def named_tags(header: str) -> set[str]:
    """The entity tags an ``If-Match`` / ``If-None-Match`` header names (``*`` kept; weak tags
    compared as strong ones)."""
    return {candidate.strip().removeprefix("W/") for candidate in header.split(",")}


def etag_matches(header: str | None, etag: str, star: bool = True) -> bool:
    """Whether an ``If-None-Match`` header names this tag (or ``*``, unless ``star`` is false);
    weak tags compare too. Before an answer is known to exist (a query not yet run, which may
    be malformed), ``*`` must not match: it means "any representation", and there may be
    none."""
    if not header:
        return False
    named = named_tags(header)
    return etag in named or (star and "*" in named)


#: Bytes counted for each entry beside its body: the digest key, the answer object, the links.
ENTRY_OVERHEAD = 512


def _size(answer: Answer) -> int:
    return len(answer.body) + len(answer.media_type) + len(answer.etag) + ENTRY_OVERHEAD


class AnswerCache:
    """LRU bounded by entry count and total bytes (bodies, keys and bookkeeping); a size of
    0 disables it. Keys are kept as digests: the cache never holds a request's text."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._items: OrderedDict[bytes, Answer] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0

    @property
    def bytes(self) -> int:
        """The bytes the cache holds, as counted against ``max_bytes``."""
        return self._bytes

    def get(self, key: Hashable) -> Answer | None:
        key = digest(key)
        answer = self._items.get(key)
        if answer is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return answer

    def put(self, key: Hashable, answer: Answer) -> None:
        size = _size(answer)
        if self.max_entries <= 0 or size > self.max_bytes // 8:
            return  # one answer may take at most an eighth of the cache
        key = digest(key)
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= _size(old)
        self._items[key] = answer
        self._bytes += size
        while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
            _, evicted = self._items.popitem(last=False)
            self._bytes -= _size(evicted)

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)
