#!/usr/bin/python3
"""End to end: an import is one transaction; a failure or a kill leaves the store as it was.

(a) With the test hook STRATA_FAULT_AFTER_WRITES=500 the store throws after 500 feature writes:
    the command must fail and the store file must be byte-identical afterwards, with the same
    `strata info` output, both when the import adds a new layer and when it replaces one.
(b) An import of two larger layers (Tainan statistical areas) is SIGKILLed while it writes: the
    store must still open, show exactly the previous layers and counts, and pass SQLite's
    integrity check; a later import must work.
"""
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strata_test_support as sts  # noqa: E402

PAV = ("taipei_green_permeable", "all_pav_dist.geojson")  # 883 polygons: more than 500 writes
ANPING = ("taiwan_zoning_tainan_kaohsiung", "D0301_tainan_anping_harbor_zoning.geojson")
TAINAN_LAYERS = {"east": "67000320_east.geojson", "annan": "67000350_annan.geojson"}


def store_snapshot(store: Path) -> dict:
    """Row counts of every table of the GeoPackage (read with sqlite3)."""
    tables = [r[0] for r in sts.sqlite_rows(store, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: sts.gpkg_row_count(store, t) for t in sorted(tables)}


class FaultInjectionTest(sts.StrataTestCase):
    def import_anping(self, store: Path):
        res = self.strata("import", sts.data_path(*ANPING), "--kind", "zoning", "--name", "anping",
                          "--store", store, "--field", "id=OBJECTID", "--field", "zone_code=分區代")
        self.assertExit(res, sts.EXIT_OK, "building the base store")

    def import_paving(self, store: Path, fault: int = None):
        env = {"STRATA_FAULT_AFTER_WRITES": fault} if fault is not None else None
        return self.strata("import", sts.data_path(*PAV), "--kind", "paving", "--name", "paving",
                           "--store", store, "--crs", "EPSG:4326", "--field", "category=map_type", env=env)

    def assert_failed_without_trace(self, res, store, sha, info, snapshot):
        self.assertNotEqual(res.returncode, 0, "the faulted import must fail" + res.describe())
        self.assertJsonDoc(res, ok=False)
        err = sts.error_of(res.doc)
        self.assertIsNotNone(err, res.describe())
        self.assertIn("STRATA_FAULT_AFTER_WRITES", err["message"], "the failure should be the injected fault")
        self.assertEqual(sts.sha256_file(store), sha, "the store file changed after a failed import")
        self.assertEqual(self.info(store, "--issues"), info)
        self.assertEqual(store_snapshot(store), snapshot)
        leftovers = [p.name for p in store.parent.iterdir() if p.name.startswith(store.name + "-")]
        self.assertEqual(leftovers, [], "journal files left behind")

    def test_fault_while_adding_a_layer(self):
        store = self.new_dir("add") / "s.gpkg"
        self.import_anping(store)
        sha, info, snap = sts.sha256_file(store), self.info(store, "--issues"), store_snapshot(store)
        self.assertEqual([l["layer"] for l in info["layers"]], ["anping"])
        res = self.import_paving(store, fault=500)
        self.assert_failed_without_trace(res, store, sha, info, snap)
        self.assertIn("progress: write paving 500/", res.stderr, "the fault should hit after 500 writes")
        self.assertNotIn("paving", sts.gpkg_tables(store))

    def test_fault_while_replacing_a_layer(self):
        store = self.new_dir("replace") / "s.gpkg"
        self.import_anping(store)
        first = self.import_paving(store)
        self.assertExit(first, sts.EXIT_OK)
        sha, info, snap = sts.sha256_file(store), self.info(store, "--issues"), store_snapshot(store)
        self.assertGreater(snap["paving"], 500)
        res = self.import_paving(store, fault=500)
        self.assert_failed_without_trace(res, store, sha, info, snap)

    def test_fault_hook_off_by_default_and_above_write_count(self):
        # The same import with a limit above its write count succeeds: the hook only fires past it.
        store = self.new_dir("above") / "s.gpkg"
        self.import_anping(store)
        res = self.import_paving(store, fault=100000)
        self.assertExit(res, sts.EXIT_OK)
        self.assertIn("paving", self.info_layers(store))


class KillTest(sts.StrataTestCase):
    ATTEMPTS = 3  # the kill races the import; a lost race is retried, never counted as a pass

    def write_project(self, d: Path) -> Path:
        lines = ["# derived test fixture: two larger layers, for the kill test",
                 "[project]", 'name = "kill test"', 'crs = "EPSG:3826"',
                 f'store = "{d / "store.gpkg"}"', f'output = "{d / "out"}"', ""]
        for name, fname in TAINAN_LAYERS.items():
            lines += ["[[layers]]", f'name = "{name}"', 'kind = "village"',
                      f'path = "{sts.data_path("tainan_statistical_areas", fname)}"',
                      'fields = { id = "CODEBASE", name = "CODEBASE", parent_code = "TOWN_ID" }', ""]
        path = d / "two_layers.toml"
        path.write_text("\n".join(lines), encoding="utf-8")
        return path

    def kill_during_write(self, project: Path, trigger: str, env=None) -> tuple:
        """Starts the import, SIGKILLs it at the first stderr line starting with `trigger`.
        Returns (exit code, stderr lines); exit code -9 means the kill landed."""
        proc = sts.popen_strata(["import", project], out_dir=self.tmp, env=env)
        seen = []
        try:
            for line in proc.stderr:
                seen.append(line.rstrip("\n"))
                if line.startswith(trigger):
                    proc.send_signal(signal.SIGKILL)
                    break
        finally:
            try:
                rc = proc.wait(timeout=120)
            except Exception:
                proc.kill()
                rc = proc.wait()
            proc.stderr.close()
        if not any(l.startswith(trigger) for l in seen):
            self.fail(f"the import never printed a '{trigger}' line (exit code {rc}); stderr:\n" + "\n".join(seen))
        return rc, seen

    def killed_import(self, name: str, build_base, trigger: str, env=None) -> dict:
        """Builds a base store, records its state, kills an import into it mid-write.
        Retries when the import won the race; fails clearly if it always does."""
        outcomes = []
        for attempt in range(1, self.ATTEMPTS + 1):
            d = self.new_dir(f"{name}_{attempt}")
            project = self.write_project(d)
            store = d / "store.gpkg"
            build_base(project, store)
            state = {"dir": d, "project": project, "store": store,
                     "info": self.info(store, "--issues"), "sha": sts.sha256_file(store),
                     "counts": {t: sts.gpkg_row_count(store, t)
                                for t in ["strata_layers", "strata_runs", *[l["layer"] for l in
                                                                             self.info(store)["layers"]]]}}
            rc, seen = self.kill_during_write(project, trigger, env)
            if rc == -signal.SIGKILL:
                state["stderr"] = seen
                return state
            outcomes.append(f"attempt {attempt}: exit code {rc}, last stderr line {seen[-1]!r}")
        self.fail("the import finished before SIGKILL landed in every attempt, so the kill test proved "
                  "nothing:\n" + "\n".join(outcomes))

    def base_anping(self, project: Path, store: Path):
        res = self.strata("import", sts.data_path(*ANPING), "--kind", "zoning", "--name", "anping",
                          "--store", store, "--field", "zone_code=分區代")
        self.assertExit(res, sts.EXIT_OK, "building the base store")

    def base_east(self, project: Path, store: Path):
        res = self.strata("import", project, "--layer", "east")
        self.assertExit(res, sts.EXIT_OK, "building the base store")

    def assert_store_as_before(self, state: dict):
        store = state["store"]
        # strata itself opens the store first (it has to cope with what the kill left).
        res = self.strata("info", store, "--issues")
        self.assertExit(res, sts.EXIT_OK, "strata info after the kill")
        self.assertEqual(res.result, state["info"], "strata info changed after a killed import")
        rows = sts.sqlite_rows(store, "PRAGMA integrity_check", read_only=False)
        self.assertEqual(rows, [("ok",)])
        self.assertEqual({t: sts.gpkg_row_count(store, t) for t in state["counts"]}, state["counts"])

    def test_kill_while_writing_new_layers(self):
        state = self.killed_import("new_layers", self.base_anping, "progress: write")
        self.assertEqual([l["layer"] for l in state["info"]["layers"]], ["anping"])
        self.assert_store_as_before(state)
        self.assertFalse({"east", "annan"} & sts.gpkg_tables(state["store"]))
        # The store is usable afterwards: the same import now completes.
        res = self.strata("import", state["project"])
        self.assertExit(res, sts.EXIT_OK, "re-running the import after the kill")
        layers = self.info_layers(state["store"])
        self.assertEqual(set(layers), {"anping", "east", "annan"})
        self.assertEqual(layers["east"]["feature_count"] + layers["east"]["features_rejected"],
                         layers["east"]["features_read"])

    def test_kill_while_replacing_a_layer(self):
        # The store already holds 'east'; the kill lands while 'annan' is written, i.e. after the
        # transaction has dropped and rewritten 'east'. The old 'east' must be what remains.
        state = self.killed_import("replace", self.base_east, "progress: write annan")
        self.assertEqual([l["layer"] for l in state["info"]["layers"]], ["east"])
        self.assertTrue(any(l.startswith("progress: write east") for l in state["stderr"]), state["stderr"])
        self.assert_store_as_before(state)
        self.assertNotIn("annan", sts.gpkg_tables(state["store"]))
        print(f"\n  store byte-identical after kill + recovery: {sts.sha256_file(state['store']) == state['sha']}",
              file=sys.stderr)

    def test_kill_after_pages_reached_the_file(self):
        # With a small SQLite page cache (GDAL's OGR_SQLITE_CACHE, in MB) the transaction spills
        # pages into the store file before it commits, as any import larger than the cache does.
        # A kill then leaves a hot rollback journal; the next reader must roll it back (or cope)
        # and see the previous state. A user's next command is typically `strata info`.
        state = self.killed_import("spilled", self.base_east, "progress: write annan 500/",
                                   env={"OGR_SQLITE_CACHE": "1"})
        store = state["store"]
        journal = store.parent / (store.name + "-journal")
        file_touched = sts.sha256_file(store) != state["sha"]
        print(f"\n  after the kill: store file modified={file_touched}, journal present={journal.exists()}",
              file=sys.stderr)

        # 1. strata's own read-only commands must open the store left by the kill.
        info_res = self.strata("info", store, "--issues")
        query_res = self.strata("query", "district-at", "0", "0", "--store", store)
        # 2. any SQLite client (read-write) recovers it: integrity ok, previous content, same bytes.
        self.assertEqual(sts.sqlite_rows(store, "PRAGMA integrity_check", read_only=False), [("ok",)])
        self.assertEqual(sts.sha256_file(store), state["sha"], "after rollback the store should be byte-identical")
        self.assertEqual(self.info(store, "--issues"), state["info"])
        self.assertEqual({t: sts.gpkg_row_count(store, t) for t in state["counts"]}, state["counts"])
        self.assertNotIn("annan", sts.gpkg_tables(store))
        # Reported last, so the recovery facts above are established even when this fails.
        self.assertExit(info_res, sts.EXIT_OK, "strata info on the store a killed import left (hot journal)")
        self.assertEqual(info_res.result, state["info"])
        self.assertExit(query_res, sts.EXIT_NOT_FOUND, "strata query on the store a killed import left")



class KillDuringCreationTest(sts.StrataTestCase):
    """A first import killed at any moment, also while the store file itself is being created,
    leaves either no store or a complete one: never a file that later commands cannot open."""

    def test_kill_at_many_moments_of_a_first_import(self):
        import random
        import time
        rng = random.Random(20261122)
        outcomes = {"absent": 0, "complete": 0}
        for i in range(12):
            store = self.tmp / f"first{i}.gpkg"
            proc = sts.popen_strata(["import", sts.data_path(*ANPING), "--kind", "zoning", "--name", "anping",
                                     "--store", store, "--field", "zone_code=分區代"], out_dir=self.tmp)
            time.sleep(rng.uniform(0.0, 0.25))
            proc.kill()
            proc.communicate()
            if not store.exists():
                outcomes["absent"] += 1
                continue
            info = self.strata("info", store)
            self.assertExit(info, sts.EXIT_OK, f"store left by a kill at attempt {i} cannot be opened")
            outcomes["complete"] += 1
            again = self.strata("import", sts.data_path(*ANPING), "--kind", "zoning", "--name", "anping",
                                "--store", store, "--field", "zone_code=分區代")
            self.assertExit(again, sts.EXIT_OK, f"a new import into the store of attempt {i}")
        print(f"\n[kill during first import: {outcomes}]", file=sys.stderr)

if __name__ == "__main__":
    sts.main()
