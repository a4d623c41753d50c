"""Secrets stay out of logs and reports; every module's ``__all__`` names what it exports."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from datetime import UTC, datetime

import docx

import spsync
from spsync.config import config_from_dict
from spsync.cycle import run_cycle
from spsync.demo import DEMO_CONTROLEDATUM
from spsync.sharepoint import SharePointGateway

SECRET = "s3cr3t-t0ken-value"


def test_token_never_reaches_logs_or_report(sandbox, tmp_path, caplog):
    config = config_from_dict({"site": {"url": sandbox.site_url}, "auth": {"mode": "sandbox"},
                               "report": {"output_dir": str(tmp_path)}})
    gateway = SharePointGateway(sandbox.site_url, lambda: {
        "access_token": SECRET, "token_type": "Bearer", "expires_in": 3600})
    with caplog.at_level(logging.DEBUG):  # also the client library's own debug output
        outcome = run_cycle(gateway, config, DEMO_CONTROLEDATUM,
                            now=datetime(2026, 5, 15, tzinfo=UTC))
    gateway.close()
    # The token did travel (the sandbox saw it) ...
    assert any(SECRET in r.headers.get("authorization", "") for r in sandbox.requests)
    # ... but is nowhere in what people read.
    assert SECRET not in caplog.text
    document = docx.Document(str(outcome.report_path))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert SECRET not in text and "Bearer" not in text


def _modules():
    for info in pkgutil.walk_packages(spsync.__path__, "spsync."):
        if ".demo_data" in info.name:
            continue
        yield importlib.import_module(info.name)


def test_every_module_declares_all_and_it_is_accurate():
    missing, dangling = [], []
    for module in _modules():
        names = getattr(module, "__all__", None)
        if names is None:
            missing.append(module.__name__)
            continue
        dangling += [f"{module.__name__}.{n}" for n in names if not hasattr(module, n)]
    assert missing == [] and dangling == []
