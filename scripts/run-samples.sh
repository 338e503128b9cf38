#!/usr/bin/env bash
# Main job on a fresh Debian 12 machine: install dependencies, build (release), and run the
# sample project. Writes out/taipei/strata.gpkg (open it in QGIS) and out/taipei/summary.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
build/release/apps/strata/strata run samples/taipei/project.toml
