"""The strata engine, in-process: the `strata` Python module (apps/python) that the install
command copied into lib/ beside this file; else one on the Python path. No subprocess: errors
come back as strata.Error with strata's code, turned into Processing errors here."""
import sys
from pathlib import Path

from qgis.core import QgsProcessingException

_LIB = Path(__file__).with_name("lib")
_module = None


def strata():
    """The strata module, imported once, when the provider loads its algorithms (their
    parameters come from the engine's option schemas). Open3D is not loaded with it."""
    global _module
    if _module is None:
        if _LIB.is_dir() and str(_LIB) not in sys.path:
            sys.path.insert(0, str(_LIB))
        try:
            import strata as module  # noqa: PLC0415 (imported when an algorithm first runs)
        except ImportError as e:
            raise QgsProcessingException(
                "the strata Python module was not found: install the plugin with "
                "scripts/install-qgis-plugin.sh or `cmake --install` (docs/qgis.md): " + str(e))
        _module = module
    return _module


def call(name, /, *args, feedback=None, accept_failure=False, **kwargs):
    """Calls strata.<name>(...). A strata.Error, or a job that says it failed (ok: False), is a
    QgsProcessingException with strata's code and message; the job's lines go to the log."""
    module = strata()
    try:
        result = getattr(module, name)(*args, **kwargs)
    except module.Error as e:
        raise QgsProcessingException(f"strata {name} failed: {e.code} {e.name}: {e.message}")
    if isinstance(result, dict) and "text" in result:
        if feedback:
            for line in result["text"].splitlines():
                feedback.pushInfo(line)
        if not result.get("ok", True) and not accept_failure:
            raise QgsProcessingException(
                f"strata {name} failed ({result.get('failure')}): {result['text'].strip()}")
    return result


def progress_to(feedback):
    """A progress callback for strata: stages and steps into the feedback's bar and log; a
    cancelled feedback cancels the run at its next step (strata error 990)."""
    def on_event(event):
        if feedback is None:
            return True
        if event.get("event") == "stage":
            feedback.pushInfo(f"[{event['number']}/{event['of']}] {event['name']}")
            feedback.setProgress(100.0 * (event["number"] - 1) / max(1, event["of"]))
        elif event.get("event") == "note":
            feedback.pushInfo(event["message"])
        return not feedback.isCanceled()
    return on_event
