"""The daemon's report jobs over real HTTP: the tertiaal and annual kinds are read-only reports
uploaded to the library, the weekly one comes with a cycle; each is recorded as made."""

from __future__ import annotations

from spsync.config import config_from_dict
from spsync.jobs import report_job
from spsync.state import open_state


def _config(tmp_path, site_url):
    return config_from_dict({
        "site": {"url": site_url}, "auth": {"mode": "sandbox"},
        "report": {"output_dir": str(tmp_path / "out")},
        "state": {"path": str(tmp_path / "state.db")},
        "alerts": {"mt_mailbox": "mt@swv-demo.example", "default_channels": ["outbox"],
                   "outbox": {"dir": str(tmp_path / "outbox")}},
    }, "test")


def test_annual_and_tertiaal_jobs_make_and_upload_their_reports(sandbox, tmp_path):
    config = _config(tmp_path, sandbox.site_url)
    annual = report_job(config, "annual", "2025-2026")
    tertiaal = report_job(config, "tertiaal", "2025-2026-M8")
    assert annual.exit_code == 0 and tertiaal.exit_code == 0, (annual.problems,
                                                              tertiaal.problems)
    assert annual.path.name == "Jaarevaluatie 2025-2026.docx" and annual.path.exists()
    assert tertiaal.path.name == "Tertiaalrapportage 2025-2026-M8.docx"
    assert tertiaal.path.exists()
    names = {u.server_relative_url.rsplit("/", 1)[-1] for u in annual.uploaded + tertiaal.uploaded}
    assert names == {"Jaarevaluatie 2025-2026.docx", "Tertiaalrapportage 2025-2026-M8.docx"}
    # read-only towards the lists: no item of a registration list was written
    assert not [r for r in sandbox.requests if r.method == "MERGE" and "/items(" in r.path
                and "MT-rapportages" not in r.path and "MTrapportages" not in r.path]


def test_the_weekly_job_is_a_full_cycle_with_its_report(sandbox, tmp_path):
    config = _config(tmp_path, sandbox.site_url)
    with open_state(config.state) as store:
        outcome = report_job(config, "weekly", "2026-W49", store=store)
        runs = store.runs()
    assert outcome.report_path is not None and outcome.report_path.exists()
    assert outcome.uploaded is not None
    assert runs and runs[0].outcome in ("ok", "problemen") and runs[0].items_written == 111
