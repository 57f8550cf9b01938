"""The pipeline: spec -> evolution -> synthesis -> real sandbox -> persistence."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autopoietic.architecture_evolution import ArchitectureEvolution, EvolutionBatch, EvolutionStrategy
from autopoietic.code_synthesizer import CodeSynthesizer, SynthesizedComponent, class_name_for, signed_name, spec_name_of
from autopoietic.manager import DEFAULT_PHI, AutopoieticManager, CycleLog
from autopoietic.meta_architect import ComponentSpec, MetaArchitect
from autopoietic.sandbox import AutopoieticSandbox

# Tests that run components (shared_sandbox, the demo) run in both
# execution modes (docs/design.md, "Execution modes").  The specs, the
# architect, evolution, synthesis and the manager's bookkeeping start no
# sandbox: they run once, in milliseconds (no_sandbox stands in where the
# manager needs an object, and fails the test if a run is asked of it).

HEALTHY = {"error_rate": 0.01, "cpu_usage": 30.0, "latency_ms": 100.0}
FAILING = {"error_rate": 0.2, "cpu_usage": 30.0, "latency_ms": 100.0}


@pytest.fixture
def shared_sandbox(tmp_path_factory, execution_mode):
    with AutopoieticSandbox(temp_dir=tmp_path_factory.mktemp("sb"), timeout_s=20) as sb:
        yield sb


class NoSandbox:
    """The manager's sandbox in tests that must start no run."""

    def execute_component(self, *args: object) -> dict:
        raise AssertionError("this test must not start a sandbox")

    run_source = execute_component

    def cleanup(self) -> None:
        pass


@pytest.fixture
def no_sandbox():
    return NoSandbox()


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A working directory of its own: phi is read relative to it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_phi(base: Path, phi) -> None:
    path = base / "data" / "monitor" / "real_metrics.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"phi": phi}))


def make_manager(shared_sandbox, specs=(ComponentSpec("data_processor", "processor", {"batch_size": "32"}),),
                 cls=AutopoieticManager, **kwargs):
    return cls(initial_specs=specs, sandbox=shared_sandbox, **kwargs)


# -- specs and the architect ---------------------------------------------------


def test_component_spec_is_frozen_and_checked():
    spec = ComponentSpec("a_b", "processor", {"k": "v"})
    with pytest.raises(Exception):
        spec.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.config["k"] = "changed"  # type: ignore[index]
    assert hash(spec) == hash(ComponentSpec("a_b", "processor", {"k": "v"}))
    for bad_name in ("../x", "a.b", "", "class", "ｅval", "1a"):
        with pytest.raises(ValueError):
            ComponentSpec(bad_name, "processor")
    with pytest.raises(TypeError):
        ComponentSpec("a", "processor", {"k": 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        ComponentSpec(1, "processor")  # type: ignore[arg-type]


def test_meta_architect_generates_and_validates():
    architect = MetaArchitect()
    specs = architect.generate_specifications(
        ["Monitor the queue latency", {"name": "cache_layer", "type": "cache", "config": {"size": "10"}},
         "Monitor the queue latency"]
    )
    assert [s.name for s in specs] == ["monitor_the_queue_latency", "cache_layer", "monitor_the_queue_latency_2"]
    assert specs[0].type == "monitor" and specs[0].config["requirement"] == "Monitor the queue latency"
    assert architect.validate_specifications(specs) is True
    assert architect.validate_specifications(specs + [specs[0]]) is False
    with pytest.raises(TypeError):
        architect.generate_specifications("one string")
    with pytest.raises(TypeError):
        architect.generate_specifications([42])


# -- evolution -----------------------------------------------------------------


@pytest.mark.parametrize(
    "metrics, strategy",
    [
        (HEALTHY, EvolutionStrategy.EXPAND),
        ({}, EvolutionStrategy.EXPAND),
        (FAILING, EvolutionStrategy.STABILIZE),
        ({"error_rate": 0.10}, EvolutionStrategy.EXPAND),  # strictly over 0.10
        ({"cpu_usage": 91}, EvolutionStrategy.OPTIMIZE),
        ({"latency_ms": 1001}, EvolutionStrategy.OPTIMIZE),
        ({"error_rate": 0.5, "cpu_usage": 99}, EvolutionStrategy.STABILIZE),  # first rule wins
    ],
)
def test_determine_strategy(metrics, strategy):
    assert ArchitectureEvolution().determine_strategy(metrics) is strategy


def test_determine_strategy_rejects_bad_metrics():
    with pytest.raises(TypeError):
        ArchitectureEvolution().determine_strategy({"error_rate": "high"})
    with pytest.raises(ValueError):
        ArchitectureEvolution().determine_strategy({"cpu_usage": float("nan")})
    with pytest.raises(TypeError):
        ArchitectureEvolution().determine_strategy([("error_rate", 0.5)])


def test_propose_evolution_derives_specs():
    base = ComponentSpec("worker", "processor", {"x": "1"})
    batch = ArchitectureEvolution().propose_evolution([base], FAILING)
    assert isinstance(batch, EvolutionBatch) and batch.strategy is EvolutionStrategy.STABILIZE
    (spec,) = batch.specs
    assert spec.name == "stabilized_worker" and spec.type == "processor"
    assert dict(spec.config) == {"x": "1", "parent": "worker", "strategy": "stabilize", "generation": "1",
                                 "evolved": "true"}


def test_generation_over_three_is_not_evolved():
    evolution = ArchitectureEvolution()
    spec = ComponentSpec("w", "processor")
    generations = []
    for _ in range(6):
        batch = evolution.propose_evolution([spec], HEALTHY)
        if not batch.specs:
            break
        (spec,) = batch.specs
        generations.append(spec.generation)
    assert generations == [1, 2, 3, 4]  # generation 4 is over 3: no fifth


# -- synthesis -----------------------------------------------------------------


def all_strategy_specs():
    base = [ComponentSpec("data_processor", "processor", {"batch_size": "32"}),
            ComponentSpec("cache_manager", "cache", {})]
    specs = list(base)
    for strategy in EvolutionStrategy:
        specs.extend(ArchitectureEvolution().propose_evolution(base, {}, strategy=strategy).specs)
    return specs


def test_synthesized_source_shape():
    comps = CodeSynthesizer().synthesize(all_strategy_specs())
    assert len(comps) == 10
    for key, comp in comps.items():
        assert isinstance(comp, SynthesizedComponent) and comp.name == key
        assert key.startswith("modulo_autopoiesis_data_")  # keyed by the signed name, as historically
        name = spec_name_of(key)
        tree = ast.parse(comp.source_code)
        assert "Componente autopoiético sintetizado" in ast.get_docstring(tree)
        assert name in ast.get_docstring(tree)
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
        assert [c.name for c in classes] == [class_name_for(name)]
        assert f'_security_signature = {"modulo_autopoiesis_data_" + name!r}' in comp.source_code
        assert "_generated_in_sandbox = True" in comp.source_code
    assert class_name_for("stabilized_data_processor") == "StabilizedDataProcessor"


def test_synthesis_is_deterministic():
    specs = all_strategy_specs()
    first = CodeSynthesizer().synthesize(specs)
    second = CodeSynthesizer().synthesize(specs)
    assert {n: c.source_code for n, c in first.items()} == {n: c.source_code for n, c in second.items()}


def test_run_is_shaped_by_strategy():
    comps = CodeSynthesizer().synthesize(all_strategy_specs())
    assert "except Exception" in comps[signed_name("stabilized_data_processor")].source_code
    assert "lru_cache" in comps[signed_name("optimized_data_processor")].source_code
    assert "self._extended_features()" in comps[signed_name("expanded_data_processor")].source_code
    assert "lru_cache" not in comps[signed_name("expanded_data_processor")].source_code


def test_every_synthesized_component_passes_validator_and_runs(shared_sandbox):
    for key, comp in CodeSynthesizer().synthesize(all_strategy_specs()).items():
        name = spec_name_of(key)
        assert shared_sandbox.validate_component(comp.source_code), name
        result = shared_sandbox.execute_component(comp.source_code, name)
        assert result["success"] is True, (name, result["error"])
        assert result["isolation"] == "unshare-namespaces"
        assert result["output"].startswith(f"{name}: ")


HOSTILE_VALUES = [
    "'; import os; os.system('touch /tmp/pwned') #",
    '"""\nimport os\n"""',
    "x\n__import__('os').system('id')",
    "\\' + __import__('os').getcwd() + \\'",
    "{0.__globals__}",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_config_values_stay_string_literals(value):
    spec = ComponentSpec("victim", "processor", {"payload": value, "key with space": value})
    source = CodeSynthesizer().synthesize([spec])[signed_name("victim")].source_code
    tree = ast.parse(source)  # it still parses
    constants = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert value in constants
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert not calls & {"__import__", "eval", "exec"}
    # the only statements are the ones we generate
    assert [type(n).__name__ for n in tree.body] == ["Expr", "Import", "Assign", "FunctionDef", "ClassDef"]


def test_hostile_config_value_runs_inert(tmp_path, execution_mode):
    canary = tmp_path / "pwned"
    spec = ComponentSpec("victim", "processor", {"payload": f"'); open({str(canary)!r}, 'w'); ('"})
    comp = CodeSynthesizer().synthesize([spec])[signed_name("victim")]
    with AutopoieticSandbox(temp_dir=tmp_path, validate_code=False) as sb:
        result = sb.execute_component(comp.source_code, "victim")
    assert result["success"] is True, result["error"]
    assert not canary.exists()


# -- the manager ----------------------------------------------------------------


def test_full_cycles(workdir, shared_sandbox):
    write_phi(workdir, 0.8)
    with make_manager(shared_sandbox) as manager:
        first = manager.run_cycle(HEALTHY)
        assert isinstance(first, CycleLog)
        assert first.strategy is EvolutionStrategy.EXPAND
        assert first.synthesized_components == ["expanded_data_processor"]
        assert first.phi_before == first.phi_after == 0.8
        second = manager.run_cycle(FAILING)
        assert second.strategy is EvolutionStrategy.STABILIZE
        assert set(second.synthesized_components) == {"stabilized_data_processor",
                                                      "stabilized_expanded_data_processor"}
        assert [e["isolation"] for e in second.executions] == ["unshare-namespaces"] * 2
        assert set(manager.specs) == {"data_processor", "expanded_data_processor",
                                                   "stabilized_data_processor", "stabilized_expanded_data_processor"}
    lines = (workdir / "data" / "autopoietic" / "history.jsonl").read_text().splitlines()
    assert len(lines) == 2
    assert [json.loads(line)["cycle_id"] for line in lines] == [1, 2]
    assert json.loads(lines[1])["strategy"] == "STABILIZE"
    for name in first.synthesized_components + second.synthesized_components:
        text = (workdir / "data" / "autopoietic" / "synthesized" / f"{name}.py").read_text()
        assert name in text and "Componente autopoiético sintetizado" in text and "\nclass " in text


def test_phi_below_threshold_synthesizes_nothing(workdir, no_sandbox):
    write_phi(workdir, 0.01)
    with make_manager(no_sandbox) as manager:
        log = manager.run_cycle(HEALTHY)
    assert log.synthesized_components == [] and log.executions == []
    assert log.phi_before == log.phi_after == 0.01
    assert not (workdir / "data" / "autopoietic" / "synthesized").exists()
    assert len((workdir / "data" / "autopoietic" / "history.jsonl").read_text().splitlines()) == 1


def test_phi_is_read_from_the_working_directory(workdir, no_sandbox):
    with make_manager(no_sandbox) as manager:
        assert manager._get_current_phi() == DEFAULT_PHI == 0.5  # no file
        write_phi(workdir, 0.73)
        assert manager._get_current_phi() == 0.73
        other = workdir / "elsewhere"
        other.mkdir()
        os.chdir(other)
        assert manager._get_current_phi() == 0.5  # relative to the cwd at the time


@pytest.mark.parametrize("content", ["not json", '{"other": 1}', '{"phi": "high"}', '{"phi": null}', "[]"])
def test_bad_metrics_file_falls_back(workdir, no_sandbox, content, caplog):
    path = workdir / "data" / "monitor" / "real_metrics.json"
    path.parent.mkdir(parents=True)
    path.write_text(content)
    with make_manager(no_sandbox) as manager:
        assert manager._get_current_phi() == 0.5


class CollapsingManager(AutopoieticManager):
    """phi is healthy before the changes and collapses after them."""

    def __init__(self, *args, readings, **kwargs):
        self.readings = list(readings)
        super().__init__(*args, **kwargs)

    def _get_current_phi(self) -> float:
        return self.readings.pop(0)


@pytest.mark.parametrize("after", [0.01, 0.3])  # under the threshold; under half of 0.8
def test_phi_collapse_rolls_back(workdir, shared_sandbox, after):
    with make_manager(shared_sandbox, cls=CollapsingManager, readings=[0.8, after]) as manager:
        log = manager.run_cycle(HEALTHY)
        assert log.rolled_back is True
        assert log.synthesized_components == []
        assert list(manager.specs) == ["data_processor"]
    assert list((workdir / "data" / "autopoietic" / "synthesized").iterdir()) == []
    line = json.loads((workdir / "data" / "autopoietic" / "history.jsonl").read_text())
    assert line["rolled_back"] is True and line["phi_after"] == after


def test_small_phi_drop_is_kept(workdir, shared_sandbox):
    with make_manager(shared_sandbox, cls=CollapsingManager, readings=[0.8, 0.5]) as manager:
        log = manager.run_cycle(HEALTHY)
    assert log.rolled_back is False and log.synthesized_components == ["expanded_data_processor"]


def test_failing_components_are_not_persisted(workdir, shared_sandbox):
    class BrokenSynthesizer(CodeSynthesizer):
        def synthesize(self, specs):
            out = super().synthesize(specs)
            return {n: SynthesizedComponent(n, c.source_code.replace("def run(self):", "def run(self):\n"
                                                                       "        raise RuntimeError('broken')"),
                                            c.natural_description) for n, c in out.items()}

    with make_manager(shared_sandbox, synthesizer=BrokenSynthesizer()) as manager:
        log = manager.run_cycle(HEALTHY)
        assert log.synthesized_components == []
        assert log.executions[0]["success"] is False and "broken" in log.executions[0]["error"]
        assert list(manager.specs) == ["data_processor"]
    assert not (workdir / "data" / "autopoietic" / "synthesized" / "expanded_data_processor.py").exists()


def test_history_keeps_earlier_lines_when_a_write_is_torn(workdir, shared_sandbox):
    """A crash mid-write of an appended line leaves the earlier lines intact:
    the file is replaced by rename, never written in place."""
    history = workdir / "data" / "autopoietic" / "history.jsonl"
    with make_manager(shared_sandbox) as manager:
        manager.run_cycle(HEALTHY)
        before = history.read_bytes()
        inode = history.stat().st_ino
        manager.run_cycle(HEALTHY)
    after = history.read_bytes()
    assert after.startswith(before) and after.count(b"\n") == 2
    assert history.stat().st_ino != inode  # replaced, not written over
    assert [p.name for p in history.parent.iterdir() if p.name.startswith(".")] == []


def test_register_spec_checks(no_sandbox):
    with make_manager(no_sandbox) as manager:
        with pytest.raises(ValueError):
            manager.register_spec(ComponentSpec("data_processor", "processor"))
        with pytest.raises(TypeError):
            manager.register_spec({"name": "x"})  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        AutopoieticManager(phi_threshold=2, sandbox=no_sandbox)


def test_demo_command(tmp_path, execution_mode):
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-m", "autopoietic", "demo", "--cycles", "2"], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "cycle 1: strategy EXPAND" in proc.stdout and "cycle 2: strategy STABILIZE" in proc.stdout
    assert "expanded_data_processor" in proc.stdout
    table_rows = [line for line in proc.stdout.splitlines() if line.startswith("  ") and "component" not in line]
    assert len(table_rows) == 9 and all("unshare-namespaces" in r and "True" in r for r in table_rows)
    assert "9 components synthesized over 2 cycles, 9 succeeded" in proc.stdout
    assert list(tmp_path.iterdir()) == []  # nothing written into the working directory


def test_demo_json_and_data_dir(tmp_path, execution_mode):
    proc = subprocess.run([sys.executable, "-m", "autopoietic", "demo", "--cycles", "1", "--json", "--data-dir",
                           str(tmp_path / "d")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    logs = json.loads(proc.stdout)
    assert logs[0]["strategy"] == "EXPAND" and len(logs[0]["executions"]) == 3
    assert len(list((tmp_path / "d" / "synthesized").iterdir())) == 3
    assert (tmp_path / "d" / "history.jsonl").exists()
