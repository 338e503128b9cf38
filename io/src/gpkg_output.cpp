#include "gpkg_output.h"

#include <gdal_priv.h>
#include <unistd.h>

#include <memory>

#include "strata/core/atomic_file.h"
#include "strata/core/error.h"
#include "strata/io/gdal_support.h"

namespace strata::io {

void write_gpkg_layer(const std::filesystem::path& path, const std::string& layer_name,
                      const std::string& crs, OGRwkbGeometryType type,
                      const std::function<void(OGRLayer&, const GpkgFail&)>& fill) {
  write_gpkg_layers(path, crs, {{layer_name, type, fill}});
}

void write_gpkg_layers(const std::filesystem::path& path, const std::string& crs,
                       const std::vector<GpkgLayerOutput>& layers) {
  ensure_gdal();
  replace_file_atomically(path, [&](const std::filesystem::path& file) {
    const std::string temporary = file.string();
    const GpkgFail fail = [&](const std::string& what) {
      throw StrataError(ErrorCode::kStoreError,
                        path.string() + ": " + what + " (" + take_gdal_error() + ")");
    };
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    if (!driver) fail("GDAL has no GeoPackage driver");
    std::unique_ptr<GDALDataset> ds(
        driver->Create(temporary.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) fail("cannot create the GeoPackage");
    OGRSpatialReference srs;
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const bool has_srs = !crs.empty() && srs.SetFromUserInput(crs.c_str()) == OGRERR_NONE;
    std::vector<OGRLayer*> created;
    for (const auto& l : layers) {
      OGRLayer* layer = ds->CreateLayer(l.name.c_str(), has_srs ? &srs : nullptr, l.type, nullptr);
      if (!layer) fail("cannot create layer " + l.name);
      created.push_back(layer);
    }
    if (ds->StartTransaction() != OGRERR_NONE) fail("cannot start a transaction");
    for (std::size_t i = 0; i < layers.size(); ++i) layers[i].fill(*created[i], fail);
    if (ds->CommitTransaction() != OGRERR_NONE) fail("cannot commit the layers");
  });
}

}  // namespace strata::io
