"""Logging for every command: readable text or one JSON object per line, console and file, and
a redaction pass that keeps secrets out of every line (also the libraries' DEBUG output).

Redaction happens in the formatter, on the finished line including any traceback, so nothing a
handler writes escapes it. It removes what has a recognisable shape (bearer tokens, JWTs, form
digests, PEM blocks, webhook URLs, ``password=``-style pairs) and every value registered with
:func:`register_secret` — the issued access tokens, the key's PEM lines, and the values of the
environment variables the config names (``*_env``) or whose names say they hold a secret.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spsync.exceptions import LocalIOError

__all__ = [
    "redact",
    "register_secret",
    "register_env_secrets",
    "register_config_secrets",
    "RedactingFormatter",
    "JsonFormatter",
    "set_run_id",
    "current_run_id",
    "setup_logging",
    "close_logging",
    "log_to_files",
    "LIBRARY_LOGGERS",
]

HIDDEN = "[verborgen]"
#: Loggers of the libraries spsync drives; WARNING unless -vv asks for their DEBUG detail.
LIBRARY_LOGGERS = ("urllib3", "office365", "msal", "requests", "apscheduler", "docxtpl")

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # PEM blocks (keys, certificates) as a whole.
    (re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?-----END [A-Z0-9 ]+-----", re.DOTALL), "[PEM " + HIDDEN + "]"),
    # Authorization header values and bare bearer tokens.
    (re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(?:bearer\s+)?[^'\"\s,}]+"), r"\1" + HIDDEN),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*"), r"\1" + HIDDEN),
    # JWTs (access tokens, client assertions).
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), HIDDEN),
    # SharePoint form digests, with or without their header/field name.
    (re.compile(r"(?i)(x-requestdigest['\"]?\s*[:=]\s*['\"]?)[^'\"\n,}]+"), r"\1" + HIDDEN),
    (re.compile(r"0x[0-9A-Fa-f]{32,}(?:,\d{1,2} \w{3} \d{4} [\d:]{8} [-+]\d{4})?"), HIDDEN),
    # key=value / "key": "value" pairs that carry secrets.
    (re.compile(r"(?i)([\"']?(?:access_token|refresh_token|id_token|client_assertion|client_secret"
                r"|password|passphrase|passwd|formdigestvalue|secret|api_key|apikey)[\"']?"
                r"\s*[:=]\s*[\"']?)[^\"'&\s,}]+"), r"\1" + HIDDEN),
    # Webhook URLs (Teams/Power Automate, Slack, Discord, generic) and signed query strings.
    (re.compile(r"(?i)https?://[^\s\"'<>]*(?:webhook|hooks\.slack\.com|logic\.azure\.com"
                r"|/workflows/|discord(?:app)?\.com/api)[^\s\"'<>]*"), "[webhook-URL " + HIDDEN + "]"),
    (re.compile(r"(?i)([?&](?:sig|signature|code|key|token|secret|password)=)[^&\s\"']+"), r"\1" + HIDDEN),
    # URLs with a password in them: scheme://user:password@host
    (re.compile(r"(://[^/\s:@]+:)[^@\s/]+@"), r"\1" + HIDDEN + "@"),
]

_SECRET_NAME = re.compile(r"(?i)(token|secret|passw|passphrase|webhook|api_?key|private_?key"
                          r"|credential|dsn)")
_secrets: set[str] = set()
#: Short-lived secrets (tokens, digests), newest last; bounded so a daemon's list stays small.
_rolling: dict[str, None] = {}
ROLLING_SECRETS = 64
_secrets_lock = threading.Lock()
_run_id: ContextVar[str | None] = ContextVar("spsync_run_id", default=None)


def register_secret(value: str | None, *, rolling: bool = False) -> None:
    """Never log this exact value (values shorter than 6 characters are ignored).

    ``rolling`` is for values that are replaced all the time (access tokens, form digests):
    only the newest :data:`ROLLING_SECRETS` are kept; their shapes are redacted anyway.
    """
    if not value or len(value) < 6:
        return
    with _secrets_lock:
        if not rolling:
            _secrets.add(value)
            return
        _rolling.pop(value, None)
        _rolling[value] = None
        while len(_rolling) > ROLLING_SECRETS:
            del _rolling[next(iter(_rolling))]


def register_env_secrets(names: Iterable[str] = ()) -> None:
    """Register the values of ``names`` and of every variable whose name says it is secret."""
    wanted = set(names)
    for name, value in os.environ.items():
        if name in wanted or _SECRET_NAME.search(name):
            register_secret(value)


def register_config_secrets(config: Any) -> None:
    """Register the values of the environment variables the config names (``*_env`` fields)."""
    names: list[str] = []

    def walk(model: Any) -> None:
        for key in getattr(type(model), "model_fields", {}):
            value = getattr(model, key, None)
            if key.endswith("_env") and isinstance(value, str):
                names.append(value)
            elif hasattr(type(value), "model_fields"):
                walk(value)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    if hasattr(type(item), "model_fields"):
                        walk(item)
            elif isinstance(value, dict):
                for item in value.values():
                    if hasattr(type(item), "model_fields"):
                        walk(item)

    walk(config)
    register_env_secrets(names)


def redact(text: str) -> str:
    """``text`` with every secret replaced by ``[verborgen]``."""
    with _secrets_lock:
        known = sorted(_secrets | _rolling.keys(), key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, HIDDEN)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def set_run_id(run_id: str | None) -> None:
    """The id of the cycle being run; JSON lines carry it as ``run_id``."""
    _run_id.set(run_id)


def current_run_id() -> str | None:
    return _run_id.get()


class RedactingFormatter(logging.Formatter):
    """The usual text line, redacted as a whole (message, arguments and traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, run_id (when set), exc."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        run_id = getattr(record, "run_id", None) or current_run_id()
        if run_id:
            entry["run_id"] = run_id
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def close_logging() -> None:
    """Remove and close the handlers spsync installed (a host's handlers stay)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_spsync", False)]:
        root.removeHandler(old)
        old.close()


def _formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter()
    return RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


def setup_logging(verbose: int, logfile: Path | None = None, quiet_level: int = logging.WARNING,
                  *, log_format: str = "text") -> None:
    """Console on stderr (``-v`` INFO, ``-vv`` DEBUG incl. the libraries), and ``logfile`` too.

    The file gets INFO (DEBUG with ``-vv``) whatever the console shows.
    """
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else quiet_level
    close_logging()
    register_env_secrets()
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(level)
    console.setFormatter(_formatter(log_format))
    console._spsync = True  # type: ignore[attr-defined]
    root.addHandler(console)
    if logfile is not None:
        try:
            logfile.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(logfile, encoding="utf-8")
        except OSError as exc:
            close_logging()
            raise LocalIOError(f"Logbestand {logfile} kan niet worden geopend: "
                               f"{exc.strerror or exc}.", path=logfile,
                               fix="Pas [logging] file aan, of geef de gebruiker van spsync "
                                   "schrijfrecht op die map.") from None
        handler.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
        handler.setFormatter(_formatter(log_format))
        handler._spsync = True  # type: ignore[attr-defined]
        handler._spsync_file = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose > 1 else logging.WARNING)


def log_to_files(level: int, message: str) -> None:
    """Write ``message`` to spsync's log files only (the console already shows it)."""
    record = logging.LogRecord("spsync", level, __file__, 0, message, None, None)
    for handler in logging.getLogger().handlers:
        if getattr(handler, "_spsync_file", False) and level >= handler.level:
            handler.handle(record)
