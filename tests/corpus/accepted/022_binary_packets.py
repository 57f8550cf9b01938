"""Encode and decode a simple binary packet format.

Layout (big-endian)::

    magic   uint16  0xA55A
    version uint8
    flags   uint8
    length  uint32  payload length
    payload bytes
    crc32   uint32  over header + payload
"""

import binascii
import struct
import zlib
from typing import NamedTuple

MAGIC = 0xA55A
HEADER = struct.Struct(">HBBI")
TRAILER = struct.Struct(">I")


class Packet(NamedTuple):
    version: int
    flags: int
    payload: bytes


class PacketError(ValueError):
    pass


def encode(packet: Packet) -> bytes:
    header = HEADER.pack(MAGIC, packet.version, packet.flags, len(packet.payload))
    body = header + packet.payload
    return body + TRAILER.pack(zlib.crc32(body) & 0xFFFFFFFF)


def decode(data: bytes) -> Packet:
    if len(data) < HEADER.size + TRAILER.size:
        raise PacketError("packet too short")
    magic, version, flags, length = HEADER.unpack_from(data, 0)
    if magic != MAGIC:
        raise PacketError(f"bad magic 0x{magic:04X}")
    end = HEADER.size + length
    payload = data[HEADER.size:end]
    (crc,) = TRAILER.unpack_from(data, end)
    if zlib.crc32(data[:end]) & 0xFFFFFFFF != crc:
        raise PacketError("checksum mismatch")
    return Packet(version, flags, payload)


if __name__ == "__main__":
    pkt = Packet(version=1, flags=0b101, payload=b"hello, sandbox")
    raw = encode(pkt)
    print(binascii.hexlify(raw, " ", 4).decode())
    print(decode(raw))
    corrupted = raw[:-1] + bytes([raw[-1] ^ 0xFF])
    try:
        decode(corrupted)
    except PacketError as exc:
        print("decode failed:", exc)
    print(struct.calcsize(">HBBI"), HEADER.size, hex(zlib.adler32(b"hello")))
