#!/usr/bin/env bash
# Installs the strata Processing provider (plugins/qgis/strata_processing) into a QGIS plugin
# folder, with the strata Python module it calls copied into its lib/ (stripped of debug
# information): the installed plugin does not point into the build tree.
#   scripts/install-qgis-plugin.sh [PLUGIN_DIR] [MODULE]
# PLUGIN_DIR defaults to the default QGIS profile's python/plugins; MODULE (the built
# strata.cpython-*.so) to the release build's, else the dev build's, else the ci build's.
# Then enable it once: in QGIS's plugin manager, or `qgis_process.bin plugins enable
# strata_processing`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$HOME/.local/share/QGIS/QGIS3/profiles/default/python/plugins}"
module="${2:-}"
if [ -z "$module" ]; then
  for preset in release dev ci; do
    for candidate in "$root/build/$preset/apps/python"/strata.cpython-*.so; do
      if [ -f "$candidate" ]; then module="$candidate"; break 2; fi
    done
  done
fi
if [ -z "$module" ] || [ ! -f "$module" ]; then
  echo "install-qgis-plugin: no strata Python module found; build strata first (it builds" \
       "apps/python) or pass the module's path" >&2
  exit 1
fi
mkdir -p "$dest"
target="$dest/strata_processing"
staging="$dest/.strata_processing.installing"
rm -rf "$staging"
cp -r "$root/plugins/qgis/strata_processing" "$staging"
find "$staging" -name '__pycache__' -prune -exec rm -rf {} +
mkdir -p "$staging/lib"
if command -v objcopy >/dev/null; then
  objcopy --strip-debug "$module" "$staging/lib/$(basename "$module")"
else
  cp "$module" "$staging/lib/"
fi
# Replace the previous install in one step: a failed copy leaves it as it was.
rm -rf "$target.old"
if [ -d "$target" ]; then mv "$target" "$target.old"; fi
mv "$staging" "$target"
rm -rf "$target.old"
echo "install-qgis-plugin: strata_processing -> $dest (module $(basename "$module"))"
