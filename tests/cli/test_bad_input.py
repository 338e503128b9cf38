#!/usr/bin/python3
"""End to end: what a user sees when the input is broken.

Fixtures are derived from real files at test time (clearly marked as derived, written only to
the temporary directory): a truncated GeoJSON, copies of three Taipei villages with a duplicated
id, a null geometry and a bow-tie polygon, files with Latin-1 bytes in text fields, and project
files with TOML mistakes.
"""
import copy
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

VILLAGES = ("taipei_districts_villages", "taipei_village.geojson")


def village_source() -> dict:
    with open(sts.data_path(*VILLAGES), encoding="utf-8") as f:
        return json.load(f)


class BadInputTest(sts.StrataTestCase):
    # ------------------------------------------------------------------ (a) truncated file
    def test_truncated_geojson(self):
        d = self.new_dir("truncated")
        src = sts.data_path(*VILLAGES).read_bytes()
        # derived: the first N bytes of a real file; 3000 bytes as asked, and later cuts too, so a
        # streaming reader cannot import the features before the cut and call it a success.
        for cut in (3000, len(src) // 2, len(src) - 100, len(src) - 3):
            with self.subTest(bytes=cut):
                path = d / f"taipei_village_first{cut}bytes.geojson"
                path.write_bytes(src[:cut])
                store = d / f"s{cut}.gpkg"
                res = self.strata("import", path, "--kind", "village", "--name", "v", "--store", store,
                                  "--field", "name=VNAME")
                self.assertExit(res, sts.EXIT_INPUT_DATA, "truncated GeoJSON")
                self.assertJsonDoc(res, ok=False)
                err = sts.error_of(res.doc)
                self.assertIsNotNone(err, res.describe())
                self.assertIn(str(path), err["message"], "the error must name the file")
                self.assertIn(err["code"], (901, 904), err)  # INVALID_INPUT_FILE / FORMAT_NOT_SUPPORTED
                if store.exists():
                    self.assertNotIn("v", sts.gpkg_tables(store))

    # ------------------------------------------------------------------ (b) feature problems
    def test_duplicate_id_null_geometry_bowtie(self):
        d = self.new_dir("features")
        src = village_source()
        originals = src["features"][:3]
        dup = copy.deepcopy(originals[0])             # same CPTVID as the first feature
        dup["properties"]["VNAME"] = "duplicate-of-" + dup["properties"]["VNAME"]
        null = copy.deepcopy(originals[1])            # geometry removed
        null["properties"]["CPTVID"] += "-nullgeom"
        null["geometry"] = None
        bow = copy.deepcopy(originals[2])             # a self-intersecting ring over its bbox
        bow["properties"]["CPTVID"] += "-bowtie"
        coords = [c for poly in originals[2]["geometry"]["coordinates"] for ring in poly for c in ring]
        x0, x1 = min(c[0] for c in coords), max(c[0] for c in coords)
        y0, y1 = min(c[1] for c in coords), max(c[1] for c in coords)
        bow["geometry"] = {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]]}
        fixture = {k: v for k, v in src.items() if k != "features"}
        fixture["features"] = originals + [dup, null, bow]
        path = d / "derived_village_problems.geojson"
        path.write_text(json.dumps(fixture, ensure_ascii=False), encoding="utf-8")

        store = d / "s.gpkg"
        res = self.strata("import", path, "--kind", "village", "--name", "v", "--store", store,
                          "--field", "id=CPTVID", "--field", "name=VNAME")
        self.assertExit(res, sts.EXIT_OK, "per-feature problems do not fail the import")
        layer = self.info_layers(store)["v"]
        self.assertEqual((layer["features_read"], layer["features_imported"], layer["features_repaired"],
                          layer["features_rejected"]), (6, 3, 1, 2))
        issues = {i["fid"]: i for i in self.info(store, "--issues")["issues"] if i["layer"] == "v"}
        self.assertEqual(set(issues), {3, 4, 5}, issues)
        self.assertEqual((issues[3]["status"], issues[3]["code"], issues[3]["code_name"]),
                         ("rejected", 930, "DUPLICATE_ID"))
        self.assertIn(originals[0]["properties"]["CPTVID"], issues[3]["message"])
        self.assertEqual((issues[4]["status"], issues[4]["code"], issues[4]["code_name"]),
                         ("rejected", 906, "NO_GEOMETRY"))
        self.assertEqual(issues[5]["status"], "repaired")
        self.assertTrue(issues[5].get("method"), "a repair must name its method")
        self.assertIn(issues[5]["code"], (104, 201, 940), issues[5])  # self-intersection (or generic repair)
        self.assertIn("location", issues[5])

        # The kept features: the first copy of the duplicated id, and a valid repaired bow-tie
        # with the area GEOS MakeValid gives (two triangles: half the bbox).
        import geopandas as gpd
        from shapely.validation import make_valid
        stored = gpd.read_file(store, layer="v").set_index("sid")
        dup_id = originals[0]["properties"]["CPTVID"]
        self.assertEqual(stored.loc[dup_id, "name"], originals[0]["properties"]["VNAME"])
        bow_id = bow["properties"]["CPTVID"]
        self.assertTrue(stored.loc[bow_id].geometry.is_valid)
        self.assertEqual(int(stored.loc[bow_id, "repaired"]), 1)
        src_bow = gpd.read_file(path).set_index("CPTVID").loc[bow_id].geometry
        self.assertFalse(src_bow.is_valid)
        want = gpd.GeoSeries([make_valid(src_bow)], crs=4326).to_crs(3826).area.iloc[0]
        self.assertAlmostEqual(stored.loc[bow_id, "area_m2"], want, delta=0.01 * want)

    def test_large_layer_checked_on_worker_threads(self):
        """A layer of 10,000 polygons already in the store's CRS has its geometry checks run on
        worker threads (docs/ARCHITECTURE.md); the features are still imported in order, so the
        report is the one a single thread gives: ids, codes, repairs and the rule that the id of a
        rejected feature stays free. GENERATED: copies of the real sample green polygons with
        offsets, with problems planted at known positions."""
        import geopandas as gpd
        from shapely.affinity import translate
        from shapely.geometry import mapping

        d = self.new_dir("large")
        base = gpd.read_file(sts.REPO_ROOT / "samples" / "taipei" / "green.geojson").to_crs(3826)
        def no_repeats(ring):
            c = list(ring.coords)
            return all(a != b for a, b in zip(c, c[1:]))

        # Polygons without repeated points of their own (the reprojection leaves some), so that
        # only the planted problems are reported.
        shapes = [p for g in base.geometry for p in getattr(g, "geoms", [g])
                  if p.geom_type == "Polygon" and p.is_valid and len(p.exterior.coords) > 4
                  and no_repeats(p.exterior) and all(no_repeats(r) for r in p.interiors)]
        self.assertGreater(len(shapes), 5)
        n = 10_000
        bowtie, repeated, degenerate, duplicate, reuses = set(), set(), set(), set(), set()
        features = []
        for k in range(n):
            g = translate(shapes[k % len(shapes)], (k % 100) * 300.0, (k // 100) * 300.0)
            geom = mapping(g)
            fid_id = f"g{k}"
            x0, y0, x1, y1 = g.bounds
            if k % 97 == 5:
                bowtie.add(k)
                geom = {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]]}
            elif k % 101 == 7:
                repeated.add(k)
                ring = [list(c) for c in g.exterior.coords]
                ring.insert(1, ring[1])
                geom = {"type": "Polygon", "coordinates": [ring]}
            elif k % 1009 == 0:
                degenerate.add(k)  # a ring with no area: nothing survives MakeValid
                geom = {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [(x0 + x1) / 2, y0], [x0, y0]]]}
            elif k - 1 in degenerate:
                reuses.add(k)
                fid_id = f"g{k - 1}"  # the rejected feature's id is free
            elif k % 499 == 11:
                duplicate.add(k)
                fid_id = f"g{k - 1}"
            features.append({"type": "Feature", "properties": {"gid": fid_id}, "geometry": geom})
        path = d / "large_GENERATED.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection",
                                    "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3826"}},
                                    "features": features}), encoding="utf-8")
        store = d / "s.gpkg"
        res = self.strata("import", path, "--kind", "green", "--name", "g", "--store", store, "--field", "id=gid")
        self.assertExit(res, sts.EXIT_OK)
        issues = {}
        for i in self.info(store, "--issues")["issues"]:
            if i["layer"] == "g":
                issues.setdefault(i["fid"], []).append(i)
        self.assertEqual(set(issues), bowtie | repeated | degenerate | duplicate)
        for k in bowtie:
            self.assertEqual([i["status"] for i in issues[k]], ["repaired"], issues[k])
        for k in repeated:
            self.assertEqual([(i["status"], i["code"]) for i in issues[k]], [("repaired", 102)], issues[k])
        for k in degenerate:
            self.assertEqual([(i["status"], i["code"]) for i in issues[k]], [("rejected", 941)], issues[k])
        for k in duplicate:
            self.assertEqual([(i["status"], i["code"]) for i in issues[k]], [("rejected", 930)], issues[k])
            self.assertIn(f"feature {k - 1}", issues[k][0]["message"])
        layer = self.info_layers(store)["g"]
        self.assertEqual((layer["features_read"], layer["features_repaired"], layer["features_rejected"]),
                         (n, len(bowtie | repeated), len(degenerate | duplicate)))
        stored = dict(sts.sqlite_rows(store, "SELECT sid, src_fid FROM g"))
        for k in reuses:
            self.assertEqual(stored[f"g{k - 1}"], k, "the id of a rejected feature goes to the next one")

    # ------------------------------------------------------------------ (c) mapped field missing
    def test_mapped_field_missing(self):
        d = self.new_dir("field_missing")
        res = self.strata("import", sts.data_path(*VILLAGES), "--kind", "village", "--name", "v",
                          "--store", d / "s.gpkg", "--field", "name=NOPE")
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 920, "FIELD_MISSING")
        msg = err["message"]
        self.assertIn("'NOPE'", msg, "the message should name the missing field")
        import geopandas as gpd
        available = [c for c in gpd.read_file(sts.data_path(*VILLAGES), rows=1).columns if c != "geometry"]
        missing_from_list = [c for c in available if c not in msg]
        self.assertEqual(missing_from_list, [], "the message should list the available fields")

    def test_mapped_field_missing_in_project_file(self):
        d = self.new_dir("field_missing_project")
        project = d / "p.toml"
        project.write_text("\n".join([
            "[project]", 'name = "p"', f'store = "{d / "s.gpkg"}"', "",
            "[[layers]]", 'name = "v"', 'kind = "village"',
            'path = "${STRATA_DATA_DIR}/taipei_districts_villages/taipei_village.geojson"',
            'fields = { name = "VILLAGE_NAME" }', ""]), encoding="utf-8")
        res = self.strata("import", project)
        err = self.assertError(res, sts.EXIT_INPUT_DATA, 920, "FIELD_MISSING")
        self.assertIn("VILLAGE_NAME", err["message"])
        self.assertIn("VNAME", err["message"])
        self.assertIn(f"{project.resolve()}:5", err["message"], "should cite the [[layers]] entry")

    # ------------------------------------------------------------------ (d) project file mistakes
    def write_toml(self, name: str, lines: list) -> Path:
        path = self.tmp / "toml" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def good_project_lines(self) -> list:
        return ["[project]", 'name = "bad"', 'crs = "EPSG:3826"', 'store = "${STRATA_TEST_OUT}/toml/s.gpkg"', "",
                "[[layers]]", 'name = "villages"', 'kind = "village"',
                'path = "${STRATA_DATA_DIR}/taipei_districts_villages/taipei_village.geojson"',
                'fields = { id = "CPTVID", name = "VNAME" }']

    def assert_project_error(self, path: Path, line: int, *needles):
        for command in ("run", "import"):
            with self.subTest(file=path.name, command=command):
                res = self.strata(command, path)
                err = self.assertError(res, sts.EXIT_PROJECT_FILE, 970, "PROJECT_FILE")
                self.assertIn(f"{path}:{line}", err["message"], f"should cite {path.name}:{line}")
                for n in needles:
                    self.assertIn(n, err["message"])

    def test_toml_syntax_error_unterminated_string(self):
        lines = self.good_project_lines()
        lines[7] = 'kind = "village'  # line 8: unterminated string
        self.assert_project_error(self.write_toml("unterminated.toml", lines), 8, "TOML")

    def test_toml_syntax_error_broken_table_header(self):
        lines = self.good_project_lines()
        lines[5] = "[[layers]"  # line 6
        self.assert_project_error(self.write_toml("header.toml", lines), 6, "TOML")

    def test_toml_unknown_key(self):
        lines = self.good_project_lines()
        lines.insert(9, 'colour = "green"')  # line 10, inside [[layers]]
        self.assert_project_error(self.write_toml("unknown_key.toml", lines), 10, "colour")

    def test_toml_unknown_key_in_project_table(self):
        lines = self.good_project_lines()
        lines.insert(3, 'srid = 3826')  # line 4, inside [project]
        self.assert_project_error(self.write_toml("unknown_project_key.toml", lines), 4, "srid")

    def test_project_file_not_found(self):
        missing = self.tmp / "no_such_project.toml"
        res = self.strata("run", missing)
        err = self.assertError(res, sts.EXIT_PROJECT_FILE, 970, "PROJECT_FILE")
        self.assertIn(str(missing), err["message"])
        self.assertIn("not found", err["message"])

    # ------------------------------------------------------------------ (e) invalid UTF-8
    def latin1_geojson(self, d: Path) -> Path:
        """Two Taipei villages; feature 0 gets Latin-1 bytes in an unmapped text field (SECT_NAME),
        feature 1 in the mapped name field (VNAME). Derived test fixture."""
        src = village_source()
        fixture = {k: v for k, v in src.items() if k != "features"}
        feats = copy.deepcopy(src["features"][:2])
        feats[0]["properties"]["SECT_NAME"] = "@@BAD_UNMAPPED@@"
        feats[1]["properties"]["VNAME"] = "@@BAD_MAPPED@@"
        fixture["features"] = feats
        data = json.dumps(fixture, ensure_ascii=False).encode("utf-8")
        data = data.replace(b"@@BAD_UNMAPPED@@", "Café Müller".encode("latin-1"))
        data = data.replace(b"@@BAD_MAPPED@@", "Señor".encode("latin-1"))
        path = d / "derived_latin1.geojson"
        path.write_bytes(data)
        return path

    def check_encoding_outcome(self, store: Path, layer: str, fid_unmapped: int, fid_mapped: int, field_mapped: str):
        issues = {i["fid"]: i for i in self.info(store, "--issues")["issues"] if i["layer"] == layer}
        self.assertEqual(issues[fid_mapped]["code"], 923)
        self.assertEqual(issues[fid_mapped]["code_name"], "ENCODING")
        self.assertEqual(issues[fid_mapped]["status"], "rejected")
        self.assertIn(field_mapped, issues[fid_mapped]["message"])
        self.assertEqual(issues[fid_unmapped]["code"], 923)
        self.assertIn(issues[fid_unmapped]["status"], ("repaired", "rejected"))
        # Whatever was stored is valid UTF-8 (sqlite3 hands back str, or raises on bad bytes).
        import sqlite3
        con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
        try:
            for (attrs,) in con.execute(f'SELECT attributes FROM "{layer}"'):
                json.loads(attrs)
        finally:
            con.close()

    def test_invalid_utf8_geojson(self):
        d = self.new_dir("latin1_geojson")
        path = self.latin1_geojson(d)
        store = d / "s.gpkg"
        res = self.strata("import", path, "--kind", "village", "--name", "enc", "--store", store,
                          "--field", "id=CPTVID", "--field", "name=VNAME")
        self.assertIn(res.returncode, (0, 4), "no crash on invalid UTF-8" + res.describe())
        self.assertIsNotNone(res.doc, "JSON output must still be valid" + res.describe())
        self.assertExit(res, sts.EXIT_OK)
        self.check_encoding_outcome(store, "enc", fid_unmapped=0, fid_mapped=1, field_mapped="VNAME")
        import geopandas as gpd
        stored = gpd.read_file(store, layer="enc")
        self.assertEqual(len(stored), 1)
        attrs = json.loads(stored["attributes"].iloc[0])
        self.assertIn("\ufffd", attrs["SECT_NAME"], "bad bytes should be replaced by U+FFFD")

    def test_invalid_utf8_csv_with_wkt(self):
        d = self.new_dir("latin1_csv")
        path = d / "derived_latin1.csv"
        path.write_bytes(
            b'id,name,note,WKT\n'
            b'1,ok,fine,"POLYGON((300000 2770000,300100 2770000,300100 2770100,300000 2770100,300000 2770000))"\n'
            + '2,Señor,fine,"POLYGON((300200 2770000,300300 2770000,300300 2770100,300200 2770100,300200 2770000))"\n'
            .encode("latin-1")
            + '3,ok3,Café,"POLYGON((300400 2770000,300500 2770000,300500 2770100,300400 2770100,300400 2770000))"\n'
            .encode("latin-1"))
        store = d / "s.gpkg"
        res = self.strata("import", path, "--kind", "village", "--name", "enc", "--store", store, "--crs", "EPSG:3826",
                          "--field", "id=id", "--field", "name=name")
        self.assertExit(res, sts.EXIT_OK)
        layer = self.info_layers(store)["enc"]
        self.assertEqual(layer["features_read"], 3)
        self.assertEqual(layer["features_imported"] + layer["features_repaired"] + layer["features_rejected"], 3)
        # GDAL's CSV driver numbers features from 1.
        self.check_encoding_outcome(store, "enc", fid_unmapped=3, fid_mapped=2, field_mapped="name")

        # With the right --encoding everything imports and the text is decoded properly.
        res = self.strata("import", path, "--kind", "village", "--name", "enc2", "--store", store, "--crs",
                          "EPSG:3826", "--encoding", "ISO-8859-1", "--field", "id=id", "--field", "name=name")
        self.assertExit(res, sts.EXIT_OK)
        names = {r[0]: r[1] for r in sts.sqlite_rows(store, "SELECT sid, name FROM enc2")}
        self.assertEqual(names, {"1": "ok", "2": "Señor", "3": "ok3"})

    # ------------------------------------------------------------------ (f) file not found
    def test_file_not_found(self):
        d = self.new_dir("not_found")
        missing = d / "no_such_file.geojson"
        res = self.strata("import", missing, "--kind", "village", "--name", "v", "--store", d / "s.gpkg",
                          "--field", "name=VNAME")
        self.assertExit(res, sts.EXIT_INPUT_DATA)
        self.assertJsonDoc(res, ok=False)
        err = sts.error_of(res.doc)
        self.assertIn("file not found", err["message"])
        self.assertIn(str(missing), err["message"])

    def test_file_not_found_in_project(self):
        d = self.new_dir("not_found_project")
        project = d / "p.toml"
        project.write_text("\n".join([
            "[project]", 'name = "p"', f'store = "{d / "s.gpkg"}"', "",
            "[[layers]]", 'name = "v"', 'kind = "village"', 'path = "missing/villages.geojson"',
            'fields = { name = "VNAME" }', ""]), encoding="utf-8")
        res = self.strata("import", project)
        self.assertExit(res, sts.EXIT_INPUT_DATA)
        err = sts.error_of(res.doc)
        self.assertIn("file not found", err["message"])
        # relative paths in a project file are relative to the project file
        self.assertIn(str(d / "missing" / "villages.geojson"), err["message"])

    # ------------------------------------------------------------------ usage errors
    def test_usage_errors_exit_2(self):
        d = self.new_dir("usage")
        cases = {
            "no --kind": ["import", sts.data_path(*VILLAGES), "--name", "v", "--store", d / "s.gpkg"],
            "unknown kind": ["import", sts.data_path(*VILLAGES), "--kind", "castle", "--name", "v",
                             "--store", d / "s.gpkg", "--field", "name=VNAME"],
            "field not of kind": ["import", sts.data_path(*VILLAGES), "--kind", "village", "--name", "v",
                                  "--store", d / "s.gpkg", "--field", "colour=VNAME"],
            "no subcommand": [],
        }
        for what, args in cases.items():
            with self.subTest(case=what):
                res = self.strata(*args)
                self.assertExit(res, sts.EXIT_USAGE, what)
        self.assertFalse((d / "s.gpkg").exists(), "a usage error must not create a store")


if __name__ == "__main__":
    sts.main()
