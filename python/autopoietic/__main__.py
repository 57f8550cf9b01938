"""``python -m autopoietic``: see ``autopoietic.cli``."""

import sys

from .cli import main

sys.exit(main())
