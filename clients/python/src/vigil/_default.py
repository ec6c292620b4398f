"""The process-wide default client that :func:`vigil.init` sets (used by ``@vigil.metric``)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from .client import Client

_client: Optional["Client"] = None


def init(url: Optional[str] = None, token: Optional[str] = None, **options: Any) -> "Client":
    """Creates the default client: ``url`` (else ``$VIGIL_URL``, else http://127.0.0.1:8080) and
    ``token`` (else ``$VIGIL_TOKEN``). Replaces (and closes) an earlier default client."""
    from .client import Client

    global _client
    if _client is not None:
        _client.close()
    _client = Client(url or os.environ.get("VIGIL_URL", "http://127.0.0.1:8080"), token or os.environ.get("VIGIL_TOKEN"), **options)
    return _client


def get() -> Optional["Client"]:
    return _client
