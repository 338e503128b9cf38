#!/usr/bin/python3
"""End to end: `strata indicators` / `strata run` (analysis indicators) on bad or awkward input.

Needs no ../shared/data: everything comes from the small real excerpts in samples/taipei/. Where a
case needs modified data, the test writes a derived copy into its temporary directory with
GeoPandas, or as plain GeoJSON where a geometry is one Shapely cannot hold (a one-vertex line)
(never into the repository). Expected numbers are computed independently with
GeoPandas / Shapely 1.8 / pandas in EPSG:3826 (invalid polygons repaired with
shapely.validation.make_valid), not read back from strata.

Checks, each with the exit code, the warning or error code and that the message names what is
wrong:
  1. the sample project as shipped (a copy of samples/taipei, so its ../../out lands in the temp
     dir): exit 0; one 956 OUTSIDE_DISTRICTS for green whose area (and share) matches
     area(union(green)) - area(union(green) ∩ union(districts)) within 0.1 %; no 956 for paving,
     no 955, no 957; per-district green and permeable paving within 0.1 % of GeoPandas,
     population equal to the sample census summed with pandas, 21.1 consistent with both;
  2. districts without a population (no join): exit 0, one 957 POPULATION_MISSING per district
     naming its id and name, iso37120_21_1 null in every row, city population null, green and
     paving still computed (vs GeoPandas);
  3. a population field mapped to a source column that is 0 for one district (derived
     districts.geojson with an integer column): 957 for that district only, its 21.1 null, the
     others' 21.1 = green ha / (population / 100 000), city population null;
  4. overlapping districts (a fourth district = 大安區 shifted 200 m east): one 955
     DISTRICTS_OVERLAP per overlapping pair (as GeoPandas finds them, > 1 m²), naming both ids,
     with the overlap area within 0.1 %;
  5. population = "villages": each district's population is the sum of its villages (census
     joined per village with pandas, 糖蔀/糖廍 folded), although the district layer has none;
  6. project-file mistakes in or about [indicators] (exit 3, 970, `file:line:` of the offending
     key, nothing written): unknown layer, layer of the wrong kind, no green and no paving,
     paving_target_m2 = 0 / negative / a string / nan / inf / without a paving layer, unknown
     output name, unknown key, analyses = ["indicators"] without an [indicators] section; layer
     selections: field without values, values = [], an unknown key, a field the layer does not
     map (cited on its own line of a multi-line array), a field that is not a text field of the
     kind, a layer of kind district; breakdown naming a district layer; an entry that is a
     number; and in [[layers]]: dissolve together with a mapped id (cites the dissolve line),
     an add_fields value that is not a string; numeric selections and the point/line groups:
     min greater than max, values together with min, min on a text field ("is not a numeric
     field"), min not a number (cited on its own line of a multi-line array), max = nan, trees
     naming a polygon layer (expected point_feature), bicycle_paths naming a point layer
     (expected line_feature), green_added naming a line layer;
  7. `strata indicators` before any import: exit 5, 960 STORE_ERROR naming the store and telling
     to run `strata run` first; no store is created;
  8. outputs: indicators.csv has a header, one row per district and the city row, with the JSON's
     values; indicators.gpkg opens with GeoPandas, one row per district, EPSG:3826, same values;
     `strata indicators` and a second `strata run` replace stale outputs (a planted stale
     GeoPackage is replaced, not appended to) and leave no `.writing-*` temporary files;
  9. layer selections ({ layer, field, values }): permeable paving = only the paving features
     whose category (source map_type) is 人行道 or 公園, per district and city within 0.1 % of the
     GeoPandas union of exactly those features (strictly less than all paving, so an ignored
     filter fails); provenance.parameters.layers.paving = [{layer, field, values, polygons}]
     with polygons = the number of features pandas selects; a selection matching nothing: one
     958 EMPTY_SELECTION naming the layer and the value, paving 0 in every row, progress 0;
 10. breakdown = "villages": indicators.json has one "villages" row per village of the file
     (village_id = CPTVID, village_name = VNAME, the district columns), district_id = the
     village's CPTID and = the district GeoPandas finds it mostly in; green, paving and the
     village's area within 0.1 % of GeoPandas; population = the village's own census row
     (joined with pandas, 糖蔀/糖廍 folded), 21.1 from it; indicators_village.csv holds the same
     rows; indicators.gpkg has indicators_village (one polygon per village, EPSG:3826, same
     values) next to indicators_district; the district rows are unchanged by the breakdown;
 11. the area groups recreation_outdoor (ISO 37120:2014 13.2) and informal_settlements (21.3,
     2014: 19.3), fed with sample layers as a mechanism test: only their columns (no green or
     paving ones), m2 vs GeoPandas, per capita = m2 / population, 21.3 = 100 m2 / district
     area, city row from the sums, definitions with the ISO numbers, 956 for the recreation
     group naming it, provenance per group;
 12. import features on [[layers]]: dissolve = "CPTID" on the villages imported as kind
     district makes one feature per CPTID (strata info feature_count = distinct CPTID values;
     result.import.layers[].dissolve = {field, features, merged_into}; the union's area and
     shape vs GeoPandas dissolve; id = CPTID; the join after the merge gives the census
     population of the town; the dissolved layer as indicator districts matches GeoPandas); a
     mapped name that differs within a group (VNAME): one 933 DISSOLVE_FIELD_CONFLICT warning
     per group in `strata info --issues` (field name, first member's fid) and the merged name
     empty, while a constant code is kept; an empty dissolve value: that feature rejected (921
     FIELD_NULL); add_fields = { TOWN_X = "某區" } mapped as name: every feature named so, the
     value in its attributes; dissolve by an added constant field: one feature = the union of
     all villages; add_fields naming a field the source has: the layer fails (exit 2, 903)
     naming the field and nothing is written; a dissolve field the source lacks: 920 naming it
     and the project line;
 13. dissolve sums counts and areas: a derived copy of the villages with HH = 100 on every
     feature, dissolved by CPTID as kind district (households = HH, registered_area_m2 = AREA):
     each merged district's households = 100 × its number of villages (an integer column of the
     store) and registered_area_m2 = Σ AREA (pandas, 1e-12); parent_code mapped from a real
     column that differs within every district: one 933 per merged feature with field
     parent_code, the value left empty, and no 933 for households or registered_area_m2;
 14. a breakdown's outputs go with it: a run with breakdown = "villages", then `strata
     indicators` or `strata run` without it: indicators_village.csv removed, no "villages" in
     indicators.json (nor csv_village in the printed outputs), no indicators_village layer in
     indicators.gpkg, no "By village" in indicators.md, provenance breakdown null;
 15. point and line layers on derived copies of the sample geometry (districts written in
     EPSG:3826 and read back, so points on their vertices lie on their boundaries bit for bit):
     a point_feature layer (a point in every village, district vertices, vertices of 大安區 that
     信義區 covers too, a MultiPoint of three trees, a point twice, points outside): every feature
     imported, stored as MULTIPOINT (gpkg_geometry_columns) equal to the input; trees_planted per
     district = the Shapely count of points in the first district (file order) that covers them,
     21.2 from it, the city row the sum, one 956 with the number of points outside; a
     line_feature layer (village boundaries, 信義區's boundary, one boundary drawn twice) with a
     single-vertex line (934 rejected), a repeated consecutive point (102 repaired), a
     MultiLineString with a one-vertex part (934 repaired, part dropped) and a Polygon (931
     rejected): counts and issues_by_code in the run, each issue in `strata info --issues`
     (fid, status, message, method), the store's length_m of every accepted line vs Shapely;
     bicycle_path_km per district = Shapely's length of union(accepted lines) ∩ district
     (1e-6 rel; the plain sum is > 10 % longer), per 100 000, city row, 956 with the length
     outside; a point_feature layer fed the village polygons, into a copy of that store: exit 4,
     931 "all 130 features were rejected", nothing written, no analysis, the stored point
     layer unchanged.

Run: STRATA_BIN=build/dev/apps/strata/strata /usr/bin/python3 tests/cli/test_indicators_bad_input.py
"""
import csv
import itertools
import json
import re
import shutil
import sys
import unittest
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, mapping, shape
from shapely.ops import unary_union
from shapely.validation import make_valid

sys.path.insert(0, str(Path(__file__).resolve().parent))
import indicator_reference as reference  # noqa: E402
import strata_test_support as sts  # noqa: E402

SAMPLES = sts.REPO_ROOT / "samples" / "taipei"
CRS = 3826
REL_TOL = 1e-3          # strata vs GeoPandas: 0.1 %
ABS_FLOOR_M2 = 1.0      # where the true value is ~0, a relative bound means nothing
SAME_VALUE_REL_TOL = 1e-9  # one value in two outputs of the same run (JSON vs CSV vs GPKG)
TAIPEI = "臺北市"
SHIFT_M = 200.0

W_OVERLAP, W_OUTSIDE, W_POPULATION, W_EMPTY = 955, 956, 957, 958
W_DISSOLVE_CONFLICT, E_FIELD_MISSING, E_FIELD_NULL = 933, 920, 921
PAVING_CATEGORY = "map_type"  # the source column the sample project maps paving's category to
OUTSIDE_RE = re.compile(r"^(?P<what>green|permeable paving) \((?P<layers>[^)]*)\): (?P<area>[0-9.]+) m² "
                        r"\((?P<share>[0-9.]+) % of the union\) lie outside every district of "
                        r"'(?P<districts>[^']+)'")
OVERLAP_RE = re.compile(r"^districts (?P<a>\S+) and (?P<b>\S+) overlap by (?P<area>[0-9.]+) m²")


# --------------------------------------------------------------------------- the reference

def polygonal(geom):
    """The polygonal part of a geometry (MakeValid and intersections may add lines/points)."""
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    polys = []
    for part in getattr(geom, "geoms", []):
        sub = polygonal(part)
        if sub is not None:
            polys.extend(sub.geoms if isinstance(sub, MultiPolygon) else [sub])
    return MultiPolygon(polys) if polys else None


def read_3826(path: Path, crs_override=None) -> gpd.GeoDataFrame:
    """A polygon layer in EPSG:3826, invalid polygons repaired, non-polygons dropped."""
    gdf = gpd.read_file(path)
    if crs_override is not None:
        gdf = gdf.set_crs(crs_override, allow_override=True)
    elif gdf.crs is None:
        gdf = gdf.set_crs(4326)  # GeoJSON without a crs member: RFC 7946
    gdf = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"])].to_crs(CRS)
    geoms = [g if g.is_valid else polygonal(make_valid(g)) for g in gdf.geometry]
    gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    return gdf[~gdf.geometry.isna()]


def green_layer() -> gpd.GeoDataFrame:
    return read_3826(SAMPLES / "green.geojson")


def paving_layer() -> gpd.GeoDataFrame:
    # The file labels lon/lat degrees EPSG:3826 (the project overrides it with EPSG:4326). The
    # MultiLineStrings are not polygons (strata rejects them, 931) and id J0401-5.1 occurs twice
    # (strata keeps the first, 930).
    gdf = read_3826(SAMPLES / "paving.geojson", crs_override=4326)
    return gdf.drop_duplicates("id", keep="first")


def union_area_by_district(districts: gpd.GeoDataFrame, layer: gpd.GeoDataFrame, id_column: str = "CPTID") -> dict:
    """CPTID (or another id column: villages by CPTVID) -> area of the union of (layer ∩ zone)."""
    if len(layer) == 0:
        return {zid: 0.0 for zid in districts[id_column]}
    union = unary_union(list(layer.geometry))
    return {zid: float(union.intersection(geom).area) for zid, geom in zip(districts[id_column], districts.geometry)}


def paving_of_categories(categories) -> gpd.GeoDataFrame:
    """The paving features (as strata keeps them) whose category is one of `categories`."""
    paving = paving_layer()
    return paving[paving[PAVING_CATEGORY].isin(list(categories))]


def villages_layer() -> gpd.GeoDataFrame:
    return read_3826(SAMPLES / "villages.geojson")


def dissolved_villages() -> gpd.GeoDataFrame:
    """The sample villages merged by CPTID (GeoPandas' own dissolve), in EPSG:3826."""
    villages = villages_layer()
    rows = [(cid, group["TNAME"].iloc[0], len(group), unary_union(list(group.geometry)))
            for cid, group in villages.groupby("CPTID", sort=False)]
    return gpd.GeoDataFrame({"CPTID": [r[0] for r in rows], "TNAME": [r[1] for r in rows],
                             "members": [r[2] for r in rows]}, geometry=[r[3] for r in rows], crs=CRS)


def outside_area(districts: gpd.GeoDataFrame, layer: gpd.GeoDataFrame) -> tuple:
    """(area of the layer's union outside every district, its share of the union in %)."""
    union = unary_union(list(layer.geometry))
    inside = union.intersection(unary_union(list(districts.geometry))).area
    outside = union.area - inside
    return outside, 100.0 * outside / union.area


def census_population_by_town() -> dict:
    census = pd.read_csv(SAMPLES / "census.csv", dtype=str)
    codes = pd.read_csv(SAMPLES / "village_codes.csv", dtype=str)
    codes = codes[codes["county"] == TAIPEI]
    merged = census.merge(codes, on="ivid", how="inner")
    merged["pop"] = merged["male"].astype(int) + merged["female"].astype(int)
    return {str(k): int(v) for k, v in merged.groupby("town")["pop"].sum().items()}


def villages_with_census() -> pd.DataFrame:
    """The sample villages (CPTID, CPTVID, TNAME, VNAME) with the population (male + female) of
    their census row, joined by (district name, village name) via the code list, names folded
    with name_variants.csv as the project does."""
    villages = gpd.read_file(SAMPLES / "villages.geojson", ignore_geometry=True)[["CPTID", "CPTVID", "TNAME", "VNAME"]]
    variants = pd.read_csv(SAMPLES / "name_variants.csv", dtype=str)

    def fold(name: str) -> str:
        for variant, canonical in zip(variants["variant"], variants["canonical"]):
            name = name.replace(variant, canonical)
        return name

    codes = pd.read_csv(SAMPLES / "village_codes.csv", dtype=str)
    codes = codes.loc[codes["county"] == TAIPEI, ["ivid", "town", "name"]]
    codes = codes.assign(name=codes["name"].map(fold))
    census = pd.read_csv(SAMPLES / "census.csv", dtype={"ivid": str})
    census["population"] = census["male"] + census["female"]
    villages = villages.assign(folded=villages["VNAME"].map(fold))
    joined = villages.merge(codes, left_on=["TNAME", "folded"], right_on=["town", "name"], how="left",
                            validate="one_to_one")
    joined = joined.merge(census[["ivid", "population"]], on="ivid", how="left", validate="many_to_one")
    missing = joined[joined["population"].isna()]
    if len(missing):
        raise AssertionError(f"reference: villages without a census row: {missing[['TNAME', 'VNAME']].values.tolist()}")
    return joined


def village_population() -> dict:
    """CPTVID -> the village's own population (its census row)."""
    joined = villages_with_census()
    return {str(k): int(v) for k, v in zip(joined["CPTVID"], joined["population"])}


def village_population_by_district() -> dict:
    """CPTID -> Σ (male + female) over the villages whose CPTID (parent district) it is."""
    joined = villages_with_census()
    return {str(k): int(v) for k, v in joined.groupby("CPTID")["population"].sum().items()}


def close(got, want, rel: float = REL_TOL, floor: float = ABS_FLOOR_M2) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return abs(got - want) <= max(rel * abs(want), floor)


# --------------------------------------------------------------------------- project files

def q(value) -> str:
    """A TOML basic string (JSON string escapes are valid TOML)."""
    return json.dumps(str(value), ensure_ascii=False)


TABLES = f"""
[[tables]]
name = "village_codes"
path = {q(SAMPLES / "village_codes.csv")}

[[tables]]
name = "census"
path = {q(SAMPLES / "census.csv")}
vintage = "2013-03"
lookup = {{ table = "village_codes", on = "ivid" }}
filter = {{ county = "{TAIPEI}" }}
"""

DISTRICT_JOIN = """
[layers.join]
table = "census"
feature_keys = ["TNAME"]
table_keys = ["town"]
multiple = "sum"
fields = { population = ["male", "female"] }
"""

VILLAGES = f"""
[[layers]]
name = "villages"
kind = "village"
path = {q(SAMPLES / "villages.geojson")}
fields = {{ id = "CPTVID", name = "VNAME", code = "CPTVID", parent_code = "CPTID", parent_name = "TNAME" }}
[layers.join]
table = "census"
feature_keys = ["TNAME", "VNAME"]
table_keys = ["town", "name"]
normalise = {q(SAMPLES / "name_variants.csv")}
fields = {{ population = ["male", "female"] }}
"""

GREEN_PAVING = f"""
[[layers]]
name = "green"
kind = "green"
path = {q(SAMPLES / "green.geojson")}
fields = {{ name = "name", category = "type" }}

[[layers]]
name = "paving"
kind = "paving"
path = {q(SAMPLES / "paving.geojson")}
crs = "EPSG:4326"
fields = {{ id = "id", name = "名稱", category = "map_type" }}
"""

INDICATORS = """
[indicators]
districts = "districts"
green = ["green"]
paving = ["paving"]
paving_target_m2 = 39237
"""


def project_text(folder: Path, *, districts_path: Path = SAMPLES / "districts.geojson",
                 population_column: str = None, district_join: bool = False, villages: bool = False,
                 analyses: str = '["indicators"]', indicators: str = INDICATORS, extra_layers: str = "") -> str:
    """A project over the sample files (or derived copies); store and output inside `folder`;
    `extra_layers` ([[layers]] entries) come after the green and paving layers."""
    fields = 'id = "CPTID", name = "TNAME", code = "CPTID"'
    if population_column:
        fields += f', population = "{population_column}"'
    text = f"""# derived from samples/taipei/project.toml by tests/cli/test_indicators_bad_input.py
[project]
name = "indicators bad input: {folder.name}"
crs = "EPSG:3826"
store = {q(folder / "strata.gpkg")}
output = {q(folder / "out")}
analyses = {analyses}
"""
    if district_join or villages:
        text += TABLES
    text += f"""
[[layers]]
name = "districts"
kind = "district"
path = {q(districts_path)}
fields = {{ {fields} }}
"""
    if district_join:
        text += DISTRICT_JOIN
    if villages:
        text += VILLAGES
    text += GREEN_PAVING
    text += extra_layers
    if indicators:
        text += indicators
    return text


def line_of(text: str, pattern: str) -> int:
    """1-based line number of the only line matching the regex `pattern`."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if re.search(pattern, line)]
    if len(hits) != 1:
        raise AssertionError(f"pattern {pattern!r} matches lines {hits} of the project text")
    return hits[0]


# --------------------------------------------------------------------------- base class

class IndicatorCase(sts.StrataTestCase):
    """Helpers shared by the cases: run a project, read its indicators.json, look at warnings."""

    @classmethod
    def write_project(cls, name: str, **kwargs) -> Path:
        folder = cls.tmp / name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "project.toml"
        path.write_text(project_text(folder, **kwargs), encoding="utf-8")
        return path

    @classmethod
    def districts_3826(cls, path: Path = SAMPLES / "districts.geojson") -> gpd.GeoDataFrame:
        return read_3826(path)

    def indicators_doc(self, res: sts.StrataResult, out_dir: Path) -> dict:
        self.assertExit(res, sts.EXIT_OK)
        doc = self.assertJsonDoc(res, ok=True)
        path = out_dir / "indicators.json"
        self.assertTrue(path.is_file(), f"{path} was not written" + res.describe())
        with open(path, encoding="utf-8") as f:
            written = json.load(f)
        # What strata prints agrees with what it wrote.
        printed = (doc["result"].get("analyses") or {}).get("indicators") if doc["command"] == "run" else doc["result"]
        self.assertIsNotNone(printed, "no indicators in the JSON output" + res.describe())
        self.assertEqual(printed["warnings"], written["warnings"])
        self.assertEqual(printed["city"], written["city"])
        return written

    def warnings_with(self, doc: dict, code: int) -> list:
        found = [w for w in doc["warnings"] if w.get("code") == code]
        names = {W_OVERLAP: "DISTRICTS_OVERLAP", W_OUTSIDE: "OUTSIDE_DISTRICTS", W_POPULATION: "POPULATION_MISSING",
                 W_EMPTY: "EMPTY_SELECTION"}
        for w in found:
            self.assertEqual(w.get("name"), names[code], w)
            self.assertTrue(w.get("message"), w)
        return found

    def rows_by_id(self, doc: dict) -> dict:
        rows = {r["district_id"]: r for r in doc["districts"]}
        self.assertEqual(len(rows), len(doc["districts"]), "district ids repeat")
        return rows

    def assertClose(self, got, want, what: str, rel: float = REL_TOL, floor: float = ABS_FLOOR_M2):
        self.assertTrue(close(got, want, rel, floor), f"{what}: strata {got!r}, GeoPandas {want!r}")

    def assertGreenAndPavingMatch(self, doc: dict, districts: gpd.GeoDataFrame):
        green = union_area_by_district(districts, green_layer())
        paving = union_area_by_district(districts, paving_layer())
        rows = self.rows_by_id(doc)
        self.assertEqual(set(rows), set(green))
        for cid, row in rows.items():
            self.assertClose(row["green_area_m2"], green[cid], f"{cid} green_area_m2")
            self.assertClose(row["green_area_ha"], green[cid] / 1e4, f"{cid} green_area_ha", floor=ABS_FLOOR_M2 / 1e4)
            self.assertClose(row["permeable_paving_m2"], paving[cid], f"{cid} permeable_paving_m2")
        self.assertClose(doc["city"]["green_area_m2"], sum(green.values()), "city green_area_m2")
        self.assertClose(doc["city"]["permeable_paving_m2"], sum(paving.values()), "city permeable_paving_m2")
        return green, paving


# --------------------------------------------------------------------------- 1 + 8: the sample as is

class SampleProjectTest(IndicatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A copy of the shipped folder, so its store = "../../out/taipei/strata.gpkg" and output
        # land in the temp dir (as tests/cli/test_samples.py does); the project file is unchanged.
        cls.project_dir = cls.tmp / "samples" / "taipei"
        shutil.copytree(SAMPLES, cls.project_dir)
        cls.project = cls.project_dir / "project.toml"
        cls.out = cls.tmp / "out" / "taipei"
        cls.res = cls.strata("run", cls.project)
        cls.districts = read_3826(SAMPLES / "districts.geojson")

    def doc(self) -> dict:
        return self.indicators_doc(self.res, self.out)

    def test_run_succeeds_with_all_outputs(self):
        doc = self.doc()
        # The sample also computes per village (breakdown = "villages"): one more CSV.
        self.assertEqual(set(self.res.result["analyses"]["indicators"]["outputs"]),
                         {"json", "csv", "markdown", "gpkg", "csv_village"})
        for name in ("indicators.json", "indicators.csv", "indicators.md", "indicators.gpkg",
                     "indicators_village.csv"):
            self.assertTrue((self.out / name).is_file(), f"run did not write {name}")
        self.assertEqual(len(doc["districts"]), len(self.districts))

    def test_green_outside_districts_warning_956(self):
        doc = self.doc()
        outside, share = outside_area(self.districts, green_layer())
        self.assertGreater(outside, 1000, "reference: the sample's green reaches outside the three districts")
        found = [w for w in self.warnings_with(doc, W_OUTSIDE) if w["message"].startswith("green ")]
        self.assertEqual(len(found), 1, doc["warnings"])
        m = OUTSIDE_RE.match(found[0]["message"])
        self.assertIsNotNone(m, f"956 message not in the documented shape: {found[0]['message']}")
        self.assertEqual(m["layers"], "green", "956 must name the layer")
        self.assertEqual(m["districts"], "districts", "956 must name the district layer")
        self.assertClose(float(m["area"]), outside, "green outside every district (m²)")
        self.assertTrue(close(float(m["share"]), share, REL_TOL, 0.0005), f"share {m['share']} % vs {share:.4f} %")

    def test_no_paving_956_no_955_no_957(self):
        doc = self.doc()
        outside, _ = outside_area(self.districts, paving_layer())
        self.assertLess(outside, ABS_FLOOR_M2, "reference: all sample paving lies in the districts")
        paving_956 = [w for w in self.warnings_with(doc, W_OUTSIDE) if "paving" in w["message"]]
        self.assertEqual(paving_956, [])
        # The real districts touch (信義區/大安區 share ~0.04 m² of digitising noise): below 1 m².
        for (a, ga), (b, gb) in itertools.combinations(zip(self.districts["CPTID"], self.districts.geometry), 2):
            self.assertLess(ga.intersection(gb).area, ABS_FLOOR_M2, f"reference: {a} and {b} overlap")
        self.assertEqual(self.warnings_with(doc, W_OVERLAP), [])
        self.assertEqual(self.warnings_with(doc, W_POPULATION), [])

    def test_values_against_geopandas(self):
        doc = self.doc()
        green, _ = self.assertGreenAndPavingMatch(doc, self.districts)
        population = census_population_by_town()
        names = dict(zip(self.districts["CPTID"], self.districts["TNAME"]))
        for cid, row in self.rows_by_id(doc).items():
            self.assertEqual(row["district_name"], names[cid])
            self.assertEqual(row["population"], population[names[cid]], cid)
            want = (green[cid] / 1e4) / (population[names[cid]] / 1e5)
            self.assertClose(row["iso37120_21_1"], want, f"{cid} iso37120_21_1", floor=0.0)
        self.assertEqual(doc["city"]["population"], sum(population.values()))
        self.assertEqual(doc["city"]["district_id"], "city")

    # 8: the outputs ------------------------------------------------------------

    def test_csv_rows_equal_the_json(self):
        doc = self.doc()
        with open(self.out / "indicators.csv", encoding="utf-8", newline="") as f:
            lines = list(csv.reader(f))
        self.assertEqual(len(lines), 1 + len(doc["districts"]) + 1, "header + one row per district + city row")
        header, body = lines[0], lines[1:]
        self.assertEqual(header[:2], ["district_id", "district_name"])
        json_rows = [*doc["districts"], doc["city"]]
        self.assertEqual([r[0] for r in body], [r["district_id"] for r in json_rows])
        for crow, jrow in zip(body, json_rows):
            self.assertEqual(len(crow), len(header), crow)
            for key, text in zip(header, crow):
                want, what = jrow.get(key), f"{jrow['district_id']} {key}"
                if want is None:
                    self.assertEqual(text, "", what)
                elif isinstance(want, str):
                    self.assertEqual(text, want, what)
                elif isinstance(want, int):
                    self.assertEqual(int(text), want, what)
                else:
                    self.assertTrue(close(float(text), want, SAME_VALUE_REL_TOL, 0.0), f"{what}: {text} vs {want}")
            self.assertEqual(set(jrow) - set(header), set(), "JSON keys missing from the CSV")

    def test_gpkg_one_row_per_district_in_3826(self):
        doc = self.doc()
        gpkg = self.out / "indicators.gpkg"
        frame = gpd.read_file(gpkg, layer="indicators_district")
        self.assertEqual(len(frame), len(doc["districts"]))
        self.assertEqual(frame.crs.to_epsg(), CRS)
        self.assertEqual(sts.gpkg_srs_id(gpkg, "indicators_district"), ("EPSG", CRS))
        rows = self.rows_by_id(doc)
        self.assertEqual(set(frame["district_id"]), set(rows))
        for rec in frame.to_dict("records"):
            jrow = rows[rec["district_id"]]
            self.assertEqual(rec["district_name"], jrow["district_name"])
            for key in ("population", "district_area_m2", "green_area_m2", "iso37120_21_1", "permeable_paving_m2",
                        "permeable_paving_share"):
                self.assertTrue(close(float(rec[key]), float(jrow[key]), SAME_VALUE_REL_TOL, 0.0),
                                f"{rec['district_id']} {key}: gpkg {rec[key]} vs json {jrow[key]}")
            self.assertTrue(close(rec["geometry"].area, jrow["district_area_m2"], 1e-6, 0.0))

    def test_no_temporary_files_left(self):
        self.doc()
        self.assertEqual([p.name for p in self.out.iterdir() if ".writing-" in p.name], [])


# --------------------------------------------------------------------------- 8: a second run replaces

class RerunReplacesOutputsTest(IndicatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.write_project("rerun", district_join=True)
        cls.out = cls.project.parent / "out"
        cls.first = cls.strata("run", cls.project)

    def plant_stale_outputs(self):
        """Outputs that a correct second run must replace as a whole."""
        (self.out / "indicators.json").write_text('{"stale": true}\n', encoding="utf-8")
        (self.out / "indicators.csv").write_text("district_id,district_name\nstale,stale\n", encoding="utf-8")
        (self.out / "indicators.md").write_text("stale\n", encoding="utf-8")
        gpkg = self.out / "indicators.gpkg"
        gpkg.unlink()
        stale = gpd.GeoDataFrame({"district_id": ["stale"], "district_name": ["stale"]},
                                 geometry=[Polygon([(300000, 2770000), (300100, 2770000), (300100, 2770100)])],
                                 crs=CRS)
        stale.to_file(gpkg, layer="indicators_district", driver="GPKG")

    def assertOutputsLikeFirst(self, first: dict, res: sts.StrataResult, what: str):
        doc = self.indicators_doc(res, self.out)
        self.assertEqual(doc["districts"], first["districts"], what)
        self.assertEqual(doc["city"], first["city"], what)
        with open(self.out / "indicators.csv", encoding="utf-8", newline="") as f:
            ids = [r["district_id"] for r in csv.DictReader(f)]
        self.assertEqual(ids, [r["district_id"] for r in first["districts"]] + ["city"], what)
        self.assertNotIn("stale", (self.out / "indicators.md").read_text(encoding="utf-8"), what)
        frame = gpd.read_file(self.out / "indicators.gpkg", layer="indicators_district")
        self.assertEqual(sorted(frame["district_id"]), sorted(r["district_id"] for r in first["districts"]),
                         f"{what}: indicators.gpkg was not replaced as a whole")
        self.assertEqual(sorted(p.name for p in self.out.iterdir() if ".writing-" in p.name), [],
                         f"{what}: temporary files left in {self.out}")

    def test_indicators_then_run_replace_the_outputs(self):
        first = self.indicators_doc(self.first, self.out)
        self.plant_stale_outputs()
        second = self.strata("indicators", self.project)
        self.assertOutputsLikeFirst(first, second, "strata indicators after stale outputs")
        self.plant_stale_outputs()
        third = self.strata("run", self.project)
        self.assertOutputsLikeFirst(first, third, "second strata run after stale outputs")

    def test_outputs_no_longer_listed_are_removed(self):
        # A first run wrote all four; a run listing only json must not leave the older CSV,
        # Markdown and GeoPackage beside its new JSON.
        folder = self.tmp / "fewer"
        folder.mkdir()
        text = project_text(folder, district_join=True)
        project = folder / "project.toml"
        project.write_text(text, encoding="utf-8")
        self.assertExit(self.strata("run", project), sts.EXIT_OK)
        out = folder / "out"
        for name in ("indicators.json", "indicators.csv", "indicators.md", "indicators.gpkg"):
            self.assertTrue((out / name).exists(), name)
        project.write_text(text.replace("[indicators]\n", '[indicators]\noutputs = ["json"]\n'), encoding="utf-8")
        res = self.strata("indicators", project)
        self.assertExit(res, sts.EXIT_OK)
        self.assertEqual(sorted(p.name for p in out.iterdir() if p.name.startswith("indicators")), ["indicators.json"])
        self.assertTrue((out / "summary.json").exists(), "the run's summary is not an indicator output")
        self.assertEqual(set(res.result["outputs"]), {"json"})


# --------------------------------------------------------------------------- 2: no population

class MissingPopulationTest(IndicatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.write_project("nopop")  # the district layer has no join: no population
        cls.res = cls.strata("run", cls.project)

    def test_one_957_per_district_and_null_per_capita(self):
        doc = self.indicators_doc(self.res, self.project.parent / "out")
        districts = read_3826(SAMPLES / "districts.geojson")
        found = self.warnings_with(doc, W_POPULATION)
        self.assertEqual(len(found), len(districts), doc["warnings"])
        for cid, name in zip(districts["CPTID"], districts["TNAME"]):
            mine = [w for w in found if f"district {cid} ({name})" in w["message"]]
            self.assertEqual(len(mine), 1, f"no single 957 naming {cid} ({name}): {found}")
            self.assertIn("no population", mine[0]["message"])
            self.assertIn("'districts'", mine[0]["message"], "957 must name the population layer")
        for row in [*doc["districts"], doc["city"]]:
            self.assertIsNone(row["population"], row["district_id"])
            self.assertIsNone(row["iso37120_21_1"], row["district_id"])
        self.assertGreenAndPavingMatch(doc, districts)


# --------------------------------------------------------------------------- 3: a population of 0

class ZeroPopulationTest(IndicatorCase):
    ZERO = "6300700"  # 萬華區

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folder = cls.new_dir("zeropop")
        # derived: the sample districts with an integer column POP, 0 for 萬華區.
        src = gpd.read_file(SAMPLES / "districts.geojson")
        cls.population = {"6300200": 227991, cls.ZERO: 0, "6300300": 313587}
        src["POP"] = pd.Series([cls.population[c] for c in src["CPTID"]], index=src.index, dtype="int64")
        cls.districts_file = folder / "districts_pop0.geojson"
        src.to_file(cls.districts_file, driver="GeoJSON")
        cls.project = cls.write_project("zeropop", districts_path=cls.districts_file, population_column="POP")
        cls.res = cls.strata("run", cls.project)

    def test_957_for_that_district_only(self):
        doc = self.indicators_doc(self.res, self.project.parent / "out")
        districts = read_3826(self.districts_file)
        found = self.warnings_with(doc, W_POPULATION)
        self.assertEqual(len(found), 1, doc["warnings"])
        self.assertIn(f"district {self.ZERO} (萬華區)", found[0]["message"])
        self.assertIn("population of 0", found[0]["message"])
        green, _ = self.assertGreenAndPavingMatch(doc, districts)
        rows = self.rows_by_id(doc)
        self.assertEqual(rows[self.ZERO]["population"], 0)
        self.assertIsNone(rows[self.ZERO]["iso37120_21_1"])
        for cid, pop in self.population.items():
            if cid == self.ZERO:
                continue
            self.assertEqual(rows[cid]["population"], pop)
            self.assertClose(rows[cid]["iso37120_21_1"], (green[cid] / 1e4) / (pop / 1e5), f"{cid} 21.1", floor=0.0)
        self.assertIsNone(doc["city"]["population"])
        self.assertIsNone(doc["city"]["iso37120_21_1"])
        self.assertIsNotNone(doc["city"]["green_area_m2"])


# --------------------------------------------------------------------------- 4: overlapping districts

class OverlappingDistrictsTest(IndicatorCase):
    SHIFTED = "6300300S"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folder = cls.new_dir("overlap")
        # derived: the three sample districts plus 大安區 shifted 200 m east (EPSG:3826) as a
        # fourth district; every district gets a population so that 957 stays out of the way.
        src = gpd.read_file(SAMPLES / "districts.geojson").to_crs(CRS)
        extra = src[src["CPTID"] == "6300300"].copy()
        extra["CPTID"] = cls.SHIFTED
        extra["TNAME"] = "大安區(平移)"
        extra = extra.set_geometry(extra.geometry.translate(xoff=SHIFT_M))
        frame = pd.concat([src, extra], ignore_index=True)
        frame["POP"] = pd.Series([100000] * len(frame), dtype="int64")
        cls.districts_file = folder / "districts_overlap.geojson"
        gpd.GeoDataFrame(frame, crs=CRS).to_file(cls.districts_file, driver="GeoJSON")
        cls.project = cls.write_project("overlap", districts_path=cls.districts_file, population_column="POP")
        cls.res = cls.strata("run", cls.project)

    def test_955_names_both_and_the_area(self):
        doc = self.indicators_doc(self.res, self.project.parent / "out")
        districts = read_3826(self.districts_file)  # read back: exactly what strata read
        want = {}
        for (a, ga), (b, gb) in itertools.combinations(zip(districts["CPTID"], districts.geometry), 2):
            area = ga.intersection(gb).area
            if area > ABS_FLOOR_M2:
                want[frozenset((a, b))] = area
        self.assertIn(frozenset(("6300300", self.SHIFTED)), want, "reference: the shifted copy overlaps its original")
        got = {}
        for w in self.warnings_with(doc, W_OVERLAP):
            m = OVERLAP_RE.match(w["message"])
            self.assertIsNotNone(m, f"955 message not in the documented shape: {w['message']}")
            got[frozenset((m["a"], m["b"]))] = float(m["area"])
        self.assertEqual(set(got), set(want), f"pairs: strata {got}, GeoPandas {want}")
        for pair, area in want.items():
            self.assertClose(got[pair], area, f"overlap of {sorted(pair)} (m²)")
        self.assertEqual(self.warnings_with(doc, W_POPULATION), [])
        # The overlap counts in both districts (documented effect), so the shifted copy has its own green.
        self.assertGreenAndPavingMatch(doc, districts)


# --------------------------------------------------------------------------- 5: population = "villages"

class VillagePopulationTest(IndicatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        indicators = INDICATORS.replace('districts = "districts"\n', 'districts = "districts"\npopulation = "villages"\n')
        # The district layer has no population of its own: every figure must come from the villages.
        cls.project = cls.write_project("villagepop", villages=True, indicators=indicators)
        cls.res = cls.strata("run", cls.project)

    def test_population_is_the_village_sum(self):
        doc = self.indicators_doc(self.res, self.project.parent / "out")
        want = village_population_by_district()
        rows = self.rows_by_id(doc)
        self.assertEqual({cid: r["population"] for cid, r in rows.items()}, want)
        self.assertEqual(doc["city"]["population"], sum(want.values()))
        # The same totals as the census summed per town (every sample village has its census row).
        by_town = census_population_by_town()
        self.assertEqual({r["district_name"]: r["population"] for r in rows.values()}, by_town)
        self.assertEqual(self.warnings_with(doc, W_POPULATION), [])
        self.assertEqual([w for w in doc["warnings"] if "villages" in w["message"]], [], doc["warnings"])
        pop = doc["provenance"]["population"]
        self.assertEqual(pop["layer"], "villages")
        self.assertEqual(pop["method"], "sum of the villages of each district")
        green, _ = self.assertGreenAndPavingMatch(doc, read_3826(SAMPLES / "districts.geojson"))
        for cid, row in rows.items():
            self.assertClose(row["iso37120_21_1"], (green[cid] / 1e4) / (want[cid] / 1e5), f"{cid} 21.1", floor=0.0)


# --------------------------------------------------------------------------- 6: project-file errors

def indicators_with(*lines: str) -> str:
    return "\n[indicators]\n" + "".join(line + "\n" for line in lines)


BASE_KEYS = ('districts = "districts"', 'green = ["green"]', 'paving = ["paving"]')


def towns_layer(*lines: str) -> str:
    """An extra [[layers]] entry "towns" of kind district over the sample villages, with `lines`."""
    return f"""
[[layers]]
name = "towns"
kind = "district"
path = {q(SAMPLES / "villages.geojson")}
""" + "".join(line + "\n" for line in lines)


# A point layer and a line layer for the cases about trees and bicycle_paths. Their files are never
# opened: each case is refused while the project file is loaded.
POINT_LINE_LAYERS = f"""
[[layers]]
name = "trees"
kind = "point_feature"
path = {q(SAMPLES / "villages.geojson")}
fields = {{ name = "VNAME", year = "area_2" }}

[[layers]]
name = "bike"
kind = "line_feature"
path = {q(SAMPLES / "villages.geojson")}
fields = {{ name = "VNAME", year = "area_2" }}
"""


# (case, [indicators] text, regex of the line the error must cite, substrings the message must hold
#  [, extra [[layers]] text])
PROJECT_FILE_CASES = [
    ("unknown districts layer", indicators_with('districts = "towns"', *BASE_KEYS[1:]),
     r'^districts = "towns"', ["[indicators] districts", "unknown layer 'towns'"]),
    ("unknown green layer", indicators_with(BASE_KEYS[0], 'green = ["green", "parks"]', BASE_KEYS[2]),
     r'^green = ', ["[indicators] green", "unknown layer 'parks'"]),
    ("districts of kind village", indicators_with('districts = "villages"', *BASE_KEYS[1:]),
     r'^districts = "villages"', ["districts", "'villages'", "kind village", "district"]),
    ("green of kind district", indicators_with(BASE_KEYS[0], 'green = ["districts"]', BASE_KEYS[2]),
     r'^green = \["districts"\]', ["green", "'districts'", "kind district"]),
    ("population of kind green", indicators_with(*BASE_KEYS, 'population = "green"'),
     r'^population = "green"', ["population", "'green'", "kind green", "village"]),
    ("no green and no paving", indicators_with(BASE_KEYS[0], "paving_target_m2 = 39237"),
     r"^\[indicators\]", ["[indicators]", "names no layer for any indicator"]),
    ("paving_target_m2 = 0", indicators_with(*BASE_KEYS, "paving_target_m2 = 0"),
     r"^paving_target_m2", ["paving_target_m2", "positive"]),
    ("paving_target_m2 negative", indicators_with(*BASE_KEYS, "paving_target_m2 = -39237.5"),
     r"^paving_target_m2", ["paving_target_m2", "positive"]),
    ("paving_target_m2 a string", indicators_with(*BASE_KEYS, 'paving_target_m2 = "39237"'),
     r"^paving_target_m2", ["paving_target_m2", "number"]),
    ("paving_target_m2 nan", indicators_with(*BASE_KEYS, "paving_target_m2 = nan"),
     r"^paving_target_m2", ["paving_target_m2", "positive"]),
    ("paving_target_m2 inf", indicators_with(*BASE_KEYS, "paving_target_m2 = inf"),
     r"^paving_target_m2", ["paving_target_m2"]),
    ("unknown output", indicators_with(*BASE_KEYS, 'outputs = ["csv", "shapefile"]'),
     r"^outputs = ", ["unknown indicator output 'shapefile'", "json, csv, markdown, gpkg"]),
    ("unknown key", indicators_with(*BASE_KEYS, "paving_target = 39237"),
     r"^paving_target = ", ["unknown key 'paving_target'", "[indicators]"]),
    ("compute names no indicator", indicators_with(*BASE_KEYS, 'compute = ["21.1", "99.9"]'),
     r"^compute = ", ["[indicators] compute", "'99.9'", "names no indicator"]),
    ("compute with a bare 2014 19.x number", indicators_with(*BASE_KEYS, 'compute = ["19.1"]'),
     r"^compute = ", ["[indicators] compute", "'19.1'", "2014:19.1"]),
    ("compute names a group without layers", indicators_with(*BASE_KEYS, 'compute = ["2014:19.2"]'),
     r"^compute = ", ["[indicators] compute", "'2014:19.2'", "needs layers in trees"]),
    ("compute leaves out paving but keeps its target",
     indicators_with(*BASE_KEYS, "paving_target_m2 = 39237", 'compute = ["green"]'),
     r"^compute = ", ["compute leaves out paving", "paving_target_m2"]),
    ("analysis without [indicators]", None,
     r"^analyses = ", ["analysis indicators", "[indicators]"]),
    ("paving_target_m2 without paving", indicators_with(*BASE_KEYS[:2], "paving_target_m2 = 39237"),
     r"^paving_target_m2", ["paving_target_m2", "no paving layer"]),
    # layer selections { layer, field, values }
    ("selection field without values",
     indicators_with(*BASE_KEYS[:2], 'paving = [{ layer = "paving", field = "category" }]'),
     r"^paving = ", ["[indicators] paving", "give field with values"]),
    ("selection with values = []",
     indicators_with(*BASE_KEYS[:2], 'paving = [{ layer = "paving", field = "category", values = [] }]'),
     r"^paving = ", ["[indicators] paving values", "must not be empty"]),
    ("selection with an unknown key",
     indicators_with(*BASE_KEYS[:2], 'paving = [{ layer = "paving", field = "category", value = ["人行道"] }]'),
     r"^paving = ", ["unknown key 'value'", "[indicators] paving entry", "layer, field, values"]),
    # The bad entry is on its own line of a multi-line array: that line is cited, not the key's.
    ("selection field the layer does not map",
     indicators_with(BASE_KEYS[0], "green = [", '  "green",',
                     '  { layer = "green", field = "district_name", values = ["信義區"] },', "]", BASE_KEYS[2]),
     r'field = "district_name"', ["[indicators] green", "layer 'green'", "does not map field 'district_name'"]),
    ("selection field that is not text",
     indicators_with(BASE_KEYS[0], 'green = [{ layer = "green", field = "registered_area_m2", values = ["1"] }]',
                     BASE_KEYS[2]),
     r"^green = ", ["'registered_area_m2'", "is not a text field of kind green"]),
    ("selection of a district layer",
     indicators_with(BASE_KEYS[0], 'green = [{ layer = "districts", field = "name", values = ["信義區"] }]',
                     BASE_KEYS[2]),
     r"^green = ", ["green", "'districts'", "kind district"]),
    ("entry that is a number", indicators_with(BASE_KEYS[0], 'green = ["green", 42]', BASE_KEYS[2]),
     r"^green = ", ["[indicators] green", "entries must be layer names"]),
    ("breakdown of kind district", indicators_with(*BASE_KEYS, 'breakdown = "districts"'),
     r"^breakdown = ", ["breakdown", "'districts'", "kind district", "village"]),
    # [[layers]]: dissolve and add_fields
    ("dissolve with a mapped id", indicators_with(*BASE_KEYS),
     r'^dissolve = "CPTID"', ["layer 'towns'", "dissolve", "do not map id"],
     towns_layer('dissolve = "CPTID"', 'fields = { id = "CPTID", name = "TNAME" }')),
    ("add_fields value that is not a string", indicators_with(*BASE_KEYS),
     r"^add_fields = ", ["layer 'towns'", "add_fields values must be strings"],
     towns_layer("add_fields = { TOWN_X = 5 }", 'fields = { name = "TOWN_X" }')),
    # numeric selections (min/max) and the point and line groups; the layers "trees"
    # (point_feature) and "bike" (line_feature) map year, so each case has one mistake only
    ("min greater than max",
     indicators_with(*BASE_KEYS, 'trees = [{ layer = "trees", field = "year", min = 2019, max = 2018 }]'),
     r"^trees = ", ["[indicators] trees", "min is greater than max"], POINT_LINE_LAYERS),
    ("values together with min",
     indicators_with(*BASE_KEYS, 'trees = [{ layer = "trees", field = "name", values = ["榕樹"], min = 2018 }]'),
     r"^trees = ", ["[indicators] trees", "give either values or min/max, not both"], POINT_LINE_LAYERS),
    ("min on a text field",
     indicators_with(*BASE_KEYS, 'bicycle_paths = [{ layer = "bike", field = "name", min = 2018 }]'),
     r"^bicycle_paths = ", ["[indicators] bicycle_paths", "'name'",
                            "is not a numeric field of kind line_feature"], POINT_LINE_LAYERS),
    # The bad bound is on its own line of a multi-line array: that line is cited.
    ("min not a number",
     indicators_with(*BASE_KEYS, "trees = [", '  "trees",', '  { layer = "trees", field = "year", min = "2018" },',
                     "]"),
     r'min = "2018"', ["[indicators] trees", "min must be a number"], POINT_LINE_LAYERS),
    ("max = nan",
     indicators_with(*BASE_KEYS, 'trees = [{ layer = "trees", field = "year", max = nan }]'),
     r"^trees = ", ["[indicators] trees", "max must be a number"], POINT_LINE_LAYERS),
    ("trees naming a polygon layer", indicators_with(*BASE_KEYS, 'trees = ["green"]'),
     r"^trees = ", ["[indicators] trees", "layer 'green' is of kind green", "expected point_feature"],
     POINT_LINE_LAYERS),
    ("bicycle_paths naming a point layer", indicators_with(*BASE_KEYS, 'bicycle_paths = ["bike", "trees"]'),
     r"^bicycle_paths = ", ["[indicators] bicycle_paths", "layer 'trees' is of kind point_feature",
                            "expected line_feature"], POINT_LINE_LAYERS),
    ("green_added naming a line layer", indicators_with(*BASE_KEYS, 'green_added = ["bike"]'),
     r"^green_added = ", ["[indicators] green_added", "layer 'bike' is of kind line_feature",
                          "green or paving or zoning or parcel"], POINT_LINE_LAYERS),
    # households (15.3): legal_space layers written by units build --save, checked in the store
    ("households naming a declared 2D layer", indicators_with(*BASE_KEYS, 'households = ["green"]'),
     r"^households = ", ["[indicators] households", "layer 'green' is of kind green",
                         "legal_space layer written by units build --save"]),
    ("households selection on a field legal spaces lack",
     indicators_with(*BASE_KEYS, 'households = [{ layer = "legal_spaces", field = "zone_class", values = ["住"] }]'),
     r"^households = ", ["[indicators] households", "'zone_class'", "not a text attribute of a legal space"]),
    ("households range on a text attribute",
     indicators_with(*BASE_KEYS, 'households = [{ layer = "legal_spaces", field = "use", min = 1 }]'),
     r"^households = ", ["[indicators] households", "'use'", "registered_area_m2"]),
    ("households_as_of not a date",
     indicators_with(*BASE_KEYS, 'households = "legal_spaces"', 'households_as_of = "2026-13-01"'),
     r"^households_as_of", ["households_as_of must be a date YYYY-MM-DD", "2026-13-01"]),
    ("households_as_of without households", indicators_with(*BASE_KEYS, 'households_as_of = "2026-01-01"'),
     r"^households_as_of", ["households_as_of is given but no households layer"]),
    ("title_rights without households", indicators_with(*BASE_KEYS, 'title_rights = ["所有權"]'),
     r"^title_rights", ["title_rights is given but no households layer"]),
    ("compute 15.3 without households", indicators_with(*BASE_KEYS, 'compute = ["15.3"]'),
     r"^compute = ", ["[indicators] compute", "'15.3'", "needs layers in households"]),
]


class ProjectFileErrorsTest(IndicatorCase):
    def test_errors_cite_file_line_and_write_nothing(self):
        for i, (case, indicators, line_pattern, needles, *extra_layers) in enumerate(PROJECT_FILE_CASES):
            with self.subTest(case=case):
                folder = self.tmp / f"pf{i:02d}"
                folder.mkdir()
                text = project_text(folder, villages=True, indicators=indicators, extra_layers="".join(extra_layers))
                project = folder / "project.toml"
                project.write_text(text, encoding="utf-8")
                line = line_of(text, line_pattern)
                for command in ("run", "indicators"):
                    res = self.strata(command, project)
                    err = self.assertError(res, sts.EXIT_PROJECT_FILE, 970, "PROJECT_FILE")
                    msg = err["message"]
                    self.assertTrue(msg.startswith(f"{project}:{line}: "),
                                    f"{command}: message does not start with {project}:{line}: {msg}")
                    for needle in needles:
                        self.assertIn(needle, msg, f"{command}: the message must name {needle!r}")
                self.assertFalse((folder / "strata.gpkg").exists(), "a store was written")
                self.assertFalse((folder / "out").exists(), "an output folder was written")


# --------------------------------------------------------------------------- 7: no store yet

class StoreMissingTest(IndicatorCase):
    def test_indicators_before_any_import(self):
        project = self.write_project("nostore", district_join=True)
        store = project.parent / "strata.gpkg"
        res = self.strata("indicators", project)
        err = self.assertError(res, sts.EXIT_STORE, 960, "STORE_ERROR")
        self.assertIn(str(store), err["message"], "the error must name the store")
        self.assertIn("strata run", err["message"], "the error must say to run strata run first")
        self.assertIn("does not exist", err["message"])
        self.assertFalse(store.exists(), "strata indicators created the store")
        self.assertFalse(Path(str(store) + "-journal").exists())


class HouseholdsWithoutModelTest(IndicatorCase):
    """15.3 before `units build --save` wrote the ownership model: the error says how to make it,
    and a 2D layer of the store named as households is refused by its kind."""

    def test_missing_legal_spaces_layer(self):
        project = self.write_project("nomodel", district_join=True,
                                     indicators=indicators_with(*BASE_KEYS, 'households = "legal_spaces"'))
        res = self.strata("run", project)
        err = self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")
        for needle in ("legal_spaces", "units build", "--save", str(project.parent / "strata.gpkg")):
            self.assertIn(needle, err["message"])
        self.assertFalse((project.parent / "out" / "indicators.json").exists())


class DamagedStoreTest(IndicatorCase):
    """A store whose geometry blobs were damaged after the import (a truncated WKB, a blob that is
    not a GeoPackage geometry): `strata indicators` stops with an error naming the store, the
    group and the layer, never a crash, and writes no output."""

    def run_with_blob(self, name: str, blob_sql: str):
        project = self.write_project(name, district_join=True)
        self.assertExit(self.strata("run", project), sts.EXIT_OK, "strata run")
        store = project.parent / "strata.gpkg"
        out = project.parent / "out2"
        # The GeoPackage's R-tree triggers call SpatiaLite functions plain SQLite lacks: drop them
        # (the damage is the point; the index is not read by the indicators).
        for (trigger,) in sts.sqlite_rows(store, "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                                 "AND tbl_name = 'green'"):
            sts.sqlite_rows(store, f'DROP TRIGGER "{trigger}"', read_only=False)
        sts.sqlite_rows(store, f"UPDATE green SET geom = {blob_sql} WHERE rowid = (SELECT min(rowid) FROM green)",
                        read_only=False)
        res = self.strata("indicators", project, "--out", out)
        self.assertNotEqual(res.returncode, sts.EXIT_OK, res.describe())
        self.assertLess(res.returncode, 64, "killed by a signal?" + res.describe())
        self.assertJsonDoc(res, ok=False)
        err = sts.error_of(res.doc)
        for needle in (str(store), "green"):
            self.assertIn(needle, err["message"], res.describe())
        self.assertFalse((out / "indicators.json").exists(), "an output was written")
        return err

    def test_truncated_wkb(self):
        # A valid GeoPackage header (no envelope) followed by a MultiPolygon that ends early.
        err = self.run_with_blob("truncwkb", "X'47500001000000000106000000010000000103000000'")
        self.assertEqual((err["code"], err["code_name"]), (960, "STORE_ERROR"), err)
        self.assertIn("not valid WKB", err["message"])

    def test_not_a_geopackage_blob(self):
        err = self.run_with_blob("notgpkg", "X'00112233445566778899'")
        self.assertEqual((err["code"], err["code_name"]), (960, "STORE_ERROR"), err)
        self.assertIn("GeoPackage geometry", err["message"])
        self.assertEqual(err["message"].count(str(self.tmp)), 1, "the store is named once")


# --------------------------------------------------------------------------- shared by 9-12

class OutputCase(IndicatorCase):
    """Compares a written CSV with the JSON rows it must repeat."""

    def assertCsvRowsEqual(self, path: Path, json_rows: list, first_columns: list) -> list:
        self.assertTrue(path.is_file(), f"{path} was not written")
        with open(path, encoding="utf-8", newline="") as f:
            lines = list(csv.reader(f))
        header, body = lines[0], lines[1:]
        self.assertEqual(header[:len(first_columns)], first_columns)
        self.assertEqual(len(body), len(json_rows), f"{path.name}: header + one row per JSON row")
        for crow, jrow in zip(body, json_rows):
            what_row = jrow[first_columns[0]]
            self.assertEqual(len(crow), len(header), crow)
            for key, text in zip(header, crow):
                want, what = jrow.get(key), f"{path.name} {what_row} {key}"
                if want is None:
                    self.assertEqual(text, "", what)
                elif isinstance(want, str):
                    self.assertEqual(text, want, what)
                elif isinstance(want, int):
                    self.assertEqual(int(text), want, what)
                else:
                    self.assertTrue(close(float(text), want, SAME_VALUE_REL_TOL, 0.0), f"{what}: {text} vs {want}")
            self.assertEqual(set(jrow) - set(header), set(), f"{path.name}: JSON keys missing from the CSV")
        return header


# --------------------------------------------------------------------------- 9: layer selections

class LayerSelectionTest(OutputCase):
    CATEGORIES = ["人行道", "公園"]  # two of the sample's map_type values (PAC, 人行道, 學校, 公園, 停車場)
    NO_MATCH = "no such class"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def selecting(values):
            selection = f'{{ layer = "paving", field = "category", values = {json.dumps(values, ensure_ascii=False)} }}'
            return INDICATORS.replace('paving = ["paving"]\n', f"paving = [{selection}]\n")

        cls.project = cls.write_project("selection", district_join=True, indicators=selecting(cls.CATEGORIES))
        cls.res = cls.strata("run", cls.project)
        cls.empty_project = cls.write_project("emptyselection", district_join=True,
                                              indicators=selecting([cls.NO_MATCH]))
        cls.empty_res = cls.strata("run", cls.empty_project)
        cls.districts = read_3826(SAMPLES / "districts.geojson")
        cls.target = float(re.search(r"^paving_target_m2 = (\S+)$", INDICATORS, re.M)[1])

    def test_selected_paving_against_geopandas(self):
        doc = self.indicators_doc(self.res, self.project.parent / "out")
        selected = paving_of_categories(self.CATEGORIES)
        want = union_area_by_district(self.districts, selected)
        everything = union_area_by_district(self.districts, paving_layer())
        # reference: the selection is a real part of the layer, so a filter that let every
        # feature through (or none) would be caught.
        self.assertGreater(len(selected), 0)
        self.assertLess(len(selected), len(paving_layer()))
        self.assertGreater(sum(want.values()), 100 * ABS_FLOOR_M2)
        self.assertGreater(sum(everything.values()) - sum(want.values()), 0.01 * sum(everything.values()))
        rows = self.rows_by_id(doc)
        self.assertEqual(set(rows), set(want))
        green = union_area_by_district(self.districts, green_layer())
        for cid, geom in zip(self.districts["CPTID"], self.districts.geometry):
            row = rows[cid]
            self.assertClose(row["permeable_paving_m2"], want[cid], f"{cid} selected permeable_paving_m2")
            self.assertClose(row["permeable_paving_share"], want[cid] / geom.area, f"{cid} permeable_paving_share",
                             floor=ABS_FLOOR_M2 / geom.area)
            self.assertClose(row["green_area_m2"], green[cid], f"{cid} green_area_m2 (not a selection)")
        city = doc["city"]
        self.assertClose(city["permeable_paving_m2"], sum(want.values()), "city selected permeable_paving_m2")
        self.assertEqual(city["paving_target_m2"], self.target)
        self.assertClose(city["paving_target_progress"], sum(want.values()) / self.target,
                         "city paving_target_progress", floor=ABS_FLOOR_M2 / self.target)
        self.assertEqual(self.warnings_with(doc, W_EMPTY), [])

    def test_selection_in_provenance(self):
        doc = self.indicators_doc(self.res, self.project.parent / "out")
        layers = doc["provenance"]["parameters"]["layers"]
        self.assertEqual(layers["paving"], [{"layer": "paving", "field": "category", "values": self.CATEGORIES,
                                             "min": None, "max": None, "features": len(paving_of_categories(self.CATEGORIES)), "polygons": len(paving_of_categories(self.CATEGORIES))}])
        self.assertEqual(layers["green"], [{"layer": "green", "field": None, "values": [],
                                            "min": None, "max": None, "features": len(green_layer()), "polygons": len(green_layer())}])

    def test_empty_selection_958(self):
        doc = self.indicators_doc(self.empty_res, self.empty_project.parent / "out")
        self.assertEqual(len(paving_of_categories([self.NO_MATCH])), 0, "reference: the value matches no feature")
        found = self.warnings_with(doc, W_EMPTY)
        self.assertEqual(len(found), 1, doc["warnings"])
        for needle in ("paving", "category", self.NO_MATCH, "no feature selected"):
            self.assertIn(needle, found[0]["message"], "958 must name the layer, field and value")
        self.assertEqual([w for w in self.warnings_with(doc, W_OUTSIDE) if "paving" in w["message"]], [])
        for row in [*doc["districts"], doc["city"]]:
            self.assertEqual(row["permeable_paving_m2"], 0, row["district_id"])
            self.assertEqual(row["permeable_paving_share"], 0, row["district_id"])
        self.assertEqual(doc["city"]["paving_target_progress"], 0)
        self.assertEqual(doc["provenance"]["parameters"]["layers"]["paving"][0]["polygons"], 0)
        green = union_area_by_district(self.districts, green_layer())
        for cid, row in self.rows_by_id(doc).items():
            self.assertClose(row["green_area_m2"], green[cid], f"{cid} green_area_m2")


# --------------------------------------------------------------------------- 10: breakdown by village

class VillageBreakdownTest(OutputCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.write_project("breakdown", district_join=True, villages=True,
                                        indicators=INDICATORS + 'breakdown = "villages"\n')
        cls.out = cls.project.parent / "out"
        cls.res = cls.strata("run", cls.project)
        cls.villages = villages_layer()
        cls.districts = read_3826(SAMPLES / "districts.geojson")

    def doc(self) -> dict:
        doc = self.indicators_doc(self.res, self.out)
        self.assertIn("villages", doc, "no villages array in indicators.json")
        return doc

    def village_rows(self, doc: dict) -> dict:
        rows = {r["village_id"]: r for r in doc["villages"]}
        self.assertEqual(len(rows), len(doc["villages"]), "village ids repeat")
        return rows

    def test_one_row_per_village_with_its_district(self):
        doc = self.doc()
        raw = gpd.read_file(SAMPLES / "villages.geojson", ignore_geometry=True)
        self.assertEqual(len(self.villages), len(raw), "reference: every sample village is a polygon")
        rows = self.village_rows(doc)
        self.assertEqual(set(rows), set(self.villages["CPTVID"]))
        district_keys = set(doc["districts"][0]) - {"district_id", "district_name"}
        for vid, name, cid, geom in zip(self.villages["CPTVID"], self.villages["VNAME"], self.villages["CPTID"],
                                        self.villages.geometry):
            row = rows[vid]
            self.assertEqual(row["village_name"], name, vid)
            self.assertEqual(set(row), {"village_id", "village_name", "district_id"} | district_keys, vid)
            # Its parent code in the file, and the district GeoPandas finds it (mostly) in.
            self.assertEqual(row["district_id"], cid, f"{vid} {name}")
            overlap = {d: g.intersection(geom).area for d, g in zip(self.districts["CPTID"], self.districts.geometry)}
            self.assertEqual(max(overlap, key=overlap.get), cid, f"reference: {vid} {name} lies mostly in {cid}")
        self.assertEqual([w for w in doc["warnings"] if "villages" in w["message"]], [], doc["warnings"])
        self.assertEqual(self.warnings_with(doc, W_POPULATION), [])

    def test_village_values_against_geopandas(self):
        doc = self.doc()
        rows = self.village_rows(doc)
        green = union_area_by_district(self.villages, green_layer(), "CPTVID")
        paving = union_area_by_district(self.villages, paving_layer(), "CPTVID")
        population = village_population()
        # reference: some villages have green and paving, so zeros everywhere would fail.
        self.assertGreater(max(green.values()), 100 * ABS_FLOOR_M2)
        self.assertGreater(max(paving.values()), 100 * ABS_FLOOR_M2)
        for vid, geom in zip(self.villages["CPTVID"], self.villages.geometry):
            row, area = rows[vid], geom.area
            self.assertClose(row["district_area_m2"], area, f"village {vid} area")
            self.assertClose(row["green_area_m2"], green[vid], f"village {vid} green_area_m2")
            self.assertClose(row["green_area_ha"], green[vid] / 1e4, f"village {vid} green_area_ha",
                             floor=ABS_FLOOR_M2 / 1e4)
            self.assertClose(row["permeable_paving_m2"], paving[vid], f"village {vid} permeable_paving_m2")
            self.assertClose(row["permeable_paving_share"], paving[vid] / area, f"village {vid} share",
                             floor=ABS_FLOOR_M2 / area)
            self.assertEqual(row["population"], population[vid], f"village {vid} population")
            self.assertClose(row["iso37120_21_1"], (green[vid] / 1e4) / (population[vid] / 1e5), f"village {vid} 21.1",
                             floor=(ABS_FLOOR_M2 / 1e4) / (population[vid] / 1e5))
            self.assertIsNone(row["paving_target_m2"], "the target belongs to the city row only")
        # The villages of each district add up to its (separately joined) population.
        by_district = {}
        for row in rows.values():
            by_district[row["district_id"]] = by_district.get(row["district_id"], 0) + row["population"]
        self.assertEqual(by_district, {cid: r["population"] for cid, r in self.rows_by_id(doc).items()})

    def test_districts_unchanged_by_breakdown(self):
        doc = self.doc()
        self.assertGreenAndPavingMatch(doc, self.districts)
        population = census_population_by_town()
        for row in doc["districts"]:
            self.assertEqual(row["population"], population[row["district_name"]])
        self.assertEqual(doc["provenance"]["parameters"]["breakdown"], "villages")
        self.assertIn("villages", [d["layer"] for d in doc["provenance"]["datasets"]])

    def test_village_csv_same_rows(self):
        doc = self.doc()
        path = self.out / "indicators_village.csv"
        self.assertEqual(self.res.result["analyses"]["indicators"]["outputs"].get("csv_village"), str(path))
        self.assertCsvRowsEqual(path, doc["villages"], ["village_id", "village_name", "district_id"])
        # The district CSV keeps its districts + city rows only.
        self.assertCsvRowsEqual(self.out / "indicators.csv", [*doc["districts"], doc["city"]],
                                ["district_id", "district_name"])

    def test_village_gpkg_layer(self):
        doc = self.doc()
        gpkg = self.out / "indicators.gpkg"
        self.assertTrue({"indicators_district", "indicators_village"} <= sts.gpkg_tables(gpkg))
        self.assertEqual(len(gpd.read_file(gpkg, layer="indicators_district")), len(doc["districts"]))
        frame = gpd.read_file(gpkg, layer="indicators_village")
        self.assertEqual(len(frame), len(self.villages))
        self.assertEqual(frame.crs.to_epsg(), CRS)
        self.assertEqual(sts.gpkg_srs_id(gpkg, "indicators_village"), ("EPSG", CRS))
        self.assertEqual(set(frame.geom_type), {"MultiPolygon"})
        rows = self.village_rows(doc)
        self.assertEqual(sorted(frame["village_id"]), sorted(rows))
        area = dict(zip(self.villages["CPTVID"], self.villages.geometry.area))
        for rec in frame.to_dict("records"):
            jrow = rows[rec["village_id"]]
            for key in ("village_name", "district_id", "population"):
                self.assertEqual(rec[key], jrow[key], f"{rec['village_id']} {key}")
            for key in ("district_area_m2", "green_area_m2", "iso37120_21_1", "permeable_paving_m2"):
                self.assertTrue(close(float(rec[key]), float(jrow[key]), SAME_VALUE_REL_TOL, 0.0),
                                f"{rec['village_id']} {key}: gpkg {rec[key]} vs json {jrow[key]}")
            self.assertTrue(close(rec["geometry"].area, jrow["district_area_m2"], 1e-6, 0.0), rec["village_id"])
            self.assertClose(rec["geometry"].area, area[rec["village_id"]], f"{rec['village_id']} polygon area")


# --------------------------------------------------------------------------- 11: recreation, informal settlements

class ComputeAliasesTest(OutputCase):
    """`compute` picks groups by ISO 37120 number in either edition (2014's 19.1 = 2018's 21.1,
    written with its edition) or by key; the configured groups it leaves out are neither read
    nor output."""
    INDICATORS = """
[indicators]
districts = "districts"
green = ["green"]
paving = ["paving"]
informal_settlements = ["paving"]
compute = ["2014:19.1", "21.3"]
"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.write_project("compute", district_join=True, indicators=cls.INDICATORS)
        cls.out = cls.project.parent / "out"
        cls.res = cls.strata("run", cls.project)

    def test_only_the_named_groups(self):
        doc = self.indicators_doc(self.res, self.out)
        row = doc["districts"][0]
        self.assertIn("iso37120_21_1", row)
        self.assertIn("iso37120_21_3", row)
        self.assertNotIn("permeable_paving_m2", row, "paving is configured but not in compute")
        params = doc["provenance"]["parameters"]
        self.assertEqual(params["compute"], ["2014:19.1", "21.3"])
        self.assertEqual(set(params["layers"]), {"green", "informal_settlements"})
        # The same green as a run that computes everything (the alias changes nothing else).
        green = union_area_by_district(read_3826(SAMPLES / "districts.geojson"), green_layer())
        for r in doc["districts"]:
            self.assertClose(r["green_area_m2"], green[r["district_id"]], f"{r['district_id']} green")


class NewAreaGroupsTest(OutputCase):
    # A mechanism test: the sample has no recreation or informal-settlement data, so real sample
    # layers stand in for them (the green zones as outdoor recreation space, the paving layer's
    # parking lots as "informal settlements"). What is checked is the plumbing and the formulas.
    INFORMAL = ["停車場"]
    INDICATORS = f"""
[indicators]
districts = "districts"
recreation_outdoor = ["green"]
informal_settlements = [{{ layer = "paving", field = "category", values = {json.dumps(INFORMAL, ensure_ascii=False)} }}]
"""
    COLUMNS = ["population", "district_area_m2", "recreation_outdoor_m2", "recreation_outdoor_m2_per_capita",
               "informal_settlement_m2", "iso37120_21_3"]  # in the order of docs/indicators.md

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.write_project("groups", district_join=True, indicators=cls.INDICATORS)
        cls.out = cls.project.parent / "out"
        cls.res = cls.strata("run", cls.project)
        cls.districts = read_3826(SAMPLES / "districts.geojson")

    def test_only_the_groups_columns(self):
        doc = self.indicators_doc(self.res, self.out)
        for row in [*doc["districts"], doc["city"]]:
            self.assertEqual(set(row), {"district_id", "district_name", *self.COLUMNS}, row["district_id"])
        header = self.assertCsvRowsEqual(self.out / "indicators.csv", [*doc["districts"], doc["city"]],
                                         ["district_id", "district_name"])
        self.assertEqual(header, ["district_id", "district_name", *self.COLUMNS])

    def test_definitions_carry_iso_numbers(self):
        doc = self.indicators_doc(self.res, self.out)
        defs = {d["key"]: d for d in doc["indicators"]}
        self.assertEqual(set(defs), {"recreation_outdoor_m2_per_capita", "iso37120_21_3"})
        rec = defs["recreation_outdoor_m2_per_capita"]
        self.assertEqual(rec["iso37120_2014"], "13.2")
        self.assertNotIn("iso37120_2018", rec, "the 2018 number of 13.2 is not known: it must not be guessed")
        self.assertEqual(rec["unit"], "m² per person")
        informal = defs["iso37120_21_3"]
        self.assertEqual((informal["iso37120_2018"], informal["iso37120_2014"]), ("21.3", "19.3"))
        self.assertEqual(informal["unit"], "%")
        for d in defs.values():
            self.assertTrue(d.get("name") and d.get("formula"), d)

    def test_values_against_geopandas(self):
        doc = self.indicators_doc(self.res, self.out)
        recreation = union_area_by_district(self.districts, green_layer())
        informal_layer = paving_of_categories(self.INFORMAL)
        informal = union_area_by_district(self.districts, informal_layer)
        population = census_population_by_town()
        # reference: both groups have area somewhere, and the selection is a strict part of paving.
        self.assertGreater(max(recreation.values()), 100 * ABS_FLOOR_M2)
        self.assertGreater(max(informal.values()), 100 * ABS_FLOOR_M2)
        self.assertLess(len(informal_layer), len(paving_layer()))
        rows = self.rows_by_id(doc)
        areas = {}
        for cid, name, geom in zip(self.districts["CPTID"], self.districts["TNAME"], self.districts.geometry):
            row, pop, area = rows[cid], population[name], geom.area
            areas[cid] = area
            self.assertEqual(row["population"], pop, cid)
            self.assertClose(row["district_area_m2"], area, f"{cid} district_area_m2")
            self.assertClose(row["recreation_outdoor_m2"], recreation[cid], f"{cid} recreation_outdoor_m2")
            self.assertClose(row["recreation_outdoor_m2_per_capita"], recreation[cid] / pop,
                             f"{cid} recreation_outdoor_m2_per_capita", floor=ABS_FLOOR_M2 / pop)
            self.assertClose(row["informal_settlement_m2"], informal[cid], f"{cid} informal_settlement_m2")
            self.assertClose(row["iso37120_21_3"], 100 * informal[cid] / area, f"{cid} iso37120_21_3",
                             floor=100 * ABS_FLOOR_M2 / area)
        city = doc["city"]
        total_pop, total_area = sum(population[n] for n in self.districts["TNAME"]), sum(areas.values())
        self.assertEqual(city["population"], total_pop)
        self.assertClose(city["recreation_outdoor_m2"], sum(recreation.values()), "city recreation_outdoor_m2")
        self.assertClose(city["recreation_outdoor_m2_per_capita"], sum(recreation.values()) / total_pop,
                         "city recreation_outdoor_m2_per_capita", floor=ABS_FLOOR_M2 / total_pop)
        self.assertClose(city["informal_settlement_m2"], sum(informal.values()), "city informal_settlement_m2")
        self.assertClose(city["iso37120_21_3"], 100 * sum(informal.values()) / total_area, "city iso37120_21_3",
                         floor=100 * ABS_FLOOR_M2 / total_area)

    def test_956_and_provenance_per_group(self):
        doc = self.indicators_doc(self.res, self.out)
        outside, _ = outside_area(self.districts, green_layer())
        found = self.warnings_with(doc, W_OUTSIDE)
        self.assertEqual(len(found), 1, doc["warnings"])
        m = re.match(r"^outdoor recreation space \(green\): (?P<area>[0-9.]+) m² ", found[0]["message"])
        self.assertIsNotNone(m, f"956 must name the group and its layer: {found[0]['message']}")
        self.assertClose(float(m["area"]), outside, "outdoor recreation outside every district (m²)")
        self.assertEqual(self.warnings_with(doc, W_EMPTY), [])
        self.assertEqual(self.warnings_with(doc, W_POPULATION), [])
        layers = doc["provenance"]["parameters"]["layers"]
        self.assertEqual(set(layers), {"recreation_outdoor", "informal_settlements"})
        self.assertEqual(layers["recreation_outdoor"], [{"layer": "green", "field": None, "values": [],
                                                         "min": None, "max": None, "features": len(green_layer()), "polygons": len(green_layer())}])
        self.assertEqual(layers["informal_settlements"],
                         [{"layer": "paving", "field": "category", "values": self.INFORMAL,
                           "min": None, "max": None, "features": len(paving_of_categories(self.INFORMAL)), "polygons": len(paving_of_categories(self.INFORMAL))}])


# --------------------------------------------------------------------------- 12: dissolve and add_fields

ADDED_NAME = "某區"
CITY_NAME = "臺北市三區"


class DissolveImportTest(IndicatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folder = cls.new_dir("dissolve")
        # derived: the sample villages with CPTID emptied on one feature (the second village of
        # the first village's district), for the empty-dissolve-value rule.
        src = gpd.read_file(SAMPLES / "villages.geojson")
        cls.gap_fid = int(src.index[src["CPTID"] == src["CPTID"].iloc[0]][1])
        cls.gap_cptid = src.loc[cls.gap_fid, "CPTID"]
        src.loc[cls.gap_fid, "CPTID"] = None
        cls.gap_file = folder / "villages_cptid_gap.geojson"
        src.to_file(cls.gap_file, driver="GeoJSON")
        villages = q(SAMPLES / "villages.geojson")
        layers = f"""
[[layers]]
name = "towns"
kind = "district"
path = {villages}
dissolve = "CPTID"
fields = {{ name = "TNAME", code = "CPTID" }}
[layers.join]
table = "census"
feature_keys = ["TNAME"]
table_keys = ["town"]
multiple = "sum"
fields = {{ population = ["male", "female"] }}

[[layers]]
name = "towns_vname"
kind = "district"
path = {villages}
dissolve = "CPTID"
fields = {{ name = "VNAME", code = "CPTID" }}

[[layers]]
name = "towns_gap"
kind = "district"
path = {q(cls.gap_file)}
dissolve = "CPTID"
fields = {{ name = "TNAME", code = "CPTID" }}

[[layers]]
name = "towns_added"
kind = "district"
path = {villages}
add_fields = {{ TOWN_X = {q(ADDED_NAME)} }}
fields = {{ name = "TOWN_X" }}

[[layers]]
name = "city_one"
kind = "district"
path = {villages}
add_fields = {{ CITY = {q(CITY_NAME)} }}
dissolve = "CITY"
fields = {{ name = "CITY" }}
"""
        indicators = '\n[indicators]\ndistricts = "towns"\ngreen = ["green"]\npaving = ["paving"]\n'
        cls.project = cls.write_project("dissolve", district_join=True, extra_layers=layers, indicators=indicators)
        cls.store = cls.project.parent / "strata.gpkg"
        cls.out = cls.project.parent / "out"
        cls.res = cls.strata("run", cls.project)
        cls.raw = gpd.read_file(SAMPLES / "villages.geojson", ignore_geometry=True)
        cls.reference = dissolved_villages()

    def imported(self, layer: str) -> dict:
        self.assertExit(self.res, sts.EXIT_OK, "strata run with dissolve and add_fields")
        layers = {l["layer"]: l for l in self.res.result["import"]["layers"]}
        self.assertIn(layer, layers)
        return layers[layer]

    def stored(self, layer: str) -> gpd.GeoDataFrame:
        frame = gpd.read_file(self.store, layer=layer)
        self.assertEqual(frame.crs.to_epsg(), CRS)
        return frame

    def issues(self, layer: str) -> list:
        return [i for i in self.info(self.store, "--issues")["issues"] if i["layer"] == layer]

    def test_one_feature_per_cptid(self):
        towns = self.imported("towns")
        n_codes = self.raw["CPTID"].nunique()
        self.assertGreater(len(self.raw), n_codes, "reference: several villages per district")
        self.assertEqual(towns["dissolve"], {"field": "CPTID", "features": len(self.raw), "merged_into": n_codes})
        self.assertEqual(towns["features_read"], len(self.raw))
        self.assertEqual(towns["features_imported"] + towns["features_repaired"], len(self.raw))
        self.assertEqual(towns["features_rejected"], 0)
        self.assertEqual(self.info_layers(self.store)["towns"]["feature_count"], n_codes)
        stored = self.stored("towns")
        self.assertEqual(sorted(stored["sid"]), sorted(self.raw["CPTID"].unique()), "the id is the CPTID value")
        ref = {cid: (name, members, geom) for cid, name, members, geom in
               zip(self.reference["CPTID"], self.reference["TNAME"], self.reference["members"],
                   self.reference.geometry)}
        for rec in stored.to_dict("records"):
            cid = rec["sid"]
            name, members, geom = ref[cid]
            self.assertEqual(rec["name"], name, cid)
            self.assertEqual(rec["code"], cid, cid)
            got = rec["geometry"]
            self.assertTrue(close(got.area, geom.area, 1e-6, 0.0), f"{cid}: area {got.area} vs GeoPandas {geom.area}")
            self.assertLess(got.symmetric_difference(geom).area, max(1e-6 * geom.area, ABS_FLOOR_M2),
                            f"{cid}: the merged polygon is not the union of its villages")
            attrs = json.loads(rec["attributes"])
            self.assertEqual((attrs["strata_dissolve_field"], attrs["strata_dissolved_features"]), ("CPTID", members))
        self.assertEqual([i for i in self.issues("towns") if i["code"] == W_DISSOLVE_CONFLICT], [],
                         "TNAME and CPTID are constant within each district: no conflict")

    def test_join_after_merge_and_indicators(self):
        towns = self.imported("towns")
        n_codes = self.raw["CPTID"].nunique()
        # Joined once per merged feature, not per village.
        self.assertEqual(towns["join"]["features"], n_codes)
        self.assertEqual(towns["join"]["matched_exact"] + towns["join"]["matched_normalised"], n_codes)
        doc = self.indicators_doc(self.res, self.out)
        population = census_population_by_town()
        rows = self.rows_by_id(doc)
        self.assertEqual(set(rows), set(self.reference["CPTID"]))
        green = union_area_by_district(self.reference, green_layer())
        paving = union_area_by_district(self.reference, paving_layer())
        for cid, name, geom in zip(self.reference["CPTID"], self.reference["TNAME"], self.reference.geometry):
            row = rows[cid]
            self.assertEqual(row["district_name"], name)
            self.assertEqual(row["population"], population[name], f"{cid}: census of {name} joined after the merge")
            self.assertClose(row["district_area_m2"], geom.area, f"{cid} district_area_m2 (merged villages)")
            self.assertClose(row["green_area_m2"], green[cid], f"{cid} green_area_m2")
            self.assertClose(row["permeable_paving_m2"], paving[cid], f"{cid} permeable_paving_m2")
        self.assertEqual(self.warnings_with(doc, W_POPULATION), [])

    def test_conflicting_name_933(self):
        layer = self.imported("towns_vname")
        names = self.raw.groupby("CPTID")["VNAME"].nunique()
        conflicting = sorted(names[names > 1].index)
        self.assertGreater(len(conflicting), 0, "reference: village names differ within a district")
        self.assertEqual(layer["issues_by_code"], {f"{W_DISSOLVE_CONFLICT} DISSOLVE_FIELD_CONFLICT": len(conflicting)})
        found = [i for i in self.issues("towns_vname") if i["code"] == W_DISSOLVE_CONFLICT]
        self.assertEqual(sorted(i["feature_id"] for i in found), conflicting, "one 933 per merged feature")
        first_fid = {cid: int(group.index[0]) for cid, group in self.raw.groupby("CPTID")}
        members = self.raw["CPTID"].value_counts()
        for issue in found:
            cid = issue["feature_id"]
            self.assertEqual(issue["code_name"], "DISSOLVE_FIELD_CONFLICT", issue)
            self.assertEqual(issue["status"], "warning", issue)
            self.assertEqual(issue["field"], "name", "only name differs; the code is constant within a group")
            self.assertEqual(issue["fid"], first_fid[cid], "the merged feature is named by its first member")
            for needle in (f"{members[cid]} features", f"CPTID = '{cid}'", "name"):
                self.assertIn(needle, issue["message"])
            self.assertIn("first feature's", issue["message"], "name is required: the first member's stays")
        stored = self.stored("towns_vname")
        self.assertEqual(len(stored), len(names))
        # name is required for a district: the merged feature keeps its first member's name.
        first_name = {cid: group["VNAME"].iloc[0] for cid, group in self.raw.groupby("CPTID")}
        for rec in stored.to_dict("records"):
            self.assertEqual(rec["name"], first_name[rec["sid"]], rec["sid"])
            self.assertEqual(rec["code"], rec["sid"])

    def test_empty_dissolve_value_rejected(self):
        layer = self.imported("towns_gap")
        self.assertEqual(layer["features_read"], len(self.raw))
        self.assertEqual(layer["features_rejected"], 1)
        self.assertEqual(layer["dissolve"], {"field": "CPTID", "features": len(self.raw) - 1,
                                             "merged_into": self.raw["CPTID"].nunique()})
        found = [i for i in self.issues("towns_gap") if i["code"] == E_FIELD_NULL]
        self.assertEqual(len(found), 1, found)
        self.assertEqual((found[0]["fid"], found[0]["field"], found[0]["status"], found[0]["code_name"]),
                         (self.gap_fid, "CPTID", "rejected", "FIELD_NULL"))
        # The rejected village is not in its district's union.
        villages = villages_layer()
        members = villages[(villages["CPTID"] == self.gap_cptid) & (villages.index != self.gap_fid)]
        want = unary_union(list(members.geometry)).area
        stored = self.stored("towns_gap")
        got = stored.loc[stored["sid"] == self.gap_cptid, "geometry"].iloc[0].area
        self.assertTrue(close(got, want, 1e-6, 0.0), f"{self.gap_cptid} without the rejected village: {got} vs {want}")

    def test_add_fields_value_on_every_feature(self):
        self.assertNotIn("TOWN_X", self.raw.columns, "reference: the source has no TOWN_X")
        layer = self.imported("towns_added")
        self.assertEqual(layer["features_imported"] + layer["features_repaired"], len(self.raw))
        self.assertEqual(self.info_layers(self.store)["towns_added"]["feature_count"], len(self.raw))
        stored = self.stored("towns_added")
        self.assertEqual(set(stored["name"]), {ADDED_NAME})
        self.assertEqual({json.loads(a).get("TOWN_X") for a in stored["attributes"]}, {ADDED_NAME},
                         "the added field is kept with the source attributes")

    def test_dissolve_by_added_field(self):
        layer = self.imported("city_one")
        self.assertEqual(layer["dissolve"], {"field": "CITY", "features": len(self.raw), "merged_into": 1})
        stored = self.stored("city_one")
        self.assertEqual(len(stored), 1)
        self.assertEqual((stored["sid"].iloc[0], stored["name"].iloc[0]), (CITY_NAME, CITY_NAME))
        want = unary_union(list(villages_layer().geometry))
        got = stored.geometry.iloc[0]
        self.assertTrue(close(got.area, want.area, 1e-6, 0.0), f"union of all villages: {got.area} vs {want.area}")
        self.assertLess(got.symmetric_difference(want).area, max(1e-6 * want.area, ABS_FLOOR_M2))


class ImportFeatureFailuresTest(IndicatorCase):
    """A layer whose add_fields or dissolve cannot work fails the run, and nothing is written."""

    def run_with_towns(self, name: str, *lines: str):
        folder = self.new_dir(name)
        text = project_text(folder, extra_layers=towns_layer(*lines))
        project = folder / "project.toml"
        project.write_text(text, encoding="utf-8")
        return project, text, self.strata("run", project)

    def test_add_fields_naming_a_source_field(self):
        self.assertIn("TNAME", gpd.read_file(SAMPLES / "villages.geojson", ignore_geometry=True).columns)
        project, _, res = self.run_with_towns("addexisting", 'add_fields = { TNAME = "某區" }',
                                              'fields = { name = "TNAME" }')
        err = self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")
        self.assertEqual(err.get("layer"), "towns")
        for needle in ("add_fields", "'TNAME'", "already has", str(SAMPLES / "villages.geojson")):
            self.assertIn(needle, err["message"])
        self.assertFalse(res.result["import"]["written"])
        self.assertFalse((project.parent / "strata.gpkg").exists(), "a store was written")

    def test_dissolve_field_the_source_lacks(self):
        project, text, res = self.run_with_towns("dissolvemissing", 'dissolve = "NO_SUCH_FIELD"',
                                                 'fields = { name = "TNAME" }')
        err = self.assertError(res, sts.EXIT_INPUT_DATA, E_FIELD_MISSING, "FIELD_MISSING")
        self.assertEqual(err.get("layer"), "towns")
        layer_line = line_of(text, r'^name = "towns"$') - 1  # its [[layers]] header
        for needle in ("'NO_SUCH_FIELD'", "(dissolve)", f"{project}:{layer_line}"):
            self.assertIn(needle, err["message"])
        self.assertFalse((project.parent / "strata.gpkg").exists(), "a store was written")



# --------------------------------------------------------------------------- 13: dissolve sums counts and areas

HOUSEHOLDS_PER_VILLAGE = 100
REAL_PARENT_CODE = "TM2_MAX_X"  # a real source column that differs between the villages of a district


class DissolveSumsTest(IndicatorCase):
    """households and registered_area_m2 are summed by dissolve; a non-additive field that differs
    (parent_code mapped from a real column) is a 933 and left empty."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folder = cls.new_dir("dissolvesum")
        # derived: the sample villages with an integer column HH = 100 on every feature (AREA kept).
        src = gpd.read_file(SAMPLES / "villages.geojson")
        src["HH"] = pd.Series([HOUSEHOLDS_PER_VILLAGE] * len(src), index=src.index, dtype="int64")
        cls.villages_file = folder / "villages_hh.geojson"
        src.to_file(cls.villages_file, driver="GeoJSON")
        layers = f"""
[[layers]]
name = "towns_hh"
kind = "district"
path = {q(cls.villages_file)}
dissolve = "CPTID"
fields = {{ name = "TNAME", households = "HH", registered_area_m2 = "AREA", parent_code = "{REAL_PARENT_CODE}" }}
"""
        cls.project = cls.write_project("dissolvesum", extra_layers=layers)
        cls.store = cls.project.parent / "strata.gpkg"
        cls.res = cls.strata("run", cls.project)
        # The reference reads the derived file back: exactly what strata read.
        cls.raw = gpd.read_file(cls.villages_file, ignore_geometry=True)

    def stored(self) -> dict:
        self.assertExit(self.res, sts.EXIT_OK, "strata run with a dissolved layer")
        rows = sts.sqlite_rows(self.store, 'SELECT sid, name, households, typeof(households), registered_area_m2, '
                                           'parent_code FROM "towns_hh"')
        by_id = {r[0]: r[1:] for r in rows}
        self.assertEqual(len(by_id), len(rows), "sid repeats")
        return by_id

    def test_households_and_area_are_summed(self):
        stored = self.stored()
        groups = self.raw.groupby("CPTID")
        members = groups.size()
        areas = groups["AREA"].sum()
        # reference: every district merges several villages, whose AREA differs, so neither
        # "first member's value" nor "equal values kept" gives the sums.
        self.assertGreater(members.min(), 1)
        self.assertTrue((groups["AREA"].nunique() > 1).all())
        self.assertEqual(set(self.raw["HH"]), {HOUSEHOLDS_PER_VILLAGE})
        self.assertEqual(set(stored), set(members.index))
        for cid, (name, households, households_type, area, _) in stored.items():
            self.assertEqual(name, self.raw.loc[self.raw["CPTID"] == cid, "TNAME"].iloc[0], cid)
            self.assertEqual(households, HOUSEHOLDS_PER_VILLAGE * int(members[cid]),
                             f"{cid}: households = {HOUSEHOLDS_PER_VILLAGE} × {members[cid]} villages")
            self.assertEqual(households_type, "integer", f"{cid}: households is a count")
            self.assertTrue(close(area, float(areas[cid]), 1e-12, 0.0),
                            f"{cid}: registered_area_m2 {area} vs Σ AREA {areas[cid]}")
        # The same figures through strata's own reader (geopandas on the store).
        frame = gpd.read_file(self.store, layer="towns_hh")
        self.assertEqual({r["sid"]: r["households"] for r in frame.to_dict("records")},
                         {cid: HOUSEHOLDS_PER_VILLAGE * int(n) for cid, n in members.items()})

    def test_differing_real_field_933_and_none_for_sums(self):
        stored = self.stored()
        differing = self.raw.groupby("CPTID")[REAL_PARENT_CODE].nunique()
        self.assertTrue((differing > 1).all(), "reference: the column differs within every district")
        layer = {l["layer"]: l for l in self.res.result["import"]["layers"]}["towns_hh"]
        self.assertEqual(layer["dissolve"], {"field": "CPTID", "features": len(self.raw),
                                             "merged_into": self.raw["CPTID"].nunique()})
        self.assertEqual(layer["issues_by_code"], {f"{W_DISSOLVE_CONFLICT} DISSOLVE_FIELD_CONFLICT": len(differing)})
        issues = [i for i in self.info(self.store, "--issues")["issues"]
                  if i["layer"] == "towns_hh" and i["code"] == W_DISSOLVE_CONFLICT]
        self.assertEqual(sorted((i["feature_id"], i["field"]) for i in issues),
                         sorted((cid, "parent_code") for cid in differing.index),
                         "one 933 per merged feature, for parent_code only: never for households or "
                         "registered_area_m2")
        for issue in issues:
            self.assertEqual(issue["status"], "warning", issue)
            self.assertIn("parent_code", issue["message"])
        for cid, (_, _, _, _, parent_code) in stored.items():
            self.assertIsNone(parent_code, f"{cid}: a conflicting parent_code must be left empty")


class DissolvePartialTest(IndicatorCase):
    """A sum over members some of which have no value is said (933 naming how many lack it), and
    a dissolve value of only blanks is rejected like an empty one (921)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folder = cls.new_dir("dissolvepartial")
        # derived: the sample villages with HH = 100, except one village per district without it,
        # and one village whose CPTID is blanks.
        src = gpd.read_file(SAMPLES / "villages.geojson")
        src["HH"] = pd.array([HOUSEHOLDS_PER_VILLAGE] * len(src), dtype="Int64")
        cls.without = src.groupby("CPTID").head(1).index
        src.loc[cls.without, "HH"] = pd.NA
        cls.blank_fid = int(src.index[src["CPTID"] == src["CPTID"].iloc[-1]][-1])
        src["CPTID"] = src["CPTID"].astype(object)
        src.loc[cls.blank_fid, "CPTID"] = "  "
        cls.file = folder / "villages_partial.geojson"
        src.to_file(cls.file, driver="GeoJSON")
        layers = f"""
[[layers]]
name = "towns_partial"
kind = "district"
path = {q(cls.file)}
dissolve = "CPTID"
fields = {{ name = "TNAME", households = "HH" }}
"""
        cls.project = cls.write_project("dissolvepartial", extra_layers=layers)
        cls.store = cls.project.parent / "strata.gpkg"
        cls.res = cls.strata("run", cls.project)
        cls.raw = gpd.read_file(cls.file, ignore_geometry=True)

    def test_partial_sum_is_said(self):
        self.assertExit(self.res, sts.EXIT_OK, "strata run")
        kept = self.raw[self.raw["CPTID"].str.strip() != ""]
        want = kept.groupby("CPTID")["HH"].sum()
        lacking = kept.groupby("CPTID")["HH"].apply(lambda v: int(v.isna().sum()))
        self.assertTrue((lacking > 0).all(), "reference: one village per district has no HH")
        stored = dict(sts.sqlite_rows(self.store, 'SELECT sid, households FROM "towns_partial"'))
        self.assertEqual(stored, {cid: int(v) for cid, v in want.items()})
        issues = [i for i in self.info(self.store, "--issues")["issues"]
                  if i["layer"] == "towns_partial" and i["code"] == W_DISSOLVE_CONFLICT]
        self.assertEqual(sorted((i["feature_id"], i["field"]) for i in issues),
                         sorted((cid, "households") for cid in want.index))
        for i in issues:
            self.assertIn(f"{lacking[i['feature_id']]} have no households", i["message"])

    def test_blank_dissolve_value_rejected(self):
        self.assertExit(self.res, sts.EXIT_OK, "strata run")
        issues = [i for i in self.info(self.store, "--issues")["issues"]
                  if i["layer"] == "towns_partial" and i["code"] == E_FIELD_NULL]
        self.assertEqual([(i["fid"], i["field"], i["status"]) for i in issues],
                         [(self.blank_fid, "CPTID", "rejected")])
        sids = [r[0] for r in sts.sqlite_rows(self.store, 'SELECT sid FROM "towns_partial"')]
        self.assertNotIn("  ", sids)
        self.assertNotIn("", sids)



# --------------------------------------------------------------------------- 14: a breakdown's outputs go with it

class StaleBreakdownOutputsTest(IndicatorCase):
    """A run with breakdown = "villages", then one without: nothing of the breakdown is left."""

    def write(self, folder: Path, breakdown: bool) -> Path:
        project = folder / "project.toml"
        indicators = INDICATORS + ('breakdown = "villages"\n' if breakdown else "")
        project.write_text(project_text(folder, district_join=True, villages=True, indicators=indicators),
                           encoding="utf-8")
        return project

    def breakdown_outputs(self, out: Path) -> dict:
        """What each output holds of a breakdown."""
        with open(out / "indicators.json", encoding="utf-8") as f:
            doc = json.load(f)
        return {"csv": (out / "indicators_village.csv").exists(),
                "json": "villages" in doc,
                "gpkg": "indicators_village" in sts.gpkg_tables(out / "indicators.gpkg"),
                "markdown": "By village" in (out / "indicators.md").read_text(encoding="utf-8"),
                "breakdown": doc["provenance"]["parameters"]["breakdown"]}

    def check(self, name: str, second_command: str):
        folder = self.new_dir(name)
        out = folder / "out"
        first = self.strata("run", self.write(folder, breakdown=True))
        self.indicators_doc(first, out)
        self.assertEqual(self.breakdown_outputs(out), {"csv": True, "json": True, "gpkg": True, "markdown": True,
                                                       "breakdown": "villages"},
                         "reference: the first run writes every breakdown output")
        second = self.strata(second_command, self.write(folder, breakdown=False))
        doc = self.indicators_doc(second, out)
        self.assertEqual(self.breakdown_outputs(out), {"csv": False, "json": False, "gpkg": False, "markdown": False,
                                                       "breakdown": None},
                         f"strata {second_command} without a breakdown left the earlier breakdown's outputs")
        printed = second.result["analyses"]["indicators"] if second_command == "run" else second.result
        self.assertNotIn("csv_village", printed["outputs"])
        self.assertNotIn("villages", printed)
        # The district outputs are those of the second computation.
        self.assertEqual(len(doc["districts"]), len(read_3826(SAMPLES / "districts.geojson")))
        self.assertEqual([p.name for p in out.iterdir() if ".writing-" in p.name], [])

    def test_indicators_without_breakdown(self):
        self.check("stale_indicators", "indicators")

    def test_run_without_breakdown(self):
        self.check("stale_run", "run")



# --------------------------------------------------------------------------- 15: point and line layers

W_REPEATED_POINT, E_WRONG_GEOMETRY_TYPE, W_DEGENERATE_LINE = 102, 931, 934
CRS_MEMBER = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{CRS}"}}
SHIFT_OUTSIDE_M = 10000.0  # north of a district's centre: outside the three sample districts


def write_feature_collection(path: Path, features: list):
    """A GeoJSON file in EPSG:3826 (crs member) from (label, geometry as GeoJSON dict) pairs;
    coordinates are written at full precision (repr), so strata reads exactly these doubles."""
    doc = {"type": "FeatureCollection", "crs": CRS_MEMBER,
           "features": [{"type": "Feature", "properties": {"label": label}, "geometry": geometry}
                        for label, geometry in features]}
    path.write_text(json.dumps(doc), encoding="utf-8")


def coords_of(geom) -> list:
    return [[x, y] for x, y in geom.coords]


def read_as_is(path: Path) -> gpd.GeoDataFrame:
    """A derived EPSG:3826 layer read as written (no reprojection, no repair)."""
    frame = gpd.read_file(path)
    if frame.crs is None or frame.crs.to_epsg() != CRS:
        raise AssertionError(f"reference: {path} is not in EPSG:{CRS}")
    return frame


class PointAndLineLayersTest(IndicatorCase):
    """trees (point_feature, counted) and bicycle_paths (line_feature, union length) on derived
    copies of the sample geometry, the districts in EPSG:3826 so that points placed on their
    vertices are on their boundaries bit for bit; and a point layer fed polygons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folder = cls.new_dir("pointsandlines")
        # derived: the sample districts in EPSG:3826, read back so every coordinate below is the
        # double strata reads.
        cls.districts_file = folder / "districts_3826.geojson"
        gpd.read_file(SAMPLES / "districts.geojson").to_crs(CRS).to_file(cls.districts_file, driver="GeoJSON")
        cls.districts = read_as_is(cls.districts_file)
        villages = villages_layer()
        rings = [[c for poly in g.geoms for c in poly.exterior.coords[:-1]] for g in cls.districts.geometry]

        # Points (each point one tree): a point inside every village; every 40th vertex of each
        # district (on its boundary only); the vertices of 大安區 (last in the file) that 信義區
        # (first) covers too, so the first district must take them; a MultiPoint of the three
        # district centres (three trees); one village's point twice (two trees); and points north
        # of each district, outside all of them.
        points = [(f"village {vid}", {"type": "Point", "coordinates": [p.x, p.y]})
                  for vid, p in zip(villages["CPTVID"], villages.geometry.representative_point())]
        for i, ring in enumerate(rings):
            points += [(f"vertex {i}:{k}", {"type": "Point", "coordinates": list(c)}) for k, c in enumerate(ring)
                       if k % 40 == 0]
        cls.shared = [c for c in rings[-1] if cls.districts.geometry.iloc[0].covers(Point(c))]
        points += [(f"shared {k}", {"type": "Point", "coordinates": list(c)}) for k, c in enumerate(cls.shared)]
        centres = [g.representative_point() for g in cls.districts.geometry]
        points.append(("centres", {"type": "MultiPoint", "coordinates": [[p.x, p.y] for p in centres]}))
        points.append(points[0])
        points += [(f"north of {cid}", {"type": "Point", "coordinates": [p.x, p.y + SHIFT_OUTSIDE_M]})
                   for cid, p in zip(cls.districts["CPTID"], centres)]
        cls.points_file = folder / "trees.geojson"
        write_feature_collection(cls.points_file, points)
        cls.points = points

        # Lines: every village's boundary; 信義區's boundary (it runs along 大安區's); village 0's
        # boundary once more (drawn twice); and four awkward features.
        boundaries = list(villages.geometry.boundary)
        lines = [(f"village {vid}", mapping(b)) for vid, b in zip(villages["CPTVID"], boundaries)]
        lines.append(("district 0", mapping(cls.districts.geometry.iloc[0].boundary)))
        lines.append(("village 0 again", mapping(boundaries[0])))
        good = [shape(g) for _, g in lines]
        # a repeated consecutive point: repaired (102), same line
        line = max(boundaries[1].geoms, key=lambda g: len(g.coords)) if hasattr(boundaries[1], "geoms") \
            else boundaries[1]
        repeated = coords_of(line)
        repeated.insert(3, list(repeated[3]))
        # one vertex only: rejected (934)
        single = [centres[0].x, centres[0].y]
        # a degenerate part next to a good one (from 信義區's centre to 萬華區's): repaired (934), part dropped
        good_part = LineString([(centres[0].x, centres[0].y), (centres[1].x, centres[1].y)])
        # a polygon: rejected (931)
        polygon = mapping(villages.geometry.iloc[2].geoms[0])
        cls.awkward = {"repeated": len(lines), "single": len(lines) + 1, "multi": len(lines) + 2,
                       "polygon": len(lines) + 3}  # their source feature ids
        lines += [("repeated point", {"type": "LineString", "coordinates": repeated}),
                  ("single vertex", {"type": "LineString", "coordinates": [single]}),
                  ("degenerate part", {"type": "MultiLineString", "coordinates": [[single], coords_of(good_part)]}),
                  ("polygon", polygon)]
        cls.lines_file = folder / "bike.geojson"
        write_feature_collection(cls.lines_file, lines)
        cls.n_lines = len(lines)
        # What strata must keep, by source feature id: the repaired ones as they are after repair.
        cls.accepted = dict(enumerate(good))
        cls.accepted[cls.awkward["repeated"]] = LineString(repeated)
        cls.accepted[cls.awkward["multi"]] = good_part

        def layers_with(points_file: Path, name_field: str) -> str:
            return f"""
[[layers]]
name = "pts"
kind = "point_feature"
path = {q(points_file)}
fields = {{ name = "{name_field}" }}

[[layers]]
name = "paths"
kind = "line_feature"
path = {q(cls.lines_file)}
fields = {{ name = "label" }}
"""
        layers = layers_with(cls.points_file, "label")
        indicators = '\n[indicators]\ndistricts = "districts"\ntrees = ["pts"]\nbicycle_paths = ["paths"]\n'
        cls.project = cls.write_project("pointsandlines", districts_path=cls.districts_file, district_join=True,
                                        extra_layers=layers, indicators=indicators)
        cls.store = cls.project.parent / "strata.gpkg"
        cls.out = cls.project.parent / "out"
        cls.res = cls.strata("run", cls.project)

        # A point_feature layer fed polygons (the sample villages), under the same name, into a
        # copy of the store: every feature is rejected, so the layer fails.
        bad = cls.new_dir("pointsandlines_polygons")
        if cls.store.exists():
            shutil.copy(cls.store, bad / "strata.gpkg")
        cls.bad_store = bad / "strata.gpkg"
        cls.pts_before = cls.pts_rows(cls.bad_store)
        cls.bad_project = bad / "project.toml"
        cls.bad_project.write_text(
            project_text(bad, districts_path=cls.districts_file, district_join=True, indicators=indicators,
                         extra_layers=layers_with(SAMPLES / "villages.geojson", "VNAME")),
            encoding="utf-8")
        cls.bad_res = cls.strata("run", cls.bad_project)

    @staticmethod
    def pts_rows(store: Path) -> list:
        if not store.exists():
            return []
        return sts.sqlite_rows(store, 'SELECT fid, sid, geom, attributes FROM "pts" ORDER BY fid')

    def doc(self) -> dict:
        return self.indicators_doc(self.res, self.out)

    def imported(self, layer: str) -> dict:
        self.assertExit(self.res, sts.EXIT_OK, "strata run with point and line layers")
        layers = {l["layer"]: l for l in self.res.result["import"]["layers"]}
        self.assertIn(layer, layers)
        return layers[layer]

    def first_covering(self) -> tuple:
        """Trees per district (each point in the first district, in file order, that covers it),
        and the number of points no district covers."""
        counts = {cid: 0 for cid in self.districts["CPTID"]}
        outside = 0
        for _, geometry in self.points:
            for p in shape(geometry).geoms if geometry["type"] == "MultiPoint" else [shape(geometry)]:
                cid = next((c for c, g in zip(self.districts["CPTID"], self.districts.geometry) if g.covers(p)),
                           None)
                if cid is None:
                    outside += 1
                else:
                    counts[cid] += 1
        return counts, outside

    # points ---------------------------------------------------------------

    def test_points_all_imported_as_multipoint(self):
        layer = self.imported("pts")
        n = len(self.points)
        self.assertEqual((layer["features_read"], layer["features_imported"], layer["features_repaired"],
                          layer["features_rejected"]), (n, n, 0, 0))
        self.assertEqual(layer["issues_by_code"], {})
        self.assertEqual(self.info_layers(self.store)["pts"]["feature_count"], n)
        self.assertEqual(sts.sqlite_rows(self.store, "SELECT geometry_type_name, srs_id FROM gpkg_geometry_columns "
                                                     "WHERE table_name = 'pts'"), [("MULTIPOINT", CRS)])
        stored = gpd.read_file(self.store, layer="pts")
        self.assertEqual(set(stored.geom_type), {"MultiPoint"})
        by_label = {r["name"]: r["geometry"] for r in stored.to_dict("records")}
        for label, geometry in self.points:
            want = shape(geometry)
            got = by_label[label]
            self.assertEqual(len(got.geoms), len(want.geoms) if geometry["type"] == "MultiPoint" else 1, label)
            self.assertTrue(got.equals(want), f"{label}: stored {got.wkt} vs {want.wkt}")

    def test_trees_counted_in_first_covering_district(self):
        doc = self.doc()
        counts, outside = self.first_covering()
        # reference: points in every district, points on a boundary shared by two districts, and
        # points outside, so counting all covering districts, or the last, or none on a boundary,
        # or every feature as one tree, would not pass.
        self.assertTrue(all(c > 0 for c in counts.values()), counts)
        self.assertGreater(len(self.shared), 0, "reference: 信義區 covers vertices of 大安區")
        last = self.districts.geometry.iloc[-1]
        self.assertTrue(all(last.covers(Point(c)) and not last.contains(Point(c)) for c in self.shared),
                        "reference: the shared vertices lie on 大安區's boundary")
        self.assertGreater(outside, 0)
        self.assertEqual([r["district_id"] for r in doc["districts"]], list(self.districts["CPTID"]),
                         "districts in store (= file) order")
        population = census_population_by_town()
        for row in doc["districts"]:
            cid, pop = row["district_id"], population[row["district_name"]]
            self.assertEqual(row["trees_planted"], counts[cid], f"{cid} trees_planted")
            self.assertClose(row["iso37120_21_2"], counts[cid] / (pop / 1e5), f"{cid} iso37120_21_2", rel=1e-12,
                             floor=0.0)
        self.assertEqual(doc["city"]["trees_planted"], sum(counts.values()))
        found = [w for w in self.warnings_with(doc, W_OUTSIDE) if w["message"].startswith("trees planted")]
        self.assertEqual(len(found), 1, doc["warnings"])
        self.assertIn(f"trees planted (pts): {outside} point(s) lie outside every district of 'districts'",
                      found[0]["message"])
        self.assertEqual(doc["provenance"]["parameters"]["layers"]["trees"],
                         [{"layer": "pts", "field": None, "values": [], "min": None, "max": None,
                           "features": len(self.points)}])

    # lines ----------------------------------------------------------------

    def test_lines_import_report(self):
        layer = self.imported("paths")
        self.assertEqual((layer["features_read"], layer["features_imported"], layer["features_repaired"],
                          layer["features_rejected"]), (self.n_lines, self.n_lines - 4, 2, 2))
        self.assertEqual(layer["issues_by_code"], {f"{W_REPEATED_POINT} CONSECUTIVE_POINTS_SAME": 1,
                                                   f"{W_DEGENERATE_LINE} DEGENERATE_LINE": 2,
                                                   f"{E_WRONG_GEOMETRY_TYPE} WRONG_GEOMETRY_TYPE": 1})
        issues = {(i["fid"], i["code"]): i for i in self.info(self.store, "--issues")["issues"]
                  if i["layer"] == "paths"}
        a = self.awkward
        want = {(a["repeated"], W_REPEATED_POINT): ("repaired", "CONSECUTIVE_POINTS_SAME",
                                                    "1 repeated consecutive point(s)", "repeated points removed"),
                (a["single"], W_DEGENERATE_LINE): ("rejected", "DEGENERATE_LINE",
                                                   "no line part has two distinct points", None),
                (a["multi"], W_DEGENERATE_LINE): ("repaired", "DEGENERATE_LINE",
                                                  "1 line part(s) with fewer than two distinct points",
                                                  "those parts dropped"),
                (a["polygon"], E_WRONG_GEOMETRY_TYPE): ("rejected", "WRONG_GEOMETRY_TYPE", "geometry is POLYGON",
                                                        None)}
        self.assertEqual(set(issues), set(want))
        for key, (status, name, text, method) in want.items():
            issue = issues[key]
            self.assertEqual((issue["status"], issue["code_name"]), (status, name), issue)
            self.assertIn(f"feature {key[0]}: {text}", issue["message"])
            self.assertEqual(issue.get("method"), method, issue)
        self.assertIn("'line_feature' needs LineString or MultiLineString", issues[(a["polygon"], 931)]["message"])
        # The store holds the accepted lines, repaired, with their length.
        self.assertEqual(sts.sqlite_rows(self.store, "SELECT geometry_type_name FROM gpkg_geometry_columns "
                                                     "WHERE table_name = 'paths'"), [("MULTILINESTRING",)])
        stored = {r[0]: r[1] for r in sts.sqlite_rows(self.store, 'SELECT src_fid, length_m FROM "paths"')}
        self.assertEqual(set(stored), set(self.accepted))
        for fid, geom in self.accepted.items():
            self.assertTrue(close(stored[fid], geom.length, 1e-9, 0.0),
                            f"feature {fid}: length_m {stored[fid]} vs Shapely {geom.length}")

    def test_bicycle_path_length_is_the_union(self):
        doc = self.doc()
        union = unary_union(list(self.accepted.values()))
        want, outside_ref = reference.first_zone_lengths(union, list(zip(self.districts["CPTID"],
                                                                         self.districts.geometry)))
        naive = {cid: sum(l.intersection(g).length for l in self.accepted.values())
                 for cid, g in zip(self.districts["CPTID"], self.districts.geometry)}
        # The shared district boundaries count once, in the first district: adding up each
        # district's own intersection would count them twice.
        each = sum(union.intersection(g).length for g in self.districts.geometry)
        self.assertGreater(each, sum(want.values()) + 1.0, "reference: paths run along shared district boundaries")
        # reference: shared village edges and the twice-drawn boundary make the plain sum longer,
        # and every district has paths.
        for cid in want:
            self.assertGreater(want[cid], 1000.0, cid)
            self.assertGreater(naive[cid], 1.1 * want[cid], cid)
        population = census_population_by_town()
        rows = self.rows_by_id(doc)
        for cid, name in zip(self.districts["CPTID"], self.districts["TNAME"]):
            row, km = rows[cid], want[cid] / 1e3
            self.assertClose(row["bicycle_path_km"], km, f"{cid} bicycle_path_km", rel=1e-6, floor=0.0)
            self.assertClose(row["bicycle_path_km_per_100k"], km / (population[name] / 1e5),
                             f"{cid} bicycle_path_km_per_100k", rel=1e-6, floor=0.0)
            self.assertEqual(row["population"], population[name])
        self.assertClose(doc["city"]["bicycle_path_km"], sum(want.values()) / 1e3, "city bicycle_path_km",
                         rel=1e-6, floor=0.0)
        # The zones and the outside add up to the network (each stretch counted once).
        self.assertAlmostEqual(sum(want.values()) + outside_ref, union.length, delta=1e-6 * union.length)
        outside = outside_ref
        self.assertGreater(outside, 1.0, "reference: some village boundaries reach outside the districts")
        # Along the districts' outer boundary the village boundaries run a few nanometres off it:
        # whether they fall in or out depends on GEOS's noding, so a whole-network difference can
        # differ from the per-zone reference by a few hundred metres, no more.
        whole = union.difference(unary_union(list(self.districts.geometry))).length
        self.assertLess(abs(whole - outside), 0.03 * whole, (whole, outside))
        found = [w for w in self.warnings_with(doc, W_OUTSIDE) if w["message"].startswith("bicycle paths")]
        self.assertEqual(len(found), 1, doc["warnings"])
        m = re.match(r"^bicycle paths \(paths\): (?P<m>[0-9.]+) m \((?P<share>[0-9.]+) % of the length\) lie "
                     r"outside every district of 'districts'", found[0]["message"])
        self.assertIsNotNone(m, found[0]["message"])
        self.assertTrue(close(float(m["m"]), outside, 1e-6, 0.05), f"outside {m['m']} m vs {outside}")
        self.assertEqual(doc["provenance"]["parameters"]["layers"]["bicycle_paths"],
                         [{"layer": "paths", "field": None, "values": [], "min": None, "max": None,
                           "features": len(self.accepted)}])
        self.assertEqual(set(doc["districts"][0]), {"district_id", "district_name", "population", "district_area_m2",
                                                    "trees_planted", "iso37120_21_2", "bicycle_path_km",
                                                    "bicycle_path_km_per_100k"})

    # a point layer of polygons ----------------------------------------------

    def test_point_layer_of_polygons_fails(self):
        n = len(gpd.read_file(SAMPLES / "villages.geojson", ignore_geometry=True))
        self.assertGreater(len(self.pts_before), 0, "reference: the copied store holds the good point layer")
        err = self.assertError(self.bad_res, sts.EXIT_INPUT_DATA, E_WRONG_GEOMETRY_TYPE, "WRONG_GEOMETRY_TYPE")
        self.assertEqual(err.get("layer"), "pts")
        for needle in (str(SAMPLES / "villages.geojson"), "(layer 'pts')", f"all {n} features were rejected",
                       f"{n} of them with 931 WRONG_GEOMETRY_TYPE", "MULTIPOLYGON",
                       "kind 'point_feature' needs Point or MultiPoint"):
            self.assertIn(needle, err["message"])
        self.assertFalse(self.bad_res.result["import"]["written"])
        self.assertEqual(self.bad_res.result["analyses"], {}, "no analysis runs after a failed import")
        self.assertFalse((self.bad_project.parent / "out" / "indicators.json").exists())
        self.assertEqual(self.pts_rows(self.bad_store), self.pts_before, "the stored point layer changed")


if __name__ == "__main__":
    sts.wait_for_binary()
    unittest.main(verbosity=2)
