"""Compact signed tokens (a simplified JWT, HS256 only).

A token is ``base64url(header).base64url(payload).base64url(signature)``.
Never trust a token before :func:`verify` has checked the signature and
the expiry.
"""

import base64
import hashlib
import hmac
import json
import time
from typing import Any, Dict, Optional


class TokenError(ValueError):
    pass


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(payload: Dict[str, Any], secret: bytes, ttl: int = 3600, now: Optional[float] = None) -> str:
    issued = int(now if now is not None else time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    body = dict(payload, iat=issued, exp=issued + ttl)
    signing_input = f"{_b64encode(json.dumps(header, separators=(',', ':')).encode())}.{_b64encode(json.dumps(body, separators=(',', ':')).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64encode(signature)}"


def verify(token: str, secret: bytes, now: Optional[float] = None) -> Dict[str, Any]:
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
    except ValueError:
        raise TokenError("malformed token") from None
    expected = hmac.new(secret, f"{header_b64}.{payload_b64}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, _b64decode(signature_b64)):
        raise TokenError("bad signature")
    header = json.loads(_b64decode(header_b64))
    if header.get("alg") != "HS256":
        raise TokenError(f"unsupported algorithm {header.get('alg')!r}")
    payload = json.loads(_b64decode(payload_b64))
    if payload["exp"] < (now if now is not None else time.time()):
        raise TokenError("token expired")
    return payload


if __name__ == "__main__":
    secret = b"s3cr3t-demo-key"
    token = sign({"sub": "user-42", "role": "admin"}, secret, ttl=60, now=1_700_000_000)
    print(token.count("."), len(token))
    print(verify(token, secret, now=1_700_000_030))
    for label, candidate, when in [
        ("expired", token, 1_700_000_100),
        ("tampered", token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), 1_700_000_030),
        ("wrong key", token, 1_700_000_030),
        ("garbage", "not-a-token", 0),
    ]:
        try:
            verify(candidate, b"other" if label == "wrong key" else secret, now=when)
        except TokenError as exc:
            print(f"{label}: {exc}")
