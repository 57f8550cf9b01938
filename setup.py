"""Declares the C extension only; metadata lives in pyproject.toml."""
from glob import glob

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "autopoietic._sandbox",
            sources=sorted(glob("src/_sandbox/*.c")),
            depends=sorted(glob("src/_sandbox/*.h")),
            define_macros=[("_GNU_SOURCE", None)],
            extra_compile_args=["-std=gnu11", "-Wall", "-Wextra", "-Werror"],
        )
    ],
)
