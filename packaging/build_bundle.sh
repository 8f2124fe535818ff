#!/usr/bin/env bash
# Build the standalone one-folder app into packaging/dist/data-hall-designer/.
# Usage: packaging/build_bundle.sh            (needs python3 >= 3.11 and network access to PyPI)
# Then:  packaging/dist/data-hall-designer/data-hall-designer [FILE]
#        packaging/install_desktop_entry.sh   (menu entry and icon for the current user)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
BUILD="$HERE/build"
mkdir -p "$BUILD"
python3 -m venv "$BUILD/venv"
"$BUILD/venv/bin/pip" install -q --upgrade pip >/dev/null
"$BUILD/venv/bin/pip" install -q "$ROOT" "pyinstaller>=6"
cd "$HERE"
"$BUILD/venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath "$HERE/dist" --workpath "$BUILD/work" designer.spec
du -sh "$HERE/dist/data-hall-designer" | awk '{print "bundle size: " $1}'
