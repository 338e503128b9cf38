#!/usr/bin/python3
"""Pipes through parcels without an easement: real Taipei parcels over GENERATED pipes.

Parcels (real, taipei_parcels_renewal_misc, reprojected to EPSG:3826): the 95 city-owned idle
land parcels with their owner (土地權屬情形: 臺北市, ...) and the 827 urban-renewal units (private
land; no owner in the data). Pipes (GENERATED): Kaohsiung's real gas lines (owner 欣高, field
NAME) moved so that their busiest 1 km lies on the densest 1 km of Taipei parcels. Restrictions
(GENERATED, a CSV): for crossed parcels in turn, a superficies (地上權) held by 欣高, one held by
another company (台電), one of 欣高 that ended in 2020, one with a bad date.

Reference (Shapely): every pipe/parcel pair whose intersection is at least 0.5 m long; its status
follows docs/pipes.md (held, allowed owner, easement in force held by the pipe's owner, else no
easement).
"""
import csv
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.affinity import translate
from shapely.geometry import box
from shapely.validation import make_valid

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

GAS = ("kaohsiung_pipelines", "kh_ng_pipelines_twd97.geojson")
TAIPEI = "taipei_parcels_renewal_misc"
OWNER_FIELD = "10712土地_1_土地權屬情形"


def densest_cell(points, size):
    x0, y0 = points.min(axis=0)
    cells = np.floor((points - (x0, y0)) / size).astype(int)
    keys, counts = np.unique(cells, axis=0, return_counts=True)
    i, j = keys[np.argmax(counts)]
    return box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size)


class ParcelsTest(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        land = gpd.read_file(sts.data_path(TAIPEI, "building_unsued_land.geojson")).to_crs(3826)
        units = gpd.read_file(sts.data_path(TAIPEI, "building_renewunit_12.geojson")).to_crs(3826)
        parcels = pd.concat([
            gpd.GeoDataFrame({"pid": [f"L{i}" for i in range(len(land))], "owner": land[OWNER_FIELD]},
                             geometry=land.geometry, crs=3826),
            gpd.GeoDataFrame({"pid": list(units["案件編號"].astype(str) + [f"#{i}" for i in range(len(units))]),
                              "owner": [None] * len(units)}, geometry=units.geometry, crs=3826)],
            ignore_index=True)
        cls.parcels = gpd.GeoDataFrame(parcels, geometry="geometry", crs=3826)
        # Some renewal units are invalid (self-intersecting rings): strata repairs them with GEOS
        # MakeValid and reports them; the reference uses Shapely's make_valid likewise.
        cls.invalid = set(cls.parcels.pid[~cls.parcels.is_valid])
        assert cls.invalid, "the real renewal units hold invalid polygons"
        cls.parcel_file = cls.tmp / "parcels.gpkg"
        cls.parcels.to_file(cls.parcel_file, driver="GPKG")
        gas = gpd.read_file(sts.data_path(*GAS))
        gas["pid"] = [f"g{i}" for i in range(len(gas))]
        pts = np.array([(p.x, p.y) for line in gas.geometry
                        for p in (line.interpolate(s) for s in np.arange(0, line.length, 5.0))])
        src = densest_cell(pts, 1000.0)
        cents = np.array([(c.x, c.y) for c in cls.parcels.geometry.centroid])
        dst = densest_cell(cents, 1000.0)
        dx, dy = dst.centroid.x - src.centroid.x, dst.centroid.y - src.centroid.y
        moved = gas[gas.distance(src) < 1000].copy()
        moved["geometry"] = moved.geometry.apply(lambda g: translate(g, dx, dy))
        cls.pipes = moved
        cls.pipe_file = cls.tmp / "pipes_in_taipei.geojson"
        moved[["pid", "NAME", "geometry"]].to_file(cls.pipe_file, driver="GeoJSON")
        # Crossings (the reference geometry).
        cls.cross = {}
        valid = cls.parcels.geometry.apply(lambda g: g if g.is_valid else make_valid(g))
        sidx = cls.parcels.sindex
        for pid, line in zip(moved.pid, moved.geometry):
            for k in sidx.query(line):
                length = line.intersection(valid[k]).length
                if abs(length - 0.5) < 1e-6:
                    raise AssertionError("a crossing on the 0.5 m threshold")
                if length >= 0.5:
                    cls.cross[(pid, cls.parcels.pid[k])] = (length, cls.parcels.owner[k])
        crossed = sorted({p for _, p in cls.cross if not p.startswith("L")})
        assert len(crossed) >= 12, f"only {len(crossed)} private parcels crossed"
        cls.restrictions = cls.tmp / "restrictions.csv"
        rows = [("parcel", "type", "holder", "from", "to")]
        cls.secured = set(crossed[0:len(crossed) // 3])
        rows += [(p, "地上權", "欣高", "2015-01-01", "") for p in sorted(cls.secured)]
        cls.other_holder = crossed[-1]
        rows.append((cls.other_holder, "地上權", "台電", "", ""))
        cls.expired = crossed[-2]
        rows.append((cls.expired, "地役權", "欣高", "2010-01-01", "2020-01-01"))
        rows.append((crossed[-3], "地上權", "欣高", "2015/01/01", ""))  # a bad date
        with open(cls.restrictions, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)

    def run_parcels(self, *extra):
        res = self.strata("pipes", "parcels", self.pipe_file, "--utility", "gas", "--id-field", "pid",
                          "--owner-field", "NAME", "--parcels", self.parcel_file, "--parcel-id-field", "pid",
                          "--parcel-owner-field", "owner", "--restrictions", self.restrictions,
                          "--restriction-parcel-field", "parcel", "--restriction-type-field", "type",
                          "--restriction-holder-field", "holder", "--restriction-from-field", "from",
                          "--restriction-to-field", "to", *extra)
        self.assertExit(res, sts.EXIT_OK, "pipes parcels")
        return res.result

    def expected(self, allowed=(), as_of=None):
        want = {}
        for (pipe, parcel), (length, owner) in self.cross.items():
            if owner == "欣高":
                status = "held"
            elif owner in allowed:
                status = "allowed owner"
            elif parcel in self.secured:
                status = "easement"
            elif parcel == self.expired and as_of and "2010-01-01" <= as_of < "2020-01-01":
                status = "easement"
            else:
                status = "no easement"
            want[(pipe, parcel)] = (status, length)
        return want

    def check(self, result, want):
        got = {(f["pipe"], f["parcel"]): f for f in result["findings"]}
        self.assertEqual(set(got), set(want))
        for key, (status, length) in want.items():
            self.assertEqual(got[key]["status"], status, key)
            self.assertAlmostEqual(got[key]["length_m"], length, delta=1e-6, msg=key)
        self.assertAlmostEqual(result["without_easement_m"],
                               sum(l for s, l in want.values() if s == "no easement"), delta=1e-6)

    def test_crossings_and_easements(self):
        result = self.run_parcels()
        want = self.expected()
        self.assertEqual({s for s, _ in want.values()}, {"easement", "no easement"})
        self.check(result, want)
        # The bad date is reported and its restriction left out; invalid parcels are repaired.
        self.assertEqual([i["code"] for i in result["issues"] if i["status"] != "repaired"], [922])
        repaired = {i["feature_id"] for i in result["issues"] if i["status"] == "repaired"}
        self.assertEqual(repaired, self.invalid)
        self.assertEqual(result["restrictions"], len(self.secured) + 2)  # the bad date left out

    def test_allowed_owners_and_dates(self):
        owners = sorted({o for _, o in self.cross.values() if o})
        self.assertTrue(owners, "some city-owned parcel is crossed")
        result = self.run_parcels("--allowed-owners", ",".join(owners), "--as-of", "2018-06-30")
        want = self.expected(allowed=owners, as_of="2018-06-30")
        self.assertIn("allowed owner", {s for s, _ in want.values()})
        self.check(result, want)
        self.assertEqual(result["findings"] and
                         {f["status"] for f in result["findings"] if f["parcel"] == self.expired},
                         {"easement"})

    def test_owners_only_in_the_bureau_profile(self):
        public = self.run_parcels("--allowed-owners", "nobody")
        self.assertTrue(all(f["parcel_owners"] is None for f in public["findings"]))
        text = json.dumps(public, ensure_ascii=False)
        for owner in {o for _, o in self.cross.values() if o}:
            self.assertNotIn(owner, text.replace('"nobody"', ""))
        bureau = self.run_parcels("--profile", "bureau")
        named = [f for f in bureau["findings"] if f["parcel_owner_known"]]
        self.assertTrue(named)
        self.assertTrue(all(f["parcel_owners"] for f in named))
        res = self.strata("pipes", "parcels", self.pipe_file, "--utility", "gas", "--parcels", self.parcel_file,
                          "--profile", "everyone")
        self.assertError(res, sts.EXIT_USAGE, 903, "WRONG_INPUT_PARAMETERS")

    def test_pipes_without_owner(self):
        res = self.strata("pipes", "parcels", self.pipe_file, "--utility", "gas", "--id-field", "pid",
                          "--parcels", self.parcel_file, "--parcel-id-field", "pid")
        self.assertExit(res, sts.EXIT_OK)
        self.assertEqual({f["status"] for f in res.result["findings"]}, {"pipe owner unknown"})
        res = self.strata("pipes", "parcels", self.pipe_file, "--utility", "gas", "--id-field", "pid",
                          "--parcels", self.parcel_file, "--parcel-id-field", "pid", "--utility-owner", "欣高")
        self.assertExit(res, sts.EXIT_OK)
        self.assertEqual({f["status"] for f in res.result["findings"]}, {"no easement"})


if __name__ == "__main__":
    sts.main()
