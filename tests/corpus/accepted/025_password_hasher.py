import base64
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HashedPassword:
    algorithm: str
    iterations: int
    salt: bytes
    digest: bytes

    def encode(self) -> str:
        salt = base64.b64encode(self.salt).decode("ascii")
        digest = base64.b64encode(self.digest).decode("ascii")
        return f"{self.algorithm}${self.iterations}${salt}${digest}"

    @classmethod
    def decode(cls, encoded: str) -> "HashedPassword":
        algorithm, iterations, salt, digest = encoded.split("$")
        return cls(algorithm, int(iterations), base64.b64decode(salt), base64.b64decode(digest))


class PasswordHasher:
    """PBKDF2-SHA256 password hashing with constant-time verification."""

    _security_signature = "modulo_autopoiesis_data_password_hasher"
    _generated_in_sandbox = True

    algorithm = "pbkdf2_sha256"

    def __init__(self):
        self.iterations = 10_000

    def hash(self, password: str, salt: bytes = None) -> HashedPassword:
        salt = salt or secrets.token_bytes(16)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, self.iterations)
        return HashedPassword(self.algorithm, self.iterations, salt, digest)

    def verify(self, password: str, encoded: str) -> bool:
        stored = HashedPassword.decode(encoded)
        candidate = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), stored.salt, stored.iterations)
        return hmac.compare_digest(candidate, stored.digest)

    def run(self):
        encoded = self.hash("correct horse battery staple").encode()
        print("Encoded hash starts with:", encoded.split("$")[0], encoded.split("$")[1])
        print("Verify correct:", self.verify("correct horse battery staple", encoded))
        print("Verify wrong:  ", self.verify("Tr0ub4dor&3", encoded))
        fixed = self.hash("secret", salt=b"0123456789abcdef")
        print("Deterministic digest:", fixed.digest.hex()[:32])
        token = secrets.token_urlsafe(24)
        logger.debug("Generated API token of length %d", len(token))
        print("Token length:", len(token))
        signature = hmac.new(b"key", b"message", hashlib.sha256).hexdigest()
        print("HMAC:", signature)
