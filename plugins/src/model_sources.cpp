#include "strata/plugins/model_sources.h"

#include <algorithm>
#include <map>
#include <set>

#include "strata/core/error.h"
#include "strata/io/vector_source.h"

namespace strata::plugins {
namespace {

nlohmann::json value_json(const FieldValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

nlohmann::json parse_object(const std::string& text) {
  auto j = nlohmann::json::parse(text.empty() ? "{}" : text, nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}

std::string source_of(const Provenance& p) {
  std::string s = p.dataset;
  if (!p.source_note.empty()) s += (s.empty() ? "" : " (") + p.source_note + (s.empty() ? "" : ")");
  return s;
}

// Applies the profile to one feature's attributes and counts what it removed.
void scrub_feature(ExportModel& model, ExportFeature& f, const GatherOptions& options,
                   bool strata_defined) {
  AttributePolicy policy;
  policy.allowed.insert(options.allow_attributes.begin(), options.allow_attributes.end());
  policy.strata_defined = strata_defined;
  model.values_withheld +=
      scrub(f.attributes, rules_of(model.profile), policy, &model.attributes_withheld);
}

bool is_volume_kind(const std::string& kind) {
  return kind == "building_3d" || kind == "building_storey" || kind == "legal_space";
}

}  // namespace

FeatureClass class_of_kind(const std::string& kind) {
  static const std::map<std::string, FeatureClass> classes = {
      {"district", FeatureClass::kDistrict},
      {"village", FeatureClass::kVillage},
      {"zoning", FeatureClass::kZone},
      {"parcel", FeatureClass::kParcel},
      {"green", FeatureClass::kGreen},
      {"paving", FeatureClass::kPaving},
      {"point_feature", FeatureClass::kPointFeature},
      {"line_feature", FeatureClass::kLineFeature},
      {"building_3d", FeatureClass::kBuilding},
      {"building_storey", FeatureClass::kBuildingStorey},
      {"legal_space", FeatureClass::kBuildingUnit}};
  auto it = classes.find(kind);
  return it == classes.end() ? FeatureClass::kOther : it->second;
}

void add_store_layers(ExportModel& model, io::Store& store, const GatherOptions& options) {
  const auto stored = store.layers();
  for (const auto& wanted : options.layers) {
    const bool known = std::any_of(stored.begin(), stored.end(), [&](const io::StoredLayer& s) {
      return s.provenance.layer == wanted;
    });
    if (!known) {
      std::string names;
      for (const auto& s : stored) names += (names.empty() ? "" : ", ") + s.provenance.layer;
      throw StrataError(
          ErrorCode::kWrongInputParameters,
          store.path().string() + " has no layer '" + wanted + "' (layers: " + names + ")");
    }
  }
  for (const auto& s : stored) {
    const Provenance& p = s.provenance;
    if (!options.layers.empty() &&
        std::find(options.layers.begin(), options.layers.end(), p.layer) == options.layers.end())
      continue;
    ExportLayer layer;
    layer.name = p.layer;
    layer.feature_class = class_of_kind(p.kind);
    layer.origin = "store " + store.path().string();
    layer.source = source_of(p);
    if (is_volume_kind(p.kind)) {
      layer.geometry = GeometryKind::kVolume;
      layer.has_z = true;
      std::map<std::string, std::size_t> index;
      store.for_each_volume(p.layer, [&](const CityObject& o) {
        ExportFeature f;
        f.id = o.id;
        f.parents = o.parents;
        f.attributes = parse_object(o.attributes_json);
        // The id and parent as attributes too, so that flat formats (GeoPackage, KML) carry them.
        nlohmann::json identity = {{"id", o.id}, {"type", o.type}};
        if (!o.parents.empty()) identity["parent"] = o.parents.front();
        identity.update(f.attributes);
        f.attributes = std::move(identity);
        if (!o.geometries.empty()) f.geometry.volume = o.geometries.front();
        scrub_feature(model, f, options, false);
        index[f.id] = layer.features.size();
        layer.features.push_back(std::move(f));
        return true;
      });
      model.layers.push_back(std::move(layer));
      continue;
    }
    bool polygons = false, points = false, lines = false;
    store.for_each_record(p.layer, std::nullopt, [&](const Record& r) {
      ExportFeature f;
      f.id = r.id;
      for (const auto& [name, value] : r.fields) f.attributes[name] = value_json(value);
      f.attributes["id"] = r.id;
      if (!r.geometry.empty()) {
        f.geometry.polygons = r.geometry;
        f.attributes["area_m2"] = r.area_m2;
        polygons = true;
      } else if (!r.points.empty()) {
        for (const auto& pt : r.points) f.geometry.points.push_back({pt.x(), pt.y(), 0.0});
        points = true;
      } else if (!r.lines.empty()) {
        for (const auto& line : r.lines) {
          std::vector<Point3> l;
          for (const auto& pt : line) l.push_back({pt.x(), pt.y(), 0.0});
          f.geometry.lines.push_back(std::move(l));
        }
        f.attributes["length_m"] = r.length_m;
        lines = true;
      }
      if (r.repaired) f.attributes["repaired"] = true;
      auto src = parse_object(r.attributes_json);
      if (!src.empty()) f.attributes["source_attributes"] = std::move(src);
      scrub_feature(model, f, options, false);
      layer.features.push_back(std::move(f));
      return true;
    });
    layer.geometry = polygons ? GeometryKind::kPolygons
                     : points ? GeometryKind::kPoints
                     : lines  ? GeometryKind::kLines
                              : GeometryKind::kNone;
    model.layers.push_back(std::move(layer));
  }
  // Children of volumes, from their parents (the store keeps the parent only).
  std::map<std::string, ExportFeature*> by_id;
  for (auto& l : model.layers)
    if (l.geometry == GeometryKind::kVolume)
      for (auto& f : l.features) by_id[f.id] = &f;
  for (auto& l : model.layers)
    if (l.geometry == GeometryKind::kVolume)
      for (auto& f : l.features)
        for (const auto& parent : f.parents)
          if (auto it = by_id.find(parent); it != by_id.end()) it->second->children.push_back(f.id);
}

void add_result_layers(ExportModel& model, const std::filesystem::path& gpkg,
                       const GatherOptions& options) {
  const bool pipe_results = gpkg.parent_path().filename() == "pipes";
  const std::string stem = gpkg.stem().string();
  for (const auto& name : io::vector_layer_names(gpkg.string())) {
    ExportLayer layer;
    layer.name = pipe_results ? "pipes_" + stem + "_" + name : name;
    if (model.find(layer.name)) layer.name = stem + "_" + name;
    layer.feature_class =
        name.rfind("indicators", 0) == 0 ? FeatureClass::kIndicator : FeatureClass::kFinding;
    layer.origin = "results " + gpkg.string();
    layer.source = "strata results: " + gpkg.filename().string();
    if (pipe_results && !rules_of(options.profile).pipes) {
      model.layers_withheld.push_back(layer.name);
      continue;
    }
    auto src = io::open_vector_source({gpkg.string(), name, {}, {}});
    const auto& fields = src->fields();
    io::SourceFeature sf;
    bool polygons = false, points = false, lines = false;
    while (src->next(sf)) {
      ExportFeature f;
      f.id = std::to_string(sf.fid);
      for (std::size_t i = 0; i < fields.size(); ++i) {
        nlohmann::json v = value_json(sf.values[i]);
        // Lists and objects the result writers stored as JSON text come back as JSON.
        if (v.is_string()) {
          const std::string& t = v.get_ref<const std::string&>();
          if (!t.empty() && (t.front() == '[' || t.front() == '{')) {
            auto parsed = nlohmann::json::parse(t, nullptr, false);
            if (!parsed.is_discarded()) v = std::move(parsed);
          }
        }
        f.attributes[fields[i].name] = std::move(v);
      }
      if (sf.polygons) {
        f.geometry.polygons = *sf.polygons;
        polygons = true;
      } else if (sf.points) {
        for (std::size_t i = 0; i < sf.points->size(); ++i) {
          const auto& pt = (*sf.points)[i];
          const double z =
              sf.point_heights && i < sf.point_heights->size() ? (*sf.point_heights)[i] : 0.0;
          f.geometry.points.push_back({pt.x(), pt.y(), z});
        }
        layer.has_z = layer.has_z || sf.point_heights.has_value();
        points = true;
      } else if (sf.lines) {
        for (std::size_t k = 0; k < sf.lines->size(); ++k) {
          std::vector<Point3> l;
          const auto& line = (*sf.lines)[k];
          for (std::size_t i = 0; i < line.size(); ++i) {
            double z = 0;
            if (sf.line_heights && k < sf.line_heights->size() && i < (*sf.line_heights)[k].size())
              z = (*sf.line_heights)[k][i];
            l.push_back({line[i].x(), line[i].y(), z});
          }
          f.geometry.lines.push_back(std::move(l));
        }
        layer.has_z = layer.has_z || sf.line_heights.has_value();
        lines = true;
      }
      scrub_feature(model, f, options, true);
      layer.features.push_back(std::move(f));
    }
    // A layer without a feature keeps the type it declares: an empty findings layer is still a
    // 3D point layer, drawn with its style, not a table.
    const auto declared = src->declared_geometry();
    if (!polygons && !points && !lines) {
      polygons = declared.kind == 'A';
      points = declared.kind == 'P';
      lines = declared.kind == 'L';
      layer.has_z = declared.z;
    }
    layer.geometry = polygons ? GeometryKind::kPolygons
                     : points ? GeometryKind::kPoints
                     : lines  ? GeometryKind::kLines
                              : GeometryKind::kNone;
    model.layers.push_back(std::move(layer));
  }
}

void add_pipe_network(ExportModel& model, const std::string& name, const PipeNetwork& network,
                      const std::string& source, const GatherOptions& options) {
  ExportLayer layer;
  layer.name = "pipes_" + name;
  layer.feature_class = FeatureClass::kPipe;
  layer.geometry = GeometryKind::kLines;
  layer.has_z = true;
  layer.origin = "pipes " + source;
  layer.source = source;
  if (!rules_of(options.profile).pipes) {
    model.layers_withheld.push_back(layer.name);
    return;
  }
  auto opt = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  for (const auto& link : network.links) {
    ExportFeature f;
    f.id = name + "/" + link.id;  // unique across networks (ids like "feature 0" repeat)
    f.geometry.lines.emplace_back(link.centreline.begin(), link.centreline.end());
    f.attributes = {{"id", link.id},
                    {"network", name},
                    {"type", link.type},
                    {"utility", std::string(utility_name(link.utility))},
                    {"diameter_m", link.diameter_m},
                    {"material", link.material},
                    {"owner", link.owner},
                    {"install_year", link.install_year ? nlohmann::json(*link.install_year)
                                                       : nlohmann::json(nullptr)},
                    {"from_node", link.from_node},
                    {"to_node", link.to_node},
                    {"cover_start_m", opt(link.cover_start)},
                    {"cover_end_m", opt(link.cover_end)},
                    {"invert_start", opt(link.invert_start)},
                    {"invert_end", opt(link.invert_end)},
                    {"assumed", link.assumed},
                    {"source", link.source}};
    scrub_feature(model, f, options, true);
    layer.features.push_back(std::move(f));
  }
  model.layers.push_back(std::move(layer));
}

}  // namespace strata::plugins
