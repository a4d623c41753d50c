"""deploy/: what can be checked without Docker, a cluster or systemd as PID 1.

The YAML parses and carries the fields that keep the daemon safe and observable (probes on
/healthz, non-root, read-only root, secrets as files, state on a volume); the Dockerfile runs as
a non-root user with a health check and bakes in no secret; the systemd units have the hardening
and pass ``systemd-analyze verify`` where that tool exists; the config in the ConfigMap is a
valid spsync config.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from spsync.config import config_from_dict

yaml = pytest.importorskip("yaml", reason="PyYAML is in the test extras (pip install .[test])")

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
K8S = DEPLOY / "kubernetes"
SYSTEMD = DEPLOY / "systemd"
SECRET_PATTERNS = [
    r"BEGIN [A-Z ]*PRIVATE KEY", r"client_secret", r"(?i)password[ \t]*[:=][ \t]*['\"]?\w{4,}",
    r"(?i)ENV\s+\w*(SECRET|TOKEN|PASSWORD|PASSPHRASE)\w*[= ]", r"eyJ[A-Za-z0-9_-]{20,}",
]


def _docs(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def _k8s(kind: str) -> dict:
    found = [d for p in sorted(K8S.glob("*.yaml")) for d in _docs(p) if d.get("kind") == kind]
    assert len(found) == 1, kind
    return found[0]


def _pod_checks(pod: dict, claims: set[str]) -> dict:
    """The pod spec rules both the Deployment and the CronJob must keep; returns the container."""
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod["automountServiceAccountToken"] is False
    (container,) = pod["containers"]
    assert container["image"] and ":" in container["image"]
    sc = container["securityContext"]
    assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True
    assert sc["capabilities"]["drop"] == ["ALL"]
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert mounts["/etc/spsync"]["readOnly"] is True
    assert "configMap" in volumes[mounts["/etc/spsync"]["name"]]
    cert = volumes[mounts["/run/secrets/spsync"]["name"]]
    assert cert["secret"]["secretName"] == "spsync-certificate"  # a file, not an env var
    state = volumes[mounts["/var/lib/spsync"]["name"]]
    assert state["persistentVolumeClaim"]["claimName"] in claims
    assert "/tmp" in mounts  # the root filesystem is read-only
    for env in container.get("env", []):
        assert "value" not in env or not re.search("(?i)secret|password|token", env["name"])
    return container


def test_kubernetes_deployment_has_probes_non_root_and_secret_files():
    claims = {_k8s("PersistentVolumeClaim")["metadata"]["name"]}
    deployment = _k8s("Deployment")
    spec = deployment["spec"]
    assert spec["replicas"] == 1 and spec["strategy"]["type"] == "Recreate"
    container = _pod_checks(spec["template"]["spec"], claims)
    assert container["args"] == ["daemon", "--config", "/etc/spsync/spsync.toml"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        http = container[probe]["httpGet"]
        assert http["path"] == "/healthz"
        assert ports.get(http["port"], http["port"]) == 9464


def _cron_hours(field: str) -> set[int]:
    hours: set[int] = set()
    for part in field.split(","):
        part, _, step = part.partition("/")
        lo, _, hi = ("0-23" if part == "*" else part).partition("-")
        hours |= set(range(int(lo), int(hi or lo) + 1, int(step or 1)))
    return hours


def test_kubernetes_cronjob_runs_once_without_overlap():
    claims = {_k8s("PersistentVolumeClaim")["metadata"]["name"]}
    cron = _k8s("CronJob")
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert cron["spec"]["timeZone"] == "Europe/Amsterdam"
    _minute, hour, *_ = cron["spec"]["schedule"].split()
    assert 2 not in _cron_hours(hour)  # nothing between 02:00 and 03:00 (DST changes)
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    container = _pod_checks(pod, claims)
    assert container["args"][:2] == ["run", "--once"]


def test_the_configmap_holds_a_valid_spsync_config_without_secrets():
    data = _k8s("ConfigMap")["data"]["spsync.toml"]
    config = config_from_dict(tomllib.loads(data), "configmap")
    assert config.auth.mode == "certificate"
    assert str(config.auth.certificate_path).startswith("/run/secrets/spsync/")
    assert config.health.host == "0.0.0.0" and config.health.port == 9464
    assert str(config.state.path).startswith("/var/lib/spsync/")
    for pattern in SECRET_PATTERNS:
        assert not re.search(pattern, data), pattern


def test_compose_runs_non_root_read_only_with_secrets_as_files():
    compose = _docs(DEPLOY / "compose.yaml")[0]
    service = compose["services"]["spsync"]
    assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
    assert not service["user"].startswith(("0:", "root"))
    assert "no-new-privileges:true" in service["security_opt"]
    assert any(v.endswith(":/var/lib/spsync") for v in service["volumes"])
    targets = {s["source"]: s["target"] for s in service["secrets"]}
    assert targets == {"spsync_certificate": "spsync.pem"}
    assert compose["secrets"]["spsync_certificate"]["file"].startswith("./secrets/")
    assert all(not p.startswith("0.0.0.0") and p.startswith("127.0.0.1:")
               for p in service["ports"])
    postgres = _docs(DEPLOY / "compose.postgres.yaml")[0]
    db = postgres["services"]["postgres"]
    assert db["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert "healthcheck" in db
    assert postgres["services"]["spsync"]["depends_on"]["postgres"]["condition"] == \
        "service_healthy"
    for path in (DEPLOY / "compose.yaml", DEPLOY / "compose.postgres.yaml"):
        text = path.read_text(encoding="utf-8")
        for pattern in SECRET_PATTERNS:
            assert not re.search(pattern, text), (path.name, pattern)


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", dockerfile)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_is_slim_non_root_with_a_healthcheck_and_no_secrets():
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    steps = _instructions(text)
    assert ("ARG", "PYTHON_IMAGE=python:3.11-slim") in steps
    assert any(w == "ARG" and r.startswith("WITH_LIBREOFFICE=") for w, r in steps)
    users = [r for w, r in steps if w == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    # USER comes after the last RUN: nothing in the final image runs as root after set-up
    last_run = max(i for i, (w, _) in enumerate(steps) if w == "RUN")
    assert max(i for i, (w, _) in enumerate(steps) if w == "USER") > last_run
    (health,) = [r for w, r in steps if w == "HEALTHCHECK"]
    assert "http://127.0.0.1:9464/healthz" in health
    cmd = [r for w, r in steps if w in ("CMD", "ENTRYPOINT")]
    assert cmd == ['["spsync"]', '["daemon", "--config", "/etc/spsync/spsync.toml"]']
    for pattern in SECRET_PATTERNS:
        assert not re.search(pattern, text), pattern
    assert not [r for w, r in steps if w in ("COPY", "ADD") and re.search(r"\.(pem|pfx|key)", r)]
    ignore = [line for line in (DEPLOY / "Dockerfile.dockerignore").read_text(
        encoding="utf-8").splitlines() if line and not line.startswith("#")]
    assert ignore[0] == "*"  # the build context holds only what the image needs, no secrets/
    assert set(ignore[1:4]) == {"!pyproject.toml", "!README.md", "!src/"}


def _unit(path: Path) -> dict[str, list[str]]:
    """``Section.Key`` -> values (systemd allows repeated keys, configparser does not)."""
    out: dict[str, list[str]] = {}
    section = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, sep, value = line.partition("=")
        assert sep and section, f"{path.name}: {raw!r}"
        out.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return out


HARDENING = {
    "User": "spsync", "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
    "PrivateTmp": "yes", "ReadWritePaths": "/var/lib/spsync", "StateDirectory": "spsync",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "CapabilityBoundingSet": "",
}


@pytest.mark.parametrize("name,command", [
    ("spsync.service", "daemon --config /etc/spsync/spsync.toml"),
    ("spsync-once.service", "run --once --config /etc/spsync/spsync.toml"),
])
def test_systemd_units_are_hardened(name, command):
    unit = _unit(SYSTEMD / name)
    for key, value in HARDENING.items():
        assert unit[f"Service.{key}"] == [value], key
    assert "@system-service" in unit["Service.SystemCallFilter"]
    assert unit["Service.LoadCredential"] == ["spsync.pem:/etc/spsync/credentials/spsync.pem"]
    assert unit["Service.ExecStart"][0].endswith(f"/spsync {command}")
    assert "network-online.target" in unit["Unit.After"][0]


def test_the_timer_starts_the_once_service_and_catches_up():
    timer = _unit(SYSTEMD / "spsync-once.timer")
    assert timer["Timer.Unit"] == ["spsync-once.service"]
    assert timer["Timer.Persistent"] == ["true"]
    assert timer["Timer.OnCalendar"][0].endswith("Europe/Amsterdam")
    assert _unit(SYSTEMD / "spsync.service")["Service.TimeoutStopSec"] == ["15min"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed here")
def test_systemd_analyze_verify_passes(tmp_path):
    # verify checks that ExecStart exists: point it at this Python's spsync entry point instead
    # of the documented /opt/spsync/venv/bin/spsync.
    exe = Path(sys.executable).with_name("spsync")
    exe = exe if exe.exists() else Path("/bin/true")
    for unit in SYSTEMD.iterdir():
        text = unit.read_text(encoding="utf-8").replace("/opt/spsync/venv/bin/spsync", str(exe))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    names = sorted(p.name for p in tmp_path.iterdir())
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *names], cwd=tmp_path, check=False,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Unknown key" not in result.stderr and "Unknown section" not in result.stderr
    calendar = _unit(SYSTEMD / "spsync-once.timer")["Timer.OnCalendar"][0]
    check = subprocess.run(["systemd-analyze", "calendar", calendar, "--iterations=30"],
                           capture_output=True, text=True, timeout=30, check=False)
    assert check.returncode == 0, check.stderr
