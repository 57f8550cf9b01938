import colorsys
import re

HEX_RE = re.compile(r"^#?([0-9a-fA-F]{6})$")


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    match = HEX_RE.match(value)
    if not match:
        raise ValueError(f"invalid hex color: {value!r}")
    digits = match.group(1)
    return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))


def rgb_to_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def adjust_lightness(value: str, factor: float) -> str:
    r, g, b = (c / 255 for c in hex_to_rgb(value))
    h, l, s = colorsys.rgb_to_hls(r, g, b)
    l = max(0.0, min(1.0, l * factor))
    return rgb_to_hex(tuple(round(c * 255) for c in colorsys.hls_to_rgb(h, l, s)))


def palette(base: str, count: int = 5) -> list[str]:
    r, g, b = (c / 255 for c in hex_to_rgb(base))
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    colors = []
    for i in range(count):
        hue = (h + i / count) % 1.0
        colors.append(rgb_to_hex(tuple(round(c * 255) for c in colorsys.hsv_to_rgb(hue, s, v))))
    return colors


def relative_luminance(value: str) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = map(channel, hex_to_rgb(value))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return round((la + 0.05) / (lb + 0.05), 2)


if __name__ == "__main__":
    print(hex_to_rgb("#3366cc"), rgb_to_hex((51, 102, 204)))
    print("lighter:", adjust_lightness("#3366cc", 1.3), "darker:", adjust_lightness("#3366cc", 0.7))
    print("palette:", palette("#e63946"))
    print("contrast black/white:", contrast_ratio("#000000", "#ffffff"))
    print("YIQ:", tuple(round(x, 3) for x in colorsys.rgb_to_yiq(0.2, 0.4, 0.8)))
