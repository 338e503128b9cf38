#!/usr/bin/python3
"""End to end: `strata indicators` on the real Taipei data, against an independent GeoPandas run.

Runs `strata run tests/realdata/projects/taipei_indicators.toml` (import + indicators) and then
`strata indicators <project> --out DIR --threads 1` on the store it wrote, and compares both with
indicator_reference.py (GeoPandas / Shapely, following ../shared/domain/indicator-method.md):
  * both commands succeed; `indicators --json` prints the same document it writes;
  * 12 district rows, named and coded as in taipei_town.geojson;
  * population per district equals the reference (census male + female by village) exactly;
  * green_area_m2, green_area_ha, iso37120_21_1, permeable_paving_m2 and permeable_paving_share
    agree with the reference within 0.1 % (1 m² absolute floor), district_area_m2 within 1e-6;
    the largest difference per indicator is printed on stderr;
  * every row is consistent with itself (ha = m² / 10 000, 21.1, share);
  * the city row is the sum of the districts with its ratios recomputed, population 2,677,771,
    green ≈ 12,367 ha (method sanity figures), paving_target_progress = permeable / 39,237;
  * one thread and the default thread count give identical results;
  * indicators.csv holds the same 13 rows and values as indicators.json;
  * indicators.md holds a Markdown table naming all 12 districts;
  * indicators.gpkg layer indicators_district: 12 district polygons in EPSG:3826 carrying the
    same values;
  * provenance: engine, UTC time, CRS, every dataset with its real sha256 and feature counts,
    population source and vintage 2013-03, the parameters of the [indicators] section.
"""
import csv
import json
import math
import re
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import indicator_reference as reference  # noqa: E402
import strata_test_support as sts  # noqa: E402

PROJECT = sts.REPO_ROOT / "tests" / "realdata" / "projects" / "taipei_indicators.toml"
OUTPUT_NAME = "taipei_indicators"  # the project's output folder under $STRATA_TEST_OUT

# Sanity figures of indicator-method.md.
METHOD_POPULATION = 2_677_771
METHOD_CITY_GREEN_HA = 12_367
METHOD_GREEN_TOLERANCE = 0.005
PAVING_TARGET_M2 = 39237  # the project's paving_target_m2 (Taipei AP5.1)

PAVING_LAYERS = ["pav_pac", "pav_park", "pav_parking", "pav_school", "pav_sidewalk"]
# Layer -> source file, as in the project file; used to check the provenance paths and hashes.
LAYER_FILES = {
    "districts": reference.TOWNS,
    "villages": reference.VILLAGES,
    "green": reference.GREEN,
    **reference.PAVING,
}
LAYER_KINDS = {"districts": "district", "villages": "village", "green": "green",
               **{name: "paving" for name in PAVING_LAYERS}}

# ROW keys of notes/indicators_spec.md, in their order (also the CSV columns and GPKG fields).
ROW_KEYS = ["district_id", "district_name", "population", "district_area_m2", "green_area_m2",
            "green_area_ha", "iso37120_21_1", "permeable_paving_m2", "permeable_paving_share"]
CITY_ONLY_KEYS = ["paving_target_m2", "paving_target_progress"]

# strata and the reference clip and union the same polygons with different libraries (and may
# repair the 9 invalid ones differently), so their areas differ by rounding and by repair
# choices: 0.1 % relative. A relative bound alone is meaningless where the true value is ~0
# (大同區 has no green at all, 21.1 = 0 there), hence an absolute floor of 1 m², converted to
# each indicator's unit by ABS_FLOOR below.
REL_TOL = 1e-3
ABS_FLOOR_M2 = 1.0
COMPARED = ["green_area_m2", "green_area_ha", "iso37120_21_1", "permeable_paving_m2",
            "permeable_paving_share"]
# District polygons are only reprojected (PROJ on both sides), with no overlay: much tighter.
DISTRICT_AREA_REL_TOL = 1e-6
# Two representations of the same double (JSON vs CSV text, JSON vs GPKG REAL): any loss beyond
# printing precision is a bug.
SAME_VALUE_REL_TOL = 1e-9


def abs_floor(key: str, row: dict) -> float:
    """ABS_FLOOR_M2 expressed in the unit of indicator `key` for this (reference) row."""
    if key in ("green_area_m2", "permeable_paving_m2"):
        return ABS_FLOOR_M2
    if key == "green_area_ha":
        return ABS_FLOOR_M2 / 10_000
    if key == "iso37120_21_1":
        return ABS_FLOOR_M2 / 10_000 / (row["population"] / 100_000) if row["population"] else 0.0
    if key == "permeable_paving_share":
        return ABS_FLOOR_M2 / row["district_area_m2"]
    if key == "paving_target_progress":
        return ABS_FLOOR_M2 / row["paving_target_m2"]
    raise KeyError(key)


def close(got, want, rel: float, floor: float = 0.0) -> bool:
    if want is None or got is None:
        return got is None and want is None
    return abs(got - want) <= max(rel * abs(want), floor)


def rel_diff(got, want) -> float:
    if got == want:
        return 0.0
    return abs(got - want) / abs(want) if want else math.inf


class IndicatorsTaipeiTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ref = reference.compute(sts.data_dir(), PAVING_TARGET_M2)
        print(f"\n  reference (GeoPandas) computed in {cls.ref.seconds:.1f} s", file=sys.stderr)

        cls.run_result = cls.strata("run", PROJECT)
        cls.run_out = cls.tmp / OUTPUT_NAME
        # Second path: the indicators command on the store `run` just wrote, elsewhere, on one
        # thread (the kernel promises results independent of the thread count).
        cls.cli_out = cls.new_dir("indicators_cli")
        cls.cli_result = cls.strata("indicators", PROJECT, "--out", cls.cli_out, "--threads", "1")

    # ------------------------------------------------------------------ helpers

    def doc(self, out_dir: Path) -> dict:
        path = out_dir / "indicators.json"
        self.assertTrue(path.is_file(), f"{path} was not written" + self.run_result.describe()
                        + self.cli_result.describe())
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def outputs(self):
        """(label, output folder) of both paths, for checks that apply to each."""
        return [("run", self.run_out), ("indicators --out", self.cli_out)]

    def rows(self, doc: dict) -> dict:
        rows = {r["district_name"]: r for r in doc["districts"]}
        self.assertEqual(len(rows), len(doc["districts"]), "district names repeat")
        return rows

    def assertSameValue(self, got, want, what: str):
        """One value in two outputs of the same run: equal up to printing precision."""
        if isinstance(want, float) or isinstance(got, float):
            self.assertTrue(close(got, want, SAME_VALUE_REL_TOL), f"{what}: {got!r} != {want!r}")
        else:
            self.assertEqual(got, want, what)

    # ------------------------------------------------------------------ the commands

    def test_run_succeeds(self):
        self.assertExit(self.run_result, sts.EXIT_OK, "strata run taipei_indicators.toml")
        doc = self.assertJsonDoc(self.run_result, ok=True)
        self.assertEqual(doc["command"], "run")
        with open(self.run_out / "summary.json", encoding="utf-8") as f:
            summary = json.load(f)
        self.assertTrue(summary["ok"])
        self.assertEqual(summary["import"]["failures"], [])
        for name in ("indicators.json", "indicators.csv", "indicators.md", "indicators.gpkg"):
            self.assertTrue((self.run_out / name).is_file(), f"run did not write {name}")

    def test_indicators_command_succeeds(self):
        self.assertExit(self.cli_result, sts.EXIT_OK, "strata indicators --out")
        doc = self.assertJsonDoc(self.cli_result, ok=True)
        self.assertEqual(doc["command"], "indicators")
        # stdout carries the very document written to indicators.json, plus where the files went.
        result = dict(self.cli_result.result)
        self.assertEqual(set(result.pop("outputs")), {"json", "csv", "markdown", "gpkg"})
        self.assertEqual(result, self.doc(self.cli_out))
        for name in ("indicators.csv", "indicators.md", "indicators.gpkg"):
            self.assertTrue((self.cli_out / name).is_file(), f"indicators did not write {name}")

    def test_thread_count_does_not_change_results(self):
        run_doc, cli_doc = self.doc(self.run_out), self.doc(self.cli_out)
        self.assertEqual(cli_doc["provenance"]["parameters"]["threads"], 1)
        # Exact equality: the zonal kernel sums its tiles in a fixed order.
        self.assertEqual(cli_doc["districts"], run_doc["districts"])
        self.assertEqual(cli_doc["city"], run_doc["city"])

    # ------------------------------------------------------------------ values vs the reference

    def test_reference_sanity(self):
        # Guards the independent expectation itself against the method's figures.
        ref = self.ref
        self.assertEqual(len(ref.districts), 12)
        self.assertEqual(ref.city["population"], METHOD_POPULATION)
        self.assertAlmostEqual(ref.city["green_area_ha"] / METHOD_CITY_GREEN_HA, 1.0, delta=METHOD_GREEN_TOLERANCE)
        self.assertAlmostEqual(ref.green_raw_sum_m2 / 1e4 / 12_408, 1.0, delta=METHOD_GREEN_TOLERANCE)
        self.assertEqual(ref.districts["大同區"]["green_area_m2"], 0.0)
        self.assertEqual(ref.repairs["green"].invalid, 7)
        self.assertEqual(sum(ref.repairs[n].invalid for n in PAVING_LAYERS), 2)
        self.assertAlmostEqual(ref.repairs["green"].largest_change_m2, 3_000, delta=500)

    def test_twelve_districts(self):
        for label, out in self.outputs():
            with self.subTest(output=label):
                doc = self.doc(out)
                self.assertEqual(len(doc["districts"]), 12)
                rows = self.rows(doc)
                self.assertEqual(set(rows), set(self.ref.districts))
                for name, row in rows.items():
                    # district_id is the store id, mapped from CPTID in the project.
                    self.assertEqual(row["district_id"], self.ref.districts[name]["district_id"], name)
                    for key in CITY_ONLY_KEYS:  # the columns may exist, but are empty for districts
                        self.assertIsNone(row.get(key), f"{name}: {key}")
                self.assertEqual(doc["city"]["district_id"], "city")

    def test_population_equals_reference(self):
        rows = self.rows(self.doc(self.run_out))
        got = {name: r["population"] for name, r in rows.items()}
        want = {name: r["population"] for name, r in self.ref.districts.items()}
        self.assertEqual(got, want)
        for name, value in got.items():
            self.assertIs(type(value), int, f"{name}: population is not an integer")

    def test_values_agree_with_reference(self):
        doc = self.doc(self.run_out)
        pairs = [(name, row, self.ref.districts[name]) for name, row in self.rows(doc).items()]
        pairs.append(("city", doc["city"], self.ref.city))
        failures, report = [], []
        for key in ["district_area_m2", *COMPARED]:
            worst = (0.0, None, 0.0)  # (relative difference, where, absolute difference)
            for name, got_row, want_row in pairs:
                got, want = got_row.get(key), want_row[key]
                if key == "district_area_m2":
                    ok = close(got, want, DISTRICT_AREA_REL_TOL)
                else:
                    ok = close(got, want, REL_TOL, abs_floor(key, want_row))
                if not ok:
                    failures.append(f"{key} {name}: strata {got!r}, reference {want!r}")
                if got is not None and want:
                    d = rel_diff(got, want)
                    if d >= worst[0]:
                        worst = (d, name, abs(got - want))
            report.append(f"    {key:<24} largest relative difference {worst[0]:.3e}"
                          + (f" ({worst[1]}, {worst[2]:.4g} absolute)" if worst[1] else ""))
        zero_green = [n for n, _, w in pairs if w["green_area_m2"] == 0.0]
        report.append(f"    (compared with the {ABS_FLOOR_M2:g} m² floor only, reference 0: green in {zero_green})")
        print("\n  strata vs GeoPandas reference:\n" + "\n".join(report), file=sys.stderr)
        self.assertEqual(failures, [])

    def test_rows_are_consistent(self):
        doc = self.doc(self.run_out)
        for row in [*doc["districts"], doc["city"]]:
            with self.subTest(district=row["district_name"]):
                self.assertSameValue(row["green_area_ha"], row["green_area_m2"] / 10_000, "green_area_ha")
                self.assertSameValue(row["iso37120_21_1"],
                                     reference.iso37120_21_1(row["green_area_m2"], row["population"]),
                                     "iso37120_21_1")
                self.assertSameValue(row["permeable_paving_share"],
                                     row["permeable_paving_m2"] / row["district_area_m2"],
                                     "permeable_paving_share")

    def test_city_row_is_the_sum_of_districts(self):
        doc = self.doc(self.run_out)
        city, districts = doc["city"], doc["districts"]
        self.assertEqual(city["population"], sum(r["population"] for r in districts))
        for key in ("district_area_m2", "green_area_m2", "permeable_paving_m2"):
            self.assertSameValue(city[key], math.fsum(r[key] for r in districts), f"city {key}")
        # Ratios recomputed from the sums (not summed or averaged per district).
        self.assertSameValue(city["iso37120_21_1"],
                             reference.iso37120_21_1(city["green_area_m2"], city["population"]),
                             "city iso37120_21_1")
        self.assertSameValue(city["permeable_paving_share"],
                             city["permeable_paving_m2"] / city["district_area_m2"], "city share")

    def test_method_sanity_figures(self):
        city = self.doc(self.run_out)["city"]
        self.assertEqual(city["population"], METHOD_POPULATION)
        self.assertAlmostEqual(city["green_area_ha"] / METHOD_CITY_GREEN_HA, 1.0, delta=METHOD_GREEN_TOLERANCE)
        datong = self.rows(self.doc(self.run_out))["大同區"]
        self.assertLessEqual(datong["green_area_m2"], ABS_FLOOR_M2, "大同區 has no green in this layer")

    def test_paving_target_progress(self):
        city = self.doc(self.run_out)["city"]
        self.assertEqual(city["paving_target_m2"], PAVING_TARGET_M2)
        self.assertSameValue(city["paving_target_progress"], city["permeable_paving_m2"] / PAVING_TARGET_M2,
                             "paving_target_progress")
        self.assertTrue(close(city["paving_target_progress"], self.ref.city["paving_target_progress"],
                              REL_TOL, abs_floor("paving_target_progress", self.ref.city)))

    # ------------------------------------------------------------------ the other outputs

    def test_csv_matches_json(self):
        for label, out in self.outputs():
            with self.subTest(output=label):
                doc = self.doc(out)
                with open(out / "indicators.csv", encoding="utf-8", newline="") as f:
                    reader = csv.DictReader(f)
                    header = reader.fieldnames
                    table = list(reader)
                # The ROW keys in spec order, then (only) the city-only columns.
                self.assertEqual(header[:len(ROW_KEYS)], ROW_KEYS)
                self.assertLessEqual(set(header[len(ROW_KEYS):]), set(CITY_ONLY_KEYS), header)
                # Same rows: the 12 districts and the city row.
                json_rows = {r["district_id"]: r for r in [*doc["districts"], doc["city"]]}
                csv_rows = {r["district_id"]: r for r in table}
                self.assertEqual(len(table), 13)
                self.assertEqual(set(csv_rows), set(json_rows))
                for rid, crow in csv_rows.items():
                    jrow = json_rows[rid]
                    for key in header:
                        text, want = crow[key], jrow.get(key)
                        what = f"{rid} {key}"
                        if want is None:
                            self.assertEqual(text, "", what)
                        elif isinstance(want, str):
                            self.assertEqual(text, want, what)
                        elif isinstance(want, int):
                            self.assertEqual(int(text), want, what)
                        else:
                            self.assertSameValue(float(text), float(want), what)

    def test_markdown_table(self):
        text = (self.run_out / "indicators.md").read_text(encoding="utf-8")
        table_lines = [line for line in text.splitlines() if line.lstrip().startswith("|")]
        self.assertTrue(any(re.match(r"^\s*\|(\s*:?-{3,}:?\s*\|)+\s*$", line) for line in table_lines),
                        "no Markdown table separator line (|---|...)\n" + text[:2000])
        for name in self.ref.districts:
            self.assertTrue(any(name in line for line in table_lines), f"{name} is not in the table")

    def test_gpkg_layer(self):
        import geopandas as gpd
        gpkg = self.run_out / "indicators.gpkg"
        self.assertIn("indicators_district", sts.gpkg_tables(gpkg))
        self.assertEqual(sts.gpkg_srs_id(gpkg, "indicators_district"), ("EPSG", 3826))
        frame = gpd.read_file(gpkg, layer="indicators_district")
        self.assertEqual(len(frame), 12)
        self.assertEqual(frame.crs.to_epsg(), 3826)
        self.assertLessEqual(set(ROW_KEYS), set(frame.columns))
        json_rows = self.rows(self.doc(self.run_out))
        self.assertEqual(set(frame["district_name"]), set(json_rows))
        for rec in frame.to_dict("records"):
            name = rec["district_name"]
            jrow = json_rows[name]
            with self.subTest(district=name):
                for key in ROW_KEYS:
                    value = rec[key]
                    if isinstance(value, float) and math.isnan(value):
                        value = None  # GeoPandas reads SQL NULL in a REAL column as NaN
                    if key == "population":
                        value = int(value)
                    self.assertSameValue(value, jrow[key], key)
                # The polygons are the districts the areas were measured on.
                self.assertTrue(close(rec["geometry"].area, jrow["district_area_m2"], DISTRICT_AREA_REL_TOL))

    # ------------------------------------------------------------------ provenance

    def test_provenance(self):
        doc = self.doc(self.run_out)
        prov = doc["provenance"]
        self.assertTrue(prov["engine"].startswith("strata "), prov["engine"])
        when = datetime.fromisoformat(prov["computed_at"].replace("Z", "+00:00"))
        self.assertIsNotNone(when.utcoffset(), "computed_at has no time zone")
        self.assertEqual(when.utcoffset().total_seconds(), 0, "computed_at is not UTC")
        self.assertEqual(prov["crs"], "EPSG:3826")

        datasets = prov["datasets"]
        listed = {d.get("layer") for d in datasets}
        self.assertLessEqual({"districts", "green", *PAVING_LAYERS}, listed)
        repaired_report = []
        for d in datasets:
            with self.subTest(dataset=d.get("layer") or d.get("dataset")):
                path = Path(d["dataset"])
                self.assertTrue(path.is_file(), f"{path} does not exist")
                self.assertEqual(d["sha256"], sts.sha256_file(path))
                layer = d.get("layer")
                if layer in LAYER_FILES:
                    expected = sts.data_path(str(LAYER_FILES[layer]))
                    self.assertEqual(path.resolve(), expected.resolve())
                    self.assertEqual(d["sha256"], sts.sha256_file(expected))
                    self.assertEqual(d["kind"], LAYER_KINDS[layer])
                if layer in self.ref.repairs:
                    # Every source feature is imported (some after repair); none is rejected,
                    # which would silently shrink an area.
                    self.assertEqual(d["features_rejected"], 0)
                    self.assertEqual(d["features_imported"] + d["features_repaired"],
                                     self.ref.repairs[layer].features)
                    repaired_report.append(f"{layer} {d['features_repaired']} (GEOS: {self.ref.repairs[layer].invalid})")
        print("\n  features repaired by strata: " + ", ".join(repaired_report), file=sys.stderr)

        pop = prov["population"]
        self.assertEqual(pop["layer"], "districts")
        self.assertEqual(pop["field"], "population")
        self.assertEqual(pop["vintage"], "2013-03")
        self.assertTrue(pop["source"], "population source is empty")

        params = prov["parameters"]
        selected = params["layers"]
        self.assertEqual([s["layer"] for s in selected["green"]], ["green"])
        self.assertEqual(sorted(s["layer"] for s in selected["paving"]), sorted(PAVING_LAYERS))
        # Whole layers (no field filter): every stored polygon is read.
        for s in selected["green"] + selected["paving"]:
            self.assertIsNone(s["field"], s)
            self.assertEqual(s["polygons"], self.ref.repairs[s["layer"]].features, s)
        self.assertEqual(params["paving_target_m2"], PAVING_TARGET_M2)
        self.assertIsInstance(params["threads"], int)
        self.assertGreaterEqual(params["threads"], 1)

    def test_indicator_definitions(self):
        defs = {d["key"]: d for d in self.doc(self.run_out)["indicators"]}
        self.assertIn("iso37120_21_1", defs)
        self.assertEqual(defs["iso37120_21_1"]["iso37120_2018"], "21.1")
        self.assertEqual(defs["iso37120_21_1"]["iso37120_2014"], "19.1")
        for d in defs.values():
            self.assertTrue(d.get("name") and d.get("unit") and d.get("formula"), d)


if __name__ == "__main__":
    sts.main()
