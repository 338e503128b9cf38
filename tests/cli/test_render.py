#!/usr/bin/python3
"""Maps and 3D views (`strata render map | pipes | scene`) on real data.

Maps: the Taipei indicators (the samples/taipei excerpt of the real Taipei data, run into a
temporary folder) per village, with quantile, natural (Jenks), equal and fixed classes.
  * the classes match the data: quantile bounds against numpy's quantiles, natural breaks
    against an independent Jenks (Fisher's dynamic programme, written here from the definition)
    by their within-class squared deviation, counts per class against GeoPandas;
  * the image is not blank and shows the data: every class colour of the legend is on the map,
    and the share of the map each class colour covers follows the share of the area its
    villages cover (GeoPandas areas);
  * the SVG is well-formed XML and fills with the same class colours;
  * Traditional Chinese labels: the CJK font is installed and the labels were drawn.
Pipes: the real Kaohsiung gas and petroleum lines with `pipes clearance` findings: the map's
counts equal the lines (GeoPandas) and the findings in the GeoPackage (by kind), and the pipe
and finding colours are on the image.
3D views: real Delft buildings (BGT footprints, the units built from the fictitious registry
fixture) and real Kaohsiung gas lines moved onto them (GENERATED, as in test_pipes_buildings):
coloured by BAUnit, by validation status (valid registry all green; the problems registry shows
findings in orange), exploded storeys, and the underground cut-away (pipe yellow below the
grid). Pixel statistics say they are not blank and hold the colours they should.
Errors: missing or non-numeric fields, unknown palette, wrong output format, no display.
"""
import json
import os
import re
import shutil
import sys
import unittest
from pathlib import Path

import geopandas as gpd
import numpy as np
from lxml import etree
from osgeo import gdal
from shapely.affinity import translate

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

gdal.UseExceptions()
SAMPLES = sts.REPO_ROOT / "samples" / "taipei"
FIXTURES = sts.REPO_ROOT / "tests" / "fixtures" / "registry"
DELFT = "delft_ahn3_pointcloud_bgt"
GAS = ("kaohsiung_pipelines", "kh_ng_pipelines_twd97.geojson")
PETROLEUM = ("kaohsiung_pipelines", "kh_petroleum_pipelines_twd97.geojson")
FIELD = "iso37120_21_1"


def read_rgb(path: Path) -> np.ndarray:
    """The image as an (h, w, 3) uint8 array, read with GDAL (an independent PNG reader)."""
    ds = gdal.Open(str(path))
    bands = [ds.GetRasterBand(i + 1).ReadAsArray() for i in range(min(3, ds.RasterCount))]
    return np.dstack(bands).astype(np.uint8)


def hex_rgb(css: str) -> tuple:
    return tuple(int(css[i:i + 2], 16) for i in (1, 3, 5))


def jenks_sdcm(values, k):
    """Minimum sum of squared deviations from the class means over all partitions of the sorted
    values into k contiguous classes (Fisher 1958), by dynamic programming."""
    v = np.sort(np.asarray(values, dtype=float))
    n = len(v)
    s1 = np.concatenate([[0], np.cumsum(v)])
    s2 = np.concatenate([[0], np.cumsum(v * v)])

    def ssd(a, b):  # inclusive
        c = b - a + 1
        s = s1[b + 1] - s1[a]
        return (s2[b + 1] - s2[a]) - s * s / c

    best = [ssd(0, j) for j in range(n)]
    for c in range(1, k):
        nxt = [np.inf] * n
        for j in range(c, n):
            nxt[j] = min(best[i - 1] + ssd(i, j) for i in range(c, j + 1))
        best = nxt
    return best[n - 1]


def sdcm_of(values, uppers):
    """Sum of squared deviations from class means of a classification by upper bounds."""
    v = np.sort(np.asarray(values, dtype=float))
    total, lo = 0.0, -np.inf
    for u in uppers:
        part = v[(v > lo) & (v <= u)]
        if len(part):
            total += float(((part - part.mean()) ** 2).sum())
        lo = u
    return total


class MapTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        project = cls.tmp / "samples" / "taipei"
        shutil.copytree(SAMPLES, project)
        # Only the indicators: the maps of this test come from `render map` itself.
        text = (project / "project.toml").read_text(encoding="utf-8")
        text = re.sub(r'^outputs = \[.*\]$', 'outputs = ["summary"]', text, count=1, flags=re.M)
        text = re.sub(r'\[\[exports\]\][^\[]*', '', text)
        (project / "project.toml").write_text(text, encoding="utf-8")
        cls.run_res = cls.strata("run", project / "project.toml")
        cls.gpkg = cls.tmp / "out" / "taipei" / "indicators.gpkg"
        cls.villages = gpd.read_file(cls.gpkg, layer="indicators_village")
        cls.maps = cls.new_dir("maps")

    def render(self, method, *extra, out="map.png", field=FIELD):
        # No labels: their halos would hide part of the class colours the test counts.
        outs = [self.maps / f"{method}_{field}_{o}" for o in ([out] if isinstance(out, str) else out)]
        args = ["render", "map", self.gpkg, "--layer", "indicators_village", "--field", field,
                "--id-field", "village_id", "--classes", method, *extra]
        for o in outs:
            args += ["--out", o]
        return self.strata(*args), outs

    def test_indicators_were_computed(self):
        self.assertExit(self.run_res, sts.EXIT_OK)
        self.assertEqual(len(self.villages), 130)

    def assertMapShowsClasses(self, res, png, values, areas):
        """Every class colour is on the map, covering about the share of the area its polygons
        cover; counts per class equal the data's."""
        self.assertExit(res, sts.EXIT_OK)
        classes = res.result["classes"]
        img = read_rgb(png)
        self.assertEqual(img.shape[:2], (1000, 1400))
        white = np.all(img >= 250, axis=2)
        self.assertGreater(1 - white.mean(), 0.15, "the map is (nearly) blank")
        self.assertGreater(len(np.unique(img.reshape(-1, 3), axis=0)), 20, "too few colours")
        flat = img.reshape(-1, 3)
        pixels, area_share = [], []
        for i, c in enumerate(classes):
            lo, hi = c["lower"], c["upper"]
            inside = (values >= lo) & (values <= hi) if i == 0 else (values > lo) & (values <= hi)
            self.assertEqual(int(inside.sum()), c["count"], f"class {i} count")
            colour = np.array(hex_rgb(c["colour"]), dtype=np.uint8)
            n = int(np.all(flat == colour, axis=1).sum())
            if c["count"] > 0:
                self.assertGreater(n, 0, f"class {i} colour {c['colour']} is not on the map")
            pixels.append(n)
            area_share.append(float(areas[inside].sum()))
        pixels = np.array(pixels, float) / sum(pixels)
        area_share = np.array(area_share) / sum(area_share)
        # Outlines, labels (with halos) and the legend swatches move shares by a few points.
        np.testing.assert_allclose(pixels, area_share, atol=0.06,
                                   err_msg="the map's colours do not follow the classes' areas")
        return classes

    def test_quantile_classes_match_numpy(self):
        res, (png,) = self.render("quantile", "-k", "5", field="population")
        values = self.villages["population"].to_numpy(float)
        classes = self.assertMapShowsClasses(res, png, values, self.villages.geometry.area.to_numpy())
        self.assertEqual(len(classes), 5)
        expected = np.quantile(values, [0.2, 0.4, 0.6, 0.8, 1.0])
        np.testing.assert_allclose([c["upper"] for c in classes], expected, rtol=1e-9)
        self.assertEqual(classes[0]["lower"], values.min())
        self.assertEqual(sum(c["count"] for c in classes), 130)
        self.assertEqual(len(res.result["features"]), 130)

    def test_quantile_ties_merge_classes(self):
        # Many villages have no green at all (21.1 = 0): equal quantiles make one class, so the
        # map never shows empty classes.
        res, (png,) = self.render("quantile", "-k", "5")
        values = self.villages[FIELD].to_numpy(float)
        classes = self.assertMapShowsClasses(res, png, values, self.villages.geometry.area.to_numpy())
        expected = np.unique(np.quantile(values, [0.2, 0.4, 0.6, 0.8, 1.0]))
        np.testing.assert_allclose([c["upper"] for c in classes], expected, rtol=1e-9)
        self.assertTrue(all(c["count"] > 0 for c in classes))

    def test_natural_breaks_are_optimal(self):
        res, (png,) = self.render("natural", "-k", "5")
        values = self.villages[FIELD].to_numpy(float)
        classes = self.assertMapShowsClasses(res, png, values, self.villages.geometry.area.to_numpy())
        self.assertEqual(len(classes), 5)
        ours = sdcm_of(values, [c["upper"] for c in classes])
        self.assertAlmostEqual(ours, jenks_sdcm(values, 5), delta=1e-6 * max(1.0, ours))
        # And the classes are a real grouping, not equal counts: Jenks isolates the outliers.
        self.assertLess(classes[-1]["count"], 26)

    def test_equal_and_fixed_classes(self):
        values = self.villages[FIELD].to_numpy(float)
        res, (png,) = self.render("equal", "-k", "4")
        classes = self.assertMapShowsClasses(res, png, values, self.villages.geometry.area.to_numpy())
        width = (values.max() - values.min()) / 4
        uppers = [values.min() + width * i for i in (1, 2, 3, 4)]
        # Intervals nothing falls in are merged into the next (the legend shows no empty class).
        counts = np.histogram(values, bins=[values.min()] + uppers)[0]
        expected = [u for u, n in zip(uppers, counts) if n > 0 or u == uppers[-1]]
        np.testing.assert_allclose([c["upper"] for c in classes], expected, rtol=1e-9)
        res, (png,) = self.render("fixed", "--breaks", "10,50,200")
        classes = self.assertMapShowsClasses(res, png, values, self.villages.geometry.area.to_numpy())
        self.assertEqual([c["upper"] for c in classes][:3], [10, 50, 200])

    def test_svg_and_png_together(self):
        res, (png, svg) = self.render("quantile", out=["both.png", "both.svg"])
        self.assertExit(res, sts.EXIT_OK)
        self.assertEqual([Path(f["path"]).suffix for f in res.result["files"]], [".png", ".svg"])
        root = etree.parse(str(svg)).getroot()
        self.assertTrue(root.tag.endswith("svg"))
        text = svg.read_text(encoding="utf-8")
        # Cairo writes fills as rgb(r%,g%,b%): every class colour must be among them.
        fills = {tuple(round(float(x) * 2.55) for x in m)
                 for m in re.findall(r"rgb\(([\d.]+)%,\s*([\d.]+)%,\s*([\d.]+)%\)", text)}
        for c in res.result["classes"]:
            self.assertIn(hex_rgb(c["colour"]), fills, f"class colour {c['colour']} not in the SVG")

    def test_chinese_labels_with_a_cjk_font(self):
        import subprocess
        match = subprocess.run(["fc-match", "Noto Sans CJK TC:lang=zh-tw", "family"],
                               capture_output=True, text=True)
        self.assertIn("Noto Sans CJK", match.stdout, "fonts-noto-cjk is not installed")
        res = self.strata("render", "map", self.gpkg, "--layer", "indicators_district", "--field",
                          FIELD, "--label-field", "district_name", "--out", self.maps / "d.png")
        self.assertExit(res, sts.EXIT_OK)
        self.assertEqual(res.result["files"][0]["labels_drawn"], 3)
        self.assertEqual({f["label"] for f in res.result["features"]}, {"信義區", "大安區", "萬華區"})
        # Three districts make at most three classes.
        self.assertEqual(len(res.result["classes"]), 3)
        self.assertGreater(res.result["files"][0]["scale_bar_m"], 0)

    def test_bad_requests(self):
        res = self.strata("render", "map", self.gpkg, "--layer", "indicators_village", "--field",
                          "no_such_field", "--out", self.maps / "x.png")
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 920, "FIELD_MISSING")
        self.assertIn("no_such_field", err["message"])
        res = self.strata("render", "map", self.gpkg, "--layer", "indicators_village", "--field",
                          "village_name", "--out", self.maps / "x.png")
        self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")
        res = self.strata("render", "map", self.gpkg, "--layer", "indicators_village", "--field",
                          FIELD, "--palette", "Rainbow", "--out", self.maps / "x.png")
        self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")
        res = self.strata("render", "map", self.gpkg, "--layer", "indicators_village", "--field",
                          FIELD, "--out", self.maps / "x.jpg")
        self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")
        res = self.strata("render", "map", self.gpkg, "--layer", "indicators_village", "--field",
                          FIELD, "--classes", "fixed", "--out", self.maps / "x.png")
        self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")
        self.assertFalse((self.maps / "x.png").exists())
        self.assertEqual(list(self.maps.glob("*.tmp")), [])


class PipeMapTest(sts.StrataTestCase):
    def test_clearance_findings_map(self):
        gas, petroleum = sts.data_path(*GAS), sts.data_path(*PETROLEUM)
        rules = sts.REPO_ROOT / "samples" / "kaohsiung" / "rules.toml"
        findings = self.tmp / "clearance.gpkg"
        res = self.strata("pipes", "clearance", gas, petroleum, "--a-utility", "gas",
                          "--b-utility", "petroleum", "--rules", rules, "--gpkg", findings)
        self.assertIn(res.returncode, (0, 7), res.describe())
        png = self.tmp / "pipes.png"
        res = self.strata("render", "pipes", gas, petroleum, "--utility", "gas", "--utility",
                          "petroleum", "--rules", rules, "--findings", findings, "--out", png,
                          "--out", self.tmp / "pipes.svg", "--title", "高雄 gas and petroleum")
        self.assertExit(res, sts.EXIT_OK)
        r = res.result
        self.assertEqual(r["pipes_by_utility"]["gas"], len(gpd.read_file(gas)))
        self.assertEqual(r["pipes_by_utility"]["petroleum"], len(gpd.read_file(petroleum)))
        found = gpd.read_file(findings)
        self.assertEqual(r["findings_by_kind"], found["kind"].value_counts().to_dict())
        self.assertGreater(len(found), 0)
        img = read_rgb(png).reshape(-1, 3)
        for utility, colour, least in (("gas", "#e6b800", 500), ("petroleum", "#a67c00", 50)):
            n = np.all(img == np.array(hex_rgb(colour), np.uint8), axis=1).sum()
            self.assertGreater(n, least, f"no {utility} pipe drawn in its colour {colour}")
        for kind in r["findings_by_kind"]:
            colour = {"clash": "#e31a1c", "clearance": "#ff7f00"}[kind]
            n = np.all(img == np.array(hex_rgb(colour), np.uint8), axis=1).sum()
            self.assertGreater(n, 10, f"no {kind} finding drawn")


    def test_excavation_map_with_dig_polygons(self):
        # Two digs drawn by the test (generated polygons over real pipes): a 6 m square on the
        # first gas/petroleum crossing, and a 10 m square on a gas line alone.
        gas_path, petroleum_path = sts.data_path(*GAS), sts.data_path(*PETROLEUM)
        gas, petroleum = gpd.read_file(gas_path), gpd.read_file(petroleum_path)
        crossing = None
        for g in gas.geometry:
            for p in petroleum.geometry:
                if g.intersects(p):
                    crossing = g.intersection(p).representative_point()
                    break
            if crossing is not None:
                break
        self.assertIsNotNone(crossing)
        other = gas.geometry.iloc[len(gas) // 2].interpolate(0.5, normalized=True)
        from shapely.geometry import box
        digs = gpd.GeoDataFrame({"name": ["A", "B"]},
                                geometry=[box(crossing.x - 3, crossing.y - 3, crossing.x + 3, crossing.y + 3),
                                          box(other.x - 5, other.y - 5, other.x + 5, other.y + 5)],
                                crs=gas.crs)
        dig_file = self.tmp / "digs.geojson"
        digs.to_file(dig_file, driver="GeoJSON")
        rules = sts.REPO_ROOT / "samples" / "kaohsiung" / "rules.toml"
        hits = self.tmp / "hits.gpkg"
        res = self.strata("pipes", "excavation", gas_path, petroleum_path, "--utility", "gas",
                          "--utility", "petroleum", "--dig", dig_file, "--dig-id-field", "name",
                          "--depth", "2", "--rules", rules, "--gpkg", hits)
        self.assertIn(res.returncode, (0, 7), res.describe())
        png = self.tmp / "excavation.png"
        res = self.strata("render", "pipes", gas_path, petroleum_path, "--utility", "gas",
                          "--utility", "petroleum", "--rules", rules, "--findings", hits,
                          "--areas", dig_file, "--out", png)
        self.assertExit(res, sts.EXIT_OK)
        self.assertEqual(res.result["areas"], 2)
        drawn = sum(res.result["findings_by_kind"].values())
        self.assertEqual(drawn, len(gpd.read_file(hits)))
        self.assertGreater(drawn, 0)
        # The map focuses on the digs: the dig fill (#9e9ac8 at 35 % over the map's background)
        # covers a visible part of the frame, not a dot lost in the city.
        img = read_rgb(png).astype(int)
        r_, g, b = img[..., 0], img[..., 1], img[..., 2]
        # The digs: purple fill, or (smaller than 10 px on the page) a purple ring around them.
        purple = (b > g + 15) & (r_ > g) & (b > 100)
        self.assertGreater(purple[:, :1030].sum(), 150, "the dig polygons are not visible on the map")


class SceneTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        footprints = sts.data_path(DELFT, "bgt", "bgt_pand.sqlite")
        cls.models = {}
        for name in ("valid", "problems"):
            out = cls.tmp / f"{name}.city.json"
            report = cls.tmp / f"{name}.report.json"
            res = cls.strata("units", "build", footprints, "--registry", FIXTURES / f"{name}_registry.csv",
                             "--id-field", "gml_id", "--height", "9", "--out", out, "--report", report)
            assert res.returncode in (0, 7), res.describe()
            cls.models[name] = (out, report)
        # GENERATED pipes: the real Kaohsiung gas lines moved onto the Delft buildings.
        gas = gpd.read_file(sts.data_path(*GAS))
        pand = gpd.read_file(footprints)
        c = pand.unary_union.centroid
        g = gas.unary_union.centroid
        near = gas.copy()
        near["geometry"] = near.geometry.apply(lambda geom: translate(geom, c.x - g.x, c.y - g.y))
        near = near.set_crs(28992, allow_override=True)
        near = near[near.distance(pand.unary_union) < 200]
        near["pid"] = [f"g{i}" for i in range(len(near))]
        cls.pipes = cls.tmp / "GENERATED_gas_on_delft.geojson"
        near.to_file(cls.pipes, driver="GeoJSON")

    def scene(self, name, model, *extra):
        png = self.tmp / f"{name}.png"
        res = self.strata("render", "scene", "--model", model, "--out", png, *extra)
        self.assertExit(res, sts.EXIT_OK, name)
        img = read_rgb(png)
        self.assertEqual(img.shape[:2], (960, 1280))
        non_white = 1 - np.all(img >= 250, axis=2).mean()
        self.assertGreater(non_white, 0.02, f"{name}: the view is (nearly) blank")
        self.assertAlmostEqual(res.result["coverage"], non_white, delta=0.02)
        return res.result, img

    @staticmethod
    def share(img, test):
        r, g, b = (img[..., i].astype(int) for i in range(3))
        return float(test(r, g, b).mean())

    def test_units_by_baunit(self):
        model, _ = self.models["valid"]
        r, img = self.scene("baunit", model, "--colour-by", "baunit", "--units-only")
        self.assertEqual(r["buildings"], 3)
        # Legal spaces: one per registered unit and floor with an outline (common parts have none).
        doc = json.loads(model.read_text(encoding="utf-8"))
        units = [o for o in doc["CityObjects"].values() if o["type"] == "BuildingUnit" and o.get("geometry")]
        self.assertEqual(r["units"], len(units))
        self.assertEqual(r["baunits"], len({u["attributes"]["building_no"] for u in units}))
        # One colour per BAUnit: many hues on the image, not one.
        hues = {tuple(p // 32) for p in img.reshape(-1, 3)[::7] if not (p >= 240).all()}
        self.assertGreater(len(hues), 8)

    def test_units_by_validation_status(self):
        model, report = self.models["valid"]
        r, img = self.scene("valid", model, "--colour-by", "validation", "--findings", report,
                            "--units-only")
        self.assertEqual(r["units_by_status"], {"valid": r["units"]})
        greenish = self.share(img, lambda r_, g, b: (g > r_ + 25) & (g > b + 25))
        orange = self.share(img, lambda r_, g, b: (r_ > g + 40) & (g > b + 40))
        self.assertGreater(greenish, 0.005)
        self.assertLess(orange, 0.0005)
        model, report = self.models["problems"]
        findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
        r, img = self.scene("problems", model, "--colour-by", "validation", "--findings", report,
                            "--units-only")
        with_finding = {f["id"] for f in findings}
        doc = json.loads(model.read_text(encoding="utf-8"))
        expected = sum(1 for o in doc["CityObjects"].values() if o["type"] == "BuildingUnit" and o.get("geometry")
                       and o["attributes"]["building_no"] in with_finding)
        self.assertGreater(expected, 0)
        self.assertEqual(r["units_by_status"].get("finding", 0), expected)
        orange = self.share(img, lambda r_, g, b: (r_ > g + 40) & (g > b + 40))
        self.assertGreater(orange, 0.002, "units with 8xx findings are not drawn orange")

    def test_exploded_storeys_are_taller(self):
        model, _ = self.models["valid"]
        _, flat = self.scene("flat", model, "--units-only", "--azimuth", "180", "--elevation", "0")
        _, exploded = self.scene("exploded", model, "--units-only", "--explode", "6", "--azimuth",
                                 "180", "--elevation", "0")
        def height(img):
            rows = np.where((~np.all(img >= 250, axis=2)).any(axis=1))[0]
            return rows.max() - rows.min()
        # Same camera: the exploded view spans more rows (Open3D refits the view to the taller
        # scene, so compare aspect: height over width of the drawn area).
        def aspect(img):
            drawn = ~np.all(img >= 250, axis=2)
            rows, cols = np.where(drawn.any(axis=1))[0], np.where(drawn.any(axis=0))[0]
            return (rows.max() - rows.min()) / (cols.max() - cols.min())
        self.assertGreater(aspect(exploded), aspect(flat) * 1.3)
        self.assertGreater(height(flat), 0)

    def test_underground_cutaway_with_real_buildings_and_pipes(self):
        model = sts.data_path(DELFT, "output", "testarea.json")  # 3dfier's LoD1 of the same area
        r, img = self.scene("cutaway", model, self.pipes, "--utility", "gas", "--id-field", "pid",
                            "--rules", sts.REPO_ROOT / "samples" / "kaohsiung" / "rules.toml",
                            "--colour-by", "plain", "--cutaway", "--clip-pipes",
                            "--min-pipe-diameter", "0.8", "--depth-exaggeration", "5",
                            "--elevation", "30")
        self.assertGreater(r["buildings"], 100)
        self.assertGreater(r["pipes"], 0)
        self.assertGreater(r["line_segments"], 10, "no ground grid")
        self.assertIn("gas pipe (depth ×5)", [e["label"] for e in r["legend"]])
        yellow = self.share(img, lambda r_, g, b: (r_ > 150) & (g > 110) & (b < 90) & (r_ - b > 100))
        self.assertGreater(yellow, 0.0005, "no gas pipe (yellow) in the cut-away")
        # The pipes lie below the ground grid: 1.1 m (cover 1.0 + radius 0.1, rules.toml) drawn
        # five times deeper.
        self.assertAlmostEqual(r["pipes_z_max"], r["ground_z"] - 5 * 1.1, delta=0.05)

    def test_no_display_is_a_clear_error(self):
        model, _ = self.models["valid"]
        env = {"DISPLAY": "", "STRATA_UNDER_XVFB": "1"}  # and no xvfb-run retry
        res = self.strata("render", "scene", "--model", model, "--out", self.tmp / "none.png", env=env)
        err = self.assertError(res, 9, 985, "RENDER_FAILED")
        self.assertIn("xvfb", err["message"])
        self.assertFalse((self.tmp / "none.png").exists())


if __name__ == "__main__":
    sts.main()
