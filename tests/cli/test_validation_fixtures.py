#!/usr/bin/python3
"""End to end: `strata validate` on the hand-written fixtures in tests/fixtures/validation/, one
(or a few) per val3dity error code strata reports, plus valid shapes.

Needs no ../shared/data: the fixtures ship with the repository (their README.md says what each
one is). For every fixture: the set of codes in result.error_codes, `valid`, the exit code
(0 valid, 7 invalid, 4 unreadable) and the codes of the --report file must be the expected ones;
for a few, the report must name the right face / shell and a location near the defect; the
human-readable output must say VALID / INVALID and list the codes.

The overlap-tolerance and flipped-face cases were first written as expected failures by a
reviewer; strata was fixed (inradius of the common part; the reversed polygon is named)."""
import json
import math
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

FIXTURES = sts.REPO_ROOT / "tests" / "fixtures" / "validation"
OUTER = "outer_cube_3m.poly"  # outer shell of the --ishell cases

EXIT_VALID = sts.EXIT_OK
EXIT_INVALID = 7
EXIT_UNREADABLE = sts.EXIT_INPUT_DATA


def ishell(inner: str) -> tuple:
    """The outer 3 m cube with `inner` as its inner shell."""
    return (OUTER, "--ishell", inner)


# (name of the case, arguments after `validate` (fixture names are relative to FIXTURES),
#  expected set of codes, expected exit code)
CASES = [
    # valid shapes
    ("valid_cube.poly", ("valid_cube.poly",), set(), EXIT_VALID),
    ("valid_cube.off", ("valid_cube.off",), set(), EXIT_VALID),
    ("valid_cube.obj", ("valid_cube.obj",), set(), EXIT_VALID),
    ("valid_l_prism.poly", ("valid_l_prism.poly",), set(), EXIT_VALID),
    ("outer_cube_3m.poly", (OUTER,), set(), EXIT_VALID),
    # A hole whose vertex lies on an edge of the outer ring touches it at one point: valid
    # (ISO 19107, val3dity); it was 104 while the triangulation refused T-junctions.
    ("hole touching the outer ring at one point",
     ("valid_hole_touching_outer_edge.poly", "--primitive", "MultiSurface"), set(), EXIT_VALID),
    ("valid cavity", ishell("valid_cavity_ishell.poly"), set(), EXIT_VALID),
    ("valid_building_parts.city.json", ("valid_building_parts.city.json",), set(), EXIT_VALID),
    ("valid_composite_solid.city.json", ("valid_composite_solid.city.json",), set(), EXIT_VALID),
    # 1xx rings
    ("101", ("101_too_few_points.poly",), {101}, EXIT_INVALID),
    ("102", ("102_consecutive_points_same.poly",), {102}, EXIT_INVALID),
    ("103 (CityGML ring not closed)", ("103_ring_not_closed.gml",), {103}, EXIT_INVALID),
    ("104", ("104_ring_self_intersection.poly",), {104}, EXIT_INVALID),
    # An exactly collinear triangle is 104, as val3dity says ("outer ring (a triangle) is collapsed
    # to a line"); strata never reports 105, which val3dity does not either.
    ("105 as val3dity: 104", ("105_ring_collapsed.poly",), {104}, EXIT_INVALID),
    # 2xx polygons
    ("201", ("201_intersection_rings.poly",), {201}, EXIT_INVALID),
    ("202", ("202_duplicated_rings.poly",), {202}, EXIT_INVALID),
    ("203", ("203_non_planar_distance.poly",), {203}, EXIT_INVALID),
    ("203 within a looser distance tolerance",
     ("203_non_planar_distance.poly", "--planarity-d2p-tol", "0.03"), set(), EXIT_VALID),
    ("204", ("204_non_planar_normals.poly",), {204}, EXIT_INVALID),
    ("204 within a looser angle tolerance",
     ("204_non_planar_normals.poly", "--planarity-n-tol", "80"), set(), EXIT_VALID),
    ("205", ("205_interior_disconnected.poly",), {205}, EXIT_INVALID),
    ("206", ("206_inner_ring_outside.poly",), {206}, EXIT_INVALID),
    ("207", ("207_inner_rings_nested.poly",), {207}, EXIT_INVALID),
    ("208", ("208_orientation_rings_same.poly",), {208}, EXIT_INVALID),
    # 3xx shells
    ("301", ("301_too_few_polygons.poly",), {301}, EXIT_INVALID),
    ("302", ("302_shell_not_closed.poly",), {302}, EXIT_INVALID),
    ("302 read as a CompositeSurface (no closure needed)",
     ("302_shell_not_closed.poly", "--primitive", "CompositeSurface"), set(), EXIT_VALID),
    ("302 read as a MultiSurface",
     ("302_shell_not_closed.poly", "--primitive", "MultiSurface"), set(), EXIT_VALID),
    ("303 parts touching at a vertex", ("303_touching_at_vertex.poly",), {303}, EXIT_INVALID),
    ("303 edge shared by 3 polygons", ("303_edge_three_polygons.poly",), {303}, EXIT_INVALID),
    ("303 cubes sharing an edge", ("303_cubes_sharing_edge.poly",), {303}, EXIT_INVALID),
    ("305", ("305_multiple_connected_components.poly",), {305}, EXIT_INVALID),
    ("306", ("306_shell_self_intersection.poly",), {306}, EXIT_INVALID),
    ("307", ("307_polygon_wrong_orientation.poly",), {307}, EXIT_INVALID),
    ("307 read as a CompositeSurface (orientation still checked)",
     ("307_polygon_wrong_orientation.poly", "--primitive", "CompositeSurface"), {307}, EXIT_INVALID),
    ("307 read as a MultiSurface (polygons only)",
     ("307_polygon_wrong_orientation.poly", "--primitive", "MultiSurface"), set(), EXIT_VALID),
    ("201 read as a MultiSurface (polygons still checked)",
     ("201_intersection_rings.poly", "--primitive", "MultiSurface"), {201}, EXIT_INVALID),
    # 4xx solids (outer cube + inner shell)
    ("401", ishell("401_ishell_intersection_shells.poly"), {401}, EXIT_INVALID),
    ("402", ishell("402_ishell_duplicated_shells.poly"), {402}, EXIT_INVALID),
    ("403", ishell("403_ishell_inner_shell_outside.poly"), {403}, EXIT_INVALID),
    ("404", ishell("404_ishell_interior_disconnected.poly"), {404}, EXIT_INVALID),
    ("405 inner shell facing out", ishell("405_ishell_wrong_orientation.poly"), {405}, EXIT_INVALID),
    ("405 outer shell facing in", ("405_inverted_cube.poly",), {405}, EXIT_INVALID),
    ("an inner shell on its own is an inverted solid", ("valid_cavity_ishell.poly",), {405}, EXIT_INVALID),
    # 5xx composite solids, 6xx buildings
    ("501", ("501_intersection_solids.city.json",), {501}, EXIT_INVALID),
    ("502", ("502_duplicated_solids.city.json",), {502}, EXIT_INVALID),
    ("503", ("503_disconnected_solids.city.json",), {503}, EXIT_INVALID),
    ("601", ("601_building_parts_overlap.city.json",), {601}, EXIT_INVALID),
    # The parts overlap by 0.5 m: shrinking both by 0.3 m removes it, by 0.2 m does not.
    ("601 within the overlap tolerance",
     ("601_building_parts_overlap.city.json", "--overlap-tol", "0.3"), set(), EXIT_VALID),
    ("601 beyond the overlap tolerance",
     ("601_building_parts_overlap.city.json", "--overlap-tol", "0.2"), {601}, EXIT_INVALID),
    # several objects, several codes
    ("mixed", ("mixed_302_307.city.json",), {302, 307}, EXIT_INVALID),
    # 9xx input
    ("901 .obj index 0", ("901_obj_index_zero.obj",), {901}, EXIT_UNREADABLE),
    ("901 truncated CityJSON", ("901_truncated.city.json",), {901}, EXIT_UNREADABLE),
    # One geometry dropped by the reader: the file is read, the result is invalid.
    ("901 vertex index out of range", ("901_vertex_index_out_of_range.city.json",), {901}, EXIT_INVALID),
    ("901 missing file", ("no_such_file.poly",), {901}, EXIT_UNREADABLE),
    ("902 .obj without faces", ("902_empty_primitive.obj",), {902}, EXIT_INVALID),
    ("902 CityJSON without city objects", ("902_no_city_objects.city.json",), {902}, EXIT_INVALID),
]

# Files of the fixture folder that are documentation, not fixtures.
DOC_FILES = {"README.md"}


def fixture_args(args: tuple) -> list:
    """The arguments with fixture names made absolute: every argument that is not an option or
    an option's value (the value of --ishell is a fixture too)."""
    out, after_option = [], False
    for a in args:
        if a.startswith("--"):
            out.append(a)
            after_option = a != "--ishell"
            continue
        out.append(a if after_option else str(FIXTURES / a))
        after_option = False
    return out


def report_errors(report: dict) -> list:
    """Every error of a --report file: the features' and the file's."""
    errors = [dict(e, feature=f["id"]) for f in report["features"] for e in f["errors"]]
    return errors + list(report["file_errors"])


def distance(a, b) -> float:
    return math.dist(a, b)


class ValidationFixtures(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.runs = {}  # case name -> (StrataResult, report dict or None)
        for i, (name, args, _, _) in enumerate(CASES):
            report = cls.tmp / f"report_{i}.json"
            res = cls.strata("validate", *fixture_args(args), "--report", report)
            doc = json.loads(report.read_text(encoding="utf-8")) if report.exists() else None
            cls.runs[name] = (res, doc)

    def run_of(self, name: str):
        return self.runs[name]

    def validate(self, *args, **kwargs):
        return self.strata("validate", *fixture_args(args), **kwargs)

    # ------------------------------------------------------------------ every fixture

    def test_codes_validity_and_exit_code_of_every_fixture(self):
        for name, args, codes, exit_code in CASES:
            with self.subTest(case=name):
                res, _ = self.run_of(name)
                self.assertExit(res, exit_code, name)
                if exit_code != EXIT_UNREADABLE:
                    self.assertJsonDoc(res, ok=True)
                # (an unreadable file still gets a validate result, its error in file_errors)
                self.assertEqual(set(res.result["error_codes"]), codes, name + res.describe())
                self.assertEqual(res.result["error_codes"], sorted(set(res.result["error_codes"])),
                                 "error_codes is not sorted and distinct" + res.describe())
                self.assertEqual(res.result["valid"], not codes, name + res.describe())
                self.assertEqual({int(c) for c in res.result["errors_by_code"]}, codes, name)

    def test_report_holds_the_same_codes_as_the_summary(self):
        for name, args, codes, _ in CASES:
            with self.subTest(case=name):
                res, report = self.run_of(name)
                self.assertIsNotNone(report, f"{name}: no --report file written" + res.describe())
                self.assertEqual({e["code"] for e in report_errors(report)}, codes, name)
                self.assertEqual(report["error_codes"], res.result["error_codes"], name)
                for e in report_errors(report):
                    self.assertTrue(e.get("name"), f"{name}: error without a name: {e}")
                    self.assertTrue(e.get("detail"), f"{name}: error without a detail: {e}")

    def test_every_fixture_file_is_used_and_listed_in_the_readme(self):
        used = set()
        for _, args, _, _ in CASES:
            used.update(a for a in args if (FIXTURES / a).is_file())
        on_disk = {p.name for p in FIXTURES.iterdir() if p.is_file()} - DOC_FILES
        self.assertEqual(on_disk - used, set(), "fixture files no case uses")
        readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
        for name in sorted(on_disk):
            self.assertIn(name, readme, f"{name} is not described in the fixtures' README.md")

    # ------------------------------------------------------------------ element paths, locations

    def errors_of(self, name: str, code: int) -> list:
        res, report = self.run_of(name)
        errors = [e for e in report_errors(report) if e["code"] == code]
        self.assertTrue(errors, f"{name}: no {code} in the report" + res.describe())
        return errors

    def assertNear(self, location, expected, tolerance: float, what: str):
        self.assertIsNotNone(location, f"{what}: no location")
        self.assertLessEqual(distance(location, expected), tolerance,
                             f"{what}: location {location} is not within {tolerance} of {expected}")

    def test_report_names_the_ring_and_face_of_a_ring_error(self):
        (e,) = self.errors_of("102", 102)
        self.assertEqual((e["shell"], e["face"], e["ring"]), (0, 1, 0), e)
        self.assertNear(e["location"], (1, 1, 1), 0.001, "102")
        (e,) = self.errors_of("101", 101)
        self.assertEqual((e["shell"], e["face"], e["ring"]), (0, 1, 0), e)

    def test_report_locates_a_fold(self):
        (e,) = self.errors_of("204", 204)
        self.assertEqual(e["face"], 1, e)
        self.assertNear(e["location"], (1.0, 0.5, 1.0), 0.05, "204 (the notch triangle 8-9-10)")

    def test_report_locates_the_open_edges(self):
        errors = self.errors_of("302", 302)
        # The four edges around the missing top: each reported at its midpoint, on a side face.
        self.assertEqual(len(errors), 4, errors)
        self.assertEqual({e["face"] for e in errors}, {1, 2, 3, 4}, errors)
        got = sorted(tuple(e["location"]) for e in errors)
        self.assertEqual(got, sorted([(0.5, 0.0, 1.0), (1.0, 0.5, 1.0), (0.5, 1.0, 1.0), (0.0, 0.5, 1.0)]))

    def test_report_locates_non_manifold_vertex_and_edge(self):
        (e,) = self.errors_of("303 parts touching at a vertex", 303)
        self.assertNear(e["location"], (1, 1, 1), 1e-9, "303 vertex")
        (e,) = self.errors_of("303 edge shared by 3 polygons", 303)
        self.assertNear(e["location"], (1, 0.5, 1), 1e-9, "303 edge 5-6 (midpoint)")

    def test_report_locates_the_self_intersection_on_the_floor(self):
        (e,) = self.errors_of("306", 306)
        self.assertIn(e["face"], {0, 5, 6, 7, 8}, e)  # the floor or a roof triangle
        x, y, z = e["location"]
        self.assertTrue(0 <= x <= 1 and 0 <= y <= 1 and abs(z) < 1e-9, e)

    def test_report_names_the_flipped_face(self):
        # The top face (face 1) is the one listed clockwise: the report must name it, not one of
        # its neighbours.
        errors = self.errors_of("307", 307)
        self.assertIn(1, {e["face"] for e in errors}, errors)

    def test_report_names_the_inner_shell(self):
        for name, code in (("401", 401), ("402", 402), ("403", 403),
                           ("405 inner shell facing out", 405)):
            with self.subTest(case=name):
                (e,) = self.errors_of(name, code)
                self.assertEqual(e["shell"], 1, e)
        (e,) = self.errors_of("401", 401)
        x, y, z = e["location"]  # on the outer cube's surface, where the cavity crosses it
        self.assertTrue(2 <= x <= 3 and 2 <= y <= 3 and 2 <= z <= 3, e)
        (e,) = self.errors_of("405 outer shell facing in", 405)
        self.assertEqual(e["shell"], 0, e)

    def test_report_locates_overlaps_in_real_coordinates(self):
        # The CityJSON fixtures are translated by (85000, 446000, 0): locations are in that CRS.
        (e,) = self.errors_of("501", 501)
        self.assertEqual((e["feature"], e["solid"]), ("overlapping-cubes", 1), e)
        x, y, z = e["location"]  # within the common box (5..10)^3 + translation
        self.assertTrue(85005 <= x <= 85010 and 446005 <= y <= 446010 and 5 <= z <= 10, e)
        (e,) = self.errors_of("601", 601)
        self.assertEqual(e["feature"], "B1", e)  # reported on the building, naming both parts
        self.assertIn("B1-P1", e["detail"])
        self.assertIn("B1-P2", e["detail"])
        x, y, z = e["location"]  # within the 0.5 m common slab
        self.assertTrue(85009.5 <= x <= 85010 and 446000 <= y <= 446010 and 0 <= z <= 10, e)

    def test_dropped_geometry_is_an_error_of_its_object(self):
        res, report = self.run_of("901 vertex index out of range")
        self.assertEqual(report["file_errors"], [])
        feature = next(f for f in report["features"] if f["id"] == "B1-P2")
        self.assertEqual(feature["status"], "invalid", feature)
        (e,) = feature["errors"]
        self.assertEqual((e["code"], e["id"]), (901, "B1-P2"), e)
        self.assertIn("out of range", e["detail"])

    def test_summary_counts_objects(self):
        res, _ = self.run_of("mixed")
        r = res.result
        self.assertEqual((r["objects"], r["objects_valid"], r["objects_invalid"]), (3, 1, 2), res.describe())
        self.assertEqual(r["errors_by_code"]["302"]["count"], 4, res.describe())
        self.assertEqual(r["errors_by_code"]["307"]["name"], "POLYGON_WRONG_ORIENTATION", res.describe())
        res, _ = self.run_of("valid_building_parts.city.json")
        r = res.result
        self.assertEqual((r["objects"], r["objects_valid"], r["objects_without_geometry"]), (3, 2, 1))
        self.assertEqual(r["format"], "CityJSON", res.describe())

    # ------------------------------------------------------------------ overlap tolerance

    def test_overlap_tolerance_on_a_deep_overlap(self):
        # The two cubes of 501 share a 5 x 5 x 5 m box. Shrinking both by 1 m (val3dity's rule,
        # docs/validation.md) leaves a 3 m overlap, so 501 must stay.
        res = self.validate("501_intersection_solids.city.json", "--overlap-tol", "1")
        self.assertEqual(res.result["error_codes"], [501], res.describe())

    def test_overlap_tolerance_just_below_half_the_overlap(self):
        # The parts of 601 overlap by a 0.5 m slab; shrinking both by 0.24 m leaves 0.02 m, so
        # 601 must stay.
        res = self.validate("601_building_parts_overlap.city.json", "--overlap-tol", "0.24")
        self.assertEqual(res.result["error_codes"], [601], res.describe())

    # ------------------------------------------------------------------ human-readable output

    def test_human_readable_output(self):
        res = self.validate("valid_cube.poly", json_output=False)
        self.assertExit(res, EXIT_VALID)
        self.assertIn("VALID", res.stdout)
        self.assertNotIn("INVALID", res.stdout)

        res = self.validate("mixed_302_307.city.json", json_output=False)
        self.assertExit(res, EXIT_INVALID)
        self.assertIn("INVALID", res.stdout)
        for fragment in ("302 SHELL_NOT_CLOSED", "307 POLYGON_WRONG_ORIENTATION", "3 objects, 1 valid, 2 invalid"):
            self.assertIn(fragment, res.stdout, res.describe())

        res = self.validate(*ishell("404_ishell_interior_disconnected.poly"), json_output=False)
        self.assertExit(res, EXIT_INVALID)
        self.assertIn("INVALID", res.stdout)
        self.assertIn("404", res.stdout)

        res = self.validate("901_truncated.city.json", json_output=False)
        self.assertExit(res, EXIT_UNREADABLE)
        self.assertIn("INVALID", res.stdout)
        self.assertIn("901 INVALID_INPUT_FILE", res.stdout)


if __name__ == "__main__":
    sts.wait_for_binary()
    unittest.main(verbosity=2)
