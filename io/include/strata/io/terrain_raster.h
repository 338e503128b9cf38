#pragma once
// A terrain model (any GDAL raster, e.g. a GeoTIFF DEM) sampled at map coordinates: where
// buildings stand (the base of LoD1 blocks) and, later, pipe cover depth.
#include <memory>
#include <optional>
#include <string>

#include "strata/core/geometry.h"

namespace strata::io {

class TerrainRaster {
 public:
  // Opens band 1 of the raster. Throws StrataError(kInvalidInputFile) naming the file.
  explicit TerrainRaster(const std::string& path);
  ~TerrainRaster();
  TerrainRaster(const TerrainRaster&) = delete;
  TerrainRaster& operator=(const TerrainRaster&) = delete;

  // Height at (x, y) in the raster's CRS, bilinear between cell centres; nothing outside the
  // raster or on nodata cells.
  std::optional<double> height_at(double x, double y) const;
  // Lowest height at the footprint's outer vertices (where its walls meet the ground), or
  // nothing when any of them cannot be sampled (off the raster or on nodata): a base from part
  // of the footprint could be too high. `missing` receives how many could not be sampled.
  std::optional<double> lowest_under(const MultiPolygon2& footprint, int* missing = nullptr,
                                     int* total = nullptr) const;
  // The raster's CRS as WKT ("" when it has none).
  const std::string& crs_wkt() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::io
