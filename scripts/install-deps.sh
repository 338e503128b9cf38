#!/usr/bin/env bash
# Installs every Debian 12 package strata needs to build, test and benchmark.
# Idempotent: packages already present are skipped; apt-get update runs only when
# something is missing. Run as root (or with sudo available).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates clang-format
  clang-tidy  # scripts/clang-tidy.sh (.clang-tidy)
  # required geo libraries
  libgdal-dev libgeos-dev gdal-bin libproj-dev proj-bin proj-data libcgal-dev libboost-dev libeigen3-dev libopen3d-dev
  # well-kept helper libraries (JSON, TOML, CLI parsing, SHA-256)
  nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libssl-dev
  libtbb-dev  # oneTBB: the one thread pool (core/parallel.h)
  pybind11-dev python3-dev  # the strata Python module (docs/python.md)
  libxml2-dev libfmt-dev  # libxml2: CityGML reader; fmt: Open3D's CMake config looks for fmt
  libtinygltf-dev  # glTF/glb writing (3D Tiles export)
  libcairo2-dev libpango1.0-dev fonts-noto-cjk  # maps (PNG/SVG) with Traditional Chinese labels
  xvfb xauth  # Open3D's legacy visualizer renders the 3D snapshots in a virtual X display
  libxml2-utils python3-jsonschema  # xmllint (CityGML XSD check) and JSON Schema checks of the exports
  qgis  # qgis_process: the export tests open the GeoPackages with QGIS
  libsqlite3-dev  # the store's bulk geometry read goes to SQLite directly
  libgoogle-perftools-dev  # tcmalloc_minimal: the area indicators allocate millions of GEOS coordinate arrays
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev sqlite3 python3 python3-geopandas python3-rtree python3-gdal python3-lxml
  python3-qgis qgis-providers  # the store must open in QGIS: tests open it with PyQGIS
  python3-networkx  # independent graph computations in the pipe isolation test
  strace  # the engine test traces a run: one process, each input read once
  chromium  # the HTML report test opens the report in headless Chromium
  nodejs  # with npm (below): the Khronos glTF validator checks the 3D Tiles export
  # benchmarks and tests that need a real server: a throwaway PostgreSQL 15 + PostGIS 3 cluster
  # (scripts/postgis_local.py; initdb/pg_ctl from /usr/lib/postgresql/15/bin), loaded with
  # ogr2ogr (gdal-bin, above) and queried with psycopg2 (bench/indicators_bench.py)
  postgresql postgresql-15 postgresql-15-postgis-3 python3-psycopg2
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
else
  echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm comes with Node.js from nodesource; Debian's nodejs needs its own npm package.
if ! command -v npm >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq --no-install-recommends npm
fi
# The npm tools of the tests (scripts/npm/package.json, versions pinned by package-lock.json).
npm_dir="$(cd "$(dirname "$0")" && pwd)/npm"
if [ ! -d "$npm_dir/node_modules/gltf-validator" ]; then
  echo "install-deps: installing the npm test tools (gltf-validator)"
  npm ci --prefix "$npm_dir" --no-audit --no-fund --loglevel=error
fi
