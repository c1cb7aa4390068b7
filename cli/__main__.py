"""``python -m cli``: the same as the ``smartcity-kg`` command."""

import sys

from cli import main

sys.exit(main())
