#!/usr/bin/env bash
# Installs the strata Processing provider (plugins/qgis/strata_processing) into a QGIS plugin
# folder, with the strata Python module it calls and strata's Open3D module (3D views and
# point clouds) and map-drawing module (Cairo, Pango), both loaded on first use, copied into its
# lib/ (stripped of debug information): the installed plugin does not point into the build tree.
#   scripts/install-qgis-plugin.sh [PLUGIN_DIR] [MODULE] [OPEN3D_MODULE]
# PLUGIN_DIR defaults to the default QGIS profile's python/plugins; MODULE (the built
# strata.cpython-*.so) to the release build's, else the dev build's, else the ci build's;
# OPEN3D_MODULE (libstrata_open3d.so, with libstrata_cairo.so beside it) to the ones beside
# MODULE, else its build's (render/), else the installed ones (<prefix>/lib/strata/).
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
# strata's modules, loaded on first use: found where OPEN3D_MODULE is (when given), beside
# MODULE, in its build (render/), or installed (<prefix>/lib/strata/).
mdir="$(cd "$(dirname "$module")" && pwd)"
modules=()
for name in libstrata_open3d.so libstrata_cairo.so; do
  found=""
  for candidate in ${3:+"$(dirname "$3")/$name"} "$mdir/$name" "$mdir/../../render/$name" \
                   "$mdir/../../strata/$name" "$mdir/../../../lib/strata/$name"; do
    if [ -f "$candidate" ]; then found="$candidate"; break; fi
  done
  if [ -z "$found" ]; then
    echo "install-qgis-plugin: $name not found beside $module or in its build;" \
         "pass the path of libstrata_open3d.so (with libstrata_cairo.so beside it) as the third" \
         "argument" >&2
    exit 1
  fi
  modules+=("$found")
done
mkdir -p "$dest"
target="$dest/strata_processing"
staging="$dest/.strata_processing.installing"
rm -rf "$staging"
cp -r "$root/plugins/qgis/strata_processing" "$staging"
find "$staging" -name '__pycache__' -prune -exec rm -rf {} +
mkdir -p "$staging/lib"
for file in "$module" "${modules[@]}"; do
  if command -v objcopy >/dev/null; then
    objcopy --strip-debug "$file" "$staging/lib/$(basename "$file")"
  else
    cp "$file" "$staging/lib/"
  fi
done
# Replace the previous install in one step: a failed copy leaves it as it was.
rm -rf "$target.old"
if [ -d "$target" ]; then mv "$target" "$target.old"; fi
mv "$staging" "$target"
rm -rf "$target.old"
echo "install-qgis-plugin: strata_processing -> $dest (module $(basename "$module"))"
