#!/usr/bin/env bash
# Main job on a fresh Debian 12 machine: install dependencies, build (release), and run the two
# sample projects end to end:
#   samples/taipei/project.toml  indicators per district and village, maps, a QGIS GeoPackage
#                                 and the report out/taipei/report.html
#   samples/delft/project.toml   the 3D ownership model, pipes under the buildings, a CityJSON
#                                 export, 3D views and the report out/delft/report.html
# The 3D views need an X display; without one strata starts Xvfb (xvfb-run) by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
strata=build/release/apps/strata/strata
status=0
for project in samples/taipei/project.toml samples/delft/project.toml; do
  echo "== strata run $project"
  "$strata" run "$project" || status=$?
done
echo
echo "Reports (open them in a browser):"
echo "  $(pwd)/out/taipei/report.html"
echo "  $(pwd)/out/delft/report.html"
exit $status
