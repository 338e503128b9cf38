#!/usr/bin/python3
"""Clash and clearance between Kaohsiung's gas and petroleum pipelines (EPSG:3826), against
Shapely.

The real layers (kaohsiung_pipelines: 609 natural-gas lines of 欣高, 59 petroleum lines of 中油)
have no depth and no diameter: the rules file supplies them per utility, and every finding says
it rests on assumed values. With constant depths the closest approach of two pipes is
sqrt(h² + Δz²), h being the 2D distance between the lines, so the reference is Shapely's 2D
distance for every pair of lines and the depths of the rules:
  * run 1, gas 1.0 m deep (Ø 0.2 m), petroleum 1.5 m (Ø 0.3 m), minimum clearance 0.5 m: the
    pairs with sqrt(h² + 0.55²) − 0.25 < 0.5, crossings among them, are clearance violations;
  * run 2, both 1.2 m deep (Ø 0.3 m): the pairs with h < 0.3 m, crossings among them, clash.
The feature ids of the layers are not unique, so pipes are named by feature number; each finding
must name the same pair and the same axis distance (1e-6 m) as the reference, and the
GeoPackage holds the same findings as 3D points.
"""
import json
import math
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

GAS = ("kaohsiung_pipelines", "kh_ng_pipelines_twd97.geojson")
PETROLEUM = ("kaohsiung_pipelines", "kh_petroleum_pipelines_twd97.geojson")


def rules_text(gas_depth, gas_d, pet_depth, pet_d, min_m):
    return f"""# rules for tests/cli/test_pipes_clearance.py (assumed values: the data has none)
[utilities.gas]
depth_m = {gas_depth}
diameter_m = {gas_d}

[utilities.petroleum]
depth_m = {pet_depth}
diameter_m = {pet_d}

[[clearance]]
between = ["gas", "petroleum"]
min_m = {min_m}
"""


class ClearanceTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gas = gpd.read_file(sts.data_path(*GAS))
        cls.petroleum = gpd.read_file(sts.data_path(*PETROLEUM))
        cls.h = {}  # (gas feature, petroleum feature) -> 2D distance, for pairs closer than 5 m
        cls.crossing = set()
        for i, g in enumerate(cls.gas.geometry):
            for j, p in enumerate(cls.petroleum.geometry):
                d = g.distance(p)
                if d < 5.0:
                    cls.h[(i, j)] = d
                if g.intersects(p):
                    cls.crossing.add((i, j))

    def run_case(self, name, gas_depth, gas_d, pet_depth, pet_d, min_m):
        rules = self.tmp / f"{name}.toml"
        rules.write_text(rules_text(gas_depth, gas_d, pet_depth, pet_d, min_m), encoding="utf-8")
        gpkg = self.tmp / f"{name}.gpkg"
        res = self.strata("pipes", "clearance", sts.data_path(*GAS), sts.data_path(*PETROLEUM),
                          "--a-utility", "gas", "--b-utility", "petroleum", "--rules", rules, "--gpkg", gpkg)
        self.assertExit(res, sts.EXIT_OK, "pipes clearance")
        dz = abs((gas_depth + gas_d / 2) - (pet_depth + pet_d / 2))
        radii = gas_d / 2 + pet_d / 2
        want = {}
        for (i, j), h in self.h.items():
            clearance = math.hypot(h, dz) - radii
            # No pair may sit on a threshold: the comparison would test rounding, not the method.
            self.assertGreater(abs(clearance), 1e-6)
            self.assertGreater(abs(clearance - min_m), 1e-6)
            if clearance < min_m:
                want[(f"feature {i}", f"feature {j}")] = (math.hypot(h, dz), clearance <= 0)
        return res.result, want, gpkg

    def assertFindings(self, result, want, gpkg, kind):
        got = {(f["a"], f["b"]): f for f in result["findings"]}
        self.assertEqual(set(got), set(want))
        for pair, (axis, clash) in want.items():
            f = got[pair]
            self.assertAlmostEqual(f["axis_distance_m"], axis, delta=1e-6, msg=pair)
            self.assertEqual(f["kind"], "clash" if clash else "clearance", pair)
            self.assertEqual(sorted(f["assumed"]), ["a depth", "a diameter", "b depth", "b diameter"])
            self.assertEqual((f["utility_a"], f["utility_b"]), ("gas", "petroleum"))
        self.assertEqual(result["findings_on_assumed_values"], len(want))
        self.assertEqual(result["a"]["links"], len(self.gas))
        self.assertEqual(result["b"]["links"], len(self.petroleum))
        self.assertEqual(result["a"]["assumed"], {"depth": len(self.gas), "diameter": len(self.gas)})
        crossings = {(f"feature {i}", f"feature {j}") for i, j in self.crossing}
        self.assertTrue(crossings <= set(got), "every crossing is a finding")
        self.assertEqual(len(self.crossing), 63)
        self.assertTrue(all(f["kind"] == kind for f in result["findings"]), kind)
        stored = gpd.read_file(gpkg, layer="pipe_clearance")
        self.assertEqual(len(stored), len(want))
        self.assertEqual(stored.crs.to_epsg(), 3826)
        self.assertTrue(all(stored.geometry.has_z))
        by_pair = {(r.a, r.b): r for r in stored.itertuples()}
        for pair, f in got.items():
            self.assertAlmostEqual(by_pair[pair].clearance_m, f["clearance_m"], delta=1e-9)
            self.assertAlmostEqual(by_pair[pair].geometry.x, f["location"][0], delta=1e-6)
        return got

    def test_clearance_violations_between_depths(self):
        result, want, gpkg = self.run_case("apart", 1.0, 0.2, 1.5, 0.3, 0.5)
        got = self.assertFindings(result, want, gpkg, "clearance")
        self.assertEqual(result["clashes"], 0)
        self.assertEqual(result["clearance_violations"], len(want))
        self.assertGreater(len(want), len(self.crossing), "near-misses as well as crossings")
        for i, j in self.crossing:  # at a crossing the pipes are 0.55 m apart, axis to axis
            self.assertAlmostEqual(got[(f"feature {i}", f"feature {j}")]["axis_distance_m"], 0.55, delta=1e-9)
        print(f"\n  gas × petroleum, 1.0 / 1.5 m deep: {len(want)} clearance violations "
              f"({len(self.crossing)} crossings)", file=sys.stderr)

    def test_clashes_at_one_depth(self):
        result, want, gpkg = self.run_case("level", 1.2, 0.3, 1.2, 0.3, 0.0)
        self.assertFindings(result, want, gpkg, "clash")
        self.assertEqual(result["clashes"], len(want))
        self.assertGreaterEqual(len(want), len(self.crossing))

    def test_threads_do_not_change_the_findings(self):
        rules = self.tmp / "t.toml"
        rules.write_text(rules_text(1.0, 0.2, 1.5, 0.3, 0.5), encoding="utf-8")
        runs = [self.strata("pipes", "clearance", sts.data_path(*GAS), sts.data_path(*PETROLEUM),
                            "--a-utility", "gas", "--b-utility", "petroleum", "--rules", rules,
                            "--threads", str(t)).result["findings"] for t in (1, 2, 3)]
        self.assertEqual(runs[0], runs[1])
        self.assertEqual(runs[0], runs[2])

    def test_missing_rules_reject_every_pipe_clearly(self):
        res = self.strata("pipes", "clearance", sts.data_path(*GAS), sts.data_path(*PETROLEUM),
                          "--a-utility", "gas", "--b-utility", "petroleum")
        self.assertExit(res, sts.EXIT_OK)
        issues = res.result["a"]["issues"]
        self.assertEqual(len(issues), len(self.gas))
        self.assertEqual({i["code"] for i in issues}, {921})
        self.assertIn("[utilities.gas] diameter_m", issues[0]["message"])
        self.assertEqual(res.result["findings"], [])

    def test_within_one_layer(self):
        """Both networks in one layer with a utility field (Chinese names): every pair of lines
        that do not meet at an end point (in 3D), compared once. Reference: Shapely 2D distances of all
        such pairs, combined with the depths of their utilities."""
        both = pd.concat([
            gpd.GeoDataFrame({"pid": [f"g{i}" for i in range(len(self.gas))], "kind": "天然氣"},
                             geometry=self.gas.geometry, crs=self.gas.crs),
            gpd.GeoDataFrame({"pid": [f"p{j}" for j in range(len(self.petroleum))], "kind": "石油"},
                             geometry=self.petroleum.geometry, crs=self.gas.crs)], ignore_index=True)
        path = self.tmp / "both.geojson"
        gpd.GeoDataFrame(both, geometry="geometry", crs=self.gas.crs).to_file(path, driver="GeoJSON")
        rules = self.tmp / "both.toml"
        rules.write_text(rules_text(1.0, 0.2, 1.5, 0.3, 0.5), encoding="utf-8")
        res = self.strata("pipes", "clearance", path, "--a-utility-field", "kind", "--a-id-field", "pid",
                          "--rules", rules)
        self.assertExit(res, sts.EXIT_OK)
        self.assertTrue(res.result["within_one_network"])
        depth = {"天然氣": (1.0, 0.2), "石油": (1.5, 0.3)}
        ends = [{line.coords[0], line.coords[-1]} for line in both.geometry]
        want = {}
        sidx = both.sindex
        for i, line in enumerate(both.geometry):
            for j in sidx.query(line.buffer(2.0)):
                # Lines meet where they share an end point at the same depth (same utility here):
                # a gas and a petroleum line ending at one planar point are 0.55 m apart.
                if j <= i or (ends[i] & ends[j] and both.kind[i] == both.kind[j]):
                    continue
                h = line.distance(both.geometry[j])
                (da, wa), (db, wb) = depth[both.kind[i]], depth[both.kind[j]]
                axis = math.hypot(h, (da + wa / 2) - (db + wb / 2))
                clearance = axis - wa / 2 - wb / 2
                required = 0.5 if both.kind[i] != both.kind[j] else None
                self.assertGreater(abs(clearance), 1e-6)
                if clearance <= 0 or (required and clearance < required):
                    want[(both.pid[i], both.pid[j])] = (axis, clearance <= 0)
        got = {(f["a"], f["b"]): f for f in res.result["findings"]}
        self.assertEqual(set(got), set(want))
        for pair, (axis, clash) in want.items():
            self.assertAlmostEqual(got[pair]["axis_distance_m"], axis, delta=1e-6, msg=pair)
            self.assertEqual(got[pair]["kind"], "clash" if clash else "clearance")
        # Gas lines that cross each other without a shared vertex clash: there are some.
        self.assertTrue(any(a.startswith("g") and b.startswith("g") for a, b in want))

    def test_bad_rules_files(self):
        cases = [
            ("unknown utility", '[utilities.lava]\ndepth_m = 1\n', 1, "unknown utility 'lava'"),
            ("negative depth", '[utilities.gas]\ndepth_m = -1\n', 2, "depth_m must be a non-negative"),
            ("zero diameter", '[utilities.gas]\ndiameter_m = 0\n', 2, "diameter_m must be a positive"),
            ("clearance without min", '[[clearance]]\nbetween = ["gas", "water"]\n', 1, "needs min_m"),
            ("pair twice", '[[clearance]]\nbetween = ["gas", "water"]\nmin_m = 1\n'
                           '[[clearance]]\nbetween = ["water", "gas"]\nmin_m = 2\n', 4, "given twice"),
            ("unknown key", 'depth = 1\n', 1, "unknown key 'depth'"),
        ]
        for name, text, line, needle in cases:
            with self.subTest(case=name):
                rules = self.tmp / f"bad_{name.replace(' ', '_')}.toml"
                rules.write_text(text, encoding="utf-8")
                res = self.strata("pipes", "clearance", sts.data_path(*GAS), sts.data_path(*PETROLEUM),
                                  "--a-utility", "gas", "--b-utility", "petroleum", "--rules", rules)
                err = self.assertError(res, sts.EXIT_PROJECT_FILE, 970, "PROJECT_FILE")
                self.assertTrue(err["message"].startswith(f"{rules}:{line}: "), err["message"])
                self.assertIn(needle, err["message"])


if __name__ == "__main__":
    sts.main()
