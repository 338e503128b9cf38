#!/usr/bin/python3
"""ISO 37120:2014 15.3, households without a registered legal title, from the ownership model.

../shared/data holds no real building registry, so this test builds one, like the registry
fixtures (tests/fixtures/registry/README.md): FICTITIOUS units and parties on the 160 REAL
footprints of the Delft BGT extract (delft_ahn3_pointcloud_bgt/bgt/bgt_pand.sqlite, EPSG:28992).
Each footprint gets one main unit (主建物) per storey (--height 9: three storeys; every seventh
building has a maisonette, one unit on floors 2-3, counted once) and a common part
(共有部分, no outline, so no legal space and not a household); each main unit draws one right
pattern from a seeded generator: held whole, co-owned, no right at all, a mortgage only, a title
that ended, a title transferred in 2021, a title that begins in 2030, a share without a party,
a title of type "ownership" instead of "所有權"; and a use (住家用, 商業用 on some ground floors, or
none). There is no administrative boundary of Delft in ../shared/data either, so the districts
are CONSTRUCTED: three strips of equal width across the footprints' bounding box, each split
into a north and a south "village".

The flow is the user's: `strata import` the districts, `strata units build ... --store PROJECT
--save` (the model into the project store), `strata indicators`. Three [indicators] sections:
  * every main unit, current rights, with the village breakdown;
  * residential units only (use = 住家用), rights in force on 2026-01-01, `compute = ["15.3"]`;
  * only 所有權 counts as a title (`title_rights`).
The reference is computed here from the registry rows and the footprints with GeoPandas: a unit
is located at the representative point of its footprint (Shapely's, the same algorithm as GEOS
PointOnSurface), counted in the first district covering it, and has a title when a row of a
title type, with a party and a share, is in force. Counts must be equal, per district, per
village and for the city; 15.3 = 100 × without / households.
"""
import csv
import json
import random
import sys
from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

FOOTPRINTS = ("delft_ahn3_pointcloud_bgt", "bgt", "bgt_pand.sqlite")
PATTERNS = ["whole", "co", "none", "mortgage", "ended", "transferred", "future", "no_party", "english"]
TITLE_TYPES = {"所有權", "ownership"}
AS_OF = "2026-01-01"


def right_rows(pattern: str, n: int) -> list:
    """(party_id, share, right_type, valid_from, valid_to) rows of one unit."""
    p = f"P-{n:04d}"
    return {
        "whole": [(p, "全部", "所有權", "2005-04-01", "")],
        "co": [(p, "1/2", "所有權", "", ""), (f"P-{n:04d}b", "2分之1", "所有權", "", "")],
        "none": [("", "", "", "", "")],
        "mortgage": [("BANK-1", "全部", "抵押權", "2010-01-01", "")],
        "ended": [(p, "全部", "所有權", "2001-01-01", "2020-06-30")],
        "transferred": [(p, "全部", "所有權", "2001-01-01", "2021-03-01"),
                        (f"P-{n:04d}b", "全部", "所有權", "2021-03-01", "")],
        "future": [(p, "全部", "所有權", "2030-01-01", "")],
        "no_party": [("", "全部", "所有權", "", "")],
        "english": [(p, "1", "ownership", "", "")],
    }[pattern]


def make_registry(footprints: gpd.GeoDataFrame, path: Path) -> list:
    """Writes the registry CSV; returns the main units as dicts (building, use, rows)."""
    rng = random.Random(37120)
    units = []
    header = ["building_no", "building_id", "address", "use", "floors", "unit_kind", "area_m2",
              "party_id", "share", "right_type", "valid_from", "valid_to"]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for i, row in enumerate(footprints.sort_values("gml_id").itertuples()):
            area = round(row.geometry.area, 2)
            # Every seventh building has a maisonette: one building number on floors 2 and 3
            # (two legal spaces, one household).
            floors = [(1, "1"), (2, "2-3")] if i % 7 == 3 else [(1, "1"), (2, "2"), (3, "3")]
            for floor, floor_list in floors:
                use = "商業用" if floor == 1 and i % 4 == 0 else "" if i % 17 == 0 else "住家用"
                pattern = rng.choice(PATTERNS)
                no = f"{i + 1:05d}-{floor:03d}"
                rows = right_rows(pattern, len(units))
                unit_area = area * (2 if floor_list == "2-3" else 1)
                for party, share, rtype, start, end in rows:
                    w.writerow([no, row.gml_id, f"示範市虛構區測試路{i + 1}號{floor}樓", use, floor_list, "主建物",
                                unit_area, party, share, rtype, start, end])
                units.append({"no": no, "building": row.gml_id, "use": use, "rows": rows, "pattern": pattern,
                              "spaces": 2 if floor_list == "2-3" else 1})
            w.writerow([f"{i + 1:05d}-900", row.gml_id, "", "", "1-3", "共有部分", 10.0,
                        f"P-C{i:03d}", "全部", "所有權", "", ""])
    return units


def titled(rows: list, as_of: str, title_types: set) -> bool:
    for party, share, rtype, start, end in rows:
        rtype = rtype or "ownership"  # the registry's default right type
        if rtype not in title_types or not party or not share:
            continue
        if as_of == "":
            if end == "":
                return True
        elif (start == "" or start <= as_of) and (end == "" or as_of < end):
            return True
    return False


def first_covering(zones: gpd.GeoDataFrame, point):
    for z in zones.itertuples():
        if z.geometry.covers(point):
            return z.code
    return None


class HouseholdTitlesTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.footprints = gpd.read_file(sts.data_path(*FOOTPRINTS), layer="buildingpart")
        assert cls.footprints.crs.to_epsg() == 28992, cls.footprints.crs
        cls.units = make_registry(cls.footprints, cls.tmp / "registry.csv")
        # Constructed districts and villages (see the module docstring).
        minx, miny, maxx, maxy = cls.footprints.total_bounds
        minx, miny, maxx, maxy = minx - 1, miny - 1, maxx + 1, maxy + 1
        width, mid = (maxx - minx) / 3, (miny + maxy) / 2
        districts, villages = [], []
        for k, name in enumerate(["west", "centre", "east"]):
            x0, x1 = minx + k * width, minx + (k + 1) * width
            districts.append({"code": f"D{k}", "name": name, "pop": 1000 * (k + 1), "geometry": box(x0, miny, x1, maxy)})
            for half, (y0, y1) in (("S", (miny, mid)), ("N", (mid, maxy))):
                villages.append({"code": f"D{k}{half}", "name": f"{name} {half}", "parent": f"D{k}",
                                 "pop": 500 * (k + 1), "geometry": box(x0, y0, x1, y1)})
        cls.districts = gpd.GeoDataFrame(districts, crs="EPSG:28992")
        cls.villages = gpd.GeoDataFrame(villages, crs="EPSG:28992")
        cls.districts.to_file(cls.tmp / "districts.geojson", driver="GeoJSON")
        cls.villages.to_file(cls.tmp / "villages.geojson", driver="GeoJSON")
        point_of = {r.gml_id: r.geometry.representative_point() for r in cls.footprints.itertuples()}
        for u in cls.units:
            p = point_of[u["building"]]
            u["district"] = first_covering(cls.districts, p)
            u["village"] = first_covering(cls.villages, p)

        cls.projects = {}
        for name, indicators in {
            "all": 'households = "legal_spaces"\nbreakdown = "villages"',
            "residential": 'households = [{ layer = "legal_spaces", field = "use", values = ["住家用"] }]\n'
                           f'households_as_of = "{AS_OF}"\ncompute = ["15.3"]',
            "chinese_only": 'households = ["legal_spaces"]\ntitle_rights = ["所有權"]',
        }.items():
            text = f"""# generated by tests/cli/test_indicators_titles.py: constructed districts, fictitious registry
[project]
name = "15.3 on Delft footprints ({name})"
crs = "EPSG:28992"
store = {json.dumps(str(cls.tmp / "store.gpkg"))}
output = {json.dumps(str(cls.tmp / ("out_" + name)))}
analyses = ["indicators"]

[[layers]]
name = "districts"
kind = "district"
path = {json.dumps(str(cls.tmp / "districts.geojson"))}
fields = {{ id = "code", name = "name", code = "code", population = "pop" }}

[[layers]]
name = "villages"
kind = "village"
path = {json.dumps(str(cls.tmp / "villages.geojson"))}
fields = {{ id = "code", name = "name", code = "code", parent_code = "parent", population = "pop" }}

[indicators]
districts = "districts"
{indicators}
"""
            path = cls.tmp / f"{name}.toml"
            path.write_text(text, encoding="utf-8")
            cls.projects[name] = path
        cls.imported = cls.strata("import", cls.projects["all"])
        cls.built = cls.strata("units", "build", sts.data_path(*FOOTPRINTS), "--layer", "buildingpart",
                               "--id-field", "gml_id", "--height", "9", "--registry", cls.tmp / "registry.csv",
                               "--out", cls.tmp / "model.city.json", "--store", cls.projects["all"], "--save")
        cls.docs = {}
        for name, path in cls.projects.items():
            cls.docs[name] = cls.strata("indicators", path)

    def reference(self, zone_key: str, zones: gpd.GeoDataFrame, as_of: str = "", uses=None,
                  title_types=TITLE_TYPES) -> dict:
        out = {z: [0, 0] for z in zones["code"]}
        for u in self.units:
            if uses is not None and u["use"] not in uses:
                continue
            z = u[zone_key]
            if z is None:
                continue
            out[z][0] += 1
            out[z][1] += 0 if titled(u["rows"], as_of, title_types) else 1
        return out

    def doc(self, name: str) -> dict:
        res = self.docs[name]
        self.assertExit(res, sts.EXIT_OK, f"strata indicators {name}")
        return res.result

    def assertRowsMatch(self, rows: list, want: dict, id_key: str):
        got = {r[id_key]: r for r in rows}
        self.assertEqual(set(got), set(want))
        for z, (households, untitled) in want.items():
            r = got[z]
            self.assertEqual((r["households"], r["households_without_title"]), (households, untitled), z)
            if households:
                self.assertAlmostEqual(r["iso37120_15_3"], 100 * untitled / households, delta=1e-12)
            else:
                self.assertIsNone(r["iso37120_15_3"])

    def test_model_saved_into_the_store(self):
        self.assertExit(self.imported, sts.EXIT_OK, "strata import")
        # 804 (areas) may be reported; the model is saved either way.
        self.assertIn(self.built.returncode, (sts.EXIT_OK, 7), self.built.describe())
        self.assertEqual(self.built.result["buildings"], len(self.footprints))
        self.assertEqual(self.built.result["legal_spaces"], sum(u["spaces"] for u in self.units))
        self.assertLess(len(self.units), self.built.result["legal_spaces"], "no unit on two floors")
        self.assertEqual(self.built.result["issues"], [])

    def test_every_pattern_occurs(self):
        # The seeded generator must exercise every case, or the comparison proves little.
        self.assertEqual({u["pattern"] for u in self.units}, set(PATTERNS))
        self.assertEqual(len({u["district"] for u in self.units}), 3)

    def test_all_main_units_current_rights(self):
        doc = self.doc("all")
        want = self.reference("district", self.districts)
        self.assertRowsMatch(doc["districts"], want, "district_id")
        total = [sum(v[0] for v in want.values()), sum(v[1] for v in want.values())]
        self.assertEqual(total[0], len(self.units), "every unit lies in a district")
        self.assertEqual((doc["city"]["households"], doc["city"]["households_without_title"]), tuple(total))
        self.assertAlmostEqual(doc["city"]["iso37120_15_3"], 100 * total[1] / total[0], delta=1e-12)
        # Neither none nor all: a constant answer would not pass.
        self.assertTrue(0 < total[1] < total[0], total)
        print(f"\n  15.3 (all main units, current rights): {doc['city']['iso37120_15_3']:.2f} % "
              f"of {total[0]} households", file=sys.stderr)

    def test_village_breakdown(self):
        doc = self.doc("all")
        self.assertRowsMatch(doc["villages"], self.reference("village", self.villages), "village_id")
        for v in doc["villages"]:
            self.assertEqual(v["district_id"], v["village_id"][:2])

    def test_provenance_counts_by_reason(self):
        h = self.doc("all")["provenance"]["parameters"]["households"]
        self.assertEqual(h["units"], len(self.units))
        self.assertEqual(h["as_of"], "current rights")
        reasons = h["without_title_by_reason"]
        untitled = sum(1 for u in self.units if not titled(u["rows"], "", TITLE_TYPES))
        self.assertEqual(sum(reasons.values()), untitled)
        by_pattern = {p: sum(1 for u in self.units if u["pattern"] == p) for p in PATTERNS}
        self.assertEqual(reasons.get("no right registered", 0), by_pattern["none"])
        self.assertEqual(reasons.get("only other rights", 0), by_pattern["mortgage"])
        self.assertEqual(reasons.get("title ended", 0), by_pattern["ended"])
        self.assertEqual(reasons.get("title without a party", 0), by_pattern["no_party"])
        layers = self.doc("all")["provenance"]["parameters"]["layers"]["households"]
        self.assertEqual(layers[0]["legal_spaces"], sum(u["spaces"] for u in self.units))
        self.assertEqual(layers[0]["features"], len(self.units))

    def test_residential_units_on_a_day(self):
        doc = self.doc("residential")
        want = self.reference("district", self.districts, as_of=AS_OF, uses={"住家用"})
        self.assertRowsMatch(doc["districts"], want, "district_id")
        # The day matters: a title beginning in 2030 is not one in 2026 (it is, as a current
        # right), and the selection left out the shops and the units without a use.
        current = self.reference("district", self.districts, uses={"住家用"})
        self.assertNotEqual(want, current)
        self.assertLess(sum(v[0] for v in want.values()), len(self.units))
        self.assertEqual(doc["provenance"]["parameters"]["households"]["as_of"], AS_OF)
        self.assertEqual(doc["provenance"]["parameters"]["compute"], ["15.3"])
        self.assertIn("iso37120_15_3", [d["key"] for d in doc["indicators"]])
        self.assertNotIn("green_area_m2", doc["city"])

    def test_title_rights_setting(self):
        doc = self.doc("chinese_only")
        want = self.reference("district", self.districts, title_types={"所有權"})
        self.assertRowsMatch(doc["districts"], want, "district_id")
        self.assertNotEqual(want, self.reference("district", self.districts))

    def test_outputs_carry_the_columns_without_parties(self):
        out = self.tmp / "out_all"
        with open(out / "indicators.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        city = rows[-1]
        doc = self.doc("all")
        self.assertEqual(int(city["households"]), doc["city"]["households"])
        self.assertEqual(int(city["households_without_title"]), doc["city"]["households_without_title"])
        layer = gpd.read_file(out / "indicators.gpkg", layer="indicators_district")
        self.assertEqual(sorted(layer["households"].tolist()), sorted(r["households"] for r in doc["districts"]))
        # The indicator is an aggregate: no party reference reaches its outputs.
        for name in ("indicators.json", "indicators.csv", "indicators.md", "indicators_village.csv"):
            self.assertNotIn("P-0", (out / name).read_text(encoding="utf-8"), name)


if __name__ == "__main__":
    sts.main()
