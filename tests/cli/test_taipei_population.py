#!/usr/bin/python3
"""End to end: `strata run tests/realdata/projects/taipei.toml` on the real Taipei data.

Checks what a user of the Taipei project would check, against values computed here from the
source files with pandas / GeoPandas / sqlite3 (and against the figures in the dataset README):
  * the run succeeds and the store holds 12 districts and 456 villages,
  * the census join matches 455 villages exactly and 糖蔀里 through the name normaliser,
  * district and village populations equal the census (male + female) summed with pandas,
    Taipei total 2,677,771,
  * summary.json's population_by_district analysis is consistent,
  * geometries are stored in EPSG:3826 with areas that agree with GeoPandas,
  * the district polygons cover their villages.
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

PROJECT = sts.REPO_ROOT / "tests" / "realdata" / "projects" / "taipei.toml"

# Figures printed in taiwan_village_population_2013/README.md (computed there from the same CSVs).
README_TOTAL = 2_677_771
README_BY_DISTRICT = {
    "中山區": 227_289, "中正區": 162_782, "信義區": 227_991, "內湖區": 280_753, "北投區": 254_540,
    "南港區": 118_687, "士林區": 289_364, "大同區": 129_173, "大安區": 313_587, "文山區": 269_939,
    "松山區": 211_020, "萬華區": 192_646,
}
# The variant-character trap documented in taipei_districts_villages/README.md.
VARIANT_VILLAGE = "糖蔀里"      # spelling in the boundary GeoJSON
CENSUS_SPELLING = "糖廍里"      # spelling in the census / districts.csv


class TaipeiProjectTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import geopandas as gpd
        import pandas as pd

        cls.run_result = cls.strata("run", PROJECT)
        cls.store = cls.tmp / "taipei.gpkg"
        cls.summary_path = cls.tmp / "taipei" / "summary.json"
        cls.report_path = cls.tmp / "taipei" / "import_report.csv"

        # --- independent expectations from the source files -------------------------------
        pop_dir = sts.data_path("taiwan_village_population_2013")
        census = pd.read_csv(pop_dir / "census2013-03.csv", dtype={"ivid": str})
        codes = pd.read_csv(pop_dir / "districts.csv", dtype=str)
        taipei_codes = codes[codes["county"] == "臺北市"]
        joined = census.merge(taipei_codes[["ivid", "town", "name"]], on="ivid", how="inner", validate="one_to_one")
        joined["population"] = joined["male"] + joined["female"]
        cls.census_villages = joined
        cls.census_by_town = joined.groupby("town")["population"].sum().to_dict()
        cls.census_households_by_town = joined.groupby("town")["household"].sum().to_dict()
        cls.census_total = int(joined["population"].sum())

        tv = sts.data_path("taipei_districts_villages")
        cls.src_districts = gpd.read_file(tv / "taipei_town.geojson")
        cls.src_villages = gpd.read_file(tv / "taipei_village.geojson")
        if cls.src_districts.crs is None:  # no crs member: GeoJSON means WGS84 lon/lat
            cls.src_districts = cls.src_districts.set_crs(4326)

    # ------------------------------------------------------------------ helpers

    def summary(self) -> dict:
        self.assertTrue(self.summary_path.is_file(), f"{self.summary_path} was not written" + self.run_result.describe())
        with open(self.summary_path, encoding="utf-8") as f:
            return json.load(f)

    def summary_layer(self, name: str) -> dict:
        layers = {l["layer"]: l for l in self.summary()["import"]["layers"]}
        self.assertIn(name, layers)
        return layers[name]

    def store_frame(self, layer: str):
        import geopandas as gpd
        self.assertTrue(self.store.is_file(), "store not written" + self.run_result.describe())
        return gpd.read_file(self.store, layer=layer)

    # ------------------------------------------------------------------ tests

    def test_run_succeeds(self):
        self.assertExit(self.run_result, sts.EXIT_OK, "strata run taipei.toml")
        doc = self.assertJsonDoc(self.run_result, ok=True)
        self.assertEqual(doc["command"], "run")
        s = self.summary()
        self.assertTrue(s["ok"])
        self.assertTrue(s["import"]["written"])
        self.assertEqual(s["import"]["failures"], [])
        self.assertEqual(Path(s["project"]["store"]).resolve(), self.store.resolve())

    def test_census_sanity_matches_readme(self):
        # Guards the independent expectation itself: pandas agrees with the dataset README.
        self.assertEqual(len(self.census_villages), 456)
        self.assertEqual(self.census_total, README_TOTAL)
        self.assertEqual(self.census_by_town, README_BY_DISTRICT)

    def test_store_counts_via_info(self):
        layers = self.info_layers(self.store)
        self.assertEqual(set(layers), {"districts", "villages"})
        self.assertEqual(layers["districts"]["feature_count"], len(self.src_districts))
        self.assertEqual(layers["villages"]["feature_count"], len(self.src_villages))
        self.assertEqual(layers["districts"]["feature_count"], 12)
        self.assertEqual(layers["villages"]["feature_count"], 456)
        for name, layer in layers.items():
            self.assertEqual(layer["features_rejected"], 0, name)
            self.assertEqual(layer["features_read"], layer["features_imported"] + layer["features_repaired"], name)
            self.assertEqual(layer["kind"], {"districts": "district", "villages": "village"}[name])

    def test_store_counts_via_sqlite_and_geopandas(self):
        self.assertTrue({"districts", "villages"} <= sts.gpkg_tables(self.store))
        self.assertEqual(sts.gpkg_row_count(self.store, "districts"), 12)
        self.assertEqual(sts.gpkg_row_count(self.store, "villages"), 456)
        self.assertEqual(len(self.store_frame("districts")), 12)
        self.assertEqual(len(self.store_frame("villages")), 456)
        # Every source village is in the store, once.
        v = self.store_frame("villages")
        self.assertTrue(v["sid"].is_unique)
        self.assertEqual(set(v["sid"]), set(self.src_villages["CPTVID"].astype(str)))

    def test_village_join_statistics(self):
        join = self.summary_layer("villages")["join"]
        # Independently: how many (district, village) names of the GeoJSON appear verbatim in the census.
        census_keys = set(zip(self.census_villages["town"], self.census_villages["name"]))
        src_keys = list(zip(self.src_villages["TNAME"], self.src_villages["VNAME"]))
        exact = sum(1 for k in src_keys if k in census_keys)
        self.assertEqual(exact, 455)  # README: 455 of 456 match by name
        self.assertEqual(join["features"], 456)
        self.assertEqual(join["matched_exact"], exact)
        self.assertEqual(join["matched_normalised"], len(src_keys) - exact)
        self.assertEqual(join["matched_normalised"], 1)
        self.assertEqual(join["unmatched_features"], 0)
        self.assertEqual(join["unmatched_rows"], 0)
        self.assertEqual(join["ambiguous_features"], 0)
        d = self.summary_layer("districts")["join"]
        self.assertEqual((d["matched_exact"], d["unmatched_features"], d["unmatched_rows"]), (12, 0, 0))

    def test_normalised_village_is_tangbu(self):
        issues = self.info(self.store, "--issues")["issues"]
        via_norm = [i for i in issues if i["layer"] == "villages" and i["code"] == 953]
        self.assertEqual(len(via_norm), 1, via_norm)
        self.assertEqual(via_norm[0]["code_name"], "JOIN_VIA_NORMALISATION")
        self.assertIn(VARIANT_VILLAGE, via_norm[0]["message"])
        self.assertIn(CENSUS_SPELLING, via_norm[0]["message"])
        v = self.store_frame("villages").set_index("sid")
        row = v.loc[via_norm[0]["feature_id"]]
        self.assertEqual(row["name"], VARIANT_VILLAGE)
        self.assertEqual(row["parent_name"], "萬華區")
        c = self.census_villages
        expected = c[(c["town"] == "萬華區") & (c["name"] == CENSUS_SPELLING)]
        self.assertEqual(len(expected), 1)
        self.assertEqual(int(row["population"]), int(expected["population"].iloc[0]))
        # The import report written by the run lists it too.
        import pandas as pd
        report = pd.read_csv(self.report_path, dtype=str)
        self.assertEqual(int(((report["layer"] == "villages") & (report["code"] == "953")).sum()), 1)

    def test_every_village_population_matches_census(self):
        c = self.census_villages.set_index(["town", "name"])
        v = self.store_frame("villages")
        mismatches = []
        for r in v.itertuples():
            key = (r.parent_name, CENSUS_SPELLING if r.name == VARIANT_VILLAGE else r.name)
            exp = c.loc[key]
            got = (r.population, r.households, r.male, r.female)
            want = (exp["population"], exp["household"], exp["male"], exp["female"])
            if tuple(int(x) for x in got) != tuple(int(x) for x in want):
                mismatches.append((r.sid, key, got, want))
        self.assertEqual(mismatches, [])
        self.assertEqual(int(v["population"].sum()), self.census_total)

    def test_district_population_matches_pandas(self):
        d = self.store_frame("districts")
        got = {r.name: int(r.population) for r in d.itertuples()}
        self.assertEqual(got, self.census_by_town)
        self.assertEqual(got, README_BY_DISTRICT)
        self.assertEqual(sum(got.values()), README_TOTAL)
        households = {r.name: int(r.households) for r in d.itertuples()}
        self.assertEqual(households, self.census_households_by_town)

    def test_summary_population_by_district(self):
        a = self.summary()["analyses"]["population_by_district"]
        self.assertEqual(a["total_population"], README_TOTAL)
        self.assertEqual(a["total_population"], self.census_total)
        self.assertEqual(a["unassigned_villages"], [])
        rows = {r["name"]: r for r in a["districts"]}
        self.assertEqual(set(rows), set(self.census_by_town))
        src_village_counts = self.src_villages.groupby("TNAME").size().to_dict()
        for name, r in rows.items():
            with self.subTest(district=name):
                self.assertTrue(r["consistent"], r)
                self.assertEqual(r["own_population"], self.census_by_town[name])
                self.assertEqual(r["villages_population"], self.census_by_town[name])
                self.assertEqual(r["villages"], src_village_counts[name])
                self.assertEqual(r["villages_without_population"], 0)
        self.assertEqual(sum(r["villages"] for r in rows.values()), 456)

    def test_store_crs_is_epsg_3826(self):
        self.assertEqual(self.info(self.store)["crs"], "EPSG:3826")
        for layer in ("districts", "villages"):
            with self.subTest(layer=layer):
                self.assertEqual(sts.gpkg_srs_id(self.store, layer), ("EPSG", 3826))
                frame = self.store_frame(layer)
                self.assertEqual(frame.crs.to_epsg(), 3826)
        # Coordinates really are TWD97/TM2 metres: the store's bounds equal GeoPandas' reprojection.
        want = self.src_villages.to_crs(3826).total_bounds
        got = self.store_frame("villages").total_bounds
        for g, w in zip(got, want):
            self.assertAlmostEqual(g, w, delta=1.0)

    def test_village_areas_agree_with_geopandas(self):
        import pandas as pd
        src = self.src_villages.to_crs(3826)
        expected = dict(zip(src["CPTVID"].astype(str), src.geometry.area))
        v = self.store_frame("villages").sort_values("sid").reset_index(drop=True)
        sample = v.iloc[::15]  # a spread of ~30 villages
        sample = pd.concat([sample, v[v["repaired"] == 1]])  # and every repaired one
        self.assertGreaterEqual(len(sample), 30)
        for r in sample.itertuples():
            with self.subTest(village=r.sid):
                self.assertAlmostEqual(r.area_m2, expected[r.sid], delta=0.01 * expected[r.sid])
                # area_m2 also describes the stored geometry itself
                self.assertAlmostEqual(r.area_m2, r.geometry.area, delta=0.001 * r.area_m2)

    def test_store_geometries_are_valid(self):
        for layer in ("districts", "villages"):
            frame = self.store_frame(layer)
            invalid = frame.loc[~frame.is_valid, "sid"].tolist()
            self.assertEqual(invalid, [], f"{layer}: geometries GEOS calls invalid")

    def test_districts_cover_their_villages(self):
        d = self.store_frame("districts").set_index("code")
        v = self.store_frame("villages")
        points = v.representative_point()
        covered = [bool(d.geometry[pc].covers(p)) if pc in d.index else False
                   for pc, p in zip(v["parent_code"], points)]
        n_ok = sum(covered)
        uncovered = v.loc[[not c for c in covered], ["sid", "name", "parent_name"]].values.tolist()
        print(f"\n  districts cover {n_ok}/{len(v)} village representative points; not covered: {uncovered}",
              file=sys.stderr)
        self.assertGreaterEqual(n_ok / len(v), 0.99, uncovered)


if __name__ == "__main__":
    sts.main()
