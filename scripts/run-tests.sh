#!/usr/bin/env bash
# Whole test suite on a fresh Debian 12 machine: install dependencies, build (warnings as
# errors) and run every test with ctest. Real-data tests read ../shared/data (or
# STRATA_DATA_DIR); under CI they fail, never skip, when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$(nproc)"
ctest --preset ci -j "$(nproc)"
