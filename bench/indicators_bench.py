#!/usr/bin/python3
"""Benchmarks ISO 37120 21.1's heavy part, green area per district (`strata indicators`, issue 4),
against PostGIS and GeoPandas on the same data in the same run.

Data (see ../shared/domain/indicator-method.md):
  * districts: taipei_districts_villages/taipei_town.geojson (12 real districts, CRS84);
  * green, size "real": taipei_green_permeable/urban_green_land.geojson (505 real polygons, CRS84,
    7 invalid);
  * green, size N (e.g. 100000): GENERATED, N scaled copies of the real green polygons with random
    offsets inside the districts' bounding box (bench/make_scaled_green.py: EPSG:3826, repaired,
    GeoPackage layer `green`, green_scaled_<N>_GENERATED.gpkg). Made once in --work and reused.

Each size is computed three ways; per-district green areas must agree within 0.1 %:
  * PostGIS 3.3 (throwaway cluster, scripts/postgis_local.py): districts and green loaded once
    with ogr2ogr (-t_srs EPSG:3826), invalid green polygons repaired at load with
    ST_MakeValid (polygonal parts), GiST indexes, VACUUM ANALYZE: all untimed. Timed: only the
    query an analyst writes,
        SELECT d.cptid, ST_Area(ST_Union(ST_Intersection(g.geom, d.geom)))
        FROM districts d LEFT JOIN green g ON ST_Intersects(g.geom, d.geom) GROUP BY d.cptid
    with max_parallel_workers_per_gather = 2 (recorded, with the plan). Its plan is serial:
    12 districts on one heap page give the planner nothing to split (with parallel costs set to
    0 it plans 1 worker, and one process still gets every district); PostGIS's parallel
    ST_Union combine step is never reached. That is what the analyst's SQL gets;
  * GeoPandas (one process, timed end to end, peak RSS): read both files, to_crs(3826),
    make_valid the invalid polygons (polygonal parts), overlay(green, districts,
    how="intersection"), dissolve by district, area. Single-threaded (GeoPandas/shapely 1.8);
  * strata: a project file (districts + census population + green + [indicators]) written into
    --work; `strata import P.toml` and then `strata indicators P.toml --threads T` are timed
    separately as whole processes (wall clock, peak RSS). Binary: --strata, else $STRATA_BIN,
    else build/release/apps/strata/strata. If it is missing, or has no `indicators` subcommand
    yet, the strata part is skipped with a message and the peers still run.

Ratios printed: PostGIS query / strata indicators, GeoPandas end to end / strata end to end
(import + indicators). Everything (figures, areas, settings, machine) goes to --out as JSON.

Usage:
    /usr/bin/python3 bench/indicators_bench.py --sizes real,100000 --out /tmp/indicators_bench.json
    /usr/bin/python3 bench/indicators_bench.py --sizes real,100000,1000000 --out ... (about 1 h)
    options: --work DIR (default /tmp/strata-indicators-bench), --repeat R (PostGIS query,
    GeoPandas, strata indicators: best of R; strata import runs once; default 1),
    --threads T (strata; default nproc),
    --skip postgis,geopandas,strata, --seed S (scaled sets, default 4), --keep-db
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("STRATA_DATA_DIR", ROOT.parent / "shared" / "data"))
DISTRICTS = DATA / "taipei_districts_villages" / "taipei_town.geojson"
GREEN_REAL = DATA / "taipei_green_permeable" / "urban_green_land.geojson"
CENSUS = DATA / "taiwan_village_population_2013" / "census2013-03.csv"
VILLAGE_CODES = DATA / "taiwan_village_population_2013" / "districts.csv"
NAME_VARIANTS = ROOT / "samples" / "taipei" / "name_variants.csv"
TOLERANCE = 1e-3        # relative, per district
ABS_TOLERANCE_M2 = 1.0  # for districts with (almost) no green

sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

PG_SETTINGS = {
    "max_parallel_workers_per_gather": 2,
    "max_worker_processes": 8,
    "max_parallel_workers": 8,
    "shared_buffers": "'2GB'",
    "work_mem": "'256MB'",
    "maintenance_work_mem": "'1GB'",
    "effective_cache_size": "'12GB'",
    "jit": "off",
}

QUERY = """
SELECT d.cptid, d.tname, COALESCE(ST_Area(ST_Union({piece})), 0) AS green_m2
FROM districts d LEFT JOIN {green} g ON ST_Intersects(g.geom, d.geom)
GROUP BY d.cptid, d.tname ORDER BY d.cptid
"""
PIECE = "ST_Intersection(g.geom, d.geom)"
PIECE_VALID = "ST_MakeValid(ST_Intersection(g.geom, d.geom))"  # only if the plain one throws


# ------------------------------------------------------------------------------------ helpers
def log(*a):
    print(*a, file=sys.stderr, flush=True)


def run_measured(cmd, stdout_path=None, env=None, cwd=None):
    """Runs a child; returns (wall seconds, peak RSS in MiB, returncode, stdout text, stderr text).
    The peak RSS is the child's own (os.wait4), not that of earlier children."""
    import tempfile
    out = open(stdout_path, "w+") if stdout_path else tempfile.TemporaryFile("w+")
    with out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen([str(c) for c in cmd], stdout=out, stderr=err, env=env, cwd=cwd, text=True)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, ru.ru_maxrss / 1024.0, p.returncode, out.read(), err.read()


def machine_info():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    os_name = platform.platform()
    try:
        os_name = dict(line.rstrip().split("=", 1) for line in open("/etc/os-release") if "=" in line)\
            .get("PRETTY_NAME", "").strip('"') + f" ({platform.release()})"
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu_model": cpu, "ram_gib": mem_gib, "os": os_name,
            "machine": platform.machine(), "python": platform.python_version()}


# ------------------------------------------------------------------------------------ data
def green_set(size, work: Path, seed):
    """(path, layer or None, polygons, generated?) for size 'real' or a count."""
    if size == "real":
        return GREEN_REAL, None, 505, False
    n = int(size)
    path = work / f"green_scaled_{n}_GENERATED.gpkg"
    side = Path(str(path) + ".json")
    if path.exists() and side.exists():
        meta = json.loads(side.read_text())
        if meta.get("copies") == n and meta.get("seed") == seed:
            log(f"[data] reusing {path}")
            return path, "green", n, True
    import make_scaled_green
    log(f"[data] generating {n:,} scaled copies (seed {seed}) -> {path}")
    make_scaled_green.make(n, path, seed=seed, log=lambda *a: log("[data]", *a))
    return path, "green", n, True


# ------------------------------------------------------------------------------------ PostGIS
class PostgisPeer:
    def __init__(self, keep=False):
        from postgis_local import LocalPostgis
        self.pg = LocalPostgis(dbname="indicators", settings=PG_SETTINGS, keep=keep)

    def __enter__(self):
        self.pg.__enter__()
        self.conn = self.pg.connect()
        t = self.load(DISTRICTS, None, "districts")
        log(f"[postgis] districts loaded ({t['load_seconds']:.1f} s): {self.pg.dsn}")
        return self

    def __exit__(self, *exc):
        try:
            self.conn.close()
        finally:
            self.pg.__exit__(*exc)

    def sql(self, q, params=None):
        with self.conn.cursor() as cur:
            cur.execute(q, params)
            return cur.fetchall() if cur.description else []

    def versions(self):
        return {"postgresql": self.sql("SHOW server_version")[0][0],
                "postgis": self.sql("SELECT postgis_full_version()")[0][0]}

    def settings(self):
        keys = ["max_parallel_workers_per_gather", "max_parallel_workers", "max_worker_processes",
                "shared_buffers", "work_mem", "maintenance_work_mem", "effective_cache_size", "jit"]
        return {k: self.sql(f"SHOW {k}")[0][0] for k in keys}

    def load(self, path, layer, table):
        """ogr2ogr into `table` (EPSG:3826, MultiPolygon, GiST), repair invalid rows, ANALYZE. Untimed."""
        t0 = time.perf_counter()
        self.sql(f"DROP TABLE IF EXISTS {table}")
        cmd = ["ogr2ogr", "-f", "PostgreSQL", self.pg.ogr_dsn, str(path)] + ([layer] if layer else []) + [
            "-nln", table, "-t_srs", "EPSG:3826", "-nlt", "MULTIPOLYGON", "-lco", "GEOMETRY_NAME=geom",
            "-lco", "FID=fid", "-lco", "SPATIAL_INDEX=GIST", "-lco", "LAUNDER=YES", "-gt", "100000",
            "--config", "PG_USE_COPY", "YES"]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"ogr2ogr failed: {' '.join(cmd)}\n{p.stderr}")
        t_ogr = time.perf_counter() - t0
        invalid = self.sql(f"SELECT count(*) FROM {table} WHERE NOT ST_IsValid(geom)")[0][0]
        if invalid:
            self.sql(f"UPDATE {table} SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3)) "
                     f"WHERE NOT ST_IsValid(geom)")
        self.sql(f"VACUUM ANALYZE {table}")
        rows = self.sql(f"SELECT count(*) FROM {table}")[0][0]
        return {"rows": rows, "invalid_repaired_at_load": invalid, "ogr2ogr_seconds": t_ogr,
                "load_seconds": time.perf_counter() - t0}

    def run(self, path, layer, repeat):
        table = "green"
        load = self.load(path, layer, table)
        log(f"[postgis] green loaded: {load['rows']:,} rows, {load['invalid_repaired_at_load']} repaired "
            f"with ST_MakeValid, {load['load_seconds']:.1f} s (untimed)")
        variant, q = "plain", QUERY.format(piece=PIECE, green=table)
        plan = "\n".join(r[0] for r in self.sql("EXPLAIN " + q))
        times, rows, errors = [], None, []
        for _ in range(repeat):
            t0 = time.perf_counter()
            try:
                rows = self.sql(q)
            except Exception as e:  # noqa: BLE001  (psycopg2 errors: TopologyException etc.)
                errors.append(f"{variant}: {str(e).strip()}")
                log(f"[postgis] query failed ({str(e).strip()[:200]}); retrying with ST_MakeValid on each piece")
                if variant == "make_valid":
                    raise
                variant, q = "make_valid", QUERY.format(piece=PIECE_VALID, green=table)
                t0 = time.perf_counter()
                rows = self.sql(q)
            times.append(time.perf_counter() - t0)
        log(f"[postgis] query: {min(times):.2f} s")
        self.sql(f"DROP TABLE {table}")
        planned = [int(x) for x in re.findall(r"Workers Planned: (\d+)", plan)]
        return {"query_seconds": min(times), "query_seconds_all": times, "query_variant": variant,
                "parallel_workers_planned": max(planned) if planned else 0,
                "query": " ".join(q.split()), "errors": errors, "plan": plan, "load": load,
                "areas_m2": {r[0]: float(r[2]) for r in rows}, "names": {r[0]: r[1] for r in rows}}


# ------------------------------------------------------------------------------------ GeoPandas
def geopandas_child(green, layer, districts, out):
    """Runs in its own process (peak RSS is measured by the parent)."""
    t = {}
    t0 = time.perf_counter()
    import geopandas as gpd
    from shapely.geometry import MultiPolygon, Polygon
    from shapely.validation import make_valid
    t["import"] = time.perf_counter() - t0

    def polygonal(g):
        if isinstance(g, (Polygon, MultiPolygon)):
            return g
        parts = []
        for p in getattr(g, "geoms", []):
            p = polygonal(p)
            if isinstance(p, Polygon):
                parts.append(p)
            elif isinstance(p, MultiPolygon):
                parts.extend(p.geoms)
        return MultiPolygon(parts) if parts else None

    s = time.perf_counter()
    d = gpd.read_file(districts)[["CPTID", "TNAME", "geometry"]].to_crs(3826)
    g = gpd.read_file(green, layer=layer) if layer else gpd.read_file(green)
    g = g[["geometry"]].to_crs(3826)
    t["read"] = time.perf_counter() - s
    s = time.perf_counter()
    bad = ~g.is_valid
    g.loc[bad, "geometry"] = g.loc[bad, "geometry"].apply(lambda x: polygonal(make_valid(x)))
    g = g[g.geometry.notna()]
    t["make_valid"] = time.perf_counter() - s
    s = time.perf_counter()
    o = gpd.overlay(g, d, how="intersection", keep_geom_type=True)
    t["overlay"] = time.perf_counter() - s
    s = time.perf_counter()
    r = o.dissolve(by="CPTID")
    t["dissolve"] = time.perf_counter() - s
    s = time.perf_counter()
    areas = {k: 0.0 for k in d["CPTID"]}
    areas.update({k: float(v) for k, v in r.area.items()})
    t["area"] = time.perf_counter() - s
    t["total_in_process"] = time.perf_counter() - t0
    Path(out).write_text(json.dumps({"phases_seconds": t, "invalid_repaired": int(bad.sum()),
                                     "overlay_pieces": len(o), "areas_m2": areas,
                                     "names": dict(zip(d["CPTID"], d["TNAME"]))}, ensure_ascii=False))


def run_geopandas(green, layer, work, repeat):
    out = work / "geopandas_result.json"
    best, walls = None, []
    for _ in range(repeat):
        out.unlink(missing_ok=True)
        cmd = [sys.executable, __file__, "--geopandas-child", str(green), layer or "", str(DISTRICTS), str(out)]
        wall, rss, rc, _, err = run_measured(cmd)
        if rc != 0:
            raise RuntimeError(f"GeoPandas child failed ({rc}):\n{err[-3000:]}")
        walls.append(wall)
        if best is None or wall <= min(walls):
            best = json.loads(out.read_text())
            best.update(end_to_end_seconds=wall, peak_rss_mib=rss)
    res = best
    res["end_to_end_seconds_all"] = walls
    log(f"[geopandas] end to end {wall:.2f} s, peak RSS {rss:,.0f} MiB, phases "
        + ", ".join(f"{k} {v:.2f}" for k, v in res["phases_seconds"].items()))
    return res


# ------------------------------------------------------------------------------------ strata
def strata_bin(arg):
    return Path(arg or os.environ.get("STRATA_BIN") or ROOT / "build" / "release" / "apps" / "strata" / "strata")


def strata_support(binary: Path):
    """None if `strata indicators` is usable, else why not."""
    if not binary.exists():
        return f"{binary} not found (build it, or set STRATA_BIN / --strata)"
    p = subprocess.run([str(binary), "indicators", "--help"], capture_output=True, text=True)
    if p.returncode != 0:
        return f"{binary} has no `indicators` subcommand yet (`strata indicators --help` exit {p.returncode}: " \
               f"{(p.stderr or p.stdout).strip()[:200]})"
    return None


def toml_str(s):
    return json.dumps(str(s), ensure_ascii=False)


def write_project(dirp: Path, label, green, layer, polygons, generated):
    what = f"GENERATED: {polygons:,} scaled copies of real data" if generated else "real data"
    layer_line = f"layer = {toml_str(layer)}\n" if layer else ""
    text = f"""# Written by bench/indicators_bench.py: green area per district on green set '{label}' ({what}).
[project]
name = {toml_str(f"indicators bench, green {label} ({what})")}
crs = "EPSG:3826"
store = {toml_str(dirp / "strata.gpkg")}
output = {toml_str(dirp / "output")}

[[tables]]
name = "village_codes"
path = {toml_str(VILLAGE_CODES)}

[[tables]]
name = "census"
path = {toml_str(CENSUS)}
vintage = "2013-03"
lookup = {{ table = "village_codes", on = "ivid" }}
filter = {{ county = "臺北市" }}

[[layers]]
name = "districts"
kind = "district"
path = {toml_str(DISTRICTS)}
fields = {{ id = "CPTID", name = "TNAME", code = "CPTID" }}
[layers.join]
table = "census"
feature_keys = ["TNAME"]
table_keys = ["town"]
multiple = "sum"
normalise = {toml_str(NAME_VARIANTS)}
fields = {{ population = ["male", "female"] }}

[[layers]]
name = "green"
kind = "green"
path = {toml_str(green)}
{layer_line}fields = {{ name = "name", category = "type" }}
source = {toml_str(what + " (Taipei planning green zones, urban_green_land.geojson)")}

[indicators]
districts = "districts"
population = "districts"
green = ["green"]
outputs = ["json"]
"""
    p = dirp / "project.toml"
    p.write_text(text)
    return p


def run_strata(binary, label, green, layer, polygons, generated, work, threads, repeat):
    d = work / f"strata_{label}"
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    project = write_project(d, label, green, layer, polygons, generated)
    wall_i, rss_i, rc, out, err = run_measured([binary, "--json", "-q", "import", project], d / "import.json")
    if rc != 0:
        raise RuntimeError(f"strata import failed ({rc}): {err[-2000:]}\n{out[-2000:]}")
    log(f"[strata] import {wall_i:.2f} s, peak RSS {rss_i:,.0f} MiB")
    times, rsss, result = [], [], None
    for _ in range(repeat):
        wall, rss, rc, out, err = run_measured(
            [binary, "--json", "-q", "indicators", project, "--threads", str(threads), "--out", d / "output"],
            d / "indicators.json")
        if rc != 0:
            raise RuntimeError(f"strata indicators failed ({rc}): {err[-2000:]}\n{out[-2000:]}")
        times.append(wall)
        rsss.append(rss)
        result = json.loads(out)["result"]
    log(f"[strata] indicators {min(times):.2f} s (threads {threads}), peak RSS {max(rsss):,.0f} MiB")
    rows = result["districts"]
    return {"import_seconds": wall_i, "import_peak_rss_mib": rss_i, "indicators_seconds": min(times),
            "indicators_seconds_all": times, "indicators_peak_rss_mib": max(rsss), "threads": threads,
            "end_to_end_seconds": wall_i + min(times), "project": str(project),
            "datasets": result.get("provenance", {}).get("datasets"),
            "warnings": result.get("warnings"),
            "areas_m2": {r["district_id"]: float(r["green_area_m2"] or 0.0) for r in rows},
            "names": {r["district_id"]: r["district_name"] for r in rows},
            "city_iso37120_21_1": result.get("city", {}).get("iso37120_21_1")}


# ------------------------------------------------------------------------------------ comparison
def compare(results):
    """Per-district agreement of every engine with the first one present (PostGIS first)."""
    engines = [e for e in ("postgis", "geopandas", "strata") if isinstance(results.get(e), dict)
               and "areas_m2" in results[e]]
    if not engines:
        return {"engines": [], "ok": None}
    ref = engines[0]
    keys = sorted(results[ref]["areas_m2"])
    worst, ok = {}, True
    for e in engines[1:]:
        a, b = results[ref]["areas_m2"], results[e]["areas_m2"]
        if set(a) != set(b):
            ok = False
            worst[e] = {"missing_districts": sorted(set(a) ^ set(b))}
            continue
        w, wabs = 0.0, 0.0
        for k in keys:
            diff = abs(a[k] - b[k])
            rel = diff / abs(a[k]) if a[k] else (0.0 if diff == 0 else float("inf"))
            if diff > ABS_TOLERANCE_M2 and rel > TOLERANCE:
                ok = False
            wabs = max(wabs, diff)
            if a[k]:
                w = max(w, rel)
        worst[e] = {"max_relative_difference": w, "max_absolute_difference_m2": wabs}
    return {"reference": ref, "engines": engines, "tolerance": TOLERANCE, "ok": ok, "vs_reference": worst}


def fmt(v, unit=" s", digits=2):
    return "-" if v is None else f"{v:,.{digits}f}{unit}"


def report(doc):
    m = doc["machine"]
    print(f"\nMachine: {m['cpu_model']}, {m['nproc']} cores, {m['ram_gib']} GiB RAM, {m['os']}")
    v = doc["versions"]
    print("Versions: " + "; ".join(f"{k} {v[k]}" for k in v if k != "postgis_full"))
    if doc.get("postgis_settings"):
        print("PostGIS settings: " + ", ".join(f"{k}={v}" for k, v in doc["postgis_settings"].items()))
        planned = {s["label"]: s["postgis"].get("parallel_workers_planned") for s in doc["sizes"]
                   if isinstance(s.get("postgis"), dict) and "error" not in s["postgis"]}
        print("PostGIS parallel workers planned for the query: "
              + ", ".join(f"{k}: {v}" for k, v in planned.items()))
    print()
    print("| green set | polygons | PostGIS query | GeoPandas end to end (peak RSS) | strata import | "
          "strata indicators | strata peak RSS | PostGIS / strata indicators | GeoPandas / strata end to end | "
          "agree ≤ 0.1 % |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in doc["sizes"]:
        pg, gp, st = (s.get(k) if isinstance(s.get(k), dict) and "error" not in s.get(k) else None
                      for k in ("postgis", "geopandas", "strata"))
        st = st if st and "skipped" not in st else None
        r = s.get("ratios", {})
        label = f"{s['label']} ({'GENERATED copies' if s['generated'] else 'real'})"
        gp_text = f"{fmt(gp['end_to_end_seconds'])} ({gp['peak_rss_mib'] / 1024:.1f} GiB)" if gp else "-"
        rss = max(st["import_peak_rss_mib"], st["indicators_peak_rss_mib"]) / 1024 if st else None
        agree = s["agreement"]
        agree_text = "-" if agree.get("ok") is None else ("yes" if agree["ok"] else "**NO**") + \
            f" ({', '.join(agree['engines'])})"
        print(f"| {label} | {s['polygons']:,} | {fmt(pg and pg['query_seconds'])} | {gp_text} | "
              f"{fmt(st and st['import_seconds'])} | {fmt(st and st['indicators_seconds'])} | "
              f"{fmt(rss, ' GiB', 1)} | {fmt(r.get('postgis_query_over_strata_indicators'), '×', 1)} | "
              f"{fmt(r.get('geopandas_over_strata_end_to_end'), '×', 1)} | {agree_text} |")
    for s in doc["sizes"]:
        engines = s["agreement"].get("engines", [])
        if not engines:
            continue
        names = next(s[e]["names"] for e in engines)
        print(f"\nGreen area per district, {s['label']} (ha):\n")
        print("| district | " + " | ".join(engines) + " |")
        print("|---|" + "---|" * len(engines))
        for k in sorted(names):
            print(f"| {names[k]} ({k}) | " + " | ".join(f"{s[e]['areas_m2'].get(k, float('nan')) / 1e4:,.3f}"
                                                       for e in engines) + " |")
        print("| city | " + " | ".join(f"{sum(s[e]['areas_m2'].values()) / 1e4:,.3f}" for e in engines) + " |")
    for s in doc["sizes"]:
        for e in ("postgis", "geopandas", "strata"):
            x = s.get(e)
            if isinstance(x, dict) and ("error" in x or "skipped" in x):
                print(f"\n{s['label']} {e}: {x.get('error') or x.get('skipped')}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="real,100000", help="comma list of 'real' and polygon counts")
    ap.add_argument("--out", type=Path, help="JSON file for all figures")
    ap.add_argument("--work", type=Path, default=Path("/tmp/strata-indicators-bench"))
    ap.add_argument("--strata", help="strata binary (default $STRATA_BIN, else build/release/apps/strata/strata)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--skip", default="", help="comma list of postgis, geopandas, strata")
    ap.add_argument("--keep-db", action="store_true", help="keep the PostgreSQL directory after the run")
    ap.add_argument("--geopandas-child", nargs=4, metavar=("GREEN", "LAYER", "DISTRICTS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.geopandas_child:
        green, layer, districts, out = args.geopandas_child
        return geopandas_child(green, layer or None, districts, out)

    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for s in sizes:
        if s != "real" and not s.isdigit():
            ap.error(f"--sizes: '{s}' is neither 'real' nor a polygon count")
    args.work.mkdir(parents=True, exist_ok=True)
    binary = strata_bin(args.strata)
    why_not = "skipped (--skip)" if "strata" in skip else strata_support(binary)
    if why_not:
        log(f"[strata] SKIPPED: {why_not}; the peers still run")

    import geopandas
    import shapely
    from osgeo import gdal
    versions = {"geopandas": geopandas.__version__, "shapely": shapely.__version__,
                "geos (shapely)": ".".join(map(str, shapely.geos.geos_version)), "gdal": gdal.__version__}
    if not why_not:
        p = subprocess.run([str(binary), "--version"], capture_output=True, text=True)
        versions["strata"] = (p.stdout or p.stderr).strip()
    doc = {"benchmark": "green area per district (ISO 37120 21.1 numerator), bench/indicators_bench.py",
           "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "command": " ".join([sys.executable] + sys.argv), "machine": machine_info(), "versions": versions,
           "strata_binary": str(binary), "strata_skipped": why_not, "threads": args.threads, "seed": args.seed,
           "data": {"districts": str(DISTRICTS), "green_real": str(GREEN_REAL)}, "sizes": []}

    def save():
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")

    pg = None
    try:
        if "postgis" not in skip:
            pg = PostgisPeer(keep=args.keep_db).__enter__()
            doc["postgis_settings"] = pg.settings()
            vers = pg.versions()
            versions["postgresql"] = vers["postgresql"]
            versions["postgis"] = vers["postgis"].split('"')[1] if '"' in vers["postgis"] else vers["postgis"]
            versions["postgis_full"] = vers["postgis"]
        for size in sizes:
            green, layer, n, generated = green_set(size, args.work, args.seed)
            log(f"=== green set {size}: {n:,} polygons ({'GENERATED' if generated else 'real'}) {green}")
            s = {"label": size, "polygons": n, "generated": generated, "green_path": str(green)}
            doc["sizes"].append(s)
            if pg:
                try:
                    s["postgis"] = pg.run(green, layer, args.repeat)
                except Exception as e:  # noqa: BLE001  report and go on with the other engines
                    s["postgis"] = {"error": str(e)}
                    log(f"[postgis] ERROR: {e}")
                save()
            if "geopandas" not in skip:
                try:
                    s["geopandas"] = run_geopandas(green, layer, args.work, args.repeat)
                except Exception as e:  # noqa: BLE001
                    s["geopandas"] = {"error": str(e)}
                    log(f"[geopandas] ERROR: {e}")
                save()
            if why_not:
                s["strata"] = {"skipped": why_not}
            else:
                try:
                    s["strata"] = run_strata(binary, size, green, layer, n, generated, args.work,
                                             args.threads, args.repeat)
                except Exception as e:  # noqa: BLE001
                    s["strata"] = {"error": str(e)}
                    log(f"[strata] ERROR: {e}")
            s["agreement"] = compare(s)
            ok = lambda k: isinstance(s.get(k), dict) and "areas_m2" in s[k]  # noqa: E731
            ratios = {}
            if ok("strata") and ok("postgis"):
                ratios["postgis_query_over_strata_indicators"] = \
                    s["postgis"]["query_seconds"] / s["strata"]["indicators_seconds"]
            if ok("strata") and ok("geopandas"):
                ratios["geopandas_over_strata_end_to_end"] = \
                    s["geopandas"]["end_to_end_seconds"] / s["strata"]["end_to_end_seconds"]
            s["ratios"] = ratios
            if s["agreement"].get("ok") is False:
                log(f"[compare] DISAGREEMENT beyond {TOLERANCE:.1%}: {s['agreement']}")
            save()
    finally:
        if pg:
            pg.__exit__(None, None, None)
    save()
    report(doc)
    if args.out:
        log(f"\nfigures: {args.out}")
    bad = [s["label"] for s in doc["sizes"] if s["agreement"].get("ok") is False]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
