#!/usr/bin/python3
"""End to end: lengths and areas labelled in metres are in metres, whatever the project CRS unit.

A project CRS in US survey feet (EPSG:3547, EPSG:3089, or a PROJ string with +units=us-ft) must
not give length_m / area_m2 in feet: strata converts with the CRS's linear unit. Every
expectation is computed here with GeoPandas / pyproj / Shapely, never taken from strata:

  * pipes: ky4_pipes.geojson (EPSG:3547, US ft, Kentucky) imported as line features into stores
    in EPSG:3547 and EPSG:3089: the stored length_m of every pipe is GeoPandas' length in feet
    x 1200/3937, and the total agrees with the file's own hydraulic `length` (metres, WNTR)
    within 0.1 % (and is nowhere near the number of feet);
  * polygons: the Taipei districts imported into a store whose CRS is TM2 zone 121 in US feet
    (and in km): area_m2 of every district is GeoPandas' area in EPSG:3826 (same projection,
    metres);
  * indicators: taipei_indicators.toml, taipei_points_lines.toml and tainan_anping_green.toml
    run with their project CRS switched to the feet definition give the same district areas,
    green and paving areas (m², ha), 21.1, km of bicycle paths, per-capita values and village
    areas as the same projects in EPSG:3826, and agree with indicator_reference.py (GeoPandas);
    the dissolved Anping district has the area of the GeoPandas union;
  * the 3D ownership model: Delft footprints rescaled to a feet version of RD New (EPSG:28992
    with +units=us-ft, the coordinates multiplied by 3937/1200, so the metre areas are exactly
    GeoPandas' areas in EPSG:28992): `query units` / `query at` floor areas and volumes, the
    land areas under a point, and the 804 area check of `units build`.
"""
import csv
import json
import math
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import indicator_reference as reference  # noqa: E402
import strata_test_support as sts  # noqa: E402

US_FT = 1200 / 3937  # metres per US survey foot
# TWD97 / TM2 zone 121 (EPSG:3826) with the unit changed: the same projection in US feet / km.
TM2_US_FT = "+proj=tmerc +lat_0=0 +lon_0=121 +k=0.9999 +x_0=250000 +y_0=0 +ellps=GRS80 +units=us-ft +type=crs"
TM2_KM = "+proj=tmerc +lat_0=0 +lon_0=121 +k=0.9999 +x_0=250000 +y_0=0 +ellps=GRS80 +units=km +type=crs"
# Amersfoort / RD New (EPSG:28992) in US feet: the footprints' metre coordinates x 3937/1200.
RD_US_FT = ("+proj=sterea +lat_0=52.1561605555556 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 "
            "+y_0=463000 +ellps=bessel +units=us-ft +no_defs +type=crs")

KY4_PIPES = ("water_sewer_networks_epanet_swmm", "ky4_gis", "ky4_pipes.geojson")
TOWNS = ("taipei_districts_villages", "taipei_town.geojson")
PROJECTS = sts.REPO_ROOT / "tests" / "realdata" / "projects"
REGISTRY = sts.REPO_ROOT / "tests" / "fixtures" / "registry" / "valid_registry.csv"

SAME_REL = 1e-6      # the same quantity measured in two units of one projection
REF_REL = 1e-3       # strata vs the GeoPandas overlay reference (as test_indicators_taipei)
REF_FLOOR_M2 = 1.0


def rel_close(got, want, rel, floor=0.0) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return abs(got - want) <= max(rel * abs(want), floor)


def read_stored(store: Path, layer: str):
    import geopandas as gpd
    return gpd.read_file(store, layer=layer)


def unit_of(crs) -> float:
    """Metres per unit of a projected CRS's first axis (pyproj)."""
    return crs.axis_info[0].unit_conversion_factor


# --------------------------------------------------------------------------- 1. pipe lengths

class PipeLengthsInFeetCrsTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import geopandas as gpd
        cls.src = gpd.read_file(sts.data_path(*KY4_PIPES))
        cls.results = {}
        for epsg in (3547, 3089):
            store = cls.tmp / f"pipes_{epsg}.gpkg"
            res = cls.strata("import", sts.data_path(*KY4_PIPES), "--kind", "line_feature", "--name", "pipes",
                             "--field", "id=name", "--project-crs", f"EPSG:{epsg}", "--store", store)
            cls.results[epsg] = (res, store)

    def stored(self, epsg: int):
        res, store = self.results[epsg]
        self.assertExit(res, sts.EXIT_OK, f"import ky4_pipes --project-crs EPSG:{epsg}")
        self.assertJsonDoc(res, ok=True)
        layer = res.result["layers"][0]
        self.assertEqual(layer["features_imported"] + layer["features_repaired"], len(self.src), res.describe())
        self.assertEqual(sts.gpkg_srs_id(store, "pipes"), ("EPSG", epsg))
        return read_stored(store, "pipes")

    def test_premises(self):
        # The file declares EPSG:3547, a US-survey-foot CRS, and its hydraulic length is metres.
        self.assertEqual(self.src.crs.to_epsg(), 3547)
        self.assertAlmostEqual(unit_of(self.src.crs), US_FT, places=12)
        ratio = self.src.length.sum() * US_FT / self.src["length"].sum()
        self.assertAlmostEqual(ratio, 1.0, delta=1e-3)

    def check_lengths(self, epsg: int, want_m, rel: float):
        stored = self.stored(epsg)
        self.assertEqual(len(stored), len(self.src))
        got = stored.set_index(stored["src_fid"].astype(int))["length_m"]
        worst, failures = 0.0, []
        for fid, want in want_m.items():
            g = got[fid]
            d = abs(g - want) / want
            worst = max(worst, d)
            if d > rel:
                failures.append(f"fid {fid} ({self.src['name'][fid]}): length_m {g!r}, expected {want!r} m "
                                f"({want / US_FT!r} ft)")
        print(f"\n  EPSG:{epsg}: largest relative length_m difference {worst:.3g}", file=sys.stderr)
        self.assertEqual(failures[:10], [], f"{len(failures)} pipes with length_m not in metres")
        # The stored geometry itself stays in feet (the store really is a feet store).
        self.assertAlmostEqual(stored.length.sum() * US_FT / got.sum(), 1.0, delta=1e-6)
        return got.sum()

    def check_total(self, total_m: float):
        hydraulic_m = float(self.src["length"].sum())
        feet = float(self.src.length.sum())
        self.assertLessEqual(abs(total_m - hydraulic_m), 1e-3 * hydraulic_m,
                             f"total length_m {total_m} vs the file's hydraulic length {hydraulic_m} m")
        self.assertLess(total_m, 0.5 * feet, f"total length_m {total_m} looks like feet ({feet} ft)")

    def test_epsg_3547_length_m_per_pipe(self):
        total = self.check_lengths(3547, self.src.length * US_FT, 1e-9)
        self.check_total(total)

    def test_epsg_3089_length_m_per_pipe(self):
        total = self.check_lengths(3089, self.src.to_crs(3089).length * US_FT, 1e-6)
        self.check_total(total)


# --------------------------------------------------------------------------- 2. polygon areas

class DistrictAreasInFeetCrsTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import geopandas as gpd
        src = gpd.read_file(sts.data_path(*TOWNS))
        cls.want_m2 = src.to_crs(3826).area  # by feature number
        cls.results = {}
        for tag, crs in (("us_ft", TM2_US_FT), ("km", TM2_KM)):
            store = cls.tmp / f"districts_{tag}.gpkg"
            res = cls.strata("import", sts.data_path(*TOWNS), "--kind", "district", "--name", "districts",
                             "--field", "id=CPTID", "--field", "name=TNAME", "--project-crs", crs, "--store", store)
            cls.results[tag] = (res, store)

    def check(self, tag: str, unit_m: float):
        res, store = self.results[tag]
        self.assertExit(res, sts.EXIT_OK, f"import taipei_town.geojson --project-crs ({tag})")
        stored = read_stored(store, "districts")
        self.assertAlmostEqual(unit_of(stored.crs), unit_m, places=12, msg="the store is not in the project CRS")
        self.assertEqual(len(stored), len(self.want_m2))
        for r in stored.itertuples():
            want = self.want_m2[int(r.src_fid)]
            with self.subTest(district=r.sid):
                self.assertTrue(rel_close(r.area_m2, want, SAME_REL),
                                f"{r.sid}: area_m2 {r.area_m2!r}, GeoPandas EPSG:3826 {want!r} m² "
                                f"(ratio {r.area_m2 / want:.6g})")
                # The stored polygon is in the store's unit: its own area converts to the same m².
                self.assertTrue(rel_close(r.geometry.area * unit_m ** 2, want, SAME_REL))

    def test_us_feet(self):
        self.check("us_ft", US_FT)

    def test_kilometres(self):
        self.check("km", 1000.0)


# --------------------------------------------------------------------------- 3. indicators

def derived_project(source: Path, dest: Path, tag: str, crs: str) -> Path:
    """A copy of a real-data project with its own store and output folder and the given CRS."""
    text = source.read_text(encoding="utf-8")
    edits = [
        (r'^crs = "EPSG:3826"$', f'crs = "{crs}"'),
        (r'^store = ".*"$', 'store = "${STRATA_TEST_OUT}/' + tag + '.gpkg"'),
        (r'^output = ".*"$', 'output = "${STRATA_TEST_OUT}/' + tag + '"'),
    ]
    for pattern, line in edits:
        text, n = re.subn(pattern, lambda _m: line, text, count=1, flags=re.M)
        if n != 1:
            raise AssertionError(f"{source}: no line matching {pattern}")
    # Relative paths are relative to the project file's folder, which is now the temp dir.
    text = text.replace('"../../../samples/', f'"{sts.REPO_ROOT / "samples"}/')
    dest.write_text(f"# derived by test_units_feet.py from {source.name}\n" + text, encoding="utf-8")
    return dest


class IndicatorsInFeetCrsTest(sts.StrataTestCase):
    """The same projects in the feet CRS and in EPSG:3826."""
    PROJECT_FILES = {"taipei": "taipei_indicators.toml", "lines": "taipei_points_lines.toml",
                     "anping": "tainan_anping_green.toml"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.runs = {}
        for name, file in cls.PROJECT_FILES.items():
            for unit, crs in (("ft", TM2_US_FT), ("m", "EPSG:3826")):
                tag = f"{name}_{unit}"
                project = derived_project(PROJECTS / file, cls.tmp / f"{tag}.toml", tag, crs)
                cls.runs[tag] = cls.strata("run", project)
        cls.ref = reference.compute(sts.data_dir())

    def doc(self, tag: str) -> dict:
        res = self.runs[tag]
        self.assertExit(res, sts.EXIT_OK, f"strata run {tag}")
        with open(self.tmp / tag / "indicators.json", encoding="utf-8") as f:
            return json.load(f)

    def rows(self, doc: dict, key: str = "district_id") -> dict:
        return {r[key]: r for r in doc["districts"]} | {"city": doc["city"]}

    def compare_runs(self, name: str, keys: list, section: str = "districts", id_key: str = "district_id"):
        ft, m = self.doc(f"{name}_ft"), self.doc(f"{name}_m")
        if section == "districts":
            ft_rows, m_rows = self.rows(ft), self.rows(m)
        else:
            ft_rows = {r[id_key]: r for r in ft[section]}
            m_rows = {r[id_key]: r for r in m[section]}
        self.assertEqual(set(ft_rows), set(m_rows))
        failures, worst = [], {}
        for rid, mrow in m_rows.items():
            frow = ft_rows[rid]
            for key in keys:
                got, want = frow.get(key), mrow.get(key)
                if not rel_close(got, want, SAME_REL, 1e-9):
                    failures.append(f"{section} {rid} {key}: feet CRS {got!r}, EPSG:3826 {want!r}")
                elif got and want:
                    worst[key] = max(worst.get(key, 0.0), abs(got - want) / abs(want))
        print(f"\n  {name} ({section}) feet vs metres, largest relative differences: "
              + ", ".join(f"{k} {v:.2g}" for k, v in worst.items()), file=sys.stderr)
        self.assertEqual(failures, [])

    def test_all_runs_succeed(self):
        for tag, res in self.runs.items():
            with self.subTest(run=tag):
                self.assertExit(res, sts.EXIT_OK, f"strata run {tag}")
                self.assertEqual(res.result["import"]["failures"], [], res.describe())

    # ---- Taipei: ISO 37120 21.1, permeable paving

    TAIPEI_KEYS = ["population", "district_area_m2", "green_area_m2", "green_area_ha", "iso37120_21_1",
                   "permeable_paving_m2", "permeable_paving_share", "paving_target_m2", "paving_target_progress"]

    def test_taipei_same_as_in_epsg_3826(self):
        self.compare_runs("taipei", self.TAIPEI_KEYS)

    def test_taipei_against_geopandas_reference(self):
        doc = self.doc("taipei_ft")
        rows = {r["district_name"]: r for r in doc["districts"]}
        self.assertEqual(set(rows), set(self.ref.districts))
        pairs = [(n, rows[n], self.ref.districts[n]) for n in rows] + [("city", doc["city"], self.ref.city)]
        failures = []
        for name, got, want in pairs:
            self.assertEqual(got["population"], want["population"], name)
            checks = {"district_area_m2": (SAME_REL, 0.0),
                      "green_area_m2": (REF_REL, REF_FLOOR_M2),
                      "green_area_ha": (REF_REL, REF_FLOOR_M2 / 1e4),
                      "permeable_paving_m2": (REF_REL, REF_FLOOR_M2),
                      "permeable_paving_share": (REF_REL, REF_FLOOR_M2 / want["district_area_m2"])}
            if want["population"]:
                checks["iso37120_21_1"] = (REF_REL, REF_FLOOR_M2 / 1e4 / (want["population"] / 1e5))
            for key, (rel, floor) in checks.items():
                if not rel_close(got[key], want[key], rel, floor):
                    failures.append(f"{name} {key}: strata (feet CRS) {got[key]!r}, GeoPandas {want[key]!r}")
        self.assertEqual(failures, [])

    def test_taipei_stored_areas_in_metres(self):
        ft_store, m_store = self.tmp / "taipei_ft.gpkg", self.tmp / "taipei_m.gpkg"
        self.doc("taipei_ft"), self.doc("taipei_m")
        for layer in ("districts", "villages", "green", "pav_pac", "pav_park", "pav_parking", "pav_school",
                      "pav_sidewalk"):
            with self.subTest(layer=layer):
                ft = read_stored(ft_store, layer)
                m = read_stored(m_store, layer).set_index("src_fid")["area_m2"]
                self.assertAlmostEqual(unit_of(ft.crs), US_FT, places=12)
                self.assertEqual(len(ft), len(m))
                bad = [(r.src_fid, r.area_m2, m[r.src_fid]) for r in ft.itertuples()
                       if not rel_close(r.area_m2, m[r.src_fid], SAME_REL, 1e-6)]
                self.assertEqual(bad[:5], [], f"{len(bad)} {layer} features: (fid, area_m2 feet CRS, EPSG:3826)")
        districts = read_stored(ft_store, "districts").set_index("name")["area_m2"]
        for name, row in self.ref.districts.items():
            self.assertTrue(rel_close(districts[name], row["district_area_m2"], SAME_REL), name)

    def test_taipei_indicator_polygons_measure_the_district_areas(self):
        gpkg = self.tmp / "taipei_ft" / "indicators.gpkg"
        self.doc("taipei_ft")
        frame = read_stored(gpkg, "indicators_district")
        self.assertEqual(len(frame), 12)
        for rec in frame.itertuples():
            # The polygons keep the project CRS's coordinates (feet): ft² x (m/ft)² = the m² column.
            self.assertTrue(rel_close(rec.geometry.area * US_FT ** 2, rec.district_area_m2, SAME_REL),
                            f"{rec.district_name}: {rec.geometry.area} ft², district_area_m2 {rec.district_area_m2}")

    def test_taipei_indicator_gpkg_declares_the_project_crs(self):
        # A layer of feet coordinates must say so, or QGIS measures and places it wrongly.
        import pyproj
        gpkg = self.tmp / "taipei_ft" / "indicators.gpkg"
        self.doc("taipei_ft")
        srs = sts.sqlite_rows(gpkg, "SELECT s.srs_id, s.srs_name, s.definition FROM gpkg_geometry_columns g "
                                    "JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id "
                                    "WHERE g.table_name = 'indicators_district'")
        self.assertEqual(len(srs), 1)
        srs_id, srs_name, definition = srs[0]
        self.assertGreater(srs_id, 0, f"indicators_district has no CRS: srs_id {srs_id} '{srs_name}' "
                                      f"(the project CRS is {TM2_US_FT})")
        self.assertTrue(pyproj.CRS(definition).equals(pyproj.CRS(TM2_US_FT), ignore_axis_order=True), definition)

    # ---- Taipei points and lines: km of bicycle paths, per capita, village breakdown

    def test_bicycle_paths_same_as_in_epsg_3826(self):
        keys = ["population", "district_area_m2", "bicycle_path_km", "bicycle_path_km_per_100k",
                "trees_planted", "iso37120_21_2"]
        self.compare_runs("lines", keys)
        self.compare_runs("lines", keys, section="villages", id_key="village_id")

    def test_bicycle_paths_against_shapely(self):
        from shapely.ops import unary_union
        doc = self.doc("lines_ft")
        data = sts.data_dir()
        districts = reference.read_layer(data / TOWNS[0] / TOWNS[1], "d")[0]
        levees = reference.read_layer(data / "taipei_parcels_renewal_misc" / "waterworks_levee.geojson", "l")[0]
        lines = unary_union(list(levees.geometry))
        want = reference.first_zone_lengths(lines, list(zip(districts["CPTID"], districts.geometry)))[0]
        failures = []
        for r in doc["districts"]:
            got_m, want_m = r["bicycle_path_km"] * 1e3, want[r["district_id"]]
            if abs(got_m - want_m) > max(0.01, 1e-6 * want_m):
                failures.append(f"{r['district_name']}: strata {got_m} m, Shapely {want_m} m")
            self.assertTrue(rel_close(r["bicycle_path_km_per_100k"], r["bicycle_path_km"] / (r["population"] / 1e5),
                                      1e-9), r["district_name"])
        self.assertEqual(failures, [])
        taipei = unary_union(list(districts.geometry))
        self.assertTrue(rel_close(doc["city"]["bicycle_path_km"] * 1e3, lines.intersection(taipei).length, 1e-6))

    # ---- Tainan Anping: a district dissolved from 428 statistical areas

    def test_dissolved_district_area(self):
        from shapely.ops import unary_union
        doc = self.doc("anping_ft")
        areas = reference.read_layer(sts.data_path("tainan_statistical_areas", "67000360_anping.geojson"), "a")[0]
        want = unary_union(areas.geometry.values).area
        stored = read_stored(self.tmp / "anping_ft.gpkg", "anping")
        self.assertEqual(len(stored), 1)
        self.assertTrue(rel_close(stored["area_m2"].iloc[0], want, SAME_REL),
                        f"stored area_m2 {stored['area_m2'].iloc[0]!r}, GeoPandas union {want!r} m²")
        self.assertTrue(rel_close(doc["districts"][0]["district_area_m2"], want, SAME_REL),
                        f"district_area_m2 {doc['districts'][0]['district_area_m2']!r}, GeoPandas union {want!r}")
        self.compare_runs("anping", ["population", "district_area_m2", "green_area_m2", "green_area_ha",
                                     "iso37120_21_1"])


# --------------------------------------------------------------------------- 4. ownership model

def delft_footprints():
    import geopandas as gpd
    return gpd.read_file(sts.data_path("delft_ahn3_pointcloud_bgt", "bgt", "bgt_pand.sqlite"), layer="buildingpart")


class OwnershipModelInFeetCrsTest(sts.StrataTestCase):
    HEIGHT, STOREY = 9.0, 3.0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from shapely import affinity
        fp = delft_footprints()
        assert fp.crs.to_epsg() == 28992, fp.crs
        cls.area_m2 = dict(zip(fp["gml_id"], fp.area))  # GeoPandas, EPSG:28992 (metres)
        k = 1 / US_FT
        feet = fp[["gml_id", "geometry"]].copy()
        feet = feet.set_geometry(feet.geometry.apply(lambda g: affinity.scale(g, k, k, 1.0, origin=(0, 0))))
        cls.feet = feet.set_crs(RD_US_FT, allow_override=True)
        cls.footprints = cls.tmp / "footprints_us_ft.gpkg"
        cls.feet.to_file(cls.footprints, layer="buildingpart", driver="GPKG")
        # A store in the feet CRS (the footprints as parcels), and the model saved into it.
        cls.store = cls.tmp / "delft_us_ft.gpkg"
        cls.import_res = cls.strata("import", cls.footprints, "--kind", "parcel", "--name", "footprints",
                                    "--field", "id=gml_id", "--project-crs", RD_US_FT, "--store", cls.store)
        cls.model = cls.tmp / "generated_us_ft.city.json"
        cls.gen_res = cls.strata("units", "generate", cls.footprints, "--id-field", "gml_id",
                                 "--height", cls.HEIGHT, "--storey-height", cls.STOREY, "--out", cls.model,
                                 "--store", cls.store, "--save")

    def setUp(self):
        self.assertExit(self.import_res, sts.EXIT_OK, "import of the feet footprints")
        self.assertExit(self.gen_res, sts.EXIT_OK, "units generate --store --save")

    def test_query_units_floor_area_and_volume(self):
        for gid in list(self.area_m2)[:8]:
            want = self.area_m2[gid]
            with self.subTest(building=gid):
                res = self.strata("query", "units", "--store", self.store, "--baunit", f"{gid}/F2")
                self.assertExit(res, sts.EXIT_OK)
                r = res.result
                self.assertEqual(len(r["units"]), 1, res.describe())
                self.assertTrue(rel_close(r["units"][0]["floor_area_m2"], want, SAME_REL),
                                f"floor_area_m2 {r['units'][0]['floor_area_m2']!r}, GeoPandas {want!r} m²")
                self.assertTrue(rel_close(r["floor_area_m2"], want, SAME_REL))
                self.assertTrue(rel_close(r["volume_m3"], want * self.STOREY, SAME_REL))

    def test_query_at_floor_area_and_land_area(self):
        for _, row in self.feet.iloc[:6].iterrows():
            gid, want = row["gml_id"], self.area_m2[row["gml_id"]]
            p = row.geometry.representative_point()  # in feet
            with self.subTest(building=gid):
                res = self.strata("query", "at", p.x, p.y, 4.5, "--store", self.store)
                self.assertExit(res, sts.EXIT_OK)
                r = res.result
                self.assertEqual([b["building"] for b in r["buildings"]], [gid], res.describe())
                b = r["buildings"][0]
                self.assertTrue(rel_close(b["floor_area_m2"], want, SAME_REL), res.describe())
                self.assertTrue(rel_close(b["volume_m3"], want * self.HEIGHT, SAME_REL), res.describe())
                self.assertEqual([u["id"] for u in r["units"]], [f"{gid}/F2"])
                self.assertTrue(rel_close(r["units"][0]["floor_area_m2"], want, SAME_REL))
                land = [l for l in r["land"] if l["id"] == gid]
                self.assertEqual(len(land), 1, res.describe())
                self.assertTrue(rel_close(land[0]["area_m2"], want, SAME_REL), res.describe())

    def test_registry_area_check_in_square_metres(self):
        # valid_registry.csv registers floor areas in m²: on the feet footprints nothing is off
        # by the default 5 % (in ft² every unit would be 10.76 times its registered area) ...
        res = self.strata("units", "build", self.footprints, "--id-field", "gml_id", "--height", self.HEIGHT,
                          "--registry", REGISTRY, "--out", self.tmp / "registry_us_ft.city.json")
        self.assertExit(res, sts.EXIT_OK, "units build (feet footprints, valid registry)")
        self.assertEqual(res.result["findings"], [], res.describe())
        # ... and with --area-tol 0.002 exactly the units whose registered area is more than 0.2 %
        # off the GeoPandas footprint area are flagged, with that area in m².
        with open(REGISTRY, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        building_of = {r["建號"]: r["建物"] for r in rows}
        registered = {r["建號"]: float(r["面積"]) for r in rows}
        # Checked: main units (主建物) without an outline of their own, whose floor is the footprint.
        main = {r["建號"] for r in rows if r["類別"] == "主建物"}
        expected = {u for u, b in building_of.items()
                    if u in main and abs(self.area_m2[b] - registered[u]) > 0.002 * registered[u]}
        self.assertTrue(expected, "premise: some registered areas are more than 0.2 % off")
        res = self.strata("units", "build", self.footprints, "--id-field", "gml_id", "--height", self.HEIGHT,
                          "--registry", REGISTRY, "--out", self.tmp / "registry_us_ft_tight.city.json",
                          "--area-tol", "0.002")
        self.assertExit(res, 7, "units build --area-tol 0.002 (7: the checks found problems)")
        findings = [f for f in res.result["findings"] if f["code"] == 804]
        self.assertEqual({f["id"] for f in findings}, expected, res.describe())
        for f in findings:
            m = re.search(r"computed floor area ([0-9.]+) m²", f["detail"])
            self.assertIsNotNone(m, f)
            self.assertAlmostEqual(float(m.group(1)), self.area_m2[building_of[f["id"]]], delta=0.006, msg=f)

    def test_model_without_crs_does_not_report_zero_floor_area(self):
        # A custom (non-EPSG) CRS cannot be named in CityJSON's referenceSystem, so the model file
        # carries no CRS and strata cannot know its unit: the per-unit floor area is null. The
        # total must then be unknown as well, not a floor area of 0 m².
        gid = next(iter(self.area_m2))
        res = self.strata("query", "units", "--model", self.model, "--baunit", f"{gid}/F2")
        self.assertExit(res, sts.EXIT_OK)
        r = res.result
        per_unit = [u["floor_area_m2"] for u in r["units"]]
        self.assertEqual(len(per_unit), 1, res.describe())
        if per_unit[0] is not None:
            self.assertTrue(rel_close(per_unit[0], self.area_m2[gid], SAME_REL), res.describe())
            self.assertTrue(rel_close(r["floor_area_m2"], self.area_m2[gid], SAME_REL), res.describe())
        else:
            self.assertIsNone(r["floor_area_m2"], "total floor area of units whose area is unknown" + res.describe())
            self.assertIsNone(r["volume_m3"], "total volume of units whose volume is unknown" + res.describe())


if __name__ == "__main__":
    sts.main()
