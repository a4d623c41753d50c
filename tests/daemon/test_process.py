"""The daemon as a real process: SIGTERM mid-job, a second daemon, a taken port, ``status``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spsync.config import load_config
from spsync.daemon import acquire_lock

from .helpers import fast_config_dict, free_port, get, wait_for, write_toml

HERE = Path(__file__).parent
SRC = Path(__file__).resolve().parents[2] / "src"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "spsync.cli", *args], check=False,
                          capture_output=True,
                          text=True, env=_env(), timeout=timeout)


@pytest.fixture
def config_file(tmp_path):
    port = free_port()
    path = write_toml(tmp_path / "spsync.toml", fast_config_dict(tmp_path, port=port))
    return path, port


def test_sigterm_mid_job_finishes_the_job_and_exits_0(tmp_path, config_file):
    path, port = config_file
    marker = tmp_path / "marker.txt"
    proc = _spawn(str(HERE / "slow_daemon.py"), str(path), str(marker), "3")
    try:
        wait_for(lambda: marker.exists() and "started 1" in marker.read_text(), timeout=30,
                 what="the first job to start")
        status, _body, _ = get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    lines = marker.read_text().splitlines()
    assert lines[-1].startswith("finished"), lines
    assert sum(x.startswith("started") for x in lines) == sum(x.startswith("finished")
                                                             for x in lines)
    assert "de lopende taak wordt afgemaakt" in err and "spsync-daemon gestopt" in err
    assert "Traceback" not in err
    with pytest.raises(OSError):  # the health endpoint is gone with the process
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_a_second_daemon_on_the_same_state_refuses_to_start(tmp_path, sandbox):
    port = free_port()
    path = write_toml(tmp_path / "spsync.toml",
                      fast_config_dict(tmp_path, sandbox.site_url, port=port))
    first = _spawn("-m", "spsync.cli", "daemon", "--config", str(path))
    try:
        wait_for(lambda: get(f"http://127.0.0.1:{port}/healthz")[0] in (200, 503)
                 if _listening(port) else False, timeout=30, what="the first daemon")
        second = _cli("daemon", "--config", str(path))
        assert second.returncode == 3, second.stderr
        assert f"Fout: Er draait al een spsync-daemon op deze state (pid {first.pid}" \
            in second.stderr
        assert "Traceback" not in second.stderr
        # status sees the running daemon and its health endpoint
        status = _cli("status", "--config", str(path))
        assert f"Daemon actief: ja (pid {first.pid})" in status.stdout
        assert "Gezondheid (health-endpoint):" in status.stdout
        assert "Volgende geplande taken:" in status.stdout and "synchronisatie:" in status.stdout
    finally:
        first.send_signal(signal.SIGINT)
        try:
            _, err = first.communicate(timeout=60)
        finally:
            if first.poll() is None:
                first.kill()
                first.communicate()
    assert first.returncode == 0, err
    assert "Taak synchronisatie klaar" in err  # real cycles on the sandbox ran meanwhile


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def test_a_health_port_in_use_is_one_dutch_line_and_exit_4(tmp_path, config_file):
    path, port = config_file
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        started = time.monotonic()
        result = _cli("daemon", "--config", str(path))
    assert result.returncode == 4, result.stderr
    assert f"Fout: Poort {port} op 127.0.0.1 is al in gebruik" in result.stderr
    assert "kies een andere poort met [health] port" in result.stderr
    assert "Traceback" not in result.stderr and time.monotonic() - started < 30
    # ... and it let go of the state lock on the way out
    acquire_lock(load_config(path)).release()


def test_status_without_any_run_says_so(tmp_path, config_file):
    path, _ = config_file
    result = _cli("status", "--config", str(path))
    assert result.returncode == 1
    assert "Daemon actief: nee" in result.stdout
    assert "Laatste geslaagde cyclus: nog geen" in result.stdout
    assert "NIET in orde" in result.stdout and "Traceback" not in result.stderr


def test_a_schedule_in_the_dst_hour_stops_the_daemon_before_it_starts(tmp_path):
    data = fast_config_dict(tmp_path)
    data["daemon"] = {"weekly_report": {"hour": "2", "minute": "30"}}
    path = write_toml(tmp_path / "spsync.toml", data)
    result = _cli("daemon", "--config", str(path))
    assert result.returncode == 2, result.stderr
    assert f"Fout: De configuratie {path} is ongeldig." in result.stderr
    assert "daemon: weekly_report: kan om 02:30 starten, in het uur van de zomer-/wintertijd" \
        in result.stderr
    assert "Traceback" not in result.stderr
