#pragma once
// A GeoPackage written as an output (validation findings, indicator tables): one new layer in
// a new file, written to a temporary file next to the target and renamed into place, so a
// failure leaves the previous file intact (private to io/).
#include <ogrsf_frmts.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace strata::io {

// Throws StrataError(kStoreError) naming the file, the step and GDAL's message; removes the
// temporary file first.
using GpkgFail = std::function<void(const std::string& what)>;

struct GpkgLayerOutput {
  std::string name;
  OGRwkbGeometryType type;
  std::function<void(OGRLayer&, const GpkgFail&)> fill;
};

// Creates the layers (CRS `crs`, an authority code or WKT; none when empty or unknown) in a new
// GeoPackage and calls each `fill` with its layer, all inside one transaction.
void write_gpkg_layers(const std::filesystem::path& path, const std::string& crs,
                       const std::vector<GpkgLayerOutput>& layers);
// The same for a single layer.
void write_gpkg_layer(const std::filesystem::path& path, const std::string& layer_name,
                      const std::string& crs, OGRwkbGeometryType type,
                      const std::function<void(OGRLayer&, const GpkgFail&)>& fill);

}  // namespace strata::io
