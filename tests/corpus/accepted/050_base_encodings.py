import base64
import binascii
import zlib

MESSAGE = b"The autopoietic system regenerates its own components."


def roundtrip(name, encode, decode, data=MESSAGE):
    encoded = encode(data)
    assert decode(encoded) == data, name
    return encoded


def compress_for_transport(data: bytes) -> str:
    """Compress with zlib and encode as URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(zlib.compress(data, 9)).rstrip(b"=").decode("ascii")


def decompress_from_transport(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return zlib.decompress(base64.urlsafe_b64decode(padded))


if __name__ == "__main__":
    codecs = {
        "b64": (base64.b64encode, base64.b64decode),
        "urlsafe": (base64.urlsafe_b64encode, base64.urlsafe_b64decode),
        "b32": (base64.b32encode, base64.b32decode),
        "b16": (base64.b16encode, base64.b16decode),
        "b85": (base64.b85encode, base64.b85decode),
        "a85": (base64.a85encode, base64.a85decode),
        "hex": (binascii.hexlify, binascii.unhexlify),
    }
    for name, (enc, dec) in codecs.items():
        out = roundtrip(name, enc, dec)
        print(f"{name:>8} ({len(out):3d}): {out[:40].decode()}")
    packed = compress_for_transport(MESSAGE * 4)
    print(len(MESSAGE * 4), "->", len(packed), packed[:30])
    assert decompress_from_transport(packed) == MESSAGE * 4
    try:
        base64.b64decode("not base64!!", validate=True)
    except binascii.Error as exc:
        print("invalid:", exc)
    print(hex(binascii.crc32(MESSAGE)), binascii.b2a_base64(b"hi", newline=False))
