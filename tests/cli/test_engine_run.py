#!/usr/bin/python3
"""A project runs in one process (engine::run_project). The Delft and Taipei samples, traced:
one strata process besides the 3D-view children, the store opened once for writing, each input
file opened as often as by one command that reads it once (SampleRunsTest). And on Kaohsiung's
real gas and petroleum
lines, `strata run` with three pipe analyses, an export that takes the results and the pipe
maps must

- start no other strata process (traced with strace: execve),
- read each network file once, as often as one `strata pipes cover` reads it (openat), and open
  the store for writing as often as one `strata import` does,
- export and report only the results of this run: a result GeoPackage left in the output folder
  by an analysis the project no longer names (and one planted there) must appear nowhere, not
  in the export, the maps, summary.json nor the report.
"""
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402
from test_pipes_project import GAS, PETROLEUM, VILLAGES, write_inputs  # noqa: E402
from test_pipes_project import project_text as pipes_project_text  # noqa: E402

import geopandas as gpd  # noqa: E402
from shapely.geometry import box  # noqa: E402


def project_text(with_old_analysis: bool) -> str:
    """test_pipes_project's project (clearance, excavation, cover on Kaohsiung's networks) with
    maps and the report, an export that takes the results, and, in the first run, a fourth
    analysis the project then drops."""
    old = """
[[pipes.analyses]]
name = "old_petroleum_cover"
kind = "cover"
networks = ["petroleum"]
""" if with_old_analysis else ""
    export = """
[[exports]]
to = "writers.gpkg"
path = "export.gpkg"
results = true
"""
    text = pipes_project_text(old + export)
    return text.replace('analyses = ["pipes"]\n',
                        'analyses = ["pipes"]\noutputs = ["summary", "maps", "report"]\n')


def trace(args, cwd: Path, log: Path) -> None:
    """Runs strata under strace -f (execve, openat), the log per process."""
    cmd = ["strace", "-f", "-qq", "-o", str(log), "-e", "trace=execve,openat",
           str(sts.strata_bin()), "-q", *[str(a) for a in args]]
    proc = subprocess.run(cmd, cwd=cwd, env=sts.strata_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")


def strata_pids(log: Path) -> set:
    """The processes that executed the strata binary."""
    binary = str(sts.strata_bin())
    return {line.split()[0] for line in log.read_text().splitlines()
            if "execve(" in line and f'"{binary}"' in line and "= 0" in line}


def opens(log: Path, path: Path, pids: set, writing: bool = False) -> int:
    """Successful openat calls of `path` by `pids` (only read-write ones with `writing`)."""
    n = 0
    for line in log.read_text().splitlines():
        pid = line.split(" ", 1)[0]
        if pid in pids and "openat(" in line and f'"{path}"' in line and "= -1" not in line:
            n += (not writing) or "O_RDWR" in line
    return n


class EngineRunTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not shutil.which("strace"):
            raise AssertionError("strace is missing: scripts/install-deps.sh installs it")
        cls.dir = cls.tmp / "project"
        cls.dir.mkdir()
        c = write_inputs(cls.dir)
        # A first run with a fourth analysis, which the project then drops: its JSON and
        # GeoPackage stay in out/pipes.
        (cls.dir / "project.toml").write_text(project_text(True), encoding="utf-8")
        first = cls.strata("run", cls.dir / "project.toml")
        if first.returncode != 0:
            raise AssertionError("first run failed" + first.describe())
        cls.old_gpkg = cls.dir / "out" / "pipes" / "old_petroleum_cover.gpkg"
        # And a GeoPackage nobody wrote, planted beside the results.
        cls.planted = cls.dir / "out" / "pipes" / "planted.gpkg"
        gpd.GeoDataFrame({"name": ["planted"]}, geometry=[box(c.x, c.y, c.x + 1, c.y + 1)],
                         crs=3826).to_file(cls.planted, layer="planted_layer", driver="GPKG")
        (cls.dir / "project.toml").write_text(project_text(False), encoding="utf-8")
        cls.log = cls.tmp / "run.strace"
        trace(["run", cls.dir / "project.toml"], cls.dir, cls.log)
        cls.summary = json.loads((cls.dir / "out" / "summary.json").read_text(encoding="utf-8"))

    def test_stale_results_are_neither_exported_nor_reported(self):
        self.assertTrue(self.old_gpkg.exists(), "the first run wrote the analysis now dropped")
        pipes = self.summary["analyses"]["pipes"]
        self.assertEqual(set(pipes), {"gas_vs_petroleum", "dig_at_crossing", "gas_cover"})
        export = self.dir / "out" / "export.gpkg"
        tables = sts.gpkg_tables(export)
        old_tables = sts.gpkg_tables(self.old_gpkg)
        current = set()
        for name in pipes:
            current |= sts.gpkg_tables(self.dir / "out" / "pipes" / f"{name}.gpkg")
        # The export holds the current results (the check can fail) ...
        self.assertTrue(any(any(t in e for e in tables) for t in current), (tables, current))
        # ... and nothing of the dropped analysis or the planted file: no table with their rows.
        con = sqlite3.connect(f"file:{export}?mode=ro", uri=True)
        try:
            for t in tables:
                cols = [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')]
                for col in cols:
                    hits = con.execute(f'SELECT COUNT(*) FROM "{t}" WHERE CAST("{col}" AS TEXT) '
                                       "IN ('planted', 'old_petroleum_cover')").fetchone()[0]
                    self.assertEqual(hits, 0, f"{t}.{col} holds a stale result")
        finally:
            con.close()
        self.assertFalse(any("planted" in t for t in tables), tables)
        self.assertFalse(any("old_petroleum" in t for t in tables), tables)
        text = json.dumps(self.summary)
        self.assertNotIn("old_petroleum_cover", text)
        self.assertNotIn("planted", text)
        report = (self.dir / "out" / "report.html").read_text(encoding="utf-8")
        self.assertNotIn("old_petroleum_cover", report)
        self.assertNotIn("planted", report)
        maps = [p.name for p in (self.dir / "out" / "maps").iterdir()]
        self.assertTrue(any("gas_cover" in m for m in maps), maps)
        self.assertFalse(any("old_petroleum" in m or "planted" in m for m in maps), maps)
        self.assertTrue(len(old_tables) > 0)

    def test_one_process_and_one_read_per_file(self):
        pids = strata_pids(self.log)
        self.assertEqual(len(pids), 1, f"strata processes: {pids}")
        # Baselines: one analysis reading each network once, one import writing the store.
        base = self.tmp / "baseline"
        base.mkdir(exist_ok=True)
        cover_log = self.tmp / "cover.strace"
        trace(["pipes", "cover", sts.data_path(*GAS), sts.data_path(*PETROLEUM), "--utility", "gas",
               "--utility", "petroleum", "--owner-field", "NAME", "--rules", self.dir / "rules.toml"],
              base, cover_log)
        cover_pids = strata_pids(cover_log)
        import_log = self.tmp / "import.strace"
        trace(["import", sts.data_path(*VILLAGES), "--kind", "village", "--name", "villages",
               "--store", base / "strata.gpkg", "--crs", "EPSG:3826", "--field", "id=VILLAGEID",
               "--field", "name=VILLAGENAM", "--field", "parent_name=TOWNNAME"], base, import_log)
        for network in (GAS, PETROLEUM):
            path = sts.data_path(*network)
            once = opens(cover_log, path, cover_pids)
            self.assertGreater(once, 0)
            # Three analyses, an export with the networks and a map of each analysis: one read.
            self.assertEqual(opens(self.log, path, pids), once, path)
        store_once = opens(import_log, base / "strata.gpkg", strata_pids(import_log), writing=True)
        self.assertGreater(store_once, 0)
        self.assertEqual(opens(self.log, self.dir / "out" / "strata.gpkg", pids, writing=True),
                         store_once)
        self.assertEqual(opens(self.log, self.dir / "rules.toml", pids), 1)


SAMPLES = sts.REPO_ROOT / "samples"


def sample_copy(name: str, where: Path) -> Path:
    """samples/<name> (and kaohsiung, which Delft's rules come from) with outputs inside."""
    for n in {name, "kaohsiung"}:
        shutil.copytree(SAMPLES / n, where / n)
    project = where / name / "project.toml"
    text = project.read_text(encoding="utf-8")
    text = text.replace(f'"../../out/{name}/strata.gpkg"', '"out/strata.gpkg"')
    text = text.replace(f'"../../out/{name}"', '"out"')
    project.write_text(text, encoding="utf-8")
    return project


def main_process(log: Path) -> set:
    """The strata process that ran the project (the 3D-view children run `render scene`)."""
    binary = str(sts.strata_bin())
    return {line.split()[0] for line in log.read_text().splitlines()
            if "execve(" in line and f'"{binary}"' in line and "= 0" in line and '"render"' not in line}


class SampleRunsTest(sts.StrataTestCase):
    """The two samples, traced: one strata process besides the 3D-view children, the store
    opened for writing as often as by one import, and each input file opened as often as by
    one command that reads it once, however many stages use it (Delft's footprints serve the
    units, the pipes-under-buildings analysis and the maps: 4 reads before the run's read
    cache)."""

    def run_traced(self, name):
        where = self.tmp / f"{name}_run"
        where.mkdir()
        project = sample_copy(name, where)
        log = self.tmp / f"{name}.strace"
        trace(["run", project], project.parent, log)
        pids = main_process(log)
        self.assertEqual(len(pids), 1, f"strata processes besides the 3D views: {pids}")
        return project, log, pids

    def once(self, name, *args):
        """Opens per file by one command that reads it once."""
        log = self.tmp / f"{name}_once.strace"
        base = self.tmp / f"{name}_once"
        base.mkdir(exist_ok=True)
        trace(args, base, log)
        return log, strata_pids(log)

    def test_delft(self):
        project, log, pids = self.run_traced("delft")
        d = project.parent
        # Every strata process other than the runner draws a 3D view.
        for line in log.read_text().splitlines():
            if "execve(" in line and f'"{sts.strata_bin()}"' in line and "= 0" in line \
                    and line.split()[0] not in pids:
                self.assertIn('"render"', line)
        units_log, units_pids = self.once("units", "units", "build", d / "bgt_pand.gpkg", "--registry",
                                          d / "registry_FICTITIOUS.csv", "--id-field", "gml_id",
                                          "--height", "9", "--out", self.tmp / "m.city.json")
        footprints_once = opens(units_log, d / "bgt_pand.gpkg", units_pids)
        registry_once = opens(units_log, d / "registry_FICTITIOUS.csv", units_pids)
        self.assertGreater(footprints_once, 0)
        self.assertEqual(opens(log, d / "bgt_pand.gpkg", pids), footprints_once)
        self.assertEqual(opens(log, d / "registry_FICTITIOUS.csv", pids), registry_once)
        pipes_log, pipes_pids = self.once("pipes", "pipes", "buildings", d / "GENERATED_gas_pipes.geojson",
                                          "--utility", "gas", "--rules", self.tmp / "delft_run/kaohsiung/rules.toml",
                                          "--ground-z", "0", "--buildings", d / "bgt_pand.gpkg",
                                          "--building-id-field", "gml_id")
        gas = d / "GENERATED_gas_pipes.geojson"
        self.assertGreater(opens(pipes_log, gas, pipes_pids), 0)
        self.assertEqual(opens(log, gas, pids), opens(pipes_log, gas, pipes_pids))
        import_log, import_pids = self.once("import", "import", project, "--store", self.tmp / "imp.gpkg")
        self.assertEqual(opens(log, d / "plantcover.gpkg", pids),
                         opens(import_log, d / "plantcover.gpkg", import_pids))
        self.assertEqual(opens(log, d / "out" / "strata.gpkg", pids, writing=True),
                         opens(import_log, self.tmp / "imp.gpkg", import_pids, writing=True))

    def test_taipei(self):
        project, log, pids = self.run_traced("taipei")
        import_log, import_pids = self.once("taipei_import", "import", project, "--store",
                                            self.tmp / "taipei_imp.gpkg")
        inputs = [p for p in project.parent.iterdir() if p.suffix in (".geojson", ".csv")]
        self.assertGreater(len(inputs), 4)
        for path in inputs:
            self.assertEqual(opens(log, path, pids), opens(import_log, path, import_pids), path.name)
        self.assertEqual(opens(log, project.parent / "out" / "strata.gpkg", pids, writing=True),
                         opens(import_log, self.tmp / "taipei_imp.gpkg", import_pids, writing=True))


if __name__ == "__main__":
    sts.main()
