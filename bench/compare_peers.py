#!/usr/bin/python3
"""Benchmarks strata's import and point queries against peers on the same data, same run.

Peers: ogr2ogr (GDAL, reprojection into a GeoPackage, no validation), GeoPandas (read, to_crs,
make_valid, to_file; sjoin for point queries). Data: real polygons from ../shared/data, plus a
GENERATED scale-up (copies of the real Tainan statistical areas shifted by 30 km steps) for size.

Usage: /usr/bin/python3 bench/compare_peers.py [--strata build/release/apps/strata/strata] [--repeat 3]
Prints a Markdown table for docs/benchmarks.md.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("STRATA_DATA_DIR", ROOT.parent / "shared" / "data"))


def best_of(repeat, fn):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def run(cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def scaled_tainan(out_dir: Path, copies: int) -> Path:
    """GENERATED: the six real Tainan statistical-area files, copied `copies` times with offsets."""
    parts = [gpd.read_file(p) for p in sorted((DATA / "tainan_statistical_areas").glob("670003*.geojson"))]
    base = pd.concat(parts, ignore_index=True).to_crs(3826)
    tiles = []
    for i in range(copies):
        t = base.copy()
        t["geometry"] = t.translate(xoff=30000.0 * i, yoff=0.0)
        t["CODEBASE"] = t["CODEBASE"] + f"-copy{i}"
        tiles.append(t)
    out = gpd.GeoDataFrame(pd.concat(tiles, ignore_index=True), crs=3826)
    path = out_dir / f"tainan_stat_x{copies}_GENERATED.geojson"
    out.to_file(path, driver="GeoJSON")
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", default=str(ROOT / "build/release/apps/strata/strata"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--points", type=int, default=20000)
    args = ap.parse_args()
    strata = args.strata
    tmp = Path(tempfile.mkdtemp(prefix="strata_bench_"))
    datasets = {
        "taipei villages (real, 456)": DATA / "taipei_districts_villages/taipei_village.geojson",
        "tainan stat. areas x4 (generated from real, 20 584)": scaled_tainan(tmp, 4),
    }
    rows = []
    for label, path in datasets.items():
        n = len(gpd.read_file(path))
        store = tmp / "s.gpkg"

        def strata_import():
            store.unlink(missing_ok=True)
            run([strata, "-q", "import", str(path), "--kind", "village", "--name", "areas", "--store", str(store),
                 "--field", "name=" + ("VNAME" if "village" in str(path) else "CODEBASE")])

        def ogr_import():
            out = tmp / "ogr.gpkg"
            out.unlink(missing_ok=True)
            run(["ogr2ogr", "-f", "GPKG", str(out), str(path), "-t_srs", "EPSG:3826", "-nln", "areas"])

        def gpd_import():
            out = tmp / "gpd.gpkg"
            out.unlink(missing_ok=True)
            g = gpd.read_file(path).to_crs(3826)
            g["geometry"] = g.make_valid()
            g.to_file(out, layer="areas", driver="GPKG")

        t_s, t_o, t_g = (best_of(args.repeat, f) for f in (strata_import, ogr_import, gpd_import))
        rows.append((f"import {label}", n, t_s, [("ogr2ogr", t_o), ("GeoPandas", t_g)]))

        # Point queries: random points over the layer's extent, answered from the store.
        strata_import()
        g = gpd.read_file(store, layer="areas")
        minx, miny, maxx, maxy = g.total_bounds
        rng = np.random.default_rng(7)
        pts = pd.DataFrame({"id": np.arange(args.points), "x": rng.uniform(minx, maxx, args.points),
                            "y": rng.uniform(miny, maxy, args.points)})
        pts_csv = tmp / "pts.csv"
        pts.to_csv(pts_csv, index=False)
        strata_hits = {}

        def strata_query():
            out = subprocess.run([strata, "--json", "query", "district-at", "--points", str(pts_csv), "--store", str(store)],
                                 check=True, capture_output=True, text=True).stdout
            strata_hits["n"] = json.loads(out)["result"]["points_with_hits"]

        gpd_hits = {}

        def gpd_query():
            polys = gpd.read_file(store, layer="areas")
            p = gpd.GeoDataFrame(pts, geometry=gpd.points_from_xy(pts.x, pts.y), crs=3826)
            j = gpd.sjoin(p, polys[["geometry"]], predicate="intersects", how="inner")
            gpd_hits["n"] = j["id"].nunique()

        q_s, q_g = best_of(args.repeat, strata_query), best_of(args.repeat, gpd_query)
        if strata_hits["n"] != gpd_hits["n"]:
            print(f"WARNING: {label}: strata found {strata_hits['n']} points with hits, GeoPandas {gpd_hits['n']}", file=sys.stderr)
        rows.append((f"{args.points} point queries, {label}", n, q_s, [("GeoPandas sjoin", q_g)]))

    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print("| task | features | strata (s) | peer (s) | peer / strata |")
    print("|---|---|---|---|---|")
    for task, n, ts, peers in rows:
        for name, tp in peers:
            print(f"| {task} | {n} | {ts:.3f} | {name} {tp:.3f} | {tp / ts:.2f} |")


if __name__ == "__main__":
    main()
