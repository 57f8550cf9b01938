import logging

logging.basicConfig(
    level=logging.DEBUG,
    format="{asctime} [{levelname:<8}] {name}: {message}",
    datefmt="%H:%M:%S",
    style="{",
)

logger = logging.getLogger("app.orders")


class ListHandler(logging.Handler):
    """Collects formatted records in memory (handy in tests)."""

    def __init__(self, level=logging.NOTSET):
        super().__init__(level)
        self.records = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(self.format(record))


class RequestAdapter(logging.LoggerAdapter):
    def process(self, msg, kwargs):
        return "[req=%s] %s" % (self.extra["request_id"], msg), kwargs


def process_order(order_id: int, quantity: int) -> float:
    log = RequestAdapter(logger, {"request_id": f"r-{order_id:04d}"})
    log.debug("processing order %d", order_id)
    try:
        unit_price = 100 / quantity
    except ZeroDivisionError:
        log.exception("invalid quantity for order %d", order_id)
        return 0.0
    if quantity > 10:
        log.warning("large order: %d units", quantity)
    log.info("order %d priced at %.2f per unit", order_id, unit_price)
    return unit_price


if __name__ == "__main__":
    memory = ListHandler(level=logging.INFO)
    memory.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
    logging.getLogger("app").addHandler(memory)
    for order_id, qty in [(1, 4), (2, 0), (3, 25)]:
        process_order(order_id, qty)
    logging.getLogger("app.payments").error("payment gateway returned %s", 502)
    print("\n".join(line.splitlines()[0] for line in memory.records))
    print(logging.getLevelName(logging.WARNING), logger.getEffectiveLevel(), logger.isEnabledFor(logging.DEBUG))
