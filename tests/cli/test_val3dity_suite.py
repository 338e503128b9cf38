"""strata validate against the val3dity test suite (../shared/data/val3dity_test_suite).

The expected error codes of every case listed in the suite's test_metadata.yml are in
tests/realdata/val3dity_cases.json (taken from val3dity's own pytest files, see its "source").
For every case strata's set of codes must equal the expected set, except the cases listed in
KNOWN_DIFFERENCES below, each with its reason; those are documented in docs/validation.md and
must still give exactly the codes listed here (so the documentation cannot go stale: fixing one
makes this test fail until it is removed from the list).
"""
from __future__ import annotations

import json
import sys
import unittest
from pathlib import Path

import strata_test_support as sts

CASES = json.loads((sts.REPO_ROOT / "tests" / "realdata" / "val3dity_cases.json").read_text())["cases"]

# file (relative to the suite) -> (codes strata reports, reason)
KNOWN_DIFFERENCES = {
    "test_empty/empty_primitive_1.json": (
        [901], "declares CityJSON version 0.1: strata refuses legacy CityJSON (0.x) as a whole file"),
    "test_file_format/invalid_schema_cityjson_2.json": (
        [901], "val3dity is expected to crash on the bad vertex index; strata drops that geometry and reports 901"),
    "test_geometry_generic/207_2.poly": (
        [208], "nested holes written as a separate .poly facet whose hole has its outer ring's orientation; "
               "upstream never tests this file (expected 207 is only probable)"),
    "test_geometry_generic/307.poly": (
        [307], "val3dity also reports 303 for a fully reversed face; strata's vertices there are manifold, "
               "so it reports the reversed polygon (307) only"),
}
for name in ("invalid_indoorgml_1", "invalid_indoorgml_2"):
    KNOWN_DIFFERENCES[f"test_file_format/{name}.gml"] = (
        [904], "an IndoorGML file: strata refuses IndoorGML (904) at its root element; val3dity reads "
               "IndoorGML and finds it broken (901)")
for name in ("igml_v1", "igml_v2", "igml_701", "igml_702", "igml_703_1", "igml_703_2", "igml_704_1", "igml_704_2"):
    KNOWN_DIFFERENCES[f"test_indoorgml/{name}.gml"] = (
        [904], "IndoorGML is refused by design (issue #3: strata reads CityGML/CityJSON buildings, not indoor models)")


def expected_codes(case: dict) -> list[int]:
    if case["expected"] is not None:
        return case["expected"]
    if "probable" in case:
        return case["probable"]
    if "expected_any_of" in case:
        return case["expected_any_of"][0]
    return [901]  # val3dity crashes (invalid_schema_cityjson_2): strata must at least refuse it


class Val3dityTestSuite(sts.StrataTestCase):
    suite: Path

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.suite = sts.data_path("val3dity_test_suite")

    def validate(self, case: dict) -> tuple[list[int], sts.StrataResult]:
        args = ["validate", self.suite / case["files"][0]]
        for inner in case.get("inner_shells") or []:
            args += ["--ishell", self.suite / inner]
        for key, value in (case.get("options") or {}).items():
            args += ["--" + key.replace("_", "-"), str(value)]
        res = self.strata(*args)
        if res.doc is None or "result" not in res.doc:
            return [sts.error_of(res.doc)["code"]] if res.doc else [-1], res
        return res.result["error_codes"], res

    def test_every_case_agrees_or_is_a_documented_difference(self):
        agree, total, problems = 0, 0, []
        for case in CASES:
            total += 1
            got, res = self.validate(case)
            want = expected_codes(case)
            key = case["files"][0]
            if key in KNOWN_DIFFERENCES:
                listed, reason = KNOWN_DIFFERENCES[key]
                if got != listed:
                    problems.append(f"{case['case']} ({key}): listed as a known difference giving {listed} "
                                    f"({reason}), but strata now gives {got} (expected {want}); update the list "
                                    f"and docs/validation.md")
                continue
            if got == want:
                agree += 1
                # Exit codes follow the outcome: 0 valid, 7 invalid, 4 when the file cannot be read.
                self.assertIn(res.returncode, (0,) if not got else (4, 7), res.describe())
            else:
                problems.append(f"{case['case']} ({key}, options {case.get('options')}): expected {want}, got {got}")
        print(f"\nval3dity test suite: strata agrees on {agree} of {total} cases; "
              f"{len(KNOWN_DIFFERENCES)} documented differences", file=sys.stderr)
        self.assertEqual(problems, [])
        self.assertEqual(agree + len([c for c in CASES if c["files"][0] in KNOWN_DIFFERENCES]), total)

    def test_reports_locate_errors(self):
        # A polygon error names the face and a location on it: 203 is the top face of the cube.
        res = self.strata("validate", self.suite / "test_geometry_generic" / "203.poly",
                          "--report", self.tmp / "r.json")
        self.assertExit(res, 7)
        report = json.loads((self.tmp / "r.json").read_text())
        [feature] = report["features"]
        [error] = feature["errors"]
        self.assertEqual(error["code"], 203)
        self.assertIn("face", error)
        self.assertEqual(error["face"], 1)  # the top face, the second in the file
        self.assertEqual(error["location"], [0.0, 0.5, 1.5])  # its vertex off the plane

    def test_tolerances_change_the_outcome_as_documented(self):
        # Two cubes overlapping by 1 cm: an overlap error without tolerance, none with 1 cm.
        path = self.suite / "test_geometry_specific" / "501.json"
        self.assertEqual(self.strata("validate", path).result["error_codes"], [501])
        self.assertEqual(self.strata("validate", path, "--overlap-tol", "0.01").result["error_codes"], [])


if __name__ == "__main__":
    sts.main()
