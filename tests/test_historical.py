"""Historical fidelity (docs/historical.md): the pipeline keeps the API that the
historical system's own manager test uses.  Written the way that test is: a
``tmp_path``, ``register_spec``, ``run_cycle`` with metrics dicts and phi
patched on the instance; every synthesized component runs in the real
sandbox."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from autopoietic.architecture_evolution import ArchitectureEvolution, EvolutionStrategy
from autopoietic.code_synthesizer import CodeSynthesizer, class_name_for
from autopoietic.manager import AutopoieticManager, CycleLog
from autopoietic.meta_architect import ComponentSpec, MetaArchitect

HEALTHY = {"error_rate": 0.0, "cpu_usage": 25.0, "latency_ms": 15.0}
FAILING = {"error_rate": 0.2, "cpu_usage": 30.0}


@pytest.fixture(autouse=True)
def workdir(tmp_path, monkeypatch):
    """The historical defaults (data/autopoietic/..., data/monitor/...) are
    relative to the working directory: keep them in tmp_path."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def manager(tmp_path):
    """A manager as the historical test builds it: paths under tmp_path, one
    spec registered, phi patched high enough to synthesize."""
    m = AutopoieticManager(history_path=tmp_path / "history.jsonl",
                           synthesized_code_dir=tmp_path / "synthesized_code")
    m.register_spec(ComponentSpec(name="kernel_process", type="process",
                                  config={"priority": "high", "generation": "0"}))
    m._get_current_phi = lambda: 0.5  # type: ignore[method-assign]
    yield m
    m.close()


def test_a_full_cycle_expands_then_stabilizes(manager, tmp_path):
    log = manager.run_cycle(HEALTHY)
    assert isinstance(log, CycleLog)
    assert log.strategy == EvolutionStrategy.EXPAND  # the member, not a string
    assert log.synthesized_components == ["expanded_kernel_process"]
    assert [e["isolation"] for e in log.executions] == ["unshare-namespaces"]

    second = manager.run_cycle(FAILING)
    assert second.strategy == EvolutionStrategy.STABILIZE
    assert len(manager.history) == 2 and manager.history == [log, second]
    assert len(manager.specs) >= 2
    assert manager.specs["kernel_process"].config["priority"] == "high"  # name -> spec
    lines = (tmp_path / "history.jsonl").read_text(encoding="utf-8").strip().splitlines()
    assert [json.loads(line)["strategy"] for line in lines] == ["EXPAND", "STABILIZE"]  # the member's name


def test_synthesized_components_are_persisted_by_name(manager, tmp_path):
    log = manager.run_cycle(HEALTHY)
    (name,) = log.synthesized_components
    content = (tmp_path / "synthesized_code" / f"{name}.py").read_text(encoding="utf-8")
    assert name in content
    assert "Componente autopoiético sintetizado" in content
    assert f"class {class_name_for(name)}:" in content


def test_initial_specs_is_a_mapping_name_to_spec(tmp_path):
    old = ComponentSpec(name="evolved_component", type="process", config={"generation": "5"})
    with AutopoieticManager(initial_specs={"evolved_component": old}, history_path=tmp_path / "h.jsonl") as m:
        log = m.run_cycle({"error_rate": 0.0})
        assert log.strategy == EvolutionStrategy.EXPAND
        assert log.synthesized_components == []  # generation 5 is past evolving
        assert list(m.specs) == ["evolved_component"]
    with AutopoieticManager(initial_specs=[old], history_path=tmp_path / "h2.jsonl") as m:  # any iterable too
        assert list(m.specs) == ["evolved_component"]
    with pytest.raises(ValueError, match="maps 'other'"):
        AutopoieticManager(initial_specs={"other": old}, history_path=tmp_path / "h3.jsonl")
    with pytest.raises(TypeError):
        AutopoieticManager(initial_specs={"x": "not a spec"}, history_path=tmp_path / "h4.jsonl")


def test_low_phi_before_changes_nothing(tmp_path):
    with AutopoieticManager(history_path=tmp_path / "h.jsonl", synthesized_code_dir=tmp_path / "code",
                            phi_threshold=0.3) as m:
        m.register_spec(ComponentSpec(name="test_component", type="process", config={"generation": "0"}))
        m._get_current_phi = lambda: 0.1  # type: ignore[method-assign]
        log = m.run_cycle({"error_rate": 0.0, "cpu_usage": 25.0})
    assert (log.phi_before, log.phi_after) == (0.1, 0.1)
    assert log.synthesized_components == []
    assert not (tmp_path / "code").exists()


def test_phi_collapsing_after_changes_rolls_back(tmp_path):
    readings = iter([0.5, 0.2])
    with AutopoieticManager(history_path=tmp_path / "h.jsonl", synthesized_code_dir=tmp_path / "code",
                            phi_threshold=0.3) as m:
        m.register_spec(ComponentSpec(name="test_component", type="process", config={"generation": "0"}))
        m._get_current_phi = lambda: next(readings)  # type: ignore[method-assign]
        log = m.run_cycle({"error_rate": 0.0, "cpu_usage": 25.0})
        assert (log.phi_before, log.phi_after) == (0.5, 0.2)
        assert log.rolled_back is True and log.synthesized_components == []
        assert list(m.specs) == ["test_component"]
    assert not any((tmp_path / "code").glob("*.py"))


def test_phi_is_read_from_real_metrics_under_the_working_directory(tmp_path):
    with AutopoieticManager() as m:
        assert m._get_current_phi() == 0.5  # no file: the default
        metrics = tmp_path / "data" / "monitor" / "real_metrics.json"
        metrics.parent.mkdir(parents=True)
        metrics.write_text(json.dumps({"phi": 0.75, "anxiety": 0.2, "flow": 0.8}), encoding="utf-8")
        m._phi_history = []  # as the historical test clears it; phi still comes from the file
        assert m._get_current_phi() == 0.75


def test_cycle_logs_carry_phi(tmp_path):
    with AutopoieticManager(history_path=tmp_path / "h.jsonl") as m:
        m.register_spec(ComponentSpec(name="test_component", type="process", config={"generation": "0"}))
        log = m.run_cycle({"error_rate": 0.0, "cpu_usage": 25.0})
    assert log.phi_before is not None and log.phi_after is not None


def test_architecture_evolution_takes_the_historical_arguments():
    architect = MetaArchitect()
    assert ArchitectureEvolution(architect).meta_architect is architect
    assert isinstance(ArchitectureEvolution().meta_architect, MetaArchitect)
    specs = {"kernel_process": ComponentSpec("kernel_process", "process", {"generation": "0"})}
    batch = ArchitectureEvolution(architect).propose_evolution(specs)  # a mapping; metrics optional
    assert batch.strategy is EvolutionStrategy.EXPAND
    assert isinstance(batch.specs, list) and [s.name for s in batch.specs] == ["expanded_kernel_process"]
    assert ArchitectureEvolution().propose_evolution(specs, {"error_rate": 0.5}).strategy is EvolutionStrategy.STABILIZE
    with pytest.raises(TypeError):
        ArchitectureEvolution().propose_evolution({"x": "not a spec"})


def test_meta_architect_takes_a_mapping_of_type_to_names():
    architect = MetaArchitect()
    specs = architect.generate_specifications({"process": ["kernel_process", "io_process"], "cache": ["lru"]})
    assert [(s.name, s.type) for s in specs] == [("kernel_process", "process"), ("io_process", "process"),
                                                ("lru", "cache")]
    assert dict(specs[0].config) == {"generated_by": "MetaArchitect", "version": "1.0"}
    assert architect.validate_specifications(specs) is True
    # a spec with an empty name cannot be built; one that claims it is refused
    assert architect.validate_specifications([SimpleNamespace(name="", type="process")]) is False
    with pytest.raises(ValueError):
        ComponentSpec(name="", type="process")
    with pytest.raises(TypeError):
        architect.generate_specifications({"process": "kernel_process"})  # a name, not a list of names
    with pytest.raises(ValueError):
        architect.generate_specifications({"process": ["../escape"]})


def test_the_synthesizer_keys_by_the_signed_name():
    spec = ComponentSpec("kernel_process", "process", {"generation": "0"})
    components = CodeSynthesizer().synthesize([spec])
    assert list(components) == ["modulo_autopoiesis_data_kernel_process"]
    component = components["modulo_autopoiesis_data_kernel_process"]
    assert component.name == "modulo_autopoiesis_data_kernel_process"
    assert "class KernelProcess:" in component.source_code
    assert "_security_signature = 'modulo_autopoiesis_data_kernel_process'" in component.source_code
