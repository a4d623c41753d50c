"""The five delivery channels and :func:`build_channels`, which makes them from the config.

Each channel has a ``name`` and ``send(digest, message) -> str`` and raises
:class:`spsync.exceptions.DeliveryError` (Dutch, without secrets) when the message did not go
out, so the dispatcher can keep the alerts pending and go on with the other channels.

A channel that cannot work (Graph without a token, Signalen without a site) is still built:
its ``send`` fails with a DeliveryError, so one broken channel never stops the others or the
write-back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from spsync.alerts.channels.graph import GraphMailChannel
from spsync.alerts.channels.outbox import DEFAULT_SENDER, OutboxChannel
from spsync.alerts.channels.secret import SecretSource
from spsync.alerts.channels.signalen import SignalenChannel
from spsync.alerts.channels.smtp import SmtpChannel
from spsync.alerts.channels.teams import TeamsWorkflowChannel
from spsync.alerts.model import Channel, Digest, RenderedMessage
from spsync.exceptions import DeliveryError
from spsync.gateway import Gateway

if TYPE_CHECKING:
    from spsync.config import AlertsConfig

__all__ = [
    "CHANNEL_NAMES",
    "GraphMailChannel",
    "OutboxChannel",
    "SignalenChannel",
    "SmtpChannel",
    "TeamsWorkflowChannel",
    "UnavailableChannel",
    "build_channels",
]

#: Every channel name a rule may route to.
CHANNEL_NAMES = ("smtp", "graph", "teams", "signalen", "outbox")


class UnavailableChannel:
    """A configured channel that cannot send in this process; every send says why."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason

    def send(self, digest: Digest, message: RenderedMessage) -> str:
        raise DeliveryError(self.reason, channel=self.name)


def _sender(cfg: AlertsConfig) -> str:
    if cfg.smtp is not None:
        return cfg.smtp.sender
    if cfg.graph is not None:
        return cfg.graph.sender
    return DEFAULT_SENDER


def build_channels(cfg: AlertsConfig, *, outbox: Path | None, gateway: Gateway | None,
                   graph_token: Callable[[], str] | None,
                   user_agent_org: str = "SWV") -> dict[str, Channel]:
    """Channel name → channel for every configured section of ``[alerts]``.

    With ``outbox`` (``spsync run --outbox DIR``, the demo) every channel name, configured or
    not, maps to one outbox in that folder: a dry run or an archive sends nothing anywhere.
    """
    if outbox is not None:
        box = OutboxChannel(Path(outbox), sender=_sender(cfg))
        return {name: box for name in CHANNEL_NAMES}
    channels: dict[str, Channel] = {}
    if cfg.smtp is not None:
        s = cfg.smtp
        password = (SecretSource("Het SMTP-wachtwoord", "smtp", env=s.password_env,
                                 file=s.password_file)
                    if s.password_env or s.password_file else None)
        channels["smtp"] = SmtpChannel(host=s.host, port=s.port, security=s.security,
                                       username=s.username, password=password, sender=s.sender,
                                       ca_file=s.ca_file, timeout=s.timeout)
    if cfg.graph is not None:
        if graph_token is None:
            channels["graph"] = UnavailableChannel(
                "graph", "Er is geen token voor Microsoft Graph: [alerts.graph] vraagt om "
                         "auth.mode = \"certificate\" met de toestemming Mail.Send.")
        else:
            channels["graph"] = GraphMailChannel(sender=cfg.graph.sender,
                                                 token_provider=graph_token,
                                                 endpoint=cfg.graph.endpoint,
                                                 user_agent_org=user_agent_org)
    if cfg.teams is not None:
        t = cfg.teams
        channels["teams"] = TeamsWorkflowChannel(
            webhook=SecretSource("De Teams-webhook-URL", "teams", env=t.webhook_url_env,
                                 file=t.webhook_url_file), timeout=t.timeout)
    if cfg.signalen is not None:
        if gateway is None:
            channels["signalen"] = UnavailableChannel(
                "signalen", "De lijst Signalen is niet bereikbaar: er is geen verbinding met "
                            "de site.")
        else:
            channels["signalen"] = SignalenChannel(gateway, list_title=cfg.signalen.list_title)
    if cfg.outbox is not None:
        channels["outbox"] = OutboxChannel(cfg.outbox.dir, sender=_sender(cfg))
    return channels
