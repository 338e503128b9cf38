#!/usr/bin/python3
"""The HTML report of `strata run` (outputs "maps" and "report"), on both shipped samples.

Needs no ../shared/data: it runs COPIES of samples/delft (with samples/kaohsiung beside it, for
../kaohsiung/rules.toml) and samples/taipei in a temporary folder, with `store` and `output`
rewritten to temporary paths and, for Taipei, the [project] outputs line forced to
["summary", "import_report", "maps", "report"], so nothing is written into the repository.
The 3D views need an X display: strata re-executes itself under xvfb-run when DISPLAY is unset.

For each project:
  * the run: exit code 0, ok true, result.report.problems empty, <output>/report.html exists;
  * self-contained: no <script>, no external stylesheet, no image or link outside the page; every
    <img> is a data: URI, and each one decodes (base64) to exactly the bytes of the PNG it was
    made from (maps/<name>.png for <img id="map-NAME">, scenes/<name>.png for "scene-NAME");
    the <img> ids are exactly the summary's maps (those with a PNG) and scenes;
  * in a real browser (headless Chromium, /usr/bin/chromium; Debian package `chromium`, which
    scripts/install-deps.sh installs): a copy of the page gets a small script that, on window
    'load', writes into body[data-check] a JSON of every <img> (complete, naturalWidth/Height),
    the title and the number of tables; `chromium --dump-dom` prints the DOM and the test reads
    that attribute back. Every image must have loaded with the size the summary gives, the
    title must be [report] title, the table count must equal the raw page's;
  * a screenshot of the page (1400x3000) is not blank: read with GDAL, more than 5 % of the
    pixels are not white and there are more than 20 distinct colours;
  * the exports section lists each export of the summary under its plugin name, with its file
    and how many files it wrote ("FAILED: error ..." for one that failed).
Key figures, computed independently of strata:
  * Taipei: "population (all districts)" equals census male+female of the copied census.csv
    (joined to village_codes.csv with pandas, as test_samples.py does), with thousands
    separators; the per-district table in section "indicators" lists the three districts with
    their census populations; the ISO 37120 21.1 figure equals indicators.json's city value
    within the rounding shown;
  * Delft: fig-baunits equals the number of distinct 建號 in registry_FICTITIOUS.csv (csv
    module); fig-8xx and the units section's findings table equal the 8xx findings counted in
    <output>/units/report.json; the pipes section's table lists every [[pipes.analyses]] name of
    the project file; the validation section's "Layers imported" table lists every layer the
    summary's import lists, with its counts;
  * privacy (Delft, planner profile): no party name (權利人) nor identity number (統一編號) of
    registry_FICTITIOUS.csv occurs anywhere in the raw HTML.

Run by hand:
  STRATA_BIN=build/dev/apps/strata/strata /usr/bin/python3 tests/cli/test_report.py -v
"""
import base64
import csv
import html
import json
import re
import shutil
import subprocess
import sys
import tomllib
import unittest
from pathlib import Path

import lxml.html
import numpy as np
import pandas as pd
from osgeo import gdal

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

gdal.UseExceptions()

SAMPLES = sts.REPO_ROOT / "samples"
CHROMIUM = Path("/usr/bin/chromium")
REPORT_OUTPUTS = ["summary", "import_report", "maps", "report"]

# Written into a copy of the page, just before </body>: once everything has loaded, the page
# describes its own images and tables in body[data-check], which --dump-dom then prints.
CHECK_SCRIPT = """<script>
window.addEventListener('load', function () {
  var images = Array.prototype.map.call(document.images, function (i) {
    return {id: i.id, complete: i.complete, naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight};
  });
  document.body.dataset.check = JSON.stringify({
    title: document.title,
    tables: document.getElementsByTagName('table').length,
    images: images
  });
});
</script>"""


# --------------------------------------------------------------------------- project copies

def _section_span(text: str, name: str):
    """(start, end) of the body of TOML table [name]: from its header line to the next header."""
    m = re.search(rf"^\[{re.escape(name)}\][ \t]*(#.*)?$", text, re.M)
    if not m:
        raise AssertionError(f"no [{name}] section in the project file")
    nxt = re.compile(r"^\[", re.M).search(text, m.end())
    return m.end(), (nxt.start() if nxt else len(text))


def set_project_key(text: str, key: str, toml_value: str) -> str:
    """Sets KEY = VALUE in the [project] section (replacing a one-line or multi-line value)."""
    start, end = _section_span(text, "project")
    body = text[start:end]
    pattern = re.compile(rf"^{re.escape(key)}[ \t]*=[ \t]*(\[[^\]]*\]|\"[^\"\n]*\"|'[^'\n]*'|[^\n#]*)",
                         re.M | re.S)
    if pattern.search(body):
        body = pattern.sub(lambda _: f"{key} = {toml_value}", body, count=1)
    else:
        body = f"\n{key} = {toml_value}" + body
    return text[:start] + body + text[end:]


def copy_project(tmp: Path, name: str, extra=(), outputs=None) -> Path:
    """Copies samples/NAME (and the sample folders in EXTRA, keeping the relative layout) into
    TMP/samples, points store and output at TMP/out/NAME, and returns the copied project file."""
    for folder in (name, *extra):
        shutil.copytree(SAMPLES / folder, tmp / "samples" / folder)
    project = tmp / "samples" / name / "project.toml"
    out = tmp / "out" / name
    text = project.read_text(encoding="utf-8")
    text = set_project_key(text, "store", json.dumps(str(out / "strata.gpkg")))
    text = set_project_key(text, "output", json.dumps(str(out)))
    if outputs is not None:
        text = set_project_key(text, "outputs", json.dumps(outputs))
    project.write_text(text, encoding="utf-8")
    parsed = tomllib.loads(text)["project"]  # the rewrite must stay valid TOML and say what we meant
    assert parsed["store"] == str(out / "strata.gpkg") and parsed["output"] == str(out), parsed
    if outputs is not None:
        assert parsed["outputs"] == outputs, parsed
    return project


# --------------------------------------------------------------------------- page helpers

def text_of(el) -> str:
    return " ".join(el.text_content().split())


def table_rows(table) -> list:
    """The rows of a <table> as lists of cell texts (header row included)."""
    return [[text_of(c) for c in tr.xpath("./th|./td")] for tr in table.xpath(".//tr")]


def figures(doc) -> dict:
    """{id: (value, label)} of the key figures at the top of the report."""
    out = {}
    for fig in doc.xpath("//div[@class='figure']"):
        v = fig.xpath("./div[@class='v']")
        l = fig.xpath("./div[@class='l']")
        out[fig.get("id")] = (text_of(v[0]) if v else None, text_of(l[0]) if l else None)
    return out


def as_number(text: str) -> float:
    return float(text.replace(",", ""))


def chromium_cmd(profile: Path) -> list:
    return [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-extensions", "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}"]


def png_pixels(path: Path) -> np.ndarray:
    """The image as an (N, bands) array of pixels, read with GDAL's PNG driver."""
    ds = gdal.Open(str(path))
    a = ds.ReadAsArray()
    if a.ndim == 2:
        a = a[np.newaxis]
    return a.reshape(a.shape[0], -1).T


# --------------------------------------------------------------------------- the checks both projects share

class ReportChecks:
    """Mixed into one test class per project; setUpClass sets project, res, out, summary, html, doc."""

    project: Path
    res: sts.StrataResult

    @classmethod
    def run_project(cls, project: Path):
        cls.project = project
        cls.project_toml = tomllib.loads(project.read_text(encoding="utf-8"))
        cls.res = cls.strata("run", project, timeout=900)
        cls.out = Path(cls.project_toml["project"]["output"])
        report = cls.out / "report.html"
        cls.html = report.read_text(encoding="utf-8") if report.exists() else None
        cls.doc = lxml.html.fromstring(cls.html) if cls.html else None

    # the summary and report.html of the run; the checks below need them even when the run failed
    def report_result(self) -> dict:
        self.assertIsNotNone(self.res.doc, "strata run printed no JSON document" + self.res.describe())
        result = self.res.doc.get("result") or {}
        self.assertIn("report", result, "no report in the run's result" + self.res.describe())
        return result["report"]

    def page(self):
        if self.doc is None:
            self.fail(f"{self.out / 'report.html'} was not written" + self.res.describe())
        return self.doc

    def section(self, name: str):
        found = self.page().xpath(f"//section[@id='{name}']")
        self.assertEqual(len(found), 1, f"expected one <section id='{name}'> in the report")
        return found[0]

    def expected_images(self) -> dict:
        """{img id: the PNG file it must embed}, from the summary's maps and scenes."""
        rep = self.report_result()
        out = {}
        for m in rep.get("maps", []):
            pngs = [f for f in m["files"] if f["format"] == "png"]
            if pngs:
                self.assertEqual(len(pngs), 1, f"map {m['name']} has more than one PNG")
                out["map-" + m["name"]] = {"path": Path(pngs[0]["path"]), "width": pngs[0]["width"],
                                           "height": pngs[0]["height"]}
        for s in rep.get("scenes", []):
            out["scene-" + s["name"]] = {"path": Path(s["out"]), "width": s["width"], "height": s["height"]}
        return out

    def require_chromium(self):
        if not (CHROMIUM.is_file() and shutil.which(str(CHROMIUM))):
            self.fail(f"{CHROMIUM} is missing: install the Debian package `chromium` "
                      f"(scripts/install-deps.sh does) to check the report in a browser")

    # tests -------------------------------------------------------------------

    def test_run_succeeds_and_writes_the_report(self):
        self.assertExit(self.res, sts.EXIT_OK)
        self.assertJsonDoc(self.res, ok=True)
        rep = self.report_result()
        self.assertEqual(rep["problems"], [], "the report stage reported problems")
        report = self.out / "report.html"
        self.assertTrue(report.is_file(), f"{report} missing")
        self.assertEqual(Path(rep["report"]), report)
        self.assertEqual(rep["report_bytes"], report.stat().st_size)
        self.assertEqual(Path(self.res.result["outputs"]["report"]), report)
        summary = json.loads((self.out / "summary.json").read_text(encoding="utf-8"))
        self.assertEqual(summary["report"], rep, "summary.json and the printed result disagree")

    def test_page_is_self_contained(self):
        doc = self.page()
        self.assertNotIn("<script", self.html.lower(), "the report holds a script")
        self.assertEqual(doc.xpath("//link[@rel='stylesheet']"), [], "the report links a stylesheet")
        for el in doc.xpath("//*[@src]"):
            self.assertTrue(el.get("src").startswith("data:image/png;base64,"),
                            f"<{el.tag} id={el.get('id')}> does not embed its image: {el.get('src')[:80]}")
        for el in doc.xpath("//*[@href]"):
            self.assertTrue(el.get("href").startswith("#"), f"link outside the page: {el.get('href')}")

    def test_embedded_images_are_the_output_files(self):
        expected = self.expected_images()
        self.assertTrue(expected, "the summary lists no map or scene PNG")
        imgs = self.page().xpath("//img")
        self.assertEqual(sorted(i.get("id") for i in imgs), sorted(expected),
                         "the report's <img> ids are not the summary's maps and scenes")
        for img in imgs:
            src = img.get("src")
            prefix = "data:image/png;base64,"
            self.assertTrue(src.startswith(prefix), img.get("id"))
            data = base64.b64decode(src[len(prefix):], validate=True)
            self.assertTrue(data.startswith(b"\x89PNG\r\n\x1a\n"), f"{img.get('id')}: not a PNG")
            source = expected[img.get("id")]["path"]
            self.assertTrue(source.is_file(), f"{source} (listed in the summary) does not exist")
            self.assertEqual(data, source.read_bytes(), f"{img.get('id')}: the embedded PNG is not {source}")
            self.assertTrue(img.get("alt"), f"{img.get('id')}: no alt text")

    def test_every_image_loads_in_chromium(self):
        self.require_chromium()
        self.page()
        work = self.new_dir(f"browser-{type(self).__name__}")
        page = work / "report-check.html"
        self.assertEqual(self.html.count("</body>"), 1)
        page.write_text(self.html.replace("</body>", CHECK_SCRIPT + "\n</body>"), encoding="utf-8")
        proc = subprocess.run(chromium_cmd(work / "profile") + ["--virtual-time-budget=10000", "--dump-dom",
                                                                page.as_uri()],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, f"chromium failed:\n{proc.stderr[-3000:]}")
        m = re.search(r'<body[^>]*\sdata-check="([^"]*)"', proc.stdout)
        self.assertIsNotNone(m, "the page did not finish loading in chromium (no data-check on <body>):\n"
                                + proc.stdout[:500] + "\n" + proc.stderr[-2000:])
        seen = json.loads(html.unescape(m.group(1)))
        title = self.project_toml.get("report", {}).get("title") or self.project_toml["project"]["name"]
        self.assertEqual(seen["title"], title)
        self.assertEqual(seen["tables"], len(self.page().xpath("//table")))
        expected = self.expected_images()
        self.assertEqual(sorted(i["id"] for i in seen["images"]), sorted(expected))
        for img in seen["images"]:
            self.assertTrue(img["complete"] and img["naturalWidth"] > 0 and img["naturalHeight"] > 0,
                            f"image {img['id']} did not load in chromium: {img}")
            want = expected[img["id"]]
            self.assertEqual((img["naturalWidth"], img["naturalHeight"]), (want["width"], want["height"]),
                             f"image {img['id']}: size in the browser vs the summary")

    def test_screenshot_is_not_blank(self):
        self.require_chromium()
        report = self.out / "report.html"
        self.assertTrue(report.is_file(), f"{report} missing")
        work = self.new_dir(f"screenshot-{type(self).__name__}")
        shot = work / "report.png"
        proc = subprocess.run(chromium_cmd(work / "profile") + ["--virtual-time-budget=10000", f"--screenshot={shot}",
                                                                "--window-size=1400,3000", report.as_uri()],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, f"chromium failed:\n{proc.stderr[-3000:]}")
        self.assertTrue(shot.is_file(), f"chromium wrote no screenshot:\n{proc.stderr[-3000:]}")
        px = png_pixels(shot)[:, :3].astype(np.uint32)
        self.assertEqual(len(px), 1400 * 3000)
        non_white = float((px < 245).any(axis=1).mean())
        colours = len(np.unique((px[:, 0] << 16) | (px[:, 1] << 8) | px[:, 2]))
        self.assertGreater(non_white, 0.05, f"the screenshot is almost blank ({non_white:.1%} not white)")
        self.assertGreater(colours, 20, f"the screenshot has only {colours} colours")

    def test_exports_section_lists_the_exports(self):
        exports = self.res.result.get("exports", []) if self.res.doc else []
        self.assertTrue(exports, "both sample projects have [[exports]]")
        rows = table_rows(self.section("exports").xpath(".//table")[0])
        self.assertEqual(rows[0][:1], ["plugin"])
        header = rows[0]
        body = rows[1:]
        self.assertEqual(len(body), len(exports), "one row per export")
        for row, e in zip(body, exports):
            cells = dict(zip(header, row))
            self.assertEqual(cells.get("plugin"), e.get("plugin"),
                             f"the exports table names no plugin for {e.get('plugin')}: row {row}")
            expected = (f"FAILED: error {e['error']['code']}" if "error" in e
                        else f"{len(e['files'])} file(s) written")
            self.assertTrue(cells.get("result", "").startswith(expected),
                            f"export {e.get('plugin')}: result {cells.get('result')!r}, summary {json.dumps(e)[:300]}")
            self.assertEqual(cells.get("profile"), e.get("profile"))
            if "error" not in e:
                self.assertEqual(Path(e["output"]).name, cells.get("file"), f"file of export {e['plugin']}")


# --------------------------------------------------------------------------- progress

class ProgressOutput(sts.StrataTestCase):
    """Long runs show progress per stage on stderr; -q and --json keep scripts clean."""

    def test_stages_on_stderr_and_quiet_json(self):
        project = copy_project(self.tmp, "delft", extra=("kaohsiung",))
        proc = sts.popen_strata(["run", project])
        _, err = proc.communicate(timeout=900)
        self.assertEqual(proc.returncode, 0, err)
        stages = [line for line in err.splitlines() if line.startswith("stage ")]
        toml = tomllib.loads(project.read_text(encoding="utf-8"))
        # import, each analysis, outputs, exports, maps/views/report
        expected = 1 + len(toml["project"]["analyses"]) + 1 + 1 + 1
        self.assertEqual(len(stages), expected, err)
        self.assertEqual(stages[0], f"stage 1/{expected}: import")
        self.assertTrue(stages[-1].endswith("maps, 3D views and report"), stages)
        self.assertIn("progress: 3D view underground", err)
        quiet = self.strata("-q", "run", project)
        self.assertExit(quiet, sts.EXIT_OK)
        self.assertEqual(quiet.stderr, "", "-q must leave stderr empty")
        self.assertEqual(json.loads(quiet.stdout)["result"]["ok"], True)  # stdout: one document


# --------------------------------------------------------------------------- Taipei

class TaipeiReport(ReportChecks, sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.run_project(copy_project(cls.tmp, "taipei", outputs=REPORT_OUTPUTS))
        cls.samples = cls.project.parent
        census = pd.read_csv(cls.samples / "census.csv", dtype=str)
        codes = pd.read_csv(cls.samples / "village_codes.csv", dtype=str)
        merged = census.merge(codes, on="ivid", how="inner")
        merged["pop"] = merged["male"].astype(int) + merged["female"].astype(int)
        cls.census_by_district = {k: int(v) for k, v in merged.groupby("town")["pop"].sum().items()}

    def test_population_figure_equals_the_census(self):
        self.assertEqual(set(self.census_by_district), {"信義區", "大安區", "萬華區"})
        value, label = figures(self.page()).get("fig-population", (None, None))
        self.assertEqual(label, "population (all districts)")
        self.assertEqual(value, f"{sum(self.census_by_district.values()):,}")

    def test_iso37120_21_1_figure_equals_indicators_json(self):
        city = json.loads((self.out / "indicators.json").read_text(encoding="utf-8"))["city"]
        value, label = figures(self.page()).get("fig-iso37120_21_1", (None, None))
        self.assertIsNotNone(value, "no ISO 37120 21.1 figure")
        self.assertIn("per 100 000 population", label)
        decimals = len(value.split(".")[1]) if "." in value else 0
        self.assertAlmostEqual(as_number(value), city["iso37120_21_1"], delta=0.5 * 10 ** -decimals + 1e-12)
        # ... and that value is green area / population, recomputed from its parts with the census.
        self.assertEqual(city["population"], sum(self.census_by_district.values()))
        self.assertAlmostEqual(city["iso37120_21_1"], city["green_area_ha"] / (city["population"] / 1e5), places=9)

    def test_district_table_lists_the_districts_with_their_census_population(self):
        tables = [table_rows(t) for t in self.section("indicators").xpath(".//table")]
        per_district = [t for t in tables if t and t[0][:2] == ["district", "population"]]
        self.assertEqual(len(per_district), 1, "no per-district table (district, population, ...) in 'indicators'")
        rows = {r[0]: r for r in per_district[0][1:]}
        for name, pop in self.census_by_district.items():
            self.assertIn(name, rows, f"district {name} missing from the per-district table")
            self.assertEqual(rows[name][1], f"{pop:,}", f"population of {name}")


# --------------------------------------------------------------------------- Delft

class DelftReport(ReportChecks, sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.run_project(copy_project(cls.tmp, "delft", extra=("kaohsiung",)))
        with open(cls.project.parent / "registry_FICTITIOUS.csv", encoding="utf-8-sig", newline="") as f:
            cls.registry = list(csv.DictReader(f))

    def test_delft_project_asks_for_the_report(self):
        self.assertIn("report", self.project_toml["project"]["outputs"])
        self.assertIn("maps", self.project_toml["project"]["outputs"])

    def test_baunits_figure_equals_the_registry(self):
        expected = len({r["建號"] for r in self.registry})
        value, _ = figures(self.page()).get("fig-baunits", (None, None))
        self.assertEqual(value, f"{expected:,}")

    def test_cadastral_findings_equal_units_report(self):
        report = json.loads((self.out / "units" / "report.json").read_text(encoding="utf-8"))
        by_code = {}
        for f in report["findings"]:
            if 800 <= int(f["code"]) < 900:
                by_code[int(f["code"])] = by_code.get(int(f["code"]), 0) + 1
        value, _ = figures(self.page()).get("fig-8xx", (None, None))
        self.assertEqual(value, f"{sum(by_code.values()):,}")
        tables = [table_rows(t) for t in self.section("units").xpath(".//table")]
        codes = [t for t in tables if t and t[0] == ["code", "name", "findings"]]
        if by_code:
            self.assertEqual(len(codes), 1, "no findings-by-code table in section 'units'")
            shown = {int(r[0]): int(as_number(r[2])) for r in codes[0][1:]}
            self.assertEqual(shown, by_code)
        else:
            # No finding: no empty table, and the section says every check passed.
            self.assertEqual(codes, [])
            self.assertIn("Every cadastral check passed.", text_of(self.section("units")))

    def test_pipes_section_lists_each_analysis(self):
        names = [a["name"] for a in self.project_toml["pipes"]["analyses"]]
        self.assertIn("gas_under_buildings", names)
        tables = [table_rows(t) for t in self.section("pipes").xpath(".//table")]
        listed = {r[0] for t in tables if t and t[0][:1] == ["analysis"] for r in t[1:]}
        for name in names:
            self.assertIn(name, listed, f"analysis {name} missing from the pipes table")
        counts = self.res.result["analyses"]["pipes"]["gas_under_buildings"]
        rows = [r for t in tables if t and t[0][:1] == ["analysis"] for r in t[1:]
                if r[0] == "gas_under_buildings" and r[2] == "pipes_under_buildings"]
        self.assertEqual(len(rows), 1)
        self.assertEqual(as_number(rows[0][3]), counts["pipes_under_buildings"])

    def test_validation_section_lists_each_imported_layer(self):
        layers = self.res.result["import"]["layers"]
        self.assertEqual({l["layer"] for l in layers}, {l["name"] for l in self.project_toml["layers"]})
        tables = [table_rows(t) for t in self.section("validation").xpath(".//table")]
        imported = [t for t in tables if t and t[0][:2] == ["layer", "read"]]
        self.assertEqual(len(imported), 1, "no 'Layers imported' table in section 'validation'")
        rows = {r[0]: r for r in imported[0][1:]}
        for l in layers:
            self.assertIn(l["layer"], rows, f"layer {l['layer']} missing from the validation table")
            cells = dict(zip(imported[0][0], rows[l["layer"]]))
            for column, key in (("read", "features_read"), ("imported", "features_imported"),
                                ("repaired", "features_repaired"), ("rejected", "features_rejected")):
                self.assertEqual(as_number(cells[column]), l[key], f"{l['layer']}: {column}")

    def test_report_holds_no_party_names_or_identity_numbers(self):
        self.page()
        secrets = {r["權利人"] for r in self.registry} | {r["統一編號"] for r in self.registry}
        self.assertGreater(len(secrets), 10)
        text = html.unescape(self.html)
        leaked = sorted(s for s in secrets if s and (s in self.html or s in text))
        self.assertEqual(leaked, [], "party names or identity numbers in report.html")


if __name__ == "__main__":
    sts.wait_for_binary()
    unittest.main(verbosity=2)
