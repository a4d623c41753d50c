"""The TOML config, validated by pydantic into one frozen object.

Every problem in a config file becomes one Dutch sentence (``ConfigError.problems``), so a
functional administrator can fix them all in one go. Secrets are never values in the file: the
file names an environment variable or a file path that holds them.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from spsync import schema
from spsync.checks.settings import CheckSettings
from spsync.exceptions import ConfigError
from spsync.workdays import WorkCalendar

__all__ = ["Config", "load_config", "config_from_dict", "token_cache_file"]


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
    """How spsync gets a token. ``sandbox`` sends a fixed token: only for the local sandbox.

    ``certificate`` is Entra ID app-only with a certificate (the only app-only sign-in that
    SharePoint REST still accepts): a PEM file with key and certificate, or a PFX/PKCS#12 file.
    """

    mode: Literal["certificate", "sandbox"] = "certificate"
    tenant_id: str | None = None
    client_id: str | None = None
    #: PEM (private key + certificate) or PFX file; read at run time, never logged.
    certificate_path: Path | None = None
    #: ``auto`` decides by suffix: .pfx/.p12 is PKCS#12, anything else PEM.
    certificate_format: Literal["auto", "pem", "pfx"] = "auto"
    #: PEM only: the private key in its own file (default: inside ``certificate_path``).
    private_key_path: Path | None = None
    #: Thumbprint as shown in Entra ID: SHA-1 (40 hex) or SHA-256 (64 hex). Optional: spsync
    #: computes both from the certificate and warns when this one does not match.
    certificate_thumbprint: str | None = None
    #: The SHA-256 thumbprint (x5t#S256), when noted separately; also only a cross-check.
    certificate_thumbprint_sha256: str | None = None
    #: What the client assertion names the certificate by: ``sha256`` (x5t#S256, PS256); ``sha1``
    #: (x5t, RS256) only as a fallback for an msal without SHA-256 support or ADFS.
    thumbprint_algorithm: Literal["sha256", "sha1"] = "sha256"
    #: Name of the environment variable that holds the key's (or PFX's) passphrase, if any.
    passphrase_env: str | None = None
    #: Default ``https://login.microsoftonline.com/<tenant_id>``.
    authority: str | None = None
    #: msal's instance discovery; ``false`` for an authority msal does not know (tests, sovereign).
    instance_discovery: bool | None = None
    #: Extra CA bundle (PEM) to trust for the authority, e.g. a TLS-inspecting proxy.
    ca_bundle: Path | None = None
    #: Keep tokens across runs (msal SerializableTokenCache, file mode 0600).
    token_cache: bool = True
    #: Default: ``spsync-token-cache.json`` next to the state file (``[state] path``).
    token_cache_path: Path | None = None
    #: A token is renewed this many seconds before it expires.
    refresh_margin_s: int = Field(300, ge=0, le=3000)

    @field_validator("certificate_thumbprint", "certificate_thumbprint_sha256")
    @classmethod
    def _thumbprint(cls, v: str | None) -> str | None:
        if v is None:
            return None
        cleaned = v.replace(":", "").replace(" ", "").lower()
        if len(cleaned) not in (40, 64) or any(c not in "0123456789abcdef" for c in cleaned):
            raise ValueError("moet 40 (SHA-1) of 64 (SHA-256) hexadecimale tekens zijn")
        return cleaned

    @model_validator(mode="after")
    def _complete(self) -> AuthConfig:
        if self.mode == "certificate":
            missing = [n for n in ("tenant_id", "client_id", "certificate_path")
                       if not getattr(self, n)]
            if missing:
                raise ValueError("voor mode = \"certificate\" ontbreekt: " + ", ".join(missing))
        if self.certificate_thumbprint_sha256 and len(self.certificate_thumbprint_sha256) != 64:
            raise ValueError("certificate_thumbprint_sha256 moet 64 hexadecimale tekens zijn")
        return self

    @property
    def is_pfx(self) -> bool:
        """Whether ``certificate_path`` is read as PKCS#12."""
        if self.certificate_format != "auto":
            return self.certificate_format == "pfx"
        return bool(self.certificate_path
                    and self.certificate_path.suffix.lower() in (".pfx", ".p12"))


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


class ReportTemplatesConfig(_Section):
    """Edited copies of the templates per report kind (``[report.templates]``); empty means
    the packaged default (``weekly`` empty: ``report.template``)."""

    weekly: Path | None = None
    tertiaal: Path | None = None
    jaar: Path | None = None


class ReportConfig(_Section):
    output_dir: Path = Path("out")
    #: A .docx template staff may edit in Word; empty means the packaged default.
    template: Path | None = None
    #: Privacy: hours per person appear in the report only when this is true.
    show_hours_per_person: bool = False
    upload: bool = True
    #: PDF beside the .docx (LibreOffice): "auto" when installed, "on" (missing = a problem),
    #: "off" (the default: a conversion costs seconds; the example config and the demo say auto).
    pdf: Literal["auto", "on", "off"] = "off"
    #: Seconds one LibreOffice conversion may take before it is killed.
    pdf_timeout: float = Field(120.0, gt=0, le=3600)
    templates: ReportTemplatesConfig = ReportTemplatesConfig()

    def template_for(self, kind: str) -> Path | None:
        """The configured template of report ``kind`` (weekly falls back to ``template``)."""
        chosen = getattr(self.templates, kind, None)
        return chosen if chosen is not None or kind != "weekly" else self.template


class HttpConfig(_Section):
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(60.0, gt=0)
    page_size: int = Field(5000, ge=1, le=5000)
    batch_size: int = Field(100, ge=1, le=100)
    max_retries: int = Field(5, ge=0, le=10)
    #: A Retry-After longer than this (seconds) is not waited out: the cycle stops (Throttled).
    max_retry_after: float = Field(120.0, ge=0)
    #: Overall deadline of one cycle in seconds, checked before every request and wait; 0 = none.
    cycle_deadline: float = Field(900.0, ge=0)


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


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _one_secret_source(env: str | None, file: Path | None, what: str) -> None:
    if env and file:
        raise ValueError(f"geef {what} óf als omgevingsvariabele óf als bestand, niet allebei")


class SmtpConfig(_Section):
    """``[alerts.smtp]``: e-mail over SMTP. The password is named (env var or file), never given."""

    host: str
    #: Empty means the usual port of ``security``: 587 (starttls), 465 (tls), 25 (none).
    port: int | None = Field(None, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    #: The From header, e.g. ``"spsync <spsync@swv-almere.nl>"``.
    sender: str
    #: PEM file with the CA of a private mail server; empty means the system's CAs.
    ca_file: Path | None = None
    timeout: float = Field(30.0, gt=0, le=600)

    @field_validator("sender")
    @classmethod
    def _sender(cls, v: str) -> str:
        from email.utils import parseaddr

        if "@" not in parseaddr(v)[1]:
            raise ValueError("moet een e-mailadres zijn, bijvoorbeeld "
                             "\"spsync <spsync@school.nl>\"")
        return v

    @model_validator(mode="after")
    def _credentials(self) -> SmtpConfig:
        _one_secret_source(self.password_env, self.password_file, "het wachtwoord")
        if self.username and not (self.password_env or self.password_file):
            raise ValueError("bij username hoort password_env of password_file")
        if (self.password_env or self.password_file) and not self.username:
            raise ValueError("een wachtwoord zonder username wordt niet gebruikt; vul username in")
        if self.security == "none" and self.username and self.host not in _LOOPBACK:
            raise ValueError("aanmelden zonder versleuteling (security = \"none\") mag alleen "
                             "op 127.0.0.1; kies \"starttls\" of \"tls\"")
        return self


class GraphMailConfig(_Section):
    """``[alerts.graph]``: e-mail through Microsoft Graph ``sendMail`` with the app's own
    credential (application permission Mail.Send, limited to ``sender``)."""

    endpoint: str = "https://graph.microsoft.com/v1.0"
    #: The mailbox that sends (its UPN or address), e.g. ``spsync@swv-almere.nl``.
    sender: str

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, v: str) -> str:
        if not v.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ValueError("moet beginnen met https:// (http:// alleen voor de sandbox op "
                             "127.0.0.1)")
        return v.rstrip("/")

    @field_validator("sender")
    @classmethod
    def _sender(cls, v: str) -> str:
        if "@" not in v or any(c.isspace() for c in v.strip()):
            raise ValueError("moet het adres van een mailbox zijn, bijvoorbeeld spsync@school.nl")
        return v.strip()


class TeamsConfig(_Section):
    """``[alerts.teams]``: a Teams channel through a Workflows webhook. The URL is a secret."""

    webhook_url_env: str | None = None
    webhook_url_file: Path | None = None
    timeout: float = Field(30.0, gt=0, le=600)

    @model_validator(mode="after")
    def _source(self) -> TeamsConfig:
        _one_secret_source(self.webhook_url_env, self.webhook_url_file, "de webhook-URL")
        if not (self.webhook_url_env or self.webhook_url_file):
            raise ValueError("geef webhook_url_env of webhook_url_file (de URL zelf hoort niet "
                             "in dit bestand)")
        return self


class SignalenConfig(_Section):
    """``[alerts.signalen]``: one item per signal in a list on the site."""

    list_title: str = Field("Signalen", min_length=1)


class OutboxConfig(_Section):
    """``[alerts.outbox]``: every message as an ``.eml`` file in ``dir`` (an archive)."""

    dir: Path


class AlertsConfig(_Section):
    """Alerts and reminders (DATA-MODEL §5.9): who gets what, over which channel, when."""

    enabled: bool = True
    #: The MT group mailbox: gets missed slots and escalations.
    mt_mailbox: str | None = None

    # --- timing and routing of the rules (spsync.alerts.rules) ---
    #: The rules (digest groups) and the channel names a rule may be routed to.
    RULES: ClassVar[tuple[str, ...]] = ("gemist", "escalatie", "herinnering", "uren", "budget")
    CHANNEL_NAMES: ClassVar[tuple[str, ...]] = ("smtp", "graph", "teams", "signalen", "outbox")
    #: The name the MT mailbox is greeted with.
    mt_name: str = "MT"
    #: Channels of every rule without its own entry in ``rule_channels``.
    default_channels: list[str] = ["smtp"]
    #: Per rule its channels, e.g. ``gemist = ["smtp", "signalen"]``.
    rule_channels: dict[str, list[str]] = Field(default_factory=dict)
    #: Reminders this many working days before PeriodeEind (after the first one). Empty: the
    #: ``[rules] reminder_days_before_end`` value, read as working days.
    reminder_workdays_before_end: list[int] | None = None
    #: A slot still "Gemist" this many working days after its first alert goes to the MT.
    escalation_workdays: int = Field(10, ge=1, le=260)
    #: School holiday region of the ``holidays`` package (Almere: Noord).
    holiday_region: Literal["Noord", "Midden", "Zuid"] = "Noord"
    #: Extra days off (e.g. a study day, Bevrijdingsdag in a non-lustrum year).
    extra_holidays: list[date] = []
    #: Days that are working days anyway (e.g. Goede Vrijdag, a school holiday week worked).
    extra_workdays: list[date] = []
    #: Send attempts per alert before it is given up (then a finding).
    max_attempts: int = Field(5, ge=1, le=100)

    @field_validator("default_channels")
    @classmethod
    def _default_channels(cls, v: list[str]) -> list[str]:
        unknown = [c for c in v if c not in cls.CHANNEL_NAMES]
        if unknown:
            raise ValueError("onbekend kanaal: " + ", ".join(unknown) + "; bekend zijn: "
                             + ", ".join(cls.CHANNEL_NAMES))
        return v

    @field_validator("rule_channels")
    @classmethod
    def _rule_channels(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        problems = [f"onbekende regel '{r}' (bekend zijn: {', '.join(cls.RULES)})"
                    for r in v if r not in cls.RULES]
        problems += [f"regel '{r}': onbekend kanaal '{c}' (bekend zijn: "
                     f"{', '.join(cls.CHANNEL_NAMES)})"
                     for r, chans in v.items() for c in chans if c not in cls.CHANNEL_NAMES]
        if problems:
            raise ValueError("; ".join(problems))
        return v

    @field_validator("reminder_workdays_before_end")
    @classmethod
    def _offsets(cls, v: list[int] | None) -> list[int] | None:
        if v is not None and any(n < 0 for n in v):
            raise ValueError("werkdagen voor de deadline moeten 0 of meer zijn")
        return v

    def channels_for(self, rule: str) -> tuple[str, ...]:
        """The channels of ``rule``: its own entry, else ``default_channels``."""
        return tuple(self.rule_channels.get(rule, self.default_channels))

    def work_calendar(self, around: date) -> WorkCalendar:
        """The working-day calendar of the configured region for the years around ``around``."""
        return WorkCalendar.around(around, self.holiday_region, self.extra_holidays,
                                   self.extra_workdays)

    # --- channel settings (spsync.alerts.channels) ---
    #: A channel is configured when its section is present.
    smtp: SmtpConfig | None = None
    graph: GraphMailConfig | None = None
    teams: TeamsConfig | None = None
    signalen: SignalenConfig | None = None
    outbox: OutboxConfig | None = None
    #: A folder with edited copies of templates/alerts/*.j2; empty means the packaged ones.
    templates_dir: Path | None = None


class JobConfig(_Section):
    """One job of the daemon: APScheduler ``CronTrigger`` fields in ``daemon.timezone``.

    Fields rather than a crontab line: APScheduler 3.x numbers weekdays from Monday = 0, unlike
    cron, so ``day_of_week = "mon-fri"`` is the only unambiguous spelling. Each job kind has its
    own subclass so that setting one field keeps that job's other defaults.
    """

    enabled: bool = True
    month: str = "*"
    day: str = "*"
    day_of_week: str = "*"
    hour: str = "7"
    minute: str = "0"
    #: Only for tests and trials ("*/2"); a production schedule keeps "0".
    second: str = "0"
    #: Seconds a run may start late (scheduler busy, machine suspended) before it is skipped.
    misfire_grace_time: int = Field(3600, ge=1)
    #: Random delay of up to this many seconds, so many tenants do not call at :00 together.
    jitter: int = Field(0, ge=0, le=900)

    def cron_fields(self) -> dict[str, str]:
        return {"month": self.month, "day": self.day, "day_of_week": self.day_of_week,
                "hour": self.hour, "minute": self.minute, "second": self.second}

    @model_validator(mode="after")
    def _valid_cron(self) -> JobConfig:
        from spsync.schedule import cron_problem

        problem = cron_problem(self.cron_fields())
        if problem:
            raise ValueError(problem)
        return self


class SyncJobConfig(JobConfig):
    """The sync cycle: every 30 minutes on working days, 07:00-18:30."""

    day_of_week: str = "mon-fri"
    hour: str = "7-18"
    minute: str = "0,30"
    misfire_grace_time: int = Field(900, ge=1)


class AlertsJobConfig(JobConfig):
    """The alerts run: daily at 08:00."""

    hour: str = "8"


class WeeklyReportJobConfig(JobConfig):
    """The weekly MT-rapportage: Monday 07:00; caught up once per ISO week after downtime."""

    day_of_week: str = "mon"
    misfire_grace_time: int = Field(6 * 3600, ge=1)


class TertiaalReportJobConfig(JobConfig):
    """The tertiaal report (M4/M8/M12, kalenderjaar organisations): the 1st of May, September
    and January at 07:15. Off by default."""

    enabled: bool = False
    month: str = "1,5,9"
    day: str = "1"
    minute: str = "15"
    misfire_grace_time: int = Field(6 * 3600, ge=1)


class AnnualReportJobConfig(JobConfig):
    """The annual evaluation: 1 August (schooljaar) at 07:30; a kalenderjaar organisation sets
    ``month = "1"``. Off by default."""

    enabled: bool = False
    month: str = "8"
    day: str = "1"
    minute: str = "30"
    misfire_grace_time: int = Field(6 * 3600, ge=1)


class DaemonConfig(_Section):
    """The jobs of ``spsync daemon`` (APScheduler, in ``timezone``)."""

    timezone: str = "Europe/Amsterdam"
    sync: SyncJobConfig = SyncJobConfig()
    alerts: AlertsJobConfig = AlertsJobConfig()
    weekly_report: WeeklyReportJobConfig = WeeklyReportJobConfig()
    tertiaal_report: TertiaalReportJobConfig = TertiaalReportJobConfig()
    annual_report: AnnualReportJobConfig = AnnualReportJobConfig()
    #: Produce a report whose scheduled time passed while the daemon was down (once per period).
    catch_up_reports: bool = True
    #: Lock file that keeps a second daemon off the same state; default ``<state.path>.lock``.
    lock_path: Path | None = None

    def jobs(self) -> dict[str, JobConfig]:
        """Every job by name, enabled or not."""
        return {"sync": self.sync, "alerts": self.alerts, "weekly_report": self.weekly_report,
                "tertiaal_report": self.tertiaal_report, "annual_report": self.annual_report}

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"onbekende tijdzone '{v}' (bijvoorbeeld \"Europe/Amsterdam\")"
                             ) from None
        return v

    @model_validator(mode="after")
    def _outside_dst_hours(self) -> DaemonConfig:
        from spsync.schedule import dst_problem

        problems = [f"{name}: {problem}" for name, job in self.jobs().items() if job.enabled
                    for problem in [dst_problem(job.cron_fields(), self.timezone, job.jitter)]
                    if problem]
        if problems:
            raise ValueError("; ".join(problems))
        return self


class HealthConfig(_Section):
    """The health and metrics endpoint of the daemon."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(9464, ge=0, le=65535)
    #: Seconds after a *scheduled* sync time by which a successful cycle must have ended;
    #: nights and weekends without scheduled cycles never make ``/healthz`` fail.
    max_age: int = Field(7200, ge=60)


class LoggingConfig(_Section):
    """Where ``run`` and ``daemon`` log besides the console."""

    file: Path | None = None
    format: Literal["text", "json"] = "text"


class IncrementalConfig(_Section):
    """Incremental reads by change tokens: re-read only what changed since the last cycle."""

    enabled: bool = True
    #: A list is read in full at least this often, whatever its change token says.
    full_read_every_hours: float = Field(24.0, gt=0, le=24 * 31)
    #: A sync cycle (no report) whose input is the last cycle's (the same change tokens,
    #: controledatum, configuration and version) skips the checks and the write-back: they
    #: would compute what is already on the site.
    skip_unchanged: bool = True


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
    except UnicodeDecodeError:
        raise ConfigError(f"Configuratiebestand {path} is geen UTF-8-tekst.",
                          [f"{path}: sla het bestand op als UTF-8"]) from None
    except OSError as exc:
        raise ConfigError(f"Configuratiebestand {path} kan niet worden gelezen.",
                          [f"{path}: {exc.strerror or exc}"]) from None
    return config_from_dict(data, str(path))


def token_cache_file(config: Config) -> Path | None:
    """Where the token cache lives: ``auth.token_cache_path``, else next to the state file."""
    if not config.auth.token_cache:
        return None
    return config.auth.token_cache_path or config.state.path.parent / "spsync-token-cache.json"
