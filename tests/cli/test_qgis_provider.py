"""The QGIS Processing provider (plugins/qgis/strata_processing), end to end in real QGIS,
headless: installed with scripts/install-qgis-plugin.sh into a fresh plugin folder, loaded by
QGIS's Processing framework, and each algorithm run on samples/ through processing.run():

  * strata:indicators on samples/taipei/project.toml: the values equal `strata indicators`' own
    JSON, and the district layer loads graduated;
  * strata:validate on samples/3dbag/3dbag_b2.city.jsonl: the error count equals
    `strata validate`'s, one styled point per error;
  * strata:pipe_clearance on samples/kaohsiung (gas against petroleum): the counts equal
    `strata pipes clearance`'s, and the findings load styled;
  * strata:export_project: the Taipei project as a styled GeoPackage.
"""
import json
import os
import subprocess
import unittest
from pathlib import Path

import geopandas as gpd

import strata_test_support as sts

SAMPLES = sts.REPO_ROOT / "samples"

RUNNER = r"""
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
out = {"algorithms": sorted(a.id() for a in provider.algorithms()), "runs": {}}
for name, params in json.loads(sys.argv[2]).items():
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    feedback = QgsProcessingFeedback()
    try:
        result = processing.run(f"strata:{name}", params, context=context, feedback=feedback)
    except Exception as e:
        out["runs"][name] = {"error": str(e)}
        continue
    layers = {}
    for layer_id, details in context.layersToLoadOnCompletion().items():
        layer = context.getMapLayer(layer_id)
        r = layer.renderer()
        layers[details.outputName] = {"valid": layer.isValid(), "count": layer.featureCount(),
                                      "renderer": r.type() if r else None,
                                      "field": r.classAttribute() if hasattr(r, "classAttribute") else None,
                                      "name": details.name}
    out["runs"][name] = {"result": {k: v for k, v in result.items()}, "layers": layers}
print(json.dumps(out, default=str), flush=True)
os._exit(0)
"""


class QgisProvider(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plugins = cls.tmp / "qgis_plugins"
        p = subprocess.run(["bash", str(sts.REPO_ROOT / "scripts" / "install-qgis-plugin.sh"), str(cls.plugins),
                            str(sts.strata_bin())], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        # The sample project's store and indicators, as strata itself computes them.
        res = cls.strata("run", SAMPLES / "taipei" / "project.toml")
        assert res.returncode == 0, res.describe()
        cls.indicators = cls.strata("indicators", SAMPLES / "taipei" / "project.toml", "--out", cls.tmp / "direct")
        assert cls.indicators.returncode == 0, cls.indicators.describe()
        cls.validation = cls.strata("validate", SAMPLES / "3dbag" / "3dbag_b2.city.jsonl")
        cls.clearance = cls.strata("pipes", "clearance", SAMPLES / "kaohsiung" / "gas.geojson",
                                   SAMPLES / "kaohsiung" / "petroleum.geojson", "--a-utility", "gas", "--b-utility",
                                   "petroleum", "--rules", SAMPLES / "kaohsiung" / "rules.toml")
        assert cls.clearance.returncode == 0, cls.clearance.describe()
        cls.out = cls.tmp / "qgis_out"
        cls.out.mkdir()
        params = {
            "indicators": {"PROJECT": str(SAMPLES / "taipei" / "project.toml"), "OUTPUT": str(cls.out / "ind.gpkg")},
            "validate": {"INPUT": str(SAMPLES / "3dbag" / "3dbag_b2.city.jsonl"), "OUTPUT": str(cls.out / "val.gpkg")},
            "pipe_clearance": {"A": str(SAMPLES / "kaohsiung" / "gas.geojson"), "A_UTILITY": 3,
                               "B": str(SAMPLES / "kaohsiung" / "petroleum.geojson"), "B_UTILITY": 4,
                               "RULES": str(SAMPLES / "kaohsiung" / "rules.toml"), "OUTPUT": str(cls.out / "clr.gpkg")},
            "export_project": {"PROJECT": str(SAMPLES / "taipei" / "project.toml"), "WRITER": 0, "PROFILE": 1,
                               "OUTPUT": str(cls.out / "project.gpkg")},
        }
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        env.pop("STRATA_BIN", None)  # the provider must find strata through its install record
        p = subprocess.run(["/usr/bin/python3", "-c", RUNNER, str(cls.plugins), json.dumps(params)],
                           capture_output=True, text=True, env=env, timeout=900)
        assert p.returncode == 0 and p.stdout.strip(), p.stderr[-4000:]
        cls.qgis = json.loads(p.stdout.strip().splitlines()[-1])

    def run_of(self, name):
        run = self.qgis["runs"][name]
        self.assertNotIn("error", run, run.get("error"))
        return run

    def test_the_provider_offers_the_algorithms(self):
        self.assertEqual(self.qgis["algorithms"], ["strata:export_project", "strata:indicators",
                                                   "strata:pipe_clearance", "strata:validate"])
        self.assertEqual((self.plugins / "strata_processing" / "strata_bin.txt").read_text().strip(),
                         str(sts.strata_bin()))

    def test_indicators_equal_the_engine_and_load_graduated(self):
        run = self.run_of("indicators")
        city = json.loads(run["result"]["CITY"])
        self.assertEqual(city, self.indicators.result["city"])
        layer = run["layers"]["indicators_district"]
        self.assertEqual(layer["renderer"], "graduatedSymbol")
        self.assertEqual(layer["count"], 3)
        got = gpd.read_file(self.out / "ind.gpkg", layer="indicators_district").set_index("district_id")
        want = gpd.read_file(self.tmp / "direct" / "indicators.gpkg", layer="indicators_district").set_index("district_id")
        for column in ["population", "green_area_m2", "iso37120_21_1", "permeable_paving_m2"]:
            for d in want.index:
                self.assertAlmostEqual(got.loc[d, column], want.loc[d, column], places=6)

    def test_validation_errors_equal_the_engine(self):
        run = self.run_of("validate")
        direct = sum(v["count"] for v in self.validation.result["errors_by_code"].values())
        self.assertGreater(direct, 0)
        self.assertEqual(run["result"]["ERRORS"], direct)
        # The invalid objects as `strata validate` counts them (the provider read a key the
        # engine never emitted, and always said 0).
        self.assertGreater(self.validation.result["objects_invalid"], 0)
        self.assertEqual(run["result"]["INVALID"], self.validation.result["objects_invalid"])
        layer = run["layers"]["validation_errors"]
        self.assertEqual(layer["count"], direct)
        self.assertEqual(layer["renderer"], "singleSymbol")

    def test_clearance_equals_the_engine_and_loads_styled(self):
        run = self.run_of("pipe_clearance")
        self.assertEqual(run["result"]["CLASHES"], self.clearance.result["clashes"])
        self.assertEqual(run["result"]["VIOLATIONS"], self.clearance.result["clearance_violations"])
        self.assertGreater(run["result"]["VIOLATIONS"], 0)
        # One point per finding, drawn in the findings' style.
        layer = run["layers"]["pipe_clearance"]
        self.assertTrue(layer["valid"])
        self.assertEqual(layer["count"], run["result"]["CLASHES"] + run["result"]["VIOLATIONS"])
        self.assertEqual(layer["renderer"], "singleSymbol")

    def test_export_project_loads_the_store_styled(self):
        run = self.run_of("export_project")
        layers = run["layers"]
        self.assertEqual(layers["districts"]["count"], 3)
        self.assertEqual(layers["villages"]["count"], 130)
        self.assertEqual(layers["indicators_district"]["renderer"], "graduatedSymbol")
        self.assertEqual(run["result"]["LAYERS"], len(layers))


if __name__ == "__main__":
    # samples/ ships with the repository: no shared data needed.
    sts.wait_for_binary()
    unittest.main(verbosity=2)
