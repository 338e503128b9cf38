"""Lifespans of rights (LADM begin/endLifespanVersion): the registry's 登記日期 / 塗銷日期 (or
valid_from / valid_to) columns, written on every unit's rights, and the shares check (806) on the
rights in force on a day (`--as-of`) or, by default, the current ones. Footprint: one real Delft
BGT building; the registry is written by the test (a sale on 2020-01-01, then a half share sold).
"""
import json

import strata_test_support as sts

BUILDING = "b112715f4-00ba-11e6-b420-2bdcc4ab5d7f"
HEADER = "建號,建物,層次,面積,權利人編號,權利範圍,登記日期,塗銷日期\n"


def pand_path():
    return sts.data_path("delft_ahn3_pointcloud_bgt", "bgt", "bgt_pand.sqlite")


class Lifespans(sts.StrataTestCase):
    def build(self, rows, *extra, name="r"):
        registry = self.tmp / f"{name}.csv"
        registry.write_text(HEADER + "".join(f"L-1,{BUILDING},1,120.46,{r}\n" for r in rows), encoding="utf-8")
        out = self.tmp / f"{name}.city.json"
        res = self.strata("units", "build", pand_path(), "--id-field", "gml_id", "--height", "9",
                          "--registry", registry, "--out", out, *extra)
        return res, (json.loads(out.read_text()) if out.exists() else None)

    # A sold the whole unit to B on 2020-01-01; B sold half to C on 2023-07-15.
    HISTORY = ["A,全部,2010-03-01,2020-01-01", "B,全部,2020-01-01,2023-07-15", "B,1/2,2023-07-15,",
               "C,1/2,2023-07-15,"]

    def codes(self, res):
        return sorted(f["code"] for f in res.result["findings"])

    def test_shares_are_whole_on_every_day_of_the_history(self):
        for day in ("", "2010-03-01", "2015-06-01", "2019-12-31", "2020-01-01", "2023-07-14", "2023-07-15",
                    "2030-01-01"):
            res, _ = self.build(self.HISTORY, *(["--as-of", day] if day else []))
            self.assertExit(res, sts.EXIT_OK, day)
            self.assertEqual(self.codes(res), [], day)

    def test_before_the_first_registration_nothing_is_owned(self):
        res, _ = self.build(self.HISTORY, "--as-of", "2009-12-31")
        self.assertExit(res, 7)
        [f] = res.result["findings"]
        self.assertEqual((f["code"], f["id"]), (806, "L-1"))
        self.assertIn("on 2009-12-31 sum to 0", f["detail"])

    def test_a_sale_not_closed_counts_twice(self):
        # A's right never ended: now A and B both hold the whole unit.
        rows = ["A,全部,2010-03-01,", "B,全部,2020-01-01,"]
        res, _ = self.build(rows, name="open")
        self.assertEqual(self.codes(res), [806])
        self.assertIn("sum to 2", res.result["findings"][0]["detail"])
        res, _ = self.build(rows, "--as-of", "2015-01-01", name="open2015")
        self.assertEqual(self.codes(res), [])

    def test_lifespans_are_written_on_the_units(self):
        _, doc = self.build(self.HISTORY)
        [unit] = [o for o in doc["CityObjects"].values() if o["type"] == "BuildingUnit"]
        rights = sorted((r["party"], r["share"], r.get("valid_from"), r.get("valid_to"))
                        for r in unit["attributes"]["rights"])
        self.assertEqual(rights, [("A", "1", "2010-03-01", "2020-01-01"), ("B", "1", "2020-01-01", "2023-07-15"),
                                  ("B", "1/2", "2023-07-15", None), ("C", "1/2", "2023-07-15", None)])

    def test_bad_dates_are_rejected_rows(self):
        rows = ["A,全部,2010-13-01,", "B,全部,2020-01-01,2019-01-01", "C,全部,2020-01-01,"]
        res, _ = self.build(rows, name="bad")
        issues = sorted((i["fid"], i["field"], i["code"]) for i in res.result["issues"])
        self.assertEqual(issues, [(1, "valid_from", 922), (2, "valid_to", 922)], res.describe())
        self.assertEqual(res.result["rights"], 1)
        res = self.strata("units", "build", pand_path(), "--id-field", "gml_id", "--height", "9", "--registry",
                          self.tmp / "bad.csv", "--out", self.tmp / "x.city.json", "--as-of", "15/01/2020")
        self.assertExit(res, sts.EXIT_USAGE)


if __name__ == "__main__":
    sts.main()
