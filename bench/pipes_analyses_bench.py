#!/usr/bin/python3
"""Benchmark: the pipe analyses after clearance (issue 5): excavation against PostGIS, the
detection overlay on a million picks, the isolation trace against networkx.

Data: Kaohsiung's real gas (609) and petroleum (59) lines; scaled sets are GENERATED copies of
the whole area laid side by side as tiles, 1 km apart (as in pipes_clearance_bench.py), written
to --work with GENERATED in their names. Depths and diameters come from the rules (assumed).

  * excavation: a 4 m square dig at the middle of every petroleum line and of every tenth gas
    line (GENERATED from the real lines), 0 to 2 m deep, margin 0.3 m. PostGIS (a throwaway
    local server, GiST indexes, untimed load): the (dig, pipe) pairs with
    ST_DWithin(pipe, dig, margin + radius) and the length of ST_Intersection(pipe,
    ST_Buffer(dig, margin + radius, 16)). strata: `strata pipes excavation` as a whole process
    and its check time. The pairs must be the same.
  * detection: picks every 0.5 m along every gas line of one set (--detection-copies; GENERATED,
    seeded noise sigma 0.05 m, a PLY file), overlaid on the gas records; no peer does this, so the figure is
    strata's throughput.
  * isolation: ky4 (real) with the valves of tests/cli/test_pipes_isolation.py (GENERATED), 100
    breaks (every 11th pipe), strata per trace (whole process) against networkx's connected
    component of the bipartite pipe-node graph per break (the test's reference), in Python.

Usage:
    STRATA_BIN=build/release/apps/strata/strata /usr/bin/python3 bench/pipes_analyses_bench.py \\
        --copies 1,3,100 --out /tmp/pipes_analyses_bench.json
"""
import argparse
import io
import json
import math
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
from shapely.affinity import translate
from shapely.geometry import box

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from postgis_local import LocalPostgis  # noqa: E402

DATA = Path(os.environ.get("STRATA_DATA_DIR", ROOT.parent / "shared" / "data"))
GAS = DATA / "kaohsiung_pipelines" / "kh_ng_pipelines_twd97.geojson"
PETROLEUM = DATA / "kaohsiung_pipelines" / "kh_petroleum_pipelines_twd97.geojson"
KY4 = DATA / "water_sewer_networks_epanet_swmm"
RULES = "[utilities.gas]\ndepth_m = 1.0\ndiameter_m = 0.2\n[utilities.petroleum]\ndepth_m = 1.5\ndiameter_m = 0.3\n"
RADIUS = {"gas": 0.1, "petroleum": 0.15}
MARGIN = 0.3
US_FT = 1200 / 3937


def tiles(lines, copies, bounds):
    x0, y0, x1, y1 = bounds
    per_row = math.ceil(math.sqrt(copies))
    out = []
    for c in range(copies):
        dx, dy = (c % per_row) * (x1 - x0 + 1000.0), (c // per_row) * (y1 - y0 + 1000.0)
        out += [translate(g, dx, dy) for g in lines]
    return out


def timed(cmd):
    t = time.monotonic()
    res = subprocess.run([str(c) for c in cmd], check=True, capture_output=True, text=True)
    return time.monotonic() - t, json.loads(res.stdout)["result"]


def bench_excavation(binary, cur, work, gas, pet, label):
    digs = [box(m.x - 2, m.y - 2, m.x + 2, m.y + 2) for m in
            [l.interpolate(0.5, normalized=True) for l in pet] +
            [l.interpolate(0.5, normalized=True) for i, l in enumerate(gas) if i % 10 == 0]]
    dig_path = work / "digs_GENERATED.gpkg"
    gpd.GeoDataFrame({"did": [f"d{i}" for i in range(len(digs))]}, geometry=digs, crs=3826).to_file(dig_path)
    gas_path, pet_path = work / "gas_GENERATED.gpkg", work / "petroleum_GENERATED.gpkg"
    for path, lines, prefix in ((gas_path, gas, "g"), (pet_path, pet, "p")):
        gpd.GeoDataFrame({"pid": [f"{prefix}{i}" for i in range(len(lines))]}, geometry=lines,
                         crs=3826).to_file(path)
    rules = work / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    cur.execute("DROP TABLE IF EXISTS pipes; DROP TABLE IF EXISTS digs")
    cur.execute("CREATE TABLE pipes (pid text, r float8, geom geometry(LineString, 3826))")
    cur.execute("CREATE TABLE digs (did text, geom geometry(Polygon, 3826))")
    rows = "\n".join(f"{p}{i}\t{r}\tSRID=3826;{l.wkt}" for lines, p, r in
                     ((gas, "g", RADIUS["gas"]), (pet, "p", RADIUS["petroleum"])) for i, l in enumerate(lines))
    cur.copy_expert("COPY pipes (pid, r, geom) FROM STDIN", io.StringIO(rows + "\n"))
    rows = "\n".join(f"d{i}\tSRID=3826;{d.wkt}" for i, d in enumerate(digs))
    cur.copy_expert("COPY digs (did, geom) FROM STDIN", io.StringIO(rows + "\n"))
    cur.execute("CREATE INDEX ON pipes USING GIST (geom); CREATE INDEX ON digs USING GIST (geom)")
    cur.execute("ANALYZE pipes; ANALYZE digs")
    t = time.monotonic()
    cur.execute(f"""SELECT d.did, p.pid, ST_Length(ST_Intersection(p.geom, ST_Buffer(d.geom, {MARGIN} + p.r, 16)))
                    FROM digs d JOIN pipes p ON ST_DWithin(p.geom, d.geom, {MARGIN} + p.r)""")
    pg = {(r[0], r[1]): r[2] for r in cur.fetchall() if r[2] > 0}
    pg_seconds = time.monotonic() - t
    best, doc = None, None
    for _ in range(2):
        elapsed, result = timed([binary, "--json", "-q", "pipes", "excavation", gas_path, pet_path,
                                 "--utility", "gas", "--utility", "petroleum", "--id-field", "pid",
                                 "--dig", dig_path, "--dig-id-field", "did", "--depth", "2",
                                 "--buffer", str(MARGIN), "--rules", rules])
        if best is None or elapsed < best:
            best, doc = elapsed, result
    st = {(f["dig"], f["pipe"]): f["length_in_zone_m"] for f in doc["findings"] if f["length_in_zone_m"] > 0}
    same = set(st) == set(pg) and all(abs(st[k] - pg[k]) < 1e-6 for k in st)
    return {"analysis": "excavation", "set": label, "pipes": len(gas) + len(pet), "digs": len(digs),
            "pairs": len(pg), "pairs_equal": same, "postgis_query_seconds": pg_seconds,
            "strata_process_seconds": best, "strata_read_seconds": doc["timings"]["read_seconds"],
            "strata_check_seconds": doc["timings"]["check_seconds"],
            "ratio_postgis_over_strata_check": pg_seconds / doc["timings"]["check_seconds"],
            "ratio_postgis_over_strata_process": pg_seconds / best}


def bench_detection(binary, work, gas, label):
    rng = np.random.default_rng(20261202)
    pts = []
    for line in gas:
        n = int(line.length / 0.5)
        for k in range(n + 1):
            p = line.interpolate(min(k * 0.5, line.length))
            e = rng.normal(0.0, 0.05, 3)
            pts.append((p.x + e[0], p.y + e[1], -1.1 + e[2]))
    ply = work / "picks_GENERATED.ply"
    with open(ply, "wb") as f:
        f.write(f"ply\nformat binary_little_endian 1.0\nelement vertex {len(pts)}\nproperty double x\n"
                "property double y\nproperty double z\nend_header\n".encode())
        f.write(np.asarray(pts, dtype="<f8").tobytes())
    elapsed, doc = timed([binary, "--json", "-q", "pipes", "detection", work / "gas_GENERATED.gpkg",
                          "--utility", "gas", "--id-field", "pid", "--rules", work / "rules.toml",
                          "--survey", ply])
    return {"analysis": "detection", "set": label, "records": len(gas), "picks": len(pts),
            "strata_process_seconds": elapsed, "strata_overlay_seconds": doc["timings"]["overlay_seconds"],
            "picks_per_second_overlay": len(pts) / doc["timings"]["overlay_seconds"],
            "records_detected": doc["records_detected"], "undocumented": doc["undocumented_count"]}


def bench_isolation(binary, work):
    pipes = gpd.read_file(KY4 / "ky4_gis" / "ky4_pipes.geojson").set_index("name")
    pumps = gpd.read_file(KY4 / "ky4_gis" / "ky4_pumps.geojson").set_index("name")
    junctions = set(gpd.read_file(KY4 / "ky4_gis" / "ky4_junctions.geojson")["name"])
    incident = {}
    for pid, row in pipes.iterrows():
        for end in (row.start_node_name, row.end_node_name):
            incident.setdefault(end, []).append(pid)
    valves = {}
    for node, pids in incident.items():
        if node in junctions and len(pids) >= 3:
            for pid in sorted(pids)[1:]:
                line = pipes.geometry[pid]
                if line.length * US_FT > 6:
                    s = 2 / US_FT if pipes.start_node_name[pid] == node else line.length - 2 / US_FT
                    valves[(pid, node)] = (f"V-{node}-{pid}", line.interpolate(s))
    vpath = work / "ky4_valves_GENERATED.geojson"
    gpd.GeoDataFrame({"vid": [v[0] for v in valves.values()]}, geometry=[v[1] for v in valves.values()],
                     crs=pipes.crs).to_file(vpath, driver="GeoJSON")
    breaks = sorted(pipes.index)[::11][:100]
    t = time.monotonic()
    trace = read = 0.0
    for pid in breaks:
        _, doc = timed([binary, "--json", "-q", "pipes", "isolate", KY4 / "ky4.inp", "--crs", "EPSG:3547",
                        "--break", pid, "--valves", vpath, "--valve-id-field", "vid"])
        trace += doc["timings"]["trace_seconds"]
        read += doc["timings"]["read_seconds"]
    strata_seconds = (time.monotonic() - t) / len(breaks)
    # Every pipe at once, on one graph (--break-all), against networkx for every pipe.
    t = time.monotonic()
    _, doc = timed([binary, "--json", "-q", "pipes", "isolate", KY4 / "ky4.inp", "--crs", "EPSG:3547",
                    "--break-all", "--valves", vpath, "--valve-id-field", "vid"])
    all_process = time.monotonic() - t
    all_trace = doc["timings"]["trace_seconds"]
    n_all = len(doc["traces"])
    t = time.monotonic()
    g = nx.Graph()
    links = {p: (r.start_node_name, r.end_node_name) for p, r in pipes.iterrows()}
    links.update({p: (r.start_node_name, r.end_node_name) for p, r in pumps.iterrows()})
    for pid, ends in links.items():
        g.add_node(("P", pid))
        for node in ends:
            if (pid, node) not in valves:
                g.add_edge(("P", pid), ("N", node))
    for pid in breaks:
        nx.node_connected_component(g, ("P", pid))
    nx_seconds = (time.monotonic() - t) / len(breaks)
    t = time.monotonic()
    for pid in links:
        nx.node_connected_component(g, ("P", pid))
    nx_all = time.monotonic() - t
    return {"analysis": "isolation", "set": "real ky4 + GENERATED valves", "pipes": len(pipes),
            "valves": len(valves), "breaks": len(breaks), "strata_process_seconds_per_trace": strata_seconds,
            "strata_trace_seconds_per_trace": trace / len(breaks),
            "strata_network_read_seconds_per_trace": read / len(breaks),
            "networkx_seconds_per_trace_incl_graph_build": nx_seconds,
            "break_all": {"breaks": n_all, "strata_process_seconds": all_process,
                          "strata_trace_seconds": all_trace,
                          "networkx_components_seconds_excl_graph_build": nx_all}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", default="1,30")
    ap.add_argument("--work", default="/tmp/strata-pipes-analyses-bench")
    ap.add_argument("--detection-copies", type=int, default=3,
                    help="the set (one of --copies) the detection runs on: 3 copies = ~0.94M picks")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    binary = Path(os.environ.get("STRATA_BIN", ROOT / "build" / "release" / "apps" / "strata" / "strata"))
    gas_lines = list(gpd.read_file(GAS).geometry)
    pet_lines = list(gpd.read_file(PETROLEUM).geometry)
    bounds = tuple(gpd.GeoSeries(gas_lines + pet_lines, crs=3826).total_bounds)
    results = []
    with LocalPostgis(dbname="pipes") as pg:
        conn = pg.connect()
        conn.autocommit = True
        cur = conn.cursor()
        for copies in [int(c) for c in args.copies.split(",")]:
            work = Path(args.work) / f"x{copies}"
            work.mkdir(parents=True, exist_ok=True)
            label = "real" if copies == 1 else f"GENERATED x{copies}"
            gas, pet = tiles(gas_lines, copies, bounds), tiles(pet_lines, copies, bounds)
            row = bench_excavation(binary, cur, work, gas, pet, label)
            print(json.dumps(row), flush=True)
            results.append(row)
            if copies == args.detection_copies:
                row = bench_detection(binary, work, gas, label)
                print(json.dumps(row), flush=True)
                results.append(row)
    row = bench_isolation(binary, Path(args.work))
    print(json.dumps(row), flush=True)
    results.append(row)
    Path(args.out).write_text(json.dumps({"command": " ".join(sys.argv), "results": results}, indent=1),
                              encoding="utf-8")


if __name__ == "__main__":
    main()
