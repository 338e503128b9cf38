// writers.gpkg: the model as a GeoPackage for QGIS. Each layer keeps its class's QGIS style in
// the layer_styles table (the table QGIS itself writes with "Save as default" in a
// GeoPackage), so layers open styled; strata_export_layers records each layer's origin and the
// privacy profile.
#include <ctime>
#include <memory>

#include "../ogr_support.h"
#include "qgis_styles.h"
#include "strata/plugins/registry.h"

namespace strata::plugins {
namespace {

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

OGRLayer& attribute_table(GDALDataset& ds, const char* name,
                          const std::vector<std::pair<const char*, OGRFieldType>>& fields) {
  OGRLayer* l = ds.CreateLayer(name, nullptr, wkbNone, nullptr);
  if (!l) throw std::runtime_error(std::string("cannot create table ") + name);
  for (const auto& [f, t] : fields) {
    OGRFieldDefn d(f, t);
    if (l->CreateField(&d) != OGRERR_NONE)
      throw std::runtime_error(std::string("cannot create field ") + name + "." + f);
  }
  return *l;
}

void add_row(OGRLayer& table, const std::vector<std::pair<const char*, std::string>>& values) {
  OGRFeature row(table.GetLayerDefn());
  for (const auto& [f, v] : values) row.SetField(f, v.c_str());
  if (table.CreateFeature(&row) != OGRERR_NONE)
    throw std::runtime_error(std::string("cannot write a row of ") + table.GetName());
}

class GpkgWriter : public ExportPlugin {
 public:
  std::string name() const override { return "writers.gpkg"; }
  std::string description() const override {
    return "GeoPackage for QGIS: every layer (3D units and pipes with z), styled through the "
           "layer_styles table";
  }
  std::string default_extension() const override { return ".gpkg"; }
  std::vector<OptionSpec> options() const override {
    return {{"styles",
             OptionType::kBool,
             "true",
             "store a QGIS style per layer in layer_styles (layers open styled)",
             {}}};
  }

  ExportResult run(const ExportRequest& request) override {
    const ExportModel& model = *request.model;
    const bool styles = request.options.flag("styles");
    ExportResult result;
    auto srs = spatial_reference(model.crs);
    write_ogr_dataset(request.output, "GPKG", {}, [&](GDALDataset& ds) {
      if (ds.StartTransaction() != OGRERR_NONE)
        throw std::runtime_error("cannot start a transaction");
      OGRLayer& styles_table = attribute_table(ds, "layer_styles",
                                               {{"f_table_catalog", OFTString},
                                                {"f_table_schema", OFTString},
                                                {"f_table_name", OFTString},
                                                {"f_geometry_column", OFTString},
                                                {"styleName", OFTString},
                                                {"styleQML", OFTString},
                                                {"styleSLD", OFTString},
                                                {"useAsDefault", OFTInteger},
                                                {"description", OFTString},
                                                {"owner", OFTString},
                                                {"ui", OFTString},
                                                {"update_time", OFTDateTime}});
      OGRLayer& meta = attribute_table(ds, "strata_export_layers",
                                       {{"layer", OFTString},
                                        {"class", OFTString},
                                        {"geometry", OFTString},
                                        {"origin", OFTString},
                                        {"source", OFTString},
                                        {"features", OFTInteger64},
                                        {"profile", OFTString},
                                        {"exported_at", OFTString}});
      const std::string when = now_utc();
      for (const auto& layer : model.layers) {
        char** layer_options = nullptr;
        layer_options = CSLSetNameValue(layer_options, "SPATIAL_INDEX", "YES");
        layer_options = CSLSetNameValue(layer_options, "GEOMETRY_NAME", "geom");
        layer_options = CSLSetNameValue(layer_options, "IDENTIFIER", layer.name.c_str());
        OGRLayer* out =
            ds.CreateLayer(layer.name.c_str(), srs.get(), ogr_type_of(layer), layer_options);
        CSLDestroy(layer_options);
        if (!out) throw std::runtime_error("cannot create layer " + layer.name);
        const auto columns = attribute_columns(layer);
        create_columns(*out, columns, "layer " + layer.name);
        for (const auto& f : layer.features) {
          OGRFeature feature(out->GetLayerDefn());
          set_attributes(feature, columns, f.attributes);
          if (auto g = to_ogr_geometry(layer, f)) feature.SetGeometryDirectly(g.release());
          if (out->CreateFeature(&feature) != OGRERR_NONE)
            throw std::runtime_error("layer " + layer.name + ", feature " + f.id +
                                     ": cannot be written");
        }
        if (styles && layer.geometry != GeometryKind::kNone) {
          const QgisStyle style = qgis_style_for(layer);
          OGRFeature row(styles_table.GetLayerDefn());
          row.SetField("f_table_catalog", "");
          row.SetField("f_table_schema", "");
          row.SetField("f_table_name", layer.name.c_str());
          row.SetField("f_geometry_column", "geom");
          row.SetField("styleName", style.name.c_str());
          row.SetField("styleQML", style.qml.c_str());
          row.SetField("styleSLD", "");
          row.SetField("useAsDefault", 1);
          row.SetField("description", style.description.c_str());
          row.SetField("owner", "strata");
          row.SetField("update_time", when.c_str());
          if (styles_table.CreateFeature(&row) != OGRERR_NONE)
            throw std::runtime_error("cannot store the style of " + layer.name);
          result.summary["styles"][layer.name] = style.renderer;
        }
        add_row(meta, {{"layer", layer.name},
                       {"class", std::string(feature_class_name(layer.feature_class))},
                       {"geometry", std::string(geometry_kind_name(layer.geometry))},
                       {"origin", layer.origin},
                       {"source", layer.source},
                       {"features", std::to_string(layer.features.size())},
                       {"profile", std::string(profile_name(model.profile))},
                       {"exported_at", when}});
        result.summary["layers"][layer.name] = layer.features.size();
      }
      if (ds.CommitTransaction() != OGRERR_NONE)
        throw std::runtime_error("cannot commit the GeoPackage");
    });
    result.files.push_back(request.output);
    return result;
  }
};

}  // namespace

std::unique_ptr<ExportPlugin> make_gpkg_writer() { return std::make_unique<GpkgWriter>(); }

}  // namespace strata::plugins
