"""The "strata" provider: its algorithms appear in the Processing toolbox as strata:<name>. The
pipe analyses come from the engine's registry (one algorithm each)."""
from qgis.core import Qgis, QgsMessageLog, QgsProcessingException, QgsProcessingProvider

from . import engine
from .algorithms import (ExportProjectAlgorithm, ImportLayerAlgorithm, IndicatorsAlgorithm,
                         PipeAnalysisAlgorithm, QueryAtAlgorithm, RenderMapAlgorithm,
                         RunProjectAlgorithm, UnitsBuildAlgorithm, ValidateAlgorithm)


class StrataProvider(QgsProcessingProvider):
    def loadAlgorithms(self):  # noqa: N802
        try:
            analyses = engine.strata().pipe_analyses()
        except QgsProcessingException as e:
            # Without the engine no algorithm can run: say why where QGIS users look.
            QgsMessageLog.logMessage(str(e), "strata", Qgis.Critical)
            return
        algorithms = [RunProjectAlgorithm(), ImportLayerAlgorithm(), IndicatorsAlgorithm(),
                      ValidateAlgorithm(), UnitsBuildAlgorithm(), QueryAtAlgorithm(),
                      ExportProjectAlgorithm(), RenderMapAlgorithm()]
        algorithms += [PipeAnalysisAlgorithm(a) for a in analyses]
        for algorithm in algorithms:
            self.addAlgorithm(algorithm)

    def id(self):
        return "strata"

    def name(self):
        return "strata"

    def longName(self):  # noqa: N802
        return "strata: 3D cadastre and urban GIS"
