import weakref


class Image:
    """Pretend image that is expensive to create."""

    created = 0

    def __init__(self, name: str):
        self.name = name
        Image.created += 1

    def __repr__(self):
        return f"Image({self.name!r})"


class ImageCache:
    """Interns images by name without keeping them alive.

    A :class:`weakref.WeakValueDictionary` drops an entry as soon as the
    last strong reference to the image goes away.
    """

    def __init__(self):
        self._cache: "weakref.WeakValueDictionary[str, Image]" = weakref.WeakValueDictionary()

    def get(self, name: str) -> Image:
        image = self._cache.get(name)
        if image is None:
            image = Image(name)
            self._cache[name] = image
        return image

    def __len__(self):
        return len(self._cache)


class Tree:
    def __init__(self, value, parent=None):
        self.value = value
        self._parent = weakref.ref(parent) if parent is not None else None
        self.children = []

    @property
    def parent(self):
        return self._parent() if self._parent is not None else None

    def add(self, value):
        child = Tree(value, self)
        self.children.append(child)
        return child


if __name__ == "__main__":
    cache = ImageCache()
    a = cache.get("logo.png")
    b = cache.get("logo.png")
    print(a is b, Image.created, len(cache))
    del a, b
    print("after del:", len(cache))
    c = cache.get("logo.png")
    print("recreated:", Image.created, c)
    root = Tree("root")
    leaf = root.add("child").add("leaf")
    print(leaf.parent.value, leaf.parent.parent.value, root.parent)
    proxy = weakref.proxy(c)
    print(proxy.name, weakref.getweakrefcount(c))
