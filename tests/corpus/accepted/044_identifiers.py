import hashlib
import secrets
import string
import uuid

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "autopoietic.example.com")
ALPHABET = string.ascii_letters + string.digits


def new_request_id() -> str:
    """Generate a random request identifier (UUID4, hex form)."""
    return uuid.uuid4().hex


def stable_id(name: str) -> uuid.UUID:
    """Deterministic UUID5 derived from ``name`` within our namespace."""
    return uuid.uuid5(NAMESPACE, name)


def short_code(length: int = 8) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def base62(number: int) -> str:
    if number == 0:
        return ALPHABET[0]
    digits = []
    while number:
        number, rem = divmod(number, 62)
        digits.append(ALPHABET[rem])
    return "".join(reversed(digits))


def fingerprint(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=8)
    for part in parts:
        h.update(part.encode())
        h.update(b"\x00")
    return h.hexdigest()


if __name__ == "__main__":
    rid = new_request_id()
    print(len(rid), uuid.UUID(rid).version)
    print(stable_id("user:42"), stable_id("user:42") == stable_id("user:42"))
    print(uuid.uuid3(uuid.NAMESPACE_URL, "https://example.com/"))
    u = uuid.UUID("{12345678-1234-5678-1234-567812345678}")
    print(u.int, u.urn, u.bytes[:4])
    print(len(short_code()), base62(123456789), base62(0))
    print(fingerprint("alice", "login", "2024-01-01"))
