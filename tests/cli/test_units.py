#!/usr/bin/python3
"""End to end: `strata units build` / `units generate`, the 3D building-ownership model, on real
footprints (the 160 Delft BGT buildings) and the hand-written registries in
tests/fixtures/registry/ (fictitious parties, see the README.md there).

Every expectation is computed here, independently of strata, with GeoPandas / Shapely, numpy,
fractions.Fraction and jsonschema from Debian's python3:
  * the registries are parsed by this script (Chinese and English headers, floors 1 / 2-3 / B1,
    shares 1/3, 3分之1, ３分之１, 全部) into units, parties and rights, and the 8xx checks are
    re-derived from them and the GeoPandas footprints (areas, outlines, overlaps, storeys);
  * valid registry: exit 0, the counts, every BuildingUnit prism lies within its building's
    footprint between (floor-1)·3 m and floor·3 m with volume = outline area x 3 m, rights and
    shares as registered, `strata validate` and the official CityJSON 2.0 schema find no error;
    main units within 1 % of their footprint area (and --area-tol 0.002 flags exactly those
    this script finds beyond 0.2 %);
  * problems registry: exactly one finding per designed problem (801 802 804 805 806 807 809),
    each on its building number, and the three rejected rows with row number, field and code;
  * JSON registry: 808 on the one party without a right, nothing else;
  * privacy: no party name or identity number anywhere in the model, report or stdout unless
    --profile bureau, which writes them in the rights;
  * BuildingStorey objects: 3 per building plus the basements units are registered on, each
    the footprint between its floor's heights; the above-ground storeys sum to the building's
    volume and every unit names its storey (none for a floor the building lacks, 805);
  * units generate --height 9: 3 generated units per building (480), all valid.
"""
import csv
import json
import re
import sys
import unicodedata
import unittest
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

import geopandas as gpd  # noqa: E402
from shapely import wkt as shapely_wkt  # noqa: E402
from shapely.geometry import Point, Polygon  # noqa: E402

DELFT = "delft_ahn3_pointcloud_bgt"
FIXTURES = sts.REPO_ROOT / "tests" / "fixtures" / "registry"
VALID_CSV = FIXTURES / "valid_registry.csv"
PROBLEMS_CSV = FIXTURES / "problems_registry.csv"
PROBLEMS_JSON = FIXTURES / "problems_registry.json"
HEIGHT = 9.0
STOREY = 3.0
STOREYS = round(HEIGHT / STOREY)  # 3, the rule of `units generate` and of 805
AREA_TOL = 0.05  # strata's default --area-tol
OVERLAP_TOL = 0.01  # strata's default --overlap-tol
MM = 5e-4 + 1e-9  # vertices are written in mm

# What problems_registry.csv was designed to trigger: one finding each, on these building numbers
# (801 is one finding on the pair of overlapping units).
DESIGNED_PROBLEMS = {
    801: frozenset({"02001-000", "02002-000"}),
    802: "02011-000",
    804: "02021-000",
    805: "02012-000",
    806: "02022-000",
    807: "02023-000",
    809: "02031-000",
}
# Rows of problems_registry.csv that must be rejected: (column, raw value) -> field strata names.
DESIGNED_REJECTS = {("floors", "X"): "floors", ("area_m2", "-3"): "area_m2", ("unit_kind", "garage"): "unit_kind"}
FIELD_TYPE = 922


def pand_path() -> Path:
    return sts.data_path(DELFT, "bgt", "bgt_pand.sqlite")


def footprint_args():
    return [pand_path(), "--layer", "buildingpart", "--id-field", "gml_id", "--height", HEIGHT]


# --------------------------------------------------------------------------- registry parsing
# Written from docs/registry.md, independently of io/src/registry_reader.cpp.

ALIASES = {
    "building_no": ("building_no", "建號"),
    "building_id": ("building_id", "建物", "建物識別碼"),
    "address": ("address", "門牌", "建物門牌"),
    "floors": ("floors", "層次"),
    "unit_kind": ("unit_kind", "類別", "建物類別"),
    "area_m2": ("area_m2", "面積", "總面積"),
    "party_id": ("party_id", "權利人編號"),
    "party_name": ("party_name", "權利人", "所有權人"),
    "party_identity": ("party_identity", "統一編號"),
    "share": ("share", "權利範圍"),
    "right_type": ("right_type", "權利種類"),
    "parcels": ("parcels", "坐落地號", "建物坐落地號"),
    "unit_wkt": ("unit_wkt",),
}
KINDS = {"main": "main", "主建物": "main", "annex": "annex", "附屬建物": "annex",
         "common": "common", "共有部分": "common", "共同使用部分": "common"}


def parse_share(text: str) -> Fraction:
    t = unicodedata.normalize("NFKC", text).strip()  # ３分之１ -> 3分之1
    if t in ("全部", "全"):
        return Fraction(1)
    if "分之" in t:
        den, num = t.split("分之")
        return Fraction(int(num), int(den))
    if "/" in t:
        num, den = t.split("/")
        return Fraction(int(num), int(den))
    if t.endswith("%"):
        return Fraction(t[:-1]) / 100
    return Fraction(t)


def parse_floor(text: str):
    t = text.strip()
    sign = 1
    if t[:1] in ("B", "b"):
        sign, t = -1, t[1:]
    if not t.isdigit() or int(t) <= 0:
        return None
    return sign * int(t)


def parse_floors(text: str):
    """'1' -> [1], '1,2' -> [1, 2], '2-4' -> [2, 3, 4], 'B1' -> [-1]; None when not a floor list."""
    floors = []
    for part in re.split(r"[,;]", text):
        if "-" in part[1:]:
            i = part.index("-", 1)
            a, b = parse_floor(part[:i]), parse_floor(part[i + 1:])
            if a is None or b is None or b < a:
                return None
            floors += [f for f in range(a, b + 1) if f != 0]
        else:
            f = parse_floor(part)
            if f is None:
                return None
            floors.append(f)
    return floors or None


def floor_label(f: int) -> str:
    return f"B{-f}" if f < 0 else str(f)


def json_text(v) -> str:
    if v is None:
        return ""
    return v if isinstance(v, str) else json.dumps(v)


class Registry:
    """A registry as this test reads it: accepted units, parties, rights and rejected rows."""

    def __init__(self, path: Path):
        self.path = path
        self.units = {}  # 建號 -> dict(kind, floors, area, building, outline, parcels, address)
        self.parties = {}  # party key -> (name, identity)
        self.rights = []  # dict(baunit, party key or None, share Fraction, type, row)
        self.rejected = []  # (data row number, strata field name, building_no)
        self.rows = []  # every raw row (canonical keys) with its data row number
        self._auto = 0
        if path.suffix == ".json":
            self._read_json()
        else:
            self._read_csv()

    # a party is keyed by its id, or (without an id column) by name + identity number
    def _party(self, r):
        pid, name, ident = r.get("party_id", ""), r.get("party_name", ""), r.get("party_identity", "")
        if not (pid or name or ident):
            return None
        if not pid:
            for key, (n, i) in self.parties.items():
                if (n, i) == (name, ident):
                    return key
            self._auto += 1
            pid = f"P-{self._auto}"
        self.parties.setdefault(pid, (name, ident))
        return pid

    def _add(self, row_no: int, r: dict):
        self.rows.append((row_no, r))
        no = r.get("building_no", "")
        floors = parse_floors(r.get("floors", ""))
        if floors is None:
            return self.rejected.append((row_no, "floors", no))
        kind = KINDS.get(r.get("unit_kind", "") or "main")
        if kind is None:
            return self.rejected.append((row_no, "unit_kind", no))
        try:
            area = float(r.get("area_m2", ""))
        except ValueError:
            area = -1
        if not area > 0:
            return self.rejected.append((row_no, "area_m2", no))
        outline = shapely_wkt.loads(r["unit_wkt"]) if r.get("unit_wkt") else None
        party = self._party(r)
        share = parse_share(r["share"]) if r.get("share") else Fraction(1)
        self.units.setdefault(no, {
            "kind": kind, "floors": floors, "area": area, "building": r.get("building_id", ""),
            "outline": outline, "address": r.get("address", ""),
            "parcels": [p.strip() for p in r.get("parcels", "").split(";") if p.strip()]})
        if r.get("share") or party:
            self.rights.append({"baunit": no, "party": party, "share": share,
                                "type": r.get("right_type") or "ownership", "row": row_no})

    def _read_csv(self):
        with open(self.path, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            keys = [next((k for k, names in ALIASES.items() if h in names), None) for h in header]
            for n, values in enumerate(reader, start=1):
                self._add(n, {k: v for k, v in zip(keys, values) if k})

    def _read_json(self):
        doc = json.loads(self.path.read_text(encoding="utf-8"))
        for p in doc.get("parties", []):
            self._party({"party_id": json_text(p.get("id")), "party_name": json_text(p.get("name")),
                         "party_identity": json_text(p.get("identity_number"))})
        for n, u in enumerate(doc["units"], start=1):
            base = {k: json_text(u.get(k)) for k in
                    ("building_no", "building_id", "address", "floors", "unit_kind", "area_m2", "unit_wkt")}
            base["parcels"] = ";".join(json_text(p) for p in u.get("parcels", []))
            for right in u.get("rights") or [{}]:
                r = dict(base)
                r["party_id"] = json_text(right.get("party"))
                r["share"] = json_text(right.get("share"))
                r["right_type"] = json_text(right.get("type"))
                self._add(n, r)

    # ------------------------------------------------------------------ derived
    def names_and_identities(self) -> set:
        return {v for pair in self.parties.values() for v in pair if v}

    def without_volume(self, footprints) -> set:
        """建號 of the units of a known building that get no volume (no outline, not main)."""
        spaced = {no for no, _, _, _ in self.legal_spaces(footprints)}
        return {no for no, u in self.units.items() if u["building"] in footprints.index and no not in spaced}

    def legal_spaces(self, footprints) -> list:
        """(建號, building, floor, outline) of every unit that gets a volume: its own outline, or
        the footprint for main units; units of a building that is not a footprint get none."""
        out = []
        for no, u in self.units.items():
            if u["building"] not in footprints.index:
                continue
            if u["outline"] is None and u["kind"] != "main":
                continue
            outline = u["outline"] if u["outline"] is not None else footprints.geometry[u["building"]]
            out += [(no, u["building"], f, outline) for f in u["floors"]]
        return out

    def expected_findings(self, footprints, area_tol=AREA_TOL) -> set:
        """The 8xx findings as (code, id), 801 as (801, frozenset of the two building numbers)."""
        found = set()
        for no, u in self.units.items():
            if u["building"] not in footprints.index:
                found.add((809, no))
                continue
            if any(f > STOREYS for f in u["floors"]):
                found.add((805, no))
            if u["outline"] is not None:
                outside = u["outline"].difference(footprints.geometry[u["building"]])
                if outside.area > 0 and outside.area / (outside.length / 2) > OVERLAP_TOL:
                    found.add((802, no))
        computed = {}
        spaces = self.legal_spaces(footprints)
        for no, _, _, outline in spaces:
            computed[no] = computed.get(no, 0.0) + outline.area
        for no, area in computed.items():
            if abs(area - self.units[no]["area"]) / self.units[no]["area"] > area_tol:
                found.add((804, no))
        for i, (a, _, fa, oa) in enumerate(spaces):
            for b, _, fb, ob in spaces[i + 1:]:
                if a == b or fa != fb:  # every building stands at 0: same floor <=> same heights
                    continue
                common = oa.intersection(ob)
                if common.area > 0 and common.area / (common.length / 2) > OVERLAP_TOL:
                    found.add((801, frozenset({a, b})))
        owned = {}
        for r in self.rights:
            if r["party"] is None:
                found.add((807, r["baunit"]))
            if r["type"] in ("ownership", "所有權"):  # every allocated share counts for 806
                owned[r["baunit"]] = owned.get(r["baunit"], Fraction(0)) + r["share"]
        for no in self.units:
            if owned.get(no, Fraction(0)) != 1:
                found.add((806, no))
        holders = {r["party"] for r in self.rights if r["party"]}
        found |= {(808, p) for p in self.parties if p not in holders}
        return found


def strata_findings(findings: list) -> set:
    """strata's findings as (code, id); 801 as the pair of building numbers its detail names."""
    out = set()
    for f in findings:
        if f["code"] == 801:
            m = re.search(r"units (.+?)/F\w+ and (.+?)/F\w+ ", f["detail"])
            assert m, f
            assert f["id"] in (m.group(1), m.group(2)), f
            out.add((801, frozenset({m.group(1), m.group(2)})))
        else:
            out.add((f["code"], f["id"]))
    return out


def design_as_set(design: dict) -> set:
    return {(code, ids) for code, ids in design.items()}


# --------------------------------------------------------------------------- CityJSON geometry

def read_city(path: Path):
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    v = np.array(doc["vertices"], dtype=float).reshape(-1, 3)
    t = doc.get("transform")
    if t:
        v = v * np.array(t["scale"], dtype=float) + np.array(t["translate"], dtype=float)
    return doc, v


def solid_shells(geometry: dict) -> list:
    if geometry["type"] == "Solid":
        return list(geometry["boundaries"])
    if geometry["type"] in ("MultiSolid", "CompositeSolid"):
        return [shell for solid in geometry["boundaries"] for shell in solid]
    raise AssertionError(f"not a solid: {geometry['type']}")


def shell_volume(shell: list, v: np.ndarray) -> float:
    """Signed volume of a shell (divergence theorem), > 0 when its surfaces face outwards."""
    origin = v[shell[0][0][0]]
    vol = 0.0
    for surface in shell:
        for ring in surface:
            p = v[ring] - origin
            a, b, c = p[0], p[1:-1], p[2:]
            vol += float(np.einsum("ij,ij->i", np.broadcast_to(a, b.shape), np.cross(b, c)).sum()) / 6.0
    return vol


def ground_polygons(geometry: dict, v: np.ndarray) -> list:
    """The GroundSurface polygons of a solid in 2D (rings as written, holes kept)."""
    types = [s["type"] for s in geometry["semantics"]["surfaces"]]
    values = geometry["semantics"]["values"]
    if geometry["type"] == "Solid":
        values = [values]
    shells = solid_shells(geometry)
    flat_values = [val for solid in values for val in solid]
    out = []
    for shell, shell_values in zip(shells, flat_values):
        for surface, value in zip(shell, shell_values):
            if types[value] == "GroundSurface":
                rings = [[tuple(v[i][:2]) for i in ring] for ring in surface]
                out.append(Polygon(rings[0], rings[1:]))
    return out


def vertex_indices(obj: dict) -> list:
    def flat(b):
        if isinstance(b, int):
            yield b
        else:
            for x in b:
                yield from flat(x)
    return [i for g in obj.get("geometry", []) for i in flat(g["boundaries"])]


def schema_errors(doc: dict) -> list:
    """Messages of the official CityJSON 2.0 schema (self-contained .min schema) on doc, as in
    test_buildings_extrude.py."""
    import jsonschema
    schema = json.loads(sts.data_path("schemas", "cityjson-2.0", "cityjson.min.schema.json")
                        .read_text(encoding="utf-8"))
    return [f"{list(e.absolute_path)[:4]}: {e.message[:200]}"
            for e in jsonschema.Draft7Validator(schema).iter_errors(doc)][:5]


def building_units(doc: dict) -> dict:
    """The legal spaces: BuildingUnits with a volume."""
    return {k: o for k, o in doc["CityObjects"].items() if o["type"] == "BuildingUnit" and o.get("geometry")}


def units_without_volume(doc: dict) -> dict:
    """Registered units without an outline (common parts, annexes): BuildingUnits without geometry."""
    return {k: o for k, o in doc["CityObjects"].items() if o["type"] == "BuildingUnit" and not o.get("geometry")}


# --------------------------------------------------------------------------- shared setup

class UnitsCase(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gdf = gpd.read_file(pand_path(), layer="buildingpart").set_index("gml_id")

    @classmethod
    def build(cls, registry: Path, name: str, *extra, report=True):
        out = cls.tmp / f"{name}.city.json"
        rep = cls.tmp / f"{name}.report.json" if report else None
        args = ["units", "build", *footprint_args(), "--registry", registry, "--out", out, *extra]
        if rep:
            args += ["--report", rep]
        return cls.strata(*args), out, rep

    def assertValidatesClean(self, out: Path, objects: int, without_geometry: int = 0):
        res = self.strata("validate", out)
        self.assertExit(res, sts.EXIT_OK, f"strata validate {out.name}")
        r = res.result
        self.assertTrue(r["valid"], res.describe())
        self.assertEqual((r["objects"], r["objects_valid"], r["objects_invalid"], r["objects_without_geometry"]),
                         (objects + without_geometry, objects, 0, without_geometry), res.describe())

    def assertUnitsWithoutVolume(self, out: Path, registry: "Registry", result: dict):
        """Each unit registered without an outline (a common part or annex) is a BuildingUnit
        without geometry, child of its building, carrying the registry's rights and exact shares."""
        doc, _ = read_city(out)
        got = units_without_volume(doc)
        expected = registry.without_volume(self.gdf)
        self.assertEqual(set(got), expected)
        self.assertEqual(result["units_without_volume"], len(expected))
        for no in expected:
            with self.subTest(building_no=no):
                u, reg = got[no], registry.units[no]
                self.assertEqual(u["parents"], [reg["building"]])
                self.assertIn(no, doc["CityObjects"][reg["building"]]["children"])
                self.assertEqual(u["attributes"]["unit_kind"], reg["kind"])
                shares = sorted(Fraction(r["share"]) for r in u["attributes"]["rights"])
                self.assertEqual(shares, sorted(r["share"] for r in registry.rights if r["baunit"] == no))

    def assertStoreys(self, out: Path, result: dict, spaces: list) -> int:
        """BuildingStorey objects: floors 1..STOREYS of every building plus its basements down to
        the deepest floor a unit of `spaces` ((建號, building, floor, outline)) is on; each a prism
        of the footprint between its floor's heights, child of its building; every unit names the
        storey it lies in. Returns the number of storeys."""
        doc, v = read_city(out)
        deepest = {}
        for _, building, f, _ in spaces:
            deepest[building] = min(deepest.get(building, 1), f)
        expected = {f"{b}/storey/{floor_label(f)}": (b, f) for b in self.gdf.index
                    for f in range(deepest.get(b, 1), STOREYS + 1) if f != 0}
        storeys = {k: o for k, o in doc["CityObjects"].items() if o["type"] == "BuildingStorey"}
        self.assertEqual(set(storeys), set(expected))
        self.assertEqual(result["storeys"], len(expected))
        for sid, o in storeys.items():
            b, f = expected[sid]
            self.assertEqual(o["parents"], [b], sid)
            self.assertIn(sid, doc["CityObjects"][b]["children"], sid)
            self.assertEqual(o["attributes"]["floor"], floor_label(f), sid)
            z_bottom = (f - 1) * STOREY if f > 0 else f * STOREY
            z = v[vertex_indices(o), 2]
            self.assertLessEqual(abs(z.min() - z_bottom), MM, sid)
            self.assertLessEqual(abs(z.max() - z_bottom - STOREY), MM, sid)
            area = self.gdf.geometry[b].area
            volume = sum(shell_volume(sh, v) for sh in solid_shells(o["geometry"][0]))
            self.assertLessEqual(abs(volume - area * STOREY), 2e-3 * area * STOREY, sid)
        # The above-ground storeys of a building fill it: their volumes sum to its volume.
        for b in {b for b, _ in expected.values()}:
            whole = sum(shell_volume(sh, v) for sh in solid_shells(doc["CityObjects"][b]["geometry"][0]))
            parts = sum(shell_volume(sh, v) for sid, (bb, f) in expected.items() if bb == b and f > 0
                        for sh in solid_shells(storeys[sid]["geometry"][0]))
            self.assertLessEqual(abs(whole - parts), 1e-6 * whole + 1e-3, b)
        for uid, u in building_units(doc).items():
            f_label = u["attributes"]["floor"]
            f = -int(f_label[1:]) if f_label.startswith("B") else int(f_label)
            building = u["parents"][0]
            sid = f"{building}/storey/{f_label}" if f <= STOREYS else None
            self.assertEqual(u["attributes"]["storey"], sid, uid)
        return len(expected)

    def assertPrismsOnFootprints(self, out: Path, registry: Registry):
        """Every BuildingUnit: parent building, prism between its floor's heights, ground = its
        outline (or the footprint), within the footprint, volume = area x storey height."""
        doc, v = read_city(out)
        units = building_units(doc)
        expected = {(no, floor_label(f)): outline for no, _, f, outline in registry.legal_spaces(self.gdf)}
        self.assertEqual({(u["attributes"]["building_no"], u["attributes"]["floor"]) for u in units.values()},
                         set(expected))
        for uid, u in units.items():
            a = u["attributes"]
            no, floor = a["building_no"], a["floor"]
            f = -int(floor[1:]) if floor.startswith("B") else int(floor)
            self.assertEqual(uid, f"{no}/F{floor}")
            building = registry.units[no]["building"]
            self.assertEqual(u["parents"], [building], uid)
            self.assertIn(uid, doc["CityObjects"][building]["children"], uid)
            footprint = self.gdf.geometry[building]
            z_bottom = (f - 1) * STOREY if f > 0 else f * STOREY
            z = v[vertex_indices(u), 2]
            self.assertLessEqual(abs(z.min() - z_bottom), MM, uid)
            self.assertLessEqual(abs(z.max() - (z_bottom + STOREY)), MM, uid)
            for zz in z:
                self.assertTrue(abs(zz - z_bottom) <= MM or abs(zz - z_bottom - STOREY) <= MM, f"{uid}: z {zz}")
            self.assertEqual(len(u["geometry"]), 1, uid)
            g = u["geometry"][0]
            ground = ground_polygons(g, v)
            self.assertTrue(ground, f"{uid}: no GroundSurface")
            ground_area = sum(p.area for p in ground)
            outline = expected[(no, floor)]
            self.assertLessEqual(abs(ground_area - outline.area), 1e-3 * outline.area, uid)
            for p in ground:
                self.assertTrue(p.within(footprint.buffer(2e-3)), f"{uid}: ground outside footprint of {building}")
            for x, y in v[vertex_indices(u), :2]:
                self.assertLessEqual(footprint.distance(Point(x, y)), 2e-3, uid)
            volume = sum(shell_volume(s, v) for s in solid_shells(g))
            self.assertLessEqual(abs(volume - outline.area * STOREY), 2e-3 * outline.area * STOREY, uid)


# --------------------------------------------------------------------------- tests

class ValidRegistry(UnitsCase):
    """valid_registry.csv (Chinese headers): three real footprints, 3 storeys, no finding."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reg = Registry(VALID_CSV)
        cls.res, cls.out, cls.report = cls.build(VALID_CSV, "valid")

    def test_premises_of_the_fixture(self):
        self.assertEqual(len(self.gdf), 160, "premise: bgt_pand holds 160 footprints")
        self.assertEqual(self.gdf.crs.to_epsg(), 28992)
        with open(VALID_CSV, encoding="utf-8") as f:
            header = next(csv.reader(f))
        self.assertEqual(header, ["建號", "建物", "門牌", "層次", "類別", "面積", "權利人", "統一編號", "權利範圍", "坐落地號"])
        self.assertEqual(self.reg.rejected, [])
        buildings = {u["building"] for u in self.reg.units.values()}
        self.assertEqual(len(buildings), 3)
        self.assertTrue(buildings <= set(self.gdf.index), buildings - set(self.gdf.index))
        for b in buildings:
            units = {no: u for no, u in self.reg.units.items() if u["building"] == b}
            mains = sorted(f for u in units.values() if u["kind"] == "main" for f in u["floors"])
            self.assertEqual(mains, [1, 2, 3], f"{b}: one main unit on each of floors 1, 2, 3")
            commons = [u for u in units.values() if u["kind"] == "common"]
            self.assertEqual(len(commons), 1, b)
            self.assertEqual(commons[0]["floors"], [1, 2, 3], b)
            self.assertIsNone(commons[0]["outline"], b)
        # Shares in every written form occur.
        raw = {r["share"] for _, r in self.reg.rows}
        self.assertIn("全部", raw)
        self.assertTrue(any("分之" in s for s in raw), raw)
        self.assertTrue(any("/" in s for s in raw), raw)

    def test_exit_code_and_counts(self):
        self.assertExit(self.res, sts.EXIT_OK)
        self.assertJsonDoc(self.res, ok=True)
        r = self.res.result
        n_spaces = sum(len(u["floors"]) for u in self.reg.units.values() if u["kind"] == "main")
        self.assertEqual(n_spaces, len(self.reg.legal_spaces(self.gdf)))
        self.assertEqual(
            (r["buildings"], r["footprints_rejected"], r["baunits"], r["generated_units"], r["legal_spaces"],
             r["parties"], r["rights"]),
            (160, 0, len(self.reg.units), 0, n_spaces, len(self.reg.parties), len(self.reg.rights)), self.res.describe())
        self.assertEqual((r["baunits"], r["legal_spaces"], r["parties"], r["rights"]), (12, 9, 9, 20))
        self.assertTrue(r["valid"])
        self.assertEqual((r["errors_by_code"], r["issues"]), ({}, []), self.res.describe())
        self.assertEqual(r["profile"], "public")
        rep = json.loads(self.report.read_text(encoding="utf-8"))
        self.assertEqual(rep["findings"], [])
        for key in ("buildings", "baunits", "legal_spaces", "parties", "rights", "valid"):
            self.assertEqual(rep[key], r[key], key)

    def test_no_findings_expected_by_this_script_either(self):
        self.assertEqual(self.reg.expected_findings(self.gdf), set())

    def test_shares_of_every_building_number_sum_to_one(self):
        totals = {}
        for r in self.reg.rights:
            self.assertIsNotNone(r["party"], r)
            totals[r["baunit"]] = totals.get(r["baunit"], Fraction(0)) + r["share"]
        self.assertEqual(set(totals), set(self.reg.units))
        for no, total in totals.items():
            self.assertEqual(total, 1, no)
        # Several owners hold the common parts.
        for no, u in self.reg.units.items():
            if u["kind"] == "common":
                self.assertGreaterEqual(sum(r["baunit"] == no for r in self.reg.rights), 2, no)

    def test_registered_areas_within_one_percent_of_the_footprints(self):
        for no, u in self.reg.units.items():
            if u["kind"] != "main":
                continue
            computed = self.gdf.geometry[u["building"]].area * len(u["floors"])
            self.assertLessEqual(abs(computed - u["area"]) / u["area"], 0.01, f"{no}: {computed} vs {u['area']}")

    def test_a_tight_area_tolerance_flags_exactly_the_units_this_script_finds(self):
        tol = 0.002
        expected = {f for f in self.reg.expected_findings(self.gdf, area_tol=tol)}
        self.assertTrue(expected, "premise: some registered areas differ by more than 0.2 %")
        self.assertEqual({c for c, _ in expected}, {804})
        self.assertGreater(len(self.reg.units), len(expected) + 3, "premise: most do not")
        res, _, _ = self.build(VALID_CSV, "valid_tight", "--area-tol", tol, report=False)
        self.assertExit(res, 7)
        self.assertEqual(strata_findings(res.result["findings"]), expected, res.describe())

    def test_units_are_prisms_on_their_footprints(self):
        self.assertExit(self.res, sts.EXIT_OK)
        self.assertPrismsOnFootprints(self.out, self.reg)

    def test_unit_attributes_and_rights(self):
        doc, _ = read_city(self.out)
        units = building_units(doc)
        for uid, u in units.items():
            a = u["attributes"]
            reg = self.reg.units[a["building_no"]]
            self.assertEqual(a["unit_kind"], reg["kind"], uid)
            self.assertEqual(a["registered_area_m2"], reg["area"], uid)
            self.assertEqual(a["parcels"], reg["parcels"], uid)
            self.assertEqual(a["address"], reg["address"], uid)
            self.assertIs(a["strata:generated"], False, uid)
            expected = sorted((r["party"], r["type"], r["share"]) for r in self.reg.rights
                              if r["baunit"] == a["building_no"])
            got = []
            for right in a["rights"]:
                self.assertEqual(set(right), {"party", "type", "share"}, f"{uid}: public profile")
                got.append((right["party"], right["type"], Fraction(right["share"])))
            self.assertEqual(sorted(got), expected, uid)
        for b in {u["building"] for u in self.reg.units.values()}:
            a = doc["CityObjects"][b]["attributes"]
            self.assertEqual((a["strata:storeys"], a["strata:height"], a["strata:base"]), (STOREYS, HEIGHT, 0), b)

    def test_building_storeys(self):
        n = self.assertStoreys(self.out, self.res.result, self.reg.legal_spaces(self.gdf))
        self.assertGreaterEqual(n, 160 * STOREYS)

    def test_strata_validate_finds_every_solid_valid(self):
        self.assertValidatesClean(self.out, 160 + self.res.result["storeys"] + 9,
                                  len(self.reg.without_volume(self.gdf)))

    def test_common_parts_are_units_without_volume_with_their_shares(self):
        self.assertGreater(len(self.reg.without_volume(self.gdf)), 0, "premise: the fixture has common parts")
        self.assertUnitsWithoutVolume(self.out, self.reg, self.res.result)

    def test_official_cityjson_2_schema(self):
        doc, _ = read_city(self.out)
        self.assertEqual((doc["type"], doc["version"]), ("CityJSON", "2.0"))
        self.assertRegex(doc["metadata"]["referenceSystem"], r"EPSG(/0/|::?)28992$")
        self.assertEqual(schema_errors(doc), [])


class ProblemsRegistry(UnitsCase):
    """problems_registry.csv (English headers): one finding per designed problem, three rejected rows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reg = Registry(PROBLEMS_CSV)
        cls.res, cls.out, cls.report = cls.build(PROBLEMS_CSV, "problems")

    def test_premises_of_the_fixture(self):
        reg, gdf = self.reg, self.gdf
        with open(PROBLEMS_CSV, encoding="utf-8") as f:
            header = next(csv.reader(f))
        self.assertEqual(header, ["building_no", "building_id", "address", "floors", "unit_kind", "area_m2", "party_id",
                                  "party_name", "party_identity", "share", "parcels", "unit_wkt"])
        # 801: two main units without outline on the same floor of one building.
        a, b = sorted(DESIGNED_PROBLEMS[801])
        ua, ub = reg.units[a], reg.units[b]
        self.assertEqual((ua["kind"], ub["kind"], ua["outline"], ub["outline"]), ("main", "main", None, None))
        self.assertEqual(ua["building"], ub["building"])
        self.assertTrue(set(ua["floors"]) & set(ub["floors"]))
        # 802: an outline more than 1 m² outside its footprint, with the registered area of the outline.
        u = reg.units[DESIGNED_PROBLEMS[802]]
        fp = gdf.geometry[u["building"]]
        self.assertGreater(u["outline"].difference(fp).area, 1.0)
        self.assertLess(abs(u["outline"].area - u["area"]) / u["area"], 0.01)
        # 804: registered area twice the footprint area.
        u = reg.units[DESIGNED_PROBLEMS[804]]
        self.assertAlmostEqual(u["area"] / (gdf.geometry[u["building"]].area * len(u["floors"])), 2.0, places=3)
        # 805: a unit on floor 5 of a 3-storey building.
        self.assertIn(5, reg.units[DESIGNED_PROBLEMS[805]]["floors"])
        # 806: 1/2 + 1/3.
        self.assertEqual(sorted(r["share"] for r in reg.rights if r["baunit"] == DESIGNED_PROBLEMS[806]),
                         [Fraction(1, 3), Fraction(1, 2)])
        # 807: a share without a party.
        self.assertEqual([r["baunit"] for r in reg.rights if r["party"] is None], [DESIGNED_PROBLEMS[807]])
        # 809: a building id that is not a footprint.
        self.assertNotIn(reg.units[DESIGNED_PROBLEMS[809]]["building"], gdf.index)

    def test_this_script_derives_exactly_the_designed_problems(self):
        self.assertEqual(self.reg.expected_findings(self.gdf), design_as_set(DESIGNED_PROBLEMS))

    def test_exactly_the_designed_findings(self):
        self.assertExit(self.res, 7)
        self.assertJsonDoc(self.res, ok=True)
        r = self.res.result
        self.assertFalse(r["valid"])
        rep = json.loads(self.report.read_text(encoding="utf-8"))
        findings = rep["findings"]
        self.assertEqual(len(findings), len(DESIGNED_PROBLEMS), json.dumps(findings, ensure_ascii=False, indent=1))
        self.assertEqual(strata_findings(findings), design_as_set(DESIGNED_PROBLEMS))
        self.assertEqual({int(c): v["count"] for c, v in r["errors_by_code"].items()},
                         {c: 1 for c in DESIGNED_PROBLEMS})
        names = {801: "UNITS_OVERLAP", 802: "UNIT_OUTSIDE_BUILDING", 804: "AREA_MISMATCH", 805: "STOREY_MISSING",
                 806: "SHARES_NOT_WHOLE", 807: "RIGHT_WITHOUT_PARTY", 809: "BUILDING_NOT_FOUND"}
        for f in findings:
            self.assertEqual(f["name"], names[f["code"]], f)
            self.assertEqual(r["errors_by_code"][str(f["code"])]["name"], names[f["code"]])
            self.assertTrue(f["detail"], f)
            # Findings with a place lie at their building.
            if "location" in f:
                no = f["id"]
                fp = self.gdf.geometry[self.reg.units[no]["building"]]
                x, y, _ = f["location"]
                minx, miny, maxx, maxy = fp.bounds
                self.assertTrue(minx - 2 <= x <= maxx + 2 and miny - 2 <= y <= maxy + 2, f)
        for code in (801, 802, 805):
            self.assertTrue(any("location" in f for f in findings if f["code"] == code), code)

    def test_rejected_rows(self):
        r = self.res.result
        expected = {}
        with open(PROBLEMS_CSV, encoding="utf-8", newline="") as f:
            for n, row in enumerate(csv.DictReader(f), start=1):
                for (column, value), field in DESIGNED_REJECTS.items():
                    if row[column] == value:
                        expected[n] = (field, row["building_no"])
        self.assertEqual(len(expected), 3, "premise: three rows to reject")
        self.assertEqual(sorted((n, field, no) for n, (field, no) in expected.items()), sorted(self.reg.rejected))
        got = {i["fid"]: i for i in r["issues"]}
        self.assertEqual(set(got), set(expected), self.res.describe())
        for n, (field, no) in expected.items():
            i = got[n]
            self.assertEqual((i["code"], i["code_name"], i["field"], i["feature_id"], i["status"]),
                             (FIELD_TYPE, "FIELD_TYPE", field, no, "rejected"), i)
            self.assertTrue(i["file"].endswith("problems_registry.csv"), i)
            # The message names the file's line (the header is line 1).
            self.assertIn(f"problems_registry.csv:{n + 1}:", i["message"], i)
        rep = json.loads(self.report.read_text(encoding="utf-8"))
        self.assertEqual(rep["issues"], r["issues"])

    def test_counts(self):
        r = self.res.result
        self.assertEqual((r["buildings"], r["baunits"], r["legal_spaces"], r["parties"], r["rights"]),
                         (160, len(self.reg.units), len(self.reg.legal_spaces(self.gdf)), len(self.reg.parties),
                          len(self.reg.rights)), self.res.describe())

    def test_the_model_is_written_even_with_findings(self):
        doc, _ = read_city(self.out)
        units = building_units(doc)
        self.assertEqual(len(units), len(self.reg.legal_spaces(self.gdf)))
        self.assertEqual(schema_errors(doc), [])


class JsonRegistry(UnitsCase):
    """problems_registry.json: split floor (unit_wkt), 2-3, B1, annex and common part; one party
    without a right (808)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reg = Registry(PROBLEMS_JSON)
        cls.res, cls.out, cls.report = cls.build(PROBLEMS_JSON, "json")

    def test_808_on_the_party_without_a_right(self):
        doc = json.loads(PROBLEMS_JSON.read_text(encoding="utf-8"))
        holders = {r["party"] for u in doc["units"] for r in u.get("rights", [])}
        idle = [p["id"] for p in doc["parties"] if p["id"] not in holders]
        self.assertEqual(len(idle), 1, "premise: exactly one party holds no right")
        self.assertEqual(self.reg.expected_findings(self.gdf), {(808, idle[0])})
        self.assertExit(self.res, 7)
        r = self.res.result
        rep = json.loads(self.report.read_text(encoding="utf-8"))
        self.assertEqual(strata_findings(rep["findings"]), {(808, idle[0])}, json.dumps(rep["findings"]))
        self.assertEqual(r["errors_by_code"], {"808": {"count": 1, "name": "PARTY_WITHOUT_RIGHT"}})
        self.assertEqual(r["issues"], [])

    def test_counts_and_prisms(self):
        r = self.res.result
        self.assertEqual((r["buildings"], r["baunits"], r["legal_spaces"], r["parties"], r["rights"]),
                         (160, len(self.reg.units), len(self.reg.legal_spaces(self.gdf)), len(self.reg.parties),
                          len(self.reg.rights)), self.res.describe())
        self.assertEqual(r["legal_spaces"], 8)
        self.assertPrismsOnFootprints(self.out, self.reg)
        storeys = self.assertStoreys(self.out, r, self.reg.legal_spaces(self.gdf))
        self.assertValidatesClean(self.out, 160 + storeys + 8, len(self.reg.without_volume(self.gdf)))
        self.assertUnitsWithoutVolume(self.out, self.reg, r)
        doc, _ = read_city(self.out)
        floors = {u["attributes"]["floor"] for u in building_units(doc).values()}
        self.assertIn("B1", floors)
        # The split ground floor: two outlines that tile the footprint.
        split = [u for u in self.reg.units.values() if u["outline"] is not None]
        self.assertEqual(len(split), 2)
        fp = self.gdf.geometry[split[0]["building"]]
        self.assertAlmostEqual(split[0]["outline"].union(split[1]["outline"]).area, fp.area, delta=0.01)


class Privacy(UnitsCase):
    """Party names and identity numbers leave strata only with --profile bureau."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.regs = {p.name: Registry(p) for p in (VALID_CSV, PROBLEMS_CSV, PROBLEMS_JSON)}

    def secrets(self, reg: Registry) -> set:
        s = reg.names_and_identities()
        self.assertGreaterEqual(len(s), 2 * len(reg.parties) - 1, "premise: names and identity numbers")
        return s

    def assertNothingLeaks(self, res, files, secrets):
        blobs = {str(f): Path(f).read_bytes() for f in files}
        blobs["stdout"] = res.stdout.encode("utf-8")
        for where, blob in blobs.items():
            self.assertGreater(len(blob), 0, where)
            for s in secrets:
                self.assertNotIn(s.encode("utf-8"), blob, f"'{s}' appears in {where}")

    def test_default_profile_writes_no_names_or_identity_numbers(self):
        for name, reg in self.regs.items():
            with self.subTest(registry=name):
                res, out, rep = self.build(reg.path, f"public_{reg.path.stem}{reg.path.suffix[1:]}")
                self.assertIn(res.returncode, (0, 7), res.describe())
                self.assertEqual(res.result["profile"], "public")
                self.assertNothingLeaks(res, [out, rep], self.secrets(reg))

    def test_planner_and_engineer_profiles_write_none_either(self):
        reg = self.regs[VALID_CSV.name]
        for profile in ("planner", "engineer"):
            with self.subTest(profile=profile):
                res, out, rep = self.build(VALID_CSV, f"{profile}_valid", "--profile", profile)
                self.assertExit(res, sts.EXIT_OK)
                self.assertNothingLeaks(res, [out, rep], self.secrets(reg))

    def test_bureau_profile_writes_them_in_the_rights(self):
        for name in (VALID_CSV.name, PROBLEMS_JSON.name):
            reg = self.regs[name]
            with self.subTest(registry=name):
                res, out, _ = self.build(reg.path, f"bureau_{reg.path.stem}{reg.path.suffix[1:]}",
                                         "--profile", "bureau")
                self.assertIn(res.returncode, (0, 7), res.describe())
                doc, _ = read_city(out)
                seen = set()
                for uid, u in building_units(doc).items():
                    no = u["attributes"]["building_no"]
                    expected = sorted((reg.parties[r["party"]][0], reg.parties[r["party"]][1], r["share"])
                                      for r in reg.rights if r["baunit"] == no)
                    got = sorted((x["party_name"], x["party_identity_number"], Fraction(x["share"]))
                                 for x in u["attributes"]["rights"])
                    self.assertEqual(got, expected, uid)
                    seen |= {x["party"] for x in u["attributes"]["rights"]}
                # Parties that only hold common parts (no volume) are in no unit; the others are.
                with_volume = {r["party"] for r in reg.rights
                               if r["baunit"] in {s[0] for s in reg.legal_spaces(self.gdf)}}
                self.assertEqual(seen, with_volume)
                blob = out.read_bytes()
                for p in with_volume:
                    for s in reg.parties[p]:
                        self.assertIn(s.encode("utf-8"), blob, s)


class Generate(UnitsCase):
    """units generate --height 9: round(9 / 3) = 3 generated units on each of the 160 footprints."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.out = cls.tmp / "generated.city.json"
        cls.res = cls.strata("units", "generate", *footprint_args(), "--out", cls.out)

    def test_counts(self):
        self.assertExit(self.res, sts.EXIT_OK)
        r = self.res.result
        n = len(self.gdf) * STOREYS
        self.assertEqual(n, 480)
        self.assertEqual((r["buildings"], r["baunits"], r["generated_units"], r["legal_spaces"], r["parties"],
                          r["rights"], r["valid"], r["findings"], r["issues"]),
                         (160, n, n, n, 0, 0, True, [], []), self.res.describe())

    def test_generated_units(self):
        doc, v = read_city(self.out)
        units = building_units(doc)
        self.assertEqual(set(units), {f"{b}/F{f}" for b in self.gdf.index for f in range(1, STOREYS + 1)})
        for uid, u in units.items():
            a = u["attributes"]
            self.assertIs(a["strata:generated"], True, uid)
            self.assertEqual((a["building_no"], a["unit_kind"], a["rights"]), (uid, "main", []), uid)
            b, f = uid.rsplit("/F", 1)
            self.assertEqual(u["parents"], [b])
            self.assertEqual(a["floor"], f)
            z = v[vertex_indices(u), 2]
            self.assertLessEqual(abs(z.min() - (int(f) - 1) * STOREY), MM, uid)
            self.assertLessEqual(abs(z.max() - int(f) * STOREY), MM, uid)
            volume = sum(shell_volume(s, v) for s in solid_shells(u["geometry"][0]))
            area = self.gdf.geometry[b].area
            self.assertLessEqual(abs(volume - area * STOREY), 2e-3 * area * STOREY, uid)
        for b in self.gdf.index:
            self.assertEqual(doc["CityObjects"][b]["attributes"]["strata:storeys"], STOREYS)

    def test_generated_storeys(self):
        self.assertEqual(self.assertStoreys(self.out, self.res.result, []), 480)

    def test_all_valid(self):
        self.assertValidatesClean(self.out, 160 + 480 + 480)
        doc, _ = read_city(self.out)
        self.assertEqual(schema_errors(doc), [])


class RejectedShareRow(UnitsCase):
    """A row rejected for its share must not leave its party behind."""

    # A row rejected for an unreadable share adds no party (so no false 808).
    def test_bad_share_row_adds_no_party(self):
        b = "b112715f4-00ba-11e6-b420-2bdcc4ab5d7f"
        path = self.tmp / "bad_share.csv"
        path.write_text("building_no,building_id,floors,area_m2,party_id,share\n"
                        f"9-1,{b},1,120.46,Q1,全部\n"
                        f"9-2,{b},2,120.46,Q2,abc\n", encoding="utf-8")
        res, _, _ = self.build(path, "bad_share", report=False)
        r = res.result
        self.assertEqual([(i["fid"], i["field"], i["code"]) for i in r["issues"]], [(2, "share", FIELD_TYPE)])
        self.assertEqual(r["parties"], 1, res.describe())
        self.assertEqual(r["findings"], [], res.describe())


if __name__ == "__main__":
    sts.main()
