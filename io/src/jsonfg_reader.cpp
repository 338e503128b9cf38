// JSON-FG (OGC Features and Geometries JSON) features whose "place" is a Polyhedron or a
// MultiPolyhedron: the 3D solids of JSON-FG, read as Solid / MultiSolid city objects. Hand-written
// on nlohmann::json: GDAL's JSON-FG driver does not return polyhedra as solids.
#include <nlohmann/json.hpp>
#include <regex>

#include "json_document.h"
#include "strata/core/error.h"
#include "strata/io/mesh_readers.h"

namespace strata::io {
namespace {

using nlohmann::json;

[[noreturn]] void unsupported(const std::string& path, const std::string& what) {
  throw StrataError(ErrorCode::kUnsupportedFormat, path + ": " + what);
}

struct Builder {
  std::string path;
  CityObject* object = nullptr;
  int ring_no = 0;

  Ring3 ring(const json& points) {
    Ring3 r;
    for (const auto& p : points) {
      if (!p.is_array() || p.size() < 3)
        throw StrataError(ErrorCode::kInvalidInputFile,
                          path + ": " + object->id + ": a position needs x, y and z");
      r.push_back({p[0].get<double>(), p[1].get<double>(), p[2].get<double>()});
    }
    ++ring_no;
    // JSON-FG repeats the first position at the end; strata's rings are open.
    if (r.size() > 1 && r.front() == r.back())
      r.pop_back();
    else
      object->unclosed_rings.push_back("ring " + std::to_string(ring_no - 1));
    return r;
  }
  Surface3 surface(const json& rings) {
    Surface3 s;
    for (const auto& r : rings) s.push_back(ring(r));
    return s;
  }
  std::vector<Shell3> solid(const json& shells) {
    return json_document::solid_of(shells, [this](const json& rings) { return surface(rings); });
  }
};

}  // namespace

CityModelInfo read_jsonfg(const std::string& path,
                          const std::function<void(CityObject&&)>& on_object) {
  const json doc = json_document::read(path);
  CityModelInfo info;
  info.format = "JSON-FG";
  std::vector<const json*> features;
  if (doc.value("type", "") == "FeatureCollection" && doc.contains("features") &&
      doc["features"].is_array())
    for (const auto& f : doc["features"]) features.push_back(&f);
  else if (doc.value("type", "") == "Feature")
    features.push_back(&doc);
  else
    unsupported(path, "is not a JSON-FG Feature or FeatureCollection");
  static const std::regex epsg(R"(EPSG/0/(\d+))");
  std::smatch m;
  const std::string crs = doc.value("coordRefSys", std::string());
  if (std::regex_search(crs, m, epsg)) info.crs = "EPSG:" + m[1].str();
  // val3dity's rule: a file mixing plain GeoJSON geometries with polyhedra is not validated.
  for (const json* f : features) {
    const json place = f->value("place", json());
    const std::string type = place.is_object() ? place.value("type", "") : "";
    if (type != "Polyhedron" && type != "MultiPolyhedron")
      unsupported(path, "feature " + f->value("id", json("?")).dump() +
                            " has no Polyhedron or MultiPolyhedron \"place\": plain GeoJSON "
                            "geometry is not validated in 3D");
  }
  int n = 0;
  for (const json* f : features) {
    CityObject o;
    o.id = f->contains("id")
               ? (f->at("id").is_string() ? f->at("id").get<std::string>() : f->at("id").dump())
               : "feature-" + std::to_string(n);
    ++n;
    o.type = f->value("featureType", "GenericCityObject");
    if (f->contains("properties") && (*f)["properties"].is_object())
      o.attributes_json = (*f)["properties"].dump(-1, ' ', false, json::error_handler_t::replace);
    Builder b{path, &o};
    const json& place = (*f)["place"];
    CityGeometry g;
    try {
      if (place["type"] == "Polyhedron") {
        g.type = CityGeometryType::kSolid;
        g.solids.push_back(b.solid(place.at("coordinates")));
      } else {
        g.type = CityGeometryType::kMultiSolid;
        for (const auto& s : place.at("coordinates")) g.solids.push_back(b.solid(s));
      }
      o.geometries.push_back(std::move(g));
    } catch (const json::exception& e) {
      o.dropped.push_back(std::string("malformed coordinates (") + e.what() + ")");
    }
    ++info.objects;
    on_object(std::move(o));
  }
  return info;
}

}  // namespace strata::io
