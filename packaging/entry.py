"""Entry point of the standalone bundle: the same command line as ``designer``."""

import os

from platformdirs import user_cache_dir

# The air model's compiled kernels are kept between starts, in the user's cache folder (or under
# DESIGNER_USER_DIR when that is set: tests, portable use). The variable is
# designer.solvers.air.kernels.CACHE_ENV; it must be set before that module is imported, which
# is why it is spelled out here (tests/test_air_kernel_cache.py checks the two agree).
_user = os.environ.get("DESIGNER_USER_DIR")
os.environ.setdefault("DESIGNER_KERNEL_CACHE", os.path.join(_user, "cache", "kernels") if _user
                      else os.path.join(user_cache_dir("data-hall-designer", appauthor=False), "kernels"))

from designer.cli import main  # noqa: E402

raise SystemExit(main())
