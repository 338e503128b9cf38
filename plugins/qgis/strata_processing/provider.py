"""The "strata" provider: its algorithms appear in the Processing toolbox as strata:<name>."""
from qgis.core import QgsProcessingProvider

from .algorithms import (ExportProjectAlgorithm, IndicatorsAlgorithm, PipeClearanceAlgorithm,
                         ValidateAlgorithm)


class StrataProvider(QgsProcessingProvider):
    def loadAlgorithms(self):  # noqa: N802
        for algorithm in (IndicatorsAlgorithm(), ValidateAlgorithm(), PipeClearanceAlgorithm(),
                          ExportProjectAlgorithm()):
            self.addAlgorithm(algorithm)

    def id(self):
        return "strata"

    def name(self):
        return "strata"

    def longName(self):  # noqa: N802
        return "strata: 3D cadastre and urban GIS"
