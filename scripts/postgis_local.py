#!/usr/bin/python3
"""A throwaway PostgreSQL 15 + PostGIS cluster for benchmarks and tests.

initdb + pg_ctl (from /usr/lib/postgresql/15/bin, Debian's postgresql-15) in a fresh temporary
directory, a unix socket in that directory (no TCP unless asked), trust authentication, one
database with `CREATE EXTENSION postgis`; on exit the server is stopped and the directory deleted.
Nothing touches the system cluster (/var/lib/postgresql, port 5432). Packages: see the group
"benchmarks and tests that need a real server" in scripts/install-deps.sh.

PostgreSQL refuses to run as root: when started by root, the server (initdb, pg_ctl, postgres)
runs as the `postgres` system user (or --run-as USER), and the temporary directory is given to
that user. Clients (psycopg2, psql, ogr2ogr) connect as database user `postgres` through the
socket from any OS user (trust).

From Python:

    sys.path.insert(0, "<repo>/scripts")
    from postgis_local import LocalPostgis
    with LocalPostgis(settings={"max_parallel_workers_per_gather": 2}) as pg:
        pg.dsn          # "host=/tmp/strata-pg-.../sock port=54xx dbname=strata user=postgres"
        pg.ogr_dsn      # "PG:" + dsn, for ogr2ogr -f PostgreSQL
        pg.env          # os.environ + PGHOST/PGPORT/PGDATABASE/PGUSER, for psql & co.
        pg.query("SELECT postgis_full_version()")   # via psycopg2 (rows) or psql (text)

From the shell:

    /usr/bin/python3 scripts/postgis_local.py --self-test        # start, check PostGIS, stop
    /usr/bin/python3 scripts/postgis_local.py -- psql -c 'SELECT postgis_version()'
        # runs the command with PGHOST/PGPORT/PGDATABASE/PGUSER and STRATA_PG_DSN set, then stops
    /usr/bin/python3 scripts/postgis_local.py                    # prints the DSN, serves until Ctrl-C
"""
import argparse
import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_BINDIR = Path("/usr/lib/postgresql/15/bin")


def free_port(start=54330, end=54999):
    """A TCP port on 127.0.0.1 nobody listens on (also names the unix socket file)."""
    for port in range(start, end):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {start}..{end}")


class LocalPostgis:
    """Context manager: a private PostgreSQL cluster with a PostGIS database.

    settings: extra postgresql.conf settings ({"work_mem": "256MB", ...}); the defaults below
    favour a throwaway benchmark server (fsync off: the data is not worth keeping).
    tcp: also listen on 127.0.0.1:<port> (default: unix socket only).
    keep: leave the directory (log, data) in place after stopping, for debugging.
    """

    BASE_SETTINGS = {
        "listen_addresses": "''",
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": 20,
        "logging_collector": "off",
    }

    def __init__(self, dbname="strata", settings=None, tcp=False, keep=False, bindir=None,
                 run_as=None, base_dir=None, extensions=("postgis",)):
        self.dbname = dbname
        self.settings = dict(self.BASE_SETTINGS)
        if tcp:
            self.settings["listen_addresses"] = "'127.0.0.1'"
        for k, v in (settings or {}).items():
            self.settings[k] = v
        self.keep = keep
        self.bindir = Path(bindir or os.environ.get("STRATA_PG_BINDIR", DEFAULT_BINDIR))
        self.base_dir = base_dir
        self.extensions = tuple(extensions)
        self.superuser = "postgres"
        self.port = None
        self.dir = None
        self.started = False
        self._uid = self._gid = None
        if os.geteuid() == 0:
            name = run_as or "postgres"
            try:
                pw = pwd.getpwnam(name)
            except KeyError:
                raise RuntimeError(f"running as root: PostgreSQL must run as an unprivileged user, "
                                   f"but user '{name}' does not exist (install postgresql, or --run-as)")
            self._uid, self._gid, self._user = pw.pw_uid, pw.pw_gid, name
        else:
            self._user = pwd.getpwuid(os.geteuid()).pw_name

    # ---------------------------------------------------------------- paths and connection
    @property
    def data_dir(self):
        return self.dir / "data"

    @property
    def socket_dir(self):
        return self.dir / "sock"

    @property
    def log_file(self):
        return self.dir / "server.log"

    @property
    def dsn(self):
        return f"host={self.socket_dir} port={self.port} dbname={self.dbname} user={self.superuser}"

    @property
    def ogr_dsn(self):
        return "PG:" + self.dsn

    @property
    def env(self):
        e = dict(os.environ)
        e.update(PGHOST=str(self.socket_dir), PGPORT=str(self.port), PGDATABASE=self.dbname,
                 PGUSER=self.superuser, STRATA_PG_DSN=self.dsn)
        return e

    # ---------------------------------------------------------------- running as the server user
    def _demote(self):
        if self._uid is None:
            return None

        def fn():
            os.setgroups([])
            os.setgid(self._gid)
            os.setuid(self._uid)
        return fn

    def _server_cmd(self, args, check=True, **kw):
        env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
        if self._uid is not None:
            env.update(HOME=str(self.dir), USER=self._user, LOGNAME=self._user)
        p = subprocess.run([str(a) for a in args], preexec_fn=self._demote(), env=env, cwd=str(self.dir),
                           capture_output=True, text=True, **kw)
        if check and p.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, args))} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
                               + self._log_tail())
        return p

    def _log_tail(self, n=30):
        try:
            lines = self.log_file.read_text(errors="replace").splitlines()[-n:]
            return "\n--- server log (tail) ---\n" + "\n".join(lines)
        except OSError:
            return ""

    # ---------------------------------------------------------------- lifecycle
    def start(self):
        for tool in ("initdb", "pg_ctl", "postgres"):
            if not (self.bindir / tool).exists():
                raise RuntimeError(f"{self.bindir / tool} not found: run scripts/install-deps.sh "
                                   f"(postgresql-15, postgresql-15-postgis-3)")
        self.dir = Path(tempfile.mkdtemp(prefix="strata-pg-", dir=self.base_dir))
        atexit.register(self.stop)
        if self._uid is not None:
            os.chown(self.dir, self._uid, self._gid)
            # every path component above must be traversable by the server user
            p = self.dir.parent
            while p != p.parent:
                if not os.stat(p).st_mode & 0o001:
                    raise RuntimeError(f"{p} is not traversable by '{self._user}': use base_dir= elsewhere")
                p = p.parent
        self._server_cmd(["mkdir", "-m", "0700", self.socket_dir])
        self.port = free_port()
        self._server_cmd([self.bindir / "initdb", "-D", self.data_dir, "-U", self.superuser,
                          "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        conf = dict(self.settings, port=self.port, unix_socket_directories=f"'{self.socket_dir}'")
        with open(self.data_dir / "postgresql.auto.conf", "a") as f:  # written as root, read by the server
            for k, v in conf.items():
                f.write(f"{k} = {v}\n")
        if self._uid is not None:
            os.chown(self.data_dir / "postgresql.auto.conf", self._uid, self._gid)
        self._server_cmd([self.bindir / "pg_ctl", "-D", self.data_dir, "-l", self.log_file,
                          "-w", "-t", "60", "start"])
        self.started = True
        self.psql(f"CREATE DATABASE {self.dbname}", dbname="postgres")
        for ext in self.extensions:
            self.psql(f"CREATE EXTENSION IF NOT EXISTS {ext}")
        return self

    def stop(self):
        if self.dir is None:
            return
        if self.started:
            self._server_cmd([self.bindir / "pg_ctl", "-D", self.data_dir, "-m", "fast", "-w", "-t", "60", "stop"],
                             check=False)
            self.started = False
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print(f"postgis_local: kept {self.dir}", file=sys.stderr)
        self.dir = None
        atexit.unregister(self.stop)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()
        return False

    # ---------------------------------------------------------------- clients
    def psql(self, sql, dbname=None):
        """Runs SQL with psql (ON_ERROR_STOP); returns stdout (unaligned, tuples only)."""
        env = self.env
        if dbname:
            env["PGDATABASE"] = dbname
        p = subprocess.run([str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           env=env, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"psql failed: {sql}\n{p.stderr}")
        return p.stdout

    def connect(self):
        import psycopg2
        conn = psycopg2.connect(self.dsn)
        conn.autocommit = True
        return conn

    def query(self, sql, params=None):
        """Rows of one statement, via psycopg2."""
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []


def self_test():
    t0 = time.perf_counter()
    with LocalPostgis(settings={"max_parallel_workers_per_gather": 2}) as pg:
        up = time.perf_counter() - t0
        print(f"started in {up:.1f} s: {pg.dsn}")
        print("server runs as:", pg._user, "| dir:", pg.dir)
        (version,), = pg.query("SELECT postgis_full_version()")
        print(version)
        (area,), = pg.query("SELECT ST_Area(ST_Union(g)) FROM (VALUES "
                            "(ST_MakeEnvelope(0,0,2,2,3826)), (ST_MakeEnvelope(1,1,3,3,3826))) v(g)")
        assert abs(area - 7.0) < 1e-9, area
        (pw,), = pg.query("SHOW max_parallel_workers_per_gather")
        assert pw == "2", pw
        out = subprocess.run(["ogr2ogr", "-f", "PostgreSQL", pg.ogr_dsn, "/vsistdin/", "-nln", "t",
                              "-lco", "GEOMETRY_NAME=geom", "-a_srs", "EPSG:3826"],
                             input='{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1},'
                                   '"geometry":{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]]]}}]}',
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        (n, a), = pg.query("SELECT count(*), sum(ST_Area(geom)) FROM t")
        assert n == 1 and a == 16.0, (n, a)
        print("psycopg2, psql, ogr2ogr: ok;", "ST_Union area", area, "| ogr2ogr loaded", n, "row")
        d = pg.dir
    assert not d.exists(), d
    print(f"stopped and removed {d}: self-test ok")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--self-test", action="store_true", help="start, check PostGIS/psycopg2/ogr2ogr, stop")
    ap.add_argument("--dbname", default="strata")
    ap.add_argument("--tcp", action="store_true", help="also listen on 127.0.0.1:<port>")
    ap.add_argument("--keep", action="store_true", help="keep the directory (log, data) after stopping")
    ap.add_argument("--run-as", help="OS user for the server when started by root (default: postgres)")
    ap.add_argument("-c", "--set", action="append", default=[], metavar="KEY=VALUE", help="postgresql.conf setting")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD ...: run it against the cluster, then stop")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    settings = dict(s.split("=", 1) for s in args.set)
    # SIGTERM/SIGHUP end like Ctrl-C, so the cluster is stopped and removed
    def interrupted(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    with LocalPostgis(dbname=args.dbname, settings=settings, tcp=args.tcp, keep=args.keep,
                      run_as=args.run_as) as pg:
        if cmd:
            return subprocess.run(cmd, env=pg.env).returncode
        print(pg.dsn, flush=True)
        print(f"export PGHOST={pg.socket_dir} PGPORT={pg.port} PGDATABASE={pg.dbname} PGUSER={pg.superuser}",
              flush=True)
        print("serving; Ctrl-C (or SIGTERM) stops and deletes it", file=sys.stderr, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
