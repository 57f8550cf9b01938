import logging
from enum import Enum, auto
from typing import Dict, List, Set

logger = logging.getLogger(__name__)


class OrderState(Enum):
    CREATED = auto()
    PAID = auto()
    SHIPPED = auto()
    DELIVERED = auto()
    CANCELLED = auto()


TRANSITIONS: Dict[OrderState, Set[OrderState]] = {
    OrderState.CREATED: {OrderState.PAID, OrderState.CANCELLED},
    OrderState.PAID: {OrderState.SHIPPED, OrderState.CANCELLED},
    OrderState.SHIPPED: {OrderState.DELIVERED},
    OrderState.DELIVERED: set(),
    OrderState.CANCELLED: set(),
}


class InvalidTransition(Exception):
    def __init__(self, current: OrderState, target: OrderState):
        super().__init__(f"Cannot transition from {current.name} to {target.name}")
        self.current = current
        self.target = target


class OrderStateMachine:
    _security_signature = "modulo_autopoiesis_data_order_state_machine"
    _generated_in_sandbox = True

    def __init__(self):
        self.state = OrderState.CREATED
        self.history: List[OrderState] = [self.state]
        self._logger = logging.getLogger(self.__class__.__name__)

    def can_transition(self, target: OrderState) -> bool:
        return target in TRANSITIONS[self.state]

    def transition(self, target: OrderState) -> None:
        if not self.can_transition(target):
            raise InvalidTransition(self.state, target)
        self._logger.info(f"Transition {self.state.name} -> {target.name}")
        self.state = target
        self.history.append(target)

    @property
    def is_terminal(self) -> bool:
        return not TRANSITIONS[self.state]

    def run(self):
        for target in (OrderState.PAID, OrderState.SHIPPED, OrderState.CANCELLED, OrderState.DELIVERED):
            try:
                self.transition(target)
            except InvalidTransition as exc:
                print(f"Rejected: {exc}")
        print("History:", [s.name for s in self.history])
        print(f"Terminal: {self.is_terminal}")
