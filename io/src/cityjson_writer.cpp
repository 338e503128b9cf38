// CityJSON writer on nlohmann::json (no Debian-packaged C++ CityJSON library exists).
#include "strata/io/cityjson_writer.h"

#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "strata/core/atomic_file.h"
#include "strata/core/city_bounds.h"
#include "strata/core/error.h"

namespace strata::io {

using nlohmann::json;

std::int64_t CityJsonVertices::index(const Point3& p) {
  std::array<std::int64_t, 3> q{};
  for (std::size_t i = 0; i < 3; ++i) q[i] = std::llround((p[i] - origin_[i]) / scale_);
  auto [it, fresh] = index_.try_emplace(q, static_cast<std::int64_t>(vertices_.size()));
  if (fresh) vertices_.push_back(q);
  return it->second;
}

json CityJsonVertices::to_json() const {
  json out = json::array();
  for (const auto& v : vertices_) out.push_back({v[0], v[1], v[2]});
  return out;
}

json CityJsonVertices::transform_json() const {
  return {{"scale", {scale_, scale_, scale_}}, {"translate", origin_}};
}

void CityJsonVertices::clear() {
  index_.clear();
  vertices_.clear();
}

namespace {

using VertexList = CityJsonVertices;

json surface_json(const Surface3& surface, VertexList& vertices) {
  json rings = json::array();
  for (const auto& ring : surface) {
    json r = json::array();
    for (const auto& p : ring) r.push_back(vertices.index(p));
    rings.push_back(std::move(r));
  }
  return rings;
}

json shell_json(const Shell3& shell, VertexList& vertices) {
  json out = json::array();
  for (const auto& s : shell) out.push_back(surface_json(s, vertices));
  return out;
}

// Semantics: one entry per semantic type, values shaped like the boundaries' surfaces.
void add_semantics(const CityGeometry& g, json& out) {
  std::size_t surfaces = 0;
  for (const auto& solid : g.solids)
    for (const auto& shell : solid) surfaces += shell.size();
  if (g.semantics.size() != surfaces || surfaces == 0) return;
  std::map<std::string, int> type_index;
  json types = json::array();
  for (const auto& t : g.semantics)
    if (!t.empty() && type_index.try_emplace(t, static_cast<int>(types.size())).second)
      types.push_back({{"type", t}});
  if (types.empty()) return;
  std::size_t k = 0;
  auto value = [&] {
    const std::string& t = g.semantics[k++];
    return t.empty() ? json(nullptr) : json(type_index[t]);
  };
  json values = json::array();
  const bool surface_geometry =
      g.type == CityGeometryType::kMultiSurface || g.type == CityGeometryType::kCompositeSurface;
  for (const auto& solid : g.solids) {
    json solid_values = json::array();
    for (const auto& shell : solid) {
      json shell_values = json::array();
      for (std::size_t i = 0; i < shell.size(); ++i) shell_values.push_back(value());
      if (surface_geometry)
        values = std::move(shell_values);
      else
        solid_values.push_back(std::move(shell_values));
    }
    if (!surface_geometry) values.push_back(std::move(solid_values));
  }
  if (g.type == CityGeometryType::kSolid && !values.empty()) values = values[0];
  out["semantics"] = {{"surfaces", types}, {"values", values}};
}

}  // namespace

json cityjson_geometry(const CityGeometry& g, CityJsonVertices& vertices) {
  json out = {{"type", std::string(geometry_type_name(g.type))}, {"lod", g.lod}};
  json boundaries = json::array();
  switch (g.type) {
    case CityGeometryType::kMultiSurface:
    case CityGeometryType::kCompositeSurface:
      if (!g.solids.empty() && !g.solids[0].empty())
        boundaries = shell_json(g.solids[0][0], vertices);
      break;
    case CityGeometryType::kSolid:
      if (!g.solids.empty())
        for (const auto& shell : g.solids[0]) boundaries.push_back(shell_json(shell, vertices));
      break;
    case CityGeometryType::kMultiSolid:
    case CityGeometryType::kCompositeSolid:
      for (const auto& solid : g.solids) {
        json shells = json::array();
        for (const auto& shell : solid) shells.push_back(shell_json(shell, vertices));
        boundaries.push_back(std::move(shells));
      }
      break;
  }
  out["boundaries"] = std::move(boundaries);
  add_semantics(g, out);
  return out;
}

json cityjson_multilinestring(const std::vector<std::vector<Point3>>& lines, const std::string& lod,
                              CityJsonVertices& vertices) {
  json boundaries = json::array();
  for (const auto& line : lines) {
    json l = json::array();
    for (const auto& p : line) l.push_back(vertices.index(p));
    boundaries.push_back(std::move(l));
  }
  return {{"type", "MultiLineString"}, {"lod", lod}, {"boundaries", std::move(boundaries)}};
}

std::string cityjson_crs_uri(const std::string& crs) {
  if (crs.rfind("EPSG:", 0) == 0) return "https://www.opengis.net/def/crs/EPSG/0/" + crs.substr(5);
  return crs;
}

std::array<double, 3> cityjson_origin(const std::array<double, 3>& lower, double scale) {
  std::array<double, 3> origin{};
  for (std::size_t i = 0; i < 3; ++i) origin[i] = std::floor(lower[i] / scale) * scale;
  return origin;
}

void write_cityjson(const std::string& path, const std::vector<CityObject>& objects,
                    const CityJsonWriteOptions& options) {
  Bounds3 bounds;
  for (const auto& o : objects)
    for (const auto& g : o.geometries) bounds.add(g);
  const bool has_extent = !bounds.empty();
  const Point3 lo = has_extent ? bounds.lo : Point3{0, 0, 0};
  const Point3 hi = has_extent ? bounds.hi : Point3{0, 0, 0};
  // Translate by the lower corner rounded to the resolution, so integers stay small.
  const std::array<double, 3> origin = cityjson_origin(lo, options.scale);
  VertexList vertices(origin, options.scale);
  json city_objects = json::object();
  for (const auto& o : objects) {
    json j = {{"type", o.type}};
    if (!o.parents.empty()) j["parents"] = o.parents;
    if (!o.children.empty()) j["children"] = o.children;
    json attributes =
        json::parse(o.attributes_json.empty() ? "{}" : o.attributes_json, nullptr, false);
    if (attributes.is_object() && !attributes.empty()) j["attributes"] = attributes;
    json geometries = json::array();
    for (const auto& g : o.geometries) geometries.push_back(cityjson_geometry(g, vertices));
    j["geometry"] = std::move(geometries);
    city_objects[o.id] = std::move(j);
  }
  json doc = {{"type", "CityJSON"},
              {"version", "2.0"},
              {"transform", vertices.transform_json()},
              {"CityObjects", std::move(city_objects)},
              {"vertices", vertices.to_json()}};
  json metadata = json::object();
  if (options.crs) metadata["referenceSystem"] = cityjson_crs_uri(*options.crs);
  if (has_extent) metadata["geographicalExtent"] = {lo[0], lo[1], lo[2], hi[0], hi[1], hi[2]};
  if (!options.title.empty()) metadata["title"] = options.title;
  if (!metadata.empty()) doc["metadata"] = std::move(metadata);

  try {
    write_text_atomically(path, [&](std::ostream& out) {
      out << doc.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    });
  } catch (const StrataError& e) {
    throw StrataError(e.code(), path + ": cannot write the CityJSON file");
  }
}

}  // namespace strata::io
