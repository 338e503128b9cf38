#!/usr/bin/python3
"""Benchmarks `strata validate` (val3dity codes) on real buildings and on a scaled set.

Data:
  * real LoD2: Rotterdam Delfshaven (853 buildings, CityJSON 2.0) and the Den Haag CityGML tile
    (844 buildings with 1,653 BuildingParts: the 601 overlap tests between parts);
  * real LoD1: the 160 Delft BGT building footprints extruded by `strata buildings extrude`
    (10 m blocks);
  * GENERATED for scale: those LoD1 blocks copied with 500 m offsets into a CityJSONSeq of
    >= 100,000 solids (one CityJSONFeature per line).
Peer: val3dity, when a `val3dity` binary is on PATH (it is not packaged for Debian 12); the
same files are then validated by it in the same run and the ratio is printed.

Usage: /usr/bin/python3 bench/validation_bench.py [--strata build/release/apps/strata/strata]
       [--solids 100000] [--repeat 3]
Prints a Markdown table for docs/benchmarks.md.
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("STRATA_DATA_DIR", ROOT.parent / "shared" / "data"))


def best_of(repeat, cmd):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        out = p
    return min(times), out


def scaled_sequence(lod1: Path, out: Path, solids: int) -> int:
    """GENERATED: the real LoD1 blocks copied with offsets until there are `solids` of them."""
    doc = json.loads(lod1.read_text())
    scale, translate = doc["transform"]["scale"], doc["transform"]["translate"]
    vertices = doc["vertices"]
    objects = list(doc["CityObjects"].items())
    count = 0
    with out.open("w") as f:
        header = {"type": "CityJSON", "version": "2.0", "transform": doc["transform"],
                  "metadata": doc.get("metadata", {}), "CityObjects": {}, "vertices": []}
        f.write(json.dumps(header) + "\n")
        copy = 0
        while count < solids:
            dx = int(round(500.0 * (copy % 50) / scale[0]))
            dy = int(round(500.0 * (copy // 50) / scale[1]))
            for oid, o in objects:
                if count >= solids:
                    break
                used, remap = [], {}

                def walk(b):
                    if isinstance(b, list):
                        return [walk(x) for x in b]
                    if b not in remap:
                        remap[b] = len(used)
                        used.append(b)
                    return remap[b]

                geometry = [dict(g, boundaries=walk(g["boundaries"])) for g in o["geometry"]]
                verts = [[vertices[i][0] + dx, vertices[i][1] + dy, vertices[i][2]] for i in used]
                fid = f"{oid}-copy{copy}"
                feature = {"type": "CityJSONFeature", "id": fid,
                           "CityObjects": {fid: {"type": o["type"], "geometry": geometry}},
                           "vertices": verts}
                f.write(json.dumps(feature) + "\n")
                count += 1
            copy += 1
    return count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", default=str(ROOT / "build" / "release" / "apps" / "strata" / "strata"))
    ap.add_argument("--solids", type=int, default=100000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    strata = args.strata
    val3dity = shutil.which("val3dity")
    tmp = Path(tempfile.mkdtemp(prefix="strata-validation-bench-"))
    lod1 = tmp / "delft_bgt_lod1.city.json"
    subprocess.run([strata, "-q", "buildings", "extrude", DATA / "delft_ahn3_pointcloud_bgt" / "bgt" / "bgt_pand.sqlite",
                    "--height", "10", "--id-field", "gml_id", "--out", lod1], check=True, stdout=subprocess.DEVNULL)
    scaled = tmp / "delft_bgt_lod1_scaled.city.jsonl"
    n_scaled = scaled_sequence(lod1, scaled, args.solids)
    cases = [
        ("Rotterdam LoD2 (real)", DATA / "cityjson_real_buildings" / "rotterdam_delfshaven_lod2_v2.0.city.json"),
        ("Den Haag CityGML tile, parts (real)", DATA / "citygml_denhaag_tile01_large" / "DenHaag_01.gml"),
        ("Delft BGT LoD1 blocks (real footprints)", lod1),
        (f"LoD1 x{n_scaled} (GENERATED copies)", scaled),
    ]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"strata: {strata}; val3dity: {val3dity or 'not installed (not packaged for Debian 12): no ratio'}\n")
    print("| data | objects | solids | 601 pair tests (pairs/s, 1 core) | strata 1 thread | solids/s | strata 2 threads | solids/s | val3dity | ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, path in cases:
        if not path.exists():
            print(f"| {name} | missing: {path} |")
            continue
        row = {}
        for threads in (1, 2):
            seconds, p = best_of(args.repeat, [strata, "--json", "-q", "validate", path, "--threads", str(threads)])
            result = json.loads(p.stdout)["result"]
            row[threads] = (seconds, result)
        res = row[1][1]
        solids = res["stats"]["solids"]
        v_text, ratio = "-", "-"
        if val3dity:
            seconds, _ = best_of(args.repeat, [val3dity, str(path)])
            v_text, ratio = f"{seconds:.2f} s", f"{seconds / row[1][0]:.1f}x"
        pairs, pair_s = res["stats"]["part_pair_tests"], res["stats"]["part_pair_seconds"]
        pair_text = f"{pairs} ({pairs / pair_s:,.0f}/s)" if pairs and pair_s > 0 else str(pairs)
        print(f"| {name} | {res['objects']} | {solids} | {pair_text} | "
              f"{row[1][0]:.2f} s | {solids / row[1][0]:,.0f} | {row[2][0]:.2f} s | {solids / row[2][0]:,.0f} | "
              f"{v_text} | {ratio} |")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
