// writers.3dtiles: 3D Tiles 1.1 for Cesium. A folder with tileset.json and one binary glTF
// (.glb, written with tinygltf) per 3D layer: buildings, storeys and legal spaces as triangulated
// faces, pipes as tubes of their diameter around their axes. Every vertex carries its feature id
// (EXT_mesh_features) and a property table (EXT_structural_metadata) gives each feature's strata
// id, layer, class, BAUnit and utility, so a pick in Cesium leads back to the unit or pipe.
//
// Coordinates: the project CRS is transformed to Earth-centred (EPSG:4978); vertices are stored
// in an east-north-up frame at the model's centre (the root tile's transform), glTF y-up as
// 3D Tiles expects. Heights are taken as heights above the ellipsoid.
#include <ogr_spatialref.h>
#include <tiny_gltf.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <stdexcept>

#include "../ogr_support.h"
#include "strata/plugins/registry.h"
#include "strata/spatial/face_triangles.h"

namespace strata::plugins {
namespace {
using spatial::Triangle;
using spatial::triangulate_face;
using spatial::tube;

using nlohmann::json;
using Vec = std::array<double, 3>;

struct Frame {
  Vec centre{};  // ECEF
  Vec east{}, north{}, up{};
  Vec local(const Vec& ecef) const {
    const Vec d{ecef[0] - centre[0], ecef[1] - centre[1], ecef[2] - centre[2]};
    return {d[0] * east[0] + d[1] * east[1] + d[2] * east[2],
            d[0] * north[0] + d[1] * north[1] + d[2] * north[2],
            d[0] * up[0] + d[1] * up[1] + d[2] * up[2]};
  }
  json matrix() const {  // column-major 4x4
    return {east[0], east[1], east[2], 0, north[0],  north[1],  north[2],  0,
            up[0],   up[1],   up[2],   0, centre[0], centre[1], centre[2], 1};
  }
};

// Appends raw bytes to the buffer at an 8-byte boundary (EXT_structural_metadata asks for it)
// and returns the index of a new buffer view over them.
int add_view(tinygltf::Model& m, const void* data, std::size_t bytes, int target = 0) {
  auto& buffer = m.buffers[0].data;
  while (buffer.size() % 8) buffer.push_back(0);
  tinygltf::BufferView view;
  view.buffer = 0;
  view.byteOffset = buffer.size();
  view.byteLength = bytes;
  if (target) view.target = target;
  const auto* p = static_cast<const unsigned char*>(data);
  buffer.insert(buffer.end(), p, p + bytes);
  m.bufferViews.push_back(view);
  return static_cast<int>(m.bufferViews.size() - 1);
}

int add_accessor(tinygltf::Model& m, int view, int component, std::size_t count, int type,
                 std::vector<double> min = {}, std::vector<double> max = {}) {
  tinygltf::Accessor a;
  a.bufferView = view;
  a.componentType = component;
  a.count = count;
  a.type = type;
  a.minValues = std::move(min);
  a.maxValues = std::move(max);
  m.accessors.push_back(a);
  return static_cast<int>(m.accessors.size() - 1);
}

tinygltf::Value string_property(tinygltf::Model& m, const std::vector<std::string>& values) {
  std::string bytes;
  std::vector<std::uint32_t> offsets = {0};
  for (const auto& v : values) {
    bytes += v;
    offsets.push_back(static_cast<std::uint32_t>(bytes.size()));
  }
  if (bytes.empty()) bytes.push_back(' ');  // a buffer view may not be empty
  const int values_view = add_view(m, bytes.data(), bytes.size());
  const int offsets_view = add_view(m, offsets.data(), offsets.size() * sizeof(std::uint32_t));
  tinygltf::Value::Object p;
  p["values"] = tinygltf::Value(values_view);
  p["stringOffsets"] = tinygltf::Value(offsets_view);
  return tinygltf::Value(p);
}

std::string text_attribute(const ExportFeature& f, const char* key) {
  auto it = f.attributes.find(key);
  return it != f.attributes.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::array<double, 4> colour_of(FeatureClass c) {
  switch (c) {
    case FeatureClass::kBuilding:
      return {0.85, 0.85, 0.85, 1.0};
    case FeatureClass::kBuildingStorey:
      return {0.75, 0.78, 0.85, 1.0};
    case FeatureClass::kBuildingUnit:
      return {0.98, 0.5, 0.45, 1.0};
    case FeatureClass::kPipe:
      return {0.9, 0.75, 0.0, 1.0};
    default:
      return {0.7, 0.7, 0.7, 1.0};
  }
}

class TilesWriter : public ExportPlugin {
 public:
  std::string name() const override { return "writers.3dtiles"; }
  std::string description() const override {
    return "3D Tiles 1.1 for Cesium: tileset.json and a glb per 3D layer (buildings, storeys, "
           "units, pipes as tubes) with feature ids linking back to strata ids";
  }
  bool output_is_folder() const override { return true; }
  std::vector<OptionSpec> options() const override {
    return {
        {"pipe_sides", OptionType::kNumber, "8", "sides of the tubes drawn around pipe axes", {}},
        {"min_pipe_diameter",
         OptionType::kNumber,
         "0.1",
         "diameter (m) drawn for pipes whose diameter is unknown or smaller",
         {}}};
  }

  ExportResult run(const ExportRequest& request) override {
    const ExportModel& model = *request.model;
    const int sides = std::max(3, static_cast<int>(request.options.number("pipe_sides")));
    const double min_diameter = request.options.number("min_pipe_diameter");
    auto source = spatial_reference(model.crs);
    if (!source) throw std::runtime_error("the model has no CRS, 3D Tiles need Earth coordinates");
    OGRSpatialReference ecef, geographic;
    ecef.importFromEPSG(4978);
    geographic.importFromEPSG(4979);
    ecef.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    geographic.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> to_ecef(
        OGRCreateCoordinateTransformation(source.get(), &ecef));
    std::unique_ptr<OGRCoordinateTransformation> to_geographic(
        OGRCreateCoordinateTransformation(source.get(), &geographic));
    if (!to_ecef || !to_geographic)
      throw std::runtime_error("no transformation from " + model.crs + " to EPSG:4978");

    // The triangles of every 3D layer, per feature, in project coordinates.
    struct Part {
      const ExportLayer* layer;
      std::vector<std::pair<const ExportFeature*, std::vector<Triangle>>> features;
    };
    std::vector<Part> parts;
    ExportResult result;
    constexpr double kInf = std::numeric_limits<double>::infinity();
    Vec lo{kInf, kInf, kInf}, hi{-kInf, -kInf, -kInf};
    for (const auto& layer : model.layers) {
      const bool volumes = layer.geometry == GeometryKind::kVolume;
      const bool pipes = layer.feature_class == FeatureClass::kPipe;
      if (!volumes && !pipes) {
        result.summary["not_in_3dtiles"].push_back(layer.name);
        continue;
      }
      Part part{&layer, {}};
      for (const auto& f : layer.features) {
        std::vector<Triangle> triangles;
        if (volumes && f.geometry.volume) {
          for (const auto& solid : f.geometry.volume->solids)
            for (const auto& shell : solid)
              for (const auto& face : shell) {
                auto t = triangulate_face(face);
                triangles.insert(triangles.end(), t.begin(), t.end());
              }
        } else if (pipes) {
          double d = 0;
          if (auto it = f.attributes.find("diameter_m");
              it != f.attributes.end() && it->is_number())
            d = it->get<double>();
          for (const auto& line : f.geometry.lines) {
            auto t = tube(line, std::max(d, min_diameter) / 2, sides);
            triangles.insert(triangles.end(), t.begin(), t.end());
          }
        }
        for (const auto& t : triangles)
          for (const auto& p : t.corners)
            for (std::size_t i = 0; i < 3; ++i)
              lo[i] = std::min(lo[i], p[i]), hi[i] = std::max(hi[i], p[i]);
        part.features.emplace_back(&f, std::move(triangles));
      }
      parts.push_back(std::move(part));
    }
    if (lo[0] == kInf) throw std::runtime_error("no 3D layer to write (buildings, units, pipes)");

    // The east-north-up frame at the centre of the model.
    Frame frame;
    {
      double x = (lo[0] + hi[0]) / 2, y = (lo[1] + hi[1]) / 2, z = lo[2];
      double lon = x, lat = y, h = z;
      if (!to_geographic->Transform(1, &lon, &lat, &h) || !to_ecef->Transform(1, &x, &y, &z))
        throw std::runtime_error("the model's centre cannot be transformed to EPSG:4978");
      constexpr double kDeg = 3.14159265358979323846 / 180;
      const double sl = std::sin(lon * kDeg), cl = std::cos(lon * kDeg);
      const double sp = std::sin(lat * kDeg), cp = std::cos(lat * kDeg);
      frame.centre = {x, y, z};
      frame.east = {-sl, cl, 0};
      frame.north = {-sp * cl, -sp * sl, cp};
      frame.up = {cp * cl, cp * sl, sp};
    }
    auto local = [&](const Point3& p) {
      double x = p[0], y = p[1], z = p[2];
      if (!to_ecef->Transform(1, &x, &y, &z))
        throw std::runtime_error("a vertex cannot be transformed to EPSG:4978");
      return frame.local({x, y, z});
    };

    std::filesystem::create_directories(request.output);
    json children = json::array();
    Vec all_lo{kInf, kInf, kInf}, all_hi{-kInf, -kInf, -kInf};
    for (const auto& part : parts) {
      if (part.features.empty()) continue;
      tinygltf::Model m;
      m.asset.version = "2.0";
      m.asset.generator = "strata writers.3dtiles";
      m.buffers.resize(1);
      std::vector<float> positions, normals, ids;
      Vec box_lo{kInf, kInf, kInf}, box_hi{-kInf, -kInf, -kInf};
      std::vector<std::string> id_values, layer_values, class_values, baunit_values, utility_values;
      for (std::size_t k = 0; k < part.features.size(); ++k) {
        const auto& [feature, triangles] = part.features[k];
        id_values.push_back(feature->id);
        layer_values.push_back(part.layer->name);
        class_values.push_back(std::string(feature_class_name(part.layer->feature_class)));
        baunit_values.push_back(text_attribute(*feature, "building_no"));
        utility_values.push_back(text_attribute(*feature, "utility"));
        for (const auto& t : triangles) {
          std::array<Vec, 3> enu;
          for (int i = 0; i < 3; ++i) enu[i] = local(t.corners[i]);
          const Vec a{enu[1][0] - enu[0][0], enu[1][1] - enu[0][1], enu[1][2] - enu[0][2]};
          const Vec b{enu[2][0] - enu[0][0], enu[2][1] - enu[0][1], enu[2][2] - enu[0][2]};
          Vec n{a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
          const double len = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
          if (len < 1e-12) continue;
          for (auto& c : n) c /= len;
          for (const auto& p : enu) {
            // glTF is y-up: (east, up, -north).
            const float gx = static_cast<float>(p[0]), gy = static_cast<float>(p[2]),
                        gz = static_cast<float>(-p[1]);
            positions.insert(positions.end(), {gx, gy, gz});
            normals.insert(normals.end(), {static_cast<float>(n[0]), static_cast<float>(n[2]),
                                           static_cast<float>(-n[1])});
            ids.push_back(static_cast<float>(k));
            for (std::size_t i = 0; i < 3; ++i)
              box_lo[i] = std::min(box_lo[i], p[i]), box_hi[i] = std::max(box_hi[i], p[i]);
          }
        }
      }
      if (positions.empty()) continue;
      const std::size_t count = positions.size() / 3;
      std::vector<double> pmin{kInf, kInf, kInf}, pmax{-kInf, -kInf, -kInf};
      for (std::size_t v = 0; v < count; ++v)
        for (std::size_t i = 0; i < 3; ++i) {
          pmin[i] = std::min(pmin[i], static_cast<double>(positions[3 * v + i]));
          pmax[i] = std::max(pmax[i], static_cast<double>(positions[3 * v + i]));
        }
      constexpr int kArrayBuffer = TINYGLTF_TARGET_ARRAY_BUFFER;
      const int pos =
          add_accessor(m, add_view(m, positions.data(), positions.size() * 4, kArrayBuffer),
                       TINYGLTF_COMPONENT_TYPE_FLOAT, count, TINYGLTF_TYPE_VEC3, pmin, pmax);
      const int nrm = add_accessor(m, add_view(m, normals.data(), normals.size() * 4, kArrayBuffer),
                                   TINYGLTF_COMPONENT_TYPE_FLOAT, count, TINYGLTF_TYPE_VEC3);
      const int fid = add_accessor(m, add_view(m, ids.data(), ids.size() * 4, kArrayBuffer),
                                   TINYGLTF_COMPONENT_TYPE_FLOAT, count, TINYGLTF_TYPE_SCALAR);

      tinygltf::Material material;
      material.name = part.layer->name;
      const auto colour = colour_of(part.layer->feature_class);
      material.pbrMetallicRoughness.baseColorFactor = {colour[0], colour[1], colour[2], colour[3]};
      material.pbrMetallicRoughness.metallicFactor = 0.0;
      material.pbrMetallicRoughness.roughnessFactor = 0.9;
      material.doubleSided = true;
      m.materials.push_back(material);

      tinygltf::Primitive primitive;
      primitive.attributes["POSITION"] = pos;
      primitive.attributes["NORMAL"] = nrm;
      primitive.attributes["_FEATURE_ID_0"] = fid;
      primitive.material = 0;
      primitive.mode = TINYGLTF_MODE_TRIANGLES;
      tinygltf::Value::Object feature_ids;
      feature_ids["featureCount"] = tinygltf::Value(static_cast<int>(part.features.size()));
      feature_ids["attribute"] = tinygltf::Value(0);
      feature_ids["propertyTable"] = tinygltf::Value(0);
      tinygltf::Value::Object mesh_features;
      mesh_features["featureIds"] =
          tinygltf::Value(tinygltf::Value::Array{tinygltf::Value(feature_ids)});
      primitive.extensions["EXT_mesh_features"] = tinygltf::Value(mesh_features);
      tinygltf::Mesh mesh;
      mesh.name = part.layer->name;
      mesh.primitives.push_back(primitive);
      m.meshes.push_back(mesh);
      tinygltf::Node node;
      node.mesh = 0;
      node.name = part.layer->name;
      m.nodes.push_back(node);
      tinygltf::Scene scene;
      scene.nodes.push_back(0);
      m.scenes.push_back(scene);
      m.defaultScene = 0;

      // The property table: one row per feature id.
      tinygltf::Value::Object string_type;
      string_type["type"] = tinygltf::Value(std::string("STRING"));
      tinygltf::Value::Object class_properties;
      for (const char* p : {"id", "layer", "class", "baunit", "utility"})
        class_properties[p] = tinygltf::Value(string_type);
      tinygltf::Value::Object feature_class;
      feature_class["description"] =
          tinygltf::Value(std::string("a strata feature: its id links back to the model"));
      feature_class["properties"] = tinygltf::Value(class_properties);
      tinygltf::Value::Object classes;
      classes["feature"] = tinygltf::Value(feature_class);
      tinygltf::Value::Object schema;
      schema["id"] = tinygltf::Value(std::string("strata"));
      schema["classes"] = tinygltf::Value(classes);
      tinygltf::Value::Object table_properties;
      table_properties["id"] = string_property(m, id_values);
      table_properties["layer"] = string_property(m, layer_values);
      table_properties["class"] = string_property(m, class_values);
      table_properties["baunit"] = string_property(m, baunit_values);
      table_properties["utility"] = string_property(m, utility_values);
      tinygltf::Value::Object table;
      table["class"] = tinygltf::Value(std::string("feature"));
      table["count"] = tinygltf::Value(static_cast<int>(part.features.size()));
      table["properties"] = tinygltf::Value(table_properties);
      tinygltf::Value::Object metadata;
      metadata["schema"] = tinygltf::Value(schema);
      metadata["propertyTables"] = tinygltf::Value(tinygltf::Value::Array{tinygltf::Value(table)});
      m.extensions["EXT_structural_metadata"] = tinygltf::Value(metadata);
      m.extensionsUsed = {"EXT_mesh_features", "EXT_structural_metadata"};
      while (m.buffers[0].data.size() % 4) m.buffers[0].data.push_back(0);

      const std::string file = part.layer->name + ".glb";
      const auto path = request.output / file;
      {
        tinygltf::TinyGLTF writer;
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        if (!out || !writer.WriteGltfSceneToStream(&m, out, false, true) || !out)
          throw std::runtime_error(path.string() + ": cannot be written");
      }
      result.files.push_back(path);
      result.summary["tiles"][part.layer->name] = {{"features", part.features.size()},
                                                   {"vertices", count}};
      for (std::size_t i = 0; i < 3; ++i)
        all_lo[i] = std::min(all_lo[i], box_lo[i]), all_hi[i] = std::max(all_hi[i], box_hi[i]);
      auto box = [](const Vec& l, const Vec& h) {
        const double pad = 0.01;  // centimetre margin: float rounding of the vertices
        return json{
            {"box",
             {(l[0] + h[0]) / 2, (l[1] + h[1]) / 2, (l[2] + h[2]) / 2, (h[0] - l[0]) / 2 + pad, 0,
              0, 0, (h[1] - l[1]) / 2 + pad, 0, 0, 0, (h[2] - l[2]) / 2 + pad}}};
      };
      children.push_back({{"boundingVolume", box(box_lo, box_hi)},
                          {"geometricError", 0},
                          {"content", {{"uri", file}}}});
    }
    if (children.empty()) throw std::runtime_error("no 3D feature to write");
    const double extent =
        std::max({all_hi[0] - all_lo[0], all_hi[1] - all_lo[1], all_hi[2] - all_lo[2]});
    json root_box = {
        {"box",
         {(all_lo[0] + all_hi[0]) / 2, (all_lo[1] + all_hi[1]) / 2, (all_lo[2] + all_hi[2]) / 2,
          (all_hi[0] - all_lo[0]) / 2 + 0.01, 0, 0, 0, (all_hi[1] - all_lo[1]) / 2 + 0.01, 0, 0, 0,
          (all_hi[2] - all_lo[2]) / 2 + 0.01}}};
    json tileset = {{"asset", {{"version", "1.1"}, {"generator", "strata writers.3dtiles"}}},
                    {"geometricError", extent},
                    {"root",
                     {{"transform", frame.matrix()},
                      {"boundingVolume", root_box},
                      {"geometricError", extent / 10},
                      {"refine", "ADD"},
                      {"children", children}}}};
    if (!model.title.empty()) tileset["asset"]["tilesetVersion"] = model.title;
    const auto tileset_path = request.output / "tileset.json";
    std::ofstream out(tileset_path, std::ios::trunc);
    out << tileset.dump(2) << "\n";
    if (!out) throw std::runtime_error(tileset_path.string() + ": cannot be written");
    result.files.insert(result.files.begin(), tileset_path);
    return result;
  }
};

}  // namespace

std::unique_ptr<ExportPlugin> make_tiles_writer() { return std::make_unique<TilesWriter>(); }

}  // namespace strata::plugins
