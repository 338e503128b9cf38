#!/usr/bin/env bash
# Installs the strata Processing provider (plugins/qgis/strata_processing) into a QGIS plugin
# folder and records which strata command it calls.
#   scripts/install-qgis-plugin.sh [PLUGIN_DIR] [STRATA_BIN]
# PLUGIN_DIR defaults to the default QGIS profile's python/plugins; STRATA_BIN to the release
# build, else the dev build. Enable "strata" in QGIS's plugin manager afterwards (once).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$HOME/.local/share/QGIS/QGIS3/profiles/default/python/plugins}"
bin="${2:-}"
if [ -z "$bin" ]; then
  for candidate in "$root/build/release/apps/strata/strata" "$root/build/dev/apps/strata/strata"; do
    if [ -x "$candidate" ]; then bin="$candidate"; break; fi
  done
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  echo "install-qgis-plugin: no strata command found; build strata first or pass its path" >&2
  exit 1
fi
mkdir -p "$dest"
rm -rf "$dest/strata_processing"
cp -r "$root/plugins/qgis/strata_processing" "$dest/strata_processing"
find "$dest/strata_processing" -name '__pycache__' -prune -exec rm -rf {} +
echo "$bin" > "$dest/strata_processing/strata_bin.txt"
echo "install-qgis-plugin: strata_processing -> $dest (calls $bin)"
