"""The QGIS Processing provider (plugins/qgis/strata_processing), end to end in real QGIS,
headless, as a user installs and runs it:

  * scripts/install-qgis-plugin.sh copies the plugin and the strata Python module into a fresh
    QGIS profile (HOME is a temporary folder); `qgis_process.bin plugins enable` enables it;
  * `qgis_process.bin list` offers every algorithm: run a project, import a layer, indicators,
    validate, units build, query at a 3D point, export, render a map and one per pipe analysis of
    the engine's registry;
  * every algorithm runs through `qgis_process.bin --json run` on copies of samples/ (no
    subprocess of strata: the plugin calls the module in-process, traced), and its result equals
    the strata command line's own `--json` result on the same inputs;
  * every GeoPackage it writes loads in QGIS (PyQGIS) with the style strata embedded;
  * the indicators loaded by processing.run() are graduated and equal `strata indicators`'.
"""
import csv
import json
import os
import shutil
import subprocess
import unittest
from pathlib import Path

import geopandas as gpd

import strata_test_support as sts

SAMPLES = sts.REPO_ROOT / "samples"
MODULE_DIR = os.environ.get("STRATA_PYTHON_PATH")
QGIS_PROCESS = "/usr/bin/qgis_process.bin"  # Debian's wrapper adds an option the binary rejects

# Loads each GeoPackage in QGIS and says what QGIS sees: layers, counts, renderers.
LOADER = r"""
import json, sys
from qgis.core import QgsApplication, QgsVectorLayer
from osgeo import ogr
app = QgsApplication([], False)
app.initQgis()
out = {}
for path in json.loads(sys.argv[1]):
    ds = ogr.Open(path)
    names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())] if ds else []
    ds = None
    layers = {}
    for name in names:
        if name in ("layer_styles", "strata_export_layers"):
            continue
        layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        r = layer.renderer()
        layers[name] = {"valid": layer.isValid(), "count": layer.featureCount(),
                        "renderer": r.type() if r else None}
    out[path] = layers
print(json.dumps(out), flush=True)
"""

# processing.run() in PyQGIS: the layers the algorithm queues for the project.
PROCESSING_RUNNER = r"""
import json, os, sys
sys.path.insert(0, "/usr/share/qgis/python/plugins")
sys.path.insert(0, sys.argv[1])
from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingFeedback, QgsProject
app = QgsApplication([], False)
app.initQgis()
from processing.core.Processing import Processing
Processing.initialize()
import processing
from strata_processing.provider import StrataProvider
provider = StrataProvider()
QgsApplication.processingRegistry().addProvider(provider)
name, params = json.loads(sys.argv[2])
context = QgsProcessingContext()
context.setProject(QgsProject.instance())
result = processing.run(f"strata:{name}", params, context=context, feedback=QgsProcessingFeedback())
layers = {}
for layer_id, details in context.layersToLoadOnCompletion().items():
    layer = context.getMapLayer(layer_id)
    r = layer.renderer()
    layers[details.outputName] = {"valid": layer.isValid(), "count": layer.featureCount(),
                                  "renderer": r.type() if r else None,
                                  "field": r.classAttribute() if hasattr(r, "classAttribute") else None}
print(json.dumps({"result": {k: str(v) for k, v in result.items()}, "layers": layers}), flush=True)
os._exit(0)
"""


def copy_sample(name: str, where: Path) -> Path:
    """samples/<name> under where/samples (its relative references kept), outputs inside."""
    target = where / "samples" / name
    shutil.copytree(SAMPLES / name, target)
    project = target / "project.toml"
    if project.exists():
        text = project.read_text(encoding="utf-8")
        text = text.replace(f'"../../out/{name}/strata.gpkg"', '"out/strata.gpkg"')
        text = text.replace(f'"../../out/{name}"', '"out"')
        project.write_text(text, encoding="utf-8")
    return target


def without_timings(doc):
    """The document without its run times (*_seconds), which differ from run to run."""
    if isinstance(doc, dict):
        return {k: without_timings(v) for k, v in doc.items() if not k.endswith("_seconds")}
    if isinstance(doc, list):
        return [without_timings(v) for v in doc]
    return doc


def gas_picks(network: Path, out: Path, z: float) -> None:
    """GENERATED survey picks from the real Kaohsiung gas lines: every vertex of the first lines
    and one point a metre along each segment, at height z (what a detection survey of the lines
    at their assumed depth would report)."""
    lines = gpd.read_file(network)
    with out.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x", "y", "z"])
        for geom in lines.geometry[:5]:
            length = geom.length
            d = 0.0
            while d <= length:
                p = geom.interpolate(d)
                w.writerow([f"{p.x:.3f}", f"{p.y:.3f}", f"{z:.3f}"])
                d += 1.0


@unittest.skipUnless(MODULE_DIR, "STRATA_PYTHON_PATH is not set (the module's build folder)")
class QgisProvider(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.home = cls.tmp / "home"
        cls.plugins = cls.home / ".local/share/QGIS/QGIS3/profiles/default/python/plugins"
        module = next(Path(MODULE_DIR).glob("strata.cpython-*.so"))
        p = subprocess.run(["bash", str(sts.REPO_ROOT / "scripts" / "install-qgis-plugin.sh"), str(cls.plugins),
                            str(module)], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        runtime = cls.tmp / "runtime"
        runtime.mkdir(mode=0o700)
        cls.env = dict(os.environ, HOME=str(cls.home), QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime),
                       XDG_DATA_HOME=str(cls.home / ".local/share"))
        for key in ("STRATA_BIN", "PYTHONPATH", "STRATA_PYTHON_PATH"):
            cls.env.pop(key, None)  # the plugin must find the engine where it was installed
        cls.enable = subprocess.run([QGIS_PROCESS, "plugins", "enable", "strata_processing"],
                                    capture_output=True, text=True, env=cls.env, timeout=300)
        cls.listing = subprocess.run([QGIS_PROCESS, "list"], capture_output=True, text=True,
                                     env=cls.env, timeout=300)
        cls.work = cls.tmp / "work"
        cls.taipei = copy_sample("taipei", cls.work) / "project.toml"
        cls.delft = copy_sample("delft", cls.work)
        cls.kaohsiung = copy_sample("kaohsiung", cls.work)
        cls.out = cls.tmp / "qgis_out"
        cls.out.mkdir()
        cls.cli_out = cls.tmp / "cli_out"
        cls.cli_out.mkdir()

    # ------------------------------------------------------------------ helpers

    @classmethod
    def qgis_process(cls, algorithm: str, params: dict, trace: bool = False) -> dict:
        """`qgis_process.bin --json run strata:ALG -- K=V ...`; returns its results."""
        args = [QGIS_PROCESS, "--json", "run", f"strata:{algorithm}", "--"]
        for key, value in params.items():
            for v in value if isinstance(value, list) else [value]:
                args.append(f"{key}={v}")
        if trace:
            args = ["strace", "-f", "-qq", "-e", "trace=execve", "-o", str(cls.tmp / f"{algorithm}.strace")] + args
        p = subprocess.run(args, capture_output=True, text=True, env=cls.env, timeout=600, cwd=cls.work)
        if p.returncode != 0:
            raise AssertionError(f"qgis_process {algorithm} failed ({p.returncode}):\n{p.stdout[-3000:]}\n"
                                 f"{p.stderr[-3000:]}")
        return json.loads(p.stdout)["results"]

    @classmethod
    def load_in_qgis(cls, paths) -> dict:
        p = subprocess.run(["/usr/bin/python3", "-c", LOADER, json.dumps([str(x) for x in paths])],
                           capture_output=True, text=True, env=cls.env, timeout=300)
        assert p.returncode == 0, p.stderr[-3000:]
        return json.loads(p.stdout.strip().splitlines()[-1])

    def cli(self, *args) -> dict:
        res = self.strata(*args)
        self.assertIn(res.returncode, (0, 7), res.describe())
        return res.result

    def assertLoadsStyled(self, path, layer, count, renderer="singleSymbol"):
        seen = self.load_in_qgis([path])[str(path)]
        self.assertIn(layer, seen, f"{path}: {seen}")
        self.assertTrue(seen[layer]["valid"])
        self.assertEqual(seen[layer]["count"], count)
        self.assertEqual(seen[layer]["renderer"], renderer)
        return seen

    # ------------------------------------------------------------------ tests

    def test_plugins_enable_and_every_algorithm_is_offered(self):
        self.assertEqual(self.enable.returncode, 0, self.enable.stderr[-2000:])
        ids = sorted(line.split()[0] for line in self.listing.stdout.splitlines()
                     if line.strip().startswith("strata:"))
        kinds = [a["kind"] for a in json.loads(self.strata_python("import strata, json; "
                                                                  "print(json.dumps(strata.pipe_analyses()))"))]
        self.assertEqual(len(kinds), 7)
        want = sorted(["strata:run_project", "strata:import_layer", "strata:indicators", "strata:validate",
                       "strata:units_build", "strata:query_at", "strata:export_project", "strata:render_map"]
                      + [f"strata:pipe_{k}" for k in kinds])
        self.assertEqual(ids, want)
        # The installed plugin carries its own module: nothing points into the build tree.
        installed = list((self.plugins / "strata_processing" / "lib").glob("strata.cpython-*.so"))
        self.assertEqual(len(installed), 1)
        self.assertFalse((self.plugins / "strata_processing" / "strata_bin.txt").exists())

    @classmethod
    def strata_python(cls, code: str) -> str:
        p = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True,
                           env=dict(os.environ, PYTHONPATH=MODULE_DIR), timeout=120)
        assert p.returncode == 0, p.stderr
        return p.stdout

    def test_run_project_then_indicators_export_and_map(self):
        # One process: the engine runs inside QGIS (only qgis_process itself is executed).
        r = self.qgis_process("run_project", {"PROJECT": self.taipei, "OUTPUT": self.out / "run.gpkg"}, trace=True)
        execs = [l for l in (self.tmp / "run_project.strace").read_text().splitlines() if "execve(" in l
                 and "= 0" in l]
        self.assertTrue(all("qgis_process" in l for l in execs), execs)
        summary = json.loads(r["SUMMARY"])
        store = self.taipei.parent / "out" / "strata.gpkg"
        self.assertTrue(store.exists())
        # The loaded store: the districts and villages, and the indicators graduated.
        seen = self.load_in_qgis([self.out / "run.gpkg"])[str(self.out / "run.gpkg")]
        self.assertEqual(seen["districts"]["count"], 3)
        self.assertEqual(seen["villages"]["count"], 130)
        self.assertEqual(seen["indicators_district"]["renderer"], "graduatedSymbol")
        self.assertIn("indicators", json.dumps(summary))

        # Indicators: equal strata's own, bit for bit in the GeoPackage.
        r = self.qgis_process("indicators", {"PROJECT": self.taipei, "OUTPUT": self.out / "ind.gpkg"})
        direct = self.cli("indicators", self.taipei, "--out", self.cli_out / "ind")
        self.assertEqual(json.loads(r["CITY"]), direct["city"])
        got = gpd.read_file(self.out / "ind.gpkg", layer="indicators_district").set_index("district_id")
        want = gpd.read_file(self.cli_out / "ind" / "indicators.gpkg",
                             layer="indicators_district").set_index("district_id")
        for column in ["population", "green_area_m2", "iso37120_21_1", "permeable_paving_m2"]:
            for d in want.index:
                self.assertEqual(got.loc[d, column], want.loc[d, column], (d, column))
        self.assertLoadsStyled(self.out / "ind.gpkg", "indicators_district", 3, "graduatedSymbol")

        # Export under the planner profile: the same layers and counts as `strata export`.
        r = self.qgis_process("export_project", {"PROJECT": self.taipei, "WRITER": 0, "PROFILE": 1,
                                                 "OUTPUT": self.out / "export.gpkg"})
        direct = self.cli("export", self.taipei, "--to", "writers.gpkg", "--profile", "planner",
                          "--out", self.cli_out / "export.gpkg")
        self.assertEqual(int(r["LAYERS"]), len(direct["layers"]))
        seen = self.load_in_qgis([self.out / "export.gpkg"])[str(self.out / "export.gpkg")]
        for layer in direct["layers"]:
            if layer["name"] in seen:
                self.assertEqual(seen[layer["name"]]["count"], layer["features"], layer["name"])

        # A choropleth of the first ISO 37120 column: the same classes as `strata render map`.
        r = self.qgis_process("render_map", {"SOURCE": self.out / "ind.gpkg", "LAYER": "indicators_district",
                                             "FIELD": "iso37120_21_1", "LABEL_FIELD": "district_name",
                                             "OUTPUT": self.out / "map.png"})
        direct = self.cli("render", "map", self.out / "ind.gpkg", "--layer", "indicators_district", "--field",
                          "iso37120_21_1", "--label-field", "district_name", "--out", self.cli_out / "map.png")
        got = json.loads(r["RESULT"])
        self.assertEqual(got["classes"], direct["classes"])
        self.assertEqual(got["features"], direct["features"])
        self.assertEqual((self.out / "map.png").read_bytes()[:8], b"\x89PNG\r\n\x1a\n")

    def test_processing_run_loads_the_indicators_graduated(self):
        plugin_path = str(self.plugins)
        params = {"PROJECT": str(self.taipei), "OUTPUT": str(self.out / "ind_pyqgis.gpkg")}
        p = subprocess.run(["/usr/bin/python3", "-c", PROCESSING_RUNNER, plugin_path,
                            json.dumps(["indicators", params])], capture_output=True, text=True, env=self.env,
                           timeout=600)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        run = json.loads(p.stdout.strip().splitlines()[-1])
        layer = run["layers"]["indicators_district"]
        self.assertEqual(layer["renderer"], "graduatedSymbol")
        self.assertEqual(layer["count"], 3)
        self.assertTrue(layer["field"].startswith("iso37120"))

    def test_import_layer_equals_strata_import(self):
        districts = self.taipei.parent / "districts.geojson"
        fields = "id=CPTID;name=TNAME;code=CPTID;registered_area_m2=AREA"
        r = self.qgis_process("import_layer", {"INPUT": districts, "KIND": 0, "NAME": "districts",
                                               "FIELDS": fields, "STORE": self.out / "imported.gpkg"})
        direct = self.cli("import", districts, "--kind", "district", "--name", "districts", "--store",
                          self.cli_out / "imported.gpkg", *sum((["--field", f] for f in fields.split(";")), []))
        layer = direct["layers"][0]
        self.assertEqual(int(r["IMPORTED"]), layer["features_imported"])
        self.assertEqual(int(r["REJECTED"]), layer["features_rejected"])
        self.assertEqual(sts.gpkg_row_count(self.out / "imported.gpkg", "districts"), layer["features_imported"])
        seen = self.load_in_qgis([self.out / "imported.gpkg"])[str(self.out / "imported.gpkg")]
        self.assertEqual(seen["districts"]["count"], 3)

    def test_validate_equals_strata_validate(self):
        source = SAMPLES / "3dbag" / "3dbag_b2.city.jsonl"
        r = self.qgis_process("validate", {"INPUT": source, "OUTPUT": self.out / "val.gpkg"})
        direct = self.cli("validate", source)
        errors = sum(v["count"] for v in direct["errors_by_code"].values())
        self.assertGreater(errors, 0)
        self.assertEqual(int(r["ERRORS"]), errors)
        # The invalid objects as `strata validate` counts them (the old provider read a key the
        # engine never emitted, and always said 0).
        self.assertGreater(direct["objects_invalid"], 0)
        self.assertEqual(int(r["INVALID"]), direct["objects_invalid"])
        self.assertLoadsStyled(self.out / "val.gpkg", "validation_errors", errors)

    def test_units_build_and_query_at(self):
        footprints = self.delft / "bgt_pand.gpkg"
        # The sample registry with the first unit's registered area changed from 266.12 m² to
        # 200 m²: one area finding (8xx) to load.
        registry = self.tmp / "registry_area_changed_FICTITIOUS.csv"
        text = (self.delft / "registry_FICTITIOUS.csv").read_text(encoding="utf-8")
        self.assertIn(",266.12,", text)
        registry.write_text(text.replace(",266.12,", ",200.00,", 1), encoding="utf-8")
        r = self.qgis_process("units_build", {"FOOTPRINTS": footprints, "REGISTRY": registry, "ID_FIELD": "gml_id",
                                              "HEIGHT": 9, "STOREY_HEIGHT": 3, "MODEL": self.out / "model.city.json",
                                              "OUTPUT": self.out / "units.gpkg"})
        direct = self.cli("units", "build", footprints, "--registry", registry, "--id-field", "gml_id",
                          "--height", "9", "--storey-height", "3", "--out", self.cli_out / "model.city.json")
        got = json.loads(r["REPORT"])
        self.units_built, got_units = r, direct["legal_spaces"]
        for key in ("buildings", "baunits", "storeys", "parties", "rights", "legal_spaces", "valid"):
            self.assertEqual(got[key], direct[key], key)
        self.assertEqual(int(r["FINDINGS"]), len(direct["findings"]))
        self.assertGreater(len(direct["findings"]), 0)
        self.assertLoadsStyled(self.out / "units.gpkg", "ownership_errors", len(direct["findings"]))
        # A point inside the first unit of the model, asked of QGIS and of the command line.
        model = json.loads((self.out / "model.city.json").read_text(encoding="utf-8"))
        unit_id, unit = next((k, o) for k, o in model["CityObjects"].items() if o["type"] == "BuildingUnit")
        scale, translate = model["transform"]["scale"], model["transform"]["translate"]
        indices = set()

        def walk(b):
            for x in b:
                if isinstance(x, list):
                    walk(x)
                else:
                    indices.add(x)
        walk(unit["geometry"][0]["boundaries"])
        pts = [[model["vertices"][i][k] * scale[k] + translate[k] for k in range(3)] for i in indices]
        x = sum(p[0] for p in pts) / len(pts)
        y = sum(p[1] for p in pts) / len(pts)
        z = (min(p[2] for p in pts) + max(p[2] for p in pts)) / 2
        r = self.qgis_process("query_at", {"X": x, "Y": y, "Z": z, "MODEL": self.out / "model.city.json"})
        direct = self.cli("query", "at", str(x), str(y), str(z), "--model", self.out / "model.city.json")
        got = json.loads(r["RESULT"])
        self.assertEqual(got, direct)
        self.assertIn(unit_id, [u["id"] for u in got["units"]])
        self.assertEqual(int(r["UNITS"]), len(direct["units"]))
        self.assertEqual(int(self.units_built["UNITS"]), got_units)

    def pipe_case(self, kind, params, cli_args, layer):
        r = self.qgis_process(f"pipe_{kind}", dict(params, OUTPUT=self.out / f"{kind}.gpkg"))
        direct = self.cli("pipes", kind, *cli_args, "--gpkg", self.cli_out / f"{kind}.gpkg")
        got = json.loads(r["RESULT"])
        for key in ("gpkg",):
            got.pop(key, None)
            direct.pop(key, None)
        self.assertEqual(without_timings(got), without_timings(direct), kind)
        count = sts.gpkg_row_count(self.cli_out / f"{kind}.gpkg", layer)
        self.assertLoadsStyled(self.out / f"{kind}.gpkg", layer, count,
                               renderer=self.load_in_qgis([self.out / f"{kind}.gpkg"])[str(self.out / f"{kind}.gpkg")]
                               [layer]["renderer"])
        self.assertIsNotNone(self.load_in_qgis([self.out / f"{kind}.gpkg"])[str(self.out / f"{kind}.gpkg")][layer]
                             ["renderer"])
        return got, count

    def test_every_pipe_analysis_equals_strata_pipes(self):
        gas, petroleum = self.kaohsiung / "gas.geojson", self.kaohsiung / "petroleum.geojson"
        rules = self.kaohsiung / "rules.toml"
        delft_gas = self.delft / "GENERATED_gas_pipes.geojson"
        pand = self.delft / "bgt_pand.gpkg"
        with self.subTest("clearance"):
            got, count = self.pipe_case(
                "clearance", {"A": gas, "A_UTILITY": "gas", "B": petroleum, "B_UTILITY": "petroleum", "RULES": rules},
                [gas, petroleum, "--a-utility", "gas", "--b-utility", "petroleum", "--rules", rules], "pipe_clearance")
            self.assertGreater(count, 0)
        with self.subTest("excavation"):
            self.pipe_case("excavation", {"NETWORKS": delft_gas, "UTILITY": "gas", "RULES": rules, "GROUND_Z": 0,
                                          "DIG": pand, "DEPTH": "2"},
                           [delft_gas, "--utility", "gas", "--rules", rules, "--ground-z", "0", "--dig", pand,
                            "--depth", "2"], "pipe_excavation")
        with self.subTest("cover"):
            self.pipe_case("cover", {"NETWORKS": [gas, petroleum], "UTILITY": "gas;petroleum", "RULES": rules,
                                     "GROUND_Z": 0},
                           [gas, petroleum, "--utility", "gas", "--utility", "petroleum", "--rules", rules,
                            "--ground-z", "0"], "pipe_cover")
        with self.subTest("detection"):
            picks = self.tmp / "GENERATED_picks.csv"
            gas_picks(gas, picks, -1.2)
            self.pipe_case("detection", {"NETWORKS": gas, "UTILITY": "gas", "RULES": rules, "GROUND_Z": 0,
                                         "SURVEY": picks},
                           [gas, "--utility", "gas", "--rules", rules, "--ground-z", "0", "--survey", picks],
                           "detection_records")
        with self.subTest("isolate"):
            self.pipe_case("isolate", {"INPUT": gas, "UTILITY": "gas", "RULES": rules, "BREAK_ALL": True},
                           [gas, "--utility", "gas", "--rules", rules, "--break-all"], "isolation_criticality")
        with self.subTest("buildings"):
            self.pipe_case("buildings", {"NETWORKS": delft_gas, "UTILITY": "gas", "RULES": rules, "GROUND_Z": 0,
                                         "BUILDINGS": pand, "BUILDING_ID_FIELD": "gml_id"},
                           [delft_gas, "--utility", "gas", "--rules", rules, "--ground-z", "0", "--buildings",
                            pand, "--building-id-field", "gml_id"], "pipes_under_buildings")
        with self.subTest("parcels"):
            self.pipe_case("parcels", {"NETWORKS": delft_gas, "UTILITY": "gas", "RULES": rules,
                                       "PARCELS": pand, "PARCEL_ID_FIELD": "gml_id"},
                           [delft_gas, "--utility", "gas", "--rules", rules, "--parcels", pand,
                            "--parcel-id-field", "gml_id"], "pipe_parcel_crossings")

    def test_an_engine_error_is_a_processing_error_with_its_code(self):
        bad = self.tmp / "bad.toml"
        bad.write_text("[project]\nname = 1\n", encoding="utf-8")
        args = [QGIS_PROCESS, "--json", "run", "strata:run_project", "--", f"PROJECT={bad}",
                f"OUTPUT={self.out / 'bad.gpkg'}"]
        p = subprocess.run(args, capture_output=True, text=True, env=self.env, timeout=300)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("970", p.stdout + p.stderr)


if __name__ == "__main__":
    # samples/ ships with the repository: no shared data needed.
    sts.wait_for_binary()
    unittest.main(verbosity=2)
