import itertools
from enum import IntEnum


class Light(IntEnum):
    RED = 30
    GREEN = 25
    YELLOW = 5

    @property
    def symbol(self) -> str:
        return {"RED": "(R)", "GREEN": "(G)", "YELLOW": "(Y)"}[self.name]

    def next(self) -> "Light":
        order = [Light.RED, Light.GREEN, Light.YELLOW]
        return order[(order.index(self) + 1) % len(order)]


class Intersection:
    def __init__(self):
        self.north_south = Light.GREEN
        self.east_west = Light.RED

    def tick(self):
        self.north_south = self.north_south.next()
        if self.north_south is Light.RED:
            self.east_west = Light.GREEN
        elif self.north_south is Light.GREEN:
            self.east_west = Light.RED
        return self.north_south, self.east_west

    def is_safe(self) -> bool:
        return Light.RED in (self.north_south, self.east_west)


if __name__ == "__main__":
    elapsed = 0
    for light in itertools.islice(itertools.cycle(Light), 7):
        print(f"t={elapsed:>3}s {light.symbol} {light.name:<6} for {int(light)}s")
        elapsed += light
    junction = Intersection()
    for _ in range(5):
        ns, ew = junction.tick()
        print(f"NS={ns.name:<6} EW={ew.name:<6} safe={junction.is_safe()}")
    print(sum(Light), max(Light).name, Light(5))
