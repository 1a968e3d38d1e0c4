import sys

import snippetguard  # noqa: F401  (registers kinds and rules)
from snippetguard.cli import main

sys.exit(main())
