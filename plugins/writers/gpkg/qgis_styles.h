#pragma once
// QGIS layer styles (QML) for each feature class, so that layers exported to a GeoPackage open
// styled: districts outlined, parcels and green filled, units and pipes categorised (by unit kind,
// by utility in the APWA colour code), indicators graduated in quantile classes, findings in red.
// QGIS reads them from the GeoPackage's layer_styles table. Private to plugins/.
#include <string>

#include "strata/plugins/export_model.h"

namespace strata::plugins {

struct QgisStyle {
  std::string name;         // styleName
  std::string description;  // what the renderer shows
  std::string qml;
  std::string renderer;  // singleSymbol, categorizedSymbol, graduatedSymbol
};

QgisStyle qgis_style_for(const ExportLayer& layer);

}  // namespace strata::plugins
