#!/usr/bin/python3
"""Make the samples/delft project's data from the shared real-data folder.

Usage (from the repository root):
    /usr/bin/python3 samples/cut_delft.py [DATA_DIR]
DATA_DIR defaults to ../shared/data.

- bgt_pand.gpkg, plantcover.gpkg: the whole BGT layers of the 3dfier Delft test area
  (buildingpart: 160 footprints; plantcover: 126 vegetated areas), converted from SpatiaLite
  to GeoPackage with ogr2ogr, features and attributes unchanged (EPSG:28992).
- registry_FICTITIOUS.csv: a copy of tests/fixtures/registry/valid_registry.csv. Its buildings
  are three real footprints; every party, identity number, address and land section is made up.
- GENERATED_gas_pipes.geojson: GENERATED, not real Delft pipes (none are public). Kaohsiung's
  real gas lines (samples/kaohsiung/gas.geojson), the busiest 250 m of them moved by a fixed
  offset onto the Delft buildings and relabelled EPSG:28992, kept where they pass within 30 m
  of a footprint. Shapes are real; the place is not.
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.affinity import translate
from shapely.geometry import box

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
BGT = DATA / "delft_ahn3_pointcloud_bgt" / "bgt"
OUT = ROOT / "samples" / "delft"


def busiest_window(lines, size=250.0):
    pts = np.array([(p.x, p.y) for line in lines for p in
                    (line.interpolate(s) for s in np.arange(0.0, line.length, 2.0))])
    x0, y0 = pts.min(axis=0)
    cells = np.floor((pts - (x0, y0)) / size).astype(int)
    keys, counts = np.unique(cells, axis=0, return_counts=True)
    i, j = keys[np.argmax(counts)]
    return box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for src, dst in (("bgt_pand.sqlite", "bgt_pand.gpkg"),
                     ("bgt_begroeidterreindeel.sqlite", "plantcover.gpkg")):
        target = OUT / dst
        target.unlink(missing_ok=True)
        subprocess.run(["ogr2ogr", "-f", "GPKG", "-nlt", "PROMOTE_TO_MULTI", str(target), str(BGT / src)],
                       check=True)
    shutil.copyfile(ROOT / "tests" / "fixtures" / "registry" / "valid_registry.csv",
                    OUT / "registry_FICTITIOUS.csv")

    gas = gpd.read_file(ROOT / "samples" / "kaohsiung" / "gas.geojson")
    window = busiest_window(gas.geometry)
    pand = gpd.read_file(OUT / "bgt_pand.gpkg")
    centre = pand.unary_union.centroid
    dx, dy = centre.x - window.centroid.x, centre.y - window.centroid.y
    moved = gas[gas.distance(window) < 300].copy()
    moved["geometry"] = moved.geometry.apply(lambda g: translate(g, dx, dy))
    moved = moved.set_crs(28992, allow_override=True)
    near = moved[moved.distance(pand.unary_union) < 30].copy()
    near["generated"] = "GENERATED: Kaohsiung gas line moved by (%.1f, %.1f) m; not a Delft pipe" % (dx, dy)
    target = OUT / "GENERATED_gas_pipes.geojson"
    target.unlink(missing_ok=True)
    near.to_file(target, driver="GeoJSON")
    print(f"{len(pand)} footprints, {len(near)} generated pipes (offset {dx:.1f}, {dy:.1f})")


if __name__ == "__main__":
    main()
