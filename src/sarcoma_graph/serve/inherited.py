"""Values the query workers inherit when they are forked, sent with each job by reference.

A job is pickled on every request; the endpoint's prefix table (sixty pairs) made up most of
a short job's bytes and a tenth of the server's time on it. :func:`inherit` registers a
tuple before the workers are forked; its pickle is then a key that a forked worker resolves
in the registry it inherited. A worker that does not have the key (not forked after the
registration) gets a clear error rather than other values.
"""

from __future__ import annotations

import hashlib
import pickle
from typing import Any, TypeVar

T = TypeVar("T")

_REGISTRY: dict[str, tuple[Any, ...]] = {}


class Inherited(tuple[T, ...]):
    """A tuple that pickles as its registry key (see :func:`inherit`)."""

    key: str

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return _resolve, (self.key,)


def inherit(values: tuple[T, ...]) -> Inherited[T]:
    """Register ``values`` for the workers forked from now on.

    >>> shared = inherit((("ex", "http://example.org/"),))
    >>> pickle.loads(pickle.dumps(shared)) == shared, len(pickle.dumps(shared)) < 120
    (True, True)
    """
    key = hashlib.blake2b(pickle.dumps(values), digest_size=12).hexdigest()
    shared: Inherited[T] = Inherited(values)
    shared.key = key
    _REGISTRY[key] = shared
    return shared


def _resolve(key: str) -> tuple[Any, ...]:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise LookupError(f"inherited values {key} are unknown in this process: it was not "
                          "forked after they were registered") from None
