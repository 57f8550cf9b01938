import csv
from collections import defaultdict
from statistics import mean

RAW_LINES = [
    "region,product,units,price",
    "north,widget,10,2.50",
    "south,widget,4,2.50",
    "north,gadget,3,10.00",
    'east,"gizmo, deluxe",7,4.25',
    "south,gadget,8,10.00",
]


class ListWriter:
    """Minimal file-like object that collects lines written by csv.writer."""

    def __init__(self):
        self.lines = []

    def write(self, text):
        self.lines.append(text)
        return len(text)

    def getvalue(self):
        return "".join(self.lines)


def parse_rows(lines):
    reader = csv.DictReader(lines)
    for row in reader:
        row["units"] = int(row["units"])
        row["price"] = float(row["price"])
        yield row


def revenue_by_region(rows):
    totals = defaultdict(float)
    for row in rows:
        totals[row["region"]] += row["units"] * row["price"]
    return dict(sorted(totals.items()))


def to_csv(rows, fieldnames):
    out = ListWriter()
    writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


if __name__ == "__main__":
    rows = list(parse_rows(RAW_LINES))
    for raw in csv.reader(RAW_LINES[3:5]):
        print(raw)
    totals = revenue_by_region(rows)
    print(totals)
    print("mean price:", round(mean(r["price"] for r in rows), 2))
    summary = [{"region": k, "revenue": f"{v:.2f}"} for k, v in totals.items()]
    print(to_csv(summary, ["region", "revenue"]), end="")
    dialect = csv.Sniffer().sniff("a;b;c\n1;2;3\n")
    print("sniffed delimiter:", repr(dialect.delimiter))
