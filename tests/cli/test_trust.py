#!/usr/bin/python3
"""End to end: can a user trust what `strata inspect` / `validate` / `import` say about a file?

  * CityGML axis order: the srsName's official order (EPSG:31467 and EPSG:4326 are north-first),
    east-first files in a north-first CRS (read the other way round, with a warning; --strict
    fails), an srsName PROJ cannot resolve (910, fixed with --crs), no srsName at all, and
    coordinates that fit the CRS in neither order (911);
  * implausible ordinates (abc, NaN, 1e400, 1e308) in CityGML and CityJSON: the object's geometry
    is left out with a message naming the object and the value; bad CityJSON headers (no
    transform in 2.0, unknown version, zero scale) are refused;
  * hostile nesting (200,000 levels) in CityJSON and CityJSONSeq, and broken CityJSONSeq lines:
    no crash, the rest is read, the bad parts are named (object id, line number);
  * a "billion laughs" CityGML file: refused quickly, in bounded memory;
  * real data regressions (PLATEAU EPSG:6697 lat/lon, Den Haag EPSG:28992);
  * a Taiwan layer with a Kinmen feature imported into a TM2 zone 121 store (EPSG:3826): the
    Kinmen feature is rejected naming its own zone, EPSG:3825;
  * Chinese-numeral shares in a `units build` registry (三分之一, 萬分之五千, 兩分之一, １０分之３,
    十分之七, 萬分之一二三四, 參分之壹, 一〇〇分之三 ...): no row rejected, every building number in
    the model with its units, the shares written exactly (fractions.Fraction) and summing to 1;
  * `units build --store missing.gpkg --save`: 960, exit 5, and no store (nor journal) created;
  * an empty GeoJSON imported with a field mapping is 901 "no features" (not 920); a Shapefile
    whose .dbf header is damaged is 901 naming the .dbf;
  * text from the data made inert: a district named `=HYPERLINK(...)` gets a `'` in front in
    indicators.csv (a village named `+...` in indicators_village.csv), `<script>...|**x**` is
    escaped in indicators.md and its `|` does not add a column;
  * stale `.writing-<pid>` temporaries of a dead process next to an export target are removed,
    those of a running process (this test) and of other targets are kept (gpkg and kml);
  * a join with multiple = "sum" whose rows differ in `name`: the first row's name, a 933 naming
    both values; a dissolve group with rejected members (921, 941): a 933 on the merged feature
    naming their fids, its geometry the union of the others (Shapely), its sums over the others;
  * `inspect` lists the city objects it does not read (`not_read`, counted with ElementTree), says
    so in its headline, and `--strict` fails on it (Den Haag tile with a TIN relief; a generated
    file with roads, relief and plant cover);
  * `pipes isolate`: the network length in metres for a US-feet CRS (ky4, vs ky4_pipes.geojson),
    the 910 warning (metres assumed, US customary units) without --crs, and a warning naming the
    control valves (PRV) closed as isolation valves in a network that has no others.

Every fixture except the real data is GENERATED here, into the test's temporary directory.
Expected coordinates are computed independently (the cube written, pyproj, ElementTree).
"""
import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

CITYGML_NS = "http://www.opengis.net/citygml/2.0"
BLDG_NS = "http://www.opengis.net/citygml/building/2.0"
GML_NS = "http://www.opengis.net/gml"

DEEP = 200_000  # nesting depth of the hostile JSON fixtures


# --------------------------------------------------------------------------- fixtures

def cube_faces(x0: float, y0: float, z0: float, size: float, height: float) -> list:
    """The 6 closed rings of a box (east, north, up), outward normals, counter-clockwise seen
    from outside, as val3dity wants them."""
    x1, y1, z1 = x0 + size, y0 + size, z0 + height
    quads = [
        [(x0, y0, z0), (x0, y1, z0), (x1, y1, z0), (x1, y0, z0)],  # bottom, normal -z
        [(x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)],  # top, +z
        [(x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)],  # south, -y
        [(x0, y1, z0), (x0, y1, z1), (x1, y1, z1), (x1, y1, z0)],  # north, +y
        [(x0, y0, z0), (x0, y0, z1), (x0, y1, z1), (x0, y1, z0)],  # west, -x
        [(x1, y0, z0), (x1, y1, z0), (x1, y1, z1), (x1, y0, z1)],  # east, +x
    ]
    return [q + [q[0]] for q in quads]


def extent_of(faces: list) -> list:
    pts = [p for ring in faces for p in ring]
    return [min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts)]


def num(v: float) -> str:
    return repr(float(v))


def poslist_text(ring: list, north_first: bool) -> str:
    out = []
    for e, n, z in ring:
        out += [num(n), num(e), num(z)] if north_first else [num(e), num(n), num(z)]
    return " ".join(out)


def citygml(buildings: list, srs_name=None, north_first: bool = False, bad=None) -> str:
    """A CityGML 2.0 file. `buildings`: [(gml_id, faces)]; each building is an lod1Solid of a
    CompositeSurface of its faces. `bad`: (building index, face index, token index, text) puts
    `text` in place of one number of one posList."""
    srs_attr = f' srsName="{srs_name}"' if srs_name else ""
    members = []
    for b, (gid, faces) in enumerate(buildings):
        surfaces = []
        for f, ring in enumerate(faces):
            text = poslist_text(ring, north_first)
            if bad and bad[0] == b and bad[1] == f:
                tokens = text.split()
                tokens[bad[2]] = bad[3]
                text = " ".join(tokens)
            surfaces.append(
                "              <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing>"
                f'<gml:posList srsDimension="3">{text}</gml:posList>'
                "</gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>")
        members.append(f"""  <cityObjectMember>
    <bldg:Building gml:id="{gid}">
      <bldg:lod1Solid>
        <gml:Solid{srs_attr}>
          <gml:exterior>
            <gml:CompositeSurface>
{chr(10).join(surfaces)}
            </gml:CompositeSurface>
          </gml:exterior>
        </gml:Solid>
      </bldg:lod1Solid>
    </bldg:Building>
  </cityObjectMember>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- GENERATED by tests/cli/test_trust.py -->
<CityModel xmlns="{CITYGML_NS}" xmlns:bldg="{BLDG_NS}" xmlns:gml="{GML_NS}">
{chr(10).join(members)}
</CityModel>
"""


def cube_boundaries(base: int) -> list:
    """Solid boundaries of a box whose 8 vertices start at `base`, in the order of cube_vertices."""
    # vertex k: bit 0 = x1, bit 1 = y1, bit 2 = z1
    v = lambda x, y, z: base + x + 2 * y + 4 * z  # noqa: E731
    quads = [
        [v(0, 0, 0), v(0, 1, 0), v(1, 1, 0), v(1, 0, 0)],
        [v(0, 0, 1), v(1, 0, 1), v(1, 1, 1), v(0, 1, 1)],
        [v(0, 0, 0), v(1, 0, 0), v(1, 0, 1), v(0, 0, 1)],
        [v(0, 1, 0), v(0, 1, 1), v(1, 1, 1), v(1, 1, 0)],
        [v(0, 0, 0), v(0, 0, 1), v(0, 1, 1), v(0, 1, 0)],
        [v(1, 0, 0), v(1, 1, 0), v(1, 1, 1), v(1, 0, 1)],
    ]
    return [[[q] for q in quads]]


def cube_vertices(x0, y0, z0, size, height) -> list:
    return [[x0 + size * (k & 1), y0 + size * ((k >> 1) & 1), z0 + height * ((k >> 2) & 1)] for k in range(8)]


def cityjson_building(base: int) -> dict:
    return {"type": "Building", "geometry": [{"type": "Solid", "lod": "1", "boundaries": cube_boundaries(base)}]}


TRANSFORM = {"scale": [0.001, 0.001, 0.001], "translate": [85000.0, 446000.0, 0.0]}


def apply_transform(v: list, t: dict = TRANSFORM) -> list:
    return [v[i] * t["scale"][i] + t["translate"][i] for i in range(3)]


def deep_array_text(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


def wait4_run(cmd: list, env: dict, timeout: float) -> tuple:
    """Runs cmd; returns (returncode, stdout, stderr, seconds, max RSS in KiB of that child
    alone, via wait4) or raises AssertionError after `timeout` seconds (the child is killed)."""
    import tempfile
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            if time.monotonic() - start > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                raise AssertionError(f"{' '.join(map(str, cmd))} did not return within {timeout} s (killed)")
            time.sleep(0.05)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                seconds, usage.ru_maxrss)


# --------------------------------------------------------------------------- shared assertions

class TrustCase(sts.StrataTestCase):
    def write(self, name: str, text: str) -> Path:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return path

    def assertNoSignal(self, res: sts.StrataResult) -> None:
        self.assertGreaterEqual(res.returncode, 0, "strata was killed by a signal" + res.describe())
        self.assertNotEqual(res.returncode, sts.EXIT_INTERNAL, "internal error" + res.describe())

    def assertExtent(self, got: list, want: list, tol: float, res=None) -> None:
        self.assertEqual(len(got), 4, got)
        for g, w, name in zip(got, want, ("xmin", "ymin", "xmax", "ymax")):
            self.assertAlmostEqual(g, w, delta=tol,
                                   msg=f"{name}: got {got}, want {want}" + (res.describe() if res else ""))

    def inspect_ok(self, path: Path, *extra) -> sts.StrataResult:
        res = self.strata("inspect", path, *extra)
        self.assertExit(res, sts.EXIT_OK, f"inspect {path.name}")
        self.assertJsonDoc(res, ok=True)
        return res

    def validate_report(self, path: Path, *extra) -> tuple:
        """(result, {object id: feature of the --report file})."""
        report = self.tmp / (path.name + f".report{time.monotonic_ns()}.json")
        res = self.strata("validate", path, "--report", report, *extra)
        self.assertNoSignal(res)
        features = {}
        if report.exists():
            features = {f["id"]: f for f in json.loads(report.read_text(encoding="utf-8"))["features"]}
        return res, features

    def issues_with(self, result: dict, status: str) -> list:
        return [i for i in result.get("issues", []) if i.get("status") == status]


# --------------------------------------------------------------------------- 1. CityGML axis order

# The cube in DHDN / 3-degree Gauss-Kruger zone 3 (EPSG:31467): near Stuttgart.
GK3_E, GK3_N = 3_513_000.0, 5_404_000.0
# ... and in zone 4 (EPSG:31468): near Munich.
GK4_E, GK4_N = 4_468_000.0, 5_333_000.0


class CityGmlAxisOrder(TrustCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gk3_faces = cube_faces(GK3_E, GK3_N, 250.0, 10.0, 10.0)
        cls.gk4_faces = cube_faces(GK4_E, GK4_N, 520.0, 10.0, 10.0)

    def test_premise_pyproj_says_where_the_cubes_are(self):
        """Independent of strata: EPSG:31467 is officially north-first; the cube read east-first lands in
        Baden-Württemberg, read the other way round it lands nowhere near Germany."""
        from pyproj import CRS, Transformer
        crs = CRS.from_epsg(31467)
        self.assertEqual([a.direction for a in crs.axis_info], ["north", "east"])
        to_ll = Transformer.from_crs(31467, 4326, always_xy=True)
        lon, lat = to_ll.transform(GK3_E, GK3_N)
        self.assertTrue(8.5 < lon < 9.5 and 48 < lat < 49.5, (lon, lat))
        w, s, e, n = crs.area_of_use.bounds
        lon2, lat2 = to_ll.transform(GK3_N, GK3_E)  # the east-first numbers taken as (north, east)
        self.assertFalse(w <= lon2 <= e and s <= lat2 <= n, (lon2, lat2))

    def test_a_east_first_in_north_first_crs_read_east_north_with_warning(self):
        path = self.write("gk3_east_first.gml",
                          citygml([("DEBW_east_first", self.gk3_faces)],
                                  "urn:ogc:def:crs,crs:EPSG::31467,crs:EPSG::5783", north_first=False))
        res = self.inspect_ok(path)
        got = res.result
        self.assertEqual(got["format"], "CityGML")
        self.assertEqual(got["crs"], "EPSG:31467", res.describe())
        extent = got["types"]["Building"]["extent"]
        self.assertExtent(extent, extent_of(self.gk3_faces), 1e-6, res)
        self.assertTrue(3.4e6 < extent[0] < 3.6e6 and 5.3e6 < extent[1] < 5.5e6, "x must be the easting" + res.describe())
        warnings = self.issues_with(got, "warning")
        self.assertEqual(len(warnings), 1, res.describe())
        self.assertIn("east, north", warnings[0]["message"], res.describe())
        self.assertEqual(self.issues_with(got, "rejected"), [], res.describe())
        self.assertEqual(got.get("warnings"), 1, res.describe())
        # The text output says it as well (not only --json).
        text = self.strata("inspect", path, json_output=False)
        self.assertExit(text, sts.EXIT_OK)
        self.assertIn("east, north", text.stdout, text.describe())

    def test_a_strict_turns_the_axis_warning_into_a_failure(self):
        path = self.write("gk3_east_first_strict.gml",
                          citygml([("DEBW_strict", self.gk3_faces)],
                                  "urn:ogc:def:crs,crs:EPSG::31467,crs:EPSG::5783", north_first=False))
        res = self.strata("--strict", "inspect", path)  # strata --json --strict inspect FILE
        self.assertExit(res, sts.EXIT_INPUT_DATA, "--strict with an axis-order warning")
        self.assertIsNotNone(res.doc, res.describe())
        # validate: the same warning is in its result, and --strict fails it too.
        val = self.strata("validate", path)
        self.assertExit(val, sts.EXIT_OK, "validate: the cube is valid, the warning does not change that")
        self.assertTrue(any("east, north" in w for w in val.result.get("warnings", [])), val.describe())
        val_strict = self.strata("--strict", "validate", path)
        self.assertExit(val_strict, sts.EXIT_INPUT_DATA, "validate --strict with an axis-order warning")

    def test_b_north_first_as_epsg_orders_it_no_warning(self):
        path = self.write("gk3_north_first.gml",
                          citygml([("DEBW_north_first", self.gk3_faces)],
                                  "urn:ogc:def:crs,crs:EPSG::31467,crs:EPSG::5783", north_first=True))
        res = self.inspect_ok(path)
        self.assertEqual(res.result["crs"], "EPSG:31467")
        self.assertExtent(res.result["types"]["Building"]["extent"], extent_of(self.gk3_faces), 1e-6, res)
        self.assertEqual(res.result["issues"], [], res.describe())
        strict = self.strata("--strict", "inspect", path)
        self.assertExit(strict, sts.EXIT_OK, "--strict without warnings")
        val = self.strata("validate", path)
        self.assertExit(val, sts.EXIT_OK, "the cube is a valid solid")
        self.assertEqual(val.result.get("warnings"), [], val.describe())

    def test_c_epsg_4326_latitude_first(self):
        lon0, lat0 = 4.36, 52.0  # Delft
        faces = cube_faces(lon0, lat0, 0.0, 0.0001, 10.0)
        path = self.write("delft_4326.gml",
                          citygml([("NL_delft", faces)], "urn:ogc:def:crs:EPSG::4326", north_first=True))
        # premise: the file's first number is the latitude
        first = ET.parse(path).getroot().find(f".//{{{GML_NS}}}posList").text.split()
        self.assertEqual(float(first[0]), lat0)
        res = self.inspect_ok(path)
        self.assertEqual(res.result["crs"], "EPSG:4326")
        extent = res.result["types"]["Building"]["extent"]
        self.assertExtent(extent, [lon0, lat0, lon0 + 0.0001, lat0 + 0.0001], 1e-9, res)
        self.assertEqual(res.result["issues"], [], res.describe())

    def test_d_unresolvable_srsname_is_refused_naming_it_and_crs_option(self):
        srs = "urn:adv:crs:DE_DHDN_3GK4*DE_DHN92_NH"
        path = self.write("adv_unresolvable.gml",
                          citygml([("DEBY_adv", self.gk4_faces)], srs, north_first=False))
        for command in ("inspect", "validate"):
            with self.subTest(command=command):
                res = self.strata(command, path)
                self.assertNoSignal(res)
                self.assertExit(res, sts.EXIT_INPUT_DATA)
                if command == "inspect":
                    err = self.assertError(res, sts.EXIT_INPUT_DATA, 910, "CRS_MISSING")
                    message = err["message"]
                else:
                    errs = res.result["file_errors"]
                    self.assertEqual([e["code"] for e in errs], [910], res.describe())
                    message = errs[0]["detail"]
                self.assertIn(srs, message, "the message must name the srsName")
                self.assertIn("--crs", message, "the message must name the option that fixes it")

    def test_d_crs_override_official_order(self):
        path = self.write("adv_north_first.gml",
                          citygml([("DEBY_adv_nf", self.gk4_faces)], "urn:adv:crs:DE_DHDN_3GK4*DE_DHN92_NH",
                                  north_first=True))
        res = self.inspect_ok(path, "--crs", "EPSG:31468")
        self.assertEqual(res.result["crs"], "EPSG:31468", res.describe())
        self.assertExtent(res.result["types"]["Building"]["extent"], extent_of(self.gk4_faces), 1e-6, res)
        self.assertTrue(4.4e6 < res.result["types"]["Building"]["extent"][0] < 4.6e6, res.describe())

    def test_d_crs_override_on_an_east_first_adv_file(self):
        """The ADV's urn:adv:crs srsNames come with easting-first coordinates (that is how German
        state surveys write them). Following the 910 message's advice (--crs EPSG:31468) must give
        the building where it is, as the srsName case does (east, north read, with a warning)."""
        path = self.write("adv_east_first.gml",
                          citygml([("DEBY_adv_ef", self.gk4_faces)], "urn:adv:crs:DE_DHDN_3GK4*DE_DHN92_NH",
                                  north_first=False))
        res = self.strata("inspect", path, "--crs", "EPSG:31468")
        self.assertExit(res, sts.EXIT_OK, "inspect --crs EPSG:31468 of an east-first ADV file")
        self.assertEqual(res.result["crs"], "EPSG:31468", res.describe())
        self.assertExtent(res.result["types"]["Building"]["extent"], extent_of(self.gk4_faces), 1e-6, res)

    def test_d_crs_override_unknown_to_proj(self):
        path = self.write("adv_bad_override.gml",
                          citygml([("DEBY_bad", self.gk4_faces)], "urn:adv:crs:DE_DHDN_3GK4*DE_DHN92_NH"))
        res = self.strata("inspect", path, "--crs", "EPSG:999999")
        err = self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")
        self.assertIn("EPSG:999999", err["message"])

    def test_e_no_srsname_still_reads(self):
        faces = cube_faces(1000.0, 2000.0, 0.0, 10.0, 10.0)
        path = self.write("no_srs.gml", citygml([("local_1", faces)], None))
        res = self.inspect_ok(path)
        self.assertIsNone(res.result["crs"], res.describe())
        self.assertEqual(res.result["types"]["Building"]["objects"], 1)
        self.assertExtent(res.result["types"]["Building"]["extent"], extent_of(faces), 1e-9, res)
        self.assertEqual(res.result["issues"], [], res.describe())

    def test_f_coordinates_outside_the_crs_in_both_orders(self):
        faces = cube_faces(1e7, 1e7, 0.0, 10.0, 10.0)
        path = self.write("rd_outside.gml", citygml([("NL_outside", faces)], "urn:ogc:def:crs:EPSG::28992"))
        # premise (pyproj): neither order lands in RD New's area of use
        from pyproj import CRS, Transformer
        w, s, e, n = CRS.from_epsg(28992).area_of_use.bounds
        to_ll = Transformer.from_crs(28992, 4326, always_xy=True)
        for x, y in ((1e7, 1e7),):
            lon, lat = to_ll.transform(x, y)
            self.assertFalse(w <= lon <= e and s <= lat <= n)
        res = self.strata("inspect", path)
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 911, "CRS_MISMATCH")
        self.assertIn("EPSG:28992", err["message"], res.describe())
        self.assertIn(str(path), err["message"], "the message must name the file")


# --------------------------------------------------------------------------- 2. implausible ordinates

RD_X, RD_Y = 85_000.0, 446_000.0


class ImplausibleOrdinates(TrustCase):
    BAD_TOKENS = ["abc", "NaN", "1e400", "1e308"]

    def assertNamesValue(self, message: str, token: str) -> None:
        if token in message:
            return
        try:
            value = float(token)
        except ValueError:
            self.fail(f"the message does not name the value {token!r}: {message}")
        if math.isfinite(value):
            numbers = [float(t) for t in re.findall(r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?", message)]
            if value in numbers:
                return
        self.fail(f"the message does not name the value {token!r}: {message}")

    def good_and_bad(self, token: str, bad_first: bool = False) -> tuple:
        good = ("B-good", cube_faces(RD_X, RD_Y, 0.0, 10.0, 10.0))
        bad = ("B-bad", cube_faces(RD_X + 50, RD_Y, 0.0, 10.0, 10.0))
        if bad_first:
            buildings, spot = [bad, good], (0, 0, 0, token)  # the file's very first number
        else:
            buildings, spot = [good, bad], (1, 2, 3, token)  # face 2, second point's x
        return buildings, good[1], spot

    def check_citygml(self, name: str, token: str, bad_first: bool) -> None:
        buildings, good_faces, spot = self.good_and_bad(token, bad_first)
        path = self.write(name, citygml(buildings, "urn:ogc:def:crs:EPSG::28992", bad=spot))
        res = self.strata("inspect", path)
        self.assertNoSignal(res)
        self.assertExit(res, sts.EXIT_INPUT_DATA, f"inspect: a posList holds {token!r} (something left out)")
        # the file is read (ok: true, a result), only the bad building is left out
        self.assertJsonDoc(res, ok=True)
        got = res.result
        self.assertEqual(got["objects"], 2, res.describe())
        self.assertEqual(got["types"]["Building"]["with_geometry"], 1, res.describe())
        self.assertExtent(got["types"]["Building"]["extent"], extent_of(good_faces), 1e-6, res)
        rejected = self.issues_with(got, "rejected")
        self.assertEqual(len(rejected), 1, res.describe())
        self.assertIn("B-bad", rejected[0]["message"], "the message must name the object")
        self.assertNamesValue(rejected[0]["message"], token)

        val, features = self.validate_report(path)
        self.assertExit(val, 7, f"validate: B-bad is invalid ({token!r})")
        self.assertEqual((val.result["objects"], val.result["objects_valid"], val.result["objects_invalid"]),
                         (2, 1, 1), val.describe())
        self.assertIn(901, val.result["error_codes"], val.describe())
        self.assertEqual(features["B-bad"]["status"], "invalid", features)
        self.assertIn(901, [e["code"] for e in features["B-bad"]["errors"]], features)
        self.assertEqual(features["B-good"]["status"], "valid", features)

    def test_citygml_bad_ordinate_rejects_that_building(self):
        for token in self.BAD_TOKENS:
            with self.subTest(token=token):
                self.check_citygml(f"bad_{token}.gml", token, bad_first=False)

    def test_citygml_bad_ordinate_in_the_files_first_point(self):
        """The first point also decides the axis order: a bad value there must still only cost
        its building, not the file (nor be blamed on the CRS)."""
        for token in self.BAD_TOKENS:
            with self.subTest(token=token):
                self.check_citygml(f"bad_first_{token}.gml", token, bad_first=True)

    # ---- CityJSON

    def cityjson_doc(self, version: str = "2.0", transform=TRANSFORM) -> dict:
        size = 10_000  # 10 m in millimetres
        vertices = cube_vertices(0, 0, 0, size, size) + cube_vertices(50_000, 0, 0, size, size)
        doc = {"type": "CityJSON", "version": version,
               "metadata": {"referenceSystem": "https://www.opengis.net/def/crs/EPSG/0/28992"},
               "CityObjects": {"A-good": cityjson_building(0), "B-bad": cityjson_building(8)},
               "vertices": vertices}
        if transform is not None:
            doc["transform"] = transform
        return doc

    def test_cityjson_implausible_vertex_drops_that_geometry(self):
        doc = self.cityjson_doc()
        k = 13  # a vertex of B-bad's cube
        doc["vertices"][k] = [1e308, 0, 0]
        path = self.write("implausible.city.json", json.dumps(doc))
        res = self.strata("inspect", path)
        self.assertNoSignal(res)
        self.assertExit(res, sts.EXIT_INPUT_DATA, "a geometry was left out")
        got = res.result
        self.assertEqual(got["objects"], 2, res.describe())
        self.assertEqual(got["types"]["Building"]["with_geometry"], 1, res.describe())
        good = [apply_transform(v) for v in doc["vertices"][:8]]
        self.assertExtent(got["types"]["Building"]["extent"],
                          [min(v[0] for v in good), min(v[1] for v in good),
                           max(v[0] for v in good), max(v[1] for v in good)], 1e-6, res)
        rejected = self.issues_with(got, "rejected")
        self.assertEqual(len(rejected), 1, res.describe())
        self.assertIn("B-bad", rejected[0]["message"])
        self.assertIn(f"vertices[{k}]", rejected[0]["message"])
        val, features = self.validate_report(path)
        self.assertExit(val, 7)
        self.assertEqual(features["B-bad"]["status"], "invalid", features)
        self.assertIn(901, [e["code"] for e in features["B-bad"]["errors"]])
        self.assertEqual(features["A-good"]["status"], "valid", features)

    def assertCityJsonRefused(self, path: Path, *needles) -> None:
        res = self.strata("inspect", path)
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 901, "INVALID_INPUT_FILE")
        for n in needles:
            self.assertIn(n, err["message"], res.describe())
        self.assertIn(str(path), err["message"], "the message must name the file")
        val = self.strata("validate", path)
        self.assertExit(val, sts.EXIT_INPUT_DATA, "validate refuses it too")
        self.assertEqual([e["code"] for e in val.result["file_errors"]], [901], val.describe())

    def test_cityjson_2_without_transform_refused(self):
        doc = self.cityjson_doc(transform=None)
        self.assertCityJsonRefused(self.write("no_transform.city.json", json.dumps(doc)), "transform")

    def test_cityjson_unknown_version_refused(self):
        doc = self.cityjson_doc(version="99.0")
        self.assertCityJsonRefused(self.write("v99.city.json", json.dumps(doc)), "99.0")

    def test_cityjson_zero_scale_refused(self):
        doc = self.cityjson_doc(transform={"scale": [0, 0, 0], "translate": [85000.0, 446000.0, 0.0]})
        self.assertCityJsonRefused(self.write("zero_scale.city.json", json.dumps(doc)), "transform.scale")

    def test_cityjson_1_0_without_transform_still_reads(self):
        doc = self.cityjson_doc(version="1.0", transform=None)
        doc["vertices"] = [apply_transform(v) for v in doc["vertices"]]  # real coordinates
        path = self.write("v10_no_transform.city.json", json.dumps(doc))
        res = self.inspect_ok(path)
        self.assertEqual(res.result["version"], "1.0")
        self.assertEqual(res.result["types"]["Building"]["with_geometry"], 2)
        vs = doc["vertices"]
        self.assertExtent(res.result["types"]["Building"]["extent"],
                          [min(v[0] for v in vs), min(v[1] for v in vs), max(v[0] for v in vs), max(v[1] for v in vs)],
                          1e-9, res)
        self.assertEqual(res.result["issues"], [])


# --------------------------------------------------------------------------- 3. deep nesting

def seq_header() -> dict:
    return {"type": "CityJSON", "version": "2.0", "transform": TRANSFORM,
            "metadata": {"referenceSystem": "https://www.opengis.net/def/crs/EPSG/0/28992"},
            "CityObjects": {}, "vertices": []}


def seq_feature(fid: str, x0: int) -> str:
    return json.dumps({"type": "CityJSONFeature", "id": fid, "CityObjects": {fid: cityjson_building(0)},
                       "vertices": cube_vertices(x0, 0, 0, 10_000, 10_000)})


class DeepNesting(TrustCase):
    def test_cityjson_object_nested_200000_deep(self):
        normal = {"type": "Building", "geometry": [{"type": "Solid", "lod": "1", "boundaries": cube_boundaries(0)}]}
        head = json.dumps({"type": "CityJSON", "version": "2.0", "transform": TRANSFORM,
                           "metadata": {"referenceSystem": "https://www.opengis.net/def/crs/EPSG/0/28992"},
                           "vertices": cube_vertices(0, 0, 0, 10_000, 10_000),
                           "CityObjects": {"normal": normal}})
        # splice the hostile object in as text (json.dumps would recurse 200,000 deep)
        text = (head[:-2] + ', "deep": {"type": "Building", "attributes": {"a": ' + deep_array_text() + "}}}}")
        self.assertGreater(len(text), 400_000)
        path = self.write("deep.city.json", text)
        res = self.strata("inspect", path)
        self.assertNoSignal(res)
        self.assertExit(res, sts.EXIT_INPUT_DATA, "an object was left out")
        got = res.result
        self.assertEqual(got["objects"], 2, res.describe())
        self.assertEqual(got["types"]["Building"]["with_geometry"], 1, res.describe())
        verts = [apply_transform(v) for v in cube_vertices(0, 0, 0, 10_000, 10_000)]
        self.assertExtent(got["types"]["Building"]["extent"],
                          [min(v[0] for v in verts), min(v[1] for v in verts),
                           max(v[0] for v in verts), max(v[1] for v in verts)], 1e-6, res)
        rejected = self.issues_with(got, "rejected")
        self.assertEqual(len(rejected), 1, res.describe())
        self.assertIn("deep", rejected[0]["message"].split(":")[0], "the issue must name the object")
        self.assertEqual(rejected[0]["feature_id"], "deep")

        val, features = self.validate_report(path)
        self.assertExit(val, 7, "validate: the deep object is an error, the normal one is valid")
        self.assertEqual(features["normal"]["status"], "valid", features)
        self.assertEqual(features["deep"]["status"], "invalid", features)
        self.assertIn(901, [e["code"] for e in features["deep"]["errors"]])

    def write_seq(self, name: str, lines: list) -> Path:
        path = self.tmp / name
        with open(path, "w", encoding="utf-8") as f:
            for line in lines:
                f.write(line + "\n")
        return path

    def test_cityjsonseq_bad_lines_are_reported_with_their_line_numbers(self):
        deep_vertices = ('{"type": "CityJSONFeature", "id": "dv", "CityObjects": {"dv": {"type": "Building"}}, '
                         '"vertices": ' + deep_array_text() + "}")
        lines = [json.dumps(seq_header()),          # 1
                 seq_feature("f1", 0),               # 2
                 deep_array_text(),                  # 3: a line nested 200,000 deep
                 seq_feature("f2", 20_000),          # 4
                 "this line is not JSON at all {",   # 5
                 deep_vertices,                      # 6: a feature whose vertices nest 200,000 deep
                 seq_feature("f3", 40_000)]          # 7
        path = self.write_seq("bad_lines.city.jsonl", lines)
        bad_lines = (3, 5, 6)
        res = self.strata("inspect", path)
        self.assertNoSignal(res)
        self.assertExit(res, sts.EXIT_INPUT_DATA, "lines were left out")
        got = res.result
        self.assertTrue(got["sequence"])
        self.assertEqual(got["objects"], 3, res.describe())
        self.assertEqual(got["types"]["Building"]["with_geometry"], 3, res.describe())
        rejected = self.issues_with(got, "rejected")
        for n in bad_lines:
            self.assertTrue(any(re.search(rf"\bline {n}\b", i["message"]) for i in rejected),
                            f"line {n} must be reported" + res.describe())
        self.assertEqual(len(rejected), len(bad_lines), res.describe())

        val, features = self.validate_report(path)
        self.assertIn(val.returncode, (sts.EXIT_INPUT_DATA, 7), val.describe())
        self.assertEqual(val.result["objects"], 3, val.describe())
        self.assertEqual(val.result["objects_valid"], 3, val.describe())
        file_errors = val.result["file_errors"]
        for n in bad_lines:
            self.assertTrue(any(e["code"] == 901 and re.search(rf"\bline {n}\b", e["detail"]) for e in file_errors),
                            f"validate must list line {n} among file_errors with 901" + val.describe())

    def test_cityjsonseq_feature_whose_object_nests_200000_deep(self):
        deep_feature = ('{"type": "CityJSONFeature", "id": "deep", "CityObjects": {"deep": {"type": "Building", '
                        '"attributes": {"a": ' + deep_array_text() + '}}}, "vertices": []}')
        lines = [json.dumps(seq_header()), seq_feature("f1", 0), deep_feature, seq_feature("f2", 20_000)]
        path = self.write_seq("deep_object.city.jsonl", lines)
        res = self.strata("inspect", path)
        self.assertNoSignal(res)
        self.assertExit(res, sts.EXIT_INPUT_DATA, "an object was left out")
        self.assertEqual(res.result["types"]["Building"]["with_geometry"], 2, res.describe())
        rejected = self.issues_with(res.result, "rejected")
        self.assertEqual(len(rejected), 1, res.describe())
        self.assertIn("deep", rejected[0]["message"], "the issue must name the object")
        self.assertRegex(rejected[0]["message"], r"\bline 3\b", "in a CityJSONSeq the issue must give the line")

        val, features = self.validate_report(path)
        self.assertIn(val.returncode, (sts.EXIT_INPUT_DATA, 7), val.describe())
        self.assertEqual(features["f1"]["status"], "valid", features)
        self.assertEqual(features["f2"]["status"], "valid", features)
        reported = (any(e["code"] == 901 and "line 3" in e["detail"] for e in val.result["file_errors"])
                    or ("deep" in features and 901 in [e["code"] for e in features["deep"]["errors"]]))
        self.assertTrue(reported, "validate must report the deep object (901)" + val.describe())


# --------------------------------------------------------------------------- 4. billion laughs

def billion_laughs() -> str:
    ents = ['  <!ENTITY lol "lol">']
    prev = "lol"
    for k in range(1, 10):
        ents.append(f'  <!ENTITY lol{k} "' + f"&{prev};" * 10 + '">')
        prev = f"lol{k}"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE CityModel [\n' + "\n".join(ents) + "\n]>\n"
            f'<CityModel xmlns="{CITYGML_NS}" xmlns:bldg="{BLDG_NS}" xmlns:gml="{GML_NS}">\n'
            "  <gml:name>&lol9;</gml:name>\n</CityModel>\n")


class BillionLaughs(TrustCase):
    MAX_RSS_KIB = 300 * 1024

    def run_bounded(self, *args) -> tuple:
        cmd = [str(sts.strata_bin()), "--json"] + [str(a) for a in args]
        code, out, err, seconds, rss = wait4_run(cmd, sts.strata_env(self.tmp), timeout=10)
        doc = json.loads(out) if out.strip() else None
        return code, doc, out, err, seconds, rss

    def test_billion_laughs_refused_fast_in_bounded_memory(self):
        text = billion_laughs()
        self.assertLess(len(text.encode()), 1500)
        path = self.write("lol.gml", text)
        for command in ("inspect", "validate"):
            with self.subTest(command=command):
                code, doc, out, err, seconds, rss = self.run_bounded(command, path)
                what = f"\n$ strata --json {command} {path}\nexit {code}, {seconds:.2f} s, max RSS {rss} KiB\n{out}\n{err}"
                self.assertEqual(code, sts.EXIT_INPUT_DATA, what)
                self.assertLess(rss, self.MAX_RSS_KIB, "memory must stay bounded" + what)
                if command == "inspect":
                    error = sts.error_of(doc)
                    self.assertIsNotNone(error, what)
                    message = error["message"]
                else:
                    self.assertEqual(len(doc["result"]["file_errors"]), 1, what)
                    message = doc["result"]["file_errors"][0]["detail"]
                self.assertIn("entit", message.lower(), "the message must say what is wrong (entities)" + what)
                self.assertNotIn("lollollol", out, what)

    def test_external_entity_not_read(self):
        secret = self.tmp / "secret.txt"
        secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
        text = (f'<?xml version="1.0"?>\n<!DOCTYPE CityModel [ <!ENTITY xxe SYSTEM "file://{secret}"> ]>\n'
                f'<CityModel xmlns="{CITYGML_NS}" xmlns:gml="{GML_NS}"><gml:name>&xxe;</gml:name></CityModel>\n')
        path = self.write("xxe.gml", text)
        code, doc, out, err, seconds, rss = self.run_bounded("inspect", path)
        self.assertEqual(code, sts.EXIT_INPUT_DATA, out + err)
        self.assertNotIn("TOP-SECRET-CONTENT", out + err)
        self.assertIn("entit", sts.error_of(doc)["message"].lower())


# --------------------------------------------------------------------------- 5. real data

LOD_GEOMETRY = re.compile(r"lod\d(Solid|MultiSurface|CompositeSurface|MultiSolid|CompositeSolid|Geometry)$")


def surface_extents(events) -> dict:
    """Per object type (innermost Building / BuildingPart), the (xmin, ymin, xmax, ymax) of the
    coordinates of the polygon rings inside an lodN<geometry> property, as written in the file."""
    stack, out = [], {}
    for event, el in events:
        if not isinstance(el.tag, str):
            continue
        ns, _, local = el.tag[1:].partition("}") if el.tag.startswith("{") else ("", "", el.tag)
        if event == "start":
            stack.append((local, ns))
            continue
        if local in ("posList", "pos") and el.text and el.text.strip():
            names = [n for n, _ in stack]
            objs = [n for n, s in stack if n in ("Building", "BuildingPart") and "building" in s]
            if objs and "LinearRing" in names and any(LOD_GEOMETRY.match(n) for n in names):
                v = [float(t) for t in el.text.split()]
                a, b = v[0::3], v[1::3]
                e = out.setdefault(objs[-1], [math.inf, math.inf, -math.inf, -math.inf])
                e[:] = [min(e[0], *a), min(e[1], *b), max(e[2], *a), max(e[3], *b)]
        stack.pop()
    return out


class RealData(TrustCase):
    def test_den_haag_rd_new_extent_and_no_warnings(self):
        path = sts.data_path("citygml_real_buildings", "DenHaag_dh_1.gml")
        res = self.inspect_ok(path)
        got = res.result
        self.assertEqual(got["crs"], "EPSG:28992")
        self.assertEqual(got["issues"], [], res.describe())
        self.assertEqual(got.get("warnings"), 0, res.describe())
        want = surface_extents(ET.iterparse(str(path), events=("start", "end")))  # EPSG:28992: x first
        self.assertTrue(want, "premise: the file has building surfaces")
        have = {t: v["extent"] for t, v in got["types"].items() if "extent" in v}
        self.assertEqual(set(have), set(want), res.describe())
        for t in want:
            with self.subTest(type=t):
                self.assertExtent(have[t], want[t], 1e-6, res)
                self.assertTrue(79_000 < have[t][0] < 81_000 and 450_000 < have[t][1] < 460_000, have[t])
        strict = self.strata("--strict", "inspect", path)
        self.assertExit(strict, sts.EXIT_OK, "--strict: the real file has no warnings")

    def test_plateau_6697_latitude_first_gives_longitude_as_x(self):
        from lxml import etree  # recover: PLATEAU's file uses an undeclared prefix
        path = sts.data_path("citygml_real_buildings", "plateau_tokyo", "udx", "bldg", "53392642_bldg_6697_op2.gml")
        res = self.inspect_ok(path)
        got = res.result
        self.assertEqual(got["crs"], "EPSG:6697")
        self.assertEqual(got["issues"], [], res.describe())
        west, south, east, north = got["types"]["Building"]["extent"]
        self.assertTrue(139 < west < east < 140, got["types"]["Building"]["extent"])
        self.assertTrue(35 < south < north < 36, got["types"]["Building"]["extent"])
        written = surface_extents(etree.iterparse(str(path), events=("start", "end"), recover=True))
        # the file writes (lat, lon, h): swap to compare
        lat0, lon0, lat1, lon1 = written["Building"]
        self.assertTrue(35 < lat0 < 36, "premise: the file's first axis is the latitude")
        self.assertExtent([west, south, east, north], [lon0, lat0, lon1, lat1], 1e-9, res)


# --------------------------------------------------------------------------- 6. Kinmen

def square(lon: float, lat: float, d: float = 0.001) -> dict:
    return {"type": "Polygon",
            "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]}


class Kinmen(TrustCase):
    """A Taiwan layer with a feature on Kinmen, imported into a store in TM2 zone 121 (EPSG:3826,
    the default): Kinmen lies in zone 119 (EPSG:3825). The Kinmen feature is rejected (911) naming
    EPSG:3825; the others are imported where pyproj puts them."""
    KINMEN = ("kinmen-1", "金門綠地", square(118.318, 24.432))

    def import_green(self, name: str, features: list) -> tuple:
        from pyproj import CRS
        # premise: Kinmen is in TM2 zone 119 (EPSG:3825), not in zone 121 (EPSG:3826)
        for epsg, inside in ((3825, True), (3826, False)):
            w, s, e, n = CRS.from_epsg(epsg).area_of_use.bounds
            self.assertEqual(w <= 118.3185 <= e and s <= 24.4325 <= n, inside, epsg)
        src = {"type": "FeatureCollection", "name": f"{name}_GENERATED",
               "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
               "features": [{"type": "Feature", "properties": {"gid": gid, "name": label}, "geometry": g}
                            for gid, label, g in features]}
        path = self.write(f"{name}.geojson", json.dumps(src, ensure_ascii=False))
        store = self.tmp / name / "store.gpkg"
        res = self.strata("import", path, "--kind", "green", "--name", "green", "--store", store,
                          "--field", "id=gid", "--field", "name=name")
        return res, store

    def check_kinmen_rejected_rest_imported(self, res, store: Path, features: list) -> None:
        from pyproj import Transformer
        self.assertExit(res, sts.EXIT_OK, "one feature of another zone does not fail the layer")
        self.assertJsonDoc(res, ok=True)
        org, code = sts.gpkg_srs_id(store, "green")
        self.assertEqual((org.upper(), code), ("EPSG", 3826))
        layer = self.info_layers(store)["green"]
        n = len(features)
        self.assertEqual((layer["features_read"], layer["features_imported"], layer["features_rejected"]),
                         (n, n - 1, 1), layer)
        issues = [i for i in self.info(store, "--issues")["issues"] if i["layer"] == "green"]
        self.assertEqual(len(issues), 1, issues)
        kin = issues[0]
        self.assertEqual((kin["fid"], kin["status"], kin["code"], kin["code_name"]),
                         (n - 1, "rejected", 911, "CRS_MISMATCH"), kin)
        self.assertIn("EPSG:3825", kin["message"], kin)
        # The other squares are where pyproj puts them in EPSG:3826.
        import geopandas as gpd
        stored = gpd.read_file(store, layer="green").set_index("sid")
        self.assertEqual(set(stored.index), {f[0] for f in features[:-1]})
        to_tm2 = Transformer.from_crs("OGC:CRS84", 3826, always_xy=True)
        for gid, _, g in features[:-1]:
            want = [to_tm2.transform(lon, lat) for lon, lat in g["coordinates"][0][:-1]]
            geom = stored.loc[gid].geometry  # the store keeps polygons as MultiPolygon
            parts = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
            self.assertEqual(len(parts), 1, geom.wkt)
            have = list(parts[0].exterior.coords)[:-1]
            self.assertEqual(len(have), 4, have)
            for axis in (0, 1):
                for a, b in zip(sorted(p[axis] for p in have), sorted(p[axis] for p in want)):
                    self.assertAlmostEqual(a, b, delta=0.01, msg=f"{gid}: {have} vs pyproj {want}")

    def test_kinmen_feature_rejected_naming_epsg_3825(self):
        """Two squares in Taipei and one on Kinmen (the case of a national layer)."""
        features = [("taipei-1", "大安森林公園旁", square(121.535, 25.030)),
                    ("taipei-2", "信義綠地", square(121.565, 25.035)),
                    self.KINMEN]
        res, store = self.import_green("green_taipei_kinmen", features)
        self.check_kinmen_rejected_rest_imported(res, store, features)

    def test_kinmen_feature_rejected_next_to_central_taiwan(self):
        """The same with two squares in Taichung (south of zone 119's northern limit, 24.65°N)."""
        features = [("taichung-1", "台中綠地", square(120.68, 24.15)),
                    ("taichung-2", "台中公園", square(120.66, 24.14)),
                    self.KINMEN]
        res, store = self.import_green("green_taichung_kinmen", features)
        self.check_kinmen_rejected_rest_imported(res, store, features)


# --------------------------------------------------------------------------- 7. Chinese-numeral shares

DELFT_FOOTPRINTS = sts.REPO_ROOT / "samples" / "delft" / "bgt_pand.gpkg"
BUILDING_A = "b1128007f-00ba-11e6-b420-2bdcc4ab5d7f"
BUILDING_B = "b112715f4-00ba-11e6-b420-2bdcc4ab5d7f"

# The share texts and what they mean, as a registry clerk reads them (denominator first).
SHARE_VALUES = {
    "三分之一": Fraction(1, 3), "三分之二": Fraction(2, 3),
    "萬分之五千": Fraction(5000, 10000), "兩分之一": Fraction(1, 2), "二分之一": Fraction(1, 2),
    "１０分之３": Fraction(3, 10), "十分之七": Fraction(7, 10),
    "萬分之一二三四": Fraction(1234, 10000), "萬分之八七六六": Fraction(8766, 10000),
    "參分之壹": Fraction(1, 3), "陸分之壹": Fraction(1, 6),
    "一〇〇分之三": Fraction(3, 100), "一〇〇分之九七": Fraction(97, 100),
}
# Fictitious parties: (name, identity number).
PARTIES = {"甲": ("測試甲", "Q000001001"), "乙": ("測試乙", "Q000001002"),
           "丙": ("測試丙", "Q000001003"), "丁": ("測試丁", "Q000001004")}
# building number -> (building, floors, kind, [(party, share text)]); areas come from the footprints.
REGISTRY_UNITS = {
    "05001-000": (BUILDING_A, "1", "主建物", [("甲", "三分之一"), ("乙", "三分之二")]),
    "05002-000": (BUILDING_A, "2", "主建物", [("甲", "萬分之五千"), ("乙", "兩分之一")]),
    "05003-000": (BUILDING_A, "3", "主建物", [("甲", "１０分之３"), ("乙", "十分之七")]),
    "05004-000": (BUILDING_A, "1-3", "共有部分", [("甲", "萬分之一二三四"), ("乙", "萬分之八七六六")]),
    "05011-000": (BUILDING_B, "1", "主建物", [("丙", "萬分之五千"), ("丁", "萬分之五千")]),
    "05012-000": (BUILDING_B, "2", "主建物", [("丙", "二分之一"), ("丁", "參分之壹"), ("甲", "陸分之壹")]),
    "05013-000": (BUILDING_B, "3", "主建物", [("丙", "一〇〇分之三"), ("丁", "一〇〇分之九七")]),
}


def floor_list(text: str) -> list:
    """The floors of a registry floor text of this file ("2", "1-3")."""
    if "-" in text:
        a, b = text.split("-")
        return [str(f) for f in range(int(a), int(b) + 1)]
    return [text]


class ChineseNumeralShares(TrustCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import geopandas as gpd
        footprints = gpd.read_file(DELFT_FOOTPRINTS).set_index("gml_id")
        cls.area = {b: float(footprints.loc[b].geometry.area) for b in (BUILDING_A, BUILDING_B)}
        rows = [["建號", "建物", "門牌", "層次", "類別", "面積", "權利人", "統一編號", "權利範圍", "坐落地號"]]
        for number, (building, floors, kind, rights) in REGISTRY_UNITS.items():
            # a main unit fills the footprint on each floor: its registered area is that
            area = cls.area[building] * len(floor_list(floors)) if kind == "主建物" else 30.0
            for party, share in rights:
                name, identity = PARTIES[party]
                rows.append([number, building, f"示範市虛構區測試路{number[:5]}號", floors, kind, f"{area:.2f}",
                             name, identity, share, "虛擬段一小段 0999-0000"])
        cls.registry = cls.tmp / "chinese_shares.csv"
        with open(cls.registry, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows(rows)
        cls.model = cls.tmp / "chinese_shares.city.json"
        cls.res = cls.strata("units", "build", DELFT_FOOTPRINTS, "--id-field", "gml_id", "--height", "9",
                             "--registry", cls.registry, "--profile", "planner", "--out", cls.model)

    def test_premise_each_building_number_sums_to_one(self):
        for number, (_, _, _, rights) in REGISTRY_UNITS.items():
            self.assertEqual(sum(SHARE_VALUES[s] for _, s in rights), 1, number)

    def test_no_row_rejected_and_no_share_finding(self):
        res = self.res
        self.assertNoSignal(res)
        got = res.result
        share_issues = [i for i in got.get("issues", []) if i.get("field") == "share" or i.get("code") in (921, 922)]
        self.assertEqual(share_issues, [], "no registry row may be rejected for its share" + res.describe())
        self.assertEqual(got.get("issues"), [], res.describe())
        findings = got.get("findings") or []
        self.assertEqual([f for f in findings if f.get("code") == 806], [],
                         "806: strata itself must find every building number's shares whole" + res.describe())
        self.assertNotIn("806", got.get("errors_by_code", {}), res.describe())
        self.assertEqual(got["baunits"], len(REGISTRY_UNITS), res.describe())
        self.assertEqual(got["rights"], sum(len(r[3]) for r in REGISTRY_UNITS.values()), res.describe())
        self.assertEqual(got["parties"], len(PARTIES), res.describe())
        self.assertExit(res, sts.EXIT_OK, "the registry is consistent (areas = footprints, shares whole)")

    def test_model_units_carry_the_exact_shares(self):
        self.assertTrue(self.model.is_file(), self.res.describe())
        objects = json.loads(self.model.read_text(encoding="utf-8"))["CityObjects"]
        units = {k: o for k, o in objects.items() if o["type"] == "BuildingUnit"}
        for number, (building, floors, kind, rights) in REGISTRY_UNITS.items():
            if kind != "主建物":
                continue  # a common part without an outline gets no volume (registry.md)
            with self.subTest(building_no=number):
                want_ids = {f"{number}/F{f}" for f in floor_list(floors)}
                have = {k: o for k, o in units.items() if o.get("attributes", {}).get("building_no") == number}
                self.assertEqual(set(have), want_ids, f"units of {number} in {self.model}")
                want_shares = sorted(SHARE_VALUES[s] for _, s in rights)
                for uid, unit in have.items():
                    self.assertEqual(unit.get("parents"), [building], uid)
                    self.assertIn(uid, objects[building].get("children", []), uid)
                    written = [r["share"] for r in unit["attributes"]["rights"]]
                    shares = sorted(Fraction(s) for s in written)  # "1/3", "1" ...
                    self.assertEqual(shares, want_shares, f"{uid}: rights {unit['attributes']['rights']}")
                    self.assertEqual(sum(shares), 1, f"{uid}: the shares must sum to exactly 1: {written}")


# --------------------------------------------------------------------------- 8. units build, store missing

class UnitsStoreMissing(TrustCase):
    def test_save_into_a_missing_store_creates_nothing(self):
        folder = self.new_dir("units_missing_store")
        registry = sts.REPO_ROOT / "tests" / "fixtures" / "registry" / "valid_registry.csv"
        store = folder / "missing.gpkg"
        res = self.strata("units", "build", DELFT_FOOTPRINTS, "--id-field", "gml_id", "--height", "9",
                          "--registry", registry, "--out", folder / "model.city.json",
                          "--store", store, "--save")
        err = self.assertError(res, sts.EXIT_STORE, 960, "STORE_ERROR")
        self.assertIn("missing.gpkg", err["message"], "the message must name the store")
        self.assertFalse(store.exists(), "the store must not be created" + res.describe())
        self.assertFalse(Path(str(store) + "-journal").exists(), res.describe())
        left = sorted(p.name for p in folder.iterdir() if p.name.startswith("missing.gpkg"))
        self.assertEqual(left, [], "nothing of the store may be left behind" + res.describe())


class ConnectionStringStore(TrustCase):
    """`--store "PG:dbname=x"` created a local file named `PG:dbname=x` (issue 21's "why"): a
    database connection is refused until there is a server store, and nothing is written."""

    def test_a_database_connection_is_refused_and_nothing_written(self):
        folder = self.new_dir("connection_store")
        districts = sts.REPO_ROOT / "samples" / "taipei" / "districts.geojson"
        for store in ("PG:dbname=strata", "postgresql://localhost/strata"):
            with self.subTest(store=store):
                res = self.strata("import", districts, "--kind", "district", "--name", "districts",
                                  "--store", store, "--field", "id=CPTID", "--field", "name=TNAME", cwd=folder)
                err = self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")
                self.assertIn("database connection", err["message"])
                self.assertEqual(list(folder.rglob("*")), [], "nothing may be written" + res.describe())
                res = self.strata("info", store, cwd=folder)
                self.assertNotEqual(res.returncode, 0, res.describe())
                self.assertEqual(list(folder.rglob("*")), [])
        # In a project file, as written (resolving it against the folder would hide the scheme).
        for store in ("postgresql://u@h/db", "Pg:dbname=x host=/var/run/postgresql"):
            with self.subTest(project_store=store):
                project = self.new_dir(f"connection_project_{abs(hash(store))}")
                toml = project / "project.toml"
                toml.write_text(f'[project]\nname = "x"\ncrs = "EPSG:3826"\nstore = "{store}"\n\n'
                                f'[[layers]]\nname = "districts"\nkind = "district"\npath = "{districts}"\n'
                                'fields = { id = "CPTID", name = "TNAME" }\n', encoding="utf-8")
                res = self.strata("import", toml, cwd=project)
                err = self.assertError(res, sts.EXIT_PROJECT_FILE, 970, "PROJECT_FILE")
                self.assertIn("database connection", err["message"])
                self.assertEqual(sorted(p.name for p in project.rglob("*")), ["project.toml"])

# --------------------------------------------------------------------------- 9. empty and damaged sources

class EmptyAndDamagedSources(TrustCase):
    def test_empty_geojson_with_a_field_mapping_is_901_no_features(self):
        path = self.write("empty.geojson", json.dumps({"type": "FeatureCollection", "features": []}))
        store = self.tmp / "empty_store" / "S.gpkg"
        res = self.strata("import", path, "--kind", "green", "--name", "g", "--store", store, "--field", "id=x")
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 901, "INVALID_INPUT_FILE")
        self.assertIn("no features", err["message"], "an empty source is not a missing field" + res.describe())
        self.assertIn(str(path), err["message"], "the message must name the file")
        self.assertFalse(store.exists(), "a store created and not written is deleted again" + res.describe())

    def test_shapefile_with_a_damaged_dbf_is_901_naming_the_dbf(self):
        from osgeo import ogr
        src = sts.data_path("kaohsiung_pipelines")
        folder = self.new_dir("damaged_dbf")
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            shutil.copyfile(src / f"kh_ng_pipelines_twd97.{ext}", folder / f"kh_ng_pipelines_twd97.{ext}")
        shp = folder / "kh_ng_pipelines_twd97.shp"
        # A real column of the file (read from the intact copy, before the damage).
        ds = ogr.Open(str(shp))
        defn = ds.GetLayer(0).GetLayerDefn()
        columns = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
        ds = None
        self.assertIn("ID", columns, "premise: the pipelines file has an ID column")
        dbf = folder / "kh_ng_pipelines_twd97.dbf"
        data = bytearray(dbf.read_bytes())
        data[8:10] = (5).to_bytes(2, "little")  # header length 5: shorter than the 32-byte header itself
        data[32:64] = b"\xff" * 32               # the first field descriptor
        dbf.write_bytes(bytes(data))
        store = folder / "S.gpkg"
        res = self.strata("import", shp, "--kind", "line_feature", "--name", "pipes", "--store", store,
                          "--field", "id=ID")
        self.assertNoSignal(res)
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 901, "INVALID_INPUT_FILE")
        self.assertIn(".dbf", err["message"], "the message must say the attribute file is what is damaged")
        self.assertFalse(store.exists(), res.describe())


# --------------------------------------------------------------------------- 10. CSV / Markdown injection

FORMULA_NAME = '=HYPERLINK("http://x","a")'
HTML_NAME = "<script>alert(1)</script>|**x**"
VILLAGE_FORMULA = "+cmd|' /C calc'!A0"
MD_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def md_cells(line: str) -> list:
    """The cells of a Markdown table row (pipes escaped with a backslash do not split)."""
    line = line.strip()
    assert line.startswith("|") and line.endswith("|"), line
    return MD_CELL_SPLIT.split(line[1:-1])


class InertTextOutputs(TrustCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        samples = sts.REPO_ROOT / "samples" / "taipei"
        cls.project_dir = cls.tmp / "samples" / "taipei"
        shutil.copytree(samples, cls.project_dir)
        d = cls.project_dir
        districts = json.loads((d / "districts.geojson").read_text(encoding="utf-8"))
        cls.renamed = {}
        names = [FORMULA_NAME, HTML_NAME]
        for feature in districts["features"]:
            p = feature["properties"]
            p["SHOWN"] = names.pop(0) if names else p["TNAME"]
            cls.renamed[p["CPTID"]] = p["SHOWN"]
        (d / "districts.geojson").write_text(json.dumps(districts, ensure_ascii=False), encoding="utf-8")
        villages = json.loads((d / "villages.geojson").read_text(encoding="utf-8"))
        cls.village_names = {}
        for k, feature in enumerate(villages["features"]):
            p = feature["properties"]
            p["SHOWN"] = VILLAGE_FORMULA if k == 0 else p["VNAME"]
            cls.village_names[p["CPTVID"]] = p["SHOWN"]
        (d / "villages.geojson").write_text(json.dumps(villages, ensure_ascii=False), encoding="utf-8")
        text = (d / "project.toml").read_text(encoding="utf-8")
        edits = [
            ('fields = { id = "CPTID", name = "TNAME",', 'fields = { id = "CPTID", name = "SHOWN",'),
            ('fields = { id = "CPTVID", name = "VNAME",', 'fields = { id = "CPTVID", name = "SHOWN",'),
            ('outputs = ["summary", "import_report", "maps", "report"]', 'outputs = ["summary"]'),
            ('outputs = ["json", "csv", "markdown", "gpkg"]', 'outputs = ["json", "csv", "markdown"]'),
        ]
        for old, new in edits:
            assert old in text, f"the sample project changed: {old!r} not found"
            text = text.replace(old, new)
        text = text[:text.index("\n[report]\n")] + "\n"  # no maps, report or exports: the indicator tables
        (d / "project.toml").write_text(text, encoding="utf-8")
        cls.out = cls.tmp / "out" / "taipei"
        cls.res = cls.strata("run", d / "project.toml")

    def test_run_succeeds(self):
        self.assertExit(self.res, sts.EXIT_OK, "names are only text")
        for name in ("indicators.csv", "indicators.md", "indicators_village.csv"):
            self.assertTrue((self.out / name).is_file(), f"{name} not written" + self.res.describe())

    def read_csv(self, name: str, key: str) -> dict:
        with open(self.out / name, encoding="utf-8", newline="") as f:
            return {row[key]: row for row in csv.DictReader(f)}

    def test_csv_formula_gets_a_quote_in_front(self):
        rows = self.read_csv("indicators.csv", "district_id")
        formula_id = next(k for k, v in self.renamed.items() if v == FORMULA_NAME)
        html_id = next(k for k, v in self.renamed.items() if v == HTML_NAME)
        cell = rows[formula_id]["district_name"]
        self.assertTrue(cell.startswith("'="), f"indicators.csv: {cell!r} would be a formula in a spreadsheet")
        self.assertEqual(cell, "'" + FORMULA_NAME, "the name must otherwise be unchanged")
        self.assertEqual(rows[html_id]["district_name"], HTML_NAME, "a name that is no formula stays as it is")

    def test_village_csv_formula_gets_a_quote_in_front(self):
        rows = self.read_csv("indicators_village.csv", "village_id")
        vid = next(k for k, v in self.village_names.items() if v == VILLAGE_FORMULA)
        self.assertEqual(rows[vid]["village_name"], "'" + VILLAGE_FORMULA)

    def test_markdown_escapes_html_and_pipes(self):
        text = (self.out / "indicators.md").read_text(encoding="utf-8")
        self.assertNotIn("<script>", text, "raw HTML from the data in indicators.md")
        self.assertIn("&lt;script&gt;", text)
        lines = text.splitlines()
        header = next(l for l in lines if l.startswith("| district"))
        row = next(l for l in lines if "&lt;script&gt;" in l)
        self.assertEqual(len(md_cells(row)), len(md_cells(header)),
                         f"the | in the name must not add a column:\n{header}\n{row}")
        self.assertNotIn("**x**", row, "the name must not turn bold")
        first = md_cells(row)[0]
        self.assertIn("\\|", first, "the | must be escaped")


# --------------------------------------------------------------------------- 11. stale temporaries

def dead_pid() -> int:
    """A process id no process has (from 999999 down)."""
    for pid in range(999_999, 900_000, -1):
        if Path(f"/proc/{pid}").exists():
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            continue
    raise AssertionError("no free process id found")


class StaleTemporaries(TrustCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.store = cls.tmp / "districts_store.gpkg"
        cls.import_res = cls.strata("import", sts.REPO_ROOT / "samples" / "taipei" / "districts.geojson",
                                    "--kind", "district", "--name", "districts", "--store", cls.store,
                                    "--field", "id=CPTID", "--field", "name=TNAME")

    def check_export(self, to: str, target_name: str, stale: list, kept: list) -> None:
        self.assertExit(self.import_res, sts.EXIT_OK, "premise: the store imports")
        folder = self.new_dir(f"stale_{to.replace('.', '_')}")
        dead, mine = dead_pid(), os.getpid()
        stale = [n.format(dead=dead) for n in stale]
        kept = [n.format(mine=mine, dead=dead) for n in kept]
        for name in stale + kept:
            (folder / name).write_bytes(b"half-written by a process that died")
        target = folder / target_name
        res = self.strata("export", self.store, "--to", to, "--out", target)
        self.assertExit(res, sts.EXIT_OK, f"export --to {to}")
        self.assertTrue(target.is_file() and target.stat().st_size > 100, res.describe())
        left = sorted(p.name for p in folder.iterdir())
        for name in stale:
            self.assertFalse((folder / name).exists(),
                             f"{name}: leftover of dead process {dead} must be removed; the folder holds {left}")
        for name in kept:
            self.assertTrue((folder / name).exists(),
                            f"{name}: must be kept (a running process's, or another target's); the folder holds {left}")
        # and the export left no temporary of its own
        own = [n for n in left if ".writing-" in n and n not in kept]
        self.assertEqual(own, [], res.describe())

    def test_gpkg_export_removes_a_dead_process_temporaries(self):
        from osgeo import ogr
        self.check_export("writers.gpkg", "OUT.gpkg",
                          stale=["OUT.gpkg.writing-{dead}.gpkg", ".writing-{dead}-OUT.gpkg"],
                          kept=["OUT.gpkg.writing-{mine}.gpkg", ".writing-{mine}-OUT.gpkg",
                                "OTHER.gpkg.writing-{dead}.gpkg"])
        ds = ogr.Open(str(self.tmp / "stale_writers_gpkg" / "OUT.gpkg"))
        self.assertIsNotNone(ds)
        self.assertEqual(ds.GetLayerByName("districts").GetFeatureCount(), 3)

    def test_kml_export_removes_a_dead_process_temporaries(self):
        self.check_export("writers.kml", "OUT.kml",
                          stale=[".writing-{dead}-OUT.kml", "OUT.kml.writing-{dead}"],
                          kept=[".writing-{mine}-OUT.kml", "OUT.kml.writing-{mine}", ".writing-{dead}-OTHER.kml"])


# --------------------------------------------------------------------------- 12. join sum and dissolve conflicts

TM2_X, TM2_Y = 300_000.0, 2_770_000.0
TM2_CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3826"}}


def tm2_square(x: float, y: float, d: float = 100.0) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


# The dissolve layer: (GRP, NM, POP, geometry). Feature 1 has no name (required: 921), feature 2
# is a spike with no area (941): both are rejected, and group A is merged from features 0 and 3.
SPIKE = {"type": "Polygon", "coordinates": [[[TM2_X + 200, TM2_Y], [TM2_X + 250, TM2_Y], [TM2_X + 300, TM2_Y],
                                             [TM2_X + 200, TM2_Y]]]}
DISSOLVE_PARTS = [
    ("A", "A區", 10, tm2_square(TM2_X, TM2_Y)),
    ("A", None, 20, tm2_square(TM2_X + 100, TM2_Y)),
    ("A", "A區", 40, SPIKE),
    ("A", "A區", 80, tm2_square(TM2_X + 50, TM2_Y + 50)),  # overlaps feature 0 by 50 x 50 m
    ("B", "B區", 160, tm2_square(TM2_X + 500, TM2_Y)),
]
JOIN_ROWS = [("D1", "甲區", "100"), ("D1", "乙區", "50"), ("D2", "丙區", "70")]


class JoinAndDissolveConflicts(TrustCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        d = cls.tmp
        districts = {"type": "FeatureCollection", "crs": TM2_CRS, "features": [
            {"type": "Feature", "properties": {"K": "D1"}, "geometry": tm2_square(TM2_X, TM2_Y)},
            {"type": "Feature", "properties": {"K": "D2"}, "geometry": tm2_square(TM2_X + 100, TM2_Y)}]}
        (d / "districts.geojson").write_text(json.dumps(districts), encoding="utf-8")
        with open(d / "pop.csv", "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([("key", "name", "pop")] + JOIN_ROWS)
        parts = {"type": "FeatureCollection", "crs": TM2_CRS, "features": [
            {"type": "Feature", "properties": {"GRP": g, "NM": nm, "POP": pop}, "geometry": geom}
            for g, nm, pop, geom in DISSOLVE_PARTS]}
        (d / "parts.geojson").write_text(json.dumps(parts, ensure_ascii=False), encoding="utf-8")
        (d / "project.toml").write_text("""[project]
name = "GENERATED: join sum and dissolve with conflicts"
crs = "EPSG:3826"
store = "store.gpkg"
output = "out"

[[tables]]
name = "pop"
path = "pop.csv"

[[layers]]
name = "districts"
kind = "district"
path = "districts.geojson"
fields = { id = "K" }
[layers.join]
table = "pop"
feature_keys = ["K"]
table_keys = ["key"]
multiple = "sum"
fields = { name = "name", population = "pop" }

[[layers]]
name = "towns"
kind = "district"
path = "parts.geojson"
fields = { name = "NM", population = "POP" }
dissolve = "GRP"
""", encoding="utf-8")
        cls.store = d / "store.gpkg"
        cls.res = cls.strata("import", d / "project.toml")

    def issues(self, layer: str) -> list:
        self.assertExit(self.res, sts.EXIT_OK, "import of the project")
        return [i for i in self.info(self.store, "--issues")["issues"] if i["layer"] == layer]

    def test_join_sum_keeps_the_first_rows_name_and_says_so(self):
        import geopandas as gpd
        first = {}
        for key, name, _ in JOIN_ROWS:
            first.setdefault(key, name)
        d1_names = [name for key, name, _ in JOIN_ROWS if key == "D1"]
        self.assertEqual(len(set(d1_names)), 2, "premise: D1's rows differ in name")
        stored = gpd.read_file(self.store, layer="districts").set_index("sid")
        for key in ("D1", "D2"):
            self.assertEqual(stored.loc[key, "name"], first[key], f"{key}: name is required, the first row's is kept")
            self.assertEqual(stored.loc[key, "population"], sum(int(p) for k, _, p in JOIN_ROWS if k == key), key)
        conflicts = [i for i in self.issues("districts") if i["code"] == 933]
        self.assertEqual(len(conflicts), 1, conflicts)
        w = conflicts[0]
        self.assertEqual((w["status"], w["feature_id"], w.get("field")), ("warning", "D1", "name"), w)
        for name in d1_names:
            self.assertIn(name, w["message"], "the 933 must name both values")

    def test_dissolve_with_rejected_members_says_what_it_lacks(self):
        import geopandas as gpd
        from shapely.geometry import shape
        from shapely.ops import unary_union
        issues = self.issues("towns")
        rejected = {i["fid"]: i for i in issues if i["status"] == "rejected"}
        self.assertEqual(sorted(rejected), [1, 2], issues)
        self.assertEqual(rejected[1]["code"], 921, rejected[1])
        self.assertEqual(rejected[2]["code"], 941, rejected[2])
        lacks = [i for i in issues if i["code"] == 933 and "reject" in i["message"]]
        self.assertEqual(len(lacks), 1, issues)
        w = lacks[0]
        self.assertEqual((w["status"], w["feature_id"]), ("warning", "A"), w)
        m = re.search(r"lacks (\d+) rejected member", w["message"])
        self.assertIsNotNone(m, w["message"])
        self.assertEqual(int(m.group(1)), 2, w["message"])
        fids = re.search(r"\(fids? ([^;)]*)", w["message"])
        self.assertIsNotNone(fids, f"the 933 must name the rejected members' fids: {w['message']}")
        self.assertEqual(sorted(int(n) for n in re.findall(r"\d+", fids.group(1))), [1, 2], w["message"])
        self.assertEqual([i for i in issues if i["code"] == 933 and i["feature_id"] == "B"], [], issues)
        # The merged feature is the union of the members that were kept, its sums over them.
        kept = [k for k in range(len(DISSOLVE_PARTS)) if DISSOLVE_PARTS[k][0] == "A" and k not in (1, 2)]
        union = unary_union([shape(DISSOLVE_PARTS[k][3]) for k in kept])
        stored = gpd.read_file(self.store, layer="towns").set_index("sid")
        self.assertEqual(sorted(stored.index), ["A", "B"])
        a = stored.loc["A"]
        self.assertAlmostEqual(a.geometry.area, union.area, delta=1e-6 * union.area)
        self.assertAlmostEqual(a.geometry.symmetric_difference(union).area, 0.0, delta=1e-3)
        self.assertAlmostEqual(a["area_m2"], union.area, delta=1e-6 * union.area)
        self.assertEqual(a["population"], sum(DISSOLVE_PARTS[k][2] for k in kept))
        self.assertEqual(a["name"], "A區")

    def test_empty_string_in_a_required_field_is_rejected_like_null(self):
        """An empty name ("") is as empty as a null one: 921, not a district without a name."""
        parts = {"type": "FeatureCollection", "crs": TM2_CRS, "features": [
            {"type": "Feature", "properties": {"NM": nm}, "geometry": tm2_square(TM2_X + 200 * k, TM2_Y)}
            for k, nm in enumerate(["有名區", "", "   "])]}
        path = self.write("empty_names.geojson", json.dumps(parts, ensure_ascii=False))
        store = self.tmp / "empty_names" / "store.gpkg"
        res = self.strata("import", path, "--kind", "district", "--name", "named", "--store", store,
                          "--field", "name=NM")
        self.assertExit(res, sts.EXIT_OK, "one feature has a name")
        layer = self.info_layers(store)["named"]
        issues = [i for i in self.info(store, "--issues")["issues"] if i["layer"] == "named"]
        self.assertEqual(sorted((i["fid"], i["code"]) for i in issues if i["status"] == "rejected"),
                         [(1, 921), (2, 921)], f"empty and blank names must be rejected: {issues}")
        self.assertEqual(layer["features_imported"], 1, layer)


# --------------------------------------------------------------------------- 13. inspect: what it did not read

def not_building_members(path: Path) -> dict:
    """Local name -> count of the direct children of cityObjectMember that are not a Building."""
    counts = {}
    for _, el in ET.iterparse(str(path), events=("end",)):
        if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] == "cityObjectMember":
            for child in el:
                local = child.tag.rsplit("}", 1)[-1]
                if local != "Building":
                    counts[local] = counts.get(local, 0) + 1
            el.clear()
    return counts


def citygml_with_other_types() -> str:
    faces = cube_faces(RD_X, RD_Y, 0.0, 10.0, 10.0)
    building = citygml([("B-1", faces)], "urn:ogc:def:crs:EPSG::28992")
    ring = poslist_text(cube_faces(RD_X + 100, RD_Y, 0.0, 10.0, 10.0)[0], False)
    surface = ("<gml:MultiSurface><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing>"
               f'<gml:posList srsDimension="3">{ring}</gml:posList>'
               "</gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface>")
    others = f"""  <cityObjectMember><tran:Road gml:id="road-1"><tran:lod1MultiSurface>{surface}</tran:lod1MultiSurface></tran:Road></cityObjectMember>
  <cityObjectMember><tran:Road gml:id="road-2"/></cityObjectMember>
  <cityObjectMember><dem:ReliefFeature gml:id="relief-1"><dem:lod>1</dem:lod></dem:ReliefFeature></cityObjectMember>
  <cityObjectMember><veg:PlantCover gml:id="plants-1"><veg:lod1MultiSurface>{surface}</veg:lod1MultiSurface></veg:PlantCover></cityObjectMember>
"""
    ns = ('xmlns:tran="http://www.opengis.net/citygml/transportation/2.0" '
          'xmlns:dem="http://www.opengis.net/citygml/relief/2.0" '
          'xmlns:veg="http://www.opengis.net/citygml/vegetation/2.0" ')
    text = building.replace("<CityModel ", "<CityModel " + ns, 1)
    return text.replace("</CityModel>", others + "</CityModel>")


class InspectNotRead(TrustCase):
    def check_not_read(self, path: Path) -> None:
        want = not_building_members(path)
        self.assertTrue(want, "premise: the file has city objects other than buildings")
        res = self.strata("inspect", path)
        self.assertExit(res, sts.EXIT_OK, "objects strata does not model are not an error")
        self.assertEqual(res.result.get("not_read"), want, res.describe())
        text = self.strata("inspect", path, json_output=False)
        self.assertExit(text, sts.EXIT_OK)
        headline = text.stdout.splitlines()[0] if text.stdout else ""
        self.assertIn("not read", headline, "the first line must say that something was not read" + text.describe())
        for local, n in want.items():
            self.assertIn(f"{local} {n}", text.stdout, text.describe())
        strict = self.strata("--strict", "inspect", path)
        self.assertExit(strict, sts.EXIT_INPUT_DATA, "--strict: objects not read fail the command")

    def test_den_haag_tin_relief_is_listed_as_not_read(self):
        self.check_not_read(sts.data_path("citygml_denhaag_tile01_large", "DenHaag_01.gml"))

    def test_generated_roads_relief_and_plants_are_listed_as_not_read(self):
        self.check_not_read(self.write("others.gml", citygml_with_other_types()))


# --------------------------------------------------------------------------- 14. pipes isolate warnings

KY4 = ("water_sewer_networks_epanet_swmm", "ky4.inp")


def inp_sections(path: Path) -> dict:
    """Section name -> list of token lists (comments and blank lines dropped) of an EPANET file."""
    sections, current = {}, None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.split(";", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            current = line.strip("[]").upper()
            sections.setdefault(current, [])
        elif current:
            sections[current].append(line.split())
    return sections


PRV_NETWORK = """[TITLE]
GENERATED by tests/cli/test_trust.py: a PRV between the reservoir's side and the rest

[JUNCTIONS]
;ID  Elev  Demand
 J1  10  1
 J2  10  2
 J3  10  3
 J4  10  4
 J5  10  5

[RESERVOIRS]
 R1  50

[PIPES]
;ID  Node1  Node2  Length  Diameter  Roughness  MinorLoss  Status
 P1  R1  J1  100  200  100  0  Open
 P2  J2  J3  150  150  100  0  Open
 P3  J3  J4  120  150  100  0  Open
 P4  J1  J5  80  150  100  0  Open

[VALVES]
;ID  Node1  Node2  Diameter  Type  Setting  MinorLoss
 V1  J1  J2  150  PRV  30  0

[OPTIONS]
 Units  LPS

[COORDINATES]
 R1  300000  2770000
 J1  300100  2770000
 J2  300101  2770000
 J3  300251  2770000
 J4  300251  2770120
 J5  300100  2770080

[END]
"""


class IsolationWarnings(TrustCase):
    def test_ky4_network_length_in_metres_for_us_feet(self):
        from pyproj import CRS
        import geopandas as gpd
        inp = sts.data_path(*KY4)
        sections = inp_sections(inp)
        pipe = sections["PIPES"][0][0]
        unit = CRS.from_epsg(3547).axis_info[0].unit_conversion_factor
        self.assertAlmostEqual(unit, 1200 / 3937, places=12, msg="premise: EPSG:3547 is in US survey feet")
        pipes = gpd.read_file(sts.data_path("water_sewer_networks_epanet_swmm", "ky4_gis", "ky4_pipes.geojson"))
        self.assertEqual(pipes.crs.to_epsg(), 3547)
        want_m = float(pipes.length.sum()) * 1200 / 3937
        res = self.strata("pipes", "isolate", inp, "--crs", "EPSG:3547", "--break", pipe)
        self.assertExit(res, sts.EXIT_OK, f"pipes isolate --break {pipe}")
        got = res.result
        self.assertAlmostEqual(got["network_length_m"], want_m, delta=0.01 * want_m,
                               msg="network length in metres (1 US ft = 1200/3937 m)" + res.describe())
        warnings = got.get("warnings", [])
        if not sections.get("VALVES"):
            # ky4 has no valves at all: no control valve is closed, and the break shuts everything.
            self.assertFalse(any("control valve" in w for w in warnings), res.describe())
            self.assertFalse(got["closable"], res.describe())
        shut = got["isolated_length_m"] + got["cut_off_length_m"]
        if shut > got["network_length_m"] / 2:
            self.assertTrue(any("pipe length" in w for w in warnings),
                            "more than half the network shut: a warning must say so" + res.describe())
        self.assertFalse([i for i in got["network"]["issues"] if i["code"] == 910],
                         "--crs given: no 910" + res.describe())

    def test_ky4_without_crs_warns_metres_are_assumed(self):
        inp = sts.data_path(*KY4)
        sections = inp_sections(inp)
        units = dict((t[0].upper(), t[1:]) for t in sections["OPTIONS"] if t).get("UNITS", [""])[0]
        self.assertEqual(units.upper(), "GPM", "premise: ky4 uses US customary flow units")
        pipe = sections["PIPES"][0][0]
        res = self.strata("pipes", "isolate", inp, "--break", pipe)
        self.assertExit(res, sts.EXIT_OK, "a missing CRS is a warning")
        w910 = [i for i in res.result["network"]["issues"] if i["code"] == 910]
        self.assertEqual(len(w910), 1, res.describe())
        self.assertEqual(w910[0]["status"], "warning", w910)
        self.assertIn("metres", w910[0]["message"])
        self.assertIn("US customary", w910[0]["message"])
        strict = self.strata("--strict", "pipes", "isolate", inp, "--break", pipe)
        self.assertExit(strict, sts.EXIT_INPUT_DATA, "--strict: the 910 warning fails the command")

    def test_control_valve_closed_as_isolation_valve_is_named(self):
        path = self.write("prv.inp", PRV_NETWORK)
        sections = inp_sections(path)
        xy = {t[0]: (float(t[1]), float(t[2])) for t in sections["COORDINATES"]}
        pipe_length = sum(math.dist(xy[t[1]], xy[t[2]]) for t in sections["PIPES"])
        valves = {t[0]: t[4] for t in sections["VALVES"]}
        res = self.strata("pipes", "isolate", path, "--crs", "EPSG:3826", "--break", "P2")
        self.assertExit(res, sts.EXIT_OK, "pipes isolate --break P2")
        got = res.result
        self.assertEqual([v["id"] for v in got["valves_to_close"]], ["V1"], res.describe())
        self.assertAlmostEqual(got["network_length_m"], pipe_length, delta=1e-6, msg=res.describe())
        # P2 and P3 lie beyond the PRV (J2..J4): they are what the closed valve shuts off.
        self.assertEqual(sorted(s["pipe"] for s in got["isolated"]), ["P2", "P3"], res.describe())
        warnings = [w for w in got.get("warnings", []) if "control valve" in w]
        self.assertEqual(len(warnings), 1, res.describe())
        self.assertIn(valves["V1"], warnings[0], "the warning must give the valve type")
        self.assertRegex(warnings[0], r"\bV1\b", "the warning must name the control valve it closes")
        strict = self.strata("--strict", "pipes", "isolate", path, "--crs", "EPSG:3826", "--break", "P2")
        self.assertExit(strict, sts.EXIT_INPUT_DATA, "--strict: the warning fails the command")


# --------------------------------------------------------------------------- --strict everywhere

class StrictEverywhere(TrustCase):
    """Issue 19: "the headline and the exit status say when anything was left out, and --strict
    turns every such warning into a failure" — for `units build`, every pipe analysis and a
    project run's stages, not only for import and inspect."""

    def test_units_build_with_a_rejected_registry_row(self):
        registry = self.tmp / "registry_one_bad_row.csv"
        text = (sts.REPO_ROOT / "samples" / "delft" / "registry_FICTITIOUS.csv").read_text(encoding="utf-8")
        with open(registry, "w", encoding="utf-8", newline="") as f:
            f.write(text.rstrip("\n") + "\n")
            # floors "X" is no floor list: the row is rejected, its building number left out.
            csv.writer(f).writerow(["09999-000", "b1128007f-00ba-11e6-b420-2bdcc4ab5d7f", "示範市虛構區測試路30號",
                                    "X", "主建物", "10.00", "王小明", "A000000101", "全部", "虛擬段一小段 0123-0000"])
        args = ["units", "build", DELFT_FOOTPRINTS, "--id-field", "gml_id", "--height", "9",
                "--registry", registry, "--out", self.tmp / "strict_units.city.json"]
        plain = self.strata(*args, json_output=False)
        self.assertExit(plain, sts.EXIT_OK)
        headline = plain.stdout.splitlines()[0]
        self.assertIn("1 input rows or footprints were rejected", headline)
        self.assertNotIn("— no problems\n", plain.stdout)
        strict = self.strata("--strict", *args)
        self.assertExit(strict, sts.EXIT_INPUT_DATA, "--strict: a rejected registry row fails units build")
        self.assertEqual(len(strict.result["issues"]), 1)
        self.assertTrue((self.tmp / "strict_units.city.json").is_file(), "the model is still written")

    def test_a_pipe_analysis_on_a_network_read_around_a_feature(self):
        gas = json.loads((sts.REPO_ROOT / "samples" / "kaohsiung" / "gas.geojson").read_text(encoding="utf-8"))
        gas["features"].append({"type": "Feature", "properties": dict(gas["features"][0]["properties"]),
                                "geometry": None})  # a feature without geometry: rejected
        network = self.tmp / "GENERATED_gas_one_empty.geojson"
        network.write_text(json.dumps(gas), encoding="utf-8")
        k = sts.REPO_ROOT / "samples" / "kaohsiung"
        for kind, extra in (("clearance", ["--a-utility", "gas"]), ("cover", ["--utility", "gas", "--ground-z", "0"])):
            with self.subTest(kind=kind):
                args = ["pipes", kind, network, *extra, "--rules", k / "rules.toml"]
                plain = self.strata(*args)
                self.assertExit(plain, sts.EXIT_OK)
                networks = plain.result.get("networks") or [plain.result["a"]]  # clearance: a (and b)
                issues = [i for n in networks for i in n["issues"]]
                self.assertGreaterEqual(len(issues), 1, plain.describe())
                strict = self.strata("--strict", *args)
                self.assertExit(strict, sts.EXIT_INPUT_DATA, f"--strict: pipes {kind} on a network read around a feature")

    def test_a_run_whose_indicators_warn(self):
        # The Taipei sample: green reaching outside the districts (956) and paving polygons
        # rejected at import; both said in the headline, both named by --strict.
        root = self.tmp / "strict_run"
        shutil.copytree(sts.REPO_ROOT / "samples" / "taipei", root / "taipei")
        toml = root / "taipei" / "project.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace("../../out/taipei", "out"), encoding="utf-8")
        plain = self.strata("run", toml, json_output=False)
        self.assertExit(plain, sts.EXIT_OK)
        head = plain.stdout.splitlines()[:3]
        self.assertTrue(any("WARNING" in line and "rejected" in line for line in head), head)
        self.assertTrue(any("computed around a problem: indicators" in line for line in head), head)
        summary = json.loads((root / "taipei" / "out" / "summary.json").read_text(encoding="utf-8"))
        self.assertEqual(summary["warned_stages"], ["indicators"])
        self.assertIn(956, [w["code"] for w in summary["analyses"]["indicators"]["warnings"]])
        strict = self.strata("--strict", "run", toml)
        self.assertExit(strict, sts.EXIT_INPUT_DATA)
        self.assertIn("indicators computed around a problem", strict.stderr)

if __name__ == "__main__":
    sts.main()
