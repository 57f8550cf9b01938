import logging
import traceback
from datetime import datetime, timezone
from typing import Any, Dict, List

logger = logging.getLogger(__name__)


class AuditError(Exception):
    pass


class AuditTrail:
    """Records user actions and logs failures with full tracebacks.

    Every entry is a plain dict so it can be serialised without custom
    encoders. Errors are captured with ``traceback.format_exc()`` so that
    the trail remains readable when exported.
    """

    _security_signature = "modulo_autopoiesis_data_audit_trail"
    _generated_in_sandbox = True

    def __init__(self):
        self.entries: List[Dict[str, Any]] = []
        self._logger = logging.getLogger(__name__ + ".AuditTrail")

    def record(self, actor: str, action: str, **details: Any) -> Dict[str, Any]:
        entry = {
            "ts": datetime(2024, 5, 1, tzinfo=timezone.utc).isoformat(),
            "actor": actor,
            "action": action,
            "details": details,
        }
        self.entries.append(entry)
        self._logger.info("%s performed %s", actor, action)
        return entry

    def perform(self, actor: str, action: str, func, *args):
        try:
            result = func(*args)
        except ZeroDivisionError as exc:
            logger.error("Action %s by %s failed: %s", action, actor, exc, exc_info=True)
            self.record(actor, action, status="failed", error=traceback.format_exc().splitlines()[-1])
            return None
        except Exception:
            logger.exception("Unexpected failure in %s", action)
            raise
        else:
            self.record(actor, action, status="ok", result=result)
            return result
        finally:
            logger.debug("perform(%r, %r) finished", actor, action)

    def run(self):
        self.perform("alice", "divide", lambda a, b: a / b, 10, 4)
        self.perform("bob", "divide", lambda a, b: a / b, 1, 0)
        try:
            self.perform("carol", "lookup", lambda d: d["missing"], {})
        except KeyError:
            self.record("carol", "lookup", status="crashed")
        for entry in self.entries:
            print("%(actor)-6s %(action)-7s %(details)s" % entry)
        print("Total entries: %d" % len(self.entries))
