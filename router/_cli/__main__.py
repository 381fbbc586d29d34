"""``python -m router._cli``: the same as the ``router`` console script."""

import sys

from router._cli import main

sys.exit(main())
