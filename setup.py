"""Declares the C extension only; metadata lives in pyproject.toml.

The project's own builds (make test, CI) set AUTOPOIETIC_WERROR=1 and
compile with -Werror; a user's `pip install .` keeps -Wall -Wextra but does
not fail on a warning that a newer compiler may add.
"""
import os
from glob import glob

from setuptools import Extension, setup

WARNINGS = ["-Wall", "-Wextra"] + (["-Werror"] if os.environ.get("AUTOPOIETIC_WERROR") == "1" else [])

setup(
    ext_modules=[
        Extension(
            "autopoietic._sandbox",
            sources=sorted(glob("src/_sandbox/*.c")),
            depends=sorted(glob("src/_sandbox/*.h")),
            define_macros=[("_GNU_SOURCE", None)],
            extra_compile_args=["-std=gnu11", *WARNINGS],
        )
    ],
)
