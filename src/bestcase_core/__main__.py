"""``python -m bestcase_core ...`` is the ``bestcase`` command."""

import sys

from .cli import main

sys.exit(main())
