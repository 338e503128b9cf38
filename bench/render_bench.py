#!/usr/bin/python3
"""Benchmark: `strata render map` (choropleths drawn with Cairo/Pango) against GeoPandas +
matplotlib drawing the same choropleth from the same file in the same run.

Data: the 130 real Taipei villages of samples/taipei with their ISO 37120 21.1 value. The sample
is copied to --work with its store and output moved there and `breakdown = "villages"` in its
[indicators] section, and `strata run` writes <work>/out/indicators.gpkg, layer
indicators_village (fields iso37120_21_1, village_name). ×10 and ×100 are GENERATED: copies of
that layer side by side on a grid (20 km apart in x, 10 km in y), field values unchanged,
written with GeoPandas to <work>/GENERATED_taipei_villages_x<N>.gpkg (1,300 and 13,000
polygons).

Timed, whole processes (start-up included), median of --repeat after one untimed warm-up:
  * strata render map FILE --layer indicators_village --field iso37120_21_1
        --label-field village_name --classes quantile -k 5 --out X.png
  * the peer: /usr/bin/python3 running GeoPandas + matplotlib (Agg): read the same layer, the
    same quantile classes (numpy's linear quantiles, equal bounds kept once, as strata does),
    the same YlGn colours, polygons with a grey outline, a title, a legend with each class's
    bounds and count, the village names at 13 px with a white halo, skipping a label that
    would overlap one already drawn (strata's rule), figsize 14x10 at dpi 100 = 1400x1000 px,
    saved with savefig. The ratio is GeoPandas s / strata s (> 1: strata faster).
  * also, once per size, strata with --out X.svg, and on the largest size strata with
    --classes natural (Jenks, O(k d^2) on the d distinct values), median of --repeat.

Usage:
    STRATA_BIN=build/release/apps/strata/strata /usr/bin/python3 bench/render_bench.py \\
        --copies 1,10,100 --repeat 5 --out /tmp/render_bench.json
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "taipei"
STRATA = os.environ.get("STRATA_BIN", str(REPO / "build" / "release" / "apps" / "strata" / "strata"))
LAYER = "indicators_village"
FIELD = "iso37120_21_1"
LABEL = "village_name"

# The peer, run as its own process: argv = gpkg layer field label_field classes out.png
PEER = r'''
import sys
import numpy as np
import geopandas as gpd
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Patch
import matplotlib.patheffects as pe

path, layer, field, label_field, k, out = sys.argv[1:7]
k = int(k)
g = gpd.read_file(path, layer=layer)
v = g[field].to_numpy(dtype=float)
ok = ~np.isnan(v)
vals = np.sort(v[ok])
k = min(k, len(np.unique(vals)))
uppers = [float(np.quantile(vals, i / k)) for i in range(1, k)] + [float(vals[-1])]
uppers = list(dict.fromkeys(uppers))  # equal bounds once, as strata
lowers = [float(vals[0])] + uppers[:-1]
cls = np.full(len(v), -1)
for i in range(len(uppers) - 1, -1, -1):
    cls[ok & (v <= uppers[i])] = i
cls[ok & (v < vals[0])] = -1
ylgn = ["#ffffe5", "#f7fcb9", "#d9f0a3", "#addd8e", "#78c679", "#41ab5d", "#238443", "#006837", "#004529"]
n = len(uppers)  # strata's pick: evenly spaced from index 1..8 (5 for one class)
colours = [ylgn[5 if n == 1 else 1 + (i * 7) // (n - 1)] for i in range(n)]
fill = [colours[c] if c >= 0 else "#d9d9d9" for c in cls]

plt.rcParams["font.family"] = ["Noto Sans CJK JP", "DejaVu Sans"]
W, H, DPI = 1400, 1000, 100
legend_w = min(max(W * 0.26, 220.0), 380.0)
fx0, fy0, fx1, fy1 = 24, 92, W - legend_w - 24, H - 64  # strata's frame, pixels from the top
fig = plt.figure(figsize=(W / DPI, H / DPI), dpi=DPI)
ax = fig.add_axes([fx0 / W, 1 - fy1 / H, (fx1 - fx0) / W, (fy1 - fy0) / H])
ax.set_facecolor("#f7f9fc")
ax.set_xticks([])
ax.set_yticks([])
g.plot(ax=ax, color=fill, edgecolor="#4d4d4d", linewidth=0.5)
x0, y0, x1, y1 = g.total_bounds
mx, my = (x1 - x0) * 0.03, (y1 - y0) * 0.03
ax.set_xlim(x0 - mx, x1 + mx)
ax.set_ylim(y0 - my, y1 + my)
ax.set_aspect("equal", adjustable="datalim")
ax.apply_aspect()
fig.suptitle(field, x=24 / W, y=1 - 16 / H, ha="left", va="top", fontsize=26 * 72 / DPI, weight="bold")

# Labels: a point inside the largest part (its centroid when inside, else a point on the
# surface), 13 px with a halo; one that would overlap a drawn label is skipped.
renderer = fig.canvas.get_renderer()
size_pt = 13 * 72 / DPI
prop = matplotlib.font_manager.FontProperties(family=plt.rcParams["font.family"], size=size_pt)
halo = [pe.withStroke(linewidth=2.5, foreground="white")]
anchors = []
for geom in g.geometry:
    part = max(getattr(geom, "geoms", [geom]), key=lambda p: p.area)
    c = part.centroid
    anchors.append(c if part.contains(c) else part.representative_point())
xy = ax.transData.transform([(p.x, p.y) for p in anchors])
grid, cell, drawn, skipped = {}, 64.0, 0, 0
for (px, py), text in zip(xy, g[label_field].astype(str)):
    w, h, _ = renderer.get_text_width_height_descent(text, prop, ismath=False)
    h = max(h, 1.448 * 13)  # Pango's box is a full line of Noto Sans CJK (ascent + descent)
    box = (px - w / 2, py - h / 2, px + w / 2, py + h / 2)
    cells = [(i, j) for i in range(int(box[0] // cell), int(box[2] // cell) + 1)
             for j in range(int(box[1] // cell), int(box[3] // cell) + 1)]
    if any(b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3]
           for c in cells for b in grid.get(c, ())):
        skipped += 1
        continue
    for c in cells:
        grid.setdefault(c, []).append(box)
    ax.annotate(text, xy=(px, py), xycoords="figure pixels", ha="center", va="center",
                fontsize=size_pt, color="#111111", path_effects=halo, annotation_clip=False)
    drawn += 1

mag = max(abs(lowers[0]), abs(uppers[-1]))
fmt = (lambda x: f"{x:,.0f}") if mag >= 100 else (lambda x: f"{x:,.2f}")
handles = [Patch(facecolor=colours[i], edgecolor="#4d4d4d",
                 label=f"{fmt(lowers[i])} – {fmt(uppers[i])}  ({int((cls == i).sum())})")
           for i in range(len(uppers))]
fig.legend(handles=handles, title=field, loc="upper left", bbox_to_anchor=((fx1 + 24) / W, 1 - fy0 / H),
           frameon=False, fontsize=13 * 72 / DPI)
fig.savefig(out, dpi=DPI)
print(f"labels_drawn={drawn} labels_skipped={skipped} classes={len(uppers)}")
'''


def run(cmd, **kw):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return p


def timed(cmd, repeat, env=None):
    """Median wall clock of `repeat` whole-process runs, after one untimed warm-up."""
    last = run(cmd, env=env)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        last = run(cmd, env=env)
        times.append(time.perf_counter() - t)
    return statistics.median(times), times, last


def machine_line():
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    distro = "Linux"
    osr = Path("/etc/os-release")
    if osr.exists():
        m = re.search(r'^PRETTY_NAME="?([^"\n]*)', osr.read_text(), re.M)
        distro = m.group(1) if m else distro
    return f"{os.cpu_count()} cores (nproc), {model}, {mem_kib / 1024 / 1024:.1f} GiB RAM, {distro}, kernel {platform.release()}"


def builds_running():
    """Compilers or linkers running now (their load skews the timings on a small machine)."""
    seen = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                comm = (d / "comm").read_text().strip()
            except OSError:
                continue
            if comm in {"cc1plus", "cc1", "ld", "ld.gold", "ld.lld", "ninja", "make", "cmake"}:
                seen.add(comm)
    return sorted(seen)


def versions():
    out = {}
    q = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\\n", "libcairo2", "libpango-1.0-0",
                        "python3-geopandas", "python3-matplotlib"], capture_output=True, text=True)
    for line in q.stdout.splitlines():
        name, _, ver = line.partition(" ")
        out[name] = ver
    return out


def build_real(work: Path) -> Path:
    """`strata run` on a copy of samples/taipei with a village breakdown; returns indicators.gpkg."""
    out = work / "out"
    gpkg = out / "indicators.gpkg"
    if gpkg.exists():
        return gpkg
    proj_dir = work / "taipei"
    if proj_dir.exists():
        shutil.rmtree(proj_dir)
    shutil.copytree(SAMPLE, proj_dir)
    toml = proj_dir / "project.toml"
    t = toml.read_text(encoding="utf-8")
    t = re.sub(r'(?m)^store = .*$', f'store = "{out / "strata.gpkg"}"', t, count=1)
    t = re.sub(r'(?m)^output = .*$', f'output = "{out}"', t, count=1)
    head, sep, rest = t.partition("\n[indicators]\n")
    if not sep:
        sys.exit("samples/taipei/project.toml has no [indicators] section")
    parts = re.split(r"(?m)^(?=\[)", rest, maxsplit=1)
    section = parts[0]
    tail = parts[1] if len(parts) > 1 else ""
    if re.search(r"(?m)^breakdown\s*=", section):
        section = re.sub(r"(?m)^breakdown\s*=.*$", 'breakdown = "villages"', section)
    else:
        section = 'breakdown = "villages"\n' + section
    toml.write_text(head + sep + section + tail, encoding="utf-8")
    run([STRATA, "--quiet", "run", toml])
    if not gpkg.exists():
        sys.exit(f"strata run wrote no {gpkg}")
    return gpkg


def build_copies(real: Path, work: Path, copies: int) -> Path:
    """GENERATED: `copies` copies of the real village layer on a grid, values unchanged."""
    target = work / f"GENERATED_taipei_villages_x{copies}.gpkg"
    if target.exists():
        return target
    import geopandas as gpd
    import pandas as pd
    from shapely.affinity import translate
    base = gpd.read_file(real, layer=LAYER)
    side = max(1, int(copies ** 0.5 + 0.999))
    parts = []
    for k in range(copies):
        dx, dy = (k % side) * 20000.0, (k // side) * 10000.0
        part = base.copy()
        part["geometry"] = part.geometry.apply(lambda g: translate(g, dx, dy))
        parts.append(part)
    gdf = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=base.crs)
    gdf.to_file(target, layer=LAYER, driver="GPKG")
    return target


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", default="1,10,100")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--work", default="/tmp/strata_render_bench")
    ap.add_argument("--out", default=None, help="also write the results as JSON here")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    img = work / "images"
    img.mkdir(exist_ok=True)
    peer_py = work / "peer_geopandas_map.py"
    peer_py.write_text(PEER, encoding="utf-8")
    env = dict(os.environ, MPLBACKEND="Agg")

    load_before, builds_before = os.getloadavg(), builds_running()
    if builds_before:
        print(f"warning: a build is running ({', '.join(builds_before)}): timings will be skewed", flush=True)
    real = build_real(work)
    sizes = [int(c) for c in args.copies.split(",")]
    results = []
    for copies in sizes:
        src = real if copies == 1 else build_copies(real, work, copies)
        name = "real" if copies == 1 else f"GENERATED ×{copies}"
        base = [STRATA, "--json", "--quiet", "render", "map", src, "--layer", LAYER, "--field", FIELD,
                "--label-field", LABEL]
        png = img / f"strata_x{copies}.png"
        t_s, ts, last = timed(base + ["--classes", "quantile", "-k", "5", "--out", png], args.repeat)
        doc = json.loads(last.stdout)["result"]
        n = len(doc["features"])
        peer_png = img / f"geopandas_x{copies}.png"
        t_p, tp, lastp = timed(["/usr/bin/python3", peer_py, src, LAYER, FIELD, LABEL, 5, peer_png],
                               args.repeat, env)
        svg = img / f"strata_x{copies}.svg"
        t0 = time.perf_counter()
        run(base + ["--classes", "quantile", "-k", "5", "--out", svg])
        t_svg = time.perf_counter() - t0
        row = {"size": name, "copies": copies, "polygons": n,
               "classes": len(doc["classes"]), "class_counts": [c["count"] for c in doc["classes"]],
               "strata_png_s": round(t_s, 3), "strata_png_runs": [round(x, 3) for x in ts],
               "strata_labels_drawn": doc["files"][0]["labels_drawn"],
               "strata_labels_skipped": doc["files"][0]["labels_skipped"],
               "geopandas_png_s": round(t_p, 3), "geopandas_png_runs": [round(x, 3) for x in tp],
               "geopandas_says": lastp.stdout.strip(),
               "ratio_geopandas_over_strata": round(t_p / t_s, 2),
               "strata_svg_s_once": round(t_svg, 3), "svg_bytes": svg.stat().st_size}
        if copies == max(sizes):
            t_j, tj, lastj = timed(base + ["--classes", "natural", "-k", "5", "--out", img / f"strata_jenks_x{copies}.png"],
                                   args.repeat)
            row["strata_jenks_png_s"] = round(t_j, 3)
            row["strata_jenks_png_runs"] = [round(x, 3) for x in tj]
            row["jenks_classes"] = [c["count"] for c in json.loads(lastj.stdout)["result"]["classes"]]
        print(json.dumps(row, ensure_ascii=False), flush=True)
        results.append(row)

    print()
    print(f"Machine: {machine_line()}")
    print(f"Binary: {STRATA}")
    la = lambda v: ", ".join(f"{x:.2f}" for x in v)
    print(f"Load average (1, 5, 15 min) before: {la(load_before)}, after: {la(os.getloadavg())}; "
          f"builds running before: {builds_before or 'none'}, after: {builds_running() or 'none'}")
    print(f"Versions: {', '.join(f'{k} {v}' for k, v in versions().items())}")
    print(f"Whole processes, median of {args.repeat} after one warm-up; ratio = GeoPandas s / strata s.")
    print()
    print("| size | polygons | strata s | GeoPandas s | ratio |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['size']} | {r['polygons']:,} | {r['strata_png_s']:.2f} | {r['geopandas_png_s']:.2f} | "
              f"{r['ratio_geopandas_over_strata']:.2f} |")
    print()
    print("| size | strata SVG s (once) | SVG MB | labels drawn / skipped (strata) | GeoPandas peer |")
    print("|---|---:|---:|---|---|")
    for r in results:
        print(f"| {r['size']} | {r['strata_svg_s_once']:.2f} | {r['svg_bytes'] / 1e6:.1f} | "
              f"{r['strata_labels_drawn']} / {r['strata_labels_skipped']} | {r['geopandas_says']} |")
    for r in results:
        if "strata_jenks_png_s" in r:
            print()
            print(f"strata --classes natural (Jenks) on {r['size']} ({r['polygons']:,} polygons): "
                  f"{r['strata_jenks_png_s']:.2f} s median (runs {r['strata_jenks_png_runs']}), "
                  f"class counts {r['jenks_classes']}; quantile on the same file {r['strata_png_s']:.2f} s.")
    # 3D views: no peer renders a strata model (Debian has no Open3D for Python); strata's own
    # figure, with Xvfb started by strata itself when there is no display (included in the time).
    scene = None
    model = Path(os.environ.get("STRATA_DATA_DIR", str(REPO.parent / "shared" / "data"))) \
        / "delft_ahn3_pointcloud_bgt" / "output" / "testarea.json"
    if model.exists():
        t_v, tv, lastv = timed([STRATA, "--json", "--quiet", "render", "scene", "--model", model,
                                "--colour-by", "building", "--out", img / "scene.png"], args.repeat)
        v = json.loads(lastv.stdout)["result"]
        scene = {"model": str(model), "buildings": v["buildings"], "triangles": v["triangles"],
                 "seconds": round(t_v, 3), "runs": [round(x, 3) for x in tv]}
        print()
        print(f"strata render scene (3dfier LoD1 of the Delft test area: {v['buildings']} buildings, "
              f"{v['triangles']:,} triangles, 1280x960 PNG, Xvfb started by strata: "
              f"{'yes' if not os.environ.get('DISPLAY') else 'no'}): {t_v:.2f} s median (runs {scene['runs']})")
    if args.out:
        Path(args.out).write_text(json.dumps({"machine": machine_line(), "binary": STRATA, "versions": versions(),
                                              "repeat": args.repeat, "results": results, "scene": scene},
                                             indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
