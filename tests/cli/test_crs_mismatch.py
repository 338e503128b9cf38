#!/usr/bin/python3
"""End to end: the mislabelled CRS trap in taipei_green_permeable/all_pav_dist.geojson.

The file declares EPSG:3826 (TWD97 / TM2, metres) but holds WGS84 lon/lat degrees. A user
importing it must get a CRS_MISMATCH error (exit 4) that explains what happened and suggests
EPSG:4326, with the store left untouched; with --crs EPSG:4326 the import succeeds and every one
of the file's features is accounted for (imported, repaired or rejected with a reason), which is
cross-checked here with GeoPandas.
"""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

PAV = ("taipei_green_permeable", "all_pav_dist.geojson")
PAV_FIELDS = ["--field", "category=map_type", "--field", "district_name=dist", "--field", "registered_area_m2=面積"]
# Per-feature rejection codes of docs/error-codes.md (core/include/strata/core/error.h).
REJECTION_CODES = {906: "NO_GEOMETRY", 920: "FIELD_MISSING", 921: "FIELD_NULL", 922: "FIELD_TYPE", 923: "ENCODING",
                   930: "DUPLICATE_ID", 931: "WRONG_GEOMETRY_TYPE", 932: "EMPTY_GEOMETRY",
                   912: "REPROJECTION_FAILED", 941: "GEOMETRY_UNREPAIRABLE"}


def pav_path() -> Path:
    return sts.data_path(*PAV)


class CrsMismatchTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import geopandas as gpd
        # What is in the file, read independently. GeoPandas believes the (wrong) declaration,
        # so the CRS is overridden to WGS84 here, exactly as the user would.
        raw = gpd.read_file(pav_path())
        cls.declared_epsg = raw.crs.to_epsg() if raw.crs else None
        cls.src = raw.set_crs(4326, allow_override=True)
        cls.n_features = len(cls.src)
        null = cls.src.geometry.isna() | cls.src.geometry.is_empty
        cls.null_fids = set(cls.src.index[cls.src.geometry.isna()])
        cls.empty_fids = set(cls.src.index[~cls.src.geometry.isna() & cls.src.geometry.is_empty])
        types = cls.src.geometry.geom_type
        cls.polygon_fids = set(cls.src.index[~null & types.isin(["Polygon", "MultiPolygon"])])
        cls.non_polygon_fids = set(cls.src.index[~null & ~types.isin(["Polygon", "MultiPolygon"])])

    def make_base_store(self, name: str) -> Path:
        """A store holding one unrelated layer (Taipei districts), so 'unchanged' means something."""
        store = self.tmp / name / "base.gpkg"
        res = self.strata("import", sts.data_path("taipei_districts_villages", "taipei_town.geojson"),
                          "--kind", "district", "--name", "districts", "--store", store,
                          "--field", "id=CPTID", "--field", "name=TNAME")
        self.assertExit(res, sts.EXIT_OK, "building the base store")
        return store

    def test_source_really_is_mislabelled(self):
        # The premise of the test, checked on the data: declared 3826, values are degrees in Taipei.
        self.assertEqual(self.declared_epsg, 3826)
        minx, miny, maxx, maxy = self.src.total_bounds
        self.assertTrue(121.0 < minx < maxx < 122.0 and 24.5 < miny < maxy < 25.5, self.src.total_bounds)
        self.assertEqual(self.n_features, 915)  # dataset README: 915 features

    def test_adhoc_import_without_override_is_rejected(self):
        store = self.make_base_store("no_override")
        before_sha = sts.sha256_file(store)
        before_info = self.info(store)
        res = self.strata("import", pav_path(), "--kind", "paving", "--name", "paving", "--store", store, *PAV_FIELDS)
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 911, "CRS_MISMATCH")
        msg = err["message"]
        self.assertIn("EPSG:3826", msg, "the message should name the declared CRS")
        self.assertRegex(msg, re.compile(r"lon(gitude)?\s*/\s*lat(itude)?", re.I),
                         "the message should say the values look like lon/lat")
        self.assertIn("EPSG:4326", msg, "the message should suggest EPSG:4326")
        self.assertIn("--crs", msg, "on the command line the fix is the --crs option")
        self.assertIn(str(pav_path()), msg, "the message should name the file")
        # The store did not change at all.
        self.assertEqual(sts.sha256_file(store), before_sha, "the store file changed")
        self.assertEqual(self.info(store), before_info)
        self.assertNotIn("paving", sts.gpkg_tables(store))
        self.assertFalse(res.result.get("written"), res.describe())

    def test_adhoc_import_with_override(self):
        store = self.make_base_store("override")
        res = self.strata("import", pav_path(), "--kind", "paving", "--name", "paving", "--store", store,
                          "--crs", "EPSG:4326", *PAV_FIELDS)
        self.assertExit(res, sts.EXIT_OK, "import with --crs EPSG:4326")
        self.assertJsonDoc(res, ok=True)

        layers = self.info_layers(store)
        self.assertEqual(set(layers), {"districts", "paving"}, "the base layer must survive the import")
        p = layers["paving"]
        self.assertEqual(p["crs_origin"], "override")
        self.assertEqual(p["features_read"], self.n_features)
        self.assertEqual(p["features_imported"] + p["features_repaired"] + p["features_rejected"], self.n_features,
                         "every feature must be imported, repaired or rejected")
        self.assertEqual(p["feature_count"], p["features_imported"] + p["features_repaired"])
        self.assertEqual(sts.gpkg_row_count(store, "paving"), p["feature_count"])

        issues = [i for i in self.info(store, "--issues")["issues"] if i["layer"] == "paving"]
        rejected = [i for i in issues if i["status"] == "rejected"]
        repaired = [i for i in issues if i["status"] == "repaired"]
        self.assertEqual(len(rejected), p["features_rejected"], "every rejected feature needs a report entry")
        self.assertEqual(len({i["fid"] for i in rejected}), len(rejected), "one rejection per feature")
        for i in rejected:
            with self.subTest(fid=i["fid"]):
                self.assertIn(i["code"], REJECTION_CODES, i)
                self.assertEqual(i["code_name"], REJECTION_CODES[i["code"]], i)
                self.assertTrue(i["message"], i)
        self.assertEqual({i["fid"] for i in repaired} & {i["fid"] for i in rejected}, set())
        self.assertGreaterEqual(len({i["fid"] for i in repaired}), p["features_repaired"])
        for i in repaired:
            self.assertTrue(i.get("method"), f"repair without a method: {i}")

        # Cross-check with GeoPandas: null geometries -> 906, lines -> 931, exactly those features.
        by_code = {}
        for i in rejected:
            by_code.setdefault(i["code"], set()).add(i["fid"])
        print(f"\n  geopandas: {len(self.null_fids)} null, {len(self.non_polygon_fids)} non-polygon, "
              f"{len(self.polygon_fids)} polygon; strata rejected by code: "
              f"{ {k: len(v) for k, v in by_code.items()} }, repaired {p['features_repaired']}", file=sys.stderr)
        self.assertEqual(by_code.get(906, set()), self.null_fids)
        self.assertEqual(by_code.get(931, set()), self.non_polygon_fids)
        self.assertEqual(by_code.get(932, set()), self.empty_fids)
        stored = {int(r[0]) for r in sts.sqlite_rows(store, "SELECT src_fid FROM paving")}
        self.assertTrue(stored <= self.polygon_fids)
        self.assertEqual(stored | {i["fid"] for i in rejected}, set(range(self.n_features)))

    def test_override_places_data_in_taipei(self):
        import geopandas as gpd
        store = self.make_base_store("placement")
        res = self.strata("import", pav_path(), "--kind", "paving", "--name", "paving", "--store", store,
                          "--crs", "EPSG:4326", *PAV_FIELDS)
        self.assertExit(res, sts.EXIT_OK)
        stored = gpd.read_file(store, layer="paving")
        self.assertEqual(stored.crs.to_epsg(), 3826)
        # Each stored polygon lies where GeoPandas puts the source polygon (same fid) in EPSG:3826.
        src = self.src.to_crs(3826)
        for r in stored.iloc[::40].itertuples():
            with self.subTest(fid=r.src_fid):
                want = src.geometry.iloc[int(r.src_fid)]
                self.assertAlmostEqual(r.geometry.centroid.distance(want.centroid), 0.0, delta=0.5)
                self.assertAlmostEqual(r.geometry.area, want.area, delta=0.01 * want.area + 0.01)
                self.assertEqual(r.district_name, self.src["dist"].iloc[int(r.src_fid)])
        # ... and inside Taipei (the districts layer of the same store).
        districts = gpd.read_file(store, layer="districts")
        taipei = districts.unary_union.buffer(50)
        inside = stored.representative_point().within(taipei).mean()
        self.assertGreaterEqual(inside, 0.99)
        invalid = stored.loc[~stored.is_valid, "src_fid"].tolist()
        self.assertEqual(invalid, [], "the store holds geometries GEOS calls invalid")

    def write_project(self, name: str, crs_line: str = "") -> tuple:
        """A small project with the paving layer; returns (path, line of [[layers]], line of crs)."""
        d = self.new_dir(name)
        lines = [
            "# derived test fixture: the all_pav_dist layer without a CRS override",
            "[project]",
            f'name = "{name}"',
            'crs = "EPSG:3826"',
            'store = "${STRATA_TEST_OUT}/' + name + '/store.gpkg"',
            'output = "${STRATA_TEST_OUT}/' + name + '/out"',
            "",
            "[[layers]]",
            'name = "paving"',
            'kind = "paving"',
            'path = "${STRATA_DATA_DIR}/taipei_green_permeable/all_pav_dist.geojson"',
            'fields = { category = "map_type", district_name = "dist", registered_area_m2 = "面積" }',
        ]
        if crs_line:
            lines.append(crs_line)
        path = d / "paving.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        layer_line = lines.index("[[layers]]") + 1
        crs_no = len(lines) if crs_line else None  # appended last
        return path, layer_line, crs_no

    def test_project_file_variant_cites_file_and_line(self):
        path, layer_line, _ = self.write_project("project_variant")
        for command in ("import", "run"):
            with self.subTest(command=command):
                res = self.strata(command, path)
                err = self.assertError(res, sts.EXIT_INPUT_DATA, 911, "CRS_MISMATCH")
                msg = err["message"]
                self.assertIn(f"{path.resolve()}:{layer_line}", msg,
                              f"the message should cite {path}:{layer_line} (the [[layers]] entry)")
                self.assertIn('crs = "EPSG:4326"', msg, "the fix in a project file is a crs key")
                self.assertIn("EPSG:3826", msg)
        store = path.parent / "store.gpkg"
        if store.exists():
            self.assertNotIn("paving", sts.gpkg_tables(store))

    def test_project_file_wrong_override_cites_crs_line(self):
        path, _, crs_no = self.write_project("wrong_override", 'crs = "EPSG:3826"')
        res = self.strata("import", path)
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 911, "CRS_MISMATCH")
        self.assertIn(f"{path.resolve()}:{crs_no}", err["message"])

    def test_project_file_with_override_imports(self):
        path, _, _ = self.write_project("good_override", 'crs = "EPSG:4326"')
        res = self.strata("import", path)
        self.assertExit(res, sts.EXIT_OK)
        p = self.info_layers(path.parent / "store.gpkg")["paving"]
        self.assertEqual(p["features_imported"] + p["features_repaired"] + p["features_rejected"], self.n_features)

    def test_adhoc_missing_crs_suggests_crs_option(self):
        # A CSV with WKT declares no CRS at all: error 910, and on the command line the fix to
        # suggest is --crs (as the CRS_MISMATCH message does), not a project-file line.
        d = self.new_dir("missing_crs")
        csv = d / "parcels.csv"
        csv.write_text('id,name,WKT\n1,a,"POLYGON((300000 2770000,300100 2770000,300100 2770100,'
                       '300000 2770100,300000 2770000))"\n', encoding="utf-8")
        res = self.strata("import", csv, "--kind", "village", "--name", "v", "--store", d / "s.gpkg",
                          "--field", "id=id", "--field", "name=name")
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 910, "CRS_MISSING")
        self.assertIn("--crs", err["message"], "command-line import: the message should suggest --crs")
        self.assertNotIn("(command line):0", err["message"], "no pseudo file:line for a command-line import")


if __name__ == "__main__":
    sts.main()
