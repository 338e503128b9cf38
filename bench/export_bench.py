#!/usr/bin/python3
"""Benchmark: the export plugins (issue 6) on a scaled ownership model, against GDAL's ogr2ogr
on the same store in the same run.

Data: the 160 real Delft BGT footprints (../shared/data/delft_ahn3_pointcloud_bgt), copied
--copies times side by side on a grid 400 m apart (GENERATED copies with offsets, written to
--work with GENERATED in their names), plus the real BGT plant cover. `strata units generate`
derives 3 storeys of 3 m and one unit per storey (GENERATED units, not registered) and saves them
into the store: buildings_3d, building_storeys, legal_spaces (MultiPolygon Z solids).

Timed, whole processes, best of --repeat:
  * strata export --to writers.gpkg / dxf / kml: against ogr2ogr converting the same store's
    layers to the same format (GDAL reads the store's 3D faces as they are; strata also gathers
    the model through its store interface, applies the privacy profile and, for the GeoPackage,
    writes the QGIS styles). The ratio is ogr2ogr time / strata time (>1: strata faster).
  * writers.cityjson, cityjsonseq, citygml, 3dtiles: no peer reads a strata store and writes
    these, so the figures are strata's own (objects per second and output size).

Usage:
    STRATA_BIN=build/release/apps/strata/strata /usr/bin/python3 bench/export_bench.py \\
        --copies 1,20 --out /tmp/export_bench.json
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.affinity import translate

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("STRATA_DATA_DIR", REPO.parent / "shared" / "data"))
BGT = DATA / "delft_ahn3_pointcloud_bgt" / "bgt"
STRATA = os.environ.get("STRATA_BIN", str(REPO / "build" / "release" / "apps" / "strata" / "strata"))
VOLUME_LAYERS = ["buildings_3d", "building_storeys", "legal_spaces"]


def run(cmd, **kw):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return p


def timed(cmd, repeat, before=None):
    best = None
    for _ in range(repeat):
        if before:
            before()
        t = time.perf_counter()
        run(cmd)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best


def size_of(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size if path.exists() else 0


def build_store(work: Path, copies: int) -> Path:
    d = work / f"GENERATED_delft_x{copies}"
    if (d / "store.gpkg").exists():
        return d
    d.mkdir(parents=True, exist_ok=True)
    base = gpd.read_file(BGT / "bgt_pand.sqlite", layer="buildingpart")[["gml_id", "geometry"]]
    side = max(1, int(copies ** 0.5 + 0.999))
    parts = []
    for k in range(copies):
        dx, dy = (k % side) * 400.0, (k // side) * 400.0
        part = base.copy()
        part["geometry"] = part.geometry.apply(lambda g: translate(g, dx, dy))
        part["bid"] = [f"c{k}_{i}" for i in range(len(part))]
        parts.append(part)
    footprints = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=base.crs)
    footprints[["bid", "geometry"]].to_file(d / "GENERATED_footprints.gpkg", driver="GPKG")
    (d / "project.toml").write_text(f"""[project]
name = "GENERATED Delft x{copies}"
crs = "EPSG:28992"
store = "store.gpkg"
output = "out"

[[layers]]
name = "green"
kind = "green"
path = "{BGT / 'bgt_begroeidterreindeel.sqlite'}"
fields = {{ id = "gml_id", category = "class" }}
""", encoding="utf-8")
    run([STRATA, "--quiet", "run", d / "project.toml"])
    run([STRATA, "--quiet", "units", "generate", d / "GENERATED_footprints.gpkg", "--id-field", "bid",
         "--height", "9", "--store", d / "project.toml", "--save", "--out", d / "GENERATED_model.city.json"])
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", default="1,20")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", default="/tmp/strata_export_bench")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    work = Path(args.work)
    results = []
    for copies in [int(c) for c in args.copies.split(",")]:
        d = build_store(work, copies)
        store = d / "store.gpkg"
        counts = {}
        for layer in VOLUME_LAYERS + ["green"]:
            counts[layer] = len(gpd.read_file(store, layer=layer, ignore_geometry=True))
        out = d / "exports"
        entry = {"copies": copies, "features": counts, "store_bytes": store.stat().st_size, "writers": {}}
        for writer, ext, driver in [("writers.gpkg", ".gpkg", "GPKG"), ("writers.dxf", ".dxf", "DXF"),
                                    ("writers.kml", ".kml", "KML"), ("writers.cityjson", ".city.json", None),
                                    ("writers.cityjsonseq", ".city.jsonl", None), ("writers.citygml", ".gml", None),
                                    ("writers.3dtiles", "", None)]:
            target = out / f"strata_{writer.split('.')[1]}{ext}"

            def clean(p=target):
                if p.is_dir():
                    shutil.rmtree(p)
                elif p.exists():
                    p.unlink()
            out.mkdir(exist_ok=True)
            t = timed([STRATA, "--quiet", "export", store, "--to", writer, "--out", target], args.repeat, clean)
            row = {"seconds": round(t, 3), "bytes": size_of(target)}
            if driver:
                peer = out / f"ogr2ogr{ext}"

                def clean_peer(p=peer):
                    if p.exists():
                        p.unlink()
                cmd = ["ogr2ogr", "-f", driver, peer, store, *VOLUME_LAYERS, "green"]
                if driver == "DXF":
                    # DXF has one entities layer: the layers go in as its "Layer" field, as strata does.
                    union = " UNION ALL ".join(f"SELECT geom, '{l}' AS Layer FROM {l}" for l in VOLUME_LAYERS + ["green"])
                    cmd = ["ogr2ogr", "-f", driver, peer, store, "-dialect", "SQLite", "-sql", union]
                if driver == "KML":
                    cmd[4:4] = ["-t_srs", "EPSG:4326"]
                tp = timed(cmd, args.repeat, clean_peer)
                row.update({"ogr2ogr_seconds": round(tp, 3), "ratio_ogr2ogr_over_strata": round(tp / t, 2),
                            "ogr2ogr_bytes": size_of(peer)})
            objects = sum(counts[l] for l in VOLUME_LAYERS)
            row["volumes_per_second"] = round(objects / t)
            entry["writers"][writer] = row
            print(json.dumps({"copies": copies, writer: row}), flush=True)
        results.append(entry)
    doc = {"machine": os.uname().nodename, "cpus": os.cpu_count(), "results": results}
    if args.out:
        Path(args.out).write_text(json.dumps(doc, indent=2))
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
