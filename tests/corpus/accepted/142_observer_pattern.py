from abc import ABC, abstractmethod
from typing import List


class Observer(ABC):
    @abstractmethod
    def update(self, subject: "WeatherStation") -> None:
        ...


class WeatherStation:
    def __init__(self):
        self._observers: List[Observer] = []
        self._temperature = 0.0
        self._humidity = 0.0

    def attach(self, observer: Observer) -> None:
        if observer not in self._observers:
            self._observers.append(observer)

    def detach(self, observer: Observer) -> None:
        self._observers.remove(observer)

    def notify(self) -> None:
        for observer in self._observers:
            observer.update(self)

    @property
    def temperature(self) -> float:
        return self._temperature

    @property
    def humidity(self) -> float:
        return self._humidity

    def set_measurements(self, temperature: float, humidity: float) -> None:
        self._temperature = temperature
        self._humidity = humidity
        self.notify()


class CurrentConditionsDisplay(Observer):
    def update(self, subject: WeatherStation) -> None:
        print(f"Current conditions: {subject.temperature:.1f}°C and {subject.humidity:.0f}% humidity")


class StatisticsDisplay(Observer):
    def __init__(self):
        self.readings: List[float] = []

    def update(self, subject: WeatherStation) -> None:
        self.readings.append(subject.temperature)
        avg = sum(self.readings) / len(self.readings)
        print(f"Avg/Max/Min temperature = {avg:.1f}/{max(self.readings):.1f}/{min(self.readings):.1f}")


class HeatIndexDisplay(Observer):
    def update(self, subject: WeatherStation) -> None:
        t = subject.temperature * 9 / 5 + 32
        rh = subject.humidity
        index = -42.379 + 2.04901523 * t + 10.14333127 * rh - 0.22475541 * t * rh
        print(f"Heat index is {(index - 32) * 5 / 9:.1f}°C")


if __name__ == "__main__":
    station = WeatherStation()
    current, stats, heat = CurrentConditionsDisplay(), StatisticsDisplay(), HeatIndexDisplay()
    for display in (current, stats, heat):
        station.attach(display)
    station.set_measurements(26.5, 65)
    station.set_measurements(27.8, 70)
    station.detach(heat)
    station.set_measurements(25.0, 90)
