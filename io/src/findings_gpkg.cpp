#include "strata/io/findings_gpkg.h"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "strata/core/error.h"
#include "strata/io/gdal_support.h"

namespace strata::io {

void write_findings_gpkg(const std::string& path, const std::string& layer_name,
                         const std::vector<ValidationFinding>& findings,
                         const std::optional<std::string>& crs) {
  ensure_gdal();
  const std::string temporary = path + ".writing-" + std::to_string(getpid()) + ".gpkg";
  auto fail = [&](const std::string& what) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw StrataError(ErrorCode::kStoreError, path + ": " + what + " (" + take_gdal_error() + ")");
  };
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
  if (!driver) fail("GDAL has no GeoPackage driver");
  {
    std::unique_ptr<GDALDataset> ds(
        driver->Create(temporary.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) fail("cannot create the GeoPackage");
    OGRSpatialReference srs;
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const bool has_srs = crs && srs.SetFromUserInput(crs->c_str()) == OGRERR_NONE;
    OGRLayer* layer =
        ds->CreateLayer(layer_name.c_str(), has_srs ? &srs : nullptr, wkbPoint25D, nullptr);
    if (!layer) fail("cannot create layer " + layer_name);
    for (const char* name : {"code", "geometry_index", "solid", "shell", "face", "ring"}) {
      OGRFieldDefn f(name, OFTInteger);
      layer->CreateField(&f);
    }
    for (const char* name : {"name", "object_id", "detail"}) {
      OGRFieldDefn f(name, OFTString);
      layer->CreateField(&f);
    }
    if (ds->StartTransaction() != OGRERR_NONE) fail("cannot start a transaction");
    for (const auto& f : findings) {
      OGRFeature feature(layer->GetLayerDefn());
      feature.SetField("code", static_cast<int>(f.code));
      feature.SetField("name", std::string(error_name(f.code)).c_str());
      feature.SetField("object_id", f.object_id.c_str());
      feature.SetField("detail", f.detail.c_str());
      feature.SetField("geometry_index", f.geometry);
      feature.SetField("solid", f.solid);
      feature.SetField("shell", f.shell);
      feature.SetField("face", f.face);
      feature.SetField("ring", f.ring);
      if (f.location) {
        OGRPoint point((*f.location)[0], (*f.location)[1], (*f.location)[2]);
        feature.SetGeometry(&point);
      }
      if (layer->CreateFeature(&feature) != OGRERR_NONE) fail("cannot write a finding");
    }
    if (ds->CommitTransaction() != OGRERR_NONE) fail("cannot commit the findings");
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) fail("cannot move the GeoPackage into place: " + ec.message());
}

}  // namespace strata::io
