#!/usr/bin/python3
"""End to end: point queries on real zoning and district data.

Imports the zoning plans of Tainan Anping (D0301) and Kaohsiung Qishan (S0103) into one
EPSG:3826 store and asks `strata query zone-at` at points GeoPandas picks inside known polygons
(some given in lon/lat with --crs EPSG:4326); the answer must be exactly the polygons GeoPandas
finds covering the point, with the right zone code. A point far away must give exit 1 and no
hits. `strata query district-at` on the Taipei store must return the village (and its district)
at a village's representative point.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

ZONING = {
    "anping": "D0301_tainan_anping_harbor_zoning.geojson",
    "qishan": "S0103_kaohsiung_qishan_zoning.geojson",
}
ZONING_FIELDS = ["--field", "id=OBJECTID", "--field", "zone_code=分區代", "--field", "zone_class=分區類",
                 "--field", "zone_name=分區簡", "--field", "plan_code=計畫區", "--field", "plan_name=計畫_1",
                 "--field", "registered_area_m2=Shape_Area", "--field", "bcr=建蔽率", "--field", "far=容積率"]
SAMPLES_PER_FILE = 8
LONLAT_PER_FILE = 2


class ZoneAtTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import geopandas as gpd
        cls.store = cls.tmp / "zoning.gpkg"
        cls.imports = {}
        cls.frames = {}
        for layer, fname in ZONING.items():
            path = sts.data_path("taiwan_zoning_tainan_kaohsiung", fname)
            cls.imports[layer] = cls.strata("import", path, "--kind", "zoning", "--name", layer,
                                            "--store", cls.store, *ZONING_FIELDS)
            frame = gpd.read_file(path)
            if frame.crs is None or frame.crs.to_epsg() != 3826:
                frame = frame.to_crs(3826)
            cls.frames[layer] = frame

    def expected_hits(self, point) -> set:
        """(layer, id) of every zoning polygon of both files that covers the point (GeoPandas)."""
        out = set()
        for layer, frame in self.frames.items():
            for oid in frame.loc[frame.geometry.covers(point), "OBJECTID"]:
                out.add((layer, str(int(oid))))
        return out

    def query(self, x, y, crs=None):
        args = ["query", "zone-at", repr(float(x)), repr(float(y)), "--store", self.store]
        if crs:
            args += ["--crs", crs]
        return self.strata(*args)

    def test_imports_succeed(self):
        for layer, res in self.imports.items():
            with self.subTest(layer=layer):
                self.assertExit(res, sts.EXIT_OK, f"import {layer}")
        layers = self.info_layers(self.store)
        for layer, frame in self.frames.items():
            self.assertEqual(layers[layer]["features_read"], len(frame))
            self.assertEqual(layers[layer]["feature_count"] + layers[layer]["features_rejected"], len(frame))
            self.assertEqual(layers[layer]["kind"], "zoning")
        self.assertEqual(self.info(self.store)["crs"], "EPSG:3826")

    def test_zone_at_representative_points(self):
        checked = {"lonlat": 0, "projected": 0}
        for layer, frame in self.frames.items():
            step = max(1, len(frame) // SAMPLES_PER_FILE)
            picks = list(range(0, len(frame), step))[:SAMPLES_PER_FILE]
            self.assertGreaterEqual(len(picks), 6)
            points = frame.geometry.representative_point()
            points_ll = points.to_crs(4326)
            for n, i in enumerate(picks):
                row = frame.iloc[i]
                oid = str(int(row["OBJECTID"]))
                lonlat = n < LONLAT_PER_FILE
                p = points.iloc[i]
                with self.subTest(layer=layer, objectid=oid, lonlat=lonlat):
                    if lonlat:
                        q = points_ll.iloc[i]
                        res = self.query(q.x, q.y, "EPSG:4326")
                    else:
                        res = self.query(p.x, p.y)
                    self.assertExit(res, sts.EXIT_OK, f"zone-at inside {layer} OBJECTID {oid}")
                    self.assertJsonDoc(res, ok=True)
                    hits = res.result["hits"]
                    got = {(h["layer"], h["id"]) for h in hits}
                    self.assertIn((layer, oid), got)
                    self.assertEqual(got, self.expected_hits(p))
                    hit = next(h for h in hits if (h["layer"], h["id"]) == (layer, oid))
                    self.assertEqual(hit["zone_code"], row["分區代"])
                    self.assertEqual(hit["zone_class"], row["分區類"])
                    self.assertEqual(hit["plan_code"], row["計畫區"])
                    self.assertEqual(hit["kind"], "zoning")
                    if lonlat:
                        # the point was transformed into the store CRS where GeoPandas puts it
                        ps = res.result["point_store_crs"]
                        self.assertEqual(ps["crs"], "EPSG:3826")
                        self.assertAlmostEqual(ps["x"], p.x, delta=0.01)
                        self.assertAlmostEqual(ps["y"], p.y, delta=0.01)
                    checked["lonlat" if lonlat else "projected"] += 1
        self.assertGreaterEqual(checked["lonlat"], 2)
        self.assertGreaterEqual(checked["projected"] + checked["lonlat"], 12)

    def test_far_away_point_finds_nothing(self):
        res = self.query(0, 0)
        self.assertExit(res, sts.EXIT_NOT_FOUND, "zone-at 0 0")
        self.assertEqual(res.result["hits"], [])
        # Taipei 101, in lon/lat: in Taiwan but outside both plans.
        res = self.query(121.5645, 25.0340, "EPSG:4326")
        self.assertExit(res, sts.EXIT_NOT_FOUND, "zone-at Taipei 101")
        self.assertEqual(res.result["hits"], [])

    def test_zone_at_hole_or_gap_between_polygons(self):
        # A point just outside the union of the Anping polygons, next to one of them.
        frame = self.frames["anping"]
        union = frame.unary_union
        probe = None
        for geom in frame.geometry:
            minx, miny, maxx, maxy = geom.bounds
            for cand in ((minx - 5, miny - 5), (maxx + 5, maxy + 5), (minx - 5, maxy + 5), (maxx + 5, miny - 5)):
                from shapely.geometry import Point
                pt = Point(cand)
                if not union.buffer(1).covers(pt):
                    probe = pt
                    break
            if probe:
                break
        self.assertIsNotNone(probe)
        self.assertEqual(self.expected_hits(probe), set())
        res = self.query(probe.x, probe.y)
        self.assertExit(res, sts.EXIT_NOT_FOUND, f"zone-at outside the plan {probe.x} {probe.y}")


class DistrictAtTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import geopandas as gpd
        cls.run_result = cls.strata("run", sts.REPO_ROOT / "tests" / "realdata" / "projects" / "taipei.toml")
        cls.store = cls.tmp / "taipei.gpkg"
        tv = sts.data_path("taipei_districts_villages")
        cls.villages = gpd.read_file(tv / "taipei_village.geojson").to_crs(3826)
        districts = gpd.read_file(tv / "taipei_town.geojson")
        cls.districts = (districts.set_crs(4326) if districts.crs is None else districts).to_crs(3826)

    def test_district_at_village_points(self):
        self.assertExit(self.run_result, sts.EXIT_OK, "strata run taipei.toml")
        v = self.villages
        points = v.geometry.representative_point()
        ll = points.to_crs(4326)
        picks = list(range(0, len(v), len(v) // 6))[:6]
        for n, i in enumerate(picks):
            vid, vname, tname = str(v["CPTVID"].iloc[i]), v["VNAME"].iloc[i], v["TNAME"].iloc[i]
            with self.subTest(village=vid, name=vname):
                if n % 2:
                    res = self.strata("query", "district-at", repr(ll.iloc[i].x), repr(ll.iloc[i].y),
                                      "--crs", "EPSG:4326", "--store", self.store)
                else:
                    res = self.strata("query", "district-at", repr(points.iloc[i].x), repr(points.iloc[i].y),
                                      "--store", self.store)
                self.assertExit(res, sts.EXIT_OK)
                hits = res.result["hits"]
                village_hits = [h for h in hits if h["kind"] == "village"]
                district_hits = [h for h in hits if h["kind"] == "district"]
                # GeoPandas: the villages / districts whose source polygon covers the point
                want_v = set(v.loc[v.geometry.covers(points.iloc[i]), "CPTVID"].astype(str))
                want_d = set(self.districts.loc[self.districts.geometry.covers(points.iloc[i]), "TNAME"])
                self.assertIn(vid, {h["id"] for h in village_hits})
                self.assertEqual({h["id"] for h in village_hits}, want_v)
                hit = next(h for h in village_hits if h["id"] == vid)
                self.assertEqual(hit["name"], vname)
                self.assertEqual(hit["parent_name"], tname)
                self.assertEqual({h["name"] for h in district_hits}, want_d)
                self.assertIn(tname, {h["name"] for h in district_hits})

    def test_district_at_project_file_as_store(self):
        # --store also takes the project file naming the store.
        self.assertExit(self.run_result, sts.EXIT_OK)
        p = self.villages.geometry.representative_point().iloc[0]
        res = self.strata("query", "district-at", repr(p.x), repr(p.y), "--store",
                          sts.REPO_ROOT / "tests" / "realdata" / "projects" / "taipei.toml")
        self.assertExit(res, sts.EXIT_OK)
        self.assertIn(str(self.villages["CPTVID"].iloc[0]), {h["id"] for h in res.result["hits"]})


if __name__ == "__main__":
    sts.main()
