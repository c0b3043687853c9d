"""Where urgent alerts go: a webhook the clinic points at its paging, chat or on-call system."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from morrow.domain.errors import ConfigurationError


class Notifier(Protocol):
    def send(self, kind: str, payload: dict[str, Any]) -> None:
        """Deliver one message or raise `DeliveryError` with the reason."""


class DeliveryError(Exception):
    pass


@dataclass(frozen=True)
class WebhookNotifier:
    """POSTs `{"kind", ...payload}` as JSON. The payload carries ids, rule, severity and title only;
    the clinician opens Morrow for the details."""

    url: str
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if not self.url.startswith(("https://", "http://")):
            raise ConfigurationError("MORROW_ALERT_WEBHOOK_URL must be an http(s) URL", field="alert_webhook_url")

    def send(self, kind: str, payload: dict[str, Any]) -> None:
        body = json.dumps({"kind": kind, **payload}).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.url, data=body, method="POST", headers={"Content-Type": "application/json", "User-Agent": "morrow"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"webhook answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DeliveryError(f"webhook unreachable: {reason}") from None
        if not 200 <= status < 300:
            raise DeliveryError(f"webhook answered HTTP {status}")
