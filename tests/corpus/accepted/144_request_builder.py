import json
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: Tuple[Tuple[str, str], ...]
    params: Tuple[Tuple[str, str], ...]
    body: Optional[bytes]
    timeout: float

    def __str__(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params)
        target = f"{self.url}?{query}" if query else self.url
        lines = [f"{self.method} {target}"] + [f"{k}: {v}" for k, v in self.headers]
        if self.body:
            lines += ["", self.body.decode()]
        return "\n".join(lines)


class RequestBuilder:
    """Fluent builder for immutable :class:`Request` objects.

    Nothing is sent anywhere; the built request is a plain value object.
    """

    def __init__(self, method: str = "GET", url: str = "/"):
        self._method = method.upper()
        self._url = url
        self._headers: Dict[str, str] = {"User-Agent": "builder/1.0"}
        self._params: Dict[str, str] = {}
        self._body: Optional[bytes] = None
        self._timeout = 10.0

    def header(self, name: str, value: str) -> "RequestBuilder":
        self._headers[name.title()] = value
        return self

    def param(self, name: str, value: Any) -> "RequestBuilder":
        self._params[name] = str(value)
        return self

    def json(self, payload: Any) -> "RequestBuilder":
        self._body = json.dumps(payload, separators=(",", ":")).encode()
        return self.header("content-type", "application/json")

    def bearer(self, token: str) -> "RequestBuilder":
        return self.header("authorization", f"Bearer {token}")

    def timeout(self, seconds: float) -> "RequestBuilder":
        if seconds <= 0:
            raise ValueError("timeout must be positive")
        self._timeout = seconds
        return self

    def build(self) -> Request:
        if self._body is not None and self._method in ("GET", "HEAD"):
            raise ValueError(f"{self._method} requests cannot have a body")
        return Request(self._method, self._url, tuple(sorted(self._headers.items())),
                       tuple(sorted(self._params.items())), self._body, self._timeout)


if __name__ == "__main__":
    req = (RequestBuilder("post", "https://api.example.com/v1/items")
           .bearer("abc123").param("dry_run", True).param("page", 2)
           .json({"name": "widget", "qty": 3}).timeout(2.5).build())
    print(req)
    print(repr(req.timeout), hash(req) == hash(req))
    try:
        RequestBuilder("GET").json({}).build()
    except ValueError as exc:
        print("error:", exc)
