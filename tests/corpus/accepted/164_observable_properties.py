from typing import Any, Callable, Dict, List


class Observable:
    """Mixin that lets callers subscribe to attribute changes."""

    def __init__(self):
        self._listeners: Dict[str, List[Callable[[str, Any, Any], None]]] = {}

    def on_change(self, name: str, callback: Callable[[str, Any, Any], None]) -> None:
        self._listeners.setdefault(name, []).append(callback)

    def _changed(self, name: str, old: Any, new: Any) -> None:
        for callback in self._listeners.get(name, []) + self._listeners.get("*", []):
            callback(name, old, new)


class Thermostat(Observable):
    MIN, MAX = 5.0, 30.0

    def __init__(self, target: float = 20.0):
        super().__init__()
        self._target = target
        self._mode = "auto"

    @property
    def target(self) -> float:
        return self._target

    @target.setter
    def target(self, value: float) -> None:
        value = float(value)
        if not self.MIN <= value <= self.MAX:
            raise ValueError(f"target must be between {self.MIN} and {self.MAX}")
        old, self._target = self._target, round(value, 1)
        if old != self._target:
            self._changed("target", old, self._target)

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        if value not in ("auto", "heat", "cool", "off"):
            raise ValueError(f"unknown mode {value!r}")
        old, self._mode = self._mode, value
        self._changed("mode", old, value)

    @mode.deleter
    def mode(self) -> None:
        self.mode = "off"

    def __repr__(self):
        return f"Thermostat(target={self.target}, mode={self.mode!r})"


if __name__ == "__main__":
    events = []
    t = Thermostat()
    t.on_change("target", lambda n, o, v: events.append(f"target {o} -> {v}"))
    t.on_change("*", lambda n, o, v: events.append(f"[any] {n} changed"))
    t.target = 21.44
    t.target = 21.4
    t.mode = "heat"
    del t.mode
    for bad in (lambda: setattr(t, "target", 99), lambda: setattr(t, "mode", "turbo")):
        try:
            bad()
        except ValueError as exc:
            events.append(f"rejected: {exc}")
    print(t)
    print("\n".join(events))
