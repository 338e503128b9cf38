#!/usr/bin/python3
"""The `strata` Python module (docs/python.md) calls the engine in-process:

- the Taipei sample's indicators from `strata.Project(...).run()` equal, value for value and
  bit for bit, the indicators.csv that `strata run` writes for the same project, and the CSV the
  module's run writes is byte-identical to the command line's;
- a bad project raises strata.Error with code 970 and the file:line of the mistake;
- progress arrives as events, and a callback that returns False cancels the run (990) before
  the next stage, leaving no store behind;
- the indicators come as a pandas DataFrame with the CSV's columns.
Needs only samples/ (no shared data)."""
import csv
import os
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "taipei"
MODULE_DIR = (str(Path(os.environ["STRATA_PYTHON_PATH"]).resolve())
              if os.environ.get("STRATA_PYTHON_PATH") else None)


def sample_copy(where: Path) -> Path:
    """The Taipei sample with its store and outputs inside `where`."""
    shutil.copytree(SAMPLE, where)
    project = where / "project.toml"
    text = project.read_text(encoding="utf-8")
    text = text.replace('"../../out/taipei/strata.gpkg"', '"out/strata.gpkg"')
    text = text.replace('"../../out/taipei"', '"out"')
    project.write_text(text, encoding="utf-8")
    return project


def in_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    """Runs `code` in Debian's Python with the module on its path."""
    env = dict(os.environ, PYTHONPATH=MODULE_DIR)
    return subprocess.run(["/usr/bin/python3", "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def number(text: str):
    return None if text == "" else float(text)


@unittest.skipUnless(MODULE_DIR, "STRATA_PYTHON_PATH is not set (the module's build folder)")
class PythonModuleTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sys.path.insert(0, MODULE_DIR)
        import strata  # noqa: F401  (the build's module)
        cls.strata_module = strata
        cli_project = sample_copy(cls.tmp / "cli")
        res = cls.strata("run", cli_project)
        if res.returncode != 0:
            raise AssertionError("strata run failed" + res.describe())
        cls.cli_csv = cli_project.parent / "out" / "indicators.csv"
        cls.py_project = sample_copy(cls.tmp / "python")
        cls.events = []
        cls.result = strata.Project(cls.py_project).run(progress=cls.events.append)

    def test_indicators_equal_the_command_lines_csv(self):
        self.assertTrue(self.result.ok, self.result.text)
        ind = self.result.indicators
        self.assertIsNotNone(ind)
        with open(self.cli_csv, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        python_rows = ind.districts + [ind.city]
        self.assertEqual(len(rows), len(python_rows))
        self.assertGreater(len(ind.columns), 3)
        for csv_row, py_row in zip(rows, python_rows):
            self.assertEqual(csv_row["district_id"], py_row["district_id"])
            self.assertEqual(csv_row["district_name"], py_row["district_name"])
            for column in ind.columns:
                expected = number(csv_row[column])
                got = py_row[column]
                if expected is None:
                    self.assertIsNone(got, column)
                else:
                    # Bit for bit: the CSV holds the shortest text that reads back as the double.
                    self.assertEqual(float(got).hex(), expected.hex(), f"{py_row['district_id']} {column}")
        py_csv = self.py_project.parent / "out" / "indicators.csv"
        self.assertEqual(py_csv.read_bytes(), self.cli_csv.read_bytes())
        self.assertEqual(self.result.summary["analyses"]["indicators"]["city"], ind.city)

    def test_dataframe_has_the_csv_columns(self):
        try:
            import pandas  # noqa: F401
        except ImportError:
            self.skipTest("pandas is not installed")
        df = self.result.indicators.to_dataframe()
        with open(self.cli_csv, encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        self.assertEqual(list(df.columns), header)
        self.assertEqual(len(df), len(self.result.indicators.districts))

    def test_progress_events_name_every_stage(self):
        stages = [e["name"] for e in self.events if e["event"] == "stage"]
        self.assertEqual(stages[0], "import")
        self.assertIn("indicators", stages)
        self.assertIn("outputs", stages)
        self.assertEqual([e["number"] for e in self.events if e["event"] == "stage"],
                         list(range(1, len(stages) + 1)))

    def test_a_bad_project_raises_970_with_file_and_line(self):
        d = self.tmp / "bad"
        d.mkdir()
        bad = d / "project.toml"
        bad.write_text('[project]\nname = "x"\ncrs = "EPSG:3826"\nstore = "s.gpkg"\n'
                       'output = "out"\nanalyses = ["teleport"]\n', encoding="utf-8")
        with self.assertRaises(self.strata_module.Error) as caught:
            self.strata_module.Project(bad)
        self.assertEqual(caught.exception.code, 970)
        self.assertEqual(caught.exception.name, "PROJECT_FILE")
        self.assertRegex(caught.exception.message, r"^" + str(bad).replace(".", r"\.") + r":\d+")

    def test_returning_false_cancels_before_the_next_stage(self):
        project = sample_copy(self.tmp / "cancelled")
        with self.assertRaises(self.strata_module.Error) as caught:
            self.strata_module.Project(project).run(progress=lambda e: e["event"] != "stage")
        self.assertEqual(caught.exception.code, 990)
        self.assertEqual(caught.exception.name, "CANCELLED")
        self.assertFalse((project.parent / "out" / "strata.gpkg").exists())

    def test_one_pipe_analysis_equals_the_command(self):
        delft = SAMPLE.parent / "delft"
        rules = SAMPLE.parent / "kaohsiung" / "rules.toml"
        got = self.strata_module.run_pipe_analysis(
            "buildings", [{"file": delft / "GENERATED_gas_pipes.geojson", "utility": "gas"}],
            buildings=delft / "bgt_pand.gpkg", building_id_field="gml_id", rules=rules, ground_z=0)
        cli = self.strata("pipes", "buildings", delft / "GENERATED_gas_pipes.geojson", "--utility", "gas",
                          "--buildings", delft / "bgt_pand.gpkg", "--building-id-field", "gml_id",
                          "--rules", rules, "--ground-z", "0")
        self.assertEqual(cli.returncode, 0, cli.describe())
        self.assertEqual(got["command"], "pipes buildings")
        self.assertGreater(len(got["result"]["findings"]), 0)
        self.assertEqual(got["result"]["findings"], cli.result["findings"])
        self.assertEqual(got["result"]["pipes_under_buildings"], cli.result["pipes_under_buildings"])
        with self.assertRaises(self.strata_module.Error) as caught:
            self.strata_module.run_pipe_analysis("buildings", [delft / "GENERATED_gas_pipes.geojson"],
                                                 buildings=delft / "bgt_pand.gpkg", margin="wide")
        self.assertEqual(caught.exception.code, 903)
        self.assertIn("--margin takes a number", caught.exception.message)

    def test_units_equal_the_command(self):
        delft = SAMPLE.parent / "delft"
        common = dict(registry=delft / "registry_FICTITIOUS.csv", id_field="gml_id", height=9,
                      storey_height=3, profile="planner")
        got = self.strata_module.build_units(delft / "bgt_pand.gpkg", out=self.tmp / "py.city.json", **common)
        cli = self.strata("units", "build", delft / "bgt_pand.gpkg", "--registry", common["registry"],
                          "--id-field", "gml_id", "--height", "9", "--storey-height", "3",
                          "--profile", "planner", "--out", self.tmp / "cli.city.json")
        self.assertIn(cli.returncode, (0, 7), cli.describe())
        for key in ("buildings", "baunits", "legal_spaces", "parties", "rights", "valid",
                    "errors_by_code", "findings"):
            self.assertEqual(got["result"][key], cli.result[key], key)
        self.assertGreater(got["result"]["legal_spaces"], 0)
        self.assertEqual(got["findings"], cli.returncode == 7)

    def test_the_other_jobs_equal_their_commands(self):
        """Every job of the command line is a call: the same document as `--json` prints."""
        m = self.strata_module
        store = self.py_project.parent / "out" / "strata.gpkg"
        city = SAMPLE.parent / "3dbag" / "3dbag_b2.city.jsonl"
        delft = SAMPLE.parent / "delft"
        cases = [
            (m.validate(city, snap_tol=0.001), ["validate", city, "--snap-tol", "0.001"]),
            (m.inspect(city), ["inspect", city]),
            (m.query_point("district-at", 121.5645, 25.0340, store=str(store), crs="EPSG:4326"),
             ["query", "district-at", "121.5645", "25.0340", "--crs", "EPSG:4326", "--store", store]),
            (m.info(str(store)), ["info", store]),
            (m.extrude_buildings(delft / "bgt_pand.gpkg", self.tmp / "py_lod1.city.json", height=9),
             ["buildings", "extrude", delft / "bgt_pand.gpkg", "--out", self.tmp / "py_lod1.city.json",
              "--height", "9"]),
            (m.render_pipes([{"file": delft / "GENERATED_gas_pipes.geojson", "utility": "gas"}],
                            self.tmp / "pipes.png", context=[delft / "bgt_pand.gpkg"], title="Delft gas"),
             ["render", "pipes", delft / "GENERATED_gas_pipes.geojson", "--utility", "gas",
              "--context", delft / "bgt_pand.gpkg", "--title", "Delft gas", "--out", self.tmp / "pipes.png"]),
        ]
        for got, args in cases:
            with self.subTest(args[0]):
                cli = self.strata(*args)
                self.assertIn(cli.returncode, (0, 7), cli.describe())
                want = cli.result
                for doc in (got["result"], want):
                    doc.pop("stats", None)  # validation run times
                    for layer in doc.get("layers", []):
                        layer.pop("imported_at", None)
                self.assertEqual(got["result"], want)
        self.assertTrue(cases[0][0]["findings"])  # the 3DBAG sample has an invalid building
        with self.assertRaises(m.Error) as e:
            m.query_point("teleport-at", 1, 2, store=str(store))
        self.assertEqual(e.exception.code, 903)

    def test_other_python_threads_run_during_a_job(self):
        """The engine runs without the GIL (QGIS's own Python must not freeze during a run):
        a Python thread counting while the Taipei import is checked (no callback, so no Python
        in between) counts on; with the GIL held it would stand still."""
        import threading
        count = [0]
        stop = threading.Event()

        def counter():
            while not stop.is_set():
                count[0] += 1

        t = threading.Thread(target=counter)
        t.start()
        try:
            seen = []
            for _ in range(3):
                before = count[0]
                r = self.strata_module.import_data(self.py_project, dry_run=True)
                seen.append(count[0] - before)
                self.assertTrue(r["ok"], r["text"])
        finally:
            stop.set()
            t.join()
        self.assertGreater(max(seen), 1000, seen)
        # And a callback still reaches Python (it takes the GIL again).
        events = []
        self.strata_module.import_data(self.py_project, dry_run=True, progress=events.append)
        self.assertTrue(events and all(e["event"] == "progress" for e in events))

    def test_the_registry_is_what_the_command_line_offers(self):
        kinds = self.strata_module.pipe_analyses()
        self.assertEqual(len(kinds), 7)
        for a in kinds:
            help_text = self.strata("pipes", a["kind"], "--help", json_output=False).stdout
            for o in a["options"] + a["settings"]:
                self.assertIn("--" + o["name"], help_text, f"{a['kind']}: {o['name']}")
            self.assertTrue(a["doc"].startswith("docs/pipes.md#"))
        isolate = next(a for a in kinds if a["kind"] == "isolate")
        snap = next(o for o in isolate["options"] if o["name"] == "service-distance")
        self.assertEqual((snap["type"], snap["default"], snap["keyword"]), ("number", "30", "service_distance"))

    def test_a_run_from_python_draws_its_3d_views(self):
        # The views are drawn by a child `strata render scene`; from Python that must be the
        # strata binary, not the interpreter (which failed every view with 985).
        project = self.tmp / "delft_run" / "delft"
        project.parent.mkdir()
        shutil.copytree(SAMPLE.parent / "delft", project)
        shutil.copytree(SAMPLE.parent / "kaohsiung", project.parent / "kaohsiung")
        toml = project / "project.toml"
        toml.write_text(toml.read_text(encoding="utf-8")
                        .replace('"../../out/delft/strata.gpkg"', '"out/strata.gpkg"')
                        .replace('"../../out/delft"', '"out"'), encoding="utf-8")
        result = self.strata_module.Project(toml).run()
        report = result.summary["report"]
        self.assertEqual(report["problems"], [], report["problems"])
        self.assertEqual(len(report["scenes"]), 4)
        for scene in report["scenes"]:
            self.assertTrue(Path(scene["out"]).is_file(), scene)
        self.assertTrue(result.ok)

    def test_a_3d_view_and_the_render_options(self):
        """strata.render_scene draws what `strata render scene` draws (a child process, as a
        run's views), checked through the same schema first; render_options lists the flags."""
        m = self.strata_module
        delft = SAMPLE.parent / "delft"
        model = self.tmp / "py_scene.city.json"
        m.extrude_buildings(delft / "bgt_pand.gpkg", model, height=9)
        got = m.render_scene(self.tmp / "py_scene.png", model=model, colour_by="building",
                             networks=[{"file": delft / "GENERATED_gas_pipes.geojson", "utility": "gas"}],
                             clip_pipes=True, azimuth=200)
        cli = self.strata("render", "scene", delft / "GENERATED_gas_pipes.geojson", "--utility", "gas",
                          "--model", model, "--colour-by", "building", "--clip-pipes", "--azimuth", "200",
                          "--out", self.tmp / "cli_scene.png")
        self.assertEqual(cli.returncode, 0, cli.describe())
        self.assertEqual(got["command"], "render scene")
        for key in ("buildings", "units", "storeys", "pipes", "triangles", "line_segments", "legend"):
            self.assertEqual(got["result"][key], cli.result[key], key)
        self.assertGreater(got["result"]["buildings"], 0)
        self.assertTrue((self.tmp / "py_scene.png").is_file())
        with self.assertRaises(m.Error) as caught:
            m.render_scene(self.tmp / "never.png", model=model, zoom="close")
        self.assertEqual(caught.exception.code, 903)
        with self.assertRaises(m.Error) as caught:  # a path where a list of networks belongs
            m.render_scene(self.tmp / "never.png", model=model, networks=str(delft / "GENERATED_gas_pipes.geojson"))
        self.assertEqual(caught.exception.code, 903)
        self.assertFalse((self.tmp / "never.png").exists())
        with self.assertRaises(m.Error) as caught:
            m.render_map(self.tmp / "x.gpkg", "f", self.tmp / "x.png", colour="red")
        self.assertIn("class_count", caught.exception.message)
        help_text = self.strata("render", "map", "--help").stdout
        for o in m.render_options("map"):
            self.assertIn("--" + o["name"], help_text, o["name"])
        self.assertIn("-k", help_text)

    def test_debian_python_imports_it(self):
        res = in_python("import strata; print(strata.version())", self.tmp)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertRegex(res.stdout.strip(), r"^\d+\.\d+\.\d+$")


if __name__ == "__main__":
    sts.main()
