#include "strata/io/points_gpkg.h"

#include <ogrsf_frmts.h>

#include "gpkg_output.h"

namespace strata::io {

void write_points_gpkg(const std::string& path, const std::string& layer_name,
                       const std::string& crs,
                       const std::vector<std::pair<std::string, FieldType>>& columns,
                       const std::vector<PointRow>& rows) {
  write_gpkg_layer(path, layer_name, crs, wkbPoint25D, [&](OGRLayer& layer, const GpkgFail& fail) {
    for (const auto& [name, type] : columns) {
      OGRFieldDefn f(name.c_str(), type == FieldType::kText      ? OFTString
                                   : type == FieldType::kInteger ? OFTInteger64
                                                                 : OFTReal);
      if (layer.CreateField(&f) != OGRERR_NONE) fail("cannot create column " + name);
    }
    for (const auto& row : rows) {
      OGRFeature feature(layer.GetLayerDefn());
      for (std::size_t c = 0; c < columns.size() && c < row.values.size(); ++c) {
        const auto& v = row.values[c];
        const int i = static_cast<int>(c);
        if (const auto* s = std::get_if<std::string>(&v))
          feature.SetField(i, s->c_str());
        else if (const auto* n = std::get_if<std::int64_t>(&v))
          feature.SetField(i, static_cast<GIntBig>(*n));
        else if (const auto* d = std::get_if<double>(&v))
          feature.SetField(i, *d);
        else
          feature.SetFieldNull(i);
      }
      OGRPoint point(row.xyz[0], row.xyz[1], row.xyz[2]);
      feature.SetGeometry(&point);
      if (layer.CreateFeature(&feature) != OGRERR_NONE) fail("cannot write a finding");
    }
  });
}

}  // namespace strata::io
