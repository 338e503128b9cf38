#pragma once
// Validation findings as a GeoPackage point layer (3D points at each error's location), so a
// reviewer can open them in QGIS next to the model. Written to a temporary file and renamed.
#include <optional>
#include <string>
#include <vector>

#include "strata/core/validation_finding.h"

namespace strata::io {

// `crs`: "EPSG:7415" or any PROJ string; none when the model declares no CRS. Findings without
// a location are kept, with an empty geometry. Throws StrataError(kStoreError) on failure.
void write_findings_gpkg(const std::string& path, const std::string& layer,
                         const std::vector<ValidationFinding>& findings,
                         const std::optional<std::string>& crs);

}  // namespace strata::io
