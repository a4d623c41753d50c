"""Fuzz the CSV loader (issue 9, S6 item 8): generated CSV folders never crash it.

Each example is a folder of the demo's CSVs, cut to a few rows per list, with random cells
replaced by junk, random columns added or dropped, a BOM, CRLF line ends, every field quoted, an
empty or header-only file, stray bytes. ``load_csv_dir`` must either load it or raise
``LoadError`` whose Dutch message names the file and the line ("<file>.csv, regel N: ...");
nothing else. Through the CLI, ``spsync sandbox load`` exits 0, or 2 with "Fout:" and no
traceback. A few loaded folders then run a whole cycle against the sandbox over HTTP (slow, so
only a handful). ``PROP_EXAMPLES`` scales the examples (default 40).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from spsync import schema
from spsync.auth import sandbox_token
from spsync.cli.app import main
from spsync.config import config_from_dict
from spsync.cycle import run_cycle
from spsync.demo import DEMO_CONTROLEDATUM
from spsync.sandbox import DEMO_DATA, SandboxServer, Store, load_csv_dir
from spsync.sandbox.loader import SHAREPOINT_DATES, LoadError, UnstorableValue, csv_value
from spsync.sharepoint import SharePointGateway

EXAMPLES = int(os.environ.get("PROP_EXAMPLES", "40"))
PROPS = hsettings(max_examples=EXAMPLES, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: The cycle part: a full read/check/write/report over HTTP per example.
CYCLE_PROPS = hsettings(max_examples=max(3, EXAMPLES // 10), deadline=None,
                        suppress_health_check=[HealthCheck.too_slow,
                                               HealthCheck.data_too_large])
FILES = ["gebruikers", *(d.key for d in schema.LISTS)]
ROWS_PER_LIST = 4
LOAD_ERROR = re.compile(r"^(?P<file>[\w-]+\.csv), regel (?P<line>\d+): .+\.\)?$", re.S)

CELLS = (
    "", " ", "0001-01-01", "9999-12-31", "2026-02-30", "1899-12-31T23:00:00Z",
    "8901-01-01", "0001-01-01T00:00:00+14:00", "1" * 400, "-" + "9" * 400, "1e999", "nan",
    "inf", "-0", "1,5", "ja", "Nee", "TRUE", "{{ 7*7 }}", "\U0001F600\u200d", "\u202eP-1",
    "x" * 10_000, 'a "quoted" value', "line\nbreak", "semi;colon", "comma, value",
    "=SUM(A1)", "\x00", "P-2526-04", "Interne organisatie", "onbekende gebruiker",
)
DATE_COLUMN = schema.list_def("urenregistratie").column("Datum")


def _storable(cell: str) -> bool:
    try:
        csv_value(DATE_COLUMN, cell)
    except UnstorableValue:
        return False
    return True


def _cells(storable: bool) -> st.SearchStrategy[str]:
    """Junk cells; dates SharePoint cannot store only from CELLS (else nearly every folder
    would stop at one and the loaded path would go untested)."""
    lo, hi = SHAREPOINT_DATES
    return st.one_of(
        st.sampled_from([c for c in CELLS if _storable(c) or not storable]),
        st.text(max_size=15),
        st.integers(-10**30, 10**30).map(str),
        st.dates(lo, hi).flatmap(lambda d: st.sampled_from([d.isoformat(),
                                                            f"{d.isoformat()}T22:00:00Z"])),
    )


JUNK_CELL = _cells(storable=False)
#: Junk the loader keeps (raw or parsed): what the cycle part feeds the daemon.
STORABLE_CELL = _cells(storable=True)
JUNK_ID = st.sampled_from(["", "x", "-1", "0", "1", "1.0", "1e3", " 7 ", "99999999999999",
                           "\u0663", "2147483647", "2147483648"])


def _demo(key: str) -> tuple[list[str], list[list[str]]]:
    with (DEMO_DATA / f"{key}.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


DEMO = {key: _demo(key) for key in FILES}


@st.composite
def csv_folder(draw, storable: bool = False) -> dict[str, bytes | None]:
    """File name -> bytes (None: the file is absent). ``storable``: only junk the loader
    accepts (no bad IDs, bytes or dates SharePoint cannot hold), so the folder loads."""
    out: dict[str, bytes | None] = {}
    junk_cell = STORABLE_CELL if storable else JUNK_CELL
    shapes = ["keep"] * 12 + ["absent", "empty", "header"]
    # at most one file of a folder has a stray byte, in one folder of five
    bad_bytes = None if storable or draw(st.integers(0, 4)) else draw(st.sampled_from(FILES))
    for key in FILES:
        header, rows = DEMO[key]
        shape = draw(st.sampled_from(shapes), label=f"{key} shape")
        if shape == "absent":
            out[f"{key}.csv"] = None
            continue
        if shape == "empty":
            out[f"{key}.csv"] = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\r\n", b"\n\n"]))
            continue
        header = list(header)
        start = draw(st.integers(0, max(0, len(rows) - ROWS_PER_LIST)))
        body = [list(r) for r in rows[start:start + ROWS_PER_LIST]] if shape != "header" else []
        droppable = not (storable and key == "gebruikers")  # no Title: a LoadError
        if droppable and draw(st.integers(0, 3), label=f"{key} drop column") == 0:
            i = draw(st.integers(0, len(header) - 1))
            header.pop(i)
            for r in body:
                del r[i:i + 1]
        if draw(st.integers(0, 3), label=f"{key} extra column") == 0:
            extra = ["Extra", "Title", "", "Ünïcode kolom"] + ([] if storable else ["ID"])
            header.append(draw(st.sampled_from(extra)))
            for r in body:
                r.append(draw(junk_cell))
        for r in body:
            for i in range(len(r)):
                if header[i:i + 1] == ["ID"]:  # rarely: a bad ID stops the whole load
                    if not storable and draw(st.integers(0, 99)) == 0:
                        r[i] = draw(JUNK_ID)
                elif draw(st.integers(0, 4)) == 0:
                    r[i] = draw(junk_cell)
            cut = draw(st.sampled_from([0, 0, 0, 1, -1]))  # a short or a long row
            if cut == 1 and r:
                r.pop()
            elif cut == -1:
                r.append("overbodig")
        buf = io.StringIO()
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
        line_end = draw(st.sampled_from(["\n", "\r\n"]))
        csv.writer(buf, quoting=quoting, lineterminator=line_end).writerows([header, *body])
        data = buf.getvalue().encode("utf-8")
        if draw(st.booleans(), label=f"{key} BOM"):
            data = b"\xef\xbb\xbf" + data
        if key == bad_bytes:  # one stray byte that is not UTF-8 (a Windows-1252 export)
            pos = draw(st.integers(0, len(data)))
            data = data[:pos] + b"\xe9" + data[pos:]
        out[f"{key}.csv"] = data
    return out


def write_folder(folder: Path, files: dict[str, bytes | None]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        if data is not None:
            (folder / name).write_bytes(data)


def load_or_load_error(folder: Path, db: Path) -> dict[str, int] | None:
    """The loaded counts, or None after a well-formed LoadError; anything else fails."""
    try:
        return load_csv_dir(db, folder)
    except LoadError as exc:
        m = LOAD_ERROR.match(exc.message)
        assert m, exc.message
        assert (folder / m["file"]).exists(), exc.message
        n_lines = (folder / m["file"]).read_bytes().count(b"\n") + 1
        assert 1 <= int(m["line"]) <= n_lines, (exc.message, n_lines)
        assert exc.file == str(folder / m["file"]) and exc.line == int(m["line"])
        return None


@PROPS
@given(csv_folder())
def test_loader_loads_or_says_which_line(files):
    with tempfile.TemporaryDirectory() as tmp:
        folder, db = Path(tmp) / "csv", Path(tmp) / "s.db"
        write_folder(folder, files)
        counts = load_or_load_error(folder, db)
        event("loaded" if counts is not None else "LoadError")
        if counts is not None:
            assert set(counts) == {d.title for d in schema.LISTS} | {"MT-rapportages",
                                                                      "Signalen"}
            with Store(db) as store:
                for d in schema.LISTS:
                    lst = store.get_list(d.title)
                    assert store.count_items(lst.id) == counts[d.title]


@hsettings(max_examples=max(5, EXAMPLES // 4), deadline=None,
           suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(csv_folder())
def test_cli_load_exits_0_or_2_without_traceback(files):
    with tempfile.TemporaryDirectory() as tmp:
        folder, db = Path(tmp) / "csv", Path(tmp) / "s.db"
        write_folder(folder, files)
        result = CliRunner().invoke(main, ["sandbox", "load", "--db", str(db),
                                           "--csv", str(folder)])
        output = result.output + (result.stderr if result.stderr_bytes is not None else "")
        assert "Traceback" not in output
        assert result.exit_code in (0, 2), (result.exit_code, output, result.exception)
        if result.exit_code == 2:
            assert "Fout:" in output and ", regel " in output, output
        else:
            assert "Projecten: " in output


@CYCLE_PROPS
@given(csv_folder(storable=True))
def test_a_loaded_folder_runs_a_cycle(files):
    """Whatever loaded, a cycle reads, checks and writes it without a crash."""
    with tempfile.TemporaryDirectory() as tmp:
        folder, db = Path(tmp) / "csv", Path(tmp) / "s.db"
        write_folder(folder, files)
        assert load_or_load_error(folder, db) is not None  # storable junk always loads
        server = SandboxServer(db).start()
        config = config_from_dict({"site": {"url": server.site_url}, "auth": {"mode": "sandbox"},
                                   "report": {"output_dir": str(Path(tmp) / "out")},
                                   "state": {"path": str(Path(tmp) / "state.db")}})
        gateway = SharePointGateway(server.site_url, sandbox_token)
        try:
            outcome = run_cycle(gateway, config, DEMO_CONTROLEDATUM,
                                now=datetime(2026, 5, 15, 5, 0, tzinfo=UTC))
        finally:
            gateway.close()
            server.stop()
        assert outcome is not None


# ---------------------------------------------------------------------------------------------
# Crashes this fuzz found, each pinned (they were tracebacks, now LoadErrors or raw values).


def _one_file(tmp_path: Path, key: str, text: str | bytes) -> Path:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / f"{key}.csv").write_bytes(text if isinstance(text, bytes) else text.encode())
    return folder


@pytest.mark.parametrize("item_id", ["x", "-1", "0", "1.0", "99999999999999", "\u0663"])
def test_an_unusable_id_is_a_load_error(tmp_path, item_id):
    """Was ValueError (int('x')), a negative/zero item or sqlite's OverflowError."""
    folder = _one_file(tmp_path, "doelen", f"ID,Title,DoelCode\n1,a,D-1\n{item_id},b,D-2\n")
    with pytest.raises(LoadError, match=r"^doelen\.csv, regel 3: ID '.+' is geen geheel getal"):
        load_csv_dir(tmp_path / "s.db", folder)


def test_a_duplicate_id_is_a_load_error(tmp_path):
    """Was sqlite3.IntegrityError; a row without ID that takes a later row's ID also counts."""
    folder = _one_file(tmp_path, "doelen", "ID,Title,DoelCode\n,a,D-1\n1,b,D-2\n")
    with pytest.raises(LoadError, match=r"^doelen\.csv, regel 3: ID 1 komt al voor op regel 2"):
        load_csv_dir(tmp_path / "s.db", folder)


def test_a_file_that_is_not_utf8_is_a_load_error(tmp_path):
    """Was UnicodeDecodeError (an Excel 'CSV' export in Windows-1252)."""
    folder = _one_file(tmp_path, "doelen", "ID,Title,DoelCode\n1,Financi\xe9n,D-1\n".encode(
        "cp1252"))
    with pytest.raises(LoadError, match=r"^doelen\.csv, regel 2: het bestand is geen UTF-8"):
        load_csv_dir(tmp_path / "s.db", folder)


def test_a_users_file_without_title_is_a_load_error(tmp_path):
    """Was KeyError('Title'); a row with an empty Title is skipped, like a blank line."""
    folder = _one_file(tmp_path, "gebruikers", "Naam,EMail\nJan,jan@x.example\n")
    with pytest.raises(LoadError, match=r"^gebruikers\.csv, regel 2: de kolom Title"):
        load_csv_dir(tmp_path / "s.db", folder)


def test_a_huge_number_stays_raw():
    """Was OverflowError (int(float('1' * 400)) is int(inf)); now kept raw, like 'twee'."""
    col = schema.list_def("urenregistratie").column("Uren")
    assert csv_value(col, "1" * 400) == "1" * 400
    assert csv_value(col, "12") == 12 and csv_value(col, "2.5") == 2.5


def test_an_oversized_cell_is_a_load_error(tmp_path):
    """A cell beyond csv's field limit (131,072 characters): csv.Error, now a LoadError."""
    folder = _one_file(tmp_path, "doelen", 'ID,Title\n1,"' + "x" * 200_000 + '"\n')
    with pytest.raises(LoadError, match=r"^doelen\.csv, regel 2: geen geldige CSV"):
        load_csv_dir(tmp_path / "s.db", folder)
