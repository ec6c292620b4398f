"""Exceptions raised by the Vigil client.

Every error the server answers carries its machine-readable ``code`` (``unknown_model``,
``invalid_definition``, ``rejected_rows`` …), its ``message`` and the HTTP ``status``; the class tells
the kind of failure so that callers can catch what they can handle::

    try:
        client.metrics("car-loan", window="7d")
    except vigil.NotFoundError as error:
        print(error.code, error.message)   # unknown_model unknown model 'car-loan'; known models: …
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional


class VigilError(Exception):
    """Base class of every error raised by the client."""


class VigilConnectionError(VigilError):
    """The server could not be reached (refused, reset, timed out)."""


class APIError(VigilError):
    """The server answered with an error: ``status``, ``code``, ``message`` and ``details``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Optional[List[Dict[str, Any]]] = None,
        body: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(f"{code}: {message} (HTTP {status})")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.body = body or {}

    @property
    def field(self) -> Optional[str]:
        """The field the server names as the cause, when it names one."""
        for detail in self.details:
            if detail.get("field"):
                return detail["field"]
        return self.body.get("error", {}).get("field")


class BadRequestError(APIError):
    """400: the request is invalid (bad window, unknown parameter, invalid definition …)."""


class AuthenticationError(APIError):
    """401: no token, or a token the server does not know."""


class PermissionDeniedError(APIError):
    """403: the token lacks the scope (a read token on a write route)."""


class NotFoundError(APIError):
    """404: unknown model, version, metric, SLO or reference."""


class PayloadTooLargeError(APIError):
    """413: the body exceeds the server's ``--max-body``."""


class RejectedRowsError(APIError):
    """422: some rows of a batch were rejected; **the others were accepted and are durable**.

    ``result`` is the :class:`~vigil.IngestResult` of the whole call, whose ``rejected`` list names
    each bad row by its index in your input, its field and the reason.
    """

    def __init__(self, result: "Any", status: int = 422, body: Optional[Dict[str, Any]] = None) -> None:
        rejected = result.rejected
        first = rejected[0] if rejected else {}
        message = (
            f"{len(rejected)} of {result.accepted + len(rejected)} rows rejected; "
            f"the other {result.accepted} were accepted"
        )
        if first:
            message += f" (first: row {first.get('index')}, {first.get('field')}: {first.get('message')})"
        super().__init__(status, "rejected_rows", message, rejected, body)
        self.result = result


class UnavailableError(APIError):
    """503: the server is recovering its log or its storage failed; retry later."""


class ServerError(APIError):
    """Any other 5xx."""


_BY_STATUS = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    503: UnavailableError,
}


def error_for(status: int, body: Any) -> APIError:
    """The exception for an error answer: its class by status, code and message from the body."""
    error = body.get("error", {}) if isinstance(body, dict) else {}
    code = error.get("code") or f"http_{status}"
    message = error.get("message") or (body if isinstance(body, str) else f"HTTP {status}")
    details = error.get("details") or []
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else APIError)
    return cls(status, code, message, details, body if isinstance(body, dict) else None)
