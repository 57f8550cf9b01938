import struct
from dataclasses import astuple, dataclass
from typing import Iterator, List

RECORD = struct.Struct("<I16sHd?")


@dataclass
class SensorReading:
    sensor_id: int
    label: str
    channel: int
    value: float
    valid: bool

    def pack(self) -> bytes:
        fields = list(astuple(self))
        fields[1] = self.label.encode("utf-8")[:16]
        return RECORD.pack(*fields)

    @classmethod
    def unpack(cls, raw: bytes) -> "SensorReading":
        sensor_id, label, channel, value, valid = RECORD.unpack(raw)
        return cls(sensor_id, label.rstrip(b"\x00").decode("utf-8"), channel, value, valid)


def pack_all(readings: List[SensorReading]) -> bytes:
    return b"".join(r.pack() for r in readings)


def unpack_all(blob: bytes) -> Iterator[SensorReading]:
    for fields in RECORD.iter_unpack(blob):
        sensor_id, label, channel, value, valid = fields
        yield SensorReading(sensor_id, label.rstrip(b"\x00").decode(), channel, value, valid)


if __name__ == "__main__":
    readings = [
        SensorReading(1, "boiler-temp", 0, 81.25, True),
        SensorReading(2, "pump-pressure", 3, 2.4, True),
        SensorReading(3, "a-very-long-sensor-label", 1, -1.0, False),
    ]
    blob = pack_all(readings)
    print("record size:", RECORD.size, "total bytes:", len(blob))
    for r in unpack_all(blob):
        print(r)
    print(SensorReading.unpack(readings[0].pack()) == readings[0])
    header = struct.pack("!4sBH", b"SNSR", 1, len(readings))
    print(header.hex(), struct.unpack("!4sBH", header))
    buf = bytearray(8)
    struct.pack_into(">ff", buf, 0, 1.5, -2.25)
    print(struct.unpack_from(">ff", buf))
