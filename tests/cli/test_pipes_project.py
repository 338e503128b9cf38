#!/usr/bin/python3
"""Pipe analyses in a project file: `strata run` performs the [[pipes.analyses]] of a project on
Kaohsiung's real gas and petroleum lines (with the 202 real villages along them as the imported
layer) and writes each analysis's JSON and GeoPackage into the output folder; each must hold
exactly what the same `strata pipes` command gives on the command line. Mistakes in the [pipes]
section stop the run before anything is imported (exit 3, file and line)."""
import json
import sys
from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

GAS = ("kaohsiung_pipelines", "kh_ng_pipelines_twd97.geojson")
PETROLEUM = ("kaohsiung_pipelines", "kh_petroleum_pipelines_twd97.geojson")
VILLAGES = ("kaohsiung_pipelines", "affected_village", "kh_pplines_aff_villages_twd97.geojson")
RULES = """[utilities.gas]
depth_m = 1.0
diameter_m = 0.2
min_cover_m = 1.2

[utilities.petroleum]
depth_m = 1.5
diameter_m = 0.3

[[clearance]]
between = ["gas", "petroleum"]
min_m = 0.5
"""


def project_text(extra_analysis=""):
    return f"""[project]
name = "Kaohsiung pipelines"
crs = "EPSG:3826"
store = "out/strata.gpkg"
output = "out"
analyses = ["pipes"]

[[layers]]
name = "villages"
kind = "village"
path = "{sts.data_path(*VILLAGES)}"
fields = {{ id = "VILLAGEID", name = "VILLAGENAM", parent_name = "TOWNNAME" }}

[pipes]
rules = "rules.toml"

[[pipes.networks]]
name = "gas"
file = "{sts.data_path(*GAS)}"
utility = "gas"
owner_field = "NAME"

[[pipes.networks]]
name = "petroleum"
file = "{sts.data_path(*PETROLEUM)}"
utility = "petroleum"
owner_field = "NAME"

[[pipes.analyses]]
name = "gas_vs_petroleum"
kind = "clearance"
networks = ["gas", "petroleum"]

[[pipes.analyses]]
name = "dig_at_crossing"
kind = "excavation"
networks = ["gas", "petroleum"]
dig = "digs.geojson"
depth = "2"
buffer = 0.3

[[pipes.analyses]]
name = "gas_cover"
kind = "cover"
networks = ["gas"]
{extra_analysis}"""


def write_inputs(folder: Path):
    """rules.toml, and digs.geojson: a 4 m square dig where a gas and a petroleum line cross.
    Returns that crossing (a shapely Point)."""
    (folder / "rules.toml").write_text(RULES, encoding="utf-8")
    gas = gpd.read_file(sts.data_path(*GAS))
    petroleum = gpd.read_file(sts.data_path(*PETROLEUM))
    c = next(g.intersection(p) for g in gas.geometry for p in petroleum.geometry
             if g.intersection(p).geom_type == "Point")
    gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(c.x - 2, c.y - 2, c.x + 2, c.y + 2)],
                     crs=3826).to_file(folder / "digs.geojson", driver="GeoJSON")
    return c


class ProjectPipesTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dir = cls.tmp / "project"
        cls.dir.mkdir()
        write_inputs(cls.dir)
        (cls.dir / "project.toml").write_text(project_text(), encoding="utf-8")
        cls.run_res = cls.strata("run", cls.dir / "project.toml")

    def test_run_writes_each_analysis(self):
        self.assertExit(self.run_res, sts.EXIT_OK, "strata run")
        pipes = self.run_res.result["analyses"]["pipes"]
        self.assertEqual(set(pipes), {"gas_vs_petroleum", "dig_at_crossing", "gas_cover"})
        out = self.dir / "out" / "pipes"
        cli = {
            "gas_vs_petroleum": ["clearance", sts.data_path(*GAS), sts.data_path(*PETROLEUM),
                                 "--a-utility", "gas", "--a-owner-field", "NAME", "--b-utility", "petroleum",
                                 "--b-owner-field", "NAME"],
            "dig_at_crossing": ["excavation", sts.data_path(*GAS), sts.data_path(*PETROLEUM),
                                "--utility", "gas", "--utility", "petroleum", "--owner-field", "NAME",
                                "--dig", self.dir / "digs.geojson", "--depth", "2", "--buffer", "0.3"],
            "gas_cover": ["cover", sts.data_path(*GAS), "--utility", "gas", "--owner-field", "NAME"],
        }
        for name, args in cli.items():
            doc = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
            self.assertEqual(pipes[name]["json"], str(out / f"{name}.json"))
            res = self.strata("pipes", *args, "--rules", self.dir / "rules.toml")
            self.assertExit(res, sts.EXIT_OK, name)
            self.assertEqual(doc["findings"], res.result["findings"], name)
            self.assertGreater(len(doc["findings"]), 0, name)
            self.assertTrue((out / f"{name}.gpkg").exists(), name)
        self.assertEqual(pipes["gas_vs_petroleum"]["clearance_violations"],
                         len(json.loads((out / "gas_vs_petroleum.json").read_text())["findings"]))
        self.assertGreater(pipes["dig_at_crossing"]["hits"], 0)
        # Every gas pipe lies 1.0 m deep under a rule of 1.2 m: all of it is shallow.
        cover = json.loads((out / "gas_cover.json").read_text())
        self.assertAlmostEqual(cover["length_shallow_m"], cover["length_checked_m"], delta=1e-6)
        self.assertIn("pipes:", self.strata("run", self.dir / "project.toml", json_output=False).stdout)

    def test_mistakes_stop_before_the_import(self):
        cases = [
            ("unknown kind", '\n[[pipes.analyses]]\nname = "x"\nkind = "teleport"\nnetworks = ["gas"]\n',
             "unknown pipe analysis kind 'teleport'"),
            ("unknown network", '\n[[pipes.analyses]]\nname = "x"\nkind = "cover"\nnetworks = ["water"]\n',
             "unknown network 'water'"),
            ("unknown option", '\n[[pipes.analyses]]\nname = "x"\nkind = "cover"\nnetworks = ["gas"]\nbogus = 1\n',
             "[[pipes.analyses]] x (cover)"),
        ]
        for name, extra, needle in cases:
            with self.subTest(case=name):
                d = self.tmp / name.replace(" ", "_")
                d.mkdir()
                (d / "rules.toml").write_text(RULES, encoding="utf-8")
                (d / "digs.geojson").write_bytes((self.dir / "digs.geojson").read_bytes())
                (d / "project.toml").write_text(project_text(extra), encoding="utf-8")
                res = self.strata("run", d / "project.toml")
                err = self.assertError(res, sts.EXIT_PROJECT_FILE, 970, "PROJECT_FILE")
                self.assertIn(needle, err["message"])
                self.assertTrue(err["message"].startswith(str(d / "project.toml") + ":"), err["message"])
                self.assertFalse((d / "out" / "strata.gpkg").exists(), "nothing imported")


if __name__ == "__main__":
    sts.main()
