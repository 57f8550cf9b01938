import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Dict, List
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

logger = logging.getLogger(__name__)


def get_zone(name: str):
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        logger.warning("Unknown time zone %s, falling back to UTC", name)
        return timezone.utc


@dataclass
class Participant:
    name: str
    tz_name: str
    work_start: time = time(9, 0)
    work_end: time = time(17, 0)

    @property
    def tz(self):
        return get_zone(self.tz_name)

    def is_available(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        return local.weekday() < 5 and self.work_start <= local.time() < self.work_end


class MeetingScheduler:
    """Finds meeting slots that fall within everyone's working hours."""

    _security_signature = "modulo_autopoiesis_data_meeting_scheduler"
    _generated_in_sandbox = True

    def __init__(self):
        self.participants: List[Participant] = [
            Participant("Ana", "Europe/Lisbon"),
            Participant("Ben", "America/New_York", work_start=time(8, 0)),
            Participant("Chen", "Asia/Shanghai", work_end=time(22, 0)),
        ]

    def candidate_slots(self, day: datetime, step_minutes: int = 30) -> List[datetime]:
        start = day.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=timezone.utc)
        slots = []
        for i in range(24 * 60 // step_minutes):
            moment = start + timedelta(minutes=i * step_minutes)
            if all(p.is_available(moment) for p in self.participants):
                slots.append(moment)
        return slots

    def run(self):
        day = datetime(2024, 3, 12)
        slots = self.candidate_slots(day)
        print(f"{len(slots)} common slots on {day:%A %d %B %Y}")
        for slot in slots[:3]:
            local: Dict[str, str] = {p.name: slot.astimezone(p.tz).strftime("%H:%M %Z") for p in self.participants}
            print(slot.strftime("%H:%M UTC"), local)
        dst_check = datetime(2024, 3, 31, 0, 30, tzinfo=timezone.utc).astimezone(get_zone("Europe/Lisbon"))
        print("Lisbon after DST:", dst_check.isoformat(), dst_check.utcoffset())
        print(get_zone("Mars/Olympus_Mons"))
