#!/usr/bin/python3
"""End to end: land parcels. Taipei's unused public land parcels (the closest real cadastral
polygons in ../shared/data) imported as kind parcel, with the ownership and managing agency
mapped; `strata query parcel-at` at points GeoPandas picks inside parcels (in TM2 and in lon/lat)
must return exactly the parcels GeoPandas finds covering the point, with their owner class."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

PARCELS = ("taipei_parcels_renewal_misc", "building_unsued_land.geojson")
OWNER = "10712土地_1_土地權屬情形"
MANAGER = "10712土地_1_管理機關"


class ParcelAtTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import geopandas as gpd
        cls.path = sts.data_path(*PARCELS)
        cls.store = cls.tmp / "parcels.gpkg"
        cls.res = cls.strata("import", cls.path, "--kind", "parcel", "--name", "parcels", "--store", cls.store,
                             "--field", f"owner_class={OWNER}", "--field", f"manager={MANAGER}")
        cls.frame = gpd.read_file(cls.path).to_crs(3826)
        cls.frame["fid"] = range(len(cls.frame))

    def test_every_parcel_is_accounted_for(self):
        self.assertExit(self.res, sts.EXIT_OK)
        layer = self.res.result["layers"][0]
        self.assertEqual(layer["features_read"], len(self.frame))
        stored = sts.gpkg_row_count(self.store, "parcels")
        self.assertEqual(stored, layer["features_imported"] + layer["features_repaired"])
        self.assertEqual(stored + layer["features_rejected"], len(self.frame))
        # Owner classes arrive unchanged (Chinese text), one per stored parcel.
        stored_owners = sorted(r[0] for r in sts.sqlite_rows(self.store, "SELECT owner_class FROM parcels"))
        valid = self.frame[self.frame.geometry.notna()]
        self.assertEqual(stored_owners, sorted(valid[OWNER].tolist()))

    def query(self, x, y, crs=None):
        args = ["query", "parcel-at", repr(float(x)), repr(float(y)), "--store", self.store]
        return self.strata(*(args + (["--crs", crs] if crs else [])))

    def test_parcel_at_points_inside_parcels(self):
        valid = self.frame[self.frame.geometry.notna() & self.frame.is_valid]
        picks = valid.iloc[:: max(1, len(valid) // 10)].head(10)
        self.assertGreaterEqual(len(picks), 5)
        lonlat = picks.representative_point().to_crs(4326)
        for i, (idx, row) in enumerate(picks.iterrows()):
            pt = row.geometry.representative_point()
            expected = {int(f) for f in self.frame.loc[self.frame.geometry.covers(pt), "fid"]}
            res = self.query(lonlat[idx].x, lonlat[idx].y, "EPSG:4326") if i % 3 == 0 else self.query(pt.x, pt.y)
            self.assertExit(res, sts.EXIT_OK)
            hits = res.result["hits"]
            self.assertEqual({h["source"]["fid"] for h in hits}, expected, res.describe())
            self.assertIn(row[OWNER], {h["owner_class"] for h in hits})
            self.assertIn(row[MANAGER], {h["manager"] for h in hits})

    def test_nothing_outside_parcels(self):
        res = self.query(121.5654, 25.0330, "EPSG:4326")  # Taipei 101's tower, not an unused public parcel
        covered = self.frame.geometry.covers(
            __import__("geopandas").GeoSeries.from_xy([121.5654], [25.0330], crs=4326).to_crs(3826).iloc[0]).any()
        self.assertFalse(covered, "premise: the point lies in no parcel")
        self.assertExit(res, sts.EXIT_NOT_FOUND)
        self.assertEqual(res.result["hits"], [])


if __name__ == "__main__":
    sts.main()
