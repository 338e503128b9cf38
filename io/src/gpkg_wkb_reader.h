#pragma once
// The geometries of one GeoPackage table as WKB, read with SQLite directly (private to io/).
// OGR would parse every blob into an OGRGeometry first; the area indicators hand WKB straight
// to GEOS, so reading the blobs and stripping their GeoPackage header is all that is needed.
#include <filesystem>
#include <string>

#include "strata/core/wkb_batch.h"

namespace strata::io {

// Throws StrataError(kStoreError) naming the file and table when the table cannot be read or a
// blob is not a GeoPackage geometry.
WkbBatch read_gpkg_wkb(const std::filesystem::path& gpkg, const std::string& table);

}  // namespace strata::io
