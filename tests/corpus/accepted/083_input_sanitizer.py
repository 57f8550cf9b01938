import html
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from typing import List

logger = logging.getLogger(__name__)

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MULTISPACE = re.compile(r"[ \t]{2,}")


@dataclass
class SanitizeResult:
    original: str
    cleaned: str
    warnings: List[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.original != self.cleaned


class InputSanitizer:
    """Normalises untrusted text before it is stored or displayed.

    * NFKC normalisation folds compatibility characters (full-width letters,
      ligatures) into their canonical forms.
    * Control characters are removed.
    * HTML special characters are escaped.

    Strings such as ``__import__('os')`` or ``obj.__class__`` are treated as
    plain text: this class only transforms strings and never interprets
    them as code.
    """

    _security_signature = "modulo_autopoiesis_data_input_sanitizer"
    _generated_in_sandbox = True

    def __init__(self):
        self.max_length = 80

    def sanitize(self, text: str) -> SanitizeResult:
        result = SanitizeResult(text, text)
        cleaned = unicodedata.normalize("NFKC", text)
        if cleaned != text:
            result.warnings.append("normalized")
        without_controls = CONTROL_CHARS.sub("", cleaned)
        if without_controls != cleaned:
            result.warnings.append("control characters removed")
        cleaned = MULTISPACE.sub(" ", without_controls).strip()
        if len(cleaned) > self.max_length:
            cleaned = cleaned[: self.max_length - 1] + "…"
            result.warnings.append("truncated")
        escaped = html.escape(cleaned)
        if escaped != cleaned:
            result.warnings.append("html escaped")
        result.cleaned = escaped
        return result

    def run(self):
        samples = [
            "Hello   world",
            "ｆｕｌｌ－ｗｉｄｔｈ ｔｅｘｔ",
            "<script>alert('x')</script>",
            "bell\x07 and null\x00 bytes",
            "__import__('os').system('ls')",
            "ﬁne ligature and ① circled digit",
            "x" * 100,
        ]
        for sample in samples:
            r = self.sanitize(sample)
            logger.debug("sanitized %r -> %r", r.original, r.cleaned)
            print(f"{r.cleaned[:50]!r:55} changed={r.changed!s:5} {', '.join(r.warnings)}")
