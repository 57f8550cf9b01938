import hashlib
import hmac
import zlib

CHUNK_SIZE = 64


def iter_chunks(data: bytes, size: int = CHUNK_SIZE):
    for offset in range(0, len(data), size):
        yield data[offset:offset + size]


def digest(data: bytes, algorithm: str = "sha256") -> str:
    """Hash ``data`` incrementally, chunk by chunk.

    This mirrors how you would hash a large download: open the file in
    binary mode and feed it to the hash object piece by piece instead of
    loading it all in memory.
    """
    h = hashlib.new(algorithm)
    for chunk in iter_chunks(data):
        h.update(chunk)
    return h.hexdigest()


def rolling_crc(data: bytes) -> int:
    crc = 0
    for chunk in iter_chunks(data):
        crc = zlib.crc32(chunk, crc)
    return crc


def verify(data: bytes, expected_hex: str, algorithm: str = "sha256") -> bool:
    return hmac.compare_digest(digest(data, algorithm), expected_hex)


if __name__ == "__main__":
    payload = b"autopoiesis " * 50
    for algo in ("md5", "sha1", "sha256", "sha3_256", "blake2s"):
        print(f"{algo:>9}: {digest(payload, algo)}")
    assert digest(payload) == hashlib.sha256(payload).hexdigest()
    print("crc32:", hex(rolling_crc(payload)), hex(zlib.crc32(payload)))
    print("verified:", verify(payload, hashlib.sha256(payload).hexdigest()), verify(payload, "0" * 64))
    print(sorted(hashlib.algorithms_guaranteed)[:5])
    print(hashlib.sha256(b"abc").digest()[:4], hashlib.shake_128(b"abc").hexdigest(8))
