#!/usr/bin/python3
"""Network files as 3D pipes: `strata pipes inspect` on the real EPANET and SWMM files.

* ky4 (a Kentucky utility's water network, EPSG:3547, US customary units): the .inp read by
  strata against the network's own GIS export (ky4_gis/*.geojson, read with GeoPandas): the
  same 1,156 pipes with the same end nodes and diameters (inches → m), the same declared
  lengths (ft → m), the same drawn geometry (per pipe, in the CRS's US feet and in metres),
  the same 959 junctions with their elevations (ft → m), and the pumps.
* Site_Drainage_Model (the EPA SWMM example, CFS, offsets as depths): every conduit's invert
  at both ends, its section height and shape, against a parse of the file written here
  (node invert + offset, in m).
* Bad input: copies of Net1.inp with one planted problem each; every problem is reported with
  the file, line, element id, field and code, and the rest of the network is read.
"""
import json
import re
import sys
from pathlib import Path

import geopandas as gpd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

NETWORKS = "water_sewer_networks_epanet_swmm"
FT = 0.3048
US_FT = 1200 / 3937  # EPSG:3547's unit, the US survey foot


def sections(path: Path) -> dict:
    """{SECTION: [(line, tokens)]} of an .inp file: the plain structure, comments dropped."""
    out, current = {}, None
    for n, text in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        text = text.split(";", 1)[0].strip()
        if not text:
            continue
        if text.startswith("["):
            current = text[1:text.index("]")].upper()
            out.setdefault(current, [])
            continue
        if current:
            out[current].append((n, text.split()))
    return out


class Ky4Test(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inp = sts.data_path(NETWORKS, "ky4.inp")
        cls.res = cls.strata("pipes", "inspect", cls.inp, "--crs", "EPSG:3547", "--links")
        cls.gis = gpd.read_file(sts.data_path(NETWORKS, "ky4_gis", "ky4_pipes.geojson")).set_index("name")
        cls.junctions = gpd.read_file(sts.data_path(NETWORKS, "ky4_gis", "ky4_junctions.geojson")).set_index("name")
        cls.pumps = gpd.read_file(sts.data_path(NETWORKS, "ky4_gis", "ky4_pumps.geojson"))

    def result(self) -> dict:
        self.assertExit(self.res, sts.EXIT_OK, "pipes inspect ky4.inp")
        return self.res.result

    def links(self, type_: str) -> dict:
        return {l["id"]: l for l in self.result()["link_list"] if l["type"] == type_}

    def test_counts(self):
        r = self.result()
        self.assertEqual(r["format"], "EPANET")
        self.assertIn("GPM", r["units"])
        self.assertEqual(r["links_by_type"]["pipe"], len(self.gis))
        self.assertEqual(len(self.gis), 1156)
        self.assertEqual(r["nodes_by_type"]["junction"], len(self.junctions))
        self.assertEqual(r["links_by_type"].get("pump", 0), len(self.pumps))
        self.assertEqual(r["issues"], [])

    def test_pipes_match_the_gis_export(self):
        pipes = self.links("pipe")
        self.assertEqual(set(pipes), set(self.gis.index))
        for pid, row in self.gis.iterrows():
            p = pipes[pid]
            self.assertEqual((p["from"], p["to"]), (row["start_node_name"], row["end_node_name"]), pid)
            self.assertAlmostEqual(p["diameter_m"], row["diameter"], delta=1e-9, msg=pid)
            self.assertAlmostEqual(p["declared_length_m"], row["length"], delta=1e-6 * row["length"], msg=pid)
            self.assertAlmostEqual(p["drawn_length"], row.geometry.length, delta=1e-6 * max(1.0, row.geometry.length),
                                   msg=pid)

    def test_total_lengths(self):
        r = self.result()
        declared = self.gis["length"].sum()
        self.assertAlmostEqual(r["declared_length_m"], declared, delta=1e-9 * declared)
        drawn = self.gis.geometry.length.sum()  # pumps are links too: add their drawn length
        pumps = sum(l["drawn_length"] for l in self.result()["link_list"] if l["type"] != "pipe")
        self.assertAlmostEqual(r["drawn_length"], drawn + pumps, delta=1e-6 * drawn)
        self.assertAlmostEqual(r["drawn_length_m"], r["drawn_length"] * US_FT, delta=1e-6 * drawn)
        print(f"\n  ky4: {len(self.gis)} pipes, declared {declared / 1e3:.3f} km, "
              f"drawn {r['drawn_length_m'] / 1e3:.3f} km", file=sys.stderr)

    def test_heights_are_the_junction_elevations(self):
        pipes = self.links("pipe")
        for pid, row in self.gis.iterrows():
            p = pipes[pid]
            for end, node in (("z_start", row["start_node_name"]), ("z_end", row["end_node_name"])):
                if node in self.junctions.index:
                    self.assertAlmostEqual(p[end], self.junctions.loc[node, "elevation"], delta=1e-6, msg=pid)


class SwmmTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inp = sts.data_path(NETWORKS, "swmm", "Site_Drainage_Model.inp")
        cls.res = cls.strata("pipes", "inspect", cls.inp, "--links")
        s = sections(cls.inp)
        options = {t[0].upper(): t[1].upper() for _, t in s["OPTIONS"] if len(t) > 1}
        assert options["FLOW_UNITS"] == "CFS" and options["LINK_OFFSETS"] == "DEPTH", options
        cls.invert = {t[0]: float(t[1]) * FT for _, t in s["JUNCTIONS"] + s["OUTFALLS"]}
        cls.sections = {t[0]: (t[1].upper(), float(t[2]) * FT) for _, t in s["XSECTIONS"]}
        cls.conduits = {t[0]: t for _, t in s["CONDUITS"]}

    def test_every_conduit_with_its_inverts(self):
        self.assertExit(self.res, sts.EXIT_OK)
        r = self.res.result
        self.assertEqual(r["format"], "SWMM")
        got = {l["id"]: l for l in r["link_list"]}
        self.assertEqual(set(got), set(self.conduits))
        self.assertEqual(r["links_with_inverts"], len(self.conduits))
        offsets_used = 0
        for cid, t in self.conduits.items():
            l = got[cid]
            start = self.invert[t[1]] + float(t[5]) * FT
            end = self.invert[t[2]] + float(t[6]) * FT
            offsets_used += float(t[5]) != 0 or float(t[6]) != 0
            self.assertAlmostEqual(l["invert_start"], start, delta=1e-9, msg=cid)
            self.assertAlmostEqual(l["invert_end"], end, delta=1e-9, msg=cid)
            shape, height = self.sections[cid]
            self.assertEqual(l["shape"], shape)
            self.assertAlmostEqual(l["diameter_m"], height, delta=1e-12, msg=cid)
            # The centreline runs half a section above the inverts.
            self.assertAlmostEqual(l["z_start"], start + height / 2, delta=1e-9, msg=cid)
            self.assertAlmostEqual(l["z_end"], end + height / 2, delta=1e-9, msg=cid)
            self.assertAlmostEqual(l["declared_length_m"], float(t[3]) * FT, delta=1e-9, msg=cid)
        self.assertGreater(offsets_used, 0, "the example must exercise the offsets")
        # Every junction has MaxDepth 0 (up to the highest crown): no ground, so no cover.
        self.assertEqual(r["links_with_cover"], 0)


# A problem planted in a copy of Net1.inp: (case, how to change the text, expected code, status,
# id, field)
def replace_row(section: str, first: str, new: str):
    def change(text: str) -> str:
        lines = text.splitlines()
        inside = False
        for i, line in enumerate(lines):
            if line.strip().startswith("["):
                inside = line.strip().upper().startswith(f"[{section}]")
                continue
            if inside and line.split() and line.split()[0] == first:
                lines[i] = new
                return "\n".join(lines) + "\n"
        raise AssertionError(f"no row {first} in [{section}]")
    return change


def add_row(section: str, new: str):
    def change(text: str) -> str:
        return re.sub(rf"(\[{section}\][^\n]*\n)", lambda m: m.group(1) + new + "\n", text, count=1)
    return change


BAD_CASES = [
    ("pipe to an unknown node", replace_row("PIPES", "10", " 10  10  99  10530  18  100"), 935, "rejected", "10", "node2"),
    ("zero diameter", replace_row("PIPES", "11", " 11  11  12  5280  0  100"), 936, "rejected", "11", "diameter"),
    ("negative length", replace_row("PIPES", "12", " 12  12  13  -5280  10  100"), 936, "rejected", "12", "length"),
    ("diameter not a number", replace_row("PIPES", "21", " 21  21  22  5280  ten  100"), 922, "rejected", "21", "diameter"),
    ("pipe without diameter", replace_row("PIPES", "22", " 22  22  23  5280"), 921, "rejected", "22", "diameter"),
    ("duplicate pipe id", add_row("PIPES", " 31  12  22  1000  8  100"), 930, "rejected", "31", "id"),
]


class BadNetworkTest(sts.StrataTestCase):
    def inspect(self, name: str, text: str) -> sts.StrataResult:
        path = self.tmp / f"{name}.inp"
        path.write_text(text, encoding="utf-8")
        return path, self.strata("pipes", "inspect", path, "--links")

    def test_each_planted_problem_is_reported_and_the_rest_read(self):
        original = sts.data_path(NETWORKS, "Net1.inp").read_text(encoding="utf-8")
        _, base = self.inspect("net1", original)
        self.assertExit(base, sts.EXIT_OK)
        self.assertEqual(base.result["issues"], [])
        base_links = base.result["links"]
        for i, (case, change, code, status, element, field) in enumerate(BAD_CASES):
            with self.subTest(case=case):
                text = change(original)
                path, res = self.inspect(f"bad{i}", text)
                self.assertExit(res, sts.EXIT_OK, case)
                issues = res.result["issues"]
                self.assertEqual(len(issues), 1, issues)
                issue = issues[0]
                self.assertEqual((issue["code"], issue["status"], issue["feature_id"], issue["field"]),
                                 (code, status, element, field), issue)
                line = issue["fid"]
                self.assertTrue(issue["message"].startswith(f"{path}:{line}: "), issue["message"])
                self.assertIn(element, text.splitlines()[line - 1].split()[0], "the line cited holds the element")
                # The element is left out, every other link read.
                extra = 1 if case == "duplicate pipe id" else 0
                self.assertEqual(res.result["links"], base_links - 1 + extra, case)

    def test_node_problems(self):
        original = sts.data_path(NETWORKS, "Net1.inp").read_text(encoding="utf-8")
        # A junction that is never placed: the pipes at it have no place (935).
        text = add_row("JUNCTIONS", " 77  700  0")(original)
        text = add_row("PIPES", " 88  77  10  1000  8  100")(text)
        path, res = self.inspect("unplaced", text)
        issues = res.result["issues"]
        self.assertEqual([(i["code"], i["feature_id"], i["field"]) for i in issues], [(935, "88", "node1")])
        self.assertIn("has no coordinates", issues[0]["message"])
        # Coordinates of a node that does not exist: a warning, nothing rejected.
        text = add_row("COORDINATES", " 555  1.0  2.0")(original)
        path, res = self.inspect("stray", text)
        self.assertEqual([(i["code"], i["status"]) for i in res.result["issues"]], [(935, "warning")])
        # A pipe whose two nodes are at one place, without vertices (934).
        text = replace_row("COORDINATES", "12", " 12  30.00  70.00")(original)  # node 11's place
        path, res = self.inspect("same", text)
        degenerate = [i for i in res.result["issues"] if i["code"] == 934]
        self.assertEqual([i["feature_id"] for i in degenerate], ["11"], res.result["issues"])

    def test_files_that_are_not_networks(self):
        path = self.tmp / "empty.inp"
        path.write_text("", encoding="utf-8")
        err = self.assertError(self.strata("pipes", "inspect", path), sts.EXIT_INPUT_DATA, 904, "UNSUPPORTED_FORMAT")
        self.assertIn(str(path), err["message"])
        binary = self.tmp / "binary.inp"
        binary.write_bytes(bytes(range(256)) * 8)
        self.assertError(self.strata("pipes", "inspect", binary), sts.EXIT_INPUT_DATA, 904, "UNSUPPORTED_FORMAT")


if __name__ == "__main__":
    sts.main()
