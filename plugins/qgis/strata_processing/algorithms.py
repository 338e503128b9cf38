"""strata's analyses as Processing algorithms. Each runs the engine, then hands its result
GeoPackage to `strata export --to writers.gpkg`, which stores a QGIS style per layer in the
GeoPackage (layer_styles): the layers load styled, in QGIS and wherever the file is opened."""
import tempfile
from pathlib import Path

from osgeo import ogr
from qgis.core import (QgsProcessing, QgsProcessingAlgorithm, QgsProcessingContext,
                       QgsProcessingException, QgsProcessingOutputNumber,
                       QgsProcessingOutputString, QgsProcessingParameterEnum,
                       QgsProcessingParameterFile, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber, QgsVectorLayer)

from . import engine

UTILITIES = ["water", "sewer", "storm", "gas", "petroleum", "power", "telecom", "heating", "other"]
PROFILES = ["public", "planner", "engineer", "bureau"]
WRITERS = ["writers.gpkg", "writers.cityjson", "writers.cityjsonseq", "writers.citygml",
           "writers.3dtiles", "writers.dxf", "writers.kml"]


def load_styled(path, context, group_name):
    """Queues every vector layer of a GeoPackage to be added to the project when the algorithm
    ends (each picks up its default style from the file's layer_styles table)."""
    ds = ogr.Open(str(path))
    if ds is None:
        raise QgsProcessingException(f"{path}: the result cannot be opened")
    names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
    ds = None
    loaded = []
    for name in names:
        if name in ("layer_styles", "strata_export_layers"):
            continue
        layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        if not layer.isValid() or not layer.isSpatial():
            continue
        context.temporaryLayerStore().addMapLayer(layer)
        context.addLayerToLoadOnCompletion(
            layer.id(), QgsProcessingContext.LayerDetails(f"{group_name}: {name}", context.project(), name))
        loaded.append(name)
    return loaded


def styled_copy(results, output, feedback):
    """`strata export --results ... --to writers.gpkg`: the results with their QGIS styles."""
    args = ["export", "--to", "writers.gpkg", "--out", output]
    for r in results:
        args += ["--results", r]
    return engine.run(args, feedback)


class StrataAlgorithm(QgsProcessingAlgorithm):
    def group(self):
        return self.GROUP

    def groupId(self):  # noqa: N802
        return self.GROUP.lower().replace(" ", "_")

    def createInstance(self):  # noqa: N802
        return type(self)()


class IndicatorsAlgorithm(StrataAlgorithm):
    GROUP = "Urban indicators"

    def name(self):
        return "indicators"

    def displayName(self):  # noqa: N802
        return "Indicators per district (ISO 37120)"

    def shortHelpString(self):  # noqa: N802
        return ("Computes the indicators of a strata project (its [indicators] section: green area per "
                "100 000 population, permeable paving, ...) per district, importing the project first "
                "when its store does not exist yet. The districts are drawn in quantile classes of the "
                "first ISO 37120 indicator.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("PROJECT", "strata project file", extension="toml"))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Indicators (GeoPackage)",
                                                                "GeoPackage (*.gpkg)"))
        self.addOutput(QgsProcessingOutputString("CITY", "City-wide values (JSON)"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        project = self.parameterAsFile(parameters, "PROJECT", context)
        output = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        with tempfile.TemporaryDirectory(prefix="strata_indicators_") as tmp:
            try:
                result = engine.run(["indicators", project, "--out", tmp], feedback)
            except QgsProcessingException as e:
                if "960" not in str(e):
                    raise
                feedback.pushInfo("the project's store does not exist yet: importing it (strata run)")
                engine.run(["run", project], feedback)
                result = engine.run(["indicators", project, "--out", tmp], feedback)
            styled_copy([Path(tmp) / "indicators.gpkg"], output, feedback)
        load_styled(output, context, "strata indicators")
        import json
        return {"OUTPUT": output, "CITY": json.dumps(result.get("city", {}), ensure_ascii=False)}


class ValidateAlgorithm(StrataAlgorithm):
    GROUP = "3D validation"

    def name(self):
        return "validate"

    def displayName(self):  # noqa: N802
        return "Validate 3D city objects (val3dity codes)"

    def shortHelpString(self):  # noqa: N802
        return ("Validates the solids and surfaces of a CityJSON, CityJSONSeq, CityGML, OBJ, OFF or POLY "
                "file with val3dity's error codes and loads one point per error.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("INPUT", "3D city model file"))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Validation errors (GeoPackage)",
                                                                "GeoPackage (*.gpkg)"))
        self.addOutput(QgsProcessingOutputNumber("ERRORS", "Errors found"))
        self.addOutput(QgsProcessingOutputNumber("INVALID", "Invalid objects"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        source = self.parameterAsFile(parameters, "INPUT", context)
        output = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        with tempfile.TemporaryDirectory(prefix="strata_validate_") as tmp:
            findings = Path(tmp) / "validation.gpkg"
            result = engine.run(["validate", source, "--gpkg", findings], feedback, accept=(0, 7))
            if not findings.exists():
                raise QgsProcessingException(f"{source}: no error layer was written")
            styled_copy([findings], output, feedback)
        load_styled(output, context, "strata validation")
        errors = sum(v.get("count", 0) for v in (result.get("errors_by_code") or {}).values())
        return {"OUTPUT": output, "ERRORS": errors, "INVALID": result["objects_invalid"]}


class PipeClearanceAlgorithm(StrataAlgorithm):
    GROUP = "Pipes"

    def name(self):
        return "pipe_clearance"

    def displayName(self):  # noqa: N802
        return "Pipe clash and clearance (two networks)"

    def shortHelpString(self):  # noqa: N802
        return ("Finds where two pipe networks (GIS line files with cover depths, or EPANET/SWMM .inp) "
                "touch or come closer than the clearance of the rules file, in 3D.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("A", "First network (lines or .inp)"))
        self.addParameter(QgsProcessingParameterEnum("A_UTILITY", "First network's utility", UTILITIES,
                                                     defaultValue=UTILITIES.index("gas")))
        self.addParameter(QgsProcessingParameterFile("B", "Second network (lines or .inp)"))
        self.addParameter(QgsProcessingParameterEnum("B_UTILITY", "Second network's utility", UTILITIES,
                                                     defaultValue=UTILITIES.index("petroleum")))
        self.addParameter(QgsProcessingParameterFile("RULES", "Rules file (depths, diameters, clearances)",
                                                     extension="toml"))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Clashes and clearance violations",
                                                                "GeoPackage (*.gpkg)"))
        self.addOutput(QgsProcessingOutputNumber("CLASHES", "Clashes"))
        self.addOutput(QgsProcessingOutputNumber("VIOLATIONS", "Clearance violations"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        a = self.parameterAsFile(parameters, "A", context)
        b = self.parameterAsFile(parameters, "B", context)
        ua = UTILITIES[self.parameterAsEnum(parameters, "A_UTILITY", context)]
        ub = UTILITIES[self.parameterAsEnum(parameters, "B_UTILITY", context)]
        rules = self.parameterAsFile(parameters, "RULES", context)
        output = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        with tempfile.TemporaryDirectory(prefix="strata_clearance_") as tmp:
            findings = Path(tmp) / "clearance.gpkg"
            result = engine.run(["pipes", "clearance", a, b, "--a-utility", ua, "--b-utility", ub,
                                 "--rules", rules, "--gpkg", findings], feedback)
            styled_copy([findings], output, feedback)
        load_styled(output, context, "strata clearance")
        return {"OUTPUT": output, "CLASHES": result.get("clashes", 0),
                "VIOLATIONS": result.get("clearance_violations", 0)}


class ExportProjectAlgorithm(StrataAlgorithm):
    GROUP = "Export"

    def name(self):
        return "export_project"

    def displayName(self):  # noqa: N802
        return "Export a strata project"

    def shortHelpString(self):  # noqa: N802
        return ("Writes a strata project (its store, indicator and pipe results, pipe networks) with an "
                "export plugin under a privacy profile. Only the bureau profile carries party names and "
                "identity numbers. A GeoPackage result is loaded styled.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("PROJECT", "strata project file", extension="toml"))
        self.addParameter(QgsProcessingParameterEnum("WRITER", "Export plugin", WRITERS, defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum("PROFILE", "Privacy profile", PROFILES,
                                                     defaultValue=PROFILES.index("planner")))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Output file (or folder for 3D Tiles)"))
        self.addOutput(QgsProcessingOutputNumber("LAYERS", "Layers exported"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        project = self.parameterAsFile(parameters, "PROJECT", context)
        writer = WRITERS[self.parameterAsEnum(parameters, "WRITER", context)]
        profile = PROFILES[self.parameterAsEnum(parameters, "PROFILE", context)]
        output = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        result = engine.run(["export", project, "--to", writer, "--profile", profile, "--out", output], feedback)
        if writer == "writers.gpkg":
            load_styled(output, context, "strata export")
        return {"OUTPUT": output, "LAYERS": len(result.get("layers", []))}
