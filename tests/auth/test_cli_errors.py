"""Every failure an administrator can cause or meet ends in Dutch ``Fout:``/``Oplossing:`` lines
and the documented exit code (docs/ERRORS.md), never a traceback. CliRunner runs with
``catch_exceptions=False``: an exception escaping the group's mapping fails the test."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import write_toml

from spsync.cli import main
from spsync.sandbox import DEMO_DATA, load_csv_dir
from spsync.sandbox.entra import make_app_certificate

ROOT = Path(__file__).resolve().parents[2]


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def assert_fout(result, code: int, *texts: str) -> None:
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Fout: ")]
    assert len(lines) == 1, result.output
    assert "Oplossing: " in result.output, result.output
    for text in texts:
        assert text in result.output, result.output


def sandbox_config(tmp_path: Path, url: str, **http) -> Path:
    return write_toml(tmp_path / "c.toml", {
        "site": {"url": url}, "auth": {"mode": "sandbox"},
        "report": {"output_dir": str(tmp_path / "out")}, "http": http})


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- configuration (exit 2) ---------------------------------------------------------------------

def test_config_missing_file(tmp_path):
    assert_fout(invoke("run", "--once", "--config", str(tmp_path / "nee.toml")), 2,
                "nee.toml bestaat niet", "Oplossing: Pas het configuratiebestand aan")


def test_config_not_toml(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text("[site\n", encoding="utf-8")
    assert_fout(invoke("run", "--once", "--config", str(bad)), 2, "geen geldige TOML")


def test_config_validation_lists_every_problem(tmp_path):
    bad = write_toml(tmp_path / "x.toml", {"site": {"url": "x"}, "http": {"max_retries": 99}})
    result = invoke("run", "--once", "--config", str(bad))
    assert_fout(result, 2, "site.url: moet beginnen met https://",
                "http.max_retries: moet kleiner dan of gelijk aan 10")


def test_config_that_is_a_directory(tmp_path):
    assert_fout(invoke("run", "--once", "--config", str(tmp_path)), 2,
                "kan niet worden gelezen")


def test_usage_errors_and_help_are_dutch():
    result = invoke("run", "--once", "--bogus")
    assert result.exit_code == 2
    assert "Fout: Onbekende optie '--bogus'" in result.output
    assert "Gebruik: " in result.output and "Usage" not in result.output
    missing = invoke("run", "--once")
    assert missing.exit_code == 2 and "Ontbrekende optie '--config'" in missing.output
    bad_date = invoke("run", "--once", "--config", "x", "--controledatum", "15/05/2026")
    assert bad_date.exit_code == 2 and "geen datum; gebruik 2026-05-15 of 15-05-2026" in \
        bad_date.output
    helptext = invoke("run", "--help").output
    assert "Opties:" in helptext and "Toon deze hulptekst en stop." in helptext
    assert "Options" not in helptext and "Show this" not in helptext


def test_controledatum_as_the_report_prints_it(sandbox, tmp_path):
    cfg = sandbox_config(tmp_path, sandbox.site_url)
    result = invoke("run", "--once", "--config", str(cfg), "--dry-run",
                    "--controledatum", "15-05-2026")
    assert result.exit_code == 0, result.output
    assert "controledatum 15-05-2026" in result.output


# --- certificate and sign-in (exit 3) ----------------------------------------------------------

def test_hook_example_config_with_absent_certificate_subprocess(tmp_path):
    """The before-stop hook's check: one Dutch line, the certificate exit code, fast."""
    text = (ROOT / "config" / "spsync.example.toml").read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        if line.startswith("url = "):
            line = 'url = "http://127.0.0.1:9/sites/none"'
        elif line.startswith("certificate_path = "):
            line = 'certificate_path = "/nonexistent/spsync-app.pem"'
        lines.append(line)
    cfg = tmp_path / "example.toml"
    cfg.write_text("\n".join(lines), encoding="utf-8")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "spsync.cli", "run", "--once", "--config",
                           str(cfg)], capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert time.monotonic() - started < 25
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.splitlines()[0] == ("Fout: Certificaatbestand /nonexistent/spsync-app.pem "
                                           "bestaat niet.")


@pytest.mark.parametrize("case", ["directory", "garbage", "key_only", "wrong_pem_pass",
                                  "no_pass", "wrong_pfx_pass", "pass_env_unset", "expired",
                                  "mismatch"])
def test_certificate_problems(entra, tmp_path, monkeypatch, case):
    cert = entra.cert
    monkeypatch.setenv("SPSYNC_PASS", "juist")
    over: dict = {}
    expected = ""
    if case == "directory":
        over["certificate_path"] = str(tmp_path)
        expected = "is een map, geen bestand"
    elif case == "garbage":
        (tmp_path / "x.pem").write_text("dit is geen certificaat\n")
        over["certificate_path"] = str(tmp_path / "x.pem")
        expected = "is geen PEM-bestand"
    elif case == "key_only":
        (tmp_path / "k.pem").write_bytes(cert.key_pem())
        over["certificate_path"] = str(tmp_path / "k.pem")
        expected = "bevat geen (leesbaar) certificaat"
    elif case == "wrong_pem_pass":
        cert.write_pem(tmp_path / "enc.pem", passphrase="anders")
        over.update(certificate_path=str(tmp_path / "enc.pem"), passphrase_env="SPSYNC_PASS")
        expected = "verkeerde wachtwoordzin"
    elif case == "no_pass":
        cert.write_pem(tmp_path / "enc.pem", passphrase="anders")
        over["certificate_path"] = str(tmp_path / "enc.pem")
        expected = "versleuteld, maar er is geen wachtwoordzin"
    elif case == "wrong_pfx_pass":
        cert.write_pfx(tmp_path / "a.pfx", passphrase="anders")
        over.update(certificate_path=str(tmp_path / "a.pfx"), passphrase_env="SPSYNC_PASS")
        expected = "verkeerde wachtwoordzin of geen PKCS#12-bestand"
    elif case == "pass_env_unset":
        over["passphrase_env"] = "SPSYNC_NIET_GEZET"
        expected = "SPSYNC_NIET_GEZET (auth.passphrase_env) is niet gezet"
    elif case == "expired":
        from datetime import UTC, datetime, timedelta

        old = make_app_certificate(days=30, not_before=datetime.now(UTC) - timedelta(days=60))
        over["certificate_path"] = str(old.write_pem(tmp_path / "old.pem"))
        expected = "is verlopen op"
    elif case == "mismatch":
        other = make_app_certificate()
        (tmp_path / "mix.pem").write_bytes(other.key_pem() + cert.cert_pem())
        over["certificate_path"] = str(tmp_path / "mix.pem")
        expected = "horen niet bij elkaar"
    cfg = entra.config("http://127.0.0.1:9/sites/none", **over)
    assert_fout(invoke("run", "--once", "--config", str(cfg)), 3, expected)
    assert entra.endpoint.requests == []  # found before any traffic


def test_entra_unreachable(entra):
    cfg = entra.config("http://127.0.0.1:9/sites/none",
                       authority=f"https://127.0.0.1:{closed_port()}/tenant")
    assert_fout(invoke("run", "--once", "--config", str(cfg)), 3,
                "Entra ID (127.0.0.1:", "is niet bereikbaar: geen verbinding",
                "Oplossing: Controleer de netwerkverbinding naar login.microsoftonline.com")


def test_entra_with_an_untrusted_tls_certificate(entra):
    cfg = entra.config("http://127.0.0.1:9/sites/none", ca_bundle=None)
    assert_fout(invoke("run", "--once", "--config", str(cfg)), 3,
                "TLS-certificaat niet vertrouwd")


# --- SharePoint (exit 4) -----------------------------------------------------------------------

@pytest.mark.parametrize("retries", [0, 2])
def test_unreachable_site_honours_timeouts_and_retries(tmp_path, retries):
    cfg = sandbox_config(tmp_path, f"http://127.0.0.1:{closed_port()}/sites/none",
                         connect_timeout=1, max_retries=retries)
    started = time.monotonic()
    result = invoke("run", "--once", "--config", str(cfg))
    elapsed = time.monotonic() - started
    assert_fout(result, 4, "is niet bereikbaar: geen verbinding")
    # connect_timeout x (max_retries + 1) plus the back-off 0.5 + 1 s, plus start-up slack.
    assert elapsed < 1 * (retries + 1) + 0.5 * (2 ** retries - 1) + 4, elapsed
    progress = [line for line in result.output.splitlines() if "SharePoint antwoordt niet" in line]
    assert len(progress) == retries
    if retries:
        assert "poging 2 van 3" in progress[0] and "poging 3 van 3" in progress[1]


def test_silent_site_read_timeout(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts in the kernel, never answers
    try:
        port = listener.getsockname()[1]
        cfg = sandbox_config(tmp_path, f"http://127.0.0.1:{port}/sites/x", read_timeout=1,
                             max_retries=1)
        started = time.monotonic()
        result = invoke("run", "--once", "--config", str(cfg))
        elapsed = time.monotonic() - started
    finally:
        listener.close()
    assert_fout(result, 4, "time-out bij wachten op antwoord")
    assert elapsed < 2 * 1 + 0.5 + 4, elapsed


def test_site_not_found(sandbox, tmp_path):
    url = sandbox.site_url.replace("/sites/spsync", "/sites/bestaatniet")
    assert_fout(invoke("run", "--once", "--config", str(sandbox_config(tmp_path, url))), 4,
                "/sites/bestaatniet bestaat niet (404)", "Oplossing: Controleer site.url")


def test_site_forbidden(sandbox, tmp_path):
    sandbox.inject(403, times=10, path_contains="contextinfo",
                   code="-2147024891, System.UnauthorizedAccessException")
    assert_fout(invoke("run", "--once", "--config",
                       str(sandbox_config(tmp_path, sandbox.site_url))), 4,
                "weigert de toegang tot de site (403)", "Sites.Selected")


def test_the_error_lines_reach_the_log_file(tmp_path):
    logfile = tmp_path / "log" / "spsync.log"
    cfg = write_toml(tmp_path / "c.toml", {
        "site": {"url": f"http://127.0.0.1:{closed_port()}/sites/x"}, "auth": {"mode": "sandbox"},
        "http": {"max_retries": 0}, "logging": {"file": str(logfile), "format": "json"}})
    result = invoke("run", "--once", "--config", str(cfg))
    assert_fout(result, 4, "is niet bereikbaar")
    import json

    last = json.loads(logfile.read_text(encoding="utf-8").splitlines()[-1])
    assert last["level"] == "ERROR" and last["message"].startswith("Fout: SharePoint (")
    assert "Oplossing: " in last["message"] and last["run_id"]


def test_a_web_server_that_is_not_sharepoint(tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Html(BaseHTTPRequestHandler):
        def do_POST(self):
            body = b"<html><body>Welkom op het intranet</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Html)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/sites/x"
        result = invoke("run", "--once", "--config", str(sandbox_config(tmp_path, url)))
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert_fout(result, 4, "antwoordt niet als een SharePoint-site", "Controleer site.url")


def test_site_throttled_beyond_the_retries(sandbox, tmp_path):
    sandbox.inject(503, times=10, retry_after=0, path_contains="contextinfo")
    result = invoke("run", "--once", "--config",
                    str(sandbox_config(tmp_path, sandbox.site_url, max_retries=1)))
    assert_fout(result, 4, "beperkt het aantal verzoeken (503)")
    assert "poging 2 van 2" in result.output


# --- this machine (exit 5) ---------------------------------------------------------------------

def test_sandbox_serve_on_a_port_in_use(tmp_path):
    db = tmp_path / "s.db"
    load_csv_dir(db, DEMO_DATA)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = invoke("sandbox", "serve", "--db", str(db), "--port", str(port))
    assert_fout(result, 5, f"Adres 127.0.0.1:{port} is niet beschikbaar",
                "Oplossing: Kies een andere poort")


def _template_with(tmp_path: Path, text: str) -> Path:
    document = docx.Document()
    document.add_paragraph(text)
    path = tmp_path / "sjabloon.docx"
    document.save(str(path))
    return path


@pytest.mark.parametrize("kind", ["jinja", "not_docx", "absent"])
def test_broken_report_template_stops_before_any_write(sandbox, tmp_path, kind):
    if kind == "jinja":
        template = _template_with(tmp_path, "{{ kapot ")
    elif kind == "not_docx":
        template = tmp_path / "sjabloon.docx"
        template.write_text("geen Word-bestand")
    else:
        template = tmp_path / "weg.docx"
    cfg = write_toml(tmp_path / "c.toml", {
        "site": {"url": sandbox.site_url}, "auth": {"mode": "sandbox"},
        "report": {"output_dir": str(tmp_path / "out"), "template": str(template)}})
    sandbox.clear_log()
    result = invoke("run", "--once", "--config", str(cfg))
    assert_fout(result, 5, f"Rapportsjabloon {template}", "Oplossing: Herstel het sjabloon")
    assert sandbox.requests == []  # nothing read, nothing written


def test_unwritable_report_folder_stops_before_any_write(sandbox, tmp_path):
    blocker = tmp_path / "een-bestand"
    blocker.write_text("x")
    cfg = sandbox_config(tmp_path, sandbox.site_url)
    sandbox.clear_log()
    result = invoke("run", "--once", "--config", str(cfg), "--out", str(blocker / "rapporten"))
    assert_fout(result, 5, "is niet schrijfbaar", "Oplossing: Maak ruimte vrij")
    assert sandbox.requests == []


def test_disk_full_while_saving_the_report(sandbox, tmp_path):
    """A file-size limit makes the report write fail as a full disk does (EFBIG/ENOSPC)."""
    cfg = sandbox_config(tmp_path, sandbox.site_url)

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (8_000, 8_000))

    proc = subprocess.run([sys.executable, "-m", "spsync.cli", "run", "--once", "--config",
                           str(cfg), "--controledatum", "2026-05-15"], capture_output=True,
                          text=True, timeout=300, preexec_fn=limit, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src"),
                               "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.returncode == 5, proc.stderr
    assert "Traceback" not in proc.stderr
    # The state store (written first) or the report meets the full disk: either way one line.
    assert ("Fout: Rapport " in proc.stderr and "kan niet worden opgeslagen: File too large"
            in proc.stderr) or "Fout: De statusopslag" in proc.stderr, proc.stderr
    assert not list((tmp_path / "out").glob("*.tmp"))


# --- the catch-all (exit 70) -------------------------------------------------------------------

def test_unexpected_error_is_one_line_and_debug_shows_the_traceback(sandbox, tmp_path,
                                                                    monkeypatch):
    import spsync.jobs

    def boom(*_a, **_k):
        raise RuntimeError("kapot")

    monkeypatch.setattr(spsync.jobs, "run_cycle", boom)  # the run command's one cycle call
    cfg = sandbox_config(tmp_path, sandbox.site_url)
    result = invoke("run", "--once", "--config", str(cfg))
    assert result.exit_code == 70
    assert result.output.strip().splitlines()[-1].startswith(
        "Fout: onverwachte fout (RuntimeError); draai opnieuw met --debug")
    debug = CliRunner().invoke(main, ["--debug", "run", "--once", "--config", str(cfg)],
                               catch_exceptions=False)
    assert debug.exit_code == 70 and "Traceback" in debug.output and "kapot" in debug.output
