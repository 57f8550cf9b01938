import os, sys as s
from . import x
from a.b import (c as d,
  e)
x = rb"\x00\N{DASH}" f"""{f"{eval(1)}"}"""
# coding: utf-7
