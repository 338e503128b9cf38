#include "strata/io/terrain_raster.h"

#include <gdal_priv.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "strata/core/error.h"
#include "strata/io/gdal_support.h"

namespace strata::io {

struct TerrainRaster::Impl {
  std::string path, wkt;
  int width = 0, height = 0;
  std::array<double, 6> transform{};
  std::optional<double> nodata;
  std::vector<float> cells;  // whole band in memory: DEM tiles of a district are small

  std::optional<double> cell(int col, int row) const {
    if (col < 0 || row < 0 || col >= width || row >= height) return std::nullopt;
    const double v = cells[static_cast<std::size_t>(row) * static_cast<std::size_t>(width) +
                           static_cast<std::size_t>(col)];
    if (std::isnan(v) || (nodata && v == *nodata)) return std::nullopt;
    return v;
  }
};

TerrainRaster::TerrainRaster(const std::string& path) : impl_(std::make_unique<Impl>()) {
  ensure_gdal();
  impl_->path = path;
  std::unique_ptr<GDALDataset> ds(
      GDALDataset::FromHandle(GDALOpenEx(path.c_str(), GDAL_OF_RASTER, nullptr, nullptr, nullptr)));
  if (!ds || ds->GetRasterCount() < 1)
    throw StrataError(ErrorCode::kInvalidInputFile,
                      path + ": not a raster GDAL can read (" + take_gdal_error() + ")");
  if (ds->GetGeoTransform(impl_->transform.data()) != CE_None || impl_->transform[2] != 0 ||
      impl_->transform[4] != 0)
    throw StrataError(ErrorCode::kInvalidInputFile,
                      path +
                          ": the raster has no north-up geotransform; strata needs one to "
                          "sample heights");
  if (const OGRSpatialReference* srs = ds->GetSpatialRef()) {
    char* wkt = nullptr;
    srs->exportToWkt(&wkt);
    impl_->wkt = wkt ? wkt : "";
    CPLFree(wkt);
  }
  GDALRasterBand* band = ds->GetRasterBand(1);
  int has_nodata = 0;
  const double nodata = band->GetNoDataValue(&has_nodata);
  if (has_nodata) impl_->nodata = static_cast<float>(nodata);
  impl_->width = band->GetXSize();
  impl_->height = band->GetYSize();
  impl_->cells.resize(static_cast<std::size_t>(impl_->width) *
                      static_cast<std::size_t>(impl_->height));
  if (band->RasterIO(GF_Read, 0, 0, impl_->width, impl_->height, impl_->cells.data(), impl_->width,
                     impl_->height, GDT_Float32, 0, 0) != CE_None)
    throw StrataError(ErrorCode::kInvalidInputFile,
                      path + ": cannot read the raster (" + take_gdal_error() + ")");
}

TerrainRaster::~TerrainRaster() = default;

const std::string& TerrainRaster::crs_wkt() const { return impl_->wkt; }

std::optional<double> TerrainRaster::height_at(double x, double y) const {
  const auto& t = impl_->transform;
  // Continuous pixel coordinates, with cell centres at integer + 0.5.
  const double px = (x - t[0]) / t[1] - 0.5, py = (y - t[3]) / t[5] - 0.5;
  if (px < -0.5 || py < -0.5 || px > impl_->width - 0.5 || py > impl_->height - 0.5)
    return std::nullopt;
  const int c0 = static_cast<int>(std::floor(px)), r0 = static_cast<int>(std::floor(py));
  const double fx = px - c0, fy = py - r0;
  double sum = 0, weight = 0;
  for (int dr = 0; dr <= 1; ++dr)
    for (int dc = 0; dc <= 1; ++dc) {
      const double w = (dc ? fx : 1 - fx) * (dr ? fy : 1 - fy);
      if (w <= 0) continue;
      if (auto v = impl_->cell(c0 + dc, r0 + dr)) sum += w * *v, weight += w;
    }
  if (weight <= 0) return std::nullopt;  // every neighbour is nodata or off the raster
  return sum / weight;
}

std::optional<double> TerrainRaster::lowest_under(const MultiPolygon2& footprint, int* missing,
                                                  int* total) const {
  std::optional<double> lowest;
  int off = 0, all = 0;
  for (const auto& polygon : footprint)
    for (const auto& p : polygon.outer()) {
      ++all;
      if (auto h = height_at(p.x(), p.y()))
        lowest = lowest ? std::min(*lowest, *h) : *h;
      else
        ++off;
    }
  if (missing) *missing = off;
  if (total) *total = all;
  if (off > 0) return std::nullopt;
  return lowest;
}

}  // namespace strata::io
