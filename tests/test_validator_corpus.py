"""The validator measured both ways on corpora (docs/validator.md):
what code generators write is accepted, and every known bypass is refused.

- ``tests/corpus/accepted/``: idiomatic modules in the styles that code
  generators and LLMs emit (components with the protocol's markers, and
  plain snippets), written for this suite, plus every component our
  synthesizer writes.  Goal and assertion: 100% accepted, and the
  components among them run in the real sandbox.
- ``tests/corpus/refused_by_design/``: idiomatic modules of the same
  corpus that the rules refuse on purpose, each for the reason in
  ``BY_DESIGN`` (a computed attribute name, a private module member): what
  a user meets, measured rather than left out.
- the ``HOSTILE`` table of test_validator.py: 100% refused, each with the
  rule and position it expects.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autopoietic.sandbox import AutopoieticSandbox
from autopoietic.validator import DEFAULT_POLICY, validate
from test_validator import HOSTILE, NO_MARKERS, synthesized_sources

CORPUS = sorted((Path(__file__).parent / "corpus" / "accepted").glob("*.py"))
REFUSED = sorted((Path(__file__).parent / "corpus" / "refused_by_design").glob("*.py"))
#: why each is refused: getattr & co. take one literal name (a computed one
#: is a getattr of anything, frames included); a module's private members
#: reach what it does not offer (uuid._get_command_stdout runs programs)
BY_DESIGN = {
    "042_sorting_with_operator": {"dynamic-attribute"},  # attrgetter(*keys)
    "065_ttl_cache": {"private-module-attribute"},  # functools._make_key
    "069_self_describing_model": {"dynamic-attribute"},  # setattr(self, name, ...)
    "073_validated_fields": {"dynamic-attribute"},  # getattr(obj, self.private_name)
    "090_binary_search_tree": {"dynamic-attribute"},  # getattr(node, branch)
    "147_chat_commands": {"dynamic-attribute"},  # getattr(self, f"cmd_{name}", None)
    # another object's __dict__ iterated or copied: a class's __dict__ holds
    # its slot wrappers and descriptors (object.__dict__ holds a getattr)
    "079_prompt_builder": {"dynamic-attribute"},  # dict(obj.__dict__)
    "141_source_metrics": {"dynamic-attribute"},  # metrics.__dict__.items()
}
MARKER = "_generated_in_sandbox = True"


def is_component(source: str) -> bool:
    return MARKER in source and "modulo_autopoiesis_data_" in source


def test_the_corpora_are_large_enough():
    assert len(CORPUS) >= 150 and len(CORPUS) + len(REFUSED) >= 170
    assert {p.stem for p in REFUSED} == set(BY_DESIGN)
    assert sum(is_component(p.read_text(encoding="utf-8")) for p in CORPUS) >= 50
    assert len(HOSTILE) >= 100


@pytest.mark.parametrize("path", REFUSED, ids=[p.stem for p in REFUSED])
def test_refused_by_design_for_its_reason(path):
    source = path.read_text(encoding="utf-8")
    compile(source, str(path), "exec")
    policy = DEFAULT_POLICY if is_component(source) else NO_MARKERS
    assert {f.rule for f in validate(source, policy)} == BY_DESIGN[path.stem]


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_idiomatic_code_is_accepted(path):
    source = path.read_text(encoding="utf-8")
    compile(source, str(path), "exec")  # real Python, as generators emit it
    policy = DEFAULT_POLICY if is_component(source) else NO_MARKERS
    assert [str(f) for f in validate(source, policy)] == []


#: Runs a corpus component's marked class: most of them define helper
#: classes (dataclasses, exceptions) before it, while the component protocol
#: takes a module's first class (docs/api.md, "The component protocol").
DRIVER = """
for _value in list(globals().values()):
    if isinstance(_value, type) and _value.__module__ == "__main__" and "_generated_in_sandbox" in vars(_value):
        _value().run()
        break
else:
    raise SystemExit("no marked class")
"""


@pytest.mark.slow  # 4.5 s here; test_api runs accepted components in the fast tier
def test_accepted_components_run_in_the_sandbox(tmp_path):
    components = [p for p in CORPUS if is_component(p.read_text(encoding="utf-8"))]
    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20) as sb:
        for path in components:
            result = sb.run_source(path.read_text(encoding="utf-8") + DRIVER)
            assert result["success"] is True, (path.name, result["error"][-2000:])
            assert result["output"], path.name


def test_the_synthesizer_and_the_corpus_together_pass_entirely():
    """The number docs/validator.md reports: accepted / total over both corpora."""
    sources = [p.read_text(encoding="utf-8") for p in CORPUS] + [s for _, s in synthesized_sources()]
    refused = [s[:80] for s in sources if validate(s, DEFAULT_POLICY if is_component(s) else NO_MARKERS)]
    assert refused == []
    hostile_refused = [i for i, s, _ in HOSTILE if validate(s, NO_MARKERS)]
    assert len(hostile_refused) == len(HOSTILE)
