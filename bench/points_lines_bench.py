#!/usr/bin/python3
"""Benchmark: trees planted (point counts) and bicycle paths (line lengths) per district,
strata against PostGIS on the same data in the same run.

Data: Taipei's districts and 2013 census, and the real point and line layers of ../shared/data
that stand in for trees and bicycle paths (tests/realdata/projects/taipei_points_lines.toml):
community gardens (758 points) and levees (35 lines). Scaled sets are GENERATED from them:
copies with random offsets (fixed seed) inside the districts' bounding box, written to
--work as GeoPackages whose names say GENERATED.

  * PostGIS (scripts/postgis_local.py, a throwaway local server): layers loaded with ogr2ogr
    (untimed), GiST indexes, then timed: points per district (ST_Covers, each point in the first
    district by id), and ST_Length(ST_Intersection(ST_Union(lines), district)) per district;
  * strata: `strata import P.toml` and `strata indicators P.toml --threads T`, whole processes.

Counts must agree exactly; lengths within 1e-6 (a stretch on a shared boundary would count in
both districts in PostGIS and once in strata; random offsets make that negligible, the
comparison reports it).

Usage:
    STRATA_BIN=build/release/apps/strata/strata /usr/bin/python3 bench/points_lines_bench.py \\
        --copies 1,100 --out /tmp/points_lines_bench.json
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.affinity import translate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from postgis_local import LocalPostgis  # noqa: E402

DATA = Path(os.environ.get("STRATA_DATA_DIR", ROOT.parent / "shared" / "data"))
DISTRICTS = DATA / "taipei_districts_villages" / "taipei_town.geojson"
POINTS = DATA / "taipei_green_permeable" / "work_garden_city.geojson"
LINES = DATA / "taipei_parcels_renewal_misc" / "waterworks_levee.geojson"


def scaled(src: gpd.GeoDataFrame, copies: int, box, seed: int) -> gpd.GeoDataFrame:
    """`copies` copies of every feature, each copy moved so that its bounding box stays in `box`."""
    if copies == 1:
        return src
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = box
    geoms = []
    for _ in range(copies):
        for g in src.geometry:
            gx0, gy0, gx1, gy1 = g.bounds
            dx = rng.uniform(x0 - gx0, max(x0 - gx0, x1 - gx1))
            dy = rng.uniform(y0 - gy0, max(y0 - gy0, y1 - gy1))
            geoms.append(translate(g, dx, dy))
    return gpd.GeoDataFrame({"n": np.arange(len(geoms))}, geometry=geoms, crs=src.crs)


def timed(cmd, env=None):
    t = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return time.monotonic() - t


def project_text(work: Path, points: Path, lines: Path) -> str:
    return f"""# Written by bench/points_lines_bench.py (GENERATED scaled copies of real data)
[project]
name = "points and lines bench"
crs = "EPSG:3826"
store = "{work / 'strata.gpkg'}"
output = "{work / 'output'}"
[[tables]]
name = "village_codes"
path = "{DATA / 'taiwan_village_population_2013' / 'districts.csv'}"
[[tables]]
name = "census"
path = "{DATA / 'taiwan_village_population_2013' / 'census2013-03.csv'}"
lookup = {{ table = "village_codes", on = "ivid" }}
filter = {{ county = "臺北市" }}
[[layers]]
name = "districts"
kind = "district"
path = "{DISTRICTS}"
fields = {{ id = "CPTID", name = "TNAME", code = "CPTID" }}
[layers.join]
table = "census"
feature_keys = ["TNAME"]
table_keys = ["town"]
multiple = "sum"
fields = {{ population = ["male", "female"] }}
[[layers]]
name = "pts"
kind = "point_feature"
path = "{points}"
[[layers]]
name = "lns"
kind = "line_feature"
path = "{lines}"
[indicators]
districts = "districts"
trees = ["pts"]
bicycle_paths = ["lns"]
outputs = ["json"]
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", default="1,100")
    ap.add_argument("--work", default="/tmp/strata-points-lines-bench")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    binary = Path(os.environ.get("STRATA_BIN", ROOT / "build" / "release" / "apps" / "strata" / "strata"))
    districts = gpd.read_file(DISTRICTS).to_crs(3826)
    box = tuple(districts.total_bounds)
    points = gpd.read_file(POINTS).to_crs(3826)
    lines = gpd.read_file(LINES).to_crs(3826)
    results = []
    with LocalPostgis(dbname="points_lines") as pg:
        conn = pg.connect()
        conn.autocommit = True
        cur = conn.cursor()
        for copies in [int(c) for c in args.copies.split(",")]:
            work = Path(args.work) / f"x{copies}"
            work.mkdir(parents=True, exist_ok=True)
            label = "real" if copies == 1 else f"GENERATED x{copies}"
            pts = scaled(points[["geometry"]], copies, box, args.seed)
            lns = scaled(lines[["geometry"]], copies, box, args.seed + 1)
            pts_path = work / (f"points_{copies}_GENERATED.gpkg" if copies > 1 else "points.gpkg")
            lns_path = work / (f"lines_{copies}_GENERATED.gpkg" if copies > 1 else "lines.gpkg")
            pts.to_file(pts_path, driver="GPKG")
            lns.to_file(lns_path, driver="GPKG")
            # PostGIS: load untimed, query timed.
            for path, table in [(DISTRICTS, "districts"), (pts_path, "pts"), (lns_path, "lns")]:
                subprocess.run(["ogr2ogr", "-f", "PostgreSQL", pg.ogr_dsn, str(path), "-nln", table,
                                "-t_srs", "EPSG:3826", "-overwrite", "-lco", "GEOMETRY_NAME=geom",
                                "-lco", "SPATIAL_INDEX=GIST", "-lco", "FID=gid"], check=True, capture_output=True)
                cur.execute(f"ANALYZE {table}")
            t = time.monotonic()
            cur.execute("""SELECT first, count(*) FROM (
                             SELECT p.gid, min(d.cptid) AS first FROM pts p
                             JOIN districts d ON ST_Covers(d.geom, p.geom) GROUP BY p.gid) s
                           GROUP BY first""")
            pg_counts = {r[0]: int(r[1]) for r in cur.fetchall()}
            cur.execute("""SELECT d.cptid, ST_Length(ST_Intersection(ST_Union(l.geom), d.geom))
                           FROM districts d JOIN lns l ON ST_Intersects(l.geom, d.geom) GROUP BY d.cptid, d.geom""")
            pg_lengths = {r[0]: float(r[1]) for r in cur.fetchall()}
            pg_seconds = time.monotonic() - t
            # strata
            project = work / "project.toml"
            project.write_text(project_text(work, pts_path, lns_path), encoding="utf-8")
            for stale in [work / "strata.gpkg"]:
                stale.unlink(missing_ok=True)
            t_import = timed([binary, "-q", "import", project])
            t_ind = min(timed([binary, "-q", "indicators", project, "--threads", str(args.threads)])
                        for _ in range(2))
            doc = json.loads((work / "output" / "indicators.json").read_text(encoding="utf-8"))
            st_counts = {r["district_id"]: r["trees_planted"] for r in doc["districts"] if r["trees_planted"]}
            st_lengths = {r["district_id"]: r["bicycle_path_km"] * 1e3 for r in doc["districts"]}
            worst = max(abs(st_lengths.get(k, 0.0) - v) / max(v, 1.0) for k, v in pg_lengths.items())
            row = {"set": label, "points": len(pts), "lines": len(lns), "postgis_query_seconds": pg_seconds,
                   "strata_import_seconds": t_import, "strata_indicators_seconds": t_ind,
                   "ratio_postgis_over_strata_indicators": pg_seconds / t_ind,
                   "counts_equal": st_counts == pg_counts, "largest_relative_length_difference": worst}
            print(json.dumps(row), flush=True)
            results.append(row)
    Path(args.out).write_text(json.dumps({"command": " ".join(sys.argv), "threads": args.threads,
                                          "results": results}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
