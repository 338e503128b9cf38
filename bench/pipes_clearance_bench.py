#!/usr/bin/python3
"""Benchmark: pipe clearance (issue 5), strata against PostGIS ST_3DDWithin on the same segments
in the same run.

Data: Kaohsiung's real natural-gas (609 lines) and petroleum (59 lines) pipelines, cut into
their straight segments, each segment one pipe, at the depths and diameters of the rules below
(assumed: the data has none). Scaled sets are GENERATED from them: copies of the whole area laid
side by side as tiles (offsets, 1 km apart), so that density and the pairs per copy stay those
of the real networks; written to --work as GeoPackages whose names say GENERATED.

  * PostGIS (scripts/postgis_local.py, a throwaway local server): segments loaded as LINESTRING Z
    (untimed) with an n-D GiST index (gist_geometry_ops_nd) and ANALYZE; timed: the pairs with
    ST_3DDWithin(gas, petroleum, r_gas + r_petroleum + min clearance);
  * strata: `strata pipes clearance gas.gpkg petroleum.gpkg --rules R` as a whole process, and
    its own timings (read, check).

The pairs must be identical. Goals of the issue: clearance check < 1 s per 100,000 segments and
>= 10x faster than PostGIS.

Usage:
    STRATA_BIN=build/release/apps/strata/strata /usr/bin/python3 bench/pipes_clearance_bench.py \\
        --copies 1,51,510 --out /tmp/pipes_bench.json
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
from shapely.geometry import LineString

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from postgis_local import LocalPostgis  # noqa: E402

DATA = Path(os.environ.get("STRATA_DATA_DIR", ROOT.parent / "shared" / "data"))
GAS = DATA / "kaohsiung_pipelines" / "kh_ng_pipelines_twd97.geojson"
PETROLEUM = DATA / "kaohsiung_pipelines" / "kh_petroleum_pipelines_twd97.geojson"
RULES = {"gas": (1.0, 0.2), "petroleum": (1.5, 0.3)}  # depth (cover), diameter
MIN_CLEARANCE = 0.5


def segments(lines, copies: int, box):
    """Every straight segment of every line, in `copies` copies of the whole area laid side by
    side (a grid of tiles with a 1 km gap): the density of real networks, not a pile of copies
    in one place, so the number of pairs grows with the copies (136 per copy here)."""
    x0, y0, x1, y1 = box
    per_row = math.ceil(math.sqrt(copies))
    out = []
    for c in range(copies):
        dx, dy = (c % per_row) * (x1 - x0 + 1000.0), (c // per_row) * (y1 - y0 + 1000.0)
        for line in lines:
            coords = [(x + dx, y + dy) for x, y in line.coords]
            out += [LineString([coords[i], coords[i + 1]]) for i in range(len(coords) - 1)
                    if coords[i] != coords[i + 1]]
    return out


def write(path: Path, segs) -> None:
    gpd.GeoDataFrame({"sid": [f"s{i}" for i in range(len(segs))]}, geometry=segs, crs=3826).to_file(path, driver="GPKG")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", default="1,30")
    ap.add_argument("--work", default="/tmp/strata-pipes-bench")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    binary = Path(os.environ.get("STRATA_BIN", ROOT / "build" / "release" / "apps" / "strata" / "strata"))
    gas_lines = [g for g in gpd.read_file(GAS).geometry]
    pet_lines = [g for g in gpd.read_file(PETROLEUM).geometry]
    box = tuple(gpd.GeoSeries(gas_lines + pet_lines, crs=3826).total_bounds)
    (gas_depth, gas_d), (pet_depth, pet_d) = RULES["gas"], RULES["petroleum"]
    z_gas, z_pet = -(gas_depth + gas_d / 2), -(pet_depth + pet_d / 2)
    reach = gas_d / 2 + pet_d / 2 + MIN_CLEARANCE
    results = []
    with LocalPostgis(dbname="pipes") as pg:
        conn = pg.connect()
        conn.autocommit = True
        cur = conn.cursor()
        for copies in [int(c) for c in args.copies.split(",")]:
            work = Path(args.work) / f"x{copies}"
            work.mkdir(parents=True, exist_ok=True)
            label = "real" if copies == 1 else f"GENERATED x{copies}"
            gas = segments(gas_lines, copies, box)
            pet = segments(pet_lines, copies, box)
            suffix = "" if copies == 1 else f"_{copies}_GENERATED"
            gas_path, pet_path = work / f"gas{suffix}.gpkg", work / f"petroleum{suffix}.gpkg"
            write(gas_path, gas)
            write(pet_path, pet)
            rules = work / "rules.toml"
            rules.write_text(
                f"[utilities.gas]\ndepth_m = {gas_depth}\ndiameter_m = {gas_d}\n"
                f"[utilities.petroleum]\ndepth_m = {pet_depth}\ndiameter_m = {pet_d}\n"
                f"[[clearance]]\nbetween = [\"gas\", \"petroleum\"]\nmin_m = {MIN_CLEARANCE}\n", encoding="utf-8")
            # PostGIS: 3D segments at the axis heights, n-D index; load untimed.
            for table, segs, z in (("gas", gas, z_gas), ("pet", pet, z_pet)):
                cur.execute(f"DROP TABLE IF EXISTS {table}")
                cur.execute(f"CREATE TABLE {table} (sid text, geom geometry(LineStringZ, 3826))")
                rows = "\n".join(f"s{i}\tSRID=3826;LINESTRING Z ({s.coords[0][0]!r} {s.coords[0][1]!r} {z!r}, "
                                 f"{s.coords[1][0]!r} {s.coords[1][1]!r} {z!r})" for i, s in enumerate(segs))
                import io
                cur.copy_expert(f"COPY {table} (sid, geom) FROM STDIN", io.StringIO(rows + "\n"))
                cur.execute(f"CREATE INDEX ON {table} USING GIST (geom gist_geometry_ops_nd)")
                cur.execute(f"ANALYZE {table}")
            t = time.monotonic()
            cur.execute(f"SELECT a.sid, b.sid FROM gas a JOIN pet b ON ST_3DDWithin(a.geom, b.geom, {reach!r})")
            pg_pairs = {(r[0], r[1]) for r in cur.fetchall()}
            pg_seconds = time.monotonic() - t
            # strata: the whole process, best of 2.
            best, doc = None, None
            for _ in range(2):
                t = time.monotonic()
                res = subprocess.run([binary, "--json", "-q", "pipes", "clearance", gas_path, pet_path,
                                      "--a-utility", "gas", "--b-utility", "petroleum", "--a-id-field", "sid",
                                      "--b-id-field", "sid", "--rules", rules, "--threads", str(args.threads)],
                                     check=True, capture_output=True, text=True)
                elapsed = time.monotonic() - t
                if best is None or elapsed < best:
                    best, doc = elapsed, json.loads(res.stdout)["result"]
            st_pairs = {(f["a"], f["b"]) for f in doc["findings"]}
            timings = doc.get("timings", {})
            n = len(gas) + len(pet)
            row = {"set": label, "gas_segments": len(gas), "petroleum_segments": len(pet), "segments": n,
                   "postgis_query_seconds": pg_seconds, "strata_process_seconds": best,
                   "strata_read_seconds": timings.get("read_seconds"),
                   "strata_check_seconds": timings.get("check_seconds"),
                   "check_seconds_per_100k_segments": (timings.get("check_seconds") or best) / n * 1e5,
                   "ratio_postgis_over_strata_check": pg_seconds / (timings.get("check_seconds") or best),
                   "ratio_postgis_over_strata_process": pg_seconds / best,
                   "pairs": len(pg_pairs), "pairs_equal": pg_pairs == st_pairs}
            print(json.dumps(row), flush=True)
            results.append(row)
    Path(args.out).write_text(json.dumps({"command": " ".join(sys.argv), "threads": args.threads,
                                          "results": results}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
