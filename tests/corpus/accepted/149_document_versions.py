import difflib
import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Dict, List, Optional

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Revision:
    number: int
    author: str
    content: str
    created: datetime
    checksum: str = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "checksum", hashlib.sha1(self.content.encode()).hexdigest()[:8])


@dataclass
class Document:
    title: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    revisions: List[Revision] = field(default_factory=list)

    @property
    def head(self) -> Optional[Revision]:
        return self.revisions[-1] if self.revisions else None


class DocumentVersionStore:
    """Keeps every revision of a document and shows diffs between them."""

    _security_signature = "modulo_autopoiesis_data_document_version_store"
    _generated_in_sandbox = True

    def __init__(self):
        self.documents: Dict[str, Document] = {}
        self.clock = datetime(2024, 2, 1, 9, 0, tzinfo=timezone.utc)

    def create(self, title: str, author: str, content: str) -> Document:
        doc = Document(title)
        self.documents[doc.id] = doc
        self.commit(doc.id, author, content)
        return doc

    def commit(self, doc_id: str, author: str, content: str) -> Optional[Revision]:
        doc = self.documents[doc_id]
        if doc.head is not None and doc.head.content == content:
            logger.info("No changes for %s; skipping revision", doc.title)
            return None
        self.clock += timedelta(minutes=15)
        revision = Revision(len(doc.revisions) + 1, author, content, self.clock)
        doc.revisions.append(revision)
        return revision

    def diff(self, doc_id: str, a: int, b: int) -> str:
        doc = self.documents[doc_id]
        old, new = doc.revisions[a - 1], doc.revisions[b - 1]
        return "".join(difflib.unified_diff(
            old.content.splitlines(keepends=True), new.content.splitlines(keepends=True),
            fromfile=f"{doc.title}@r{a}", tofile=f"{doc.title}@r{b}", n=1))

    def run(self):
        doc = self.create("README", "ada", "# Project\n\nA sandbox.\n\n## Usage\nRun it.\n")
        self.commit(doc.id, "bob", "# Project\n\nA secure sandbox.\n\n## Usage\nRun it.\n")
        self.commit(doc.id, "bob", "# Project\n\nA secure sandbox.\n\n## Usage\nRun it.\n")
        self.commit(doc.id, "ada", "# Project\n\nA secure sandbox for generated code.\n\n## Usage\nRun `make`.\n\n## License\nMIT\n")
        for rev in doc.revisions:
            print(f"r{rev.number} {rev.author:<4} {rev.created:%H:%M} {rev.checksum}")
        print(self.diff(doc.id, 1, 3))
        print("id length:", len(doc.id))
