"""Fetching a CIViC monthly release into a local cache.

CIViC publishes each monthly release at ``https://civicdb.org/downloads/<dd-Mon-YYYY>/``, one file
per table named ``<dd-Mon-YYYY>-<Table>.tsv`` (recent releases name the accepted-only evidence
and assertion tables ``…-Accepted<Table>.tsv``). Files are cached under
``~/.cache/sarcoma-graph/civic/<YYYY-MM-DD>/`` and written atomically.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import httpx

from sarcoma_graph.errors import InputError, SarcomaGraphError
from sarcoma_graph.importers.civic.reader import REQUIRED_TABLES, TABLES
from sarcoma_graph.plumbing.rdfio import write_atomic

DOWNLOADS = "https://civicdb.org/downloads/"
_LABEL = re.compile(r"(\d{2}-[A-Z][a-z]{2}-\d{4})")
#: Tables that recent releases publish under an ``Accepted`` prefix.
_ACCEPTED_VARIANT = ("evidence", "assertions")


class DownloadError(SarcomaGraphError):
    """The release could not be fetched (network failure or missing file)."""

    exit_code = 3


def parse_date(value: str) -> dt.date:
    """``2024-08-01`` → a date; an :class:`InputError` otherwise."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"bad release date {value!r} (expected YYYY-MM-DD)") from None


def release_label(date: dt.date) -> str:
    """CIViC's name of a release: ``01-Aug-2024`` (English month, whatever the locale)."""
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{date.day:02d}-{months[date.month - 1]}-{date.year}"


def date_from_url(url: str) -> dt.date:
    """The release date named in a CIViC download URL."""
    match = _LABEL.search(url)
    if not match:
        raise InputError(f"{url}: no release date (dd-Mon-YYYY) in the URL")
    return dt.datetime.strptime(match.group(1), "%d-%b-%Y").date()


def table_urls(date: dt.date, key: str) -> list[str]:
    """The URLs to try for one table of a release, in order."""
    label = release_label(date)
    names = [TABLES[key]] + ([f"Accepted{TABLES[key]}"] if key in _ACCEPTED_VARIANT else [])
    return [f"{DOWNLOADS}{label}/{label}-{name}.tsv" for name in names]


def cache_dir(date: dt.date) -> Path:
    """``$XDG_CACHE_HOME`` (or ``~/.cache``) ``/sarcoma-graph/civic/<date>``."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "sarcoma-graph" / "civic" / date.isoformat()


def _fetch_table(client: httpx.Client, date: dt.date, key: str) -> tuple[str, bytes] | None:
    """The first URL of the table that answers 200, with its bytes; ``None`` if none does."""
    for url in table_urls(date, key):
        try:
            response = client.get(url)
        except httpx.HTTPError as error:
            raise DownloadError(f"cannot download {url}: {error.__class__.__name__}: {error}") \
                from None
        if response.status_code == 200:
            return url, response.content
        if response.status_code != 404:
            raise DownloadError(f"cannot download {url}: HTTP {response.status_code}")
    return None


def fetch_release(date: dt.date, target: Path | None = None,
                  client: httpx.Client | None = None) -> Path:
    """Download a release's tables (unless cached) and return the folder holding them."""
    folder = target or cache_dir(date)
    if all(any(folder.glob(f"*{TABLES[k]}.tsv")) for k in REQUIRED_TABLES):
        return folder
    own = client is None
    http = client or httpx.Client(timeout=120, follow_redirects=True)
    try:
        for key in TABLES:
            found = _fetch_table(http, date, key)
            if found is None and key in REQUIRED_TABLES:
                raise DownloadError(f"CIViC has no release {release_label(date)} "
                                    f"({table_urls(date, key)[0]} not found)")
            if found is not None:
                write_atomic(folder / found[0].rsplit("/", 1)[-1], found[1])
    finally:
        if own:
            http.close()
    return folder
