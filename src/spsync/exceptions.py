"""spsync's exception tree. Callers catch categories; context travels as keyword attributes.

    SpsyncError
    ├── UserError                 a message for a person, printed without a traceback
    │   ├── ConfigError           the config file is wrong; carries ``problems`` (exit code 2)
    │   └── StateError            the state store cannot be opened (``where``, no password)
    └── GatewayError              talking to SharePoint failed (translated at the gateway boundary)
        ├── ListNotFound          404 on a list (``list_title``)
        ├── ItemNotFound          404 on an item (``list_title``, ``item_id``)
        ├── PreconditionFailed    412: the item changed since it was read (``item_id``)
        ├── Throttled             429/503 after the library's retries (``retry_after``)
        ├── ChangeTokenExpired    a change token older than the change log (``list_title``)
        └── GatewayUnavailable    connection refused, timeout, DNS
    DeliveryError                 an alert channel could not deliver (``channel``); retried
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "SpsyncError",
    "UserError",
    "ConfigError",
    "GatewayError",
    "ListNotFound",
    "ItemNotFound",
    "PreconditionFailed",
    "Throttled",
    "GatewayUnavailable",
    "DeliveryError",
    "StateError",
    "ChangeTokenExpired",
]


class SpsyncError(Exception):
    """Base of every spsync error; keyword arguments become attributes (vdirsyncer style)."""

    def __init__(self, message: str = "", **context: Any) -> None:
        super().__init__(message)
        self.message = message
        for key, value in context.items():
            setattr(self, key, value)


class UserError(SpsyncError):
    """Something a user can fix; the CLI prints ``message`` (Dutch) and no traceback."""


class ConfigError(UserError):
    """The config is invalid. ``problems`` lists one Dutch sentence per problem."""

    def __init__(self, message: str, problems: list[str] | None = None, **context: Any) -> None:
        super().__init__(message, problems=list(problems or []), **context)


class GatewayError(SpsyncError):
    """A SharePoint request failed. ``status`` is the HTTP status when there was one."""


class ListNotFound(GatewayError):
    """The list (``list_title``) does not exist on the site."""


class ItemNotFound(GatewayError):
    """The item (``list_title``, ``item_id``) does not exist (any more)."""


class PreconditionFailed(GatewayError):
    """HTTP 412: the item changed after it was read; re-read and recompute."""


class Throttled(GatewayError):
    """HTTP 429/503 that outlasted the retries; ``retry_after`` in seconds when given."""


class GatewayUnavailable(GatewayError):
    """SharePoint could not be reached (connection refused, timeout)."""


class DeliveryError(SpsyncError):
    """An alert channel (``channel``) could not deliver a message; the alert stays pending."""


class StateError(UserError):
    """The state store cannot be opened or used; ``message`` names the file or the URL (never
    its password) and the fix, in Dutch. ``where`` is that same description."""


class ChangeTokenExpired(GatewayError):
    """The site no longer has the changes after a stored change token (older than its change
    log, or from another list): read the list (``list_title``) in full."""
