#!/usr/bin/python3
"""Detection overlay: a survey sampled along Kaohsiung's real gas lines (EPSG:3826) against the
records, with known offsets, one record missing from the records and one pipe not detected.

The survey is GENERATED from the real centrelines of kh_ng_pipelines_twd97 (609 lines; the
rules give 1.0 m of cover and Ø 0.2 m, so the axis lies at z = -1.1 below a ground at 0) inside
a 1.2 km window:
  * a pick every 0.5 m along every line in the window, with Gaussian noise of sigma 0.05 m
    sideways, 0.05 m along and 0.05 m in height (seeded);
  * four lines are OFFSET: their picks shifted sideways (left of the line's direction +) and
    vertically by known amounts;
  * one line (REMOVED) keeps its picks but is left out of the records: an undocumented pipe;
  * one line (UNSURVEYED) gets no picks: a record not detected;
  * 300 clutter picks uniform over the window (0 to 3 m deep).
Stated tolerance: the median of n picks with noise sigma has a standard error of about
1.25 sigma / sqrt(n); every judged line has n >= 60 picks away from its ends, so 3 standard
errors are under 0.025 m: offsets must be recovered within 0.03 m, and the lines that were not
moved must show less than 0.03 m. The undocumented pipe's fitted centreline must lie within
0.15 m of the removed line (3 sigma of the mean of a 1 m bin, plus its chord error) and cover
at least 80 % of it. The same survey as PLY, LAS 1.2 (written here, byte by byte, from the
specification), CSV and XYZ must give the same verdicts.
"""
import json
import math
import struct
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.geometry import LineString, Point, box

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

GAS = ("kaohsiung_pipelines", "kh_ng_pipelines_twd97.geojson")
RULES = """# rules for tests/cli/test_pipes_detection.py (assumed: the data has no depth or diameter)
[utilities.gas]
depth_m = 1.0
diameter_m = 0.2
"""
AXIS_Z = -1.1
RADIUS = 0.1
SIGMA = 0.05
STEP = 0.5
SHIFTS = [(0.6, 0.3), (-0.45, -0.25), (0.35, 0.0), (-0.8, 0.5)]  # (sideways, vertical), m


def choose_window(gas):
    """The 1.2 km square (on a 200 m grid) holding the most gas line length."""
    x0, y0, x1, y1 = gas.total_bounds
    best = None
    for x in np.arange(x0, x1, 200.0):
        for y in np.arange(y0, y1, 200.0):
            w = box(x, y, x + 1200, y + 1200)
            length = gas.geometry.intersection(w).length.sum()
            if best is None or length > best[0]:
                best = (length, w)
    return best[1]


def sample(line, rng, side=0.0, up=0.0):
    """Picks every STEP m along a line, shifted `side` m to its left and `up` m, with noise."""
    pts = []
    n = int(line.length / STEP)
    for k in range(n + 1):
        s = min(k * STEP, line.length)
        p = line.interpolate(s)
        q = line.interpolate(min(s + 0.01, line.length)) if s + 0.01 <= line.length else p
        r = line.interpolate(max(s - 0.01, 0.0))
        dx, dy = (q.x - r.x), (q.y - r.y)
        norm = math.hypot(dx, dy) or 1.0
        tx, ty = dx / norm, dy / norm
        nx, ny = -ty, tx  # left of the direction
        e_side, e_along, e_up = rng.normal(0.0, SIGMA, 3)
        pts.append((p.x + (side + e_side) * nx + e_along * tx,
                    p.y + (side + e_side) * ny + e_along * ty,
                    AXIS_Z + up + e_up))
    return pts


def write_ply(path, pts):
    with open(path, "wb") as f:
        f.write(f"ply\nformat binary_little_endian 1.0\nelement vertex {len(pts)}\n"
                "property double x\nproperty double y\nproperty double z\nend_header\n".encode())
        for p in pts:
            f.write(struct.pack("<3d", *p))


def write_las(path, pts, scale=0.001):
    """LAS 1.2, point format 0 (20-byte records), as the ASPRS specification lays it out."""
    a = np.array(pts)
    offset = np.floor(a.min(axis=0))
    header = bytearray(227)
    header[0:4] = b"LASF"
    header[24], header[25] = 1, 2
    header[26:58] = b"strata test".ljust(32, b"\0")
    header[58:90] = b"test_pipes_detection.py".ljust(32, b"\0")
    struct.pack_into("<HII", header, 94, 227, 227, 0)  # header size, offset to points, VLRs
    struct.pack_into("<BHI", header, 104, 0, 20, len(pts))
    struct.pack_into("<5I", header, 111, len(pts), 0, 0, 0, 0)
    struct.pack_into("<3d", header, 131, scale, scale, scale)
    struct.pack_into("<3d", header, 155, *offset)
    mx, mn = a.max(axis=0), a.min(axis=0)
    struct.pack_into("<6d", header, 179, mx[0], mn[0], mx[1], mn[1], mx[2], mn[2])
    with open(path, "wb") as f:
        f.write(header)
        for p in a:
            xyz = np.round((p - offset) / scale).astype(np.int64)
            f.write(struct.pack("<3iHBBbBH", int(xyz[0]), int(xyz[1]), int(xyz[2]), 0, 0, 0, 0, 0, 0))


class DetectionTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        gas = gpd.read_file(sts.data_path(*GAS))
        gas["pid"] = [f"g{i}" for i in range(len(gas))]
        cls.window = choose_window(gas)
        inside = gas[gas.intersects(cls.window)]
        cls.parts = {r.pid: r.geometry.intersection(cls.window) for r in inside.itertuples()}
        # Judged lines: whole lines in the window, long enough to have >= 60 picks in the middle.
        whole = [r.pid for r in inside.itertuples()
                 if r.geometry.within(cls.window) and 60 <= r.geometry.length <= 400]
        assert len(whole) >= 6, "not enough whole lines in the window"
        cls.offset = {pid: SHIFTS[k] for k, pid in enumerate(whole[:4])}
        cls.removed, cls.unsurveyed = whole[4], whole[5]
        rng = np.random.default_rng(20261202)
        picks = []
        for pid, part in cls.parts.items():
            if pid == cls.unsurveyed:
                continue
            lines = getattr(part, "geoms", [part])
            side, up = cls.offset.get(pid, (0.0, 0.0))
            for line in lines:
                if line.geom_type == "LineString" and line.length > 0:
                    picks += sample(line, rng, side, up)
        x0, y0, x1, y1 = cls.window.bounds
        clutter = np.column_stack([rng.uniform(x0, x1, 300), rng.uniform(y0, y1, 300),
                                   rng.uniform(-3.0, 0.0, 300)])
        picks += [tuple(p) for p in clutter]
        cls.picks = picks
        cls.gas = gas
        cls.records = cls.tmp / "records.geojson"
        gas[gas.pid != cls.removed].to_file(cls.records, driver="GeoJSON")
        cls.rules = cls.tmp / "rules.toml"
        cls.rules.write_text(RULES, encoding="utf-8")
        cls.area = cls.tmp / "window.geojson"
        gpd.GeoDataFrame({"name": ["survey"]}, geometry=[cls.window], crs=gas.crs).to_file(cls.area)
        cls.ply = cls.tmp / "survey.ply"
        write_ply(cls.ply, picks)
        cls.result = cls.detect(cls.ply)

    @classmethod
    def detect(cls, survey, *extra):
        res = cls.strata("pipes", "detection", cls.records, "--utility", "gas", "--id-field", "pid",
                         "--owner-field", "NAME", "--rules", cls.rules, "--survey", survey,
                         "--survey-area", cls.area, *extra)
        if res.returncode != 0:
            raise AssertionError(res.describe())
        return res.result

    def by_pipe(self, result):
        return {r["pipe"]: r for r in result["records"]}

    def test_offsets_are_recovered(self):
        got = self.by_pipe(self.result)
        for pid, (side, up) in self.offset.items():
            r = got[pid]
            self.assertGreaterEqual(r["picks_used"], 60, pid)
            self.assertAlmostEqual(r["horizontal_m"], side, delta=0.03, msg=pid)
            self.assertAlmostEqual(r["vertical_m"], up, delta=0.03, msg=pid)
            self.assertEqual(r["status"], "deviates" if max(abs(side), abs(up)) > 0.3 else "matches", pid)
            self.assertAlmostEqual(r["horizontal_rms_m"], SIGMA, delta=0.02, msg=pid)
        self.assertEqual(self.result["records_deviating"],
                         sum(max(abs(s), abs(u)) > 0.3 for s, u in self.offset.values()))

    def test_unmoved_records_match(self):
        got = self.by_pipe(self.result)
        judged = 0
        for pid, part in self.parts.items():
            if pid in self.offset or pid in (self.removed, self.unsurveyed):
                continue
            r = got.get(pid)
            self.assertIsNotNone(r, f"{pid} crosses the surveyed window but is not reported")
            self.assertTrue(r["status"] in ("matches",), f"{pid}: {r}")
            if r["picks_used"] >= 60:
                judged += 1
                self.assertLess(abs(r["horizontal_m"]), 0.03, pid)
                self.assertLess(abs(r["vertical_m"]), 0.03, pid)
            self.assertGreater(r["coverage"], 0.9, pid)
        self.assertGreater(judged, 10)
        # Records wholly outside the window are not judged.
        outside = set(self.gas.pid[~self.gas.intersects(self.window)])
        self.assertFalse(outside & set(got))

    def test_unsurveyed_record_is_not_detected(self):
        got = self.by_pipe(self.result)
        r = got[self.unsurveyed]
        self.assertEqual(r["status"], "not detected")
        self.assertLess(r["coverage"], 0.1)
        self.assertAlmostEqual(r["surveyed_m"], self.parts[self.unsurveyed].length, delta=1.0)
        not_detected = [p for p, r in got.items() if r["status"] == "not detected"]
        self.assertEqual(not_detected, [self.unsurveyed])
        self.assertEqual(self.result["records_not_detected"], 1)

    def test_removed_record_is_undocumented(self):
        und = self.result["undocumented"]
        self.assertEqual(len(und), 1, json.dumps(und)[:2000])
        u = und[0]
        truth = self.gas.geometry[self.gas.pid == self.removed].iloc[0]
        fitted = LineString([(x, y) for x, y, _ in u["centreline"]])
        worst = max(truth.distance(Point(x, y)) for x, y, _ in u["centreline"])
        self.assertLess(worst, 0.15)
        self.assertGreater(fitted.length, 0.8 * truth.length)
        self.assertLess(fitted.length, truth.length + 1.0)
        self.assertAlmostEqual(u["length_m"], fitted.length, delta=1e-6)
        zs = [z for _, _, z in u["centreline"]]
        self.assertAlmostEqual(float(np.mean(zs)), AXIS_Z, delta=0.03)
        self.assertLess(u["rms_m"], 0.1)
        # Clutter stays isolated: the picks add up.
        r = self.result
        self.assertEqual(r["picks_matched"] + r["picks_clustered"] + r["picks_noise"], len(self.picks))
        self.assertEqual(r["survey"]["picks"], len(self.picks))

    def test_formats_agree(self):
        las, csv, xyz = self.tmp / "survey.las", self.tmp / "survey.csv", self.tmp / "survey.xyz"
        write_las(las, self.picks)
        with open(csv, "w") as f:
            f.write("easting,northing,elevation,operator\n")
            for p in self.picks:
                f.write(f"{p[0]!r},{p[1]!r},{p[2]!r},GPR crew 2\n")
        with open(xyz, "w") as f:
            for p in self.picks:
                f.write(f"{p[0]!r} {p[1]!r} {p[2]!r}\n")
        want = self.by_pipe(self.result)
        for path, fmt, tol in ((las, "LAS 1.2", 2e-3), (csv, "CSV", 1e-9), (xyz, "XYZ (Open3D)", 1e-9)):
            got = self.detect(path)
            self.assertEqual(got["survey"]["format"], fmt)
            self.assertEqual(got["survey"]["picks"], len(self.picks))
            g = self.by_pipe(got)
            self.assertEqual(set(g), set(want), fmt)
            for pid, w in want.items():
                self.assertEqual(g[pid]["status"], w["status"], f"{fmt} {pid}")
                if w["horizontal_m"] is not None:
                    self.assertAlmostEqual(g[pid]["horizontal_m"], w["horizontal_m"], delta=tol)
            self.assertEqual(len(got["undocumented"]), 1, fmt)

    def test_depths_of_pipe_tops(self):
        # The same picks as depths of the pipe's top below the ground (a GPR apex).
        csv = self.tmp / "tops.csv"
        with open(csv, "w") as f:
            f.write("x,y,depth\n")
            for x, y, z in self.picks:
                f.write(f"{x!r},{y!r},{-(z + RADIUS)!r}\n")
        got = self.by_pipe(self.detect(csv, "--survey-z", "depth", "--pick", "top"))
        for pid, (side, up) in self.offset.items():
            self.assertAlmostEqual(got[pid]["horizontal_m"], side, delta=0.03)
            self.assertAlmostEqual(got[pid]["vertical_m"], up, delta=0.03)

    def test_gpkg_layers(self):
        gpkg = self.tmp / "detection.gpkg"
        result = self.detect(self.ply, "--gpkg", gpkg)
        rows = sts.sqlite_rows(gpkg, "SELECT pipe, status, horizontal_m FROM detection_records")
        self.assertEqual(len(rows), len(result["records"]))
        self.assertEqual({r[0]: r[1] for r in rows}, {r["pipe"]: r["status"] for r in result["records"]})
        und = sts.sqlite_rows(gpkg, "SELECT id, picks FROM detection_undocumented")
        self.assertEqual(und, [(u["id"], u["picks"]) for u in result["undocumented"]])
        self.assertEqual(tuple(sts.gpkg_srs_id(gpkg, "detection_undocumented")), ("EPSG", 3826))

    def test_bad_surveys(self):
        laz = sts.data_path("delft_ahn3_pointcloud_bgt", "ahn3", "ahn3_cropped_2.laz")
        res = self.strata("pipes", "detection", self.records, "--utility", "gas", "--rules", self.rules,
                          "--survey", laz)
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 904, "UNSUPPORTED_FORMAT")
        self.assertIn("LAZ", err["message"])
        # A LAS file cut short: its header announces more points than it holds.
        las = self.tmp / "short.las"
        write_las(las, self.picks[:100])
        las.write_bytes(las.read_bytes()[:-30])
        res = self.strata("pipes", "detection", self.records, "--utility", "gas", "--rules", self.rules,
                          "--survey", las)
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 902, "EMPTY_PRIMITIVE")
        self.assertIn("announces 100 points, the file holds 98", err["message"])
        # CSV rows without numbers are listed; the others are read.
        csv = self.tmp / "bad_rows.csv"
        with open(csv, "w") as f:
            f.write("x,y,z\n")
            for k, (x, y, z) in enumerate(self.picks[:50]):
                f.write(f"{x!r},{y!r},{z!r}\n" if k != 7 else f"{x!r},{y!r},unknown\n")
        res = self.strata("pipes", "detection", self.records, "--utility", "gas", "--rules", self.rules,
                          "--survey", csv)
        self.assertExit(res, sts.EXIT_OK)
        issues = res.result["survey"]["issues"]
        self.assertEqual(len(issues), 1, issues)
        self.assertEqual(issues[0]["fid"], 8)  # OGR numbers CSV rows from 1
        self.assertEqual(res.result["survey"]["picks"], 49)
        # A survey in another CRS is refused.
        res = self.strata("pipes", "detection", self.records, "--utility", "gas", "--rules", self.rules,
                          "--survey", self.ply, "--survey-crs", "EPSG:4326")
        self.assertError(res, sts.EXIT_INPUT_DATA, 911, "CRS_MISMATCH")
        for args in (["--tolerance", "0"], ["--survey-z", "height"], ["--pick", "bottom"],
                     ["--min-coverage", "2"]):
            res = self.strata("pipes", "detection", self.records, "--utility", "gas", "--rules",
                              self.rules, "--survey", self.ply, *args)
            self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")


if __name__ == "__main__":
    sts.main()
