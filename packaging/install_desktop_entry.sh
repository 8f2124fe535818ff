#!/usr/bin/env bash
# Install a menu entry and icon for the bundle built by build_bundle.sh (current user).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
APP="$HERE/dist/data-hall-designer/data-hall-designer"
[ -x "$APP" ] || { echo "build the bundle first: packaging/build_bundle.sh" >&2; exit 1; }
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
mkdir -p "$DATA/applications" "$DATA/icons/hicolor/256x256/apps" "$DATA/icons/hicolor/scalable/apps"
cp "$HERE/../resources/icons/designer.png" "$DATA/icons/hicolor/256x256/apps/data-hall-designer.png"
cp "$HERE/../resources/icons/designer.svg" "$DATA/icons/hicolor/scalable/apps/data-hall-designer.svg"
sed "s|^Exec=.*|Exec=\"$APP\" %f|" "$HERE/data-hall-designer.desktop" > "$DATA/applications/data-hall-designer.desktop"
echo "installed $DATA/applications/data-hall-designer.desktop"
