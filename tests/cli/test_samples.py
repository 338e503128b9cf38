#!/usr/bin/python3
"""The README's main job on the shipped samples: `strata run samples/taipei/project.toml`.

Needs no ../shared/data: the samples are in the repository. Checks what a planner would look at
afterwards: the run succeeded, the store is a valid GeoPackage (GDAL's own validator, the same
rules QGIS relies on), every sample feature is accounted for, and the district populations
equal the census table shipped with the sample (summed independently with pandas)."""
import json
import os
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

import geopandas as gpd
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

SAMPLES = sts.REPO_ROOT / "samples" / "taipei"
VALIDATOR = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")


class SampleRun(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Run a copy, so the test writes nothing into the repository (the project writes ../../out).
        cls.project_dir = cls.tmp / "samples" / "taipei"
        shutil.copytree(SAMPLES, cls.project_dir)
        cls.dry = cls.strata("run", "--dry-run", cls.project_dir / "project.toml")
        cls.out_existed_after_dry_run = (cls.tmp / "out").exists()
        cls.res = cls.strata("run", cls.project_dir / "project.toml")
        cls.out = cls.tmp / "out" / "taipei"
        cls.store = cls.out / "strata.gpkg"

    def test_run_succeeds_and_writes_summary(self):
        self.assertExit(self.res, sts.EXIT_OK)
        doc = self.assertJsonDoc(self.res, ok=True)
        summary = json.loads((self.out / "summary.json").read_text(encoding="utf-8"))
        self.assertTrue(summary["ok"])
        self.assertEqual(summary["import"]["failures"], [])
        self.assertEqual(summary["project"]["store"], str(self.store))
        self.assertEqual(doc["result"]["import"]["written"], True)
        self.assertTrue((self.out / "import_report.csv").exists())

    def test_dry_run_writes_nothing_and_predicts_the_run(self):
        self.assertExit(self.dry, sts.EXIT_OK)
        self.assertFalse(self.out_existed_after_dry_run, "a dry run created the output folder")
        dry_layers = {l["layer"]: l for l in self.dry.result["import"]["layers"]}
        real_layers = {l["layer"]: l for l in self.res.result["import"]["layers"]}
        self.assertEqual(set(dry_layers), set(real_layers))
        for name, real in real_layers.items():
            for key in ("features_read", "features_imported", "features_repaired", "features_rejected"):
                self.assertEqual(dry_layers[name][key], real[key], f"{name}.{key}")

    def test_store_is_a_valid_geopackage(self):
        self.assertTrue(VALIDATOR.exists(), f"GDAL's GeoPackage validator is missing: {VALIDATOR} (python3-gdal)")
        proc = subprocess.run(["/usr/bin/python3", str(VALIDATOR), str(self.store)], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, f"validate_gpkg.py failed:\n{proc.stdout}\n{proc.stderr}")
        for layer in ("districts", "villages", "green", "paving"):
            g = gpd.read_file(self.store, layer=layer)
            self.assertEqual(g.crs.to_epsg(), 3826, layer)
            self.assertTrue(g.is_valid.all(), f"{layer}: GEOS finds invalid geometries in the store")

    def test_qgis_opens_every_layer(self):
        """The store opens directly in QGIS (PyQGIS, headless): every layer valid, in EPSG:3826,
        with the feature count and the Chinese names the store holds."""
        script = (
            "import json, sys\n"
            "from qgis.core import QgsApplication, QgsVectorLayer\n"
            "app = QgsApplication([], False); app.initQgis()\n"
            "out = {}\n"
            "for name in sys.argv[2:]:\n"
            "    l = QgsVectorLayer(sys.argv[1] + '|layername=' + name, name, 'ogr')\n"
            "    names = sorted(f['name'] for f in l.getFeatures()) if l.fields().indexOf('name') >= 0 else []\n"
            "    out[name] = {'valid': l.isValid(), 'count': l.featureCount(), 'crs': l.crs().authid(), 'names': names}\n"
            "del l\n"
            "print(json.dumps(out), flush=True)\n"
            "app.exitQgis()\n"
            "import os; os._exit(0)  # PyQGIS may crash in interpreter teardown; the answer is out\n")
        layers = ["districts", "villages", "green", "paving"]
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(self.tmp))
        proc = subprocess.run(["/usr/bin/python3", "-c", script, str(self.store), *layers],
                              capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(proc.returncode, 0, f"PyQGIS failed (python3-qgis):\n{proc.stderr}")
        seen = json.loads(proc.stdout.strip().splitlines()[-1])
        for layer in layers:
            self.assertTrue(seen[layer]["valid"], f"QGIS cannot open layer {layer}")
            self.assertEqual(seen[layer]["crs"], "EPSG:3826", layer)
            self.assertEqual(seen[layer]["count"], sts.gpkg_row_count(self.store, layer), layer)
        stored_names = sorted(r[0] for r in sts.sqlite_rows(self.store, "SELECT name FROM districts"))
        self.assertEqual(seen["districts"]["names"], stored_names)
        self.assertIn("大安區", stored_names)

    def test_every_sample_feature_is_accounted_for(self):
        info = self.strata("info", self.store, "--issues")
        self.assertExit(info, sts.EXIT_OK)
        layers = {l["layer"]: l for l in info.result["layers"]}
        rejected = {}
        for issue in info.result["issues"]:
            if issue["status"] == "rejected":
                rejected[issue["layer"]] = rejected.get(issue["layer"], 0) + 1
        for layer, file in (("districts", "districts.geojson"), ("villages", "villages.geojson"),
                            ("green", "green.geojson"), ("paving", "paving.geojson")):
            source_count = len(gpd.read_file(SAMPLES / file))
            stored = sts.gpkg_row_count(self.store, layer)
            self.assertEqual(layers[layer]["features_read"], source_count, layer)
            self.assertEqual(stored + rejected.get(layer, 0), source_count,
                             f"{layer}: stored {stored} + rejected {rejected.get(layer, 0)} != {source_count} in the file")
        self.assertEqual(layers["paving"]["crs_origin"], "override")

    def test_district_population_equals_the_sample_census(self):
        census = pd.read_csv(SAMPLES / "census.csv", dtype=str)
        codes = pd.read_csv(SAMPLES / "village_codes.csv", dtype=str)
        merged = census.merge(codes, on="ivid", how="inner")
        merged["pop"] = merged["male"].astype(int) + merged["female"].astype(int)
        expected = merged.groupby("town")["pop"].sum().to_dict()
        stored = dict(sts.sqlite_rows(self.store, "SELECT name, population FROM districts"))
        self.assertEqual(stored, expected)
        vintages = {r[0] for r in sts.sqlite_rows(self.store, "SELECT DISTINCT vintage FROM villages")}
        self.assertEqual(vintages, {"2013-03"})


if __name__ == "__main__":
    sts.wait_for_binary()
    unittest.main(verbosity=2)
