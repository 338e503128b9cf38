#!/usr/bin/python3
"""Cover depth: where pipes lie shallower than the rule for their utility, or above the ground.

1. The real ky4 water network (ky4.inp, EPSG:3547, US survey feet; heights are the junction
   elevations) below a GENERATED terrain: a GeoTIFF plane fitted through the real junction
   elevations and raised 1.0 m. The reference takes the network from its own GIS export
   (ky4_gis: pipe lines, diameters in m, junction/tank/reservoir elevations in m), puts each
   pipe's axis linearly, by planar distance, between its end nodes' elevations, and follows the
   cover (ground - axis - radius), linear along each segment of a line under a plane, to the
   exact ends of every stretch below 0.8 m and below 0.
2. Kaohsiung's real gas lines with a GENERATED cover-depth field (0.5 m to 1.6 m by feature,
   one negative): the shallow length is the length of the lines shallower than 0.9 m.
"""
import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
from osgeo import gdal, osr

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

NETWORKS = "water_sewer_networks_epanet_swmm"
US_FT = 1200 / 3937
RULE = 0.8
GAS = ("kaohsiung_pipelines", "kh_ng_pipelines_twd97.geojson")


def stretches(xs, ys, cover, limit):
    """[(from, to, min cover)] along a polyline (positions in m) where the linear cover < limit."""
    out, open_, run = [], None, 0.0
    s = [0.0]
    for i in range(1, len(xs)):
        run += math.hypot(xs[i] - xs[i - 1], ys[i] - ys[i - 1]) * US_FT
        s.append(run)
    if cover[0] < limit:
        open_ = [0.0, 0.0, cover[0]]
    for i in range(1, len(xs)):
        a, b = cover[i - 1], cover[i]
        if (a < limit) != (b < limit):
            t = (limit - a) / (b - a)
            at = s[i - 1] + t * (s[i] - s[i - 1])
            if b < limit:
                open_ = [at, at, limit]
            else:
                open_[1] = at
                out.append(tuple(open_))
                open_ = None
        if b < limit:
            open_[1] = s[i]
            open_[2] = min(open_[2], b)
    if open_:
        out.append(tuple(open_))
    return out


class Ky4CoverTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        gis = lambda name: gpd.read_file(sts.data_path(NETWORKS, "ky4_gis", name)).set_index("name")
        cls.pipes = gis("ky4_pipes.geojson")
        elevation = dict(gis("ky4_junctions.geojson")["elevation"])
        tanks = gis("ky4_tanks.geojson")
        elevation.update(dict(tanks["elevation"]))
        reservoirs = gis("ky4_reservoirs.geojson")
        elevation.update(dict(reservoirs["base_head"]))
        cls.elevation = elevation
        # The plane through the junctions (least squares), raised 1 m.
        j = gis("ky4_junctions.geojson")
        x, y, z = j.geometry.x.values, j.geometry.y.values, j["elevation"].values
        cls.x0, cls.y0 = float(x.min()), float(y.min())
        A = np.column_stack([np.ones_like(x), x - cls.x0, y - cls.y0])
        a, b, c = np.linalg.lstsq(A, z, rcond=None)[0]
        cls.plane = (float(a) + 1.0, float(b), float(c))
        cls.dem = cls.write_dem(j.total_bounds)
        cls.rules = cls.tmp / "rules.toml"
        cls.rules.write_text(f"[utilities.water]\nmin_cover_m = {RULE}\n", encoding="utf-8")
        res = cls.strata("pipes", "cover", sts.data_path(NETWORKS, "ky4.inp"), "--crs", "EPSG:3547",
                         "--dem", cls.dem, "--rules", cls.rules, "--gpkg", cls.tmp / "cover.gpkg")
        if res.returncode != 0:
            raise AssertionError(res.describe())
        cls.result = res.result

    @classmethod
    def ground(cls, x, y):
        a, b, c = cls.plane
        return a + b * (x - cls.x0) + c * (y - cls.y0)

    @classmethod
    def write_dem(cls, bounds):
        x0, y0, x1, y1 = bounds
        x0, y0, x1, y1 = x0 - 2000, y0 - 2000, x1 + 2000, y1 + 2000  # feet
        cell = 50.0
        nx, ny = int((x1 - x0) / cell) + 1, int((y1 - y0) / cell) + 1
        path = cls.tmp / "ky4_plane.tif"
        ds = gdal.GetDriverByName("GTiff").Create(str(path), nx, ny, 1, gdal.GDT_Float64)
        ds.SetGeoTransform((x0, cell, 0, y0 + ny * cell, 0, -cell))
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(3547)
        ds.SetProjection(srs.ExportToWkt())
        cols, rows = np.meshgrid(np.arange(nx) + 0.5, np.arange(ny) + 0.5)
        ds.GetRasterBand(1).WriteArray(cls.ground(x0 + cols * cell, y0 + ny * cell - rows * cell))
        ds = None
        return path

    def reference(self):
        want = {}
        for pid, row in self.pipes.iterrows():
            xs, ys = [p[0] for p in row.geometry.coords], [p[1] for p in row.geometry.coords]
            za, zb = self.elevation[row["start_node_name"]], self.elevation[row["end_node_name"]]
            run = [0.0]
            for i in range(1, len(xs)):
                run.append(run[-1] + math.hypot(xs[i] - xs[i - 1], ys[i] - ys[i - 1]))
            r = row["diameter"] / 2
            cover = [self.ground(x, y) - (za + (zb - za) * (s / run[-1] if run[-1] else 0)) - r
                     for x, y, s in zip(xs, ys, run)]
            for kind, limit in (("shallow", RULE), ("above ground", 0.0)):
                found = stretches(xs, ys, cover, limit)
                if found:
                    want[(pid, kind)] = (found, min(cover))
        return want

    def test_stretches_match_the_reference(self):
        got = {}
        for f in self.result["findings"]:
            got.setdefault((f["pipe"], f["kind"]), []).append((f["from_m"], f["to_m"], f["min_cover_m"]))
        want = self.reference()
        self.assertGreater(len([k for k in want if k[1] == "shallow"]), 20)
        self.assertGreater(len([k for k in want if k[1] == "above ground"]), 5)
        # The terrain is held as 32-bit floats (~1e-5 m at these heights): a pipe whose least
        # cover sits within 1 mm of a limit may gain or lose a stretch; none may be missing else.
        for key in set(want) | set(got):
            limit = RULE if key[1] == "shallow" else 0.0
            close = key in want and abs(want[key][1] - limit) < 1e-3
            if close:
                continue
            self.assertIn(key, want, f"strata found {key} {got.get(key)}")
            self.assertIn(key, got, f"strata missed {key} {want[key]}")
            w, g = want[key][0], got[key]
            self.assertEqual(len(g), len(w), key)
            for (wf, wt, wm), (gf, gt, gm) in zip(w, g):
                self.assertAlmostEqual(gf, wf, delta=0.05, msg=key)
                self.assertAlmostEqual(gt, wt, delta=0.05, msg=key)
                self.assertAlmostEqual(gm, wm, delta=1e-4, msg=key)
        total = sum(t - f for (_, kind), (st, _) in want.items() if kind == "shallow" for f, t, _ in st)
        self.assertAlmostEqual(self.result["length_shallow_m"], total, delta=0.5)
        self.assertEqual(self.result["pipes_checked"], len(self.pipes) + 2)  # 1,156 pipes, 2 pumps

    def test_gpkg(self):
        rows = sts.sqlite_rows(self.tmp / "cover.gpkg", "SELECT pipe, kind, from_m FROM pipe_cover")
        self.assertEqual(sorted(rows), sorted((f["pipe"], f["kind"], f["from_m"]) for f in self.result["findings"]))


class GasCoverTest(sts.StrataTestCase):
    def test_shallow_lines_by_their_depth_field(self):
        gas = gpd.read_file(sts.data_path(*GAS))
        gas["pid"] = [f"g{i}" for i in range(len(gas))]
        gas["cover"] = [0.5 + (i % 12) * 0.1 for i in range(len(gas))]  # GENERATED
        gas.loc[5, "cover"] = -0.2
        path = self.tmp / "gas_with_cover.geojson"
        gas.to_file(path, driver="GeoJSON")
        rules = self.tmp / "rules.toml"
        rules.write_text("[utilities.gas]\nmin_cover_m = 0.9\ndiameter_m = 0.2\n", encoding="utf-8")
        res = self.strata("pipes", "cover", path, "--utility", "gas", "--id-field", "pid",
                          "--depth-field", "cover", "--rules", rules)
        self.assertExit(res, sts.EXIT_OK)
        r = res.result
        kept = gas.drop(index=5)
        shallow = kept[kept["cover"] < 0.9 - 1e-9]
        self.assertAlmostEqual(r["length_shallow_m"], shallow.length.sum(), delta=1e-6)
        self.assertEqual(sorted(f["pipe"] for f in r["findings"]), sorted(shallow["pid"]))
        for f in r["findings"]:
            self.assertEqual(f["kind"], "shallow")
            self.assertAlmostEqual(f["min_cover_m"], float(gas.loc[int(f["pipe"][1:]), "cover"]), delta=1e-9)
        self.assertEqual(r["length_above_ground_m"], 0)
        issues = r["networks"][0]["issues"]
        self.assertEqual([(i["code"], i["feature_id"]) for i in issues], [(937, "g5")])

    def test_without_ground_or_rule(self):
        swmm = sts.data_path(NETWORKS, "swmm", "Site_Drainage_Model.inp")
        res = self.strata("pipes", "cover", swmm)
        self.assertExit(res, sts.EXIT_OK)
        # SWMM junctions with MaxDepth 0 give no rim: no ground, nothing checked, all listed.
        self.assertEqual(res.result["pipes_checked"], 0)
        self.assertEqual(len(res.result["without_ground"]), 11)
        res = self.strata("pipes", "cover", swmm, "--ground-z", "1520")
        self.assertExit(res, sts.EXIT_OK)
        self.assertEqual(res.result["pipes_checked"], 11)
        self.assertEqual(res.result["utilities_without_rule"], ["storm"])
        res = self.strata("pipes", "cover", swmm, "--ground-z", "1520", "--step", "0")
        self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")


if __name__ == "__main__":
    sts.main()
