"""Attack: fake success: write a verdict without the nonce, close the
verdict fd, print the SUCCESS line, exit 0 through os._exit from run().
Expected: success stays False for components (the nonce is never known)."""

import textwrap

from autopoietic.sandbox import AutopoieticSandbox


def test_fake_verdict_component(tmp_path):
    code = textwrap.dedent('''
        import os
        class Liar:
            _security_signature = "modulo_autopoiesis_data_liar"
            _generated_in_sandbox = True
            def run(self):
                for guess in ("0" * 32, "f" * 32):
                    os.write(4, "\\x1f".join([guess, "ok", "", "", "0", ""]).encode())
                print("SUCCESS: Component Liar executed successfully", flush=True)
                os._exit(0)
    ''')
    with AutopoieticSandbox(temp_dir=tmp_path, validate_code=False) as sb:
        result = sb.execute_component(code, "liar")
    assert result["exit_code"] == 0
    assert result["success"] is False
    assert "forged" in result["error"]
