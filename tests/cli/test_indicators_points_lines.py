#!/usr/bin/python3
"""Count and length indicators (21.2 trees planted, 18.7 km of bicycle paths) on real Taipei data.

../shared/data has no tree-planting or bicycle-path layer, so
tests/realdata/projects/taipei_points_lines.toml measures the same mechanisms on the real point
and line layers it has: community gardens (758 points, selected by plot area >= 100 m², the
numeric selection a planting-year filter uses) stand in for trees, levees (35 lines) for bicycle
paths. Checked against GeoPandas/Shapely on the same files:
  * the point and line layers are stored as MultiPoint / MultiLineString with every feature;
  * per district and per village, the number of selected points (each counted in the first
    district, in file order, that covers it) equals Shapely's count exactly;
  * per district and per village, the length of the union of the lines inside it (a stretch on a
    shared boundary counted in the first zone only) agrees with Shapely within 1e-6 (1 cm
    floor), and the districts add up to the network inside Taipei; km and km per 100 000 follow;
  * 21.2 = count / (population / 100 000); the city row adds up the districts;
  * the selection is in the provenance (field, min, number of features selected);
  * the 956 warning gives the length of levee outside Taipei that Shapely finds.
"""
import json
import re
import sys
from pathlib import Path

import geopandas as gpd
from shapely.ops import unary_union

sys.path.insert(0, str(Path(__file__).resolve().parent))
import indicator_reference as reference  # noqa: E402
import strata_test_support as sts  # noqa: E402

PROJECT = sts.REPO_ROOT / "tests" / "realdata" / "projects" / "taipei_points_lines.toml"
MIN_PLOT_M2 = 100  # the project's selection
LENGTH_REL_TOL = 1e-6
LENGTH_FLOOR_M = 0.01
W_OUTSIDE = 956


def read_3826(path: Path) -> gpd.GeoDataFrame:
    g = gpd.read_file(path)
    if g.crs is None:
        g = g.set_crs(4326)
    return g.to_crs(3826)


class PointsLinesTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.res = cls.strata("run", PROJECT)
        cls.out = cls.tmp / "taipei_points_lines"
        data = sts.data_dir()
        cls.districts = reference.read_layer(data / "taipei_districts_villages" / "taipei_town.geojson", "d")[0]
        cls.villages = reference.read_layer(data / "taipei_districts_villages" / "taipei_village.geojson", "v")[0]
        gardens = read_3826(data / "taipei_green_permeable" / "work_garden_city.geojson")
        cls.all_gardens = len(gardens)
        cls.gardens = gardens[gardens["area"] >= MIN_PLOT_M2]
        cls.levees = read_3826(data / "taipei_parcels_renewal_misc" / "waterworks_levee.geojson")
        cls.levee_union = unary_union(list(cls.levees.geometry))
        cls.population = reference.population_by_district(data)

    def doc(self) -> dict:
        self.assertExit(self.res, sts.EXIT_OK, "strata run")
        with open(self.out / "indicators.json", encoding="utf-8") as f:
            return json.load(f)

    @staticmethod
    def first_covering(zones, point):
        for zid, geom in zones:
            if geom.covers(point):
                return zid
        return None

    def expected_counts(self, zones) -> dict:
        counts = {zid: 0 for zid, _ in zones}
        for p in self.gardens.geometry:
            zid = self.first_covering(zones, p)
            if zid is not None:
                counts[zid] += 1
        return counts

    def expected_lengths(self, zones) -> dict:
        """Each stretch in the first zone (file order) whose closed polygon holds it: a levee on a
        boundary between two districts counts once."""
        return reference.first_zone_lengths(self.levee_union, zones)[0]

    def assertLength(self, got_km, want_m, what):
        got_m = got_km * 1e3
        self.assertLessEqual(abs(got_m - want_m), max(LENGTH_FLOOR_M, LENGTH_REL_TOL * want_m),
                             f"{what}: strata {got_m} m, Shapely {want_m} m")

    def test_layers_stored_with_their_geometry_type(self):
        store = self.tmp / "taipei_points_lines.gpkg"
        types = dict(sts.sqlite_rows(store, "SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"))
        self.assertEqual(types["gardens"], "MULTIPOINT")
        self.assertEqual(types["levees"], "MULTILINESTRING")
        layers = self.info_layers(store)
        self.assertEqual(layers["gardens"]["feature_count"], self.all_gardens)
        self.assertEqual(layers["levees"]["feature_count"], len(self.levees))
        # The stored lengths are the planar lengths in EPSG:3826.
        stored = dict(sts.sqlite_rows(store, "SELECT sid, length_m FROM levees"))
        for _, row in self.levees.iterrows():
            self.assertAlmostEqual(stored[row["ID"]], row.geometry.length, delta=1e-6 * max(1.0, row.geometry.length))

    def test_district_counts_and_21_2(self):
        doc = self.doc()
        zones = list(zip(self.districts["CPTID"], self.districts.geometry))
        want = self.expected_counts(zones)
        rows = {r["district_id"]: r for r in doc["districts"]}
        self.assertEqual({k: r["trees_planted"] for k, r in rows.items()}, want)
        self.assertGreater(sum(want.values()), 100)
        self.assertLess(sum(want.values()), self.all_gardens, "the selection must leave gardens out")
        for k, r in rows.items():
            self.assertEqual(r["population"], self.population[r["district_name"]])
            self.assertAlmostEqual(r["iso37120_21_2"], want[k] / (r["population"] / 1e5), delta=1e-9)
        self.assertEqual(doc["city"]["trees_planted"], sum(want.values()))

    def test_district_lengths(self):
        doc = self.doc()
        zones = list(zip(self.districts["CPTID"], self.districts.geometry))
        want = self.expected_lengths(zones)
        worst = 0.0
        for r in doc["districts"]:
            self.assertLength(r["bicycle_path_km"], want[r["district_id"]], r["district_name"])
            worst = max(worst, abs(r["bicycle_path_km"] * 1e3 - want[r["district_id"]]))
            self.assertAlmostEqual(r["bicycle_path_km_per_100k"],
                                   r["bicycle_path_km"] / (r["population"] / 1e5), delta=1e-9)
        print(f"\n  largest district length difference: {worst:.3g} m", file=sys.stderr)
        self.assertAlmostEqual(doc["city"]["bicycle_path_km"],
                               sum(r["bicycle_path_km"] for r in doc["districts"]), delta=1e-9)
        # The city row is the network inside Taipei, each stretch once.
        taipei = unary_union(list(self.districts.geometry))
        self.assertLength(doc["city"]["bicycle_path_km"], self.levee_union.intersection(taipei).length, "city")

    def test_village_counts_and_lengths(self):
        doc = self.doc()
        zones = list(zip(self.villages["CPTVID"], self.villages.geometry))
        counts = self.expected_counts(zones)
        lengths = self.expected_lengths(zones)
        rows = {r["village_id"]: r for r in doc["villages"]}
        self.assertEqual(len(rows), len(self.villages))
        self.assertEqual({k: r["trees_planted"] for k, r in rows.items()}, counts)
        for k, r in rows.items():
            self.assertLength(r["bicycle_path_km"], lengths[k], f"village {k}")
        parent = dict(zip(self.villages["CPTVID"], self.villages["CPTID"]))
        self.assertEqual({k: r["district_id"] for k, r in rows.items()}, parent)

    def test_selection_in_provenance(self):
        sel = self.doc()["provenance"]["parameters"]["layers"]
        self.assertEqual(len(sel["trees"]), 1)
        trees = sel["trees"][0]
        self.assertEqual((trees["layer"], trees["field"], trees["min"], trees["max"]),
                         ("gardens", "registered_area_m2", MIN_PLOT_M2, None))
        self.assertEqual(trees["features"], len(self.gardens))
        self.assertEqual(sel["bicycle_paths"][0]["features"], len(self.levees))

    def test_definitions(self):
        defs = {d["key"]: d for d in self.doc()["indicators"]}
        self.assertEqual(defs["iso37120_21_2"]["iso37120_2018"], "21.2")
        self.assertEqual(defs["iso37120_21_2"]["iso37120_2014"], "19.2")
        self.assertEqual(defs["bicycle_path_km_per_100k"]["iso37120_2014"], "18.7")

    def test_outside_warning(self):
        outside_points = sum(1 for p in self.gardens.geometry
                             if self.first_covering(list(zip(self.districts["CPTID"], self.districts.geometry)), p) is None)
        taipei = unary_union(list(self.districts.geometry))
        outside_m = self.levee_union.difference(taipei).length
        warnings = [w["message"] for w in self.doc()["warnings"] if w["code"] == W_OUTSIDE]
        lines = [w for w in warnings if w.startswith("bicycle paths")]
        if outside_m > 0.01:
            self.assertEqual(len(lines), 1, warnings)
            got = float(re.search(r"([0-9.]+) m \(", lines[0]).group(1))
            self.assertAlmostEqual(got, outside_m, delta=max(0.1, 1e-6 * outside_m))
        else:
            self.assertEqual(lines, [])
        points = [w for w in warnings if w.startswith("trees planted")]
        if outside_points:
            self.assertEqual(len(points), 1, warnings)
            self.assertIn(f"{outside_points} point(s)", points[0])
        else:
            self.assertEqual(points, [])


if __name__ == "__main__":
    sts.main()
