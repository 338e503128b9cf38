"""3D queries on the ownership model, and validation errors as a GeoPackage layer.

The model is built from the 160 real Delft BGT building footprints with `strata units generate`
(9 m blocks: three generated storeys of 3 m); the expected answers come from GeoPandas on the
footprints themselves (a point inside a footprint, its area), not from strata's output.
"""
import json
import sqlite3

import geopandas as gpd

import strata_test_support as sts

HEIGHT, STOREY = 9.0, 3.0


def pand_path():
    return sts.data_path("delft_ahn3_pointcloud_bgt", "bgt", "bgt_pand.sqlite")


class Query3d(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model = cls.tmp / "delft_units.city.json"
        res = cls.strata("units", "generate", pand_path(), "--id-field", "gml_id", "--height", HEIGHT,
                         "--storey-height", STOREY, "--out", cls.model)
        assert res.returncode == 0, res.describe()
        cls.footprints = gpd.read_file(pand_path(), layer="buildingpart")

    def test_point_inside_a_footprint_finds_its_building_and_storey(self):
        for _, row in self.footprints.head(12).iterrows():
            p = row.geometry.representative_point()
            gid = row["gml_id"]
            for z, floor in ((1.5, 1), (4.5, 2), (7.5, 3)):
                res = self.strata("query", "at", p.x, p.y, z, "--model", self.model)
                self.assertExit(res, sts.EXIT_OK)
                r = res.result
                self.assertEqual([b["id"] for b in r["buildings"]], [gid], res.describe())
                self.assertEqual([u["id"] for u in r["units"]], [f"{gid}/F{floor}"], res.describe())
                unit = r["units"][0]
                self.assertEqual(unit["attributes"]["floor"], str(floor))
                self.assertTrue(unit["attributes"]["strata:generated"])
                self.assertAlmostEqual(unit["z_bottom"], (floor - 1) * STOREY, places=3)
                self.assertAlmostEqual(unit["floor_area_m2"], row.geometry.area, delta=1e-3 * row.geometry.area)

    def test_above_the_roof_or_outside_every_footprint_nothing(self):
        row = self.footprints.iloc[0]
        p = row.geometry.representative_point()
        res = self.strata("query", "at", p.x, p.y, HEIGHT + 1, "--model", self.model)
        self.assertExit(res, sts.EXIT_NOT_FOUND)
        self.assertEqual(res.result["units"], [])
        # A point no footprint covers (GeoPandas says so).
        minx, miny, maxx, maxy = self.footprints.total_bounds
        x, y = minx - 50, miny - 50
        self.assertFalse(self.footprints.contains(gpd.points_from_xy([x], [y])[0]).any())
        self.assertExit(self.strata("query", "at", x, y, 1, "--model", self.model), sts.EXIT_NOT_FOUND)

    def test_lon_lat_points_are_transformed_to_the_model_crs(self):
        row = self.footprints.iloc[3]
        p = gpd.GeoSeries([row.geometry.representative_point()], crs=self.footprints.crs).to_crs(4326).iloc[0]
        res = self.strata("query", "at", p.x, p.y, 1, "--model", self.model, "--crs", "EPSG:4326")
        self.assertExit(res, sts.EXIT_OK)
        self.assertEqual([b["id"] for b in res.result["buildings"]], [row["gml_id"]], res.describe())

    def test_units_of_a_building_number_with_floor_area_and_volume(self):
        row = self.footprints.iloc[5]
        baunit = f"{row['gml_id']}/F2"
        res = self.strata("query", "units", "--model", self.model, "--baunit", baunit)
        self.assertExit(res, sts.EXIT_OK)
        r = res.result
        self.assertEqual([u["id"] for u in r["units"]], [baunit])
        self.assertAlmostEqual(r["floor_area_m2"], row.geometry.area, delta=1e-3 * row.geometry.area)
        self.assertAlmostEqual(r["volume_m3"], row.geometry.area * STOREY, delta=1e-3 * row.geometry.area * STOREY)
        self.assertExit(self.strata("query", "units", "--model", self.model, "--baunit", "no-such"), sts.EXIT_NOT_FOUND)

    def test_query_units_needs_exactly_one_criterion(self):
        res = self.strata("query", "units", "--model", self.model)
        self.assertExit(res, sts.EXIT_USAGE)


def registry_shares(path):
    """建號 -> (kind, sorted shares) from a registry CSV, read here: '1/3', '6分之1', full-width
    digits ('３分之１'), '全部'."""
    import csv
    import re
    import unicodedata
    from fractions import Fraction
    out = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = unicodedata.normalize("NFKC", row["權利範圍"]).strip()
            m = re.fullmatch(r"(\d+)分之(\d+)", text)
            share = (Fraction(1) if text == "全部" else
                     Fraction(int(m.group(2)), int(m.group(1))) if m else Fraction(text))
            kind, shares = out.setdefault(row["建號"], (row["類別"], []))
            shares.append(share)
    return {no: (kind, sorted(shares)) for no, (kind, shares) in out.items()}


class CommonParts(sts.StrataTestCase):
    """Issue 19: a common part (共有部分) registered without an outline has no volume, but it is a
    registered unit with rights and exact shares: `query units --baunit` finds it (from the model
    and from the store), and an export carries it and its shares."""

    REGISTRY = sts.REPO_ROOT / "samples" / "delft" / "registry_FICTITIOUS.csv"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.expected = registry_shares(cls.REGISTRY)
        cls.common = sorted(no for no, (kind, _) in cls.expected.items() if kind == "共有部分")
        cls.store = cls.tmp / "delft.gpkg"
        res = cls.strata("import", sts.REPO_ROOT / "samples" / "delft" / "plantcover.gpkg", "--kind", "green",
                         "--name", "plantcover", "--store", cls.store, "--field", "id=gml_id",
                         "--project-crs", "EPSG:28992")
        assert res.returncode == 0, res.describe()
        cls.model = cls.tmp / "delft_registry.city.json"
        cls.res = cls.strata("units", "build", pand_path(), "--layer", "buildingpart", "--id-field", "gml_id",
                             "--height", HEIGHT, "--registry", cls.REGISTRY, "--store", cls.store, "--save",
                             "--out", cls.model)
        assert cls.res.returncode == 0, cls.res.describe()

    def shares_of(self, unit):
        from fractions import Fraction
        return sorted(Fraction(r["share"]) for r in unit["attributes"]["rights"])

    def test_premise_and_the_build_counts_them(self):
        self.assertEqual(len(self.common), 3)
        self.assertEqual(self.res.result["units_without_volume"], len(self.common))

    def test_query_units_finds_each_common_part_with_its_shares(self):
        for source in (["--model", self.model], ["--store", self.store]):
            for no in self.common:
                with self.subTest(source=source[0], baunit=no):
                    res = self.strata("query", "units", *source, "--baunit", no)
                    self.assertExit(res, sts.EXIT_OK)
                    [unit] = res.result["units"]
                    self.assertEqual(unit["id"], no)
                    self.assertFalse(unit["has_volume"])
                    self.assertIsNone(unit["z_bottom"])
                    self.assertIsNone(unit["volume_m3"])
                    self.assertEqual(res.result["units_without_volume"], 1)
                    self.assertEqual(unit["attributes"]["unit_kind"], "common")
                    self.assertEqual(self.shares_of(unit), self.expected[no][1])
                    self.assertTrue(unit["attributes"]["strata:volume"].startswith("none:"))

    def test_a_party_s_units_include_its_common_part_shares(self):
        res = self.strata("query", "units", "--model", self.model, "--party", "P-1")
        self.assertExit(res, sts.EXIT_OK)
        ids = {u["id"] for u in res.result["units"]}
        self.assertIn(self.common[0], ids)

    def test_the_export_carries_common_parts_and_their_shares(self):
        out = self.tmp / "delft_export.city.json"
        res = self.strata("export", self.store, "--to", "writers.cityjson", "--profile", "planner", "--out", out)
        self.assertExit(res, sts.EXIT_OK)
        doc = json.loads(out.read_text(encoding="utf-8"))
        from fractions import Fraction
        for no in self.common:
            with self.subTest(baunit=no):
                unit = doc["CityObjects"][no]
                self.assertEqual(unit["type"], "BuildingUnit")
                self.assertFalse(unit.get("geometry"))
                rrr = doc["+ladm"]["baunits"][no]["rrr"]
                self.assertEqual(sorted(Fraction(r["share"]) for r in rrr), self.expected[no][1])
        # The planner profile carries shares, never names.
        self.assertNotIn("王小明", out.read_text(encoding="utf-8"))


class ValidationGeoPackage(sts.StrataTestCase):
    def test_every_error_is_a_point_in_the_layer(self):
        src = sts.data_path("cityjson_real_buildings", "denhaag_random_5.city.jsonl")
        gpkg = self.tmp / "errors.gpkg"
        report = self.tmp / "report.json"
        res = self.strata("validate", src, "--gpkg", gpkg, "--report", report)
        self.assertExit(res, 7)
        errors = [e for f in json.loads(report.read_text())["features"] for e in f["errors"]]
        layer = gpd.read_file(gpkg, layer="validation_errors")
        self.assertEqual(len(layer), len(errors))
        self.assertEqual(sorted(layer["code"].tolist()), sorted(e["code"] for e in errors))
        self.assertIn("RD New", layer.crs.name)  # the file's EPSG:7415 (RD New + NAP height)
        located = [e for e in errors if "location" in e]
        self.assertTrue(layer.geometry.has_z[~layer.geometry.is_empty].all())
        for e in located[:5]:
            hit = layer[(layer["code"] == e["code"]) & (layer["object_id"] == e["id"])]
            self.assertTrue(len(hit) >= 1, e)
            self.assertTrue(any(abs(g.x - e["location"][0]) < 1e-6 and abs(g.z - e["location"][2]) < 1e-6
                                for g in hit.geometry), e)
        with sqlite3.connect(gpkg) as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")


if __name__ == "__main__":
    sts.main()
