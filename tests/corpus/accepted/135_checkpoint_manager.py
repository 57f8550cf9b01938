import base64
import hashlib
import json
import logging
import zlib
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

logger = logging.getLogger(__name__)


class CorruptCheckpoint(ValueError):
    pass


@dataclass(frozen=True)
class Checkpoint:
    label: str
    step: int
    blob: str
    digest: str

    @property
    def size(self) -> int:
        return len(self.blob)


class CheckpointManager:
    """Serialises agent state into compact, integrity-checked checkpoints.

    State is encoded as JSON, compressed with zlib and wrapped in URL-safe
    base64, then fingerprinted with SHA-256. Restoring verifies the digest
    before decoding. Checkpoints live in memory; persisting them (or
    choosing which file to open) is the host's job.
    """

    _security_signature = "modulo_autopoiesis_data_checkpoint_manager"
    _generated_in_sandbox = True

    def __init__(self):
        self.checkpoints: List[Checkpoint] = []
        self.keep_last = 3

    def save(self, label: str, step: int, state: Dict[str, Any]) -> Checkpoint:
        raw = json.dumps(state, sort_keys=True, separators=(",", ":")).encode()
        blob = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode()
        checkpoint = Checkpoint(label, step, blob, hashlib.sha256(blob.encode()).hexdigest())
        self.checkpoints.append(checkpoint)
        if len(self.checkpoints) > self.keep_last:
            dropped = self.checkpoints.pop(0)
            logger.debug("Dropped checkpoint %s@%d", dropped.label, dropped.step)
        return checkpoint

    def restore(self, checkpoint: Checkpoint) -> Dict[str, Any]:
        if hashlib.sha256(checkpoint.blob.encode()).hexdigest() != checkpoint.digest:
            raise CorruptCheckpoint(f"digest mismatch for {checkpoint.label}@{checkpoint.step}")
        try:
            return json.loads(zlib.decompress(base64.urlsafe_b64decode(checkpoint.blob)))
        except (zlib.error, ValueError) as exc:
            raise CorruptCheckpoint(str(exc)) from exc

    def latest(self, label: Optional[str] = None) -> Optional[Checkpoint]:
        candidates = [c for c in self.checkpoints if label is None or c.label == label]
        return max(candidates, key=lambda c: c.step, default=None)

    def run(self):
        state = {"weights": [0.0] * 50, "lr": 0.1, "history": []}
        for step in range(1, 6):
            state["weights"] = [round(w + 0.01 * step, 3) for w in state["weights"]]
            state["history"].append({"step": step, "loss": round(1 / step, 4)})
            cp = self.save("trainer", step, state)
            print(f"saved step {step}: {cp.size} chars, digest {cp.digest[:12]}")
        latest = self.latest("trainer")
        restored = self.restore(latest)
        print("restored step", latest.step, "loss", restored["history"][-1]["loss"], "kept", [c.step for c in self.checkpoints])
        tampered = Checkpoint(latest.label, latest.step, latest.blob[:-4] + "AAAA", latest.digest)
        try:
            self.restore(tampered)
        except CorruptCheckpoint as exc:
            print("corrupt:", exc)
