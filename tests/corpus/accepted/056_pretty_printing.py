import pprint
import reprlib

NESTED = {
    "service": "inventory",
    "replicas": 3,
    "endpoints": [{"path": f"/api/v1/items/{i}", "methods": ["GET", "PUT", "DELETE"]} for i in range(4)],
    "limits": {"cpu": "500m", "memory": "256Mi", "burst": {"enabled": True, "factor": 1.5}},
    "tags": set("abcdef"),
}


class CompactRepr(reprlib.Repr):
    def __init__(self):
        super().__init__()
        self.maxlist = 3
        self.maxstring = 20
        self.maxdict = 2

    def repr_Connection(self, obj, level):
        return f"<Connection {obj.host}>"


class Connection:
    def __init__(self, host):
        self.host = host


class Registry:
    def __init__(self):
        self.entries = list(range(1000))

    @reprlib.recursive_repr()
    def __repr__(self):
        return f"Registry({reprlib.repr(self.entries)})"


if __name__ == "__main__":
    pprint.pprint(NESTED, width=70, sort_dicts=True)
    text = pprint.pformat(NESTED["limits"], indent=2, width=30)
    print(text)
    print(reprlib.repr(list(range(100))))
    print(reprlib.repr("x" * 200))
    compact = CompactRepr()
    print(compact.repr({"a": 1, "b": 2, "c": 3}), compact.repr(Connection("db.local")))
    print(Registry())
    printer = pprint.PrettyPrinter(depth=2, compact=True)
    printer.pprint(NESTED["endpoints"])
    print(pprint.isreadable(NESTED), pprint.saferepr([1, [2, [3]]]))
