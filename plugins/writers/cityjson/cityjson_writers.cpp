// writers.cityjson and writers.cityjsonseq: buildings, storeys and the legal spaces of
// registered units as CityJSON 2.0 (one document, or CityJSONSeq: a header line and one
// CityJSONFeature per building with its storeys and units, then one per pipe), with the
// StrataLADM extension (strata_ladm.ext.json, next to this file): BAUnits with their rights and
// exact shares and party references in the root property "+ladm", "+ladm-*" attributes on
// BuildingUnits, and pipes as "+UtilityPipe" objects with a 3D MultiLineString axis.
#include <fstream>
#include <limits>
#include <map>
#include <set>

#include "strata/core/atomic_file.h"
#include "strata/core/city_bounds.h"
#include "strata/io/cityjson_writer.h"
#include "strata/plugins/registry.h"
#include "strata_ladm_extension.h"  // generated from strata_ladm.ext.json (kStrataLadmExtension)

namespace strata::plugins {
namespace {

using nlohmann::json;

constexpr const char* kExtensionName = "StrataLADM";
constexpr const char* kExtensionVersion = "0.1.0";
constexpr const char* kExtensionFile = "strata_ladm.ext.json";

std::string share_text(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find('/') == std::string::npos) s += "/1";  // Share prints a whole number as "1"
  return s;
}

void set_if(json& out, const char* key, const json& in, const char* from) {
  auto it = in.find(from);
  if (it != in.end() && !it->is_null() && !(it->is_string() && it->get<std::string>().empty()))
    out[key] = *it;
}

// One city object of the export and the features it came from.
struct Item {
  const ExportLayer* layer;
  const ExportFeature* feature;
};

class CityJsonWriterBase : public ExportPlugin {
 public:
  std::vector<OptionSpec> options() const override {
    return {{"scale",
             OptionType::kNumber,
             "0.001",
             "coordinate resolution in metres (the transform's scale)",
             {}},
            {"extension_url",
             OptionType::kString,
             kExtensionFile,
             "where readers find the StrataLADM extension file (written next to the output "
             "when it is this default)",
             {}}};
  }

 protected:
  virtual bool sequence() const = 0;

  ExportResult write(const ExportRequest& request) const {
    const ExportModel& model = *request.model;
    const double scale = request.options.number("scale");
    if (!(scale > 0)) throw std::runtime_error("option scale must be positive");
    ExportResult result;

    std::vector<Item> items;
    std::set<std::string> ids;
    for (const auto& layer : model.layers) {
      const bool taken = layer.feature_class == FeatureClass::kBuilding ||
                         layer.feature_class == FeatureClass::kBuildingStorey ||
                         layer.feature_class == FeatureClass::kBuildingUnit ||
                         layer.feature_class == FeatureClass::kPipe;
      if (!taken) {
        result.summary["not_in_cityjson"].push_back(layer.name);
        continue;
      }
      for (const auto& f : layer.features) {
        if (!ids.insert(f.id).second)
          throw std::runtime_error("layer " + layer.name + ": id '" + f.id +
                                   "' is used by another city object");
        items.push_back({&layer, &f});
      }
      result.summary["layers"][layer.name] = layer.features.size();
    }

    // The extent and the transform, from every coordinate.
    Bounds3 bounds;
    for (const auto& it : items) {
      const auto& g = it.feature->geometry;
      if (g.volume) bounds.add(*g.volume);
      for (const auto& line : g.lines)
        for (const auto& p : line) bounds.add(p);
    }
    const Point3 lo = bounds.empty() ? Point3{0, 0, 0} : bounds.lo;
    const Point3 hi = bounds.empty() ? Point3{0, 0, 0} : bounds.hi;
    io::CityJsonVertices vertices(io::cityjson_origin(lo, scale), scale);

    json header = {{"type", "CityJSON"},
                   {"version", "2.0"},
                   {"transform", vertices.transform_json()},
                   {"CityObjects", json::object()},
                   {"vertices", json::array()}};
    json metadata = {{"geographicalExtent", {lo[0], lo[1], lo[2], hi[0], hi[1], hi[2]}}};
    if (!model.crs.empty()) metadata["referenceSystem"] = io::cityjson_crs_uri(model.crs);
    if (!model.title.empty()) metadata["title"] = model.title;
    header["metadata"] = metadata;
    const std::string url = request.options.text("extension_url");
    header["extensions"] = {{kExtensionName, {{"url", url}, {"version", kExtensionVersion}}}};
    header["+ladm"] = ladm_json(model, items);

    auto object_json = [&](const Item& it) {
      const ExportFeature& f = *it.feature;
      json o;
      json attributes = f.attributes;
      if (it.layer->feature_class == FeatureClass::kPipe) {
        o["type"] = "+UtilityPipe";
        json a = json::object();
        set_if(a, "utility", attributes, "utility");
        set_if(a, "network", attributes, "network");
        set_if(a, "linkType", attributes, "type");
        set_if(a, "diameter", attributes, "diameter_m");
        set_if(a, "material", attributes, "material");
        set_if(a, "owner", attributes, "owner");
        set_if(a, "installYear", attributes, "install_year");
        set_if(a, "fromNode", attributes, "from_node");
        set_if(a, "toNode", attributes, "to_node");
        set_if(a, "coverStart", attributes, "cover_start_m");
        set_if(a, "coverEnd", attributes, "cover_end_m");
        if (attributes.contains("assumed") && !attributes["assumed"].empty())
          a["assumed"] = attributes["assumed"];
        set_if(a, "source", attributes, "source");
        o["attributes"] = a;
        o["geometry"] =
            json::array({io::cityjson_multilinestring(f.geometry.lines, "1", vertices)});
        return o;
      }
      o["type"] =
          attributes.value("type", std::string(it.layer->feature_class == FeatureClass::kBuilding
                                                   ? "Building"
                                                   : "GenericCityObject"));
      for (const char* structural : {"type", "id", "parent"}) attributes.erase(structural);
      if (it.layer->feature_class == FeatureClass::kBuildingUnit) {
        attributes.erase("rights");  // in +ladm
        if (attributes.contains("building_no"))
          attributes["+ladm-baunit"] = attributes["building_no"];
        if (attributes.contains("floor") && attributes["floor"].is_string())
          attributes["+ladm-floor"] = attributes["floor"];
        if (f.geometry.volume) {
          Bounds3 unit;
          unit.add(*f.geometry.volume);
          if (!unit.empty())
            attributes["+ladm-zBottom"] = unit.lo[2], attributes["+ladm-zTop"] = unit.hi[2];
        }
      }
      if (!attributes.empty()) o["attributes"] = attributes;
      std::vector<std::string> parents, children;
      for (const auto& p : f.parents)
        if (ids.count(p)) parents.push_back(p);
      for (const auto& c : f.children)
        if (ids.count(c)) children.push_back(c);
      if (!parents.empty()) o["parents"] = parents;
      if (!children.empty()) o["children"] = children;
      o["geometry"] = json::array();
      if (f.geometry.volume)
        o["geometry"].push_back(io::cityjson_geometry(*f.geometry.volume, vertices));
      return o;
    };

    if (!sequence()) {
      json doc = header;
      for (const auto& it : items) doc["CityObjects"][it.feature->id] = object_json(it);
      doc["vertices"] = vertices.to_json();
      write_text_atomically(request.output, [&](std::ostream& out) {
        out << doc.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
      });
    } else {
      // Features: each top-level object (no parent in the export) with all its descendants.
      std::map<std::string, const Item*> by_id;
      for (const auto& it : items) by_id[it.feature->id] = &it;
      write_text_atomically(request.output, [&](std::ostream& out) {
        out << header.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
        std::int64_t features = 0;
        for (const auto& it : items) {
          bool has_parent = false;
          for (const auto& p : it.feature->parents) has_parent |= by_id.count(p) > 0;
          if (has_parent) continue;
          vertices.clear();
          json feature = {
              {"type", "CityJSONFeature"}, {"id", it.feature->id}, {"CityObjects", json::object()}};
          std::vector<const Item*> todo = {&it};
          while (!todo.empty()) {
            const Item* next = todo.back();
            todo.pop_back();
            feature["CityObjects"][next->feature->id] = object_json(*next);
            for (const auto& c : next->feature->children)
              if (auto found = by_id.find(c); found != by_id.end()) todo.push_back(found->second);
          }
          feature["vertices"] = vertices.to_json();
          out << feature.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
          ++features;
        }
        result.summary["features"] = features;
      });
    }
    result.files.push_back(request.output);
    if (url == kExtensionFile) {
      const auto ext = request.output.parent_path() / kExtensionFile;
      write_text_atomically(ext, [&](std::ostream& out) { out << kStrataLadmExtension; });
      result.files.push_back(ext);
    }
    result.summary["city_objects"] = items.size();
    return result;
  }

  // The BAUnits of the exported legal spaces, their rights (when the profile carries them) and
  // the parties those name (names and identity numbers only in a bureau export: the model holds
  // them only then).
  static json ladm_json(const ExportModel& model, const std::vector<Item>& items) {
    json baunits = json::object(), parties = json::object();
    for (const auto& it : items) {
      if (it.layer->feature_class != FeatureClass::kBuildingUnit) continue;
      const json& a = it.feature->attributes;
      const std::string no = a.value("building_no", it.feature->id);
      json& b = baunits[no];
      if (b.is_null()) {
        b = {{"kind", a.value("unit_kind", std::string("main"))}, {"spatialUnits", json::array()}};
        if (a.contains("registered_area_m2") && a["registered_area_m2"].is_number())
          b["registeredArea"] = a["registered_area_m2"];
        if (a.contains("parcels") && a["parcels"].is_array()) b["parcels"] = a["parcels"];
        set_if(b, "use", a, "use");
        set_if(b, "address", a, "address");
        if (!it.feature->parents.empty()) b["building"] = it.feature->parents.front();
        if (a.contains("rights") && a["rights"].is_array()) {
          b["rrr"] = json::array();
          for (const auto& r : a["rights"]) {
            json rrr = {{"type", r.value("type", std::string("ownership"))},
                        {"share", share_text(r.value("share", json("1")))},
                        {"party", r.value("party", std::string())}};
            set_if(rrr, "validFrom", r, "valid_from");
            set_if(rrr, "validTo", r, "valid_to");
            b["rrr"].push_back(rrr);
            const std::string party = r.value("party", std::string());
            if (party.empty()) continue;
            json& p = parties[party];
            if (p.is_null()) p = json::object();
            set_if(p, "name", r, "party_name");
            set_if(p, "identityNumber", r, "party_identity_number");
          }
        }
      }
      b["spatialUnits"].push_back(it.feature->id);
    }
    return {{"profile", std::string(profile_name(model.profile))},
            {"baunits", baunits},
            {"parties", parties}};
  }
};

class CityJsonWriter : public CityJsonWriterBase {
 public:
  std::string name() const override { return "writers.cityjson"; }
  std::string description() const override {
    return "CityJSON 2.0: buildings, storeys, legal spaces (StrataLADM extension: BAUnits, "
           "rights with shares, party references) and pipes";
  }
  std::string default_extension() const override { return ".city.json"; }
  ExportResult run(const ExportRequest& request) override { return write(request); }

 protected:
  bool sequence() const override { return false; }
};

class CityJsonSeqWriter : public CityJsonWriterBase {
 public:
  std::string name() const override { return "writers.cityjsonseq"; }
  std::string description() const override {
    return "CityJSONSeq (CityJSON 2.0 text sequence): one feature per building with its storeys "
           "and units, one per pipe; same extension as writers.cityjson";
  }
  std::string default_extension() const override { return ".city.jsonl"; }
  ExportResult run(const ExportRequest& request) override { return write(request); }

 protected:
  bool sequence() const override { return true; }
};

}  // namespace

std::unique_ptr<ExportPlugin> make_cityjson_writer() { return std::make_unique<CityJsonWriter>(); }
std::unique_ptr<ExportPlugin> make_cityjsonseq_writer() {
  return std::make_unique<CityJsonSeqWriter>();
}

}  // namespace strata::plugins
