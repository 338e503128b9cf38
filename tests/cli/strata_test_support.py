"""Shared helpers for strata's end-to-end command-line tests (tests/cli/test_*.py).

Every test script:
  * finds the strata binary in $STRATA_BIN (default: <repo>/build/dev/apps/strata/strata),
  * finds the shared real data in $STRATA_DATA_DIR (default: <repo>/../shared/data),
  * writes only into a fresh tempfile.mkdtemp() directory, which it also passes to strata as
    $STRATA_TEST_OUT (project files use ${STRATA_TEST_OUT} for their store and output),
  * exits 77 (ctest SKIP_RETURN_CODE) with "SKIP: ..." when the data is missing, unless $CI is
    set, in which case missing data is a failure.

Run one script by hand:
  STRATA_BIN=build/dev/apps/strata/strata /usr/bin/python3 tests/cli/test_taipei_population.py -v
Set STRATA_KEEP_TEST_OUT=1 to keep the temporary directories for inspection.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

REPO_ROOT = Path(__file__).resolve().parents[2]
SKIP_RETURN_CODE = 77

# Exit codes of the strata CLI (apps/strata/cli_output.h).
EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2
EXIT_PROJECT_FILE = 3
EXIT_INPUT_DATA = 4
EXIT_STORE = 5
EXIT_INTERNAL = 6

# Environment variables strata reads that a test must never inherit by accident.
_SCRUBBED_ENV = ("STRATA_FAULT_AFTER_WRITES",)


# --------------------------------------------------------------------------- locations

def data_dir() -> Path:
    env = os.environ.get("STRATA_DATA_DIR")
    if env:
        return Path(env).resolve()
    return (REPO_ROOT / ".." / "shared" / "data").resolve()


def strata_bin() -> Path:
    env = os.environ.get("STRATA_BIN")
    if env:
        return Path(env).resolve()
    return REPO_ROOT / "build" / "dev" / "apps" / "strata" / "strata"


def in_ci() -> bool:
    value = os.environ.get("CI", "").strip().lower()
    return value not in ("", "0", "false", "no")


def data_path(*parts: str) -> Path:
    return data_dir().joinpath(*parts)


def require_data_or_exit() -> Path:
    """Exits 77 (skip) when the shared data is missing; in CI that is a failure instead."""
    d = data_dir()
    if d.is_dir():
        return d
    if in_ci():
        print(f"FAIL: shared data directory {d} not found. CI is set, so this is an error, not a skip: "
              f"check out ../shared/data next to the repository or set STRATA_DATA_DIR.", file=sys.stderr)
        sys.exit(1)
    print("SKIP: ../shared/data not found (set STRATA_DATA_DIR)")
    sys.exit(SKIP_RETURN_CODE)


def wait_for_binary(timeout: float = None) -> Path:
    """The binary may be relinked under us by a concurrent build: wait a while if it is missing."""
    if timeout is None:
        timeout = float(os.environ.get("STRATA_BIN_WAIT", "180"))
    exe = strata_bin()
    deadline = time.monotonic() + timeout
    while not (exe.is_file() and os.access(exe, os.X_OK)):
        if time.monotonic() > deadline:
            print(f"FAIL: strata binary {exe} not found or not executable (set STRATA_BIN)", file=sys.stderr)
            sys.exit(1)
        time.sleep(2)
    return exe


def main() -> None:
    """Entry point of every test script: skip logic, then unittest."""
    require_data_or_exit()
    wait_for_binary()
    unittest.main(verbosity=2)


# --------------------------------------------------------------------------- running strata

@dataclass
class StrataResult:
    args: list
    returncode: int
    stdout: str
    stderr: str
    doc: Optional[dict]  # the parsed --json document, when stdout held one

    def describe(self) -> str:
        def tail(text: str, n: int = 3000) -> str:
            return text if len(text) <= n else "..." + text[-n:]
        return (f"\n$ {' '.join(str(a) for a in self.args)}\nexit code {self.returncode}\n"
                f"--- stdout ---\n{tail(self.stdout)}\n--- stderr ---\n{tail(self.stderr)}")

    @property
    def result(self) -> dict:
        if not self.doc or "result" not in self.doc:
            raise AssertionError("no JSON result document" + self.describe())
        return self.doc["result"]


def strata_env(out_dir: Optional[Path] = None, extra: Optional[dict] = None) -> dict:
    env = dict(os.environ)
    for k in _SCRUBBED_ENV:
        env.pop(k, None)
    env["STRATA_DATA_DIR"] = str(data_dir())
    if out_dir is not None:
        env["STRATA_TEST_OUT"] = str(out_dir)
    env.setdefault("LC_ALL", "C.UTF-8")
    if extra:
        env.update({k: str(v) for k, v in extra.items()})
    return env


def _popen_retry(cmd: list, **kwargs) -> subprocess.Popen:
    """Starts strata, waiting out a concurrent relink (binary briefly missing or busy)."""
    deadline = time.monotonic() + float(os.environ.get("STRATA_BIN_WAIT", "180"))
    while True:
        try:
            return subprocess.Popen(cmd, **kwargs)
        except OSError as e:
            if e.errno not in (errno.ENOENT, errno.ETXTBSY, errno.EACCES) or time.monotonic() > deadline:
                raise
            time.sleep(2)


def run_strata(args: Iterable, *, json_output: bool = True, out_dir: Optional[Path] = None,
               env: Optional[dict] = None, cwd: Optional[Path] = None, timeout: float = 600) -> StrataResult:
    """Runs `strata [--json] ARGS...` and parses its JSON output."""
    args = [str(a) for a in args]
    cmd = [str(strata_bin())] + (["--json"] if json_output else []) + args
    proc = _popen_retry(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=strata_env(out_dir, env),
                        cwd=str(cwd) if cwd else None)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"strata timed out after {timeout}s: {' '.join(cmd)}\n{err.decode(errors='replace')}")
    stdout = out.decode("utf-8", errors="replace")
    stderr = err.decode("utf-8", errors="replace")
    doc = None
    if json_output and stdout.strip():
        try:
            doc = json.loads(stdout)
        except json.JSONDecodeError:
            doc = None
    return StrataResult(cmd, proc.returncode, stdout, stderr, doc)


def popen_strata(args: Iterable, *, out_dir: Optional[Path] = None, env: Optional[dict] = None,
                 cwd: Optional[Path] = None) -> subprocess.Popen:
    """Starts strata (no --json) with stderr as a text pipe, for progress-driven tests."""
    cmd = [str(strata_bin())] + [str(a) for a in args]
    return _popen_retry(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=strata_env(out_dir, env),
                        cwd=str(cwd) if cwd else None, text=True, encoding="utf-8", errors="replace",
                        bufsize=1)


def error_of(doc: Optional[dict]) -> Optional[dict]:
    """The error a failed command reports in --json output.

    strata reports an error that aborts a command as {"ok": false, "error": {...}}, and a layer
    that fails inside import/run as {"ok": false, "result": {"failures": [...]}} (run: under
    result.import.failures). Returns the first one found, with code, code_name and message."""
    if not doc:
        return None
    if isinstance(doc.get("error"), dict):
        return doc["error"]
    result = doc.get("result") or {}
    failures = result.get("failures") or (result.get("import") or {}).get("failures") or []
    return failures[0] if failures else None


# --------------------------------------------------------------------------- store inspection

def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sqlite_rows(path: Path, sql: str, params: tuple = (), read_only: bool = True) -> list:
    uri = f"file:{Path(path).resolve()}" + ("?mode=ro" if read_only else "")
    con = sqlite3.connect(uri, uri=True)
    try:
        rows = con.execute(sql, params).fetchall()
        if not read_only:
            con.commit()
        return rows
    finally:
        con.close()


def gpkg_tables(path: Path) -> set:
    """Tables a GeoPackage declares in gpkg_contents."""
    return {r[0] for r in sqlite_rows(path, "SELECT table_name FROM gpkg_contents")}


def gpkg_row_count(path: Path, table: str) -> int:
    return sqlite_rows(path, f'SELECT COUNT(*) FROM "{table}"')[0][0]


def gpkg_srs_id(path: Path, table: str) -> tuple:
    """(organization, organization_coordsys_id) of a GeoPackage feature table's geometry column."""
    rows = sqlite_rows(path, "SELECT s.organization, s.organization_coordsys_id FROM gpkg_geometry_columns g "
                             "JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id WHERE g.table_name = ?", (table,))
    return rows[0] if rows else None


# --------------------------------------------------------------------------- test base class

class StrataTestCase(unittest.TestCase):
    """Gives each test class a fresh temporary directory (also $STRATA_TEST_OUT for strata)."""

    tmp: Path

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.tmp = Path(tempfile.mkdtemp(prefix=f"strata-cli-{cls.__name__}-"))

    @classmethod
    def tearDownClass(cls) -> None:
        if os.environ.get("STRATA_KEEP_TEST_OUT"):
            print(f"\n[kept test output in {cls.tmp}]", file=sys.stderr)
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    @classmethod
    def strata(cls, *args, **kwargs) -> StrataResult:
        kwargs.setdefault("out_dir", cls.tmp)
        return run_strata(args, **kwargs)

    @classmethod
    def new_dir(cls, name: str) -> Path:
        d = cls.tmp / name
        d.mkdir(parents=True, exist_ok=False)
        return d

    # assertions -------------------------------------------------------------

    def assertExit(self, res: StrataResult, code: int, what: str = "") -> None:
        if res.returncode != code:
            self.fail(f"{what + ': ' if what else ''}expected exit code {code}, got {res.returncode}" + res.describe())

    def assertJsonDoc(self, res: StrataResult, ok: bool) -> dict:
        self.assertIsNotNone(res.doc, "stdout is not a JSON document" + res.describe())
        self.assertIn("command", res.doc, res.describe())
        self.assertEqual(res.doc.get("ok"), ok, "wrong 'ok' in the JSON document" + res.describe())
        return res.doc

    def assertError(self, res: StrataResult, exit_code: int, code: int, code_name: str) -> dict:
        """A failed command: exit code, ok=false and the error code in --json output."""
        self.assertExit(res, exit_code)
        self.assertJsonDoc(res, ok=False)
        err = error_of(res.doc)
        self.assertIsNotNone(err, "no error in the JSON document" + res.describe())
        self.assertEqual(err.get("code"), code, f"expected error {code} {code_name}" + res.describe())
        self.assertEqual(err.get("code_name"), code_name, res.describe())
        self.assertTrue(err.get("message"), "error without a message" + res.describe())
        return err

    def info(self, store: Path, *extra) -> dict:
        res = self.strata("info", store, *extra)
        self.assertExit(res, EXIT_OK, f"strata info {store}")
        self.assertJsonDoc(res, ok=True)
        return res.result

    def info_layers(self, store: Path) -> dict:
        return {l["layer"]: l for l in self.info(store)["layers"]}
