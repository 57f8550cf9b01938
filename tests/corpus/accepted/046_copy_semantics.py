import copy


class Node:
    def __init__(self, value, children=None):
        self.value = value
        self.children = children or []
        self.parent = None
        for child in self.children:
            child.parent = self

    def __repr__(self):
        return f"Node({self.value!r}, children={len(self.children)})"


class Settings:
    def __init__(self, name, options):
        self.name = name
        self.options = options
        self.copied = False

    def __copy__(self):
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.copied = True
        return clone

    def __deepcopy__(self, memo):
        clone = type(self)(copy.deepcopy(self.name, memo), copy.deepcopy(self.options, memo))
        clone.copied = "deep"
        return clone


if __name__ == "__main__":
    original = {"a": [1, 2, 3], "b": {"c": [4, 5]}}
    shallow = copy.copy(original)
    deep = copy.deepcopy(original)
    original["a"].append(99)
    original["b"]["c"].clear()
    print("shallow:", shallow)
    print("deep:   ", deep)

    tree = Node("root", [Node("left"), Node("right", [Node("leaf")])])
    clone = copy.deepcopy(tree)
    print(clone, clone.children[1].children[0].parent.value, clone.children[0].parent is clone)

    s = Settings("prod", {"debug": False})
    s2, s3 = copy.copy(s), copy.deepcopy(s)
    s.options["debug"] = True
    print(s2.copied, s2.options, s3.copied, s3.options)
