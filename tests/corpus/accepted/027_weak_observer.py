import logging
import weakref
from typing import Callable, List

logger = logging.getLogger(__name__)


class Subject:
    """Observable subject that holds its observers weakly.

    Observers that are garbage-collected disappear from the subject
    automatically, so forgetting to unsubscribe never leaks memory.
    """

    def __init__(self):
        self._observers: "weakref.WeakSet[Observer]" = weakref.WeakSet()
        self._callbacks: List[weakref.WeakMethod] = []

    def attach(self, observer: "Observer") -> None:
        self._observers.add(observer)

    def attach_method(self, method: Callable) -> None:
        self._callbacks.append(weakref.WeakMethod(method))

    def notify(self, message: str) -> int:
        count = 0
        for observer in list(self._observers):
            observer.update(message)
            count += 1
        alive = []
        for ref in self._callbacks:
            callback = ref()
            if callback is not None:
                callback(message)
                alive.append(ref)
                count += 1
        self._callbacks = alive
        return count

    @property
    def observer_count(self) -> int:
        return len(self._observers)


class Observer:
    def __init__(self, name: str):
        self.name = name
        self.received: List[str] = []

    def update(self, message: str) -> None:
        self.received.append(message)

    def on_message(self, message: str) -> None:
        self.received.append(f"cb:{message}")

    def __repr__(self):
        return f"Observer({self.name!r})"


class WeakObserverDemo:
    _security_signature = "modulo_autopoiesis_data_weak_observer_demo"
    _generated_in_sandbox = True

    def __init__(self):
        self.subject = Subject()

    def run(self):
        first = Observer("first")
        second = Observer("second")
        self.subject.attach(first)
        self.subject.attach(second)
        self.subject.attach_method(first.on_message)
        print("delivered:", self.subject.notify("hello"))
        del second
        print("observers after del:", self.subject.observer_count)
        print("delivered:", self.subject.notify("world"))
        print(first, first.received)
        cache = weakref.WeakValueDictionary()
        cache["first"] = first
        print("cached:", list(cache.keys()))
        finalized = []
        temp = Observer("temp")
        weakref.finalize(temp, finalized.append, "temp collected")
        del temp
        print(finalized)
