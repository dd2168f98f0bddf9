"""CIViC release reading (real TSV parsing) and release download (offline, mocked transport)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from sarcoma_graph.errors import InputError
from sarcoma_graph.importers.civic import download
from sarcoma_graph.importers.civic.reader import find_tables, read_release, read_table

FIXTURES = Path(__file__).parent / "fixtures" / "civic"
EDGE = FIXTURES / "edge-release"


def _statements(release) -> dict[str, str]:
    """Statement by evidence ID (the first row of a duplicated ID)."""
    statements: dict[str, str] = {}
    for row in release.evidence.rows:
        statements.setdefault(row["evidence_id"], row["evidence_statement"])
    return statements


@pytest.mark.slow
def test_real_release_gives_every_accepted_evidence_item_once(shared):
    release = read_release(shared / "data" / "civic-2024-08-01")
    ids = [row["evidence_id"] for row in release.evidence.rows]
    assert len(ids) == 4375  # CIViC's count for the 01-Aug-2024 release (README)
    assert len(set(ids)) == len(ids)
    assert all(row["evidence_status"] == "accepted" for row in release.evidence.rows)
    assert all(None not in row.values() for row in release.evidence.rows)
    assert (len(release.profiles), len(release.variants), len(release.genes)) == (1739, 1717, 614)
    assert release.date == "2024-08-01"


@pytest.mark.slow
def test_real_release_keeps_quotes_inside_statements(shared):
    statements = _statements(read_release(shared / "data" / "civic-2024-08-01"))
    quoted = [s for s in statements.values() if '"' in s]
    assert len(quoted) == 29
    assert any('"pan-negative' in s for s in quoted)


def test_quoted_field_keeps_newline_and_doubled_quotes():
    statements = _statements(read_release(EDGE))
    assert statements["9001"] == 'Line one with "quoted" words\nand a second line.'


def test_bare_quotes_inside_a_field_are_text():
    assert _statements(read_release(EDGE))["9002"] == 'Patients with "pan-negative tumours" responded.'


def test_bare_newline_inside_a_field_joins_the_record():
    release = read_release(EDGE)
    statements = _statements(release)
    assert statements["9003"] == ("First part of a statement cut by a bare newline\n"
                                  "second part of it.")
    assert len(release.evidence.rows) == 12
    assert release.evidence.lines[:4] == [2, 4, 5, 7]


def test_field_opening_with_a_bare_quote_is_read_as_text(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text('a\tb\n"so-called" tumours\tx\nplain\t"y\n', encoding="utf-8")
    table = read_table(path)
    assert [row["a"] for row in table.rows] == ['"so-called" tumours', "plain"]
    assert table.rows[1]["b"] == '"y'


def test_a_record_with_too_many_fields_names_file_and_line(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\n1\t2\n3\t4\t5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.tsv:3: 3 fields where the header has 2"):
        read_table(path)


def test_not_utf8_is_an_input_error(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_bytes(b"a\tb\n\xff\xfe\t1\n")
    with pytest.raises(InputError, match="not UTF-8"):
        read_table(path)


def test_a_folder_without_the_tables_is_not_a_release(tmp_path):
    (tmp_path / "01-Aug-2024-GeneSummaries.tsv").write_text("name\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a CIViC release folder"):
        find_tables(tmp_path)


def test_release_date_comes_from_the_file_names():
    assert read_release(EDGE).date == "2024-01-01"


def test_release_label_and_urls_follow_civic_downloads():
    date = dt.date(2024, 8, 1)
    assert download.release_label(date) == "01-Aug-2024"
    assert download.table_urls(date, "evidence") == [
        "https://civicdb.org/downloads/01-Aug-2024/01-Aug-2024-ClinicalEvidenceSummaries.tsv",
        "https://civicdb.org/downloads/01-Aug-2024/01-Aug-2024-AcceptedClinicalEvidenceSummaries.tsv",
    ]
    assert download.date_from_url("https://civicdb.org/downloads/01-Aug-2024/") == date
    with pytest.raises(InputError):
        download.parse_date("2024-13-01")


def _serving(files: dict[str, bytes]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        name = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, content=files[name]) if name in files else httpx.Response(404)
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_fetch_release_downloads_into_the_cache_and_falls_back_to_accepted_names(tmp_path):
    files = {p.name.replace("01-Jan-2024", "01-Aug-2024"): p.read_bytes() for p in EDGE.iterdir()}
    files["01-Aug-2024-AcceptedClinicalEvidenceSummaries.tsv"] = files.pop(
        "01-Aug-2024-ClinicalEvidenceSummaries.tsv")
    folder = download.fetch_release(dt.date(2024, 8, 1), tmp_path / "cache", _serving(files))
    release = read_release(folder)
    assert release.date == "2024-08-01" and len(release.evidence.rows) == 12
    again = download.fetch_release(dt.date(2024, 8, 1), folder, _serving({}))  # cached: no request
    assert again == folder


def test_fetch_release_of_an_unknown_date_is_a_clear_error(tmp_path):
    with pytest.raises(download.DownloadError, match="CIViC has no release 01-Feb-1999"):
        download.fetch_release(dt.date(1999, 2, 1), tmp_path, _serving({}))


def test_network_failure_is_one_clear_error(tmp_path):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no network", request=request)
    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with pytest.raises(download.DownloadError, match=r"cannot download https://civicdb\.org/") as info:
        download.fetch_release(dt.date(2024, 8, 1), tmp_path, client)
    assert info.value.exit_code == 3 and "\n" not in str(info.value)
