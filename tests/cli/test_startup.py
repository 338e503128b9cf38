"""Open3D, Cairo and Pango load only where they are used (issue 20: `strata --version` loaded
198 libraries because Open3D's chain was linked into every command; Cairo, Pango, GLib,
HarfBuzz and X11 were 26 more). Traced with strace (which files a process opens):

  * `strata --version`, `strata validate`, `strata pipes clearance` and `import strata` in
    Python with a validation never open libstrata_open3d.so nor libOpen3D;
  * a survey read from PLY (`strata pipes detection`) does, and its result is the same as from
    the same picks as CSV (read by GDAL) — the module works, not only loads;
  * with STRATA_OPEN3D_MODULE naming a missing file, the PLY survey fails with error 990-class
    INTERNAL naming the file and the variable, never a crash;
  * the same commands never open libstrata_cairo.so, Cairo or Pango; a map does, and draws the
    pipes in their utility's colour; with STRATA_CAIRO_MODULE naming a missing file the map
    fails with INTERNAL naming both, and no image is left behind.
"""
import json
import os
import struct
import subprocess
import unittest
from pathlib import Path

import geopandas as gpd

import strata_test_support as sts

SAMPLES = sts.REPO_ROOT / "samples"
MODULE_DIR = os.environ.get("STRATA_PYTHON_PATH")


def opened(trace: Path):
    return [l for l in trace.read_text().splitlines() if "openat(" in l and "ENOENT" not in l]


class Startup(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Picks along the real Kaohsiung gas lines (GENERATED from them), as PLY and as CSV.
        lines = gpd.read_file(SAMPLES / "kaohsiung" / "gas.geojson")
        picks = []
        for geom in lines.geometry[:3]:
            d = 0.0
            while d <= geom.length:
                p = geom.interpolate(d)
                picks.append((p.x, p.y, -1.2))
                d += 1.0
        # And a run of 40 picks 0.5 m apart, 400 m east of the first line's start, where no record
        # is: an undocumented pipe, found by DBSCAN (the module again).
        x0, y0 = lines.geometry[0].coords[0][:2]
        picks += [(x0 + 400 + 0.5 * i, y0, -1.0) for i in range(40)]
        cls.ply = cls.tmp / "GENERATED_picks.ply"
        with cls.ply.open("wb") as f:
            f.write(f"ply\nformat binary_little_endian 1.0\nelement vertex {len(picks)}\n"
                    "property double x\nproperty double y\nproperty double z\nend_header\n".encode())
            for p in picks:
                f.write(struct.pack("<3d", *p))
        cls.csv = cls.tmp / "GENERATED_picks.csv"
        cls.csv.write_text("x,y,z\n" + "".join(f"{x!r},{y!r},{z!r}\n" for x, y, z in picks))

    def traced(self, name, *args, env=None):
        trace = self.tmp / f"{name}.strace"
        full_env = sts.strata_env(self.tmp)
        full_env.update(env or {})
        p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat", "-o", str(trace), *map(str, args)],
                           capture_output=True, text=True, env=full_env, timeout=300)
        return p, opened(trace)

    def assertNoOpen3d(self, files, what):
        loaded = [l for l in files if "libstrata_open3d" in l or "libOpen3D" in l]
        self.assertEqual(loaded, [], f"{what} loaded Open3D")

    def assertNoCairo(self, files, what):
        loaded = [l for l in files if "libstrata_cairo" in l or "libcairo" in l or "libpango" in l]
        self.assertEqual(loaded, [], f"{what} loaded Cairo or Pango")

    def pipe_map(self, out, env=None, name="map"):
        k = SAMPLES / "kaohsiung"
        return self.traced(name, sts.strata_bin(), "--json", "render", "pipes", k / "gas.geojson",
                           "--utility", "gas", "--rules", k / "rules.toml", "--out", out, env=env)

    def detection(self, survey, env=None, name="detection"):
        return self.traced(name, sts.strata_bin(), "--json", "pipes", "detection", SAMPLES / "kaohsiung" / "gas.geojson",
                           "--utility", "gas", "--rules", SAMPLES / "kaohsiung" / "rules.toml", "--ground-z", "0",
                           "--survey", survey, env=env)

    def test_commands_without_3d_do_not_load_open3d(self):
        p, files = self.traced("version", sts.strata_bin(), "--version")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNoOpen3d(files, "strata --version")
        p, files = self.traced("validate", sts.strata_bin(), "validate", SAMPLES / "3dbag" / "3dbag_b2.city.jsonl")
        self.assertEqual(p.returncode, 7, p.stderr)
        self.assertNoOpen3d(files, "strata validate")
        k = SAMPLES / "kaohsiung"
        p, files = self.traced("clearance", sts.strata_bin(), "pipes", "clearance", k / "gas.geojson",
                               k / "petroleum.geojson", "--a-utility", "gas", "--b-utility", "petroleum",
                               "--rules", k / "rules.toml")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNoOpen3d(files, "strata pipes clearance")
        for name in ("version", "validate", "clearance"):
            self.assertNoCairo(opened(self.tmp / f"{name}.strace"), name)

    def test_a_map_loads_the_cairo_module_and_draws(self):
        out = self.tmp / "gas.png"
        p, files = self.pipe_map(out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(any("libstrata_cairo.so" in l for l in files), "the map was not drawn by the module")
        self.assertTrue(any("libcairo" in l for l in files))
        self.assertNoOpen3d(files, "strata render pipes")
        import numpy as np
        from PIL import Image
        img = np.asarray(Image.open(out).convert("RGB")).reshape(-1, 3)
        gas = np.all(img == np.array([0xe6, 0xb8, 0x00], np.uint8), axis=1).sum()
        self.assertGreater(gas, 200, "no gas pipe drawn in its APWA colour")

    def test_a_missing_cairo_module_is_an_error_that_leaves_no_image(self):
        missing = self.tmp / "nowhere" / "libstrata_cairo.so"
        out = self.tmp / "never.png"
        p, _ = self.pipe_map(out, env={"STRATA_CAIRO_MODULE": str(missing)}, name="missing_cairo")
        self.assertNotEqual(p.returncode, 0)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["error"]["code_name"], "INTERNAL")
        self.assertIn(str(missing), doc["error"]["message"])
        self.assertIn("STRATA_CAIRO_MODULE", doc["error"]["message"])
        self.assertFalse(out.exists())
        self.assertEqual([f.name for f in self.tmp.iterdir() if f.name.startswith(".writing")], [])

    @unittest.skipUnless(MODULE_DIR, "STRATA_PYTHON_PATH is not set")
    def test_python_import_does_not_load_open3d(self):
        code = ("import strata; strata.validate(%r); "
                "print(any('Open3D' in l or 'strata_open3d' in l or 'libcairo' in l or 'libpango' in l "
                "for l in open('/proc/self/maps')))"
                % str(SAMPLES / "3dbag" / "3dbag_b2.city.jsonl"))
        p = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True,
                           env=dict(os.environ, PYTHONPATH=MODULE_DIR), timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), "False")

    def test_a_ply_survey_loads_the_module_and_equals_the_csv(self):
        p, files = self.detection(self.ply)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(any("libstrata_open3d.so" in l for l in files), "the PLY was not read by the module")
        self.assertTrue(any("libOpen3D" in l for l in files))
        from_ply = json.loads(p.stdout)["result"]
        p, files = self.detection(self.csv, name="detection_csv")
        self.assertEqual(p.returncode, 0, p.stderr)
        from_csv = json.loads(p.stdout)["result"]
        self.assertGreater(from_ply["picks_matched"], 100)
        self.assertGreater(from_ply["picks_clustered"], 30)
        self.assertGreater(from_ply["undocumented_count"], 0)
        for key in ("records", "undocumented", "picks_matched", "picks_clustered", "picks_noise"):
            self.assertEqual(from_ply[key], from_csv[key], key)

    def test_a_missing_module_is_an_error_that_says_where_it_looked(self):
        missing = self.tmp / "nowhere" / "libstrata_open3d.so"
        p, _ = self.detection(self.ply, env={"STRATA_OPEN3D_MODULE": str(missing)}, name="missing")
        self.assertNotEqual(p.returncode, 0)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["error"]["code_name"], "INTERNAL")
        self.assertIn(str(missing), doc["error"]["message"])
        self.assertIn("STRATA_OPEN3D_MODULE", doc["error"]["message"])


if __name__ == "__main__":
    sts.wait_for_binary()
    unittest.main(verbosity=2)
