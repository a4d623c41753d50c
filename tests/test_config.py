"""Config: the example validates; every problem becomes one Dutch line; exit code 2 in the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from spsync.cli import main
from spsync.config import config_from_dict, load_config
from spsync.exceptions import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_example_config_is_valid():
    config = load_config(ROOT / "config" / "spsync.example.toml")
    assert config.title("rapportages") == "MT-rapportages"
    assert config.rules.to_settings().risk_threshold_pct == 90
    assert config.auth.mode == "certificate"


def test_every_problem_is_reported_in_dutch():
    with pytest.raises(ConfigError) as info:
        config_from_dict({
            "site": {"url": "ftp://x"},
            "auth": {"mode": "certificate"},
            "lists": {"bogus": "X"},
            "columns": {"projecten": {"Nope": "x"}},
            "rules": {"risk_threshold_pct": 120, "planjaar_mode": "maand", "extra": 1},
        })
    problems = info.value.problems
    assert len(problems) == 7, problems
    joined = "\n".join(problems)
    for expected in ("site.url: moet beginnen met https://", "tenant_id", "onbekende lijst(en): bogus",
                     "lijst 'projecten' heeft geen kolom 'Nope'",
                     "rules.risk_threshold_pct: moet kleiner dan of gelijk aan 100",
                     "rules.planjaar_mode: moet een van deze waarden zijn: 'schooljaar' of",
                     "rules.extra: onbekende instelling"):
        assert expected in joined


def test_cli_bad_config_exits_2_with_one_line_per_problem(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[site]\nurl = "x"\n[rules]\nbinnenkort_days = "veel"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--once", "--config", str(cfg)])
    assert result.exit_code == 2
    assert "De configuratie" in result.output
    assert "site.url: moet beginnen met https://" in result.output
    assert "rules.binnenkort_days: moet een geheel getal zijn" in result.output
    assert "Traceback" not in result.output


def test_cli_missing_config_file(tmp_path):
    result = CliRunner().invoke(main, ["run", "--once", "--config", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "bestaat niet" in result.output


def test_not_toml(tmp_path):
    cfg = tmp_path / "x.toml"
    cfg.write_text("[site\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="geen geldige TOML"):
        load_config(cfg)
