"""Calls the strata command line (with --json) and turns its errors into Processing errors.

The engine is found in this order: the STRATA_BIN environment variable, the file strata_bin.txt
next to this module (written by scripts/install-qgis-plugin.sh), then `strata` on the PATH.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

from qgis.core import QgsProcessingException


def strata_binary() -> str:
    env = os.environ.get("STRATA_BIN")
    if env:
        return env
    recorded = Path(__file__).with_name("strata_bin.txt")
    if recorded.exists():
        path = recorded.read_text(encoding="utf-8").strip()
        if path and Path(path).exists():
            return path
    found = shutil.which("strata")
    if found:
        return found
    raise QgsProcessingException(
        "the strata command was not found: set STRATA_BIN, or install the plugin with "
        "scripts/install-qgis-plugin.sh from a strata build")


def run(args, feedback=None, accept=(0,)):
    """Runs `strata --json ARGS`; returns its result object. An exit code outside `accept` raises
    QgsProcessingException with strata's error code, name and message."""
    cmd = [strata_binary(), "--json", "--quiet"] + [str(a) for a in args]
    if feedback:
        feedback.pushCommandInfo(" ".join(cmd))
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", errors="replace")
    try:
        doc = json.loads(proc.stdout) if proc.stdout.strip() else {}
    except json.JSONDecodeError:
        doc = {}
    if proc.returncode not in accept:
        err = doc.get("error") or {}
        message = err.get("message") or proc.stderr.strip() or f"exit code {proc.returncode}"
        code = f"{err.get('code')} {err.get('code_name')}: " if err else ""
        raise QgsProcessingException(f"strata {args[0]} failed: {code}{message}")
    return doc.get("result") or {}
