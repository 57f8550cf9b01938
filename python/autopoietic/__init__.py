"""autopoietic: run untrusted, machine-generated Python components in isolation.

See ``autopoietic.sandbox`` for the API (docs/api.md), and docs/threat-model.md
for what the sandbox does and does not protect against.
"""

from .sandbox import AutopoieticSandbox, ExecutionResult, SandboxError, create_secure_sandbox
from .validator import DEFAULT_POLICY, Finding, ValidatorPolicy, validate

__all__ = [
    "AutopoieticSandbox",
    "DEFAULT_POLICY",
    "ExecutionResult",
    "Finding",
    "SandboxError",
    "ValidatorPolicy",
    "create_secure_sandbox",
    "validate",
]
__version__ = "0.1.0"
