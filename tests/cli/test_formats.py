#!/usr/bin/python3
"""End to end: strata reads any OGR format (GeoJSON, Shapefile, GeoPackage, GML, CSV with WKT,
FileGDB), not only the GeoJSON the shared data comes in.

The real Kaohsiung Qishan zoning plan (S0103, EPSG:3826, 305 polygons, Chinese field names such
as 分區代) is converted at test time with ogr2ogr (derived files, written only to the temporary
directory) into an ESRI Shapefile, a GeoPackage, GML, an OpenFileGDB, a CSV with a WKT column and
a lon/lat (EPSG:4326) GeoJSON. Each one is imported with

  strata --json import FILE --kind zoning --name zoning --store S --field id=OBJECTID
         --field zone_code=分區代 --field zone_class=分區類 --field registered_area_m2=Shape_Area

(with the field names as the converted file spells them) and the store layer, read back with
GeoPandas, must match the original file read with GeoPandas: 305 features, the same multiset of
zone codes and classes, per-feature area_m2 equal to GeoPandas' area of the original EPSG:3826
polygon within 0.01 m², the registered area carried over, and geometries within 1 mm of the
originals (5 cm for the lon/lat round trip). A CSV has no CRS: without --crs the import must fail
with exit 4 and CRS_MISSING (910) suggesting --crs. A dataset with several layers needs
--source-layer.

Needs ogr2ogr (gdal-bin) with write support for the formats; without it the script is skipped
(exit 77), or fails when $CI is set.
"""
import collections
import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

QISHAN = ("taiwan_zoning_tainan_kaohsiung", "S0103_kaohsiung_qishan_zoning.geojson")
SOURCE_LAYER = "S0103_kaohsiung_qishan_zoning"  # the layer name ogr2ogr keeps from the GeoJSON
N_FEATURES = 305

AREA_TOL_M2 = 0.01
BOUNDS_TOL_M = 0.001          # projected formats: 1 mm
BOUNDS_TOL_LONLAT_M = 0.05    # EPSG:3826 -> EPSG:4326 -> EPSG:3826 round trip: 5 cm
SHA256_OF_NOTHING = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# canonical field -> field of the original file
WANTED_FIELDS = {"id": "OBJECTID", "zone_code": "分區代", "zone_class": "分區類",
                 "registered_area_m2": "Shape_Area"}


def ogr2ogr(*args) -> None:
    cmd = ["ogr2ogr"] + [str(a) for a in args]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"$ {' '.join(cmd)}\nexit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    # ogr2ogr reports a field it could not create (e.g. a name not representable in the DBF's
    # code page) as an ERROR but still exits 0: that would silently drop the field.
    if "ERROR" in proc.stderr:
        raise AssertionError(f"$ {' '.join(cmd)}\nogr2ogr reported errors:\n{proc.stderr}")


def writable_ogr_drivers() -> set:
    """Names of the OGR drivers this GDAL can write (ogrinfo --formats: 'rw' in the flags)."""
    out = subprocess.run(["ogrinfo", "--formats"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True).stdout
    drivers = set()
    for line in out.splitlines():
        m = re.match(r"\s*(.+?) -[a-z,]*vector[a-z,]*- \(([a-z+]*)\)", line)
        if m and "w" in m.group(2):
            drivers.add(m.group(1))
    return drivers


def dbf_field_name(name: str) -> str:
    """The name the Shapefile driver gives a field: at most 10 bytes of UTF-8, cut on a character."""
    out = ""
    for ch in name:
        if len((out + ch).encode("utf-8")) > 10:
            break
        out += ch
    return out


def dataset_fields(path: Path, layer: str = None) -> list:
    import fiona
    with fiona.open(str(path), layer=layer) as src:
        return list(src.schema["properties"].keys())


def resolve_fields(path: Path, layer: str = None) -> dict:
    """canonical -> field name in the converted dataset (None when the field is gone).

    Formats may rename fields: the Shapefile driver cuts names to 10 bytes (the names used here
    are 9 bytes of UTF-8 and survive, but look the truncated name up in case they do not), and
    the OpenFileGDB driver turns a source field named OBJECTID into its FID column, so OBJECTID is
    no longer an attribute there."""
    fields = dataset_fields(path, layer)
    out = {}
    for canonical, name in WANTED_FIELDS.items():
        if name in fields:
            out[canonical] = name
        elif dbf_field_name(name) in fields:
            out[canonical] = dbf_field_name(name)
        else:
            out[canonical] = None
    return out


def field_args(mapping: dict) -> list:
    args = []
    for canonical, name in mapping.items():
        if name is not None:
            args += ["--field", f"{canonical}={name}"]
    return args


class FormatsTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import geopandas as gpd
        cls.src_path = sts.data_path(*QISHAN)
        cls.orig = gpd.read_file(cls.src_path)
        cls.drivers = writable_ogr_drivers()
        cls.conv = cls.tmp / "derived"
        cls.conv.mkdir()
        # OBJECTID (as text) -> (original polygon, 分區代, Shape_Area)
        cls.orig_by_id = {str(int(oid)): (geom, code, reg) for oid, geom, code, reg in
                          zip(cls.orig["OBJECTID"], cls.orig.geometry, cls.orig["分區代"], cls.orig["Shape_Area"])}

    # ------------------------------------------------------------------ helpers

    def require_driver(self, driver: str) -> None:
        if driver not in self.drivers:
            msg = f"this GDAL cannot write {driver} (ogrinfo --formats)"
            if sts.in_ci():
                self.fail(msg)
            self.skipTest(msg)

    def import_file(self, fmt: str, path: Path, *extra, mapping: dict) -> tuple:
        store = self.tmp / f"store_{fmt}.gpkg"
        res = self.strata("import", path, "--kind", "zoning", "--name", "zoning", "--store", store,
                          *field_args(mapping), *extra)
        return store, res

    def check_store(self, fmt: str, store: Path, res: sts.StrataResult, mapping: dict,
                    bounds_tol: float, id_from_src_fid: bool = False) -> None:
        """The stored layer matches the original GeoJSON read with GeoPandas."""
        import geopandas as gpd
        self.assertExit(res, sts.EXIT_OK, f"import {fmt}")
        self.assertJsonDoc(res, ok=True)
        layer = res.result["layers"][0]
        self.assertEqual(layer["features_read"], N_FEATURES, res.describe())
        self.assertEqual(layer["features_imported"], N_FEATURES, res.describe())
        self.assertEqual(layer["features_rejected"], 0, res.describe())
        self.assertEqual(sts.gpkg_srs_id(store, "zoning"), ("EPSG", 3826))

        orig = self.orig
        self.assertEqual(len(orig), N_FEATURES)
        st = gpd.read_file(store, layer="zoning")
        self.assertEqual(len(st), N_FEATURES, f"{fmt}: feature count in the store")
        self.assertEqual(st.crs.to_epsg(), 3826)

        # the multisets of zone codes (ASCII) and zone classes (Chinese text) survive the format
        self.assertEqual(collections.Counter(st["zone_code"]), collections.Counter(orig["分區代"]),
                         f"{fmt}: zone_code values")
        self.assertEqual(collections.Counter(st["zone_class"]), collections.Counter(orig["分區類"]),
                         f"{fmt}: zone_class values (Chinese text)")

        # whole-layer bounds
        for got, want, name in zip(st.total_bounds, orig.total_bounds, ("minx", "miny", "maxx", "maxy")):
            self.assertAlmostEqual(got, want, delta=bounds_tol, msg=f"{fmt}: layer {name}")

        # sorted areas: needs no id at all
        got_areas = sorted(st["area_m2"])
        want_areas = sorted(orig.geometry.area)
        worst = max(abs(a - b) for a, b in zip(got_areas, want_areas))
        self.assertLessEqual(worst, AREA_TOL_M2, f"{fmt}: sorted area_m2 vs GeoPandas areas")

        # per feature, matched on the OBJECTID
        if mapping.get("id"):
            ids = [str(s) for s in st["sid"]]
        else:
            self.assertTrue(id_from_src_fid, f"{fmt}: no id to match features on")
            ids = [str(int(f)) for f in st["src_fid"]]
        self.assertEqual(sorted(ids), sorted(self.orig_by_id), f"{fmt}: feature ids")
        by_id = self.orig_by_id
        bad_area, bad_bounds, bad_reg, bad_code = [], [], [], []
        for fid, area, geom, reg, code in zip(ids, st["area_m2"], st.geometry, st["registered_area_m2"],
                                              st["zone_code"]):
            o_geom, o_code, o_reg = by_id[fid]
            want = o_geom.area
            if not abs(area - want) <= AREA_TOL_M2:
                bad_area.append((fid, area, want))
            d = max(abs(a - b) for a, b in zip(geom.bounds, o_geom.bounds))
            if not d <= bounds_tol:
                bad_bounds.append((fid, d))
            if reg is None or (isinstance(reg, float) and math.isnan(reg)) or abs(reg - o_reg) > 1e-6:
                bad_reg.append((fid, reg, o_reg))
            if code != o_code:
                bad_code.append((fid, code, o_code))
        self.assertEqual(bad_area, [], f"{fmt}: area_m2 differs from GeoPandas' area by more than {AREA_TOL_M2} m²")
        self.assertEqual(bad_bounds, [], f"{fmt}: feature bounds differ by more than {bounds_tol} m")
        self.assertEqual(bad_reg, [], f"{fmt}: registered_area_m2 differs from Shape_Area")
        self.assertEqual(bad_code, [], f"{fmt}: zone_code of the feature")

    # ------------------------------------------------------------------ the formats

    def test_shapefile(self):
        self.require_driver("ESRI Shapefile")
        d = self.conv / "shp"
        d.mkdir()
        path = d / "qishan.shp"
        # ENCODING=UTF-8 as a user has to give it: without it GDAL writes an ISO-8859-1 DBF and
        # drops every Chinese field name (ogr2ogr: "cannot convert to ISO-8859-1").
        ogr2ogr("-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", path, self.src_path)
        self.assertTrue((d / "qishan.prj").exists() and (d / "qishan.cpg").exists())
        mapping = resolve_fields(path)
        fields = dataset_fields(path)
        for name in WANTED_FIELDS.values():
            self.assertIn(name, fields, f"the Shapefile lost or renamed field {name}: {fields}")
        store, res = self.import_file("shp", path, mapping=mapping)
        self.check_store("Shapefile", store, res, mapping, BOUNDS_TOL_M)
        self.assertEqual(res.result["layers"][0]["source_crs"], "EPSG:3826", res.describe())
        self.assertEqual(res.result["layers"][0]["crs_origin"], "declared")

    def test_geopackage(self):
        self.require_driver("GPKG")
        path = self.conv / "qishan.gpkg"
        ogr2ogr("-f", "GPKG", path, self.src_path)
        mapping = resolve_fields(path, SOURCE_LAYER)
        self.assertIsNotNone(mapping["id"])
        store, res = self.import_file("gpkg", path, "--source-layer", SOURCE_LAYER, mapping=mapping)
        self.check_store("GeoPackage", store, res, mapping, BOUNDS_TOL_M)
        self.assertEqual(res.result["layers"][0]["source_layer"], SOURCE_LAYER)
        # strata exposes the FID column under its own name, so ArcGIS users can map OBJECTID.
        store2, res2 = self.import_file("gdb_objectid", path, "--source-layer", SOURCE_LAYER,
                                        mapping=dict(mapping, id="OBJECTID"))
        sids = {r[0] for r in sts.sqlite_rows(store2, "SELECT sid FROM zoning")}
        self.assertEqual(sids, {str(v) for v in self.orig["OBJECTID"]})
        self.assertEqual(res.result["layers"][0]["source_crs"], "EPSG:3826")

    def test_gml(self):
        self.require_driver("GML")
        path = self.conv / "qishan.gml"
        ogr2ogr("-f", "GML", path, self.src_path)
        mapping = resolve_fields(path)
        extra = []
        text = path.read_text(encoding="utf-8")
        if not re.search(r'srsName="[^"]*3826', text):
            # Older GDAL / GML2 output can come without srsName: then the file has no CRS and a
            # user passes it, as for a CSV.
            extra = ["--crs", "EPSG:3826"]
        store, res = self.import_file("gml", path, *extra, mapping=mapping)
        self.check_store("GML", store, res, mapping, BOUNDS_TOL_M)
        if not extra:
            self.assertEqual(res.result["layers"][0]["crs_origin"], "declared")
            self.assertEqual(res.result["layers"][0]["source_crs"], "EPSG:3826")

        # The same GML as it often travels, without the .xsd ogr2ogr wrote next to it: GDAL then
        # guesses the field types from the data. strata asks GDAL not to write a .gfs beside it.
        bare = self.conv / "gml_bare"
        bare.mkdir()
        shutil.copyfile(path, bare / "qishan.gml")
        store, res = self.import_file("gml_bare", bare / "qishan.gml", *extra, mapping=mapping)
        self.check_store("GML without .xsd", store, res, mapping, BOUNDS_TOL_M)
        self.assertEqual(sorted(p.name for p in bare.iterdir()), ["qishan.gml"], "the import wrote into the source folder")

    def test_filegdb(self):
        self.require_driver("OpenFileGDB")
        path = self.conv / "qishan.gdb"
        ogr2ogr("-f", "OpenFileGDB", path, self.src_path)
        mapping = resolve_fields(path, SOURCE_LAYER)
        # OpenFileGDB makes the source's OBJECTID its FID column (keeping the values), so GDAL no
        # longer lists it as an attribute: import without an id and match features on src_fid.
        self.assertIsNone(mapping["id"], "expected OpenFileGDB to turn OBJECTID into the FID")
        store, res = self.import_file("gdb", path, "--source-layer", SOURCE_LAYER, mapping=mapping)
        self.check_store("FileGDB", store, res, mapping, BOUNDS_TOL_M, id_from_src_fid=True)
        self.assertEqual(res.result["layers"][0]["source_layer"], SOURCE_LAYER)
        self.assertEqual(res.result["layers"][0]["source_crs"], "EPSG:3826")

    def test_filegdb_provenance_hash(self):
        # The provenance sha256 of a FileGDB (a directory) must identify its content, not be the
        # hash of zero bytes that every .gdb would share.
        self.require_driver("OpenFileGDB")
        path = self.conv / "hash_check.gdb"
        ogr2ogr("-f", "OpenFileGDB", path, self.src_path)
        mapping = resolve_fields(path)
        store, res = self.import_file("gdb_hash", path, mapping=mapping)
        self.assertExit(res, sts.EXIT_OK, "import FileGDB")
        sha = res.result["layers"][0]["sha256"]
        self.assertRegex(sha, r"^[0-9a-f]{64}$")
        self.assertNotEqual(sha, SHA256_OF_NOTHING,
                            "sha256 of the FileGDB directory is the SHA-256 of empty input" + res.describe())

    def _csv(self) -> Path:
        d = self.conv / "csv"
        if not (d / "qishan.csv").exists():
            d.mkdir(exist_ok=True)
            ogr2ogr("-f", "CSV", "-lco", "GEOMETRY=AS_WKT", d / "qishan.csv", self.src_path)
        # the CSV driver writes no .prj: the file carries no CRS at all
        self.assertFalse((d / "qishan.prj").exists())
        return d / "qishan.csv"

    def test_csv_wkt(self):
        self.require_driver("CSV")
        path = self._csv()
        self.assertTrue(path.read_text(encoding="utf-8").startswith("WKT,"))
        mapping = resolve_fields(path)
        # every CSV column is text (no .csvt): OBJECTID and Shape_Area arrive as strings
        store, res = self.import_file("csv", path, "--crs", "EPSG:3826", mapping=mapping)
        self.check_store("CSV", store, res, mapping, BOUNDS_TOL_M)
        self.assertEqual(res.result["layers"][0]["crs_origin"], "override")
        self.assertEqual(res.result["layers"][0]["source_crs"], "EPSG:3826")

    def test_csv_without_crs_fails(self):
        self.require_driver("CSV")
        path = self._csv()
        mapping = resolve_fields(path)
        store, res = self.import_file("csv_nocrs", path, mapping=mapping)
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 910, "CRS_MISSING")
        self.assertIn("--crs", err["message"], "the error must tell a command-line user to give --crs")
        if store.exists():
            self.assertNotIn("zoning", sts.gpkg_tables(store))

    def test_csv_with_prj_sidecar(self):
        # A user can also put a .prj (here ESRI WKT, which names no EPSG code) next to the CSV:
        # GDAL's CSV reader takes the CRS from it, and no --crs is needed.
        self.require_driver("CSV")
        d = self.conv / "csv_prj"
        d.mkdir()
        path = d / "qishan.csv"
        shutil.copyfile(self._csv(), path)
        from pyproj import CRS
        from pyproj.enums import WktVersion
        wkt = CRS.from_epsg(3826).to_wkt(WktVersion.WKT1_ESRI)
        self.assertNotIn("EPSG", wkt)
        (d / "qishan.prj").write_text(wkt, encoding="ascii")
        mapping = resolve_fields(path)
        store, res = self.import_file("csv_prj", path, mapping=mapping)
        self.check_store("CSV+.prj", store, res, mapping, BOUNDS_TOL_M)
        self.assertEqual(res.result["layers"][0]["crs_origin"], "declared")

    def test_lonlat_geojson_is_reprojected(self):
        self.require_driver("GeoJSON")
        path = self.conv / "qishan_wgs84.geojson"
        ogr2ogr("-f", "GeoJSON", "-t_srs", "EPSG:4326", path, self.src_path)
        mapping = resolve_fields(path)
        store, res = self.import_file("lonlat", path, mapping=mapping)
        # the store keeps its EPSG:3826 (the default for a new store); the features are
        # transformed into it, so areas and bounds are metric and match the original
        self.check_store("lon/lat GeoJSON", store, res, mapping, BOUNDS_TOL_LONLAT_M)
        self.assertEqual(res.result["layers"][0]["source_crs"], "EPSG:4326")
        self.assertEqual(self.info(store)["crs"], "EPSG:3826")

    def test_several_layers_need_source_layer(self):
        self.require_driver("GPKG")
        path = self.conv / "two_layers.gpkg"
        ogr2ogr("-f", "GPKG", path, self.src_path)
        ogr2ogr("-update", "-nln", "subset", "-where", "OBJECTID < 132900", path, self.src_path)
        n_subset = int((self.orig["OBJECTID"] < 132900).sum())
        self.assertTrue(0 < n_subset < N_FEATURES)
        mapping = resolve_fields(path, SOURCE_LAYER)

        # with --source-layer: exactly that layer
        store, res = self.import_file("two_subset", path, "--source-layer", "subset", mapping=mapping)
        self.assertExit(res, sts.EXIT_OK, "import --source-layer subset")
        self.assertEqual(res.result["layers"][0]["features_imported"], n_subset)
        self.assertEqual(res.result["layers"][0]["source_layer"], "subset")

        # a layer that does not exist: the error lists the layers there are
        store, res = self.import_file("two_missing", path, "--source-layer", "nope", mapping=mapping)
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 901, "INVALID_INPUT_FILE")
        self.assertIn("subset", err["message"])
        self.assertIn(SOURCE_LAYER, err["message"])

        # without --source-layer: refused, naming the layers and how to choose one on the
        # command line (like CRS_MISSING says --crs here and crs = "..." in a project file)
        store, res = self.import_file("two_ambiguous", path, mapping=mapping)
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 901, "INVALID_INPUT_FILE")
        self.assertIn("subset", err["message"])
        self.assertIn(SOURCE_LAYER, err["message"])
        if store.exists():
            self.assertNotIn("zoning", sts.gpkg_tables(store))
        self.assertIn("--source-layer", err["message"],
                      "a command-line import should be told to use --source-layer" + res.describe())


def main() -> None:
    sts.require_data_or_exit()
    if not sts.data_path(*QISHAN).is_file():
        if sts.in_ci():
            print(f"FAIL: {sts.data_path(*QISHAN)} not found", file=sys.stderr)
            sys.exit(1)
        print(f"SKIP: {sts.data_path(*QISHAN)} not found")
        sys.exit(sts.SKIP_RETURN_CODE)
    if not (shutil.which("ogr2ogr") and shutil.which("ogrinfo")):
        if sts.in_ci():
            print("FAIL: ogr2ogr/ogrinfo (gdal-bin) not found; CI is set", file=sys.stderr)
            sys.exit(1)
        print("SKIP: ogr2ogr/ogrinfo (gdal-bin) not found")
        sys.exit(sts.SKIP_RETURN_CODE)
    sts.main()


if __name__ == "__main__":
    main()
