#!/usr/bin/python3
"""End to end: `strata buildings extrude` on real footprints (Delft BGT buildings, Taipei layers).

Every expectation is computed here, independently of strata, with GeoPandas, GDAL (osgeo) and
numpy from Debian's python3:
  * constant height: volume of each CityJSON solid (divergence theorem on the boundaries, transform
    applied) = GeoPandas footprint area x height; ground surface area = footprint area; z exactly
    0..H; ids = gml_id; `strata validate` finds every solid valid;
  * storeys: a GeoPackage copy with a `floors` field (from the real BAG ids) gives tops of
    floors x storey height; null / 0 / text rows are rejected with 921 / 922, field and fid;
  * terrain: a 1 m DEM gridded by gdal.Grid from the AHN3 terrain TINs of 3dfier's output
    (testarea.json) gives base = lowest bilinear DEM height at the outer-ring vertices (numpy);
    footprints off the DEM are rejected;
  * bad input: lon/lat (911), a missing field (920), no height option (903, exit 2), points and
    null geometries (931 / 932 per fid, an empty but valid CityJSON).
"""
import json
import math
import sys
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402
from osgeo import gdal, ogr, osr  # noqa: E402

gdal.UseExceptions()
ogr.UseExceptions()

DELFT = "delft_ahn3_pointcloud_bgt"
HEIGHT = 10.0
STOREY = 3.2
# 3dfier's ground-level TIN classes: terrain (LandUse), vegetation (PlantCover), roads, water.
TERRAIN_TYPES = ("LandUse", "PlantCover", "Road", "WaterBody")


def pand_path() -> Path:
    return sts.data_path(DELFT, "bgt", "bgt_pand.sqlite")


def ogr_fids(path: Path, id_field: str) -> dict:
    """{id value: OGR feature id} of a vector file's first layer."""
    ds = ogr.Open(str(path))
    layer = ds.GetLayer(0)
    out = {f.GetField(id_field): f.GetFID() for f in layer}
    ds = None
    return out


# --------------------------------------------------------------------------- CityJSON geometry

def read_city(path: Path):
    """The document and its vertices as real coordinates (transform applied when present)."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    v = np.array(doc["vertices"], dtype=float).reshape(-1, 3)
    t = doc.get("transform")
    if t:
        v = v * np.array(t["scale"], dtype=float) + np.array(t["translate"], dtype=float)
    return doc, v


def shells_of(geometry: dict) -> list:
    """[(shell, semantic values of its surfaces or None)] of a Solid / MultiSolid / CompositeSolid."""
    sem = geometry.get("semantics")
    if geometry["type"] == "Solid":
        solids, values = [geometry["boundaries"]], [sem["values"]] if sem else None
    elif geometry["type"] in ("MultiSolid", "CompositeSolid"):
        solids, values = geometry["boundaries"], sem["values"] if sem else None
    else:
        raise AssertionError(f"not a solid geometry: {geometry['type']}")
    out = []
    for s, solid in enumerate(solids):
        for h, shell in enumerate(solid):
            out.append((shell, values[s][h] if values else None))
    return out


def area_vector(surface: list, v: np.ndarray) -> np.ndarray:
    """Newell's vector area of a surface (outer ring + holes oriented the other way)."""
    total = np.zeros(3)
    for ring in surface:
        p = v[ring]
        q = np.roll(p, -1, axis=0)
        total += 0.5 * np.cross(p, q).sum(axis=0)
    return total


def shell_volume(shell: list, v: np.ndarray) -> float:
    """Signed volume enclosed by a shell (divergence theorem, fan triangles); > 0 when the
    surfaces face outwards. Coordinates are taken relative to one of the shell's vertices."""
    origin = v[shell[0][0][0]]
    vol = 0.0
    for surface in shell:
        for ring in surface:
            p = v[ring] - origin
            a, b, c = p[0], p[1:-1], p[2:]
            vol += float(np.einsum("ij,ij->i", np.broadcast_to(a, b.shape), np.cross(b, c)).sum()) / 6.0
    return vol


def schema_errors(doc: dict) -> list:
    """Messages of the CityJSON 2.0 schema (the official, self-contained .min schema) on doc."""
    import jsonschema
    schema = json.loads(sts.data_path("schemas", "cityjson-2.0", "cityjson.min.schema.json").read_text(encoding="utf-8"))
    return [f"{list(e.absolute_path)[:4]}: {e.message[:200]}"
            for e in jsonschema.Draft7Validator(schema).iter_errors(doc)][:5]


def building_vertex_indices(obj: dict) -> list:
    def flat(b):
        if isinstance(b, int):
            yield b
        else:
            for x in b:
                yield from flat(x)
    return [i for g in obj["geometry"] for i in flat(g["boundaries"])]


# --------------------------------------------------------------------------- terrain

def terrain_points() -> np.ndarray:
    """Distinct (x, y) ground points of 3dfier's terrain, vegetation, road and water TINs, each
    with its lowest z (the TINs are stitched with vertical walls, so a few x, y carry two z).
    The 8 vertices far below ground (-6 to -15 m NAP, in three Road objects, all in one spot:
    3dfier artefacts) are left out; the rest of the ground lies between -0.5 and +2 m NAP."""
    doc, v = read_city(sts.data_path(DELFT, "output", "testarea.json"))
    idx = set()
    for obj in doc["CityObjects"].values():
        if obj["type"] in TERRAIN_TYPES:
            idx.update(building_vertex_indices(obj))
    p = v[sorted(idx)]
    p = p[p[:, 2] > -5.0]
    lowest = {}
    for x, y, z in p:
        key = (x, y)
        lowest[key] = min(z, lowest.get(key, z))
    return np.array([(x, y, z) for (x, y), z in lowest.items()])


def grid_dem(path: Path, points: np.ndarray, x0: float, y1: float, width: int, height: int) -> None:
    """A 1 m Float32 GeoTIFF in EPSG:28992, origin (x0, y1) = top-left corner, by gdal.Grid."""
    mem = gdal.GetDriverByName("Memory").Create("", 0, 0, 0, gdal.GDT_Unknown)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(28992)
    layer = mem.CreateLayer("ground", srs, ogr.wkbPoint25D)
    for x, y, z in points:
        f = ogr.Feature(layer.GetLayerDefn())
        g = ogr.Geometry(ogr.wkbPoint25D)
        g.AddPoint(float(x), float(y), float(z))
        f.SetGeometry(g)
        layer.CreateFeature(f)
    gdal.Grid(str(path), mem, format="GTiff", outputType=gdal.GDT_Float32,
              outputBounds=[x0, y1, x0 + width, y1 - height], width=width, height=height,
              algorithm="linear:radius=-1:nodata=-9999", outputSRS="EPSG:28992")


def read_dem(path: Path):
    ds = gdal.Open(str(path))
    band = ds.GetRasterBand(1)
    arr = band.ReadAsArray().astype(np.float64)
    gt = ds.GetGeoTransform()
    nodata = band.GetNoDataValue()
    ds = None
    return arr, gt, nodata


def bilinear(arr: np.ndarray, gt, x: float, y: float):
    """Bilinear height between the four surrounding cell centres (centres at integer + 0.5
    pixels, as the geotransform defines them); None when (x, y) is not between cell centres."""
    px = (x - gt[0]) / gt[1] - 0.5
    py = (y - gt[3]) / gt[5] - 0.5
    c0, r0 = math.floor(px), math.floor(py)
    rows, cols = arr.shape
    if c0 < 0 or r0 < 0 or c0 + 1 >= cols or r0 + 1 >= rows:
        return None
    fx, fy = px - c0, py - r0
    return ((1 - fx) * (1 - fy) * arr[r0, c0] + fx * (1 - fy) * arr[r0, c0 + 1]
            + (1 - fx) * fy * arr[r0 + 1, c0] + fx * fy * arr[r0 + 1, c0 + 1])


def outer_vertices(geom) -> list:
    polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    return [c[:2] for p in polys for c in p.exterior.coords]


# --------------------------------------------------------------------------- tests

class ExtrudeDelftConstantHeight(sts.StrataTestCase):
    """Case 1: the 160 Delft BGT footprints at a constant 10 m."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gdf = gpd.read_file(pand_path())
        cls.out = cls.tmp / "delft_h10.city.json"
        cls.res = cls.strata("buildings", "extrude", pand_path(), "--out", cls.out, "--height", HEIGHT,
                             "--id-field", "gml_id", "--lod", "1.2")

    def test_result_counts_and_crs(self):
        self.assertEqual(len(self.gdf), 160, "premise: bgt_pand holds 160 footprints")
        self.assertEqual(self.gdf.crs.to_epsg(), 28992, "premise")
        self.assertExit(self.res, sts.EXIT_OK)
        self.assertJsonDoc(self.res, ok=True)
        r = self.res.result
        self.assertEqual((r["features_read"], r["buildings"], r["rejected"]), (160, 160, 0), self.res.describe())
        self.assertEqual(r["issues"], [])
        doc, _ = read_city(self.out)
        self.assertEqual(doc["type"], "CityJSON")
        self.assertEqual(doc["version"], "2.0")
        ref = doc["metadata"]["referenceSystem"]
        self.assertRegex(ref, r"EPSG(/0/|::?)28992$", ref)
        self.assertEqual(schema_errors(doc), [])

    def test_ids_attributes_and_lod_match_the_source(self):
        doc, _ = read_city(self.out)
        objs = doc["CityObjects"]
        self.assertEqual(set(objs), set(self.gdf["gml_id"]))
        for _, row in self.gdf.iterrows():
            o = objs[row["gml_id"]]
            self.assertEqual(o["type"], "Building")
            a = o["attributes"]
            for col in ("gml_id", "lokaalid", "bronhouder", "bgt_status", "namespace", "identificatiebagpnd"):
                self.assertEqual(str(a[col]), str(row[col]), f"{row['gml_id']} {col}")
            self.assertEqual(a["strata:base"], 0)
            self.assertEqual(a["strata:height"], HEIGHT)
            self.assertEqual(a["strata:height_source"], "constant")
            self.assertEqual(str(a["strata:base_source"]), "0")
            self.assertEqual([g["lod"] for g in o["geometry"]], ["1.2"])

    def test_volume_ground_area_and_z_range_from_the_boundaries(self):
        doc, v = read_city(self.out)
        objs = doc["CityObjects"]
        for _, row in self.gdf.iterrows():
            gid, area = row["gml_id"], row.geometry.area
            o = objs[gid]
            z = v[building_vertex_indices(o), 2]
            self.assertEqual(set(np.round(z, 9)), {0.0, HEIGHT}, gid)
            volume, ground, roof = 0.0, 0.0, 0.0
            for g in o["geometry"]:
                types = [s["type"] for s in g["semantics"]["surfaces"]]
                for shell, values in shells_of(g):
                    volume += shell_volume(shell, v)
                    for surface, value in zip(shell, values):
                        av = area_vector(surface, v)
                        if types[value] == "GroundSurface":
                            self.assertLess(av[2], 0, f"{gid}: ground surface must face down")
                            ground += float(np.linalg.norm(av))
                        elif types[value] == "RoofSurface":
                            self.assertGreater(av[2], 0, f"{gid}: roof must face up")
                            roof += float(np.linalg.norm(av))
            self.assertGreater(volume, 0, f"{gid}: surfaces face inwards")
            self.assertLessEqual(abs(volume - area * HEIGHT), 1e-3 * area * HEIGHT,
                                 f"{gid}: volume {volume} vs footprint {area} x {HEIGHT}")
            self.assertLessEqual(abs(ground - area), 1e-3 * area, f"{gid}: ground {ground} vs {area}")
            self.assertLessEqual(abs(roof - area), 1e-3 * area, f"{gid}: roof {roof} vs {area}")

    def test_strata_validate_finds_every_solid_valid(self):
        res = self.strata("validate", self.out)
        self.assertExit(res, sts.EXIT_OK)
        r = res.result
        self.assertTrue(r["valid"], res.describe())
        self.assertEqual((r["objects"], r["objects_valid"], r["objects_invalid"]), (160, 160, 0), res.describe())


class ExtrudeStoreys(sts.StrataTestCase):
    """Case 2: storey counts in a GeoPackage copy, with three bad rows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        g = gpd.read_file(pand_path())
        # Storeys from the real data, deterministically: 1 + BAG building id mod 6 (1..6).
        floors = [str(1 + int(b) % 6) for b in g["identificatiebagpnd"]]
        bad = g.iloc[:3].copy()
        bad["gml_id"] = ["bad-null", "bad-zero", "bad-text"]
        g = gpd.GeoDataFrame(pd.concat([g, bad], ignore_index=True), crs=g.crs)
        # Text column (GeoPandas writes mixed values as a string field): null, '0', 'abc'.
        g["floors"] = floors + [None, "0", "abc"]
        # The same storeys as an integer column: null, 0 and a negative count.
        g["floors_int"] = pd.array([int(f) for f in floors] + [None, 0, -2], dtype="Int64")
        cls.gdf = g
        cls.gpkg = cls.tmp / "pand_floors.gpkg"
        g.to_file(cls.gpkg, driver="GPKG", layer="pand")
        cls.fids = ogr_fids(cls.gpkg, "gml_id")
        cls.expected_floors = dict(zip(g["gml_id"][:-3], (int(f) for f in floors)))
        cls.runs = {}
        for field in ("floors", "floors_int"):
            out = cls.tmp / f"storeys_{field}.city.json"
            cls.runs[field] = (out, cls.strata("buildings", "extrude", cls.gpkg, "--out", out, "--storeys-field",
                                               field, "--storey-height", STOREY, "--id-field", "gml_id"))

    def check_run(self, field: str, bad_codes: dict):
        out, res = self.runs[field]
        self.assertExit(res, sts.EXIT_OK)
        self.assertJsonDoc(res, ok=True)
        r = res.result
        self.assertEqual((r["features_read"], r["buildings"], r["rejected"]), (163, 160, 3), res.describe())
        got = {}
        for i in r["issues"]:
            for key in ("fid", "feature_id", "code", "field", "message"):
                self.assertIn(key, i, res.describe())
            got[i["feature_id"]] = i
        self.assertEqual(set(got), set(bad_codes), res.describe())
        for gid, code in bad_codes.items():
            self.assertEqual(got[gid]["code"], code, f"{field} {gid}")
            self.assertEqual(got[gid]["field"], field, gid)
            self.assertEqual(got[gid]["fid"], self.fids[gid], gid)
            self.assertIn(field, got[gid]["message"], gid)
        doc, v = read_city(out)
        self.assertEqual(set(doc["CityObjects"]), set(self.expected_floors))
        for gid, n in self.expected_floors.items():
            o = doc["CityObjects"][gid]
            top = n * STOREY
            self.assertAlmostEqual(o["attributes"]["strata:height"], top, places=9, msg=gid)
            self.assertEqual(o["attributes"]["strata:base"], 0, gid)
            self.assertIn(field, o["attributes"]["strata:height_source"], gid)
            z = v[building_vertex_indices(o), 2]
            self.assertAlmostEqual(float(z.min()), 0.0, delta=1e-9, msg=gid)
            self.assertAlmostEqual(float(z.max()), top, delta=5e-4 + 1e-9, msg=gid)  # mm vertices

    def test_premise_field_types(self):
        ds = ogr.Open(str(self.gpkg))
        defn = ds.GetLayer(0).GetLayerDefn()
        types = {defn.GetFieldDefn(i).GetName(): defn.GetFieldDefn(i).GetType() for i in range(defn.GetFieldCount())}
        ds = None
        self.assertEqual(types["floors"], ogr.OFTString)
        self.assertIn(types["floors_int"], (ogr.OFTInteger, ogr.OFTInteger64))
        self.assertEqual(sorted(set(self.expected_floors.values())), [1, 2, 3, 4, 5, 6])

    def test_text_storeys_field(self):
        self.check_run("floors", {"bad-null": 921, "bad-zero": 922, "bad-text": 922})

    def test_integer_storeys_field(self):
        self.check_run("floors_int", {"bad-null": 921, "bad-zero": 922, "bad-text": 922})


class ExtrudeOnTerrain(sts.StrataTestCase):
    """Case 3: base from a DEM gridded from 3dfier's AHN3 ground TINs."""

    MARGIN = 5  # m of DEM around the footprints' bounding box
    CUT_X = 85030  # east edge of the cut DEM (EPSG:28992 x); a few footprints lie east of it

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gdf = gpd.read_file(pand_path())
        cls.fids = ogr_fids(pand_path(), "gml_id")
        minx, miny, maxx, maxy = cls.gdf.total_bounds
        x0, y1 = math.floor(minx) - cls.MARGIN, math.ceil(maxy) + cls.MARGIN
        width, height = math.ceil(maxx) + cls.MARGIN - x0, y1 - (math.floor(miny) - cls.MARGIN)
        cls.points = terrain_points()
        cls.dem = cls.tmp / "delft_ground_1m.tif"
        grid_dem(cls.dem, cls.points, x0, y1, width, height)
        cls.arr, cls.gt, cls.nodata = read_dem(cls.dem)
        # The cut DEM: the same cells, west of CUT_X only.
        cls.dem_cut = cls.tmp / "delft_ground_1m_cut.tif"
        gdal.Translate(str(cls.dem_cut), str(cls.dem), srcWin=[0, 0, cls.CUT_X - x0, height])
        cls.out = cls.tmp / "terrain.city.json"
        cls.res = cls.strata("buildings", "extrude", pand_path(), "--out", cls.out, "--terrain", cls.dem,
                             "--height", HEIGHT, "--id-field", "gml_id")
        cls.out_cut = cls.tmp / "terrain_cut.city.json"
        cls.res_cut = cls.strata("buildings", "extrude", pand_path(), "--out", cls.out_cut, "--terrain",
                                 cls.dem_cut, "--height", HEIGHT, "--id-field", "gml_id")

    def expected_base(self, geom, arr=None):
        hs = [bilinear(self.arr if arr is None else arr, self.gt, x, y) for x, y in outer_vertices(geom)]
        return None if any(h is None for h in hs) else min(hs)

    def test_the_dem_is_real_ground(self):
        self.assertGreater(len(self.points), 5000, "premise: thousands of ground vertices")
        self.assertEqual(self.gt[1], 1.0)
        self.assertEqual(self.gt[5], -1.0)
        self.assertFalse(np.any(self.arr == self.nodata), "the DEM has holes under the footprints")
        self.assertTrue(-5 < self.arr.min() < self.arr.max() < 5, (self.arr.min(), self.arr.max()))
        self.assertGreater(self.arr.std(), 0.05, "a flat DEM would test nothing")
        ds = gdal.Open(str(self.dem))
        self.assertEqual(osr.SpatialReference(wkt=ds.GetProjection()).GetAuthorityCode(None), "28992")
        ds = None

    def test_base_is_the_lowest_bilinear_height_at_the_outer_ring(self):
        self.assertExit(self.res, sts.EXIT_OK)
        r = self.res.result
        self.assertEqual((r["features_read"], r["buildings"], r["rejected"]), (160, 160, 0), self.res.describe())
        doc, v = read_city(self.out)
        bases = []
        for _, row in self.gdf.iterrows():
            gid = row["gml_id"]
            base = self.expected_base(row.geometry)
            self.assertIsNotNone(base, f"premise: {gid} lies between the DEM's cell centres")
            bases.append(base)
            o = doc["CityObjects"][gid]
            a = o["attributes"]
            self.assertAlmostEqual(a["strata:base"], base, delta=1e-6, msg=gid)
            self.assertEqual(a["strata:height"], HEIGHT, gid)
            self.assertTrue(str(a["strata:base_source"]).startswith("terrain"), a["strata:base_source"])
            z = v[building_vertex_indices(o), 2]
            # Vertices are written in mm: each z is the base or the top, rounded to 1 mm.
            for zz in z:
                self.assertTrue(abs(zz - base) <= 5e-4 + 1e-9 or abs(zz - (base + HEIGHT)) <= 5e-4 + 1e-9,
                                f"{gid}: z {zz} is neither base {base} nor top {base + HEIGHT}")
            self.assertLessEqual(abs(float(z.min()) - base), 5e-4 + 1e-9, gid)
            self.assertLessEqual(abs(float(z.max()) - (base + HEIGHT)), 5e-4 + 1e-9, gid)
        self.assertGreater(max(bases) - min(bases), 0.2, "premise: the bases differ")

    def classify_against_cut(self):
        """Footprints by where their outer-ring vertices lie relative to the cut DEM's east edge."""
        edge = self.CUT_X
        inside, outside, partly = [], [], []
        for _, row in self.gdf.iterrows():
            xs = [x for x, _ in outer_vertices(row.geometry)]
            if min(xs) > edge:
                outside.append(row)
            elif max(xs) > edge:
                partly.append(row)
            elif max(xs) < edge - 0.5:
                inside.append(row)
        return inside, outside, partly

    def test_footprints_off_the_dem_are_rejected(self):
        inside, outside, partly = self.classify_against_cut()
        self.assertGreaterEqual(len(outside), 3, "premise: footprints entirely east of the cut DEM")
        self.assertGreaterEqual(len(partly), 1, "premise: footprints across the cut DEM's edge")
        self.assertExit(self.res_cut, sts.EXIT_OK)
        r = self.res_cut.result
        issues = {i["feature_id"]: i for i in r["issues"]}
        for row in outside:
            gid = row["gml_id"]
            self.assertIn(gid, issues, f"{gid} lies east of the DEM" + self.res_cut.describe())
            self.assertEqual(issues[gid]["fid"], self.fids[gid], gid)
            msg = issues[gid]["message"].lower()
            self.assertEqual(issues[gid]["code"], 913, issues[gid])  # OUTSIDE_TERRAIN
            self.assertIn("outside", msg, issues[gid])
            self.assertIn("terrain", msg, issues[gid])
        self.assertEqual(r["features_read"], 160)
        self.assertEqual(r["buildings"] + r["rejected"], 160)
        doc, _ = read_city(self.out_cut)
        for row in outside:
            self.assertNotIn(row["gml_id"], doc["CityObjects"])
        cut_arr, _, _ = read_dem(self.dem_cut)
        for row in inside:
            gid = row["gml_id"]
            self.assertNotIn(gid, issues, gid)
            self.assertAlmostEqual(doc["CityObjects"][gid]["attributes"]["strata:base"],
                                   self.expected_base(row.geometry, cut_arr), delta=1e-6, msg=gid)

    # The lowest height at the outer-ring vertices is unknown when some of them lie off the DEM:
    # such footprints are rejected (913 OUTSIDE_TERRAIN), never given a base from part of them.
    def test_footprints_partly_off_the_dem_are_rejected(self):
        _, _, partly = self.classify_against_cut()
        issues = {i["feature_id"] for i in self.res_cut.result["issues"]}
        self.assertEqual([row["gml_id"] for row in partly if row["gml_id"] not in issues], [],
                         "footprints partly outside the DEM were written with a base from some vertices only")

    # A DEM in another CRS (here EPSG:3826, whose numbers happen to cover the footprints) is
    # refused rather than sampled at the wrong place.
    def test_a_dem_in_another_crs_is_refused(self):
        other = self.tmp / "delft_ground_epsg3826.tif"
        gdal.Translate(str(other), str(self.dem), outputSRS="EPSG:3826")
        res = self.strata("buildings", "extrude", pand_path(), "--out", self.tmp / "wrong_crs.city.json",
                          "--terrain", other, "--height", HEIGHT)
        self.assertError(res, sts.EXIT_INPUT_DATA, 911, "CRS_MISMATCH")


class ExtrudeBadInput(sts.StrataTestCase):
    """Case 4: refused inputs and rejected geometries."""

    def test_lon_lat_footprints_are_refused(self):
        path = sts.data_path("taipei_districts_villages", "taipei_town.geojson")
        self.assertTrue(gpd.read_file(path).crs.is_geographic, "premise: the file is lon/lat")
        out = self.tmp / "lonlat.city.json"
        res = self.strata("buildings", "extrude", path, "--out", out, "--height", HEIGHT)
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 911, "CRS_MISMATCH")
        self.assertIn("reproject", err["message"].lower())
        self.assertFalse(out.exists())

    def test_a_missing_height_field_lists_the_fields(self):
        out = self.tmp / "missing_field.city.json"
        res = self.strata("buildings", "extrude", pand_path(), "--out", out, "--height-field", "hoogte")
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 920, "FIELD_MISSING")
        self.assertIn("hoogte", err["message"])
        for col in gpd.read_file(pand_path()).columns:
            if col != "geometry":
                self.assertIn(col, err["message"], f"field {col} not listed")
        self.assertFalse(out.exists())

    def test_no_height_option_is_a_usage_error(self):
        out = self.tmp / "no_height.city.json"
        res = self.strata("buildings", "extrude", pand_path(), "--out", out)
        self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")
        self.assertFalse(out.exists())

    def test_points_and_null_geometries_are_rejected_per_feature(self):
        src = gpd.read_file(sts.data_path("taipei_parcels_renewal_misc", "building_unsued_public.geojson"))
        gpkg = self.tmp / "unused_public_3826.gpkg"
        src.to_crs(epsg=3826).to_file(gpkg, driver="GPKG", layer="unused_public")
        ds = ogr.Open(str(gpkg))
        kinds = {f.GetFID(): (None if f.GetGeometryRef() is None else f.GetGeometryRef().GetGeometryName())
                 for f in ds.GetLayer(0)}
        ds = None
        self.assertEqual(len(kinds), 58, "premise: 58 features")
        self.assertEqual(sum(k is None for k in kinds.values()), 21, "premise: 21 null geometries")
        self.assertEqual({k for k in kinds.values() if k}, {"POINT"}, "premise: the others are points")
        out = self.tmp / "points.city.json"
        res = self.strata("buildings", "extrude", gpkg, "--out", out, "--height", HEIGHT)
        self.assertExit(res, sts.EXIT_OK)
        r = res.result
        self.assertEqual((r["features_read"], r["buildings"], r["rejected"]), (58, 0, 58), res.describe())
        got = {i["fid"]: i for i in r["issues"]}
        self.assertEqual(set(got), set(kinds))
        for fid, kind in kinds.items():
            self.assertEqual(got[fid]["code"], 932 if kind is None else 931, got[fid])
            self.assertTrue(got[fid]["message"], got[fid])
            if kind is not None:
                self.assertIn("point", got[fid]["message"].lower(), got[fid])
        doc, v = read_city(out)
        self.assertEqual((doc["type"], doc["version"], doc["CityObjects"], len(v)), ("CityJSON", "2.0", {}, 0))
        self.assertRegex(doc["metadata"]["referenceSystem"], r"EPSG(/0/|::?)3826$")
        self.assertEqual(schema_errors(doc), [])
        # Not checked with `strata validate`: like val3dity, it reports a file without city
        # objects as 902 EMPTY_PRIMITIVE (a geometric verdict, not a file-format one).


if __name__ == "__main__":
    sts.main()
