import re
from functools import total_ordering

_SEMVER = re.compile(
    r"^(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+(?P<build>[0-9A-Za-z.-]+))?$"
)


@total_ordering
class Version:
    """Semantic version (https://semver.org) with correct precedence rules."""

    __slots__ = ("major", "minor", "patch", "prerelease", "build")

    def __init__(self, major: int, minor: int = 0, patch: int = 0, prerelease: str = "", build: str = ""):
        self.major, self.minor, self.patch = major, minor, patch
        self.prerelease, self.build = prerelease, build

    @classmethod
    def parse(cls, text: str) -> "Version":
        match = _SEMVER.match(text.strip().lstrip("v"))
        if not match:
            raise ValueError(f"not a semantic version: {text!r}")
        g = match.groupdict()
        return cls(int(g["major"]), int(g["minor"]), int(g["patch"]), g["pre"] or "", g["build"] or "")

    def _pre_key(self):
        if not self.prerelease:
            return (1,)
        parts = []
        for part in self.prerelease.split("."):
            parts.append((0, int(part), "") if part.isdigit() else (1, 0, part))
        return (0, tuple(parts))

    def _key(self):
        return (self.major, self.minor, self.patch, self._pre_key())

    def __eq__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __hash__(self):
        return hash(self._key())

    def bump(self, part: str) -> "Version":
        if part == "major":
            return Version(self.major + 1)
        if part == "minor":
            return Version(self.major, self.minor + 1)
        if part == "patch":
            return Version(self.major, self.minor, self.patch + 1)
        raise ValueError(f"unknown part {part!r}")

    def __str__(self):
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += f"-{self.prerelease}"
        if self.build:
            text += f"+{self.build}"
        return text

    def __repr__(self):
        return f"Version('{self}')"


if __name__ == "__main__":
    versions = [Version.parse(v) for v in ["1.0.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.11", "1.0.0-beta.2", "1.0.0-rc.1", "0.9.12", "v2.1.0+build.5"]]
    print(sorted(versions))
    print(max(versions), Version.parse("1.2.3").bump("minor"), Version.parse("1.0.0+a") == Version.parse("1.0.0+b"))
    print(len({Version(1), Version.parse("1.0.0")}))
    try:
        Version.parse("1.2")
    except ValueError as e:
        print(e)
