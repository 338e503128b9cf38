#!/usr/bin/python3
"""End to end: `strata indicators` / `strata run` (analysis indicators) on bad or awkward input.

Needs no ../shared/data: everything comes from the small real excerpts in samples/taipei/. Where a
case needs modified data, the test writes a derived copy into its temporary directory with
GeoPandas (never into the repository). Expected numbers are computed independently with
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
     paving_target_m2 = 0 / negative / a string / nan / inf, unknown output name, unknown key,
     analyses = ["indicators"] without an [indicators] section;
  7. `strata indicators` before any import: exit 5, 960 STORE_ERROR naming the store and telling
     to run `strata run` first; no store is created;
  8. outputs: indicators.csv has a header, one row per district and the city row, with the JSON's
     values; indicators.gpkg opens with GeoPandas, one row per district, EPSG:3826, same values;
     `strata indicators` and a second `strata run` replace stale outputs (a planted stale
     GeoPackage is replaced, not appended to) and leave no `.writing-*` temporary files.

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
from shapely.geometry import MultiPolygon, Polygon
from shapely.ops import unary_union
from shapely.validation import make_valid

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

SAMPLES = sts.REPO_ROOT / "samples" / "taipei"
CRS = 3826
REL_TOL = 1e-3          # strata vs GeoPandas: 0.1 %
ABS_FLOOR_M2 = 1.0      # where the true value is ~0, a relative bound means nothing
SAME_VALUE_REL_TOL = 1e-9  # one value in two outputs of the same run (JSON vs CSV vs GPKG)
TAIPEI = "臺北市"
SHIFT_M = 200.0

W_OVERLAP, W_OUTSIDE, W_POPULATION = 955, 956, 957
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


def union_area_by_district(districts: gpd.GeoDataFrame, layer: gpd.GeoDataFrame) -> dict:
    """CPTID -> area of the union of (layer ∩ district)."""
    union = unary_union(list(layer.geometry))
    return {cid: float(union.intersection(geom).area) for cid, geom in zip(districts["CPTID"], districts.geometry)}


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


def village_population_by_district() -> dict:
    """CPTID -> Σ (male + female) over the villages whose CPTID (parent district) it is, each
    village joined to the census by (district name, village name) via the code list."""
    villages = gpd.read_file(SAMPLES / "villages.geojson", ignore_geometry=True)[["CPTID", "TNAME", "VNAME"]]
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
                 analyses: str = '["indicators"]', indicators: str = INDICATORS) -> str:
    """A project over the sample files (or derived copies); store and output inside `folder`."""
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
        names = {W_OVERLAP: "DISTRICTS_OVERLAP", W_OUTSIDE: "OUTSIDE_DISTRICTS", W_POPULATION: "POPULATION_MISSING"}
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
        self.assertEqual(set(self.res.result["analyses"]["indicators"]["outputs"]), {"json", "csv", "markdown", "gpkg"})
        for name in ("indicators.json", "indicators.csv", "indicators.md", "indicators.gpkg"):
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

# (case, [indicators] text, regex of the line the error must cite, substrings the message must hold)
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
    ("analysis without [indicators]", None,
     r"^analyses = ", ["analysis indicators", "[indicators]"]),
]


class ProjectFileErrorsTest(IndicatorCase):
    def test_errors_cite_file_line_and_write_nothing(self):
        for i, (case, indicators, line_pattern, needles) in enumerate(PROJECT_FILE_CASES):
            with self.subTest(case=case):
                folder = self.tmp / f"pf{i:02d}"
                folder.mkdir()
                text = project_text(folder, villages=True, indicators=indicators)
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


if __name__ == "__main__":
    sts.wait_for_binary()
    unittest.main(verbosity=2)
