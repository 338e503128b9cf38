"""strata's jobs as Processing algorithms. Each calls the engine in-process (engine.py), then
hands its result GeoPackage to the engine's `writers.gpkg` export, which stores a QGIS style per
layer in the GeoPackage (layer_styles): the layers load styled, in QGIS and wherever the file is
opened. The pipe analyses and the units options are built from the engine's own option schemas,
so a new option or analysis appears here without code."""
import json
import tempfile
from pathlib import Path

from osgeo import ogr
from qgis.core import (QgsProcessing, QgsProcessingAlgorithm, QgsProcessingContext,
                       QgsProcessingException, QgsProcessingOutputNumber,
                       QgsProcessingOutputString, QgsProcessingParameterBoolean,
                       QgsProcessingParameterEnum, QgsProcessingParameterFile,
                       QgsProcessingParameterFileDestination, QgsProcessingParameterMultipleLayers,
                       QgsProcessingParameterNumber, QgsProcessingParameterString,
                       QgsVectorLayer)

from . import engine

PROFILES = ["public", "planner", "engineer", "bureau"]
WRITERS = ["writers.gpkg", "writers.cityjson", "writers.cityjsonseq", "writers.citygml",
           "writers.3dtiles", "writers.dxf", "writers.kml"]
CLASS_METHODS = ["quantile", "natural", "equal"]
PALETTES = ["YlGn", "Greens", "Blues", "OrRd", "Purples", "YlOrBr"]
KINDS = ["district", "village", "zoning", "parcel", "green", "paving", "point_feature",
         "line_feature"]
# Options that name a file to read (a path parameter, not a text box).
FILE_OPTIONS = {"rules", "dem", "terrain", "registry", "valves", "buildings", "parcels", "dig",
                "survey", "survey_area", "restrictions"}


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
    """The result GeoPackages with their QGIS styles, through the engine's writers.gpkg."""
    return engine.call("export", to="writers.gpkg", out=str(output),
                       results=[str(r) for r in results], feedback=feedback)


def number_or_none(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def add_option_parameter(algorithm, option, prefix="", label_prefix="", optional=True):
    """One engine option (from its schema) as a Processing parameter named PREFIX+KEYWORD."""
    name = prefix + option["keyword"].upper()
    label = label_prefix + option["help"]
    kind = option["type"]
    optional = optional and not option["required"]
    if kind == "flag":
        parameter = QgsProcessingParameterBoolean(name, label, defaultValue=option["default"] == "true")
    elif kind in ("number", "integer"):
        parameter = QgsProcessingParameterNumber(
            name, label,
            type=QgsProcessingParameterNumber.Integer if kind == "integer" else QgsProcessingParameterNumber.Double,
            defaultValue=number_or_none(option["default"]), optional=optional)
    elif option["check"] in ("existing_file", "existing_path") or option["keyword"] in FILE_OPTIONS:
        parameter = QgsProcessingParameterFile(name, label, optional=optional)
    else:
        if kind == "list":
            label += " (several: separated by ;)"
        parameter = QgsProcessingParameterString(name, label, defaultValue=option["default"] or None,
                                                 optional=optional)
    algorithm.addParameter(parameter)


def option_values(algorithm, options, parameters, context, prefix=""):
    """The values the user gave for these options, as engine keywords (None and "" left out, so
    the engine's defaults hold)."""
    out = {}
    for option in options:
        name = prefix + option["keyword"].upper()
        if name not in parameters or parameters[name] is None:
            continue
        kind = option["type"]
        if kind == "flag":
            value = algorithm.parameterAsBoolean(parameters, name, context)
            if not value:
                continue
        elif kind == "number":
            value = algorithm.parameterAsDouble(parameters, name, context)
        elif kind == "integer":
            value = algorithm.parameterAsInt(parameters, name, context)
        else:
            value = algorithm.parameterAsString(parameters, name, context)
            if value == "":
                continue
            if kind == "list":
                value = [v.strip() for v in value.split(";") if v.strip()]
        out[option["keyword"]] = value
    return out


class StrataAlgorithm(QgsProcessingAlgorithm):
    def group(self):
        return self.GROUP

    def groupId(self):  # noqa: N802
        return self.GROUP.lower().replace(" ", "_")

    def createInstance(self):  # noqa: N802
        return type(self)()


class RunProjectAlgorithm(StrataAlgorithm):
    GROUP = "Project"

    def name(self):
        return "run_project"

    def displayName(self):  # noqa: N802
        return "Run a strata project"

    def shortHelpString(self):  # noqa: N802
        return ("Runs a strata project as `strata run` does: imports its layers into its store, builds its "
                "units, computes its indicators and pipe analyses, writes its exports, maps and report. "
                "The store and the results of this run are loaded styled (under the chosen profile).")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("PROJECT", "strata project file", extension="toml"))
        self.addParameter(QgsProcessingParameterBoolean("KEEP_GOING", "Go on after a failed stage", False))
        self.addParameter(QgsProcessingParameterEnum("PROFILE", "Privacy profile of the loaded layers", PROFILES,
                                                     defaultValue=PROFILES.index("planner")))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Store and results (GeoPackage)",
                                                                "GeoPackage (*.gpkg)"))
        self.addOutput(QgsProcessingOutputString("SUMMARY", "The run's summary (JSON)"))
        self.addOutput(QgsProcessingOutputString("OUTPUT_FOLDER", "The project's output folder"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        path = self.parameterAsFile(parameters, "PROJECT", context)
        profile = PROFILES[self.parameterAsEnum(parameters, "PROFILE", context)]
        output = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        strata = engine.strata()
        try:
            project = strata.Project(path)
            result = project.run(progress=engine.progress_to(feedback),
                                 keep_going=self.parameterAsBoolean(parameters, "KEEP_GOING", context))
        except strata.Error as e:
            raise QgsProcessingException(f"strata run failed: {e.code} {e.name}: {e.message}")
        for line in result.text.splitlines():
            feedback.pushInfo(line)
        if not result.ok:
            raise QgsProcessingException(f"strata run failed ({result.failure}): {result.text.strip()}")
        engine.call("export", target=path, to="writers.gpkg", out=output, profile=profile, feedback=feedback)
        load_styled(output, context, f"strata {project.name}")
        return {"OUTPUT": output, "SUMMARY": json.dumps(result.summary, ensure_ascii=False),
                "OUTPUT_FOLDER": str(project.output)}


class ImportLayerAlgorithm(StrataAlgorithm):
    GROUP = "Project"

    def name(self):
        return "import_layer"

    def displayName(self):  # noqa: N802
        return "Import a layer into a strata store"

    def shortHelpString(self):  # noqa: N802
        return ("Imports one data file (any GDAL vector source) into a strata store as a layer of a kind, with "
                "its fields mapped to the kind's canonical fields (FIELDS: canonical=source;...; a+b sums "
                "numeric fields). Every feature is imported, repaired or rejected, and the report says which. "
                "The store's layer is loaded.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("INPUT", "Data file"))
        self.addParameter(QgsProcessingParameterEnum("KIND", "Kind of the features", KINDS))
        self.addParameter(QgsProcessingParameterString("NAME", "Layer name in the store"))
        self.addParameter(QgsProcessingParameterString("FIELDS", "Field mapping canonical=source;... "
                                                       "(see `strata kinds`)", optional=True))
        self.addParameter(QgsProcessingParameterString("CRS", "CRS of the file when it declares none or a "
                                                       "wrong one (e.g. EPSG:4326)", optional=True))
        self.addParameter(QgsProcessingParameterString("SOURCE_LAYER", "Layer inside the data file", optional=True))
        self.addParameter(QgsProcessingParameterString("ENCODING", "Text encoding (e.g. BIG5)", optional=True))
        self.addParameter(QgsProcessingParameterString("PROJECT_CRS", "CRS of a new store", "EPSG:3826"))
        self.addParameter(QgsProcessingParameterFileDestination("STORE", "Store (GeoPackage; created or added to)",
                                                                "GeoPackage (*.gpkg)"))
        self.addOutput(QgsProcessingOutputNumber("IMPORTED", "Features imported"))
        self.addOutput(QgsProcessingOutputNumber("REJECTED", "Features rejected"))
        self.addOutput(QgsProcessingOutputString("REPORT", "The import's report (JSON)"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        name = self.parameterAsString(parameters, "NAME", context)
        store = self.parameterAsFileOutput(parameters, "STORE", context)
        fields = [f.strip() for f in self.parameterAsString(parameters, "FIELDS", context).split(";") if f.strip()]
        options = {"kind": KINDS[self.parameterAsEnum(parameters, "KIND", context)], "name": name,
                   "store": store, "fields": fields,
                   "project_crs": self.parameterAsString(parameters, "PROJECT_CRS", context)}
        for key in ("CRS", "SOURCE_LAYER", "ENCODING"):
            value = self.parameterAsString(parameters, key, context)
            if value:
                options[key.lower()] = value
        r = engine.call("import_data", self.parameterAsFile(parameters, "INPUT", context),
                        progress=engine.progress_to(feedback), feedback=feedback, **options)
        layer = next((l for l in r["result"]["layers"] if l.get("layer") == name), {})
        layer_ = QgsVectorLayer(f"{store}|layername={name}", name, "ogr")
        if layer_.isValid():
            context.temporaryLayerStore().addMapLayer(layer_)
            context.addLayerToLoadOnCompletion(
                layer_.id(), QgsProcessingContext.LayerDetails(f"strata store: {name}", context.project(), name))
        return {"STORE": store, "IMPORTED": layer.get("features_imported", 0),
                "REJECTED": layer.get("features_rejected", 0),
                "REPORT": json.dumps(r["result"], ensure_ascii=False)}


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
        path = self.parameterAsFile(parameters, "PROJECT", context)
        output = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        strata = engine.strata()
        with tempfile.TemporaryDirectory(prefix="strata_indicators_") as tmp:
            try:
                project = strata.Project(path)
                try:
                    indicators = project.indicators(out=tmp)
                except strata.Error as e:
                    if e.code != 960:
                        raise
                    feedback.pushInfo("the project's store does not exist yet: importing it (strata run)")
                    run = project.run(progress=engine.progress_to(feedback))
                    if not run.ok:
                        raise QgsProcessingException(f"strata run failed: {run.text.strip()}")
                    indicators = project.indicators(out=tmp)
            except strata.Error as e:
                raise QgsProcessingException(f"strata indicators failed: {e.code} {e.name}: {e.message}")
            for w in indicators.warnings:
                feedback.reportError(str(w), fatalError=False)
            styled_copy([Path(tmp) / "indicators.gpkg"], output, feedback)
        load_styled(output, context, "strata indicators")
        return {"OUTPUT": output, "CITY": json.dumps(indicators.city, ensure_ascii=False)}


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
        for option in engine.strata().validate_options():
            if option["keyword"] in ("snap_tol", "planarity_d2p_tol", "planarity_n_tol", "overlap_tol", "crs"):
                add_option_parameter(self, option)
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Validation errors (GeoPackage)",
                                                                "GeoPackage (*.gpkg)"))
        self.addOutput(QgsProcessingOutputNumber("ERRORS", "Errors found"))
        self.addOutput(QgsProcessingOutputNumber("INVALID", "Invalid objects"))
        self.addOutput(QgsProcessingOutputString("REPORT", "The validation's summary (JSON)"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        source = self.parameterAsFile(parameters, "INPUT", context)
        output = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        options = option_values(self, engine.strata().validate_options(), parameters, context)
        with tempfile.TemporaryDirectory(prefix="strata_validate_") as tmp:
            findings = Path(tmp) / "validation.gpkg"
            r = engine.call("validate", source, gpkg=str(findings), feedback=feedback, **options)
            if not findings.exists():
                raise QgsProcessingException(f"{source}: no error layer was written")
            styled_copy([findings], output, feedback)
        load_styled(output, context, "strata validation")
        result = r["result"]
        errors = sum(v.get("count", 0) for v in (result.get("errors_by_code") or {}).values())
        return {"OUTPUT": output, "ERRORS": errors, "INVALID": result["objects_invalid"],
                "REPORT": json.dumps(result, ensure_ascii=False)}


class UnitsBuildAlgorithm(StrataAlgorithm):
    GROUP = "3D cadastre"
    # Written by the algorithm itself, or not for a planner's toolbox.
    HIDDEN = {"gpkg", "report", "out", "save", "profile"}

    def name(self):
        return "units_build"

    def displayName(self):  # noqa: N802
        return "Build the 3D ownership model (registered units)"

    def shortHelpString(self):  # noqa: N802
        return ("Joins a building registry (建號, floors, areas, parties and shares) to building footprints "
                "and writes every registered unit as a 3D legal space (CityJSON), with the cadastral checks "
                "(8xx). Without a registry, storeys and units are derived from heights and marked generated. "
                "The findings are loaded as 3D points.")

    def options(self):
        return [o for o in engine.strata().units_options(False) if o["keyword"] not in self.HIDDEN]

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("FOOTPRINTS", "Building footprints"))
        for option in self.options():
            add_option_parameter(self, option)
        self.addParameter(QgsProcessingParameterFileDestination("MODEL", "Ownership model (CityJSON)",
                                                                "CityJSON (*.city.json *.json)"))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Findings (GeoPackage)",
                                                                "GeoPackage (*.gpkg)"))
        self.addOutput(QgsProcessingOutputNumber("UNITS", "Legal spaces"))
        self.addOutput(QgsProcessingOutputNumber("FINDINGS", "Findings (8xx)"))
        self.addOutput(QgsProcessingOutputString("REPORT", "The model's summary (JSON)"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        footprints = self.parameterAsFile(parameters, "FOOTPRINTS", context)
        model = self.parameterAsFileOutput(parameters, "MODEL", context)
        output = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        options = option_values(self, self.options(), parameters, context)
        if not options.get("registry"):
            # units generate takes no registry options
            generate = {o["keyword"] for o in engine.strata().units_options(True)}
            options = {k: v for k, v in options.items() if k in generate}
        with tempfile.TemporaryDirectory(prefix="strata_units_") as tmp:
            findings = Path(tmp) / "ownership_errors.gpkg"
            r = engine.call("build_units", footprints, out=model, gpkg=str(findings), feedback=feedback,
                            **options)
            styled_copy([findings], output, feedback)
        load_styled(output, context, "strata units")
        result = r["result"]
        return {"MODEL": model, "OUTPUT": output, "UNITS": result.get("legal_spaces", 0),
                "FINDINGS": len(result.get("findings", [])),
                "REPORT": json.dumps({k: v for k, v in result.items() if k != "findings"}, ensure_ascii=False)}


class QueryAtAlgorithm(StrataAlgorithm):
    GROUP = "3D cadastre"

    def name(self):
        return "query_at"

    def displayName(self):  # noqa: N802
        return "What is at a 3D point (building, units, rights, land)"

    def shortHelpString(self):  # noqa: N802
        return ("The building, storey and registered units (with their rights) at a 3D point of the "
                "ownership model, and the parcel and zone under it when a store is given.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterNumber("X", "Easting (or longitude with CRS)",
                                                       type=QgsProcessingParameterNumber.Double))
        self.addParameter(QgsProcessingParameterNumber("Y", "Northing (or latitude)",
                                                       type=QgsProcessingParameterNumber.Double))
        self.addParameter(QgsProcessingParameterNumber("Z", "Height", type=QgsProcessingParameterNumber.Double))
        self.addParameter(QgsProcessingParameterFile("MODEL", "Ownership model (CityJSON of units build)",
                                                     optional=True))
        self.addParameter(QgsProcessingParameterFile("STORE", "Store or project (parcels, zoning, saved model)",
                                                     optional=True))
        self.addParameter(QgsProcessingParameterString("CRS", "CRS of X Y (default: the model's)", optional=True))
        self.addOutput(QgsProcessingOutputNumber("BUILDINGS", "Buildings"))
        self.addOutput(QgsProcessingOutputNumber("UNITS", "Units"))
        self.addOutput(QgsProcessingOutputString("RESULT", "What is there (JSON)"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        r = engine.call("query_at", self.parameterAsDouble(parameters, "X", context),
                        self.parameterAsDouble(parameters, "Y", context),
                        self.parameterAsDouble(parameters, "Z", context),
                        model=self.parameterAsFile(parameters, "MODEL", context) or "",
                        store=self.parameterAsFile(parameters, "STORE", context) or "",
                        crs=self.parameterAsString(parameters, "CRS", context) or "", feedback=feedback)
        result = r["result"]
        return {"BUILDINGS": len(result["buildings"]), "UNITS": len(result["units"]),
                "RESULT": json.dumps(result, ensure_ascii=False)}


class PipeAnalysisAlgorithm(StrataAlgorithm):
    """One pipe analysis of the engine's registry; its parameters come from the analysis's
    schema, the network schema and the settings schema."""
    GROUP = "Pipes"

    def __init__(self, analysis):
        super().__init__()
        self.analysis = analysis

    def createInstance(self):  # noqa: N802
        return PipeAnalysisAlgorithm(self.analysis)

    def name(self):
        return "pipe_" + self.analysis["kind"]

    def displayName(self):  # noqa: N802
        return self.analysis["summary"]

    def shortHelpString(self):  # noqa: N802
        return (self.analysis["summary"] + ". As `strata pipes " + self.analysis["kind"] + "` (" +
                self.analysis["doc"] + "). Networks: GIS line layers with cover depths, or EPANET/SWMM .inp.")

    def network_prefixes(self):
        count = self.analysis["networks"]
        return ["A_", "B_"] if count == "one_or_two" else [""]

    def initAlgorithm(self, config=None):  # noqa: N802
        count = self.analysis["networks"]
        if count == "one_or_two":
            self.addParameter(QgsProcessingParameterFile("A", "First network (lines or .inp)"))
            for option in self.analysis["network_options"]:
                add_option_parameter(self, option, "A_", "First network: ")
            self.addParameter(QgsProcessingParameterFile("B", "Second network (lines or .inp)", optional=True))
            for option in self.analysis["network_options"]:
                add_option_parameter(self, option, "B_", "Second network: ")
        elif count == "one":
            self.addParameter(QgsProcessingParameterFile("INPUT", "Network (lines or .inp)"))
            for option in self.analysis["network_options"]:
                add_option_parameter(self, option)
        else:
            self.addParameter(QgsProcessingParameterMultipleLayers("NETWORKS", "Networks (lines or .inp)",
                                                                   QgsProcessing.TypeFile))
            for option in self.analysis["network_options"]:
                add_option_parameter(self, option, label_prefix="Networks (one value, or one per network "
                                                                "separated by ;): ")
        for option in self.analysis["settings"]:
            add_option_parameter(self, option)
        for option in self.analysis["options"]:
            add_option_parameter(self, option, optional=not option["required"])
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Findings (GeoPackage)",
                                                                "GeoPackage (*.gpkg)"))
        self.addOutput(QgsProcessingOutputString("RESULT", "The analysis's result (JSON)"))

    def networks(self, parameters, context):
        count = self.analysis["networks"]
        schema = self.analysis["network_options"]
        if count == "one_or_two":
            out = []
            for key in ("A", "B"):
                path = self.parameterAsFile(parameters, key, context)
                if path:
                    out.append(dict(file=path, **option_values(self, schema, parameters, context, key + "_")))
            return out
        if count == "one":
            return [dict(file=self.parameterAsFile(parameters, "INPUT", context),
                         **option_values(self, schema, parameters, context))]
        files = self.parameterAsFileList(parameters, "NETWORKS", context)
        shared = option_values(self, schema, parameters, context)
        out = []
        for i, path in enumerate(files):
            network = {"file": path}
            for key, value in shared.items():
                values = value.split(";") if isinstance(value, str) else [value]
                if len(values) not in (1, len(files)):
                    raise QgsProcessingException(f"{key}: give one value, or one per network ({len(files)})")
                chosen = values[0] if len(values) == 1 else values[i]
                if chosen != "":
                    network[key] = chosen
            out.append(network)
        return out

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        output = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        options = option_values(self, self.analysis["settings"] + self.analysis["options"], parameters, context)
        kind = self.analysis["kind"]
        with tempfile.TemporaryDirectory(prefix=f"strata_{kind}_") as tmp:
            findings = Path(tmp) / f"{kind}.gpkg"
            r = engine.call("run_pipe_analysis", kind, self.networks(parameters, context), gpkg=str(findings),
                            feedback=feedback, **options)
            if not findings.exists():
                raise QgsProcessingException(f"pipes {kind}: no result GeoPackage was written")
            styled_copy([findings], output, feedback)
        load_styled(output, context, f"strata {kind}")
        return {"OUTPUT": output, "RESULT": json.dumps(r["result"], ensure_ascii=False)}


class ExportProjectAlgorithm(StrataAlgorithm):
    GROUP = "Export"

    def name(self):
        return "export_project"

    def displayName(self):  # noqa: N802
        return "Export a strata project or store"

    def shortHelpString(self):  # noqa: N802
        return ("Writes a strata project (its store, indicator and pipe results, pipe networks) or a store "
                "with an export plugin under a privacy profile. Only the bureau profile carries party names "
                "and identity numbers. A GeoPackage result is loaded styled.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("PROJECT", "strata project file (or store)"))
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
        r = engine.call("export", target=project, to=writer, profile=profile, out=output, feedback=feedback)
        if writer == "writers.gpkg":
            load_styled(output, context, "strata export")
        return {"OUTPUT": output, "LAYERS": len(r["result"].get("layers", []))}


class RenderMapAlgorithm(StrataAlgorithm):
    GROUP = "Maps"

    def name(self):
        return "render_map"

    def displayName(self):  # noqa: N802
        return "Render a choropleth map (PNG or SVG)"

    def shortHelpString(self):  # noqa: N802
        return ("Draws one numeric field of a polygon layer (e.g. indicators_district of a run's "
                "indicators.gpkg) as a classed map with a legend, as `strata render map` does.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("SOURCE", "Polygon layer (file)"))
        self.addParameter(QgsProcessingParameterString("LAYER", "Layer of a multi-layer file", optional=True))
        self.addParameter(QgsProcessingParameterString("FIELD", "Numeric field to map"))
        self.addParameter(QgsProcessingParameterString("LABEL_FIELD", "Field drawn on each polygon", optional=True))
        self.addParameter(QgsProcessingParameterEnum("CLASSES", "Classes", CLASS_METHODS, defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber("CLASS_COUNT", "Number of classes (1-9)",
                                                       defaultValue=5, minValue=1, maxValue=9))
        self.addParameter(QgsProcessingParameterEnum("PALETTE", "Palette", PALETTES, defaultValue=0))
        self.addParameter(QgsProcessingParameterString("TITLE", "Title", optional=True))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Map image", "PNG (*.png);;SVG (*.svg)"))
        self.addOutput(QgsProcessingOutputString("RESULT", "Classes and features (JSON)"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        options = {"classes": CLASS_METHODS[self.parameterAsEnum(parameters, "CLASSES", context)],
                   "class_count": self.parameterAsInt(parameters, "CLASS_COUNT", context),
                   "palette": PALETTES[self.parameterAsEnum(parameters, "PALETTE", context)]}
        for key in ("LAYER", "LABEL_FIELD", "TITLE"):
            value = self.parameterAsString(parameters, key, context)
            if value:
                options[key.lower()] = value
        output = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        r = engine.call("render_map", self.parameterAsFile(parameters, "SOURCE", context),
                        self.parameterAsString(parameters, "FIELD", context), output, feedback=feedback, **options)
        return {"OUTPUT": output, "RESULT": json.dumps(r["result"], ensure_ascii=False)}
