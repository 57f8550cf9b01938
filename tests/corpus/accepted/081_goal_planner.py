import logging
from dataclasses import dataclass, field
from enum import Enum, auto
from graphlib import TopologicalSorter
from typing import Dict, List, Optional, Set

logger = logging.getLogger(__name__)


class TaskStatus(Enum):
    PENDING = auto()
    RUNNING = auto()
    DONE = auto()
    FAILED = auto()
    SKIPPED = auto()


@dataclass
class PlanStep:
    id: str
    description: str
    depends_on: Set[str] = field(default_factory=set)
    cost: int = 1
    status: TaskStatus = TaskStatus.PENDING
    output: Optional[str] = None

    def __str__(self) -> str:
        deps = ",".join(sorted(self.depends_on)) or "-"
        return f"{self.id:<10} {self.status.name:<8} cost={self.cost} deps={deps} :: {self.description}"


class GoalPlanner:
    """Decomposes a goal into steps and executes them in dependency order.

    When a step fails every step that depends on it, directly or not, is
    marked SKIPPED instead of being attempted.
    """

    _security_signature = "modulo_autopoiesis_data_goal_planner"
    _generated_in_sandbox = True

    def __init__(self):
        self.steps: Dict[str, PlanStep] = {}
        self.failing = {"deploy"}

    def add(self, step_id: str, description: str, *depends_on: str, cost: int = 1) -> None:
        self.steps[step_id] = PlanStep(step_id, description, set(depends_on), cost)

    def _descendants(self, step_id: str) -> Set[str]:
        found: Set[str] = set()
        frontier = [step_id]
        while frontier:
            current = frontier.pop()
            for step in self.steps.values():
                if current in step.depends_on and step.id not in found:
                    found.add(step.id)
                    frontier.append(step.id)
        return found

    def execute(self) -> List[str]:
        order = list(TopologicalSorter({s.id: s.depends_on for s in self.steps.values()}).static_order())
        for step_id in order:
            step = self.steps[step_id]
            if step.status is TaskStatus.SKIPPED:
                continue
            step.status = TaskStatus.RUNNING
            if step_id in self.failing:
                step.status = TaskStatus.FAILED
                logger.error("Step %s failed", step_id)
                for child in self._descendants(step_id):
                    self.steps[child].status = TaskStatus.SKIPPED
                continue
            step.output = f"{step_id} complete"
            step.status = TaskStatus.DONE
        return order

    def run(self):
        self.add("research", "collect requirements")
        self.add("design", "draft the component interface", "research", cost=2)
        self.add("implement", "write the component", "design", cost=5)
        self.add("test", "write and run unit tests", "implement", cost=3)
        self.add("docs", "document the public API", "design")
        self.add("deploy", "register the component", "test")
        self.add("announce", "notify subscribers", "deploy", "docs")
        order = self.execute()
        print("order:", " > ".join(order))
        for step_id in order:
            print(self.steps[step_id])
        done_cost = sum(s.cost for s in self.steps.values() if s.status is TaskStatus.DONE)
        print(f"completed cost {done_cost}/{sum(s.cost for s in self.steps.values())}")
