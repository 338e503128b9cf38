#!/usr/bin/python3
"""End to end: `strata inspect` on the real CityJSON / CityJSONSeq files (issue 3's reader).
Object counts by type, CRS, version and each type's height range must equal what Python's json
module computes from the same files (transform applied); legacy, XML and GeoJSON files are
refused with a message that says what they are; a bad vertex index drops that geometry only."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

FILES = ["rotterdam_delfshaven_lod2_v2.0.city.json", "delft_3dbag_lod1_v2.0.city.json",
         "zurich_subset_lod2_v1.1.city.json", "denhaag_subset_solids_v1.1.city.json",
         "3dbag_b2.city.jsonl", "denhaag_random_5.city.jsonl"]


def flatten_indices(b):
    if isinstance(b, int):
        yield b
    else:
        for x in b:
            yield from flatten_indices(x)


def expected(path: Path) -> dict:
    """Counts and z ranges by type, computed independently of strata."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.suffix == ".jsonl":
        header, docs = json.loads(lines[0]), [json.loads(l) for l in lines[1:] if l.strip()]
    else:
        header = json.loads(path.read_text(encoding="utf-8"))
        docs = [header]
    t = header.get("transform", {"scale": [1, 1, 1], "translate": [0, 0, 0]})
    out = {}
    for d in docs:
        verts = d.get("vertices", [])
        for obj in d["CityObjects"].values():
            e = out.setdefault(obj["type"], {"objects": 0, "z": []})
            e["objects"] += 1
            for g in obj.get("geometry", []):
                if g["type"] not in ("MultiSurface", "CompositeSurface", "Solid", "MultiSolid", "CompositeSolid"):
                    continue
                for i in flatten_indices(g["boundaries"]):
                    e["z"].append(verts[i][2] * t["scale"][2] + t["translate"][2])
    return {"version": header["version"], "types": out,
            "crs": header.get("metadata", {}).get("referenceSystem")}


class InspectCityJson(sts.StrataTestCase):
    def test_counts_crs_and_heights_match_an_independent_reading(self):
        for name in FILES:
            path = sts.data_path("cityjson_real_buildings", name)
            res = self.strata("inspect", path)
            self.assertExit(res, sts.EXIT_OK, name)
            got, exp = res.result, expected(path)
            self.assertEqual(got["version"], exp["version"], name)
            self.assertEqual(got["sequence"], name.endswith(".jsonl"), name)
            if exp["crs"]:
                self.assertTrue(exp["crs"].endswith(got["crs"].split(":")[1]), f"{name}: {got['crs']} vs {exp['crs']}")
            else:
                self.assertIsNone(got["crs"], name)
            self.assertEqual({k: v["objects"] for k, v in got["types"].items()},
                             {k: v["objects"] for k, v in exp["types"].items()}, name)
            for type_, e in exp["types"].items():
                if e["z"]:
                    self.assertAlmostEqual(got["types"][type_]["z_min"], min(e["z"]), places=6, msg=f"{name} {type_}")
                    self.assertAlmostEqual(got["types"][type_]["z_max"], max(e["z"]), places=6, msg=f"{name} {type_}")
            self.assertEqual(got["issues"], [], name)

    def test_known_building_counts(self):
        counts = {}
        for name in ("rotterdam_delfshaven_lod2_v2.0.city.json", "zurich_subset_lod2_v1.1.city.json",
                     "delft_3dbag_lod1_v2.0.city.json"):
            counts[name] = self.strata("inspect", sts.data_path("cityjson_real_buildings", name)).result["types"]
        # The dataset README's figures (independent of strata).
        self.assertEqual(counts["rotterdam_delfshaven_lod2_v2.0.city.json"]["Building"]["objects"], 853)
        self.assertEqual(counts["zurich_subset_lod2_v1.1.city.json"]["Building"]["objects"], 49)
        self.assertEqual(counts["zurich_subset_lod2_v1.1.city.json"]["BuildingPart"]["objects"], 161)
        self.assertEqual(counts["delft_3dbag_lod1_v2.0.city.json"]["Building"]["objects"], 160)

    def test_files_that_are_not_modern_cityjson_are_refused_clearly(self):
        # Legacy CityJSON is an invalid input (901); other formats are unsupported (904).
        cases = [
            (sts.data_path("citygml_denhaag_tile01_large", "DenHaag_01_cityjson_v0.8.json"), "legacy CityJSON v0.8",
             901, "INVALID_INPUT_FILE"),
            (sts.data_path("citygml_real_buildings", "FZK-Haus_indoorgml.gml"), "is IndoorGML", 904, "UNSUPPORTED_FORMAT"),
            (sts.data_path("taipei_districts_villages", "taipei_town.geojson"), "is GeoJSON, not CityJSON", 904,
             "UNSUPPORTED_FORMAT"),
        ]
        for path, fragment, code, name in cases:
            res = self.strata("inspect", path)
            self.assertError(res, sts.EXIT_INPUT_DATA, code, name)
            self.assertIn(fragment, sts.error_of(res.doc)["message"], res.describe())

    def test_a_bad_vertex_index_drops_only_that_geometry(self):
        doc = json.loads(sts.data_path("cityjson_real_buildings", "rotterdam_subset_v2.0.city.json").read_text())
        first = next(iter(doc["CityObjects"].values()))
        first["geometry"][0]["boundaries"][0][0][0] = 10 ** 9
        bad = self.tmp / "bad_index.city.json"
        bad.write_text(json.dumps(doc), encoding="utf-8")
        res = self.strata("inspect", bad)
        # Something was left out: the exit status says so (the rest is still summarised).
        self.assertExit(res, sts.EXIT_INPUT_DATA)
        self.assertEqual(res.result["rejected"], 1)
        self.assertEqual(len(res.result["issues"]), 1)
        self.assertIn("out of range", res.result["issues"][0]["message"])
        self.assertEqual(res.result["objects"], len(doc["CityObjects"]))
        text = self.strata("inspect", bad, json_output=False)
        self.assertExit(text, sts.EXIT_INPUT_DATA)
        self.assertIn("NOT ALL READ", text.stdout.splitlines()[0])


def citygml_expected(path: Path) -> dict:
    """Building / BuildingPart counts and the z range of their surfaces, read with ElementTree
    (curves such as lod2TerrainIntersection and lod0 edges are not surfaces: skipped)."""
    import re
    from lxml import etree  # recover=True: PLATEAU's file uses an undeclared prefix (energy:)
    counts, zs, xs = {}, [], []
    skip = re.compile(r"lod\d(TerrainIntersection|RoofEdge|FootPrint|MultiCurve)$")
    depth_in_building, skipping = 0, 0
    for event, el in etree.iterparse(str(path), events=("start", "end"), recover=True):
        if not isinstance(el.tag, str):
            continue  # comments, processing instructions
        local = el.tag.rsplit("}", 1)[-1]
        is_bldg = local in ("Building", "BuildingPart") and "building" in el.tag
        if event == "start":
            if is_bldg:
                counts[local] = counts.get(local, 0) + 1
                depth_in_building += 1
            if skip.match(local):
                skipping += 1
            continue
        if is_bldg:
            depth_in_building -= 1
        if skip.match(local):
            skipping -= 1
        if local in ("posList", "pos") and depth_in_building > 0 and skipping == 0 and el.text:
            v = [float(t) for t in el.text.split()]
            zs.extend(v[2::3])
            xs.extend(v[0::3])
        if depth_in_building == 0:
            el.clear()
    return {"counts": counts, "z": (min(zs), max(zs)), "first_axis": (min(xs), max(xs))}


class InspectCityGml(sts.StrataTestCase):
    FILES = [("citygml_denhaag_tile01_large", "DenHaag_01.gml"),
             ("citygml_real_buildings", "DenHaag_dh_1.gml"),
             ("citygml_real_buildings", "plateau_tokyo/udx/bldg/53392642_bldg_6697_op2.gml")]

    def test_counts_and_heights_match_an_independent_reading(self):
        for folder, name in self.FILES:
            path = sts.data_path(folder, *name.split("/"))
            res = self.strata("inspect", path)
            self.assertExit(res, sts.EXIT_OK, name)
            got, exp = res.result, citygml_expected(path)
            self.assertEqual(got["format"], "CityGML")
            self.assertEqual({k: v["objects"] for k, v in got["types"].items()}, exp["counts"], name)
            zmin = min(v["z_min"] for v in got["types"].values() if "z_min" in v)
            zmax = max(v["z_max"] for v in got["types"].values() if "z_max" in v)
            self.assertAlmostEqual(zmin, exp["z"][0], places=6, msg=name)
            self.assertAlmostEqual(zmax, exp["z"][1], places=6, msg=name)
            self.assertEqual(got["issues"], [], name)

    def test_known_counts_and_plateau_axis_order(self):
        den_haag = self.strata("inspect", sts.data_path("citygml_denhaag_tile01_large", "DenHaag_01.gml")).result
        self.assertEqual(den_haag["types"]["Building"]["objects"], 844)  # the dataset README's figure
        plateau_path = sts.data_path("citygml_real_buildings", "plateau_tokyo", "udx", "bldg", "53392642_bldg_6697_op2.gml")
        plateau = self.strata("inspect", plateau_path).result
        self.assertEqual(plateau["crs"], "EPSG:6697")
        # The file writes latitude first (35.5...); strata's x must be the longitude (139.7...).
        west, south, east, north = plateau["types"]["Building"]["extent"]
        first_axis = citygml_expected(plateau_path)["first_axis"]
        self.assertTrue(35 < first_axis[0] < 36, "premise: the file's first axis is latitude")
        self.assertTrue(139 < west < east < 140, plateau["types"]["Building"]["extent"])
        self.assertTrue(35 < south < north < 36, plateau["types"]["Building"]["extent"])


if __name__ == "__main__":
    sts.main()
