#!/usr/bin/python3
"""`strata run` in one process (issue 20): the samples run end to end, whole process, and the
start-up of a command that draws no 3D view, against `ogrinfo --version` in the same run.

    STRATA_BIN=build/release/apps/strata/strata /usr/bin/python3 bench/engine_run_bench.py \
        [--before OLD_STRATA_BINARY] [--repeat 5] [--scale 20]

For each binary (the current one, and --before when given, e.g. a build of the commit before
the engine): median wall seconds and peak RSS of `strata run` on samples/taipei and
samples/delft (copied to a temporary folder, store and outputs inside it, a fresh store every
time), the shared libraries the binary loads (`ldd`), and the median start-up of
`strata --version` over 20 runs with its ratio to `ogrinfo --version` (the peer: GDAL's own
command line, which loads GDAL alone). With --scale N, also the Delft project scaled up N times
(GENERATED from the real sample: its footprints, vegetation and pipes copied on a grid of
tiles, the fictitious registry once per tile with its building numbers made unique). Prints a
Markdown table for docs/benchmarks.md, with the machine's load average."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd, cwd=None):
    """Wall seconds and peak RSS (MiB) of one run of `cmd`."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def sample_copy(name: str, where: Path) -> Path:
    dest = where / name
    shutil.copytree(ROOT / "samples" / name, dest)
    if name == "delft":  # it points at ../kaohsiung/rules.toml
        shutil.copytree(ROOT / "samples" / "kaohsiung", where / "kaohsiung", dirs_exist_ok=True)
    project = dest / "project.toml"
    text = project.read_text(encoding="utf-8")
    text = text.replace(f'"../../out/{name}/strata.gpkg"', '"out/strata.gpkg"')
    text = text.replace(f'"../../out/{name}"', '"out"')
    project.write_text(text, encoding="utf-8")
    return project


def scale_up(project: Path, copies: int) -> None:
    """Rewrites the Delft sample beside `project` as `copies` tiles of itself (GENERATED)."""
    import csv
    import geopandas as gpd
    import pandas as pd
    from shapely.affinity import translate

    folder = project.parent
    cols = 5
    layers = {"bgt_pand.gpkg": "gml_id", "plantcover.gpkg": "gml_id",
              "GENERATED_gas_pipes.geojson": None}
    frames = {f: gpd.read_file(folder / f) for f in layers}
    # Tiles as far apart as the widest layer (the pipes reach 1.2 km north-south).
    x0, y0, x1, y1 = pd.concat([g.geometry for g in frames.values()]).total_bounds
    dx, dy = (x1 - x0) + 50, (y1 - y0) + 50
    for name, id_field in layers.items():
        g = frames[name]
        parts = []
        for k in range(copies):
            c = g.copy()
            c["geometry"] = c.geometry.apply(lambda geom: translate(geom, (k % cols) * dx, (k // cols) * dy))
            if id_field:
                c[id_field] = c[id_field].astype(str) + ("" if k == 0 else f"_t{k}")
            parts.append(c)
        out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=g.crs)
        target = folder / name
        target.unlink()
        out.to_file(target, driver="GPKG" if name.endswith(".gpkg") else "GeoJSON")
    registry = folder / "registry_FICTITIOUS.csv"
    with registry.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    out_rows = [header]
    for k in range(copies):
        for r in body:
            r = list(r)
            if k:
                r[0] = r[0][:-3] + f"{k:03d}"     # 建號 01001-000 -> 01001-007
                r[1] = r[1] + f"_t{k}"            # the footprint it stands on
            out_rows.append(r)
    with registry.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(out_rows)


def run_sample(binary: str, name: str, repeat: int, scale: int = 1):
    times, rss = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="strata-engine-bench-") as tmp:
            project = sample_copy(name, Path(tmp))
            if scale > 1:
                scale_up(project, scale)
            s, m = timed([binary, "-q", "run", project], cwd=project.parent)
            times.append(s)
            rss.append(m)
    return statistics.median(times), max(rss)


def startup(cmd, n=20):
    return statistics.median(timed(cmd)[0] for _ in range(n))


def libraries(binary: str) -> int:
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    return sum(1 for line in out.splitlines() if "=>" in line or line.strip().startswith("/"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", help="an older strata binary to compare with")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=int, default=0, help="also run Delft scaled up this many times")
    args = ap.parse_args()
    current = os.environ.get("STRATA_BIN", str(ROOT / "build/release/apps/strata/strata"))
    binaries = [("before", args.before)] if args.before else []
    binaries.append(("engine", current))
    ogrinfo = startup(["ogrinfo", "--version"])
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"ogrinfo --version {ogrinfo * 1000:.1f} ms")
    scaled = f" | Delft ×{args.scale} run s | Delft ×{args.scale} peak MiB" if args.scale > 1 else ""
    print("| binary | libraries | `--version` ms | ratio to ogrinfo | Taipei run s | Taipei peak MiB "
          "| Delft run s | Delft peak MiB" + scaled + " |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if scaled else ""))
    for label, binary in binaries:
        v = startup([binary, "--version"])
        taipei = run_sample(binary, "taipei", args.repeat)
        delft = run_sample(binary, "delft", args.repeat)
        row = (f"| {label} | {libraries(binary)} | {v * 1000:.1f} | {v / ogrinfo:.2f} | "
               f"{taipei[0]:.2f} | {taipei[1]:.0f} | {delft[0]:.2f} | {delft[1]:.0f} |")
        if args.scale > 1:
            big = run_sample(binary, "delft", max(1, args.repeat // 2), args.scale)
            row += f" {big[0]:.2f} | {big[1]:.0f} |"
        print(row)
        sys.stdout.flush()
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
