"""Request-scoped context using :mod:`contextvars`.

Context variables are the standard way to carry request ids and user
information through code without passing them explicitly.
"""

import contextvars
import logging
import uuid
from contextlib import contextmanager

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
current_user: contextvars.ContextVar[str] = contextvars.ContextVar("current_user", default="anonymous")


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.user = current_user.get()
        return True


@contextmanager
def request_scope(user: str):
    token_id = request_id.set(uuid.uuid4().hex[:8])
    token_user = current_user.set(user)
    try:
        yield request_id.get()
    finally:
        current_user.reset(token_user)
        request_id.reset(token_id)


def handle(path: str) -> str:
    return f"{current_user.get()} requested {path} (len id={len(request_id.get())})"


if __name__ == "__main__":
    print(handle("/health"))
    with request_scope("alice") as rid:
        print(handle("/orders"), len(rid))
        ctx = contextvars.copy_context()
    print(handle("/after"))
    print("from copied context:", ctx.run(handle, "/replay"))
    print(sorted(var.name for var in ctx))
    logger = logging.getLogger("ctx-demo")
    logger.addFilter(ContextFilter())
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    logger.propagate = False
    logger.warning("inside default context")
    print([(r.user, r.request_id, r.getMessage()) for r in records])
