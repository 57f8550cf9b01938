def is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def next_power_of_two(n: int) -> int:
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


def popcount(n: int) -> int:
    return n.bit_count()


def reverse_bits(n: int, width: int = 8) -> int:
    return int(f"{n:0{width}b}"[::-1], 2)


def gray_code(n: int) -> int:
    return n ^ (n >> 1)


def set_bit(value: int, bit: int) -> int:
    return value | (1 << bit)


def clear_bit(value: int, bit: int) -> int:
    return value & ~(1 << bit)


def toggle_bit(value: int, bit: int) -> int:
    return value ^ (1 << bit)


def subsets(items):
    """All subsets of ``items`` enumerated by bitmask."""
    n = len(items)
    for mask in range(1 << n):
        yield [items[i] for i in range(n) if mask >> i & 1]


if __name__ == "__main__":
    print([n for n in range(70) if is_power_of_two(n)])
    print([next_power_of_two(n) for n in (0, 1, 5, 16, 17, 1000)])
    print(popcount(0b1011_0110), reverse_bits(0b0000_0110), bin(reverse_bits(1, 4)))
    print([format(gray_code(i), "03b") for i in range(8)])
    flags = 0
    flags = set_bit(flags, 3)
    flags = set_bit(flags, 0)
    print(bin(flags), bin(clear_bit(flags, 3)), bin(toggle_bit(flags, 1)))
    print(list(subsets(["a", "b", "c"])))
    print((255).to_bytes(2, "big"), int.from_bytes(b"\x01\x00", "little"), (-1) & 0xFF, 0xDEADBEEF >> 16)
