"""Entry point of the standalone bundle: the same command line as ``designer``."""

from designer.cli import main

raise SystemExit(main())
