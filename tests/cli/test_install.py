"""`cmake --install` of this build into a fresh prefix, used as a user or packager would:

  * the binary runs from the prefix and finds nothing in the build tree it needs;
  * every library (libstrata_<name>.a) and its public headers are there;
  * the Python module imports from the prefix's dist-packages in Debian's python3, away from
    the build, and runs a job (validation of the 3DBAG sample) equal to the installed binary's;
  * the man page renders with man(1) without a warning and documents every command and option
    that `strata --help` lists (it is generated from the same definition);
  * the bash completion, sourced in bash, completes commands and a command's options;
  * the QGIS plugin is there with its own copy of the module.
"""
import json
import os
import re
import subprocess
import unittest
from pathlib import Path

import strata_test_support as sts

BUILD_DIR = os.environ.get("STRATA_BUILD_DIR")
LIBRARIES = ["core", "io", "spatial", "render", "plugins", "engine"]


@unittest.skipUnless(BUILD_DIR, "STRATA_BUILD_DIR is not set (the build folder to install)")
class Install(sts.StrataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.prefix = cls.tmp / "prefix"
        p = subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", str(cls.prefix)],
                           capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
        cls.manifest = (Path(BUILD_DIR) / "install_manifest.txt").read_text().splitlines()
        cls.binary = cls.prefix / "bin" / "strata"

    def run_installed(self, *args, **kwargs):
        env = dict(os.environ, PATH=f"{self.prefix / 'bin'}:/usr/bin:/bin")
        for key in ("STRATA_BIN", "PYTHONPATH", "STRATA_PYTHON_PATH"):
            env.pop(key, None)
        env.update(kwargs.pop("env", {}))
        return subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env,
                              cwd=self.tmp, timeout=300, **kwargs)

    def test_binary_libraries_and_headers(self):
        p = self.run_installed(self.binary, "--version")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout.strip(), r"^\d+\.\d+\.\d+")
        libdir = next(d for d in (self.prefix / "lib", self.prefix / "lib64") if d.exists())
        for name in LIBRARIES:
            self.assertTrue((libdir / f"libstrata_{name}.a").is_file(), name)
            headers = list((self.prefix / "include" / "strata" / name).glob("*.h"))
            self.assertTrue(headers, f"no headers of {name}")
        # The engine's public entry points are among them.
        for header in ("project_run.h", "pipe_analyses.h", "validate_job.h", "job_result.h"):
            self.assertTrue((self.prefix / "include/strata/engine" / header).is_file(), header)
        # Every installed file is under the prefix (nothing written elsewhere).
        for path in self.manifest:
            self.assertTrue(path.startswith(str(self.prefix)), path)

    def test_the_installed_binary_loads_the_installed_open3d_module(self):
        # A point cloud (PLY) is read by Open3D, in the module loaded on first use: the one
        # installed under the prefix, not the build's.
        ply = self.tmp / "GENERATED_three_picks.ply"
        ply.write_text("ply\nformat ascii 1.0\nelement vertex 3\nproperty double x\nproperty double y\n"
                       "property double z\nend_header\n180532.4 2500615.0 -1.2\n180542.7 2500629.9 -1.2\n"
                       "180564.8 2500701.9 -1.2\n")
        trace = self.tmp / "installed.strace"
        k = sts.REPO_ROOT / "samples" / "kaohsiung"
        p = self.run_installed("strace", "-f", "-qq", "-e", "trace=openat", "-o", trace, self.binary, "--json",
                               "pipes", "detection", k / "gas.geojson", "--utility", "gas", "--rules",
                               k / "rules.toml", "--ground-z", "0", "--survey", ply)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["result"]["survey"]["picks"], 3)
        loaded = [l for l in trace.read_text().splitlines() if "libstrata_open3d.so" in l and "ENOENT" not in l]
        self.assertTrue(loaded)
        self.assertTrue(all(str(self.prefix) in l for l in loaded), loaded)

    def test_the_installed_binary_draws_a_map_with_the_installed_cairo_module(self):
        out = self.tmp / "installed_gas.png"
        trace = self.tmp / "installed_map.strace"
        k = sts.REPO_ROOT / "samples" / "kaohsiung"
        p = self.run_installed("strace", "-f", "-qq", "-e", "trace=openat", "-o", trace, self.binary, "--json",
                               "render", "pipes", k / "gas.geojson", "--utility", "gas", "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertGreater(json.loads(p.stdout)["result"]["pipes_by_utility"]["gas"], 0)
        self.assertGreater(out.stat().st_size, 10000)
        loaded = [l for l in trace.read_text().splitlines() if "libstrata_cairo.so" in l and "ENOENT" not in l]
        self.assertTrue(loaded)
        self.assertTrue(all(str(self.prefix) in l for l in loaded), loaded)

    def test_python_module_from_the_prefix(self):
        modules = list(self.prefix.glob("lib/python3*/dist-packages/strata.cpython-*.so"))
        self.assertEqual(len(modules), 1, modules)
        sample = sts.REPO_ROOT / "samples" / "3dbag" / "3dbag_b2.city.jsonl"
        code = ("import json, strata; r = strata.validate(%r); "
                "print(json.dumps({'file': strata.__file__, 'result': r['result']}))" % str(sample))
        p = self.run_installed("/usr/bin/python3", "-c", code, env={"PYTHONPATH": str(modules[0].parent)})
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertTrue(doc["file"].startswith(str(self.prefix)), doc["file"])
        cli = self.run_installed(self.binary, "--json", "validate", sample)
        self.assertEqual(cli.returncode, 7, cli.stderr)
        want = json.loads(cli.stdout)["result"]
        for key in ("objects", "objects_valid", "objects_invalid", "errors_by_code"):
            self.assertEqual(doc["result"][key], want[key], key)

    def test_man_page_documents_every_command_and_option(self):
        page = self.prefix / "share" / "man" / "man1" / "strata.1"
        self.assertTrue(page.is_file())
        p = self.run_installed("man", "--warnings", "-l", page, env={"MANWIDTH": "100", "MAN_KEEP_FORMATTING": "0"})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr.strip(), "", "man(1) warned about the page")
        text = re.sub(r".\x08", "", p.stdout)
        # Every command and subcommand that --help lists, and each of its options.
        top = self.run_installed(self.binary, "--help").stdout
        def listed(helptext):  # the names under "Subcommands:", up to the next blank line
            block = helptext.split("Subcommands:")[1].split("\n\n")[0]
            return re.findall(r"^  ([a-z][a-z0-9-]*) ", block, re.M)
        commands = listed(top)
        self.assertGreater(len(commands), 10)
        for command in commands:
            self.assertIn(f"strata {command}", text)
            helptext = self.run_installed(self.binary, command, "--help").stdout
            for flag in re.findall(r"^\s+(?:-\w, ?)?(--[a-z][a-z0-9-]*)", helptext, re.M):
                self.assertIn(flag, text, f"{command} {flag}")
            if "Subcommands:" in helptext:
                for sub in listed(helptext):
                    self.assertIn(f"strata {command} {sub}", text)

    def test_bash_completion(self):
        script = self.prefix / "share" / "bash-completion" / "completions" / "strata"
        self.assertTrue(script.is_file())

        def complete(*words):
            line = " ".join(words)
            code = (f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _strata; "
                    'printf "%s\\n" "${COMPREPLY[@]}"')
            p = self.run_installed("bash", "-c", code)
            self.assertEqual(p.returncode, 0, p.stderr)
            return p.stdout.split()

        self.assertEqual(sorted(complete("strata", "p")), ["pipes", "plugins"])
        self.assertIn("clearance", complete("strata", "pipes", "cl"))
        self.assertIn("--a-utility", complete("strata", "pipes", "clearance", "--a-u"))
        self.assertIn("--snap-tol", complete("strata", "--json", "validate", "--snap"))
        # The installed completion is the installed binary's own.
        self.assertEqual(script.read_text(), self.run_installed(self.binary, "--bash-completion").stdout)

    def test_qgis_plugin_with_its_module(self):
        plugin = self.prefix / "share" / "strata" / "qgis" / "strata_processing"
        for name in ("__init__.py", "provider.py", "algorithms.py", "engine.py", "metadata.txt"):
            self.assertTrue((plugin / name).is_file(), name)
        self.assertEqual(len(list((plugin / "lib").glob("strata.cpython-*.so"))), 1)
        self.assertTrue((plugin / "lib" / "libstrata_open3d.so").is_file())
        self.assertTrue((plugin / "lib" / "libstrata_cairo.so").is_file())
        self.assertFalse(list(plugin.rglob("__pycache__")))


if __name__ == "__main__":
    sts.wait_for_binary()
    unittest.main(verbosity=2)
