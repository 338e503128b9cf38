"""strata Processing provider for QGIS (docs/qgis.md)."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import StrataPlugin
    return StrataPlugin(iface)
