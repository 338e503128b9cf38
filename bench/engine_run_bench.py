#!/usr/bin/python3
"""`strata run` in one process (issue 20): the samples run end to end, whole process, and the
start-up of a command that draws no 3D view, against `ogrinfo --version` in the same run.

    STRATA_BIN=build/release/apps/strata/strata /usr/bin/python3 bench/engine_run_bench.py \
        [--before OLD_STRATA_BINARY] [--repeat 5]

For each binary (the current one, and --before when given, e.g. a build of the commit before
the engine): median wall seconds and peak RSS of `strata run` on samples/taipei and
samples/delft (copied to a temporary folder, store and outputs inside it, a fresh store every
time), the shared libraries the binary loads (`ldd`), and the median start-up of
`strata --version` over 20 runs with its ratio to `ogrinfo --version` (the peer: GDAL's own
command line, which loads GDAL alone). Prints a Markdown table for docs/benchmarks.md, with
the machine's load average."""
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


def run_sample(binary: str, name: str, repeat: int):
    times, rss = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="strata-engine-bench-") as tmp:
            project = sample_copy(name, Path(tmp))
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
    args = ap.parse_args()
    current = os.environ.get("STRATA_BIN", str(ROOT / "build/release/apps/strata/strata"))
    binaries = [("before", args.before)] if args.before else []
    binaries.append(("engine", current))
    ogrinfo = startup(["ogrinfo", "--version"])
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"ogrinfo --version {ogrinfo * 1000:.1f} ms")
    print("| binary | libraries | `--version` ms | ratio to ogrinfo | Taipei run s | Taipei peak MiB "
          "| Delft run s | Delft peak MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, binary in binaries:
        v = startup([binary, "--version"])
        taipei = run_sample(binary, "taipei", args.repeat)
        delft = run_sample(binary, "delft", args.repeat)
        print(f"| {label} | {libraries(binary)} | {v * 1000:.1f} | {v / ogrinfo:.2f} | "
              f"{taipei[0]:.2f} | {taipei[1]:.0f} | {delft[0]:.2f} | {delft[1]:.0f} |")
        sys.stdout.flush()
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
