"""HTTP transport: one ``requests`` session, bearer token, JSON answers, errors mapped to exceptions."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Tuple

import requests

from .errors import VigilConnectionError, error_for


class Transport:
    """Sends requests to one Vigil server. Not shared between threads: the batcher has its own."""

    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "vigil-client-python/0.1"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Dict[str, Any]] = None,
        body: Optional[bytes] = None,
        content_type: str = "application/json",
        allow_statuses: Tuple[int, ...] = (),
        timeout: Optional[float] = None,
    ) -> Tuple[int, Any]:
        """Returns ``(status, decoded body)``; raises an :class:`~vigil.APIError` subclass for an
        error status not in ``allow_statuses`` and :class:`~vigil.VigilConnectionError` when the
        server cannot be reached."""
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = self.session.request(
                method,
                self.url + path,
                params=clean,
                data=body,
                headers={"Content-Type": content_type} if body is not None else None,
                timeout=timeout or self.timeout,
            )
        except requests.RequestException as error:
            raise VigilConnectionError(f"cannot reach Vigil at {self.url}: {error}") from error
        decoded = self._decode(response)
        if response.status_code >= 400 and response.status_code not in allow_statuses:
            raise error_for(response.status_code, decoded)
        return response.status_code, decoded

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params)[1]

    def put_json(self, path: str, document: Any, **params: Any) -> Tuple[int, Any]:
        return self.request("PUT", path, params=params, body=json.dumps(document, allow_nan=False).encode())

    def post_json(self, path: str, document: Any, **params: Any) -> Tuple[int, Any]:
        return self.request("POST", path, params=params, body=json.dumps(document, allow_nan=False).encode())

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)[1]

    def close(self) -> None:
        self.session.close()

    @staticmethod
    def _decode(response: requests.Response) -> Any:
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            return response.text
