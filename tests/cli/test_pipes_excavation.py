#!/usr/bin/python3
"""Excavation impact on Kaohsiung's gas and petroleum pipelines (EPSG:3826), against Shapely.

The real layers (kaohsiung_pipelines) have no depth and no diameter; the rules give gas 1.0 m of
cover (Ø 0.2 m) and petroleum 1.5 m (Ø 0.3 m). The reference, computed here with Shapely and
numpy, follows docs/pipes.md:
  * a pipe is in a dig's zone when its 2D distance to the outline is at most margin + radius
    (Shapely distance, no buffer), and its length there is that of its intersection with the
    outline widened by margin + radius;
  * with constant cover a pipe in the zone is hit when its top's depth lies within
    [top - margin - diameter, floor + margin], else it passes below (gap = depth - floor - margin);
  * for 3D lines (GENERATED: real petroleum centrelines given z values that fall 2 cm per metre),
    the cover along the pipe is ground - z - radius, with z linear along the line; the ground is
    a flat elevation or a GeoTIFF plane (GENERATED), which bilinear sampling reproduces exactly.
Dig A is a 4 m square over the first crossing of a gas and a petroleum line; dig B a triangle on
a gas line far from the petroleum network.
"""
import json
import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
from osgeo import gdal, osr
from shapely.geometry import LineString, Point, Polygon, box
from shapely.ops import substring

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

GAS = ("kaohsiung_pipelines", "kh_ng_pipelines_twd97.geojson")
PETROLEUM = ("kaohsiung_pipelines", "kh_petroleum_pipelines_twd97.geojson")
RULES = """# rules for tests/cli/test_pipes_excavation.py (assumed values: the data has none)
[utilities.gas]
depth_m = 1.0
diameter_m = 0.2

[utilities.petroleum]
depth_m = 1.5
diameter_m = 0.3
"""
DEPTH = {"gas": 1.0, "petroleum": 1.5}
DIAMETER = {"gas": 0.2, "petroleum": 0.3}
SLOPE = 0.02  # generated 3D lines: the axis falls 2 cm per metre along the line


def first_crossing(gas, petroleum):
    for i, g in enumerate(gas.geometry):
        for j, p in enumerate(petroleum.geometry):
            x = g.intersection(p)
            if not x.is_empty and x.geom_type == "Point":
                return i, j, x
    raise AssertionError("no crossing of a gas and a petroleum line")


class ExcavationTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gas = gpd.read_file(sts.data_path(*GAS))
        cls.petroleum = gpd.read_file(sts.data_path(*PETROLEUM))
        cls.rules = cls.tmp / "rules.toml"
        cls.rules.write_text(RULES, encoding="utf-8")
        _, _, cls.crossing = first_crossing(cls.gas, cls.petroleum)
        c = cls.crossing
        dig_a = box(c.x - 2, c.y - 2, c.x + 2, c.y + 2)
        # Dig B: a triangle around the middle of the gas line farthest from any petroleum line.
        far = max(range(len(cls.gas)),
                  key=lambda i: cls.petroleum.distance(cls.gas.geometry[i]).min())
        m = cls.gas.geometry[far].interpolate(0.5, normalized=True)
        dig_b = Polygon([(m.x - 3, m.y - 2), (m.x + 3, m.y - 2.5), (m.x + 0.5, m.y + 3)])
        cls.digs = {"A": dig_a, "B": dig_b}
        cls.dig_file = cls.tmp / "digs.geojson"
        gpd.GeoDataFrame({"name": ["A", "B"]}, geometry=[dig_a, dig_b],
                         crs=cls.gas.crs).to_file(cls.dig_file, driver="GeoJSON")

    def excavation(self, *extra, networks=None):
        networks = networks or [sts.data_path(*GAS), sts.data_path(*PETROLEUM)]
        res = self.strata("pipes", "excavation", *networks, "--utility", "gas", "--utility",
                          "petroleum", "--owner-field", "NAME", "--dig", self.dig_file,
                          "--dig-id-field", "name", "--rules", self.rules, *extra)
        self.assertExit(res, sts.EXIT_OK, "pipes excavation")
        return res.result

    def reference(self, bottom, margin, top=0.0):
        """(dig, utility, feature) -> expected finding, for constant cover from the rules."""
        want = {}
        for dig, poly in self.digs.items():
            for utility, layer in (("gas", self.gas), ("petroleum", self.petroleum)):
                r = DIAMETER[utility] / 2
                for k, line in enumerate(layer.geometry):
                    d = poly.distance(line)
                    # No pipe may sit on the zone's edge: that would test rounding.
                    self.assertGreater(abs(d - (margin + r)), 5e-3)
                    if d > margin + r:
                        continue
                    zone = poly.buffer(margin + r, resolution=16)
                    cover = DEPTH[utility]
                    hit = top - margin - DIAMETER[utility] <= cover <= bottom + margin
                    want[(dig, utility, f"feature {k}")] = {
                        "status": "hit" if hit else "below",
                        "cover": cover,
                        "length": line.intersection(zone).length,
                        "gap": None if hit else cover - bottom - margin,
                        "owner": layer["NAME"][k],
                    }
        return want

    def check_against(self, result, want):
        got = {}
        for f in result["findings"]:
            utility = "gas" if f["network"].endswith(GAS[1]) else "petroleum"
            got[(f["dig"], utility, f["pipe"])] = f
        self.assertEqual(set(got), set(want), "pipes in the digs' zones")
        for key, w in want.items():
            f = got[key]
            self.assertEqual(f["status"], w["status"], key)
            self.assertEqual(f["utility"], key[1])
            self.assertEqual(f["owner"], w["owner"], key)
            self.assertAlmostEqual(f["cover_min_m"], w["cover"], delta=1e-9, msg=key)
            self.assertAlmostEqual(f["cover_max_m"], w["cover"], delta=1e-9, msg=key)
            self.assertAlmostEqual(f["length_in_zone_m"], w["length"], delta=1e-6, msg=key)
            self.assertEqual(sorted(f["assumed"]), ["depth", "diameter"], key)
            if w["status"] == "hit":
                self.assertAlmostEqual(f["hit_length_m"], w["length"], delta=1e-6, msg=key)
                self.assertIsNone(f["gap_m"])
            else:
                self.assertEqual(f["hit_length_m"], 0)
                self.assertAlmostEqual(f["gap_m"], w["gap"], delta=1e-9, msg=key)
            # The finding's point lies on the pipe's axis, inside the zone.
            layer = self.gas if key[1] == "gas" else self.petroleum
            line = layer.geometry[int(key[2].split()[1])]
            loc = f["location"]
            self.assertLess(line.distance(Point(loc[0], loc[1])), 1e-6, key)
            self.assertAlmostEqual(loc[2], -(w["cover"] + DIAMETER[key[1]] / 2), delta=1e-9)

    def test_dig_over_a_crossing_hits_both_networks(self):
        result = self.excavation("--depth", "2", "--buffer", "0.3")
        want = self.reference(bottom=2.0, margin=0.3)
        # The crossing's gas and petroleum lines are both there, and hit.
        in_a = {(u, s["status"]) for (d, u, _), s in want.items() if d == "A"}
        self.assertEqual(in_a, {("gas", "hit"), ("petroleum", "hit")})
        self.check_against(result, want)
        self.assertEqual(result["hits"], sum(w["status"] == "hit" for w in want.values()))
        self.assertEqual(result["hits_on_assumed_values"], result["hits"])
        by_dig = {d["dig"]: d["hits_by_utility"] for d in result["digs"]}
        self.assertEqual(by_dig["A"]["gas"], sum(1 for (d, u, _) in want if d == "A" and u == "gas"))
        self.assertEqual(by_dig["B"].get("petroleum", 0), 0)
        self.assertGreater(by_dig["B"]["gas"], 0)

    def test_threads_do_not_change_the_findings(self):
        runs = [self.excavation("--depth", "2", "--buffer", "0.3", "--threads", str(t))["findings"]
                for t in (1, 2, 3)]
        self.assertEqual(runs[0], runs[1])
        self.assertEqual(runs[0], runs[2])

    def test_shallow_dig_passes_over_the_petroleum_line(self):
        gpkg = self.tmp / "shallow.gpkg"
        result = self.excavation("--depth", "1.2", "--buffer", "0.2", "--gpkg", gpkg)
        want = self.reference(bottom=1.2, margin=0.2)
        statuses = {(d, u): s["status"] for (d, u, _), s in want.items()}
        self.assertEqual(statuses[("A", "gas")], "hit")
        self.assertEqual(statuses[("A", "petroleum")], "below")
        self.check_against(result, want)
        # The GeoPackage holds the same findings as 3D points.
        rows = sts.sqlite_rows(gpkg, "SELECT dig, pipe, status, cover_min_m, gap_m FROM pipe_excavation")
        self.assertEqual(sorted((r[0], r[1], r[2]) for r in rows),
                         sorted((f["dig"], f["pipe"], f["status"]) for f in result["findings"]))
        info = gdal.OpenEx(str(gpkg))
        layer = info.GetLayerByName("pipe_excavation")
        self.assertTrue(layer.GetGeomType() & 0x80000000 or layer.GetGeomType() > 1000, "3D points")
        self.assertEqual(tuple(sts.gpkg_srs_id(gpkg, "pipe_excavation")), ("EPSG", 3826))

    def test_dig_below_the_surface(self):
        # A bore from 2 to 3 m: both networks pass above it (petroleum: 1.5 to 1.8 m, 0.1 m above).
        result = self.excavation("--depth", "2:3", "--buffer", "0.1")
        statuses = {f["status"] for f in result["findings"]}
        self.assertEqual(statuses, {"above"})
        for f in result["findings"]:
            cover = DEPTH[f["utility"]]
            # gap: from the pipe's bottom up... down to the bore's top less the margin.
            self.assertAlmostEqual(f["gap_m"], (2.0 - 0.1) - (cover + DIAMETER[f["utility"]]), delta=1e-9)

    def sloped_petroleum(self, name, z0):
        """GENERATED: the petroleum lines within 30 m of the crossing, as LineString Z whose
        axis elevation is z0 - SLOPE * (distance along the line from the point nearest the
        crossing)."""
        rows, geoms = [], []
        for k, line in enumerate(self.petroleum.geometry):
            if line.distance(self.crossing) > 30:
                continue
            coords = list(line.coords)
            run, z = -line.project(self.crossing), []
            for i, (x, y) in enumerate(coords):
                if i:
                    run += math.dist(coords[i - 1], (x, y))
                z.append(z0 - SLOPE * run)
            geoms.append(LineString([(x, y, zz) for (x, y), zz in zip(coords, z)]))
            rows.append({"pid": f"p{k}", "NAME": self.petroleum["NAME"][k]})
        path = self.tmp / f"{name}.gpkg"
        gpd.GeoDataFrame(rows, geometry=geoms, crs=self.petroleum.crs).to_file(path, driver="GPKG")
        return path, dict(zip((r["pid"] for r in rows), geoms))

    def sloped_reference(self, lines, ground, dig="A", margin=0.3):
        """pid -> (cover min, cover max) over the stretch within dig A's zone, for a dig deep
        enough to hit everything there."""
        r = DIAMETER["petroleum"] / 2
        zone = self.digs[dig].buffer(margin + r, resolution=16)
        want = {}
        for pid, line in lines.items():
            flat = LineString([(x, y) for x, y, _ in line.coords])
            inside = flat.intersection(zone)
            if inside.is_empty:
                continue
            parts = getattr(inside, "geoms", [inside])
            covers = []
            for part in parts:
                # Cover is linear along each piece: its extremes are at the piece's vertices.
                for x, y in part.coords:
                    s = flat.project(Point(x, y))
                    z = line.coords[0][2] - SLOPE * s  # z at vertex 0 carries the offset
                    covers.append(ground(x, y) - z - r)
            want[pid] = (min(covers), max(covers))
        return want

    def run_sloped(self, path, *extra):
        res = self.strata("pipes", "excavation", path, "--utility", "petroleum", "--id-field", "pid",
                          "--owner-field", "NAME", "--heights", "z", "--dig", self.dig_file,
                          "--dig-id-field", "name", "--depth", "8", "--buffer", "0.3",
                          "--rules", self.rules, *extra)
        self.assertExit(res, sts.EXIT_OK, "pipes excavation (3D lines)")
        return {f["pipe"]: f for f in res.result["findings"] if f["dig"] == "A"}

    def test_3d_lines_with_a_flat_ground(self):
        path, lines = self.sloped_petroleum("sloped_flat", z0=-1.0)
        got = self.run_sloped(path, "--ground-z", "0.5")
        want = self.sloped_reference(lines, lambda x, y: 0.5)
        self.assertTrue(want)
        self.assertEqual(set(got), set(want))
        for pid, (lo, hi) in want.items():
            self.assertEqual(got[pid]["status"], "hit")
            self.assertAlmostEqual(got[pid]["cover_min_m"], lo, delta=1e-6, msg=pid)
            self.assertAlmostEqual(got[pid]["cover_max_m"], hi, delta=1e-6, msg=pid)
            # Only the diameter was assumed: the heights are the lines' own.
            self.assertEqual(got[pid]["assumed"], ["diameter"])
        # Without a ground the depth of 3D lines is unknown: listed, not guessed.
        res = self.strata("pipes", "excavation", path, "--utility", "petroleum", "--id-field", "pid",
                          "--heights", "z", "--dig", self.dig_file, "--dig-id-field", "name",
                          "--depth", "8", "--rules", self.rules)
        self.assertExit(res, sts.EXIT_OK)
        self.assertEqual(res.result["findings"], [])
        self.assertEqual(sorted(w.split(": ")[1] for w in res.result["without_ground"] if w.startswith("A:")),
                         sorted(want))

    def write_plane_dem(self, name, a, b, c):
        """GENERATED GeoTIFF under every line near dig A (not dig B): ground = a + b (x - x0) +
        c (y - y0), 5 m cells (bilinear sampling of a plane is exact)."""
        near = [g for layer in (self.gas, self.petroleum) for g in layer.geometry
                if g.distance(self.digs["A"]) < 50]
        x0, y0, x1, y1 = gpd.GeoSeries(near).total_bounds
        x0, y0 = x0 - 50, y0 - 50
        cell = 5.0
        nx, ny = int((x1 + 50 - x0) / cell) + 1, int((y1 + 50 - y0) / cell) + 1
        self.assertGreater(self.digs["B"].distance(box(x0, y0, x0 + nx * cell, y0 + ny * cell)), 50)
        path = self.tmp / f"{name}.tif"
        ds = gdal.GetDriverByName("GTiff").Create(str(path), nx, ny, 1, gdal.GDT_Float64)
        ds.SetGeoTransform((x0, cell, 0, y0 + ny * cell, 0, -cell))
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(3826)
        ds.SetProjection(srs.ExportToWkt())
        cols, rows = np.meshgrid(np.arange(nx) + 0.5, np.arange(ny) + 0.5)
        xs, ys = x0 + cols * cell, y0 + ny * cell - rows * cell
        ds.GetRasterBand(1).WriteArray(a + b * (xs - x0) + c * (ys - y0))
        ds = None
        return path, (lambda x, y: a + b * (x - x0) + c * (y - y0))

    def test_cover_depths_below_a_terrain(self):
        dem, ground = self.write_plane_dem("plane", 5.0, 0.01, 0.02)
        # Cover depths are placed below the terrain: the same hits and covers as on flat ground.
        result = self.excavation("--depth", "2", "--buffer", "0.3", "--dem", dem)
        tol = 2e-5  # strata holds terrain heights as 32-bit floats: ~8e-6 m at 100 m
        want = {k: v for k, v in self.reference(bottom=2.0, margin=0.3).items() if k[0] == "A"}
        got = {f["pipe"] + "@" + f["utility"]: f for f in result["findings"] if f["dig"] == "A"}
        self.assertEqual(len(got), len(want))
        for (_, utility, pipe), w in want.items():
            f = got[pipe + "@" + utility]
            self.assertEqual(f["status"], "hit")
            self.assertAlmostEqual(f["cover_min_m"], w["cover"], delta=tol)
            self.assertAlmostEqual(f["cover_max_m"], w["cover"], delta=tol)
            loc = f["location"]
            self.assertAlmostEqual(f["ground_z"], ground(loc[0], loc[1]), delta=tol)
            self.assertAlmostEqual(loc[2], ground(loc[0], loc[1]) - w["cover"] - DIAMETER[utility] / 2,
                                   delta=tol)
        # Dig B lies off the terrain: its pipes cannot be placed, and are reported as such.
        rejected = [i for n in result["networks"] for i in n["issues"] if i["code"] == 921]
        self.assertTrue(rejected)
        self.assertTrue(all("no terrain height" in i["message"] for i in rejected))

    def test_3d_lines_against_a_terrain(self):
        dem, ground = self.write_plane_dem("plane3d", 4.0, -0.01, 0.015)
        path, lines = self.sloped_petroleum("sloped_dem", z0=1.5)
        got = self.run_sloped(path, "--dem", dem)
        tol = 2e-5  # terrain heights are 32-bit floats
        want = self.sloped_reference(lines, ground)
        self.assertEqual(set(got), set(want))
        for pid, (lo, hi) in want.items():
            self.assertAlmostEqual(got[pid]["cover_min_m"], lo, delta=tol, msg=pid)
            self.assertAlmostEqual(got[pid]["cover_max_m"], hi, delta=tol, msg=pid)

    def test_bad_digs_and_pipes_are_reported(self):
        c = self.crossing
        bad = self.tmp / "bad_digs.geojson"
        gpd.GeoDataFrame({"name": ["ok", "line", "upside"], "floor": [2.0, 1.0, -1.0]},
                         geometry=[box(c.x - 1, c.y - 1, c.x + 1, c.y + 1),
                                   LineString([(c.x, c.y), (c.x + 5, c.y)]),
                                   box(c.x - 9, c.y - 9, c.x - 7, c.y - 7)],
                         crs=self.gas.crs).to_file(bad, driver="GeoJSON")
        # Pipes with a negative cover depth: 937, the others read.
        pipes = self.tmp / "negative_depth.geojson"
        g = self.gas.copy()
        g["cover"] = 1.0
        g.loc[0, "cover"] = -0.4
        g.to_file(pipes, driver="GeoJSON")
        res = self.strata("pipes", "excavation", pipes, "--utility", "gas", "--depth-field", "cover",
                          "--dig", bad, "--dig-id-field", "name", "--dig-bottom-field", "floor",
                          "--rules", self.rules)
        self.assertExit(res, sts.EXIT_OK)
        codes = {i["feature_id"]: i["code"] for i in res.result["dig_issues"]}
        self.assertEqual(codes, {"line": 931, "upside": 922})
        self.assertEqual([d["dig"] for d in res.result["digs"]], ["ok"])
        issues = res.result["networks"][0]["issues"]
        self.assertEqual([(i["code"], i["feature_id"]) for i in issues], [(937, "feature 0")])
        self.assertEqual(res.result["networks"][0]["links"], len(self.gas) - 1)
        # Unusable options: a clear error, no output.
        for args, what in ((["--depth", "2:1"], "floor above top"), (["--depth", "deep"], "not a number"),
                           (["--depth", "2", "--buffer", "-1"], "negative margin")):
            res = self.strata("pipes", "excavation", sts.data_path(*GAS), "--utility", "gas",
                              "--dig", self.dig_file, "--rules", self.rules, *args)
            self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")
        # Cover depths without a ground cannot meet elevations (a .inp file): refused.
        res = self.strata("pipes", "excavation", sts.data_path(*GAS),
                          sts.data_path("water_sewer_networks_epanet_swmm", "Net1.inp"),
                          "--utility", "gas", "--utility", "water", "--crs", "EPSG:3826",
                          "--dig", self.dig_file, "--depth", "2", "--rules", self.rules)
        self.assertEqual(res.returncode, sts.EXIT_INPUT_DATA, res.describe())
        self.assertIn("vertical reference", json.dumps(res.doc, ensure_ascii=False))


if __name__ == "__main__":
    sts.main()
