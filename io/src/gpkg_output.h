#pragma once
// A GeoPackage written as an output (validation findings, indicator tables): one new layer in
// a new file, written to a temporary file next to the target and renamed into place, so a
// failure leaves the previous file intact (private to io/).
#include <ogrsf_frmts.h>

#include <filesystem>
#include <functional>
#include <string>

namespace strata::io {

// Throws StrataError(kStoreError) naming the file, the step and GDAL's message; removes the
// temporary file first.
using GpkgFail = std::function<void(const std::string& what)>;

// Creates `layer_name` (CRS `crs`, an authority code or WKT; none when empty or unknown) in a
// new GeoPackage and calls `fill` with it inside a transaction.
void write_gpkg_layer(const std::filesystem::path& path, const std::string& layer_name,
                      const std::string& crs, OGRwkbGeometryType type,
                      const std::function<void(OGRLayer&, const GpkgFail&)>& fill);

}  // namespace strata::io
