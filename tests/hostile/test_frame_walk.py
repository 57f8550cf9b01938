"""Attack: walk the frames below run() (a component past the validator, or
with it off) looking for what the runner holds: a module (os, sys, the
extension in warm mode), a verdict or report function, the nonce.
Expected: the frames below the component hold none of them; the nonce is
in no frame and in no memory of the process until run() has returned, so
the verdict cannot be forged from what a frame walk finds."""

import textwrap

from autopoietic.sandbox import AutopoieticSandbox

COMPONENT = textwrap.dedent('''
    import sys, re

    def found_below(frame):
        """What the frames below frame hold: module names, callables, hex strings."""
        modules, callables, hexes = set(), set(), set()
        while frame is not None:
            for scope in (frame.f_locals, frame.f_globals):
                for key, value in list(scope.items()):
                    if key == "__builtins__":
                        continue  # the interpreter itself: docs/threat-model.md, "Not protected"
                    if type(value) is type(sys):
                        modules.add(value.__name__)
                    elif callable(value) and not isinstance(value, type):
                        callables.add(key)
                    elif isinstance(value, (str, bytes)) and re.fullmatch(rb"[0-9a-f]{32}", value.encode()
                                                                          if isinstance(value, str) else value):
                        hexes.add(key)
            frame = frame.f_back
        return modules, callables, hexes

    class Walker:
        _security_signature = "modulo_autopoiesis_data_walker"
        _generated_in_sandbox = True

        def run(self):
            modules, callables, hexes = found_below(sys._getframe(1))
            # the component's own module globals are its business; the runner's are not
            mine = set(globals())
            print(sorted(modules - {"walker"}), sorted(callables - mine), sorted(hexes))
            with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", buffering=0) as mem:
                nonce_like = 0
                for line in maps:
                    fields = line.split()
                    if "rw" not in fields[1] or len(fields) > 5 and fields[5].startswith("["
                                                                                         "vvar"):
                        continue
                    start, end = (int(x, 16) for x in fields[0].split("-"))
                    try:
                        mem.seek(start)
                        chunk = mem.read(end - start)
                    except OSError:
                        continue
                    # (a path component is no nonce: a warm sandbox holds its
                    # configuration, whose cgroup paths name the caller's)
                    nonce_like += len(re.findall(rb"(?<![0-9a-f/])[0-9a-f]{32}(?![0-9a-f])", chunk))
            print(nonce_like)
''')


def test_frames_below_the_component_hold_nothing_of_the_runner(tmp_path, execution_mode):
    with AutopoieticSandbox(temp_dir=tmp_path, validate_code=False, mode=execution_mode) as sb:
        result = sb.execute_component(COMPONENT, "walker")
    assert result["success"] is True, result["error"]
    walk, nonce_like = result["output"].splitlines()[:2]
    modules, callables, hexes = walk.split("] [")
    assert modules == "[", walk      # no module object of the runner's (os, sys, the extension)
    assert "verdict" not in callables and "report" not in callables and "fail" not in callables, walk
    assert "_autopoietic_report" not in callables, walk
    assert hexes.rstrip("]") == "", walk  # no nonce-shaped string in any frame
    assert nonce_like == "0"  # nor a verdict-shaped nonce anywhere in the process's memory
