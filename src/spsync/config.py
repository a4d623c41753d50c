"""The TOML config, validated by pydantic into one frozen object.

Every problem in a config file becomes one Dutch sentence (``ConfigError.problems``), so a
functional administrator can fix them all in one go. Secrets are never values in the file: the
file names an environment variable or a file path that holds them.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from spsync import schema
from spsync.checks.settings import CheckSettings
from spsync.exceptions import ConfigError

__all__ = ["Config", "load_config", "config_from_dict"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteConfig(_Section):
    url: str = Field(description="Site URL, e.g. https://contoso.sharepoint.com/sites/swv")
    organisation: str = "Samenwerkingsverband"
    #: Used in the decorated User-Agent ``NONISV|<org>|spsync/<version>`` (throttling guidance).
    user_agent_org: str = "SWV"

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("https://", "http://")):
            raise ValueError("moet beginnen met https:// (of http:// voor de sandbox)")
        return v.rstrip("/")


class AuthConfig(_Section):
    """How spsync gets a token. ``sandbox`` sends a fixed token: only for the local sandbox."""

    mode: Literal["certificate", "sandbox"] = "certificate"
    tenant_id: str | None = None
    client_id: str | None = None
    #: PEM file with the private key (and certificate); read at run time, never logged.
    certificate_path: Path | None = None
    #: SHA-1 thumbprint of the certificate as registered in Entra ID (not a secret).
    certificate_thumbprint: str | None = None
    #: Name of the environment variable that holds the key's passphrase, if any.
    passphrase_env: str | None = None
    authority: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> AuthConfig:
        if self.mode == "certificate":
            missing = [n for n in ("tenant_id", "client_id", "certificate_path",
                                   "certificate_thumbprint") if not getattr(self, n)]
            if missing:
                raise ValueError("voor mode = \"certificate\" ontbreekt: " + ", ".join(missing))
        return self


class RulesConfig(_Section):
    planjaar_mode: Literal["schooljaar", "kalenderjaar"] = "schooljaar"
    risk_threshold_pct: float = Field(90.0, gt=0, le=100)
    binnenkort_days: int = Field(14, ge=0, le=365)
    indicator_project_types: list[str] = ["Project"]
    indicator_requires_budget: bool = False
    reminder_days_before_end: list[int] = [3]
    forecast_method: Literal["linear", "workdays"] = "linear"
    timezone: str = "Europe/Amsterdam"

    def to_settings(self) -> CheckSettings:
        return CheckSettings(
            planjaar_mode=self.planjaar_mode,
            risk_threshold_pct=self.risk_threshold_pct,
            binnenkort_days=self.binnenkort_days,
            indicator_project_types=tuple(self.indicator_project_types),
            indicator_requires_budget=self.indicator_requires_budget,
            reminder_days_before_end=tuple(self.reminder_days_before_end),
            forecast_method=self.forecast_method,
            timezone=self.timezone,
        )


class ReportConfig(_Section):
    output_dir: Path = Path("out")
    #: A .docx template staff may edit in Word; empty means the packaged default.
    template: Path | None = None
    #: Privacy: hours per person appear in the report only when this is true.
    show_hours_per_person: bool = False
    upload: bool = True


class HttpConfig(_Section):
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(60.0, gt=0)
    page_size: int = Field(5000, ge=1, le=5000)
    batch_size: int = Field(100, ge=1, le=100)
    max_retries: int = Field(5, ge=0, le=10)


class SafetyConfig(_Section):
    """The safety valve (``spsync.valve``): when to hold back writes on a broken picture."""

    #: A list that shrank by more than this share since the last successful run is suspect.
    max_shrink_pct: float = Field(50.0, gt=0, le=100)


class StateConfig(_Section):
    """The state store (runs, write-back audit, alert ledger, key figures): SQLite by default,
    any SQLAlchemy URL (e.g. PostgreSQL) for a tenant that outgrows it."""

    #: SQLite file used when ``url`` is not set.
    path: Path = Path("state/spsync-state.db")
    #: SQLAlchemy URL, e.g. ``postgresql+psycopg://spsync@db/spsync``; overrides ``path``.
    url: str | None = None
    #: Name of the environment variable holding the database password, if the URL needs one.
    password_env: str | None = None

    @field_validator("url")
    @classmethod
    def _no_password_in_url(cls, v: str | None) -> str | None:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        if v is None:
            return v
        try:
            url = make_url(v)
        except ArgumentError:
            raise ValueError("geen geldige database-url, bijvoorbeeld "
                             "postgresql+psycopg://spsync@dbserver/spsync") from None
        if url.password:
            # The message must not echo the URL: it holds the password.
            raise ValueError("zet het wachtwoord niet in de url maar in een omgevingsvariabele, "
                             "en noem die in password_env") from None
        return v


class AlertsConfig(_Section):
    """Alerts and reminders (DATA-MODEL §5.9): who gets what, over which channel, when."""

    enabled: bool = True
    #: The MT group mailbox: gets missed slots and escalations.
    mt_mailbox: str | None = None

    # --- timing and routing of the rules (spsync.alerts.rules) ---

    # --- channel settings (spsync.alerts.channels) ---


class DaemonConfig(_Section):
    """The jobs of ``spsync daemon`` (APScheduler, in ``timezone``)."""

    timezone: str = "Europe/Amsterdam"


class HealthConfig(_Section):
    """The health and metrics endpoint of the daemon."""

    host: str = "127.0.0.1"
    port: int = Field(9464, ge=0, le=65535)


class LoggingConfig(_Section):
    """Where ``run`` and ``daemon`` log besides the console."""

    file: Path | None = None
    format: Literal["text", "json"] = "text"


class IncrementalConfig(_Section):
    """Incremental reads by change tokens: re-read only what changed since the last cycle."""

    enabled: bool = True
    #: A list is read in full at least this often, whatever its change token says.
    full_read_every_hours: float = Field(24.0, gt=0, le=24 * 31)


def _default_titles() -> dict[str, str]:
    return {d.key: d.title for d in (*schema.LISTS, schema.LIBRARY)}


class Config(_Section):
    """The whole config. ``lists`` maps list keys to site titles; ``columns`` maps per list the
    data model's internal names to the site's internal names where they differ."""

    site: SiteConfig
    auth: AuthConfig = AuthConfig(mode="sandbox")
    lists: dict[str, str] = Field(default_factory=_default_titles)
    columns: dict[str, dict[str, str]] = Field(default_factory=dict)
    rules: RulesConfig = RulesConfig()
    report: ReportConfig = ReportConfig()
    http: HttpConfig = HttpConfig()
    safety: SafetyConfig = SafetyConfig()
    state: StateConfig = StateConfig()
    alerts: AlertsConfig = AlertsConfig()
    daemon: DaemonConfig = DaemonConfig()
    health: HealthConfig = HealthConfig()
    logging: LoggingConfig = LoggingConfig()
    incremental: IncrementalConfig = IncrementalConfig()

    @field_validator("lists")
    @classmethod
    def _lists(cls, v: dict[str, str]) -> dict[str, str]:
        known = _default_titles()
        unknown = sorted(set(v) - set(known))
        if unknown:
            raise ValueError("onbekende lijst(en): " + ", ".join(unknown)
                             + "; bekend zijn: " + ", ".join(known))
        return {**known, **v}

    @field_validator("columns")
    @classmethod
    def _columns(cls, v: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        problems = []
        for key, mapping in v.items():
            try:
                definition = schema.list_def(key)
            except KeyError:
                problems.append(f"onbekende lijst '{key}'")
                continue
            names = {c.name for c in definition.columns}
            problems += [f"lijst '{key}' heeft geen kolom '{c}'" for c in mapping if c not in names]
        if problems:
            raise ValueError("; ".join(problems))
        return v

    def title(self, key: str) -> str:
        """The site title of list ``key``."""
        return self.lists[key]

    def site_column(self, key: str, column: str) -> str:
        """The site's internal name for the data model's ``column`` in list ``key``."""
        return self.columns.get(key, {}).get(column, column)


#: Dutch wording of pydantic's error types (the admin who edits the config reads these).
_DUTCH = {
    "missing": "ontbreekt",
    "extra_forbidden": "onbekende instelling",
    "less_than_equal": "moet kleiner dan of gelijk aan {le} zijn",
    "less_than": "moet kleiner dan {lt} zijn",
    "greater_than_equal": "moet groter dan of gelijk aan {ge} zijn",
    "greater_than": "moet groter dan {gt} zijn",
    "int_parsing": "moet een geheel getal zijn",
    "int_type": "moet een geheel getal zijn",
    "float_parsing": "moet een getal zijn",
    "float_type": "moet een getal zijn",
    "bool_parsing": "moet true of false zijn",
    "bool_type": "moet true of false zijn",
    "string_type": "moet tekst zijn",
    "list_type": "moet een lijst zijn",
    "dict_type": "moet een tabel zijn",
    "model_type": "moet een tabel zijn",
    "literal_error": "moet een van deze waarden zijn: {expected}",
}


def _problem(err: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in err["loc"]) or "(bestand)"
    template = _DUTCH.get(err["type"])
    if template is not None:
        ctx = {k: str(v).replace("' or '", "' of '") for k, v in (err.get("ctx") or {}).items()}
        msg = template.format(**ctx)
    else:
        msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}: {msg}"


def config_from_dict(data: dict[str, Any], source: str = "config") -> Config:
    """Validate ``data``; raise ``ConfigError`` with one Dutch sentence per problem."""
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(e) for e in exc.errors()]  # type: ignore[arg-type]
        raise ConfigError(f"De configuratie {source} is ongeldig.", problems) from None


def load_config(path: Path | str) -> Config:
    """Read and validate a TOML config file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Configuratiebestand {path} bestaat niet.", [f"{path}: niet gevonden"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Configuratiebestand {path} is geen geldige TOML.", [f"{path}: {exc}"]) from None
    return config_from_dict(data, str(path))
