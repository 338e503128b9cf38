"""Export plugins (issue 6): the plugin API, the writers and the privacy profiles, each read back
with an independent reader.

Two real-data projects, both built by the test:
  * Delft (EPSG:28992): the real BGT plant-cover layer imported as green, and the 3D ownership
    model of the three real BGT buildings of tests/fixtures/registry (fictitious parties, saved
    with the bureau profile, so the store holds their names and identity numbers);
  * Kaohsiung (EPSG:3826): the real affected villages, the real Qishan zoning plan, Taipei's real
    unused public land parcels (same CRS; a different city does not matter to an export), the
    real gas and petroleum pipelines as [pipes] networks and their clearance analysis (pipe
    findings).

Readers: QGIS itself (PyQGIS and qgis_process), GDAL/OGR (python3-gdal), GeoPandas, jsonschema
with the official CityJSON 2.0 schemas in ../shared/data/schemas.
Plugins: the example plugin built in the tree (examples.layer_summary) and the libraries of
tests/plugins that fail on purpose.
"""
import csv
import json
import os
import subprocess
from collections import Counter, defaultdict
from fractions import Fraction
from pathlib import Path

import geopandas as gpd
from osgeo import ogr

import strata_test_support as sts

EXIT_EXPORT = 8
FIXTURES = sts.REPO_ROOT / "tests" / "fixtures" / "registry"
EXTENSION = sts.REPO_ROOT / "plugins" / "writers" / "cityjson" / "strata_ladm.ext.json"
BGT = ("delft_ahn3_pointcloud_bgt", "bgt")
GAS = ("kaohsiung_pipelines", "kh_ng_pipelines_twd97.geojson")
PETROLEUM = ("kaohsiung_pipelines", "kh_petroleum_pipelines_twd97.geojson")
VILLAGES = ("kaohsiung_pipelines", "affected_village", "kh_pplines_aff_villages_twd97.geojson")
ZONING = ("taiwan_zoning_tainan_kaohsiung", "S0103_kaohsiung_qishan_zoning.geojson")
PARCELS = ("taipei_parcels_renewal_misc", "building_unsued_land.geojson")
WRITERS = ["writers.gpkg", "writers.cityjson", "writers.cityjsonseq", "writers.citygml", "writers.3dtiles",
           "writers.dxf", "writers.kml"]
EXTENSIONS = {"writers.gpkg": ".gpkg", "writers.cityjson": ".city.json", "writers.cityjsonseq": ".city.jsonl",
              "writers.citygml": ".gml", "writers.3dtiles": "", "writers.dxf": ".dxf", "writers.kml": ".kml", "examples.layer_summary": ".csv"}

RULES = """[utilities.gas]
depth_m = 1.0
diameter_m = 0.2

[utilities.petroleum]
depth_m = 1.5
diameter_m = 0.3

[[clearance]]
between = ["gas", "petroleum"]
min_m = 0.5
"""


def example_plugins() -> Path:
    return Path(os.environ.get("STRATA_EXAMPLE_PLUGINS", sts.REPO_ROOT / "build" / "dev" / "plugin-examples"))


def test_plugins() -> Path:
    return Path(os.environ.get("STRATA_TEST_PLUGINS", sts.REPO_ROOT / "build" / "dev" / "test-plugins"))


def personal_data() -> list:
    """Every party name and identity number of the fixture registry (read here from the CSV)."""
    with (FIXTURES / "valid_registry.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    values = {r["權利人"] for r in rows if r["權利人"]} | {r["統一編號"] for r in rows if r["統一編號"]}
    assert len(values) >= 10, values
    return sorted(values)


def files_of(path: Path) -> list:
    """The files an export wrote: the file itself (or every file of its folder) and, for
    CityJSON, the extension next to it."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file())
    out = [path]
    ext = path.parent / "strata_ladm.ext.json"
    if ext.exists():
        out.append(ext)
    return out


def delft_project(dir: Path) -> Path:
    text = f"""[project]
name = "Delft ownership export"
crs = "EPSG:28992"
store = "store.gpkg"
output = "out"

[[layers]]
name = "green"
kind = "green"
path = "{sts.data_path(*BGT, 'bgt_begroeidterreindeel.sqlite')}"
fields = {{ id = "gml_id", category = "class" }}
"""
    (dir / "project.toml").write_text(text, encoding="utf-8")
    return dir / "project.toml"


def kaohsiung_project(dir: Path, exports: str = "") -> Path:
    (dir / "rules.toml").write_text(RULES, encoding="utf-8")
    text = f"""[project]
name = "Kaohsiung pipelines export"
crs = "EPSG:3826"
store = "store.gpkg"
output = "out"
analyses = ["pipes"]

[[layers]]
name = "villages"
kind = "village"
path = "{sts.data_path(*VILLAGES)}"
fields = {{ id = "VILLAGEID", name = "VILLAGENAM", parent_name = "TOWNNAME" }}

[[layers]]
name = "zoning"
kind = "zoning"
path = "{sts.data_path(*ZONING)}"
fields = {{ zone_code = "分區代", zone_class = "分區類" }}

[[layers]]
name = "parcels"
kind = "parcel"
path = "{sts.data_path(*PARCELS)}"

[pipes]
rules = "rules.toml"

[[pipes.networks]]
name = "gas"
file = "{sts.data_path(*GAS)}"
utility = "gas"
owner_field = "NAME"

[[pipes.networks]]
name = "petroleum"
file = "{sts.data_path(*PETROLEUM)}"
utility = "petroleum"
owner_field = "NAME"

[[pipes.analyses]]
name = "clearance"
kind = "clearance"
networks = ["gas", "petroleum"]
{exports}"""
    (dir / "project.toml").write_text(text, encoding="utf-8")
    return dir / "project.toml"


class ExportCase(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Delft: green + the ownership model saved with the bureau profile.
        cls.delft = cls.new_dir("delft")
        cls.delft_toml = delft_project(cls.delft)
        res = cls.strata("run", cls.delft_toml)
        assert res.returncode == 0, res.describe()
        res = cls.strata("units", "build", sts.data_path(*BGT, "bgt_pand.sqlite"), "--layer", "buildingpart",
                         "--id-field", "gml_id", "--height", "9", "--registry", FIXTURES / "valid_registry.csv",
                         "--store", cls.delft_toml, "--save", "--profile", "bureau",
                         "--out", cls.delft / "model.city.json")
        assert res.returncode == 0, res.describe()
        cls.delft_store = cls.delft / "store.gpkg"
        # Kaohsiung: villages, pipes, clearance findings.
        cls.kh = cls.new_dir("kaohsiung")
        cls.kh_toml = kaohsiung_project(cls.kh)
        res = cls.strata("run", cls.kh_toml)
        assert res.returncode == 0, res.describe()
        cls.gas = gpd.read_file(sts.data_path(*GAS))
        cls.petroleum = gpd.read_file(sts.data_path(*PETROLEUM))
        cls.exports = {}

    @classmethod
    def export(cls, target, to, profile="planner", *extra, name=None):
        """Runs one export (cached): returns (result, output path)."""
        key = (str(target), to, profile, extra)
        if key not in cls.exports:
            out = cls.tmp / "exports" / f"{name or Path(target).parent.name}-{profile}-{to}{EXTENSIONS[to]}"
            out.parent.mkdir(exist_ok=True)
            res = cls.strata("export", target, "--to", to, "--profile", profile, "--out", out,
                             "--plugin-dir", example_plugins(), *extra)
            assert res.returncode == 0, res.describe()
            cls.exports[key] = (res.result, out)
        return cls.exports[key]


# --------------------------------------------------------------------------- plugin API

class PluginApi(ExportCase):
    def test_list_shows_builtins_and_the_example_with_their_options(self):
        res = self.strata("plugins", "list", "--plugin-dir", example_plugins())
        self.assertExit(res, 0)
        plugins = {p["name"]: p for p in res.result["plugins"]}
        for name in WRITERS:
            self.assertEqual(plugins[name]["origin"], "built-in")
        example = plugins["examples.layer_summary"]
        self.assertTrue(example["origin"].endswith("layer_summary.so"), example)
        options = {o["name"]: o for o in example["options"]}
        self.assertEqual(options["separator"]["choices"], ["comma", "tab"])
        self.assertEqual(options["separator"]["default"], "comma")
        self.assertEqual(res.result["failures"], [])

    def test_plugin_path_from_the_environment(self):
        res = sts.run_strata(["plugins", "list"], env={"STRATA_PLUGIN_PATH": str(example_plugins())})
        self.assertIn("examples.layer_summary", [p["name"] for p in res.result["plugins"]])

    def test_broken_libraries_are_reported_and_the_others_still_load(self):
        res = self.strata("plugins", "list", "--plugin-dir", test_plugins(), "--plugin-dir", example_plugins())
        self.assertExit(res, 0)
        failures = {Path(f["path"]).name: f for f in res.result["failures"]}
        self.assertEqual(set(failures), {"no_entry_points.so", "wrong_abi.so", "throws_on_register.so",
                                         "registers_nothing.so"}, res.describe())
        for f in failures.values():
            self.assertEqual(f["code"], 980)
        self.assertIn("not a strata plugin, nothing of it was run", failures["no_entry_points.so"]["message"])
        self.assertIn("plugin ABI", failures["wrong_abi.so"]["message"])
        self.assertIn("licence file is missing", failures["throws_on_register.so"]["message"])
        self.assertIn("registered no plugin", failures["registers_nothing.so"]["message"])
        self.assertIn("examples.layer_summary", [p["name"] for p in res.result["plugins"]])

    def test_what_strata_says_of_a_library_is_what_happened(self):
        """A library without strata's entry points is recognised from its file and never run;
        one that was loaded says its initialisers ran (each leaves a marker when it is loaded)."""
        markers = self.new_dir("markers")
        res = sts.run_strata(["plugins", "list", "--plugin-dir", str(test_plugins())],
                             env={"STRATA_TEST_PLUGIN_MARKERS": str(markers)})
        failures = {Path(f["path"]).name: f["message"] for f in res.result["failures"]}
        ran = {p.stem for p in markers.glob("*.ran")}
        self.assertNotIn("no_entry_points", ran)
        self.assertIn("nothing of it was run", failures["no_entry_points.so"])
        for name in ["wrong_abi", "throws_on_register", "registers_nothing"]:
            self.assertIn(name, ran)
            self.assertIn("initialisers ran", failures[name + ".so"])

    def test_libraries_others_can_change_are_not_loaded(self):
        d = self.new_dir("shared_folder")
        import shutil, stat
        lib = d / "layer_summary.so"
        shutil.copy(example_plugins() / "layer_summary.so", lib)
        os.chmod(lib, 0o755)
        os.chmod(d, 0o777)  # anyone may replace the library
        res = self.strata("plugins", "list", "--plugin-dir", d)
        self.assertEqual(len(res.result["failures"]), 1, res.describe())
        self.assertIn("writable by other users", res.result["failures"][0]["message"])
        self.assertNotIn("examples.layer_summary", [p["name"] for p in res.result["plugins"]])
        os.chmod(d, 0o755)
        os.chmod(lib, 0o766)
        res = self.strata("plugins", "list", "--plugin-dir", d)
        self.assertIn("writable by other users", res.result["failures"][0]["message"])
        os.chmod(lib, 0o755)
        res = self.strata("plugins", "list", "--plugin-dir", d)
        self.assertEqual(res.result["failures"], [])
        self.assertIn("examples.layer_summary", [p["name"] for p in res.result["plugins"]])

    def test_a_file_that_is_not_a_library(self):
        d = self.new_dir("not_a_library")
        (d / "notes.so").write_text("this is text, not ELF", encoding="utf-8")
        res = self.strata("plugins", "list", "--plugin-dir", d)
        self.assertExit(res, 0)
        self.assertEqual(len(res.result["failures"]), 1)
        self.assertIn("not a 64-bit ELF shared library", res.result["failures"][0]["message"])
        res = self.strata("plugins", "list", "--plugin-dir", d / "missing")
        self.assertIn("does not exist", res.result["failures"][0]["message"])

    def test_example_plugin_lists_every_layer_with_its_count(self):
        result, out = self.export(self.delft_store, "examples.layer_summary", name="delft-store")
        with out.open(encoding="utf-8") as f:
            rows = {r["layer"]: r for r in csv.DictReader(f)}
        expected = {"green": len(gpd.read_file(self.delft_store, layer="green")),
                    "buildings_3d": len(gpd.read_file(self.delft_store, layer="buildings_3d")),
                    "building_storeys": len(gpd.read_file(self.delft_store, layer="building_storeys")),
                    "legal_spaces": len(gpd.read_file(self.delft_store, layer="legal_spaces"))}
        self.assertEqual({k: int(r["features"]) for k, r in rows.items()}, expected)
        self.assertEqual(rows["legal_spaces"]["class"], "building_unit")
        self.assertEqual(rows["legal_spaces"]["geometry"], "volume")
        res = self.strata("export", self.delft_store, "--to", "examples.layer_summary", "--plugin-dir",
                          example_plugins(), "-o", "separator=tab", "--out", self.tmp / "tab.csv")
        self.assertExit(res, 0)
        self.assertIn("layer\tclass", (self.tmp / "tab.csv").read_text(encoding="utf-8"))

    def test_a_plugin_that_throws_gives_981_and_names_itself(self):
        res = self.strata("export", self.delft_store, "--to", "examples.layer_summary", "--plugin-dir",
                          example_plugins(), "-o", "fail=true", "--out", self.tmp / "fail.csv")
        err = self.assertError(res, EXIT_EXPORT, 981, "PLUGIN_FAILED")
        self.assertIn("examples.layer_summary", err["message"])
        self.assertIn("asked to fail", err["message"])

    def test_usage_errors(self):
        cases = [(["--to", "writers.nothing"], "no export plugin named 'writers.nothing'"),
                 (["--to", "writers.gpkg", "-o", "colour=red"], "unknown option 'colour'"),
                 (["--to", "writers.gpkg", "-o", "styles=maybe"], "must be true or false"),
                 (["--to", "writers.cityjson", "-o", "scale=fine"], "must be a number"),
                 (["--to", "examples.layer_summary", "--plugin-dir", str(example_plugins()), "-o",
                   "separator=pipe"], "must be one of comma, tab"),
                 (["--to", "writers.gpkg", "--profile", "press"], "unknown privacy profile 'press'"),
                 (["--to", "writers.gpkg", "--layer", "roads"], "has no layer 'roads'")]
        for args, message in cases:
            with self.subTest(args=args):
                res = self.strata("export", self.delft_store, *args, "--out", self.tmp / "usage.gpkg")
                err = self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")
                self.assertIn(message, err["message"])
        self.assertFalse((self.tmp / "usage.gpkg").exists())

    def test_project_exports_run_each_and_carry_on_after_a_failure(self):
        d = self.new_dir("project_exports")
        exports = f"""
[plugins]
paths = ["{example_plugins()}"]

[[exports]]
to = "examples.layer_summary"
path = "first.csv"
options = {{ fail = true }}

[[exports]]
to = "writers.gpkg"
path = "qgis.gpkg"
profile = "engineer"
"""
        toml = kaohsiung_project(d, exports)
        res = self.strata("run", toml)
        self.assertExit(res, EXIT_EXPORT)
        summary = json.loads((d / "out" / "summary.json").read_text(encoding="utf-8"))
        first, second = summary["exports"]
        self.assertEqual(first["error"]["code"], 981)
        self.assertIn("project.toml:", first["error"]["message"])
        self.assertEqual(second["plugin"], "writers.gpkg")
        self.assertTrue((d / "out" / "qgis.gpkg").exists())
        self.assertFalse((d / "out" / "first.csv").exists())
        layers = set(ogr_layer_names(d / "out" / "qgis.gpkg"))
        self.assertTrue({"villages", "pipes_gas", "pipes_petroleum"} <= layers, layers)
        # `strata export PROJECT` without --to runs the same list.
        res = self.strata("export", toml)
        self.assertExit(res, EXIT_EXPORT)
        self.assertEqual([e.get("plugin") for e in res.result["exports"]], ["examples.layer_summary", "writers.gpkg"])


def ogr_layer_names(path: Path) -> list:
    ds = ogr.Open(str(path))
    return [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]


# --------------------------------------------------------------------------- GeoPackage for QGIS

QGIS_CHECK = r"""
import json, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
out = {}
for name in sys.argv[2:]:
    layer = QgsVectorLayer(f"{sys.argv[1]}|layername={name}", name, "ogr")
    r = layer.renderer() if layer.isValid() else None
    entry = {"valid": layer.isValid(), "count": layer.featureCount(), "renderer": r.type() if r else None,
             "crs": layer.crs().authid(), "wkb": layer.wkbType()}
    if r and r.type() == "categorizedSymbol":
        entry["field"] = r.classAttribute()
        entry["categories"] = {c.value(): c.symbol().color().name() for c in r.categories()}
    if r and r.type() == "graduatedSymbol":
        entry["field"] = r.classAttribute()
        entry["ranges"] = [[x.lowerValue(), x.upperValue()] for x in r.ranges()]
        # Which class QGIS itself draws each feature with (an empty list: not drawn at all).
        from qgis.core import QgsRenderContext
        ctx = QgsRenderContext()
        r.startRender(ctx, layer.fields())
        entry["drawn"] = [[f[r.classAttribute()], sorted(int(k) for k in r.legendKeysForFeature(f, ctx))]
                          for f in layer.getFeatures()]
        r.stopRender(ctx)
    out[name] = entry
print(json.dumps(out), flush=True)
# QGIS 3.22 may crash while tearing down layers at exit; the answer is already out.
import os
os._exit(0)
"""


def qgis_open(gpkg: Path, layers: list) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    p = subprocess.run(["/usr/bin/python3", "-c", QGIS_CHECK, str(gpkg), *layers], capture_output=True,
                       text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


class GeoPackageForQgis(ExportCase):
    def test_delft_layers_open_styled_in_qgis_with_their_counts(self):
        result, out = self.export(self.delft_store, "writers.gpkg", name="delft-store")
        layers = ["green", "buildings_3d", "building_storeys", "legal_spaces"]
        opened = qgis_open(out, layers)
        for name in layers:
            with self.subTest(layer=name):
                self.assertTrue(opened[name]["valid"], opened[name])
                self.assertEqual(opened[name]["count"], len(gpd.read_file(self.delft_store, layer=name)))
                self.assertEqual(opened[name]["crs"], "EPSG:28992")
        self.assertEqual(opened["green"]["renderer"], "singleSymbol")
        units = opened["legal_spaces"]
        self.assertEqual(units["renderer"], "categorizedSymbol")
        self.assertEqual(units["field"], "unit_kind")
        kinds = set(gpd.read_file(out, layer="legal_spaces")["unit_kind"])
        self.assertEqual(set(units["categories"]), kinds)

    def test_units_keep_their_3d_faces(self):
        _, out = self.export(self.delft_store, "writers.gpkg", name="delft-store")
        stored = gpd.read_file(self.delft_store, layer="legal_spaces").set_index("sid")
        exported = gpd.read_file(out, layer="legal_spaces")
        self.assertEqual(len(exported), len(stored))
        # Common parts registered without an outline: rows without geometry, with their shares.
        volumeless = set(stored.index[stored.geometry.isna()])
        self.assertGreater(len(volumeless), 0, "premise: the registry has common parts without outline")
        for _, row in exported.iterrows():
            if row["id"] in volumeless:
                self.assertIsNone(row.geometry, row["id"])
                self.assertEqual(row["unit_kind"], "common", row["id"])
                continue
            self.assertTrue(row.geometry.has_z, row["id"])
            self.assertEqual(row["id"], f"{row['building_no']}/F{row['floor']}")
            self.assertEqual(row["parent"], stored.loc[row["id"], "parent"])
            original = stored.loc[row["id"]].geometry
            self.assertEqual(len(row.geometry.geoms), len(original.geoms))
            zs = [c[2] for p in row.geometry.geoms for c in p.exterior.coords]
            zo = [c[2] for p in original.geoms for c in p.exterior.coords]
            self.assertAlmostEqual(min(zs), min(zo), places=6)
            self.assertAlmostEqual(max(zs), max(zo), places=6)
            self.assertAlmostEqual(row.geometry.area, original.area, places=3)

    def test_pipes_indicators_and_findings_open_styled_and_qgis_process_reads_them(self):
        result, out = self.export(self.kh_toml, "writers.gpkg")
        names = {l["name"]: l for l in result["layers"]}
        self.assertEqual(names["pipes_gas"]["features"], len(self.gas))
        self.assertEqual(names["pipes_petroleum"]["features"], len(self.petroleum))
        findings = [n for n, l in names.items() if l["class"] == "finding"]
        self.assertTrue(findings, names)
        opened = qgis_open(out, ["villages", "zoning", "parcels", "pipes_gas", "pipes_petroleum", *findings])
        # Zones categorised by their class, one category per class of the plan; parcels filled.
        zoning = gpd.read_file(sts.data_path(*ZONING))
        self.assertEqual(opened["zoning"]["renderer"], "categorizedSymbol")
        self.assertEqual(opened["zoning"]["field"], "zone_class")
        self.assertEqual(set(opened["zoning"]["categories"]), set(zoning["分區類"].dropna()))
        self.assertEqual(opened["zoning"]["count"], len(zoning))
        self.assertEqual(opened["parcels"]["renderer"], "singleSymbol")
        self.assertEqual(opened["parcels"]["count"], len(gpd.read_file(self.kh / "store.gpkg", layer="parcels")))
        for name in ["pipes_gas", "pipes_petroleum"]:
            self.assertEqual(opened[name]["renderer"], "categorizedSymbol")
            self.assertEqual(opened[name]["field"], "utility")
        # APWA colours: gas yellow, petroleum orange.
        self.assertEqual(opened["pipes_gas"]["categories"], {"gas": "#e6be00"})
        self.assertEqual(opened["pipes_petroleum"]["categories"], {"petroleum": "#e69600"})
        for f in findings:
            self.assertTrue(opened[f]["valid"])
            self.assertEqual(opened[f]["count"], len(gpd.read_file(self.kh / "out" / "pipes" / "clearance.gpkg",
                                                                   layer=f.split("clearance_", 1)[1])))
        # 3D pipes: the exported axis keeps the depths (LineString Z).
        gas = gpd.read_file(out, layer="pipes_gas")
        self.assertTrue(all(g.has_z for g in gas.geometry))
        self.assertAlmostEqual(gas.length.sum(), self.gas.length.sum(), delta=1e-6 * self.gas.length.sum())
        # QGIS's own command line opens every layer of the file.
        info = self.tmp / "layers_info.gpkg"
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        inputs = [f"--LAYERS={out}|layername={n}" for n in ["villages", "pipes_gas", "pipes_petroleum", *findings]]
        p = subprocess.run(["qgis_process.bin", "run", "native:exportlayersinformation", *inputs,
                            f"--OUTPUT={info}"], capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])
        described = gpd.read_file(info)
        self.assertEqual(len(described), 3 + len(findings))
        self.assertEqual(set(described["crs"]), {"EPSG:3826"})

    def test_indicators_are_graduated(self):
        d = self.new_dir("samples")
        res = self.strata("run", sts.REPO_ROOT / "samples" / "taipei" / "project.toml")
        self.assertExit(res, 0)
        out = d / "samples.gpkg"
        res = self.strata("export", sts.REPO_ROOT / "samples" / "taipei" / "project.toml", "--to", "writers.gpkg",
                          "--out", out)
        self.assertExit(res, 0)
        opened = qgis_open(out, ["districts", "indicators_district", "indicators_village"])
        for layer in ["indicators_district", "indicators_village"]:
            with self.subTest(layer=layer):
                ind = opened[layer]
                self.assertEqual(ind["renderer"], "graduatedSymbol")
                self.assertEqual(ind["field"], "iso37120_21_1")
                values = sorted(v for v in gpd.read_file(out, layer=layer)["iso37120_21_1"] if v == v)
                distinct = len(set(values))
                # Quantile classes: as many as the data allows, up to 5 (a collapsed style has 1).
                self.assertEqual(len(ind["ranges"]), min(5, distinct), ind["ranges"])
                self.assertEqual(ind["ranges"][0][0], values[0])
                self.assertEqual(ind["ranges"][-1][1], values[-1])
                drawn = [(v, keys) for v, keys in ind["drawn"] if v is not None]
                self.assertEqual(len(drawn), len(values))
                for value, keys in drawn:
                    # QGIS draws every feature, in exactly one class, and that class holds its value.
                    self.assertEqual(len(keys), 1, f"{layer}: {value} is drawn in classes {keys}")
                    lower, upper = ind["ranges"][keys[0]]
                    self.assertTrue(lower <= value <= upper, (value, lower, upper))
                # Greener features never fall in a lighter class than less green ones.
                by_value = sorted(drawn)
                self.assertEqual([k for _, k in by_value], sorted(k for _, k in by_value))
                self.assertEqual(by_value[0][1], [0])
                self.assertEqual(by_value[-1][1], [len(ind["ranges"]) - 1])


# --------------------------------------------------------------------------- CityJSON

def cityjson_schemas() -> dict:
    """The CityJSON 2.0 schemas by their $id, so that the extension's references
    (cityobjects.schema.json#/_AbstractCityObject) resolve offline."""
    folder = sts.data_path("schemas", "cityjson-2.0")
    store = {}
    for name in ["cityjson", "cityobjects", "geomprimitives", "appearance", "geomtemplates", "metadata"]:
        doc = json.loads((folder / f"{name}.schema.json").read_text(encoding="utf-8"))
        store[doc["$id"]] = doc
    return store


def extension_errors(doc_objects: dict, root: dict, ext: dict) -> list:
    """What cjval checks for an extension and the core schema cannot: every +type object against
    its extraCityObjects schema, every +attribute against extraAttributes, every +root property
    against extraRootProperties."""
    import jsonschema
    store = cityjson_schemas()
    base = "https://www.cityjson.org/schemas/2.0.2/"

    def validator(schema):
        full = dict(schema, definitions=ext.get("definitions", {}))
        # Resolved as if the extension sat next to the CityJSON schemas (as cjval does).
        resolver = jsonschema.RefResolver(base + "strata_ladm.ext.json", full, store=store)
        return jsonschema.Draft7Validator(full, resolver=resolver)

    errors = []
    for oid, o in doc_objects.items():
        if o["type"].startswith("+"):
            schema = ext["extraCityObjects"].get(o["type"])
            if schema is None:
                errors.append(f"{oid}: type {o['type']} not in the extension")
                continue
            errors += [f"{oid}: {e.message[:150]}" for e in validator(schema).iter_errors(o)]
        for k, v in (o.get("attributes") or {}).items():
            if k.startswith("+"):
                schema = ext["extraAttributes"].get(o["type"], {}).get(k)
                if schema is None:
                    errors.append(f"{oid}: attribute {k} not in the extension for {o['type']}")
                    continue
                errors += [f"{oid}.{k}: {e.message[:150]}" for e in validator(schema).iter_errors(v)]
    for k, v in root.items():
        if k.startswith("+"):
            schema = ext["extraRootProperties"].get(k)
            if schema is None:
                errors.append(f"root property {k} not in the extension")
                continue
            errors += [f"{k}: {e.message[:150]}" for e in validator(schema).iter_errors(v)]
    return errors


def schema_errors(doc: dict, name: str) -> list:
    import jsonschema
    schema = json.loads(sts.data_path("schemas", "cityjson-2.0", name).read_text(encoding="utf-8"))
    return [f"{list(e.absolute_path)[:4]}: {e.message[:200]}" for e in jsonschema.Draft7Validator(schema).iter_errors(doc)][:5]


def vertices_of(doc: dict, geometry: dict, transform: dict) -> list:
    s, t = transform["scale"], transform["translate"]

    def flat(b):
        if isinstance(b, int):
            yield b
        else:
            for x in b:
                yield from flat(x)
    return [[doc["vertices"][i][k] * s[k] + t[k] for k in range(3)] for i in flat(geometry["boundaries"])]


class CityJsonExport(ExportCase):
    def test_the_extension_file_is_a_valid_cityjson_extension(self):
        import jsonschema
        schema = json.loads(sts.data_path("schemas", "cityjson-2.0", "extensions", "extension.schema.json")
                            .read_text(encoding="utf-8"))
        ext = json.loads(EXTENSION.read_text(encoding="utf-8"))
        self.assertEqual(list(jsonschema.Draft7Validator(schema).iter_errors(ext)), [])

    def test_delft_model_validates_with_its_extension(self):
        result, out = self.export(self.delft_toml, "writers.cityjson", "planner")
        doc = json.loads(out.read_text(encoding="utf-8"))
        self.assertEqual(schema_errors(doc, "cityjson.min.schema.json"), [])
        ext = json.loads((out.parent / "strata_ladm.ext.json").read_text(encoding="utf-8"))
        self.assertEqual(ext, json.loads(EXTENSION.read_text(encoding="utf-8")))
        self.assertEqual(doc["extensions"]["StrataLADM"]["url"], "strata_ladm.ext.json")
        self.assertEqual(extension_errors(doc["CityObjects"], doc, ext), [])
        types = Counter(o["type"] for o in doc["CityObjects"].values())
        stored_units = gpd.read_file(self.delft_store, layer="legal_spaces")
        self.assertEqual(types["BuildingUnit"], len(stored_units))
        self.assertEqual(types["Building"], len(gpd.read_file(self.delft_store, layer="buildings_3d")))
        # Parents and children agree both ways.
        for oid, o in doc["CityObjects"].items():
            for c in o.get("children", []):
                self.assertIn(oid, doc["CityObjects"][c]["parents"])
            for p in o.get("parents", []):
                self.assertIn(oid, doc["CityObjects"][p]["children"])

    def test_rights_and_shares_match_the_registry(self):
        _, out = self.export(self.delft_toml, "writers.cityjson", "planner")
        doc = json.loads(out.read_text(encoding="utf-8"))
        ladm = doc["+ladm"]
        self.assertEqual(ladm["profile"], "planner")
        with (FIXTURES / "valid_registry.csv").open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        # The registry's shares per building number with a legal space, summed independently.
        expected = defaultdict(list)
        for r in rows:
            expected[r["建號"]].append(r["權利範圍"])
        for no, b in ladm["baunits"].items():
            with self.subTest(baunit=no):
                self.assertEqual(len(b["rrr"]), len(expected[no]))
                self.assertEqual(sum(Fraction(x["share"]) for x in b["rrr"]), 1)
                for su in b["spatialUnits"]:
                    self.assertEqual(doc["CityObjects"][su]["attributes"]["+ladm-baunit"], no)
                for x in b["rrr"]:
                    self.assertIn(x["party"], ladm["parties"])
        # Every registered unit is there, the common parts without an outline too (issue 19).
        self.assertEqual(set(ladm["baunits"]), set(expected))
        # Parties are references only: no name, no identity number.
        self.assertTrue(all(p == {} for p in ladm["parties"].values()), ladm["parties"])
        # z range of a unit = its floor's storey (3 m storeys, 9 m buildings).
        unit = doc["CityObjects"]["01002-000/F2"]
        zs = [v[2] for v in vertices_of(doc, unit["geometry"][0], doc["transform"])]
        self.assertAlmostEqual(min(zs), unit["attributes"]["+ladm-zBottom"], places=3)
        self.assertAlmostEqual(max(zs) - min(zs), 3.0, places=3)

    def test_sequence_holds_the_same_objects(self):
        _, whole = self.export(self.delft_toml, "writers.cityjson", "planner")
        _, seq = self.export(self.delft_toml, "writers.cityjsonseq", "planner")
        doc = json.loads(whole.read_text(encoding="utf-8"))
        lines = seq.read_text(encoding="utf-8").splitlines()
        header = json.loads(lines[0])
        self.assertEqual(header["CityObjects"], {})
        self.assertEqual(schema_errors(header, "cityjson.min.schema.json"), [])
        ext = json.loads(EXTENSION.read_text(encoding="utf-8"))
        seen = {}
        for line in lines[1:]:
            feature = json.loads(line)
            self.assertEqual(schema_errors(feature, "cityjsonfeature.min.schema.json"), [])
            self.assertIn(feature["id"], feature["CityObjects"])
            self.assertEqual(extension_errors(feature["CityObjects"], {}, ext), [])
            for oid, o in feature["CityObjects"].items():
                self.assertNotIn(oid, seen)
                seen[oid] = (o, feature)
        self.assertEqual(set(seen), set(doc["CityObjects"]))
        # Coordinates decode to the same points in both.
        for oid in ["01001-000/F1", "01002-000/F2"]:
            o, feature = seen[oid]
            a = vertices_of(feature, o["geometry"][0], header["transform"])
            b = vertices_of(doc, doc["CityObjects"][oid]["geometry"][0], doc["transform"])
            self.assertEqual(len(a), len(b))
            for p, q in zip(a, b):
                for k in range(3):
                    self.assertAlmostEqual(p[k], q[k], places=3)

    def test_pipes_are_utility_pipe_objects(self):
        result, out = self.export(self.kh_toml, "writers.cityjson", "engineer")
        doc = json.loads(out.read_text(encoding="utf-8"))
        self.assertEqual(schema_errors(doc, "cityjson.min.schema.json"), [])
        ext = json.loads(EXTENSION.read_text(encoding="utf-8"))
        self.assertEqual(extension_errors(doc["CityObjects"], doc, ext), [])
        pipes = [o for o in doc["CityObjects"].values() if o["type"] == "+UtilityPipe"]
        self.assertEqual(Counter(o["attributes"]["utility"] for o in pipes),
                         Counter({"gas": len(self.gas), "petroleum": len(self.petroleum)}))
        # The axis keeps the plan length of the source lines (metres, EPSG:3826).
        from shapely.geometry import LineString
        total = 0.0
        for o in pipes:
            if o["attributes"]["utility"] != "gas":
                continue
            for part in o["geometry"][0]["boundaries"]:
                pts = [[doc["vertices"][i][k] * doc["transform"]["scale"][k] + doc["transform"]["translate"][k]
                        for k in range(3)] for i in part]
                total += LineString([p[:2] for p in pts]).length
        self.assertAlmostEqual(total, self.gas.length.sum(), delta=0.01 * len(self.gas))
        # Depths below ground: gas at its rule depth of 1 m of cover (source has none).
        self.assertTrue(all(o["attributes"]["assumed"] for o in pipes if o["attributes"]["utility"] == "gas"))


# --------------------------------------------------------------------------- CityGML 3.0

class CityGmlExport(ExportCase):
    NS = {"core": "http://www.opengis.net/citygml/3.0", "bldg": "http://www.opengis.net/citygml/building/3.0",
          "gml": "http://www.opengis.net/gml/3.2", "xlink": "http://www.w3.org/1999/xlink"}

    def test_valid_against_the_official_schemas(self):
        _, out = self.export(self.delft_toml, "writers.citygml", "planner")
        schemas = sts.data_path("schemas", "citygml-3.0")
        env = dict(os.environ, XML_CATALOG_FILES=str(schemas / "catalog.xml"))
        p = subprocess.run(["xmllint", "--nonet", "--noout", "--schema", str(schemas / "citygml" / "CityGML.xsd"),
                            str(out)], capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        self.assertIn("validates", p.stderr)

    def test_read_back_buildings_storeys_and_units(self):
        from lxml import etree
        _, out = self.export(self.delft_toml, "writers.citygml", "planner")
        root = etree.parse(str(out)).getroot()
        ns = self.NS
        ident = lambda e: e.find("gml:identifier", ns).text
        buildings = root.findall("core:cityObjectMember/bldg:Building", ns)
        units = root.findall(".//bldg:BuildingUnit", ns)
        storeys = root.findall(".//bldg:Storey", ns)
        self.assertEqual({ident(b) for b in buildings}, set(gpd.read_file(self.delft_store, layer="buildings_3d")["sid"]))
        self.assertEqual({ident(s) for s in storeys}, set(gpd.read_file(self.delft_store, layer="building_storeys")["sid"]))
        stored = gpd.read_file(self.delft_store, layer="legal_spaces").set_index("sid")
        self.assertEqual({ident(u) for u in units}, set(stored.index))
        gml_ids = {e.get("{http://www.opengis.net/gml/3.2}id") for e in root.iter()}
        volumeless = set(stored.index[stored.geometry.isna()])
        self.assertGreater(len(volumeless), 0, "premise: the registry has common parts without outline")
        for u in units:
            uid = ident(u)
            # Each unit sits in its building and links a storey that exists.
            self.assertEqual(ident(u.getparent().getparent()), stored.loc[uid, "parent"])
            if uid in volumeless:  # a common part: in its building, no storey, no solid
                self.assertIsNone(u.find("bldg:storey", ns), uid)
                self.assertEqual(list(u.iterfind(".//gml:posList", ns)), [], uid)
                continue
            href = u.find("bldg:storey", ns).get("{http://www.w3.org/1999/xlink}href")
            self.assertIn(href[1:], gml_ids)
            z = [float(v) for pl in u.iterfind(".//gml:posList", ns) for v in pl.text.split()[2::3]]
            zo = [c[2] for poly in stored.loc[uid].geometry.geoms for c in poly.exterior.coords]
            self.assertAlmostEqual(min(z), min(zo), places=5)
            self.assertAlmostEqual(max(z), max(zo), places=5)
        # strata's own CityGML reader reads every solid back.
        res = self.strata("inspect", out)
        self.assertExit(res, 0)
        self.assertEqual(res.result["version"], "3.0")
        self.assertEqual(res.result["geometries"]["Solid LoD1"],
                         len(buildings) + len(storeys) + len(units) - len(volumeless))


# --------------------------------------------------------------------------- 3D Tiles / glTF

def read_glb(path: Path):
    """The JSON and binary chunks of a .glb (glTF 2.0 binary container), read by hand."""
    import struct
    data = path.read_bytes()
    magic, version, length = struct.unpack_from("<4sII", data, 0)
    assert magic == b"glTF" and version == 2 and length == len(data), (magic, version, length)
    json_len, json_type = struct.unpack_from("<II", data, 12)
    assert json_type == 0x4E4F534A
    doc = json.loads(data[20:20 + json_len])
    bin_len, bin_type = struct.unpack_from("<II", data, 20 + json_len)
    assert bin_type == 0x004E4942
    return doc, data[28 + json_len:28 + json_len + bin_len]


def accessor_values(doc, binary, index):
    import struct
    a = doc["accessors"][index]
    view = doc["bufferViews"][a["bufferView"]]
    width = {"SCALAR": 1, "VEC3": 3}[a["type"]]
    assert a["componentType"] == 5126  # FLOAT
    flat = struct.unpack_from(f"<{a['count'] * width}f", binary, view.get("byteOffset", 0) + a.get("byteOffset", 0))
    return [flat[i:i + width] for i in range(0, len(flat), width)]


def property_strings(doc, binary, name):
    import struct
    table = doc["extensions"]["EXT_structural_metadata"]["propertyTables"][0]
    prop = table["properties"][name]
    values = doc["bufferViews"][prop["values"]]
    offsets = doc["bufferViews"][prop["stringOffsets"]]
    off = struct.unpack_from(f"<{table['count'] + 1}I", binary, offsets["byteOffset"])
    raw = binary[values["byteOffset"]:values["byteOffset"] + values["byteLength"]]
    return [raw[off[i]:off[i + 1]].decode("utf-8") for i in range(table["count"])]


def gltf_validate(files: list) -> list:
    node_tools = sts.REPO_ROOT / "scripts" / "npm"
    p = subprocess.run(["node", str(node_tools / "gltf_validate.js"), *map(str, files)], capture_output=True,
                       text=True, timeout=300, env=dict(os.environ, NODE_PATH=str(node_tools / "node_modules")))
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads(p.stdout)


class TilesExport(ExportCase):
    def test_tileset_and_glbs_are_valid(self):
        import jsonschema
        _, out = self.export(self.delft_toml, "writers.3dtiles", "planner")
        tileset = json.loads((out / "tileset.json").read_text(encoding="utf-8"))
        folder = sts.data_path("schemas", "3dtiles-1.1")
        schema = json.loads((folder / "tileset.schema.json").read_text(encoding="utf-8"))
        resolver = jsonschema.RefResolver((folder / "tileset.schema.json").as_uri(), schema)
        errors = list(jsonschema.Draft202012Validator(schema, resolver=resolver).iter_errors(tileset))
        self.assertEqual([e.message for e in errors], [])
        self.assertEqual(tileset["asset"]["version"], "1.1")
        glbs = sorted(out.glob("*.glb"))
        self.assertEqual({g.stem for g in glbs}, {"buildings_3d", "building_storeys", "legal_spaces"})
        self.assertEqual({c["content"]["uri"] for c in tileset["root"]["children"]}, {g.name for g in glbs})
        for report in gltf_validate(glbs):
            self.assertEqual((report["errors"], report["warnings"]), (0, 0), report)

    def test_feature_ids_link_back_to_units_at_their_place(self):
        from pyproj import Transformer
        _, out = self.export(self.delft_toml, "writers.3dtiles", "planner")
        tileset = json.loads((out / "tileset.json").read_text(encoding="utf-8"))
        m = tileset["root"]["transform"]  # column-major ENU -> ECEF
        doc, binary = read_glb(out / "legal_spaces.glb")
        ids = property_strings(doc, binary, "id")
        stored = gpd.read_file(self.delft_store, layer="legal_spaces").set_index("sid")
        self.assertEqual(sorted(ids), sorted(stored.index))
        self.assertEqual(set(property_strings(doc, binary, "baunit")), set(stored.index.str.split("/").str[0]))
        prim = doc["meshes"][0]["primitives"][0]
        positions = accessor_values(doc, binary, prim["attributes"]["POSITION"])
        features = [int(v[0]) for v in accessor_values(doc, binary, prim["attributes"]["_FEATURE_ID_0"])]
        to_project = Transformer.from_crs("EPSG:4978", "EPSG:28992", always_xy=True)
        by_feature = defaultdict(list)
        for (x, y, z), k in zip(positions, features):
            e, n, u = x, -z, y  # glTF y-up back to east-north-up
            ecef = [m[0] * e + m[4] * n + m[8] * u + m[12], m[1] * e + m[5] * n + m[9] * u + m[13],
                    m[2] * e + m[6] * n + m[10] * u + m[14]]
            by_feature[k].append(to_project.transform(*ecef))
        for k, points in by_feature.items():
            unit = stored.loc[ids[k]].geometry
            xs, ys, zs = zip(*points)
            minx, miny, maxx, maxy = unit.bounds
            zo = [c[2] for poly in unit.geoms for c in poly.exterior.coords]
            for got, want in ((min(xs), minx), (max(xs), maxx), (min(ys), miny), (max(ys), maxy),
                              (min(zs), min(zo)), (max(zs), max(zo))):
                self.assertAlmostEqual(got, want, delta=0.01, msg=ids[k])

    def test_pipes_are_tubes_with_their_ids(self):
        _, out = self.export(self.kh_toml, "writers.3dtiles", "engineer")
        self.assertEqual({g.stem for g in out.glob("*.glb")}, {"pipes_gas", "pipes_petroleum"})
        for report in gltf_validate(sorted(out.glob("*.glb"))):
            self.assertEqual((report["errors"], report["warnings"]), (0, 0), report)
        doc, binary = read_glb(out / "pipes_gas.glb")
        ids = property_strings(doc, binary, "id")
        self.assertEqual(len(ids), len(self.gas))
        self.assertTrue(all(i.startswith("gas/") for i in ids))
        self.assertEqual(set(property_strings(doc, binary, "utility")), {"gas"})


# --------------------------------------------------------------------------- DXF and KML

class DxfAndKml(ExportCase):
    def test_dxf_has_a_layer_per_exported_layer_with_3d_pipes(self):
        result, out = self.export(self.kh_toml, "writers.dxf", "engineer")
        ds = ogr.Open(str(out))
        self.assertIsNotNone(ds)
        layer = ds.GetLayer(0)
        by_layer = Counter()
        zs = []
        for f in layer:
            by_layer[f.GetField("Layer")] += 1
            g = f.GetGeometryRef()
            if f.GetField("Layer") == "pipes_gas":
                zs += [g.GetZ(i) for i in range(g.GetPointCount())]
        parts = sum(len(getattr(g, "geoms", [g])) for g in self.gas.geometry)
        self.assertEqual(by_layer["pipes_gas"], parts)
        self.assertEqual(by_layer["villages"], sum(len(getattr(g, "geoms", [g])) for g in gpd.read_file(sts.data_path(*VILLAGES)).geometry))
        # No terrain given: the ground is z = 0 and the axes lie below it, at their rule depths.
        self.assertTrue(zs and all(-3 < z < 0 for z in zs), zs[:5])
        self.assertEqual(set(by_layer) - {"0"}, {l["name"] for l in result["layers"]})

    def test_kml_is_wgs84_with_attributes(self):
        result, out = self.export(self.delft_toml, "writers.kml", "planner")
        ds = ogr.Open(str(out))
        names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
        self.assertEqual(set(names), {"green", "buildings_3d", "building_storeys", "legal_spaces"})
        units = ds.GetLayerByName("legal_spaces")
        self.assertEqual(units.GetFeatureCount(), len(gpd.read_file(self.delft_store, layer="legal_spaces")))
        stored = gpd.read_file(self.delft_store, layer="legal_spaces").set_index("sid").to_crs(4326)
        volumeless = set(stored.index[stored.geometry.isna()])
        for f in units:
            name = f.GetField("Name")
            self.assertIn(name, stored.index)
            if name in volumeless:  # a common part without outline: a placemark without a place
                self.assertIsNone(f.GetGeometryRef(), name)
                continue
            env = f.GetGeometryRef().GetEnvelope()  # minx, maxx, miny, maxy in lon/lat
            b = stored.loc[name].geometry.bounds
            self.assertAlmostEqual(env[0], b[0], places=6)
            self.assertAlmostEqual(env[3], b[3], places=6)
            self.assertTrue(f.GetField("building_no"))


# --------------------------------------------------------------------------- privacy profiles

class PrivacyProfiles(ExportCase):
    def scan(self, path: Path) -> set:
        """The personal values found in the bytes of an export's files."""
        found = set()
        for f in files_of(path):
            data = f.read_bytes()
            found |= {v for v in personal_data() if v.encode("utf-8") in data}
        return found

    def test_no_export_but_bureau_carries_names_or_identity_numbers(self):
        # The store itself holds them (saved with --profile bureau): the scan can find them.
        self.assertTrue(self.scan(self.delft_store))
        for to in WRITERS + ["examples.layer_summary"]:
            for profile in ["public", "planner", "engineer"]:
                with self.subTest(writer=to, profile=profile):
                    _, out = self.export(self.delft_toml, to, profile)
                    self.assertEqual(self.scan(out), set())

    def test_every_personal_attribute_variant_stays_home_outside_bureau(self):
        """A layer carrying personal data under every name a registry or a layer uses: only the
        bureau profile lets the values out; the others work by allow-list (an allowed harmless
        attribute leaves, an allowed personal-looking one still does not)."""
        variants = ["身份證字號", "身分證字號", "所有權人姓名", "所有權人", "權利人", "OWNER_NAME", "owner",
                    "Owner Name", "ｏｗｎｅｒ", "party_id_no", "ID_NO", "姓名", "national_id", "統一編號",
                    "contact_phone", "email"]
        d = self.new_dir("planted")
        feats = []
        for k in range(3):
            x, y = 121.50 + 0.01 * k, 25.04
            props = {"gid": f"g{k}", "roof": f"ROOF-{k}"}
            props.update({v: f"PLANTED-{i}-{k}" for i, v in enumerate(variants)})
            feats.append({"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [
                [[x, y], [x + 0.001, y], [x + 0.001, y + 0.001], [x, y + 0.001], [x, y]]]}})
        src = d / "planted.geojson"
        src.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False),
                       encoding="utf-8")
        store = d / "planted.gpkg"
        res = self.strata("import", src, "--kind", "green", "--name", "planted", "--store", store,
                          "--field", "id=gid")
        self.assertExit(res, 0)

        def planted_in(out: Path) -> set:
            found = set()
            for f in files_of(out):
                data = f.read_bytes()
                found |= {m.decode() for m in set(__import__("re").findall(rb"PLANTED-\d+-\d", data))}
            return found

        for to, suffix in [("writers.gpkg", ".gpkg"), ("writers.kml", ".kml"), ("writers.dxf", ".dxf")]:
            for profile in ["public", "planner", "engineer"]:
                with self.subTest(writer=to, profile=profile):
                    out = d / f"{profile}_{to}{suffix}"
                    res = self.strata("export", store, "--to", to, "--profile", profile, "--out", out,
                                      "--allow-attribute", "roof", *sum((["--allow-attribute", v] for v in variants), []))
                    self.assertExit(res, 0)
                    self.assertEqual(planted_in(out), set())
                    if to != "writers.dxf":  # DXF carries no attributes at all
                        self.assertIn(b"ROOF-1", b"".join(f.read_bytes() for f in files_of(out)))
                    self.assertTrue(set(variants) <= set(res.result["attributes_withheld"]), res.result)
        out = d / "public_default.gpkg"
        res = self.strata("export", store, "--to", "writers.gpkg", "--profile", "public", "--out", out)
        self.assertNotIn(b"ROOF-1", out.read_bytes())  # not allowed: the source's fields stay home
        self.assertIn("roof", res.result["attributes_withheld"])
        out = d / "bureau.gpkg"
        res = self.strata("export", store, "--to", "writers.gpkg", "--profile", "bureau", "--out", out)
        self.assertEqual(len(planted_in(out)), 3 * len(variants))

    def test_bureau_exports_carry_them(self):
        # Every name and number the store holds (owners of a common part without a legal space
        # are not in it).
        held = self.scan(self.delft_store)
        self.assertGreaterEqual(len(held), 10)
        for to in ["writers.cityjson", "writers.gpkg", "writers.kml"]:
            with self.subTest(writer=to):
                _, out = self.export(self.delft_toml, to, "bureau")
                self.assertEqual(self.scan(out), held, to)
        _, out = self.export(self.delft_toml, "writers.cityjson", "bureau")
        parties = json.loads(out.read_text(encoding="utf-8"))["+ladm"]["parties"]
        self.assertTrue(all(p.get("name") and p.get("identityNumber") for p in parties.values()))

    def test_what_each_profile_keeps(self):
        _, out = self.export(self.delft_toml, "writers.cityjson", "public")
        ladm = json.loads(out.read_text(encoding="utf-8"))["+ladm"]
        self.assertTrue(ladm["baunits"])
        self.assertTrue(all("rrr" not in b for b in ladm["baunits"].values()))
        self.assertEqual(ladm["parties"], {})
        _, out = self.export(self.delft_toml, "writers.cityjson", "engineer")
        self.assertTrue(all("rrr" not in b for b in json.loads(out.read_text(encoding="utf-8"))["+ladm"]["baunits"].values()))
        # Pipes: not public (critical infrastructure), kept for engineers and planners.
        result, out = self.export(self.kh_toml, "writers.gpkg", "public")
        self.assertIn("pipes_gas", result["layers_withheld"])
        names = set(ogr_layer_names(out))
        self.assertFalse(any(n.startswith("pipes") for n in names), names)
        result, out = self.export(self.kh_toml, "writers.gpkg", "engineer")
        self.assertIn("pipes_gas", set(ogr_layer_names(out)))


if __name__ == "__main__":
    sts.main()
