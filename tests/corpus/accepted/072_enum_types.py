from enum import Enum, Flag, IntEnum, IntFlag, auto, unique


@unique
class HttpStatus(IntEnum):
    OK = 200
    CREATED = 201
    BAD_REQUEST = 400
    NOT_FOUND = 404
    SERVER_ERROR = 500

    @property
    def is_error(self) -> bool:
        return self >= 400

    @classmethod
    def from_code(cls, code: int) -> "HttpStatus":
        return cls(code)


class Permission(Flag):
    READ = auto()
    WRITE = auto()
    EXECUTE = auto()
    ALL = READ | WRITE | EXECUTE


class FileMode(IntFlag):
    R = 4
    W = 2
    X = 1


class Planet(Enum):
    MERCURY = (3.303e23, 2.4397e6)
    EARTH = (5.976e24, 6.37814e6)
    JUPITER = (1.9e27, 7.1492e7)

    def __init__(self, mass, radius):
        self.mass = mass
        self.radius = radius

    @property
    def surface_gravity(self) -> float:
        G = 6.673e-11
        return G * self.mass / (self.radius * self.radius)


class Color(Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"

    @classmethod
    def _missing_(cls, value):
        if isinstance(value, str):
            for member in cls:
                if member.value == value.lower():
                    return member
        return None

    def __str__(self):
        return self.value


if __name__ == "__main__":
    print(HttpStatus.NOT_FOUND, int(HttpStatus.NOT_FOUND), HttpStatus.from_code(201).name, HttpStatus(500).is_error)
    print(sorted(HttpStatus)[:2], HttpStatus.OK < 300)
    perms = Permission.READ | Permission.WRITE
    print(perms, Permission.WRITE in perms, Permission.EXECUTE in perms, Permission.ALL & ~Permission.WRITE)
    mode = FileMode.R | FileMode.X
    print(mode, int(mode), oct(FileMode.R | FileMode.W))
    for planet in Planet:
        print(f"{planet.name:<8} g={planet.surface_gravity:6.2f} m/s^2")
    print(Color("GREEN"), repr(Color["BLUE"]), [c.value for c in Color])
    try:
        Color("purple")
    except ValueError as exc:
        print("ValueError:", exc)
    print(HttpStatus.__members__.keys())
