"""autopoietic: run untrusted, machine-generated Python components in isolation.

See ``autopoietic.sandbox`` for the API and the README for what the sandbox
does and does not protect against.
"""

from .sandbox import AutopoieticSandbox, ExecutionResult, Finding, SandboxError, create_secure_sandbox

__all__ = ["AutopoieticSandbox", "ExecutionResult", "Finding", "SandboxError", "create_secure_sandbox"]
__version__ = "0.1.0"
