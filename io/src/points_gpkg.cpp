#include "strata/io/points_gpkg.h"

#include <ogrsf_frmts.h>

#include "gpkg_output.h"

namespace strata::io {
namespace {

using Columns = std::vector<std::pair<std::string, FieldType>>;

void create_columns(OGRLayer& layer, const Columns& columns, const GpkgFail& fail) {
  for (const auto& [name, type] : columns) {
    OGRFieldDefn f(name.c_str(), type == FieldType::kText      ? OFTString
                                 : type == FieldType::kInteger ? OFTInteger64
                                                               : OFTReal);
    if (layer.CreateField(&f) != OGRERR_NONE) fail("cannot create column " + name);
  }
}

void set_values(OGRFeature& feature, const Columns& columns,
                const std::vector<FieldValue>& values) {
  for (std::size_t c = 0; c < columns.size() && c < values.size(); ++c) {
    const auto& v = values[c];
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
}

}  // namespace

void write_points_gpkg(const std::string& path, const std::string& layer_name,
                       const std::string& crs, const Columns& columns,
                       const std::vector<PointRow>& rows) {
  write_gpkg_layer(path, layer_name, crs, wkbPoint25D, [&](OGRLayer& layer, const GpkgFail& fail) {
    create_columns(layer, columns, fail);
    for (const auto& row : rows) {
      OGRFeature feature(layer.GetLayerDefn());
      set_values(feature, columns, row.values);
      OGRPoint point(row.xyz[0], row.xyz[1], row.xyz[2]);
      feature.SetGeometry(&point);
      if (layer.CreateFeature(&feature) != OGRERR_NONE) fail("cannot write a finding");
    }
  });
}

void write_findings_gpkg(const std::string& path, const std::string& crs,
                         const std::vector<FindingsLayer>& layers) {
  std::vector<GpkgLayerOutput> outputs;
  for (const auto& l : layers)
    outputs.push_back({l.name, l.is_lines ? wkbLineString25D : wkbPoint25D,
                       [&l](OGRLayer& layer, const GpkgFail& fail) {
                         create_columns(layer, l.columns, fail);
                         auto write = [&](const std::vector<FieldValue>& values,
                                          const OGRGeometry& g) {
                           OGRFeature feature(layer.GetLayerDefn());
                           set_values(feature, l.columns, values);
                           feature.SetGeometry(&g);
                           if (layer.CreateFeature(&feature) != OGRERR_NONE)
                             fail("cannot write a finding");
                         };
                         for (const auto& row : l.points)
                           write(row.values, OGRPoint(row.xyz[0], row.xyz[1], row.xyz[2]));
                         for (const auto& row : l.lines) {
                           OGRLineString line;
                           for (const auto& p : row.line) line.addPoint(p[0], p[1], p[2]);
                           write(row.values, line);
                         }
                       }});
  write_gpkg_layers(path, crs, outputs);
}

}  // namespace strata::io
