"""Decode and encode a hardware status register.

Bit layout of the 16-bit register (LSB first)::

    0      READY
    1      ERROR
    2      BUSY
    3      IRQ_PENDING
    4-7    channel (0-15)
    8-13   temperature offset (signed 6-bit, 0.5 °C steps)
    14-15  power mode
"""

import struct
from dataclasses import dataclass
from enum import IntEnum, IntFlag


class Status(IntFlag):
    READY = 1 << 0
    ERROR = 1 << 1
    BUSY = 1 << 2
    IRQ_PENDING = 1 << 3


class PowerMode(IntEnum):
    OFF = 0
    LOW = 1
    NORMAL = 2
    TURBO = 3


@dataclass
class Register:
    status: Status
    channel: int
    temp_offset: float
    power: PowerMode

    @classmethod
    def decode(cls, value: int) -> "Register":
        raw_temp = (value >> 8) & 0x3F
        if raw_temp & 0x20:
            raw_temp -= 0x40
        return cls(Status(value & 0x0F), (value >> 4) & 0x0F, raw_temp / 2, PowerMode((value >> 14) & 0x03))

    def encode(self) -> int:
        raw_temp = int(self.temp_offset * 2) & 0x3F
        return int(self.status) | (self.channel & 0x0F) << 4 | raw_temp << 8 | int(self.power) << 14


if __name__ == "__main__":
    for word in (0x0000, 0x8A35, 0xFFFF, 0x4F19):
        reg = Register.decode(word)
        assert reg.encode() == word, hex(word)
        print(f"0x{word:04X} -> {reg.status!r} ch={reg.channel} temp={reg.temp_offset:+.1f} power={reg.power.name}")
    reg = Register(Status.READY | Status.IRQ_PENDING, channel=7, temp_offset=-3.5, power=PowerMode.NORMAL)
    packed = struct.pack("<H", reg.encode())
    print(packed.hex(), Register.decode(struct.unpack("<H", packed)[0]) == reg)
