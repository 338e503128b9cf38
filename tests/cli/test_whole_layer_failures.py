#!/usr/bin/python3
"""End to end: inputs that are wrong as a whole must fail the import (exit 4, a clear message),
never empty or half-fill a stored layer. Each case first stores a good layer under the same
name, then checks that the failed import left it exactly as it was.

Also: two strata imports into one store at the same time both succeed (the second waits)."""
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

QISHAN = ("taiwan_zoning_tainan_kaohsiung", "S0103_kaohsiung_qishan_zoning.geojson")


def ogr2ogr(*args):
    subprocess.run(["ogr2ogr", *map(str, args)], check=True, capture_output=True)


class WholeLayerFailures(sts.StrataTestCase):
    def good_store(self, name: str) -> Path:
        store = self.tmp / f"{name}.gpkg"
        res = self.strata("import", sts.data_path(*QISHAN), "--kind", "zoning", "--name", "z", "--store", store,
                          "--field", "zone_code=分區代")
        self.assertExit(res, sts.EXIT_OK)
        return store

    def assert_failed_and_untouched(self, store: Path, res, code: int, fragment: str):
        before_rows = sts.gpkg_row_count(store, "z")
        self.assertExit(res, sts.EXIT_INPUT_DATA)
        err = sts.error_of(res.doc)
        self.assertIsNotNone(err, res.describe())
        self.assertEqual(err["code"], code, res.describe())
        self.assertIn(fragment, err["message"], res.describe())
        self.assertEqual(sts.gpkg_row_count(store, "z"), before_rows)
        self.assertEqual(before_rows, 305)

    def test_every_feature_rejected(self):
        store = self.good_store("allrej")
        # A real table as a "layer": rows without geometry once WKT is named but empty.
        csv = self.tmp / "codes.csv"
        csv.write_text("code,WKT\nA,\nB,\n", encoding="utf-8")
        res = self.strata("import", csv, "--kind", "zoning", "--name", "z", "--store", store, "--crs", "EPSG:3826",
                          "--field", "zone_code=code")
        self.assert_failed_and_untouched(store, res, 906, "all 2 features were rejected")

    def test_empty_feature_collection(self):
        store = self.good_store("empty")
        empty = self.tmp / "empty.geojson"
        empty.write_text('{"type":"FeatureCollection","features":[]}', encoding="utf-8")
        res = self.strata("import", empty, "--kind", "zoning", "--name", "z", "--store", store, "--field", "zone_code=x")
        self.assertExit(res, sts.EXIT_INPUT_DATA)
        self.assertEqual(sts.gpkg_row_count(store, "z"), 305)

    def test_truncated_shapefile(self):
        store = self.good_store("trunc")
        shp_dir = self.tmp / "shp"
        ogr2ogr("-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", "-nln", "zon", shp_dir, sts.data_path(*QISHAN))
        shp = shp_dir / "zon.shp"
        data = shp.read_bytes()
        shp.write_bytes(data[: len(data) // 2])
        res = self.strata("import", shp, "--kind", "zoning", "--name", "z", "--store", store, "--field", "zone_code=分區代")
        self.assert_failed_and_untouched(store, res, 901, "read error at feature")

    def test_label_that_puts_the_layer_elsewhere(self):
        store = self.good_store("elsewhere")
        mislabelled = self.tmp / "mis3857.geojson"
        ogr2ogr("-a_srs", "EPSG:3857", mislabelled, sts.data_path(*QISHAN))
        res = self.strata("import", mislabelled, "--kind", "zoning", "--name", "z", "--store", store,
                          "--field", "zone_code=分區代")
        self.assert_failed_and_untouched(store, res, 911, "does not lie where the project does")
        self.assertIn("--crs EPSG:3826", sts.error_of(res.doc)["message"])

    def test_unknown_encoding(self):
        store = self.good_store("enc")
        res = self.strata("import", sts.data_path(*QISHAN), "--kind", "zoning", "--name", "z", "--store", store,
                          "--field", "zone_code=分區代", "--encoding", "NO-SUCH-ENCODING")
        self.assertNotEqual(res.returncode, sts.EXIT_OK)
        self.assertIn("NO-SUCH-ENCODING", res.stdout + res.stderr)
        self.assertEqual(sts.gpkg_row_count(store, "z"), 305)

    def test_two_imports_at_once_both_succeed(self):
        store = self.good_store("concurrent")
        procs = []
        for name, fname in (("east", "67000320_east.geojson"), ("annan", "67000350_annan.geojson")):
            procs.append(sts.popen_strata(["--json", "import", sts.data_path("tainan_statistical_areas", fname),
                                           "--kind", "village", "--name", name, "--store", store,
                                           "--field", "name=CODEBASE"], out_dir=self.tmp))
        for p in procs:
            p.communicate(timeout=300)
            self.assertEqual(p.returncode, 0, "a concurrent import failed instead of waiting")
        self.assertEqual(sts.gpkg_row_count(store, "east"), 1074)
        self.assertEqual(sts.gpkg_row_count(store, "annan"), 1471)
        self.assertEqual(sts.gpkg_row_count(store, "z"), 305)


if __name__ == "__main__":
    sts.main()
