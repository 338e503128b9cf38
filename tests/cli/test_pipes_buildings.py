#!/usr/bin/python3
"""Pipes under buildings: the real Delft buildings (BGT pand footprints, and 3dfier's LoD1
solids of the same area, EPSG:28992) over GENERATED pipes: Kaohsiung's real gas lines, the
busiest 250 m of them moved onto the Delft test area (copies with an offset, labelled
EPSG:28992). The rules give 1.0 m of cover and Ø 0.2 m.

Reference (Shapely): a pipe is under a building when its 2D distance to the footprint is at most
margin + radius, over the length of its intersection with the footprint widened by that much;
it runs through the basement when its top's depth (1.0 m) is at most the basement's depth +
margin, else it passes under with the gap (1.0 - basement - margin). Footprints of the solids
are the union of their down-facing faces; their basement is how far the solid reaches below
the ground given (--ground-z).
"""
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.affinity import translate
from shapely.geometry import Polygon, box
from shapely.ops import unary_union

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

GAS = ("kaohsiung_pipelines", "kh_ng_pipelines_twd97.geojson")
DELFT = "delft_ahn3_pointcloud_bgt"
RULES = "[utilities.gas]\ndepth_m = 1.0\ndiameter_m = 0.2\n"
COVER, R = 1.0, 0.1


def busiest_window(lines, size=250.0):
    """The size x size cell (of a grid from the lines' corner) holding the most line length,
    counted from points every 2 m along the lines."""
    pts = np.array([(p.x, p.y) for line in lines for p in
                    (line.interpolate(s) for s in np.arange(0.0, line.length, 2.0))])
    x0, y0 = pts.min(axis=0)
    cells = np.floor((pts - (x0, y0)) / size).astype(int)
    keys, counts = np.unique(cells, axis=0, return_counts=True)
    i, j = keys[np.argmax(counts)]
    return box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size)


def solid_footprints(path):
    """{id: (footprint, lowest z)} of the Buildings of a CityJSON file (down-facing faces)."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    verts = doc["vertices"]
    out = {}
    for oid, obj in doc["CityObjects"].items():
        if obj["type"] != "Building":
            continue
        down, lowest = [], float("inf")
        for geom in obj.get("geometry", []):
            shells = geom["boundaries"] if geom["type"] == "Solid" else [s for solid in geom["boundaries"] for s in solid]
            for shell in shells:
                for surface in shell:
                    ring = [verts[i] for i in surface[0]]
                    lowest = min(lowest, min(p[2] for p in ring))
                    a2 = sum(p[0] * q[1] - q[0] * p[1] for p, q in zip(ring, ring[1:] + ring[:1]))
                    if a2 < -1e-9:
                        down.append(Polygon([(p[0], p[1]) for p in ring]))
        if down:
            out[oid] = (unary_union([d.buffer(0) for d in down]), lowest)
    return out


class BuildingsTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        gas = gpd.read_file(sts.data_path(*GAS))
        gas["pid"] = [f"g{i}" for i in range(len(gas))]
        window = busiest_window(gas.geometry)
        pand = gpd.read_file(sts.data_path(DELFT, "bgt", "bgt_pand.sqlite"))
        cx, cy = pand.unary_union.centroid.x, pand.unary_union.centroid.y
        dx, dy = cx - window.centroid.x, cy - window.centroid.y
        near = gas[gas.distance(window) < 300].copy()
        near["geometry"] = near.geometry.apply(lambda g: translate(g, dx, dy))
        cls.pipes = near.set_crs(28992, allow_override=True)  # GENERATED: moved, relabelled
        cls.pipe_file = cls.tmp / "pipes_in_delft.geojson"
        cls.pipes.to_file(cls.pipe_file, driver="GeoJSON")
        cls.rules = cls.tmp / "rules.toml"
        cls.rules.write_text(RULES, encoding="utf-8")
        pand["basement"] = [3.0 if i % 5 == 0 else None for i in range(len(pand))]  # GENERATED
        cls.pand = pand
        cls.footprints = cls.tmp / "pand.geojson"
        pand[["gml_id", "basement", "geometry"]].to_file(cls.footprints, driver="GeoJSON")

    def run_buildings(self, buildings, *extra):
        res = self.strata("pipes", "buildings", self.pipe_file, "--utility", "gas", "--id-field", "pid",
                          "--owner-field", "NAME", "--rules", self.rules, "--buildings", buildings, *extra)
        self.assertExit(res, sts.EXIT_OK, "pipes buildings")
        return res.result

    def reference(self, buildings, margin):
        """buildings: {id: (footprint, basement depth)}."""
        want = {}
        for bid, (shape, basement) in buildings.items():
            zone = shape.buffer(margin + R, resolution=16)
            for pid, line in zip(self.pipes.pid, self.pipes.geometry):
                d = shape.distance(line)
                self.assertGreater(abs(d - (margin + R)), 1e-4, "a pipe on a zone's edge")
                if d > margin + R:
                    continue
                through = -margin - 2 * R <= COVER <= basement + margin
                want[(bid, pid)] = ("through" if through else "under", line.intersection(zone).length,
                                    None if through else COVER - basement - margin)
        return want

    def compare(self, result, want):
        got = {(f["building"], f["pipe"]): f for f in result["findings"]}
        self.assertEqual(set(got), set(want))
        for key, (status, length, gap) in want.items():
            f = got[key]
            self.assertEqual(f["status"], status, key)
            self.assertAlmostEqual(f["length_under_m"], length, delta=1e-6, msg=key)
            self.assertAlmostEqual(f["cover_min_m"], COVER, delta=1e-9)
            if gap is None:
                self.assertIsNone(f["gap_m"])
            else:
                self.assertAlmostEqual(f["gap_m"], gap, delta=1e-9, msg=key)
            self.assertEqual(f["owner"], "欣高")

    def test_footprints_with_basements(self):
        result = self.run_buildings(self.footprints, "--building-id-field", "gml_id",
                                    "--basement-depth-field", "basement", "--margin", "0.5")
        buildings = {b: (g, 3.0 if not np.isnan(x) else 0.0)
                     for b, g, x in zip(self.pand.gml_id, self.pand.geometry, self.pand.basement.astype(float))}
        want = self.reference(buildings, 0.5)
        statuses = {s for s, _, _ in want.values()}
        self.assertEqual(statuses, {"through", "under"}, "both cases occur")
        self.assertGreater(len(want), 20)
        self.compare(result, want)
        self.assertEqual(result["buildings"]["read"], len(self.pand))
        self.assertEqual(result["through_basements"], sum(s == "through" for s, _, _ in want.values()))
        self.assertAlmostEqual(result["under_m_by_utility"]["gas"], sum(l for _, l, _ in want.values()), delta=1e-6)

    def test_solids(self):
        solids = sts.data_path(DELFT, "output", "testarea.json")
        result = self.run_buildings(solids, "--ground-z", "2.0", "--margin", "0.2")
        self.assertEqual(result["buildings"]["kind"], "solids")
        fps = solid_footprints(solids)
        self.assertEqual(result["buildings"]["read"], len(fps))
        # The pipes are placed 1.0 m below the flat ground at 2.0: each solid's basement is how far
        # it reaches below 2.0.
        want = self.reference({b: (g, max(0.0, 2.0 - z)) for b, (g, z) in fps.items()}, 0.2)
        self.assertGreater(len(want), 20)
        self.compare(result, want)
        self.assertIn("taken as the same horizontal coordinates", result["crs_note"])

    def test_bad_buildings(self):
        bad = self.tmp / "bad.geojson"
        p = self.pand.geometry.iloc[0]
        gpd.GeoDataFrame({"gml_id": ["ok", "deep"], "basement": [1.0, -2.0]},
                         geometry=[p, self.pand.geometry.iloc[1]], crs=28992).to_file(bad, driver="GeoJSON")
        result = self.run_buildings(bad, "--building-id-field", "gml_id", "--basement-depth-field", "basement")
        self.assertEqual([(i["feature_id"], i["code"]) for i in result["buildings"]["issues"]], [("deep", 922)])
        self.assertEqual(result["buildings"]["read"], 1)
        other = self.tmp / "pand_4326.geojson"
        self.pand[["gml_id", "geometry"]].to_crs(4326).to_file(other, driver="GeoJSON")
        res = self.strata("pipes", "buildings", self.pipe_file, "--utility", "gas", "--rules", self.rules,
                          "--buildings", other)
        self.assertError(res, sts.EXIT_INPUT_DATA, 911, "CRS_MISMATCH")


if __name__ == "__main__":
    sts.main()
