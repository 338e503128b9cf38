"""Buildings and the land under them: `strata units build --store` links each building to the
store's parcels and zoning units and checks 803 (building outside the parcels its units are
registered on).

Land: Taipei's real unused public land parcels (kind parcel) and the real Kaohsiung Qishan zoning
plan, both EPSG:3826, imported into a store. Buildings: GENERATED from those real polygons by the
test (a parcel shrunk by 2 m stands on it; one grown by 1.5 m sticks out of it; a zoning unit
shrunk by 1 m), so the expected links and overlaps are computed with GeoPandas/Shapely here.
"""
import csv
import json
import subprocess
from pathlib import Path

import geopandas as gpd

import strata_test_support as sts

PARCELS = ("taipei_parcels_renewal_misc", "building_unsued_land.geojson")
ZONING = ("taiwan_zoning_tainan_kaohsiung", "S0103_kaohsiung_qishan_zoning.geojson")


class UnitsOnLand(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.store = cls.tmp / "land.gpkg"
        for path, kind, name, extra in ((PARCELS, "parcel", "parcels", []),
                                        (ZONING, "zoning", "qishan", ["--field", "id=OBJECTID", "--field", "zone_code=分區代"])):
            res = cls.strata("import", sts.data_path(*path), "--kind", kind, "--name", name, "--store", cls.store,
                             "--project-crs", "EPSG:3826", *extra)
            assert res.returncode == 0, res.describe()
        parcels = gpd.read_file(sts.data_path(*PARCELS)).to_crs(3826)
        parcels["sid"] = [f"parcels:{i}" for i in range(len(parcels))]  # the store's ids (fid order)
        # Three buildings inside their parcel, one sticking out of it (GENERATED from the real parcels).
        big = parcels.assign(a=parcels.area).sort_values("a", ascending=False).head(4)
        rows = []
        for k, (_, p) in enumerate(big.iterrows()):
            # B3 grows 1.5 m beyond its parcel; the others (shrunk by 2 m) stay clear of it.
            shape = p.geometry.buffer(-2) if k < 3 else p.geometry.buffer(1.5, join_style=2)
            rows.append({"bid": f"B{k}", "storeys": 2, "parcel": p["sid"], "geometry": shape})
        zoning = gpd.read_file(sts.data_path(*ZONING)).to_crs(3826)
        zone = zoning[zoning.area > 3000].iloc[0]
        rows.append({"bid": "Z0", "storeys": 2, "parcel": "", "geometry": zone.geometry.buffer(-1)})
        cls.buildings = gpd.GeoDataFrame(rows, crs=3826)
        cls.parcels, cls.zoning, cls.zone = parcels, zoning, zone
        cls.footprints = cls.tmp / "buildings.gpkg"
        cls.buildings.to_file(cls.footprints, driver="GPKG")
        cls.registry = cls.tmp / "registry.csv"
        with cls.registry.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["建號", "建物", "層次", "類別", "面積", "權利人編號", "權利範圍", "坐落地號"])
            for _, b in cls.buildings.iterrows():
                w.writerow([f"{b['bid']}-001", b["bid"], "1-2", "主建物", round(b.geometry.area * 2, 2), "P-1", "全部",
                            b["parcel"]])
        cls.out = cls.tmp / "model.city.json"
        cls.res = cls.strata("units", "build", cls.footprints, "--id-field", "bid", "--storeys-field", "storeys",
                             "--registry", cls.registry, "--store", cls.store, "--out", cls.out,
                             "--gpkg", cls.tmp / "errors.gpkg", "--save")
        cls.model = json.loads(cls.out.read_text()) if cls.out.exists() else None

    def test_only_the_shifted_building_is_outside_its_parcel(self):
        self.assertExit(self.res, 7)
        found = [(f["code"], f["id"]) for f in self.res.result["findings"]]
        self.assertEqual(found, [(803, "B3")], self.res.describe())
        b3 = self.buildings.set_index("bid").loc["B3"]
        parcel = self.parcels.set_index("sid").loc[b3["parcel"]].geometry
        outside = b3.geometry.difference(parcel).area
        detail = self.res.result["findings"][0]["detail"]
        self.assertIn(f"{round(outside)} m²", detail)
        self.assertIn(b3["parcel"], detail)

    def test_the_finding_is_a_point_in_the_geopackage_inside_the_part_outside(self):
        layer = gpd.read_file(self.tmp / "errors.gpkg", layer="ownership_errors")
        self.assertEqual(list(zip(layer["code"], layer["object_id"])), [(803, "B3")])
        self.assertEqual(layer.crs.to_epsg(), 3826)
        b3 = self.buildings.set_index("bid").loc["B3"]
        parcel = self.parcels.set_index("sid").loc[b3["parcel"]].geometry
        outside = b3.geometry.difference(parcel)
        # The point is the centre of the outside part's bounding box (shapely's bounds, here).
        minx, miny, maxx, maxy = outside.bounds
        p = layer.geometry.iloc[0]
        self.assertAlmostEqual(p.x, (minx + maxx) / 2, delta=1e-3)
        self.assertAlmostEqual(p.y, (miny + maxy) / 2, delta=1e-3)

    def test_the_model_is_saved_in_the_store_and_queried_from_it(self):
        self.assertEqual(self.res.result["saved_to"], str(self.store))
        units = gpd.read_file(self.store, layer="legal_spaces")
        blocks = gpd.read_file(self.store, layer="buildings_3d")
        self.assertEqual(len(units), 2 * len(self.buildings))  # floors 1-2 of each building
        self.assertEqual(sorted(blocks["sid"]), sorted(self.buildings["bid"]))
        self.assertTrue(units.geometry.has_z.all())
        self.assertEqual(units.crs.to_epsg(), 3826)
        for _, u in units.iterrows():
            b = self.buildings.set_index("bid").loc[u["parent"]]
            floor = int(u["sid"].split("/F")[1])
            self.assertAlmostEqual(u["z_min"], (floor - 1) * 3.0, places=3)
            self.assertAlmostEqual(u["z_max"], floor * 3.0, places=3)
            # The faces' footprint (their 2D union) is the building's footprint.
            self.assertAlmostEqual(u.geometry.buffer(0).area, b.geometry.area, delta=1e-3 * b.geometry.area)
        # GDAL's own GeoPackage validator accepts the store with its 3D layers.
        validator = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")
        proc = subprocess.run(["/usr/bin/python3", str(validator), str(self.store)], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        # The store records the layers with their kind, and the query answers from it alone.
        info = self.strata("info", self.store).result
        kinds = {l["layer"]: l["kind"] for l in info["layers"]}
        self.assertEqual((kinds["legal_spaces"], kinds["buildings_3d"], kinds["building_storeys"]),
                         ("legal_space", "building_3d", "building_storey"))
        storeys = gpd.read_file(self.store, layer="building_storeys")
        self.assertEqual(len(storeys), self.res.result["storeys"])
        self.assertEqual(set(storeys["parent"]), set(self.buildings["bid"]))
        b0 = self.buildings.set_index("bid").loc["B0"].geometry.representative_point()
        res = self.strata("query", "at", b0.x, b0.y, 4.5, "--store", self.store)
        self.assertExit(res, sts.EXIT_OK)
        self.assertEqual([u["id"] for u in res.result["units"]], ["B0-001/F2"], res.describe())
        self.assertEqual([s["id"] for s in res.result["storeys"]], ["B0/storey/2"], res.describe())
        self.assertIn(self.buildings.set_index("bid").loc["B0"]["parcel"], [l["id"] for l in res.result["land"]])

    def test_units_standing_on_a_parcel(self):
        for sid in self.buildings["parcel"].iloc[:4]:
            parcel = self.parcels.set_index("sid").loc[sid].geometry
            on = self.buildings[self.buildings.intersection(parcel).area > 0]["bid"].tolist()
            want = sorted(f"{b}-001/F{f}" for b in on for f in (1, 2))
            res = self.strata("query", "units", "--model", self.out, "--parcel", sid, "--store", self.store)
            self.assertExit(res, sts.EXIT_OK)
            self.assertEqual(sorted(u["id"] for u in res.result["units"]), want, sid)

    def test_buildings_list_the_parcels_under_them_with_overlaps(self):
        for _, b in self.buildings.iterrows():
            attrs = self.model["CityObjects"][b["bid"]]["attributes"]
            got = {l["id"]: l["overlap_m2"] for l in attrs["strata:parcels_under"]}
            hit = self.parcels[self.parcels.intersection(b.geometry).area > 1e-6]
            want = {r["sid"]: r.geometry.intersection(b.geometry).area for _, r in hit.iterrows()}
            self.assertEqual(set(got), set(want), b["bid"])
            for k in want:
                self.assertAlmostEqual(got[k], want[k], delta=1e-3 * max(1.0, want[k]), msg=(b["bid"], k))

    def test_a_building_on_a_zoning_unit_is_linked_to_it(self):
        attrs = self.model["CityObjects"]["Z0"]["attributes"]
        zones = attrs["strata:zones"]
        b = self.buildings.set_index("bid").loc["Z0"]
        hit = self.zoning[self.zoning.intersection(b.geometry).area > 1e-6]
        self.assertEqual(len(zones), len(hit))
        self.assertAlmostEqual(sum(z["overlap_m2"] for z in zones), b.geometry.area, delta=1e-3 * b.geometry.area)
        # Its units carry the zone link too (PlanUnit of every legal space).
        units = [o for o in self.model["CityObjects"].values()
                 if o["type"] == "BuildingUnit" and o["parents"] == ["Z0"]]
        self.assertEqual(len(units), 2)
        for u in units:
            self.assertEqual(u["attributes"]["strata:zones"], zones)


if __name__ == "__main__":
    sts.main()
