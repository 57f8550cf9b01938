from typing import List


def full_justify(words: List[str], width: int) -> List[str]:
    """Greedy full justification (the classic interview problem).

    Every line except the last is padded to exactly ``width`` characters,
    distributing extra spaces as evenly as possible, left slots first.
    """
    lines, current, length = [], [], 0
    for word in words:
        if current and length + len(current) + len(word) > width:
            lines.append(current)
            current, length = [], 0
        current.append(word)
        length += len(word)
    if current:
        lines.append(current)

    result = []
    for index, line in enumerate(lines):
        if index == len(lines) - 1 or len(line) == 1:
            result.append(" ".join(line).ljust(width))
            continue
        gaps = len(line) - 1
        spaces = width - sum(map(len, line))
        base, extra = divmod(spaces, gaps)
        text = ""
        for i, word in enumerate(line[:-1]):
            text += word + " " * (base + (1 if i < extra else 0))
        result.append(text + line[-1])
    return result


def center_block(lines: List[str], width: int, fill: str = " ") -> List[str]:
    return [line.strip().center(width, fill) for line in lines]


if __name__ == "__main__":
    text = "This is an example of text justification. Each line must be exactly sixteen characters wide except the final one."
    for line in full_justify(text.split(), 16):
        print(f"|{line}|")
    print()
    for line in center_block(["Title", "a subtitle", "x"], 20, "~"):
        print(line)
