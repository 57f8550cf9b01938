import array
import struct


def moving_average(samples: "array.array", window: int) -> "array.array":
    out = array.array("d")
    total = 0.0
    for i, value in enumerate(samples):
        total += value
        if i >= window:
            total -= samples[i - window]
        if i >= window - 1:
            out.append(total / window)
    return out


def pack_readings(readings):
    arr = array.array("h", readings)
    return arr.tobytes()


def unpack_readings(data: bytes):
    arr = array.array("h")
    arr.frombytes(data)
    return arr


if __name__ == "__main__":
    signal = array.array("d", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    print(moving_average(signal, 3))
    raw = pack_readings([100, -200, 300, 32767, -32768])
    print(len(raw), raw.hex())
    restored = unpack_readings(raw)
    print(restored.tolist(), restored.itemsize, restored.typecode)
    swapped = array.array("h", restored)
    swapped.byteswap()
    print(swapped.tolist()[:2])
    print(array.typecodes)
    ints = array.array("I", range(5))
    ints.extend([10, 20])
    ints.reverse()
    print(ints, ints.count(10), ints.index(4), ints.buffer_info()[1])
    print(struct.unpack("<5h", raw))
