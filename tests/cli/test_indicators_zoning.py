#!/usr/bin/python3
"""Zoning-based green (ISO 37120 21.1) for Tainan Anping and Kaohsiung Qishan, against GeoPandas.

Runs `strata run` on tests/realdata/projects/{tainan_anping_green,kaohsiung_qishan_green}.toml
and checks, against an independent GeoPandas computation from the same files in ../shared/data:
  * the district built by `dissolve`: Anping = the union of its 428 statistical areas (TOWN_ID),
    Qishan = the union of the plan's 305 zones (no district boundary is in the shared data);
    one stored feature each, the import summary saying how many features were merged, the
    area within 1e-6;
  * the population joined to the merged district: male + female of the census villages whose
    town code (districts.csv tid) is 67000360, or whose town is 旗山區 in 高雄市; exact;
  * green = the union of the zones whose class (分區類) is 公園用地, 綠地 or 兒童遊樂場用地,
    clipped to the district: green_area_m2 within 0.1 % (1 m² floor), 21.1 from it;
  * the selection in the provenance: the layer, field, values and the number of zones selected;
  * 956 exactly when green lies outside the district (Anping's plan reaches into 中西區), with
    the area GeoPandas finds;
  * the GeoPackage output holds the merged district polygon with the same values.
"""
import json
import re
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.ops import unary_union

sys.path.insert(0, str(Path(__file__).resolve().parent))
import indicator_reference as reference  # noqa: E402
import strata_test_support as sts  # noqa: E402

PROJECTS = sts.REPO_ROOT / "tests" / "realdata" / "projects"
PARK_CLASSES = ["公園用地", "綠地", "兒童遊樂場用地"]
REL_TOL = 1e-3
ABS_FLOOR_M2 = 1.0
W_OUTSIDE = 956


def read_3826(path: Path) -> gpd.GeoDataFrame:
    """The layer in EPSG:3826 with invalid polygons repaired (the shared reference reader)."""
    return reference.read_layer(path, path.stem)[0]


def census_population(select) -> int:
    """male + female of the census villages whose districts.csv row satisfies `select`."""
    census = pd.read_csv(sts.data_path("taiwan_village_population_2013", "census2013-03.csv"), dtype=str)
    codes = pd.read_csv(sts.data_path("taiwan_village_population_2013", "districts.csv"), dtype=str)
    rows = census.merge(codes, on="ivid", how="inner")
    rows = rows[select(rows)]
    return int(rows["male"].astype(int).sum() + rows["female"].astype(int).sum()), len(rows)


class ZoningCase:
    """One project: run it once, compute the reference once."""
    project_name: str
    zoning_file: str
    expected_members: int

    @classmethod
    def district_reference(cls):
        raise NotImplementedError

    @classmethod
    def population_reference(cls):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.res = cls.strata("run", PROJECTS / f"{cls.project_name}.toml")
        cls.out = cls.tmp / cls.project_name
        zoning = read_3826(sts.data_path("taiwan_zoning_tainan_kaohsiung", cls.zoning_file))
        cls.zoning = zoning
        cls.parks = zoning[zoning["分區類"].isin(PARK_CLASSES)]
        cls.district = cls.district_reference()
        green_union = unary_union(cls.parks.geometry.values)
        cls.green_inside = green_union.intersection(cls.district).area
        cls.green_outside = green_union.difference(cls.district).area
        cls.population, cls.census_rows = cls.population_reference()

    def doc(self) -> dict:
        self.assertExit(self.res, sts.EXIT_OK, "strata run")
        with open(self.out / "indicators.json", encoding="utf-8") as f:
            return json.load(f)

    def test_dissolve_made_one_district(self):
        self.assertExit(self.res, sts.EXIT_OK, "strata run")
        layers = self.res.result["import"]["layers"]
        district = next(l for l in layers if l["kind"] == "district")
        self.assertEqual(district["features_read"], self.expected_members)
        self.assertEqual(district["features_imported"] + district["features_repaired"], self.expected_members)
        self.assertEqual(district["dissolve"]["features"], self.expected_members)
        self.assertEqual(district["dissolve"]["merged_into"], 1)
        self.assertEqual(district["join"]["matched_exact"], 1)
        self.assertEqual(district["join"]["unmatched_rows"], 0)
        stored = self.info_layers(self.tmp / f"{self.project_name}.gpkg")
        self.assertEqual(stored[district["layer"]]["feature_count"], 1)
        self.assertIn(f"dissolved by {district['dissolve']['field']} into 1", self.strata(
            "run", PROJECTS / f"{self.project_name}.toml", json_output=False).stdout)

    def test_district_area_and_population(self):
        row = self.doc()["districts"]
        self.assertEqual(len(row), 1)
        row = row[0]
        self.assertEqual(row["district_name"], self.district_name)
        self.assertEqual(row["population"], self.population)
        self.assertGreater(self.census_rows, 5)
        self.assertAlmostEqual(row["district_area_m2"] / self.district.area, 1.0, delta=1e-6)

    def test_green_against_geopandas(self):
        doc = self.doc()
        row = doc["districts"][0]
        got, want = row["green_area_m2"], self.green_inside
        self.assertLessEqual(abs(got - want), max(ABS_FLOOR_M2, REL_TOL * want),
                             f"green: strata {got}, GeoPandas {want}")
        print(f"\n  {self.district_name}: green {got:.2f} m² (GeoPandas {want:.2f}, "
              f"difference {got - want:.3g} m²), 21.1 = {row['iso37120_21_1']:.4f}", file=sys.stderr)
        self.assertAlmostEqual(row["green_area_ha"], got / 1e4, delta=1e-9 * got)
        self.assertAlmostEqual(row["iso37120_21_1"], (got / 1e4) / (self.population / 1e5),
                               delta=1e-9 * row["iso37120_21_1"])
        # The park zones are a strict part of the plan: a filter that let every zone through
        # would give the whole plan's area.
        self.assertLess(got, 0.5 * unary_union(self.zoning.geometry.values).area)
        self.assertEqual(doc["city"]["green_area_m2"], got)

    def test_selection_in_provenance(self):
        green = self.doc()["provenance"]["parameters"]["layers"]["green"]
        self.assertEqual(len(green), 1)
        self.assertEqual(green[0]["field"], "zone_class")
        self.assertEqual(green[0]["values"], PARK_CLASSES)
        self.assertEqual(green[0]["polygons"], len(self.parks))

    def test_outside_warning_matches_geopandas(self):
        warnings = [w for w in self.doc()["warnings"] if w["code"] == W_OUTSIDE]
        if self.green_outside <= ABS_FLOOR_M2:
            self.assertEqual(warnings, [])
            return
        self.assertEqual(len(warnings), 1, warnings)
        m = re.search(r"([0-9.]+) m²", warnings[0]["message"])
        self.assertIsNotNone(m, warnings[0])
        self.assertLessEqual(abs(float(m.group(1)) - self.green_outside),
                             max(1.0, REL_TOL * self.green_outside), warnings[0]["message"])

    def test_gpkg_district_polygon(self):
        out = gpd.read_file(self.out / "indicators.gpkg", layer="indicators_district")
        self.assertEqual(len(out), 1)
        self.assertEqual(out.crs.to_epsg(), 3826)
        self.assertAlmostEqual(out.geometry.area.iloc[0] / self.district.area, 1.0, delta=1e-6)
        self.assertEqual(out["population"].iloc[0], self.population)


class AnpingTest(ZoningCase, sts.StrataTestCase):
    project_name = "tainan_anping_green"
    zoning_file = "D0301_tainan_anping_harbor_zoning.geojson"
    expected_members = 428
    district_name = "安平區"

    @classmethod
    def district_reference(cls):
        areas = read_3826(sts.data_path("tainan_statistical_areas", "67000360_anping.geojson"))
        return unary_union(areas.geometry.values)

    @classmethod
    def population_reference(cls):
        return census_population(lambda r: r["tid"] == "67000360")

    def test_plan_reaches_outside(self):
        # The data fact behind the 956 check: some park zones lie in 中西區.
        self.assertGreater(self.green_outside, 1000.0)


class QishanTest(ZoningCase, sts.StrataTestCase):
    project_name = "kaohsiung_qishan_green"
    zoning_file = "S0103_kaohsiung_qishan_zoning.geojson"
    expected_members = 305
    district_name = "旗山區"

    @classmethod
    def district_reference(cls):
        return unary_union(cls.zoning.geometry.values)

    @classmethod
    def population_reference(cls):
        return census_population(lambda r: (r["county"] == "高雄市") & (r["town"] == "旗山區"))


if __name__ == "__main__":
    sts.main()
