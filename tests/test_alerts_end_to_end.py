"""S3 end to end: the alerts through the real CLI and the real cycle, over real HTTP.

Every test drives ``spsync demo`` or ``spsync run --once`` (in process through click, or as a
child process that is killed with SIGKILL) against the sandbox site, and reads back what a
staff member would get: the ``.eml`` files of the outbox, the messages an aiosmtpd server on
loopback accepted, the items of the site's ``Signalen`` list, and the weekly Word report
reopened with python-docx. The expected digests are those of demo README §4 and the hand-derived
later runs in ``tests/alerts/test_rules_demo.py``.
"""

from __future__ import annotations

import csv
import email
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from alerts import test_rules_demo as expected  # a module object: its tests are not re-collected
from alerts.receivers import Inbox, free_port
from click.testing import CliRunner
from docx import Document

from spsync.alerts.digest import KIND_HEADINGS
from spsync.cli.app import main
from spsync.demo import demo_data_dir
from spsync.sandbox import DEMO_DATA, SandboxServer, load_csv_dir

SRC = Path(__file__).resolve().parents[1] / "src"
HEADING_KIND = {heading: kind for kind, heading in KIND_HEADINGS.items()}
BULLET = re.compile(r"^\* (?P<title>.+) \((?P<ref>[^()]+)\)$")
LINK = re.compile(r"/Lists/(?P<list>Projecten|Jaarkalender)/DispForm\.aspx\?ID=(?P<id>\d+)$")
#: One Signalen item per line and recipient: 14 for the first run.
FIRST_RUN_LINES = sum(len(lines) for lines in expected.FIRST_RUN.values())


# ---- reading a digest back ----------------------------------------------------------------------

def _demo_items() -> dict[tuple[str, str], tuple[int, str]]:
    """(list, ref) -> (item id, title) from the packaged demo CSVs: what each line must point at."""
    out: dict[tuple[str, str], tuple[int, str]] = {}
    with (demo_data_dir() / "projecten.csv").open(encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=1):
            out[("Projecten", row["ProjectCode"])] = (i, row["Title"])
    with (demo_data_dir() / "jaarkalender.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[("Jaarkalender", f"Jaarkalender {row['ID']}")] = (int(row["ID"]), row["Title"])
    return out


DEMO_ITEMS = _demo_items()


@dataclass(frozen=True)
class Line:
    kind: str
    ref: str
    title: str
    action: str
    link: str


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=default)  # type: ignore[return-value]


def digest_lines(msg: EmailMessage) -> list[Line]:
    """The lines of a digest's plain-text part, each checked for its link and action sentence."""
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None and html is not None, "a text and an HTML part"
    for part in (plain, html):
        assert part.get_content_charset() == "utf-8"
    text, markup = plain.get_content(), html.get_content()
    lines: list[Line] = []
    kind = None
    block: list[str] = []

    def close() -> None:
        if not block:
            return
        head = BULLET.match(block[0])
        assert head, block[0]
        fields = dict(b.strip().split(": ", 1) for b in block[1:] if ": " in b)
        assert kind is not None and fields.get("Wat te doen", "").endswith("."), block
        lines.append(Line(kind, head["ref"], head["title"], fields["Wat te doen"],
                          fields.get("Openen", "")))
        block.clear()

    for raw in text.splitlines():
        heading = re.match(r"^== (.+) \(\d+\) ==$", raw)
        if heading or raw.startswith("--"):
            close()
            kind = HEADING_KIND.get(heading[1]) if heading else None
        elif raw.startswith("* "):
            close()
            block.append(raw)
        elif block and raw.strip():
            block.append(raw)
    close()
    for line in lines:
        found = LINK.search(line.link)
        assert found, f"{line.ref}: no DispForm link ({line.link!r})"
        item_id, title = DEMO_ITEMS[(found["list"], line.ref)]
        assert int(found["id"]) == item_id and line.title == title, line
        assert f'href="{line.link}"' in markup, f"{line.ref}: the HTML part links the item"
        assert line.action in markup.replace("&#39;", "'")
    return lines


def check_digests(messages: list[EmailMessage], wanted: dict[str, set[tuple[str, str]]]) -> None:
    """Exactly one message per wanted recipient, holding exactly the wanted (kind, ref) lines."""
    by_to: dict[str, EmailMessage] = {}
    for msg in messages:
        address = msg["To"].addresses[0].addr_spec
        assert address not in by_to, f"two digests for {address}"
        by_to[address] = msg
    assert set(by_to) == set(wanted)
    for address, lines in wanted.items():
        got = digest_lines(by_to[address])
        assert {(line.kind, line.ref) for line in got} == lines, address
        assert len(got) == len(lines), f"{address}: a line twice"
        assert by_to[address]["Message-ID"].startswith("<spsync.")


def outbox(folder: Path) -> dict[str, EmailMessage]:
    return {p.name: parse(p.read_bytes()) for p in sorted((folder / "outbox").glob("*.eml"))}


# ---- the demo through the CLI ---------------------------------------------------------------------

def demo(out: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["demo", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def first_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``spsync demo`` once at 15 May 2026; tests continue from copies of its folder."""
    out = tmp_path_factory.mktemp("demo") / "out"
    return out, demo(out)


def continued(first_demo: tuple[Path, str], tmp_path: Path) -> Path:
    copy = tmp_path / "demo"
    shutil.copytree(first_demo[0], copy)
    return copy


def test_demo_sends_the_ten_digests_of_the_readme_once(first_demo, tmp_path):
    out, output = first_demo
    files = outbox(out)
    assert len(files) == 10
    check_digests(list(files.values()), expected.FIRST_RUN)
    budget = next(m for m in files.values()
                  if m["To"].addresses[0].addr_spec == "beleidsmedewerker.3@swv-demo.example")
    assert "€ 47.250 van € 45.000" in budget.get_body(("plain",)).get_content()
    assert f"Signalen: 10 bericht(en) verstuurd met {FIRST_RUN_LINES} signaal/signalen" in output
    # The same day again, continuing the same site and state: nothing new goes out.
    copy = continued(first_demo, tmp_path)
    again = demo(copy, "--continue", "--controledatum", "2026-05-15")
    assert "Signalen: niets te versturen." in again
    assert set(outbox(copy)) == set(files)


def test_later_demo_runs_send_exactly_what_is_then_due(first_demo, tmp_path):
    copy = continued(first_demo, tmp_path)
    seen = set(outbox(copy))
    for day, wanted in (("2026-05-28", expected.ON_28_MAY), ("2026-06-15", expected.ON_15_JUNE)):
        output = demo(copy, "--continue", "--controledatum", day)
        now = outbox(copy)
        new = [msg for name, msg in now.items() if name not in seen]
        check_digests(new, wanted)
        lines = sum(len(v) for v in wanted.values())
        assert f"Signalen: {len(wanted)} bericht(en) verstuurd met {lines} signaal" in output, day
        seen = set(now)
    escalation = next(m for name, m in now.items() if m["To"].addresses[0].addr_spec
                      == expected.MT and "Escalatie" in m.get_body(("plain",)).get_content())
    assert "eerste melding 15 mei 2026" in escalation.get_body(("plain",)).get_content()


def _table(doc, first_header: str) -> list[dict[str, str]]:
    for table in doc.tables:
        header = [c.text.strip() for c in table.rows[0].cells]
        if header and header[0] == first_header:
            return [dict(zip(header, (c.text.strip() for c in row.cells), strict=True))
                    for row in table.rows[1:]]
    raise AssertionError(f"no table headed {first_header!r}")


def _section_text(doc, heading: str) -> list[str]:
    paras = [p.text.strip() for p in doc.paragraphs]
    start = paras.index(heading)
    return paras[start + 1:start + 4]


def test_the_weekly_report_a_week_later_shows_the_change_and_last_weeks_alerts(first_demo,
                                                                                tmp_path):
    copy = continued(first_demo, tmp_path)
    w20 = Document(str(copy / "MT-rapportage 2026-W20.docx"))
    assert "Er is geen eerdere run bekend, dus nog geen verandering te tonen." in [
        p.text.strip() for p in w20.paragraphs]
    before = {row["Kerncijfer"]: row["Waarde"] for row in _table(w20, "Kerncijfer")}
    output = demo(copy, "--continue", "--controledatum", "2026-05-22")
    assert "Signalen: niets te versturen." in output  # J9's 3wd is 27 May, escalation 1 June
    w21 = Document(str(copy / "MT-rapportage 2026-W21.docx"))
    assert "Verandering ten opzichte van de vorige run (15-05-2026)." in [
        p.text.strip() for p in w21.paragraphs]
    rows = _table(w21, "Kerncijfer")
    assert rows and {row["Kerncijfer"] for row in rows} <= set(before)
    for row in rows:
        was, change = before[row["Kerncijfer"]], row["Sinds vorige"]
        if row["Waarde"] == was:
            assert change == f"= gelijk ({was})", row
        else:
            assert change in (f"▲ van {was}", f"▼ van {was}"), row
    # The alerts of the 15 May run are this week's signals (sent minutes ago, wall clock).
    assert "Deze week zijn 14 signalen verstuurd." in _section_text(w21, "Signalen deze week")
    sent = _table(w21, "Verstuurd")
    assert len(sent) == FIRST_RUN_LINES
    want = Counter(ref for lines in expected.FIRST_RUN.values() for _kind, ref in lines)
    got = Counter(next(r for r in want if row["Over"].startswith(r + " ")) for row in sent)
    assert got == want
    assert not [row for row in sent if "@" in row["Aan"]], "names, never addresses"
    assert {row["Aan"] for row in sent} >= {"MT", "beleidsmedewerker 3", "controller"}


# ---- real channels: SMTP on loopback and the site's Signalen list ---------------------------------

class KillingInbox(Inbox):
    """Accepts messages; kills ``victim`` (SIGKILL) on receiving the ``kill_at``-th one, before
    it answers 250, so the client dies with that message delivered but not acknowledged."""

    def __init__(self) -> None:
        super().__init__()
        self.victim: int | None = None
        self.kill_at = 0
        self.count = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        self.count += 1
        if self.victim is not None and self.count == self.kill_at:
            os.kill(self.victim, signal.SIGKILL)
            self.victim = None
        return "250 2.0.0 OK: queued"

    def arm(self, victim: int, kill_at: int) -> None:
        self.count, self.kill_at, self.victim = 0, kill_at, victim

    def messages(self) -> list[EmailMessage]:
        return [parse(e.content) for e in self.envelopes]


@pytest.fixture
def mail() -> Iterator[tuple[int, KillingInbox]]:
    inbox = KillingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


class SignalenWatch:
    """Wraps the sandbox's request processing: counts created Signalen items and kills the
    ``victim`` once the ``kill_at``-th is created (the item exists, the answer never arrives)."""

    def __init__(self, server: SandboxServer) -> None:
        self.victim: int | None = None
        self.kill_at = 0
        self.count = 0
        self.lock = threading.Lock()
        inner = server.process

        def process(raw_method, path, raw_query, headers, body, in_batch=False):
            resp = inner(raw_method, path, raw_query, headers, body, in_batch)
            if raw_method.upper() == "POST" and resp.status == 201 and b'"Sleutel"' in body:
                with self.lock:
                    self.count += 1
                    if self.victim is not None and self.count == self.kill_at:
                        os.kill(self.victim, signal.SIGKILL)
                        self.victim = None
            return resp

        server.process = process  # type: ignore[method-assign]

    def arm(self, victim: int, kill_at: int) -> None:
        with self.lock:
            self.count, self.kill_at, self.victim = 0, kill_at, victim


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[SandboxServer, SignalenWatch]]:
    db = tmp_path / "site.db"
    load_csv_dir(db, DEMO_DATA)
    server = SandboxServer(db).start()
    try:
        yield server, SignalenWatch(server)
    finally:
        server.stop()


def channel_config(tmp: Path, server: SandboxServer, smtp_port: int) -> Path:
    path = tmp / "spsync.toml"
    path.write_text(f"""
[site]
url = "{server.site_url}"
organisation = "Passend Onderwijs Almere"
[auth]
mode = "sandbox"
[report]
output_dir = "{tmp / 'out'}"
upload = false
[state]
path = "{tmp / 'state' / 'spsync-state.db'}"
[alerts]
mt_mailbox = "{expected.MT}"
default_channels = ["smtp", "signalen"]
[alerts.smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
sender = "spsync <spsync@swv-demo.example>"
timeout = 10
[alerts.signalen]
""", encoding="utf-8")
    return path


def signalen_items(server: SandboxServer) -> list[dict]:
    lst = server.store.get_list("Signalen")
    assert lst is not None
    return [item.data for item in server.store.all_items(lst.id)]


def check_signalen(server: SandboxServer) -> None:
    """One item per line and recipient of the first run, none twice, each linking its item."""
    items = signalen_items(server)
    keys = Counter(i["Sleutel"] for i in items)
    assert [k for k, n in keys.items() if n > 1] == [], "a Signalen item doubled"
    got = {(i["Ontvanger"], i["Verwijzing"]) for i in items}
    assert got == {(addr, ref) for addr, lines in expected.FIRST_RUN.items()
                   for _kind, ref in lines}
    assert len(items) == FIRST_RUN_LINES


def test_run_once_delivers_over_smtp_and_signalen_and_only_once(site, mail, tmp_path):
    server, _watch = site
    port, inbox = mail
    cfg = channel_config(tmp_path, server, port)
    args = ["run", "--once", "--config", str(cfg), "--controledatum", "2026-05-15"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    # 10 e-mail digests and 10 Signalen digests (the same alerts, one per channel).
    assert "Signalen: 20 bericht(en) verstuurd met 28 signaal/signalen" in result.output
    check_digests(inbox.messages(), expected.FIRST_RUN)
    assert all(rcpt == [m["To"].addresses[0].addr_spec] for m, rcpt in
               zip(inbox.messages(), (e.rcpt_tos for e in inbox.envelopes), strict=True))
    check_signalen(server)
    link = next(i["Link"] for i in signalen_items(server) if i["Verwijzing"] == "SUB-2526-01")
    assert str(link).find("/Lists/Projecten/DispForm.aspx?ID=15") >= 0
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "Signalen: niets te versturen." in again.output
    assert len(inbox.envelopes) == 10
    check_signalen(server)


# ---- crash test: SIGKILL inside the send loop, then a restart -------------------------------------

def start_run(cfg: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "spsync.cli", "run", "--once", "--config", str(cfg),
         "--controledatum", "2026-05-15"],
        env={**os.environ, "PYTHONPATH": str(SRC)}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)


def finish(proc: subprocess.Popen, timeout: float = 90) -> tuple[int, str]:
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError("spsync run did not finish: " + out.decode()[-2000:]) from None
    return proc.returncode, out.decode()


@pytest.mark.parametrize("crashes", [
    [("smtp", 1)], [("smtp", 4)], [("smtp", 9)], [("signalen", 5)],
    # Dying again while recovering: the restart itself is killed twice, once in each channel.
    [("smtp", 2), ("smtp", 3), ("signalen", 2)],
], ids=["smtp1", "smtp4", "smtp9", "signalen5", "thrice"])
def test_sigkill_in_the_send_loop_loses_nothing_and_repeats_at_most_one_per_crash(
        site, mail, tmp_path, crashes):
    server, watch = site
    port, inbox = mail
    cfg = channel_config(tmp_path, server, port)
    started = time.monotonic()
    for channel, k in crashes:
        proc = start_run(cfg)
        (inbox if channel == "smtp" else watch).arm(proc.pid, k)
        code, out = finish(proc)
        assert code == -signal.SIGKILL, f"not killed at {channel} #{k}: {out[-2000:]}"
    if crashes[-1][0] == "smtp":
        assert len(inbox.envelopes) >= crashes[-1][1]
    code, out = finish(start_run(cfg))
    assert code == 0, out[-3000:]
    # Every recipient got its digest: one distinct Message-ID each, with exactly its lines.
    messages = inbox.messages()
    ids = Counter(m["Message-ID"] for m in messages)
    unique = {m["Message-ID"]: m for m in messages}
    check_digests(list(unique.values()), expected.FIRST_RUN)
    repeats = sum(n - 1 for n in ids.values())
    assert repeats <= len(crashes), ids
    # Killed after the server took the message, the in-flight digest repeats (same id).
    smtp_crashes = sum(1 for channel, _k in crashes if channel == "smtp")
    assert repeats == smtp_crashes
    check_signalen(server)
    # A run after the recovery sends and creates nothing.
    code, out = finish(start_run(cfg))
    assert code == 0 and "Signalen: niets te versturen." in out, out[-2000:]
    assert len(inbox.envelopes) == len(messages)
    check_signalen(server)
    assert time.monotonic() - started < 90
