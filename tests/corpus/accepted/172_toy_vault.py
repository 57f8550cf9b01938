"""An in-memory secrets vault (toy cryptography -- for demos only).

Values are encrypted with a keystream derived from SHA-256 in counter mode
and authenticated with HMAC. Do not use this instead of a real library such
as ``cryptography``; it only illustrates the encrypt-then-MAC structure.
"""

import base64
import hashlib
import hmac
import secrets
from typing import Dict


class IntegrityError(ValueError):
    pass


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hashlib.sha256(key + nonce + counter.to_bytes(8, "big")).digest())
    return b"".join(blocks)[:length]


class Vault:
    def __init__(self, master_key: bytes):
        self._enc_key = hmac.new(master_key, b"enc", hashlib.sha256).digest()
        self._mac_key = hmac.new(master_key, b"mac", hashlib.sha256).digest()
        self._items: Dict[str, str] = {}

    def put(self, name: str, secret: str) -> None:
        nonce = secrets.token_bytes(12)
        plaintext = secret.encode()
        ciphertext = bytes(a ^ b for a, b in zip(plaintext, _keystream(self._enc_key, nonce, len(plaintext))))
        tag = hmac.new(self._mac_key, name.encode() + nonce + ciphertext, hashlib.sha256).digest()[:16]
        self._items[name] = base64.b64encode(nonce + tag + ciphertext).decode()

    def get(self, name: str) -> str:
        blob = base64.b64decode(self._items[name])
        nonce, tag, ciphertext = blob[:12], blob[12:28], blob[28:]
        expected = hmac.new(self._mac_key, name.encode() + nonce + ciphertext, hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(tag, expected):
            raise IntegrityError(f"secret {name!r} failed authentication")
        return bytes(a ^ b for a, b in zip(ciphertext, _keystream(self._enc_key, nonce, len(ciphertext)))).decode()

    def names(self):
        return sorted(self._items)


if __name__ == "__main__":
    vault = Vault(master_key=b"correct horse battery staple")
    vault.put("db_password", "pa55w0rd!")
    vault.put("api_token", secrets.token_hex(16))
    print(vault.names(), vault.get("db_password"), len(vault.get("api_token")))
    raw = bytearray(base64.b64decode(vault._items["db_password"]))
    raw[-1] ^= 1
    vault._items["db_password"] = base64.b64encode(bytes(raw)).decode()
    try:
        vault.get("db_password")
    except IntegrityError as exc:
        print("tamper detected:", exc)
    print(Vault(b"other key").names())
