// tu3djson (TU Delft's minimal 3D JSON: features, each with a CityJSON-style Solid /
// MultiSolid / CompositeSolid / MultiSurface / CompositeSurface whose "boundaries" index the
// geometry's own "vertices"), read for validation. Hand-written: no library reads it.
#include <nlohmann/json.hpp>

#include "json_document.h"
#include "strata/core/error.h"
#include "strata/io/mesh_readers.h"

namespace strata::io {
namespace {

using nlohmann::json;

struct Builder {
  const std::vector<Point3>& vertices;
  Surface3 surface(const json& rings) const {
    Surface3 s;
    for (const auto& ring : rings) {
      Ring3 r;
      for (const auto& i : ring) {
        const auto k = i.get<std::int64_t>();
        if (k < 0 || static_cast<std::size_t>(k) >= vertices.size())
          throw std::out_of_range("vertex index " + std::to_string(k) + " out of range");
        r.push_back(vertices[static_cast<std::size_t>(k)]);
      }
      s.push_back(std::move(r));
    }
    return s;
  }
  Shell3 shell(const json& surfaces) const {
    return json_document::shell_of(surfaces, [this](const json& rings) { return surface(rings); });
  }
  std::vector<Shell3> solid(const json& shells) const {
    return json_document::solid_of(shells, [this](const json& rings) { return surface(rings); });
  }
};

}  // namespace

CityModelInfo read_tu3djson(const std::string& path,
                            const std::function<void(CityObject&&)>& on_object) {
  const json doc = json_document::read(path);
  if (!doc.is_object() || doc.value("type", "") != "tu3djson" || !doc.contains("features") ||
      !doc["features"].is_array())
    throw StrataError(ErrorCode::kUnsupportedFormat, path + ": not a tu3djson document");
  CityModelInfo info;
  info.format = "tu3djson";
  int n = 0;
  for (const auto& f : doc["features"]) {
    CityObject o;
    o.id = f.is_object() && f.contains("id") && f["id"].is_string()
               ? f["id"].get<std::string>()
               : "feature-" + std::to_string(n);
    ++n;
    o.type = f.is_object() ? f.value("type", "GenericCityObject") : "GenericCityObject";
    if (f.is_object() && f.contains("properties") && f["properties"].is_object())
      o.attributes_json = f["properties"].dump(-1, ' ', false, json::error_handler_t::replace);
    try {
      const json& g = f.at("geometry");
      std::vector<Point3> vertices;
      for (const auto& v : g.at("vertices"))
        vertices.push_back({v.at(0).get<double>(), v.at(1).get<double>(), v.at(2).get<double>()});
      const Builder b{vertices};
      const std::string type = g.value("type", "");
      const json& bounds = g.at("boundaries");
      CityGeometry out;
      if (type == "Solid") {
        out.type = CityGeometryType::kSolid;
        out.solids.push_back(b.solid(bounds));
      } else if (type == "MultiSolid" || type == "CompositeSolid") {
        out.type = type == "MultiSolid" ? CityGeometryType::kMultiSolid
                                        : CityGeometryType::kCompositeSolid;
        for (const auto& s : bounds) out.solids.push_back(b.solid(s));
      } else if (type == "MultiSurface" || type == "CompositeSurface") {
        out.type = type == "MultiSurface" ? CityGeometryType::kMultiSurface
                                          : CityGeometryType::kCompositeSurface;
        out.solids.push_back({b.shell(bounds)});
      } else {
        throw std::invalid_argument("geometry type '" + type + "' is not a surface or a solid");
      }
      o.geometries.push_back(std::move(out));
    } catch (const std::exception& e) {
      o.dropped.push_back(e.what());
    }
    ++info.objects;
    on_object(std::move(o));
  }
  return info;
}

}  // namespace strata::io
