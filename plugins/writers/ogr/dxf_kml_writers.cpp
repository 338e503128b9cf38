// writers.dxf and writers.kml through GDAL's DXF and KML drivers.
//
// DXF (for CAD): one DXF layer per exported layer (parcels, legal_spaces, pipes_gas, ...), in
// the project CRS; polygons become HATCH entities, 3D lines 3D polylines, the faces of volumes
// 3D hatches. DXF keeps no attribute table, so each layer's attributes are not carried.
//
// KML (for Google Earth and web maps): one folder per layer, in WGS84 longitude/latitude as KML
// requires, with each feature's attributes as ExtendedData and its id as name. Heights are
// written as they are (absolute altitude in the project's vertical reference).
#include <memory>

#include "../ogr_support.h"
#include "strata/plugins/registry.h"

namespace strata::plugins {
namespace {

class DxfWriter : public ExportPlugin {
 public:
  std::string name() const override { return "writers.dxf"; }
  std::string description() const override {
    return "DXF for CAD: a DXF layer per exported layer, 3D where the data is (units, pipes)";
  }
  std::string default_extension() const override { return ".dxf"; }

  ExportResult run(const ExportRequest& request) override {
    const ExportModel& model = *request.model;
    ExportResult result;
    write_ogr_dataset(request.output, "DXF", {}, [&](GDALDataset& ds) {
      OGRLayer* out = ds.CreateLayer("entities", nullptr, wkbUnknown, nullptr);
      if (!out) throw std::runtime_error("cannot create the DXF entities");
      for (const auto& layer : model.layers) {
        std::int64_t written = 0;
        for (const auto& f : layer.features) {
          auto g = to_ogr_geometry(layer, f);
          if (!g) continue;
          // One entity per part: the DXF driver writes a multi-geometry part by part anyway,
          // and separate entities keep each face and line selectable in CAD.
          auto* collection = dynamic_cast<OGRGeometryCollection*>(g.get());
          const int parts = collection ? collection->getNumGeometries() : 1;
          for (int i = 0; i < parts; ++i) {
            OGRFeature feature(out->GetLayerDefn());
            feature.SetField("Layer", layer.name.c_str());
            feature.SetGeometry(collection ? collection->getGeometryRef(i) : g.get());
            if (out->CreateFeature(&feature) != OGRERR_NONE)
              throw std::runtime_error("layer " + layer.name + ", feature " + f.id +
                                       ": cannot be written to DXF");
          }
          ++written;
        }
        result.summary["layers"][layer.name] = written;
      }
    });
    result.files.push_back(request.output);
    return result;
  }
};

class KmlWriter : public ExportPlugin {
 public:
  std::string name() const override { return "writers.kml"; }
  std::string description() const override {
    return "KML: a folder per layer in WGS84 with attributes as ExtendedData";
  }
  std::string default_extension() const override { return ".kml"; }

  ExportResult run(const ExportRequest& request) override {
    const ExportModel& model = *request.model;
    ExportResult result;
    auto source = spatial_reference(model.crs);
    if (!source) throw std::runtime_error("the model has no CRS, KML needs WGS84 coordinates");
    OGRSpatialReference wgs84;
    wgs84.SetWellKnownGeogCS("WGS84");
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> to_wgs84(
        OGRCreateCoordinateTransformation(source.get(), &wgs84));
    if (!to_wgs84) throw std::runtime_error("no transformation from " + model.crs + " to WGS84");
    write_ogr_dataset(request.output, "KML", {"NameField=id"}, [&](GDALDataset& ds) {
      for (const auto& layer : model.layers) {
        if (layer.geometry == GeometryKind::kNone) continue;
        OGRLayer* out = ds.CreateLayer(layer.name.c_str(), &wgs84, ogr_type_of(layer), nullptr);
        if (!out) throw std::runtime_error("cannot create KML folder " + layer.name);
        auto columns = attribute_columns(layer);
        // KML's NameField is "id": the driver writes it as the placemark name.
        bool has_id = false;
        for (const auto& c : columns) has_id |= c.name == "id";
        if (!has_id) columns.insert(columns.begin(), {"id", OFTString, OFSTNone});
        create_columns(*out, columns, "layer " + layer.name);
        for (const auto& f : layer.features) {
          OGRFeature feature(out->GetLayerDefn());
          nlohmann::json attributes = f.attributes;
          if (!attributes.contains("id")) attributes["id"] = f.id;
          set_attributes(feature, columns, attributes);
          if (auto g = to_ogr_geometry(layer, f)) {
            if (g->transform(to_wgs84.get()) != OGRERR_NONE)
              throw std::runtime_error("layer " + layer.name + ", feature " + f.id +
                                       ": cannot be transformed to WGS84");
            feature.SetGeometryDirectly(g.release());
          }
          if (out->CreateFeature(&feature) != OGRERR_NONE)
            throw std::runtime_error("layer " + layer.name + ", feature " + f.id +
                                     ": cannot be written to KML");
        }
        result.summary["layers"][layer.name] = layer.features.size();
      }
    });
    result.files.push_back(request.output);
    return result;
  }
};

}  // namespace

std::unique_ptr<ExportPlugin> make_dxf_writer() { return std::make_unique<DxfWriter>(); }
std::unique_ptr<ExportPlugin> make_kml_writer() { return std::make_unique<KmlWriter>(); }

}  // namespace strata::plugins
