#include "strata/render/scene_builder.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "strata/spatial/geometry_validation.h"

namespace strata::render {

std::optional<SceneColouring> parse_scene_colouring(const std::string& name) {
  if (name == "baunit") return SceneColouring::kBAUnit;
  if (name == "validation") return SceneColouring::kValidation;
  if (name == "building") return SceneColouring::kBuilding;
  if (name == "plain") return SceneColouring::kPlain;
  return std::nullopt;
}

namespace {

const Rgba kValid = Rgba::hex(0x66bd63), kFinding = Rgba::hex(0xfdae61),
           kInvalid = Rgba::hex(0xd73027), kPlain = Rgba::hex(0xc9c3b8);

// The geometry drawn: the highest LoD, solids before surfaces.
const CityGeometry* drawn_geometry(const CityObject& o) {
  const CityGeometry* best = nullptr;
  auto rank = [](const CityGeometry& g) {
    const bool solid = g.type == CityGeometryType::kSolid ||
                       g.type == CityGeometryType::kMultiSolid ||
                       g.type == CityGeometryType::kCompositeSolid;
    return std::make_pair(solid ? 1 : 0, std::atof(g.lod.c_str()));
  };
  for (const auto& g : o.geometries)
    if (!best || rank(g) > rank(*best)) best = &g;
  return best;
}

std::vector<spatial::Triangle> triangles_of(const CityGeometry& g, double dz) {
  std::vector<spatial::Triangle> out;
  for (const auto& solid : g.solids)
    for (const auto& shell : solid)
      for (const auto& face : shell)
        for (auto t : spatial::triangulate_face(face)) {
          for (auto& p : t.corners) p[2] += dz;
          out.push_back(t);
        }
  return out;
}

double min_z(const CityGeometry& g) {
  double z = std::numeric_limits<double>::max();
  for (const auto& solid : g.solids)
    for (const auto& shell : solid)
      for (const auto& face : shell)
        for (const auto& ring : face)
          for (const auto& p : ring) z = std::min(z, p[2]);
  return z;
}

std::string text_attribute(const CityObject& o, const char* key) {
  if (o.attributes_json.empty()) return "";
  const auto j = nlohmann::json::parse(o.attributes_json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

// The parts of a 3D polyline inside a plan box (Liang-Barsky per segment), z interpolated.
std::vector<std::vector<Point3>> clip_to_box(const std::vector<PipePoint>& line, double x0,
                                             double y0, double x1, double y1) {
  std::vector<std::vector<Point3>> parts;
  std::vector<Point3> current;
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    const auto &a = line[i], &b = line[i + 1];
    double t0 = 0, t1 = 1;
    const double dx = b[0] - a[0], dy = b[1] - a[1];
    bool inside = true;
    for (const auto& [p, q] : {std::pair{-dx, a[0] - x0}, std::pair{dx, x1 - a[0]},
                               std::pair{-dy, a[1] - y0}, std::pair{dy, y1 - a[1]}}) {
      if (p == 0) {
        if (q < 0) inside = false;
      } else if (p < 0) {
        t0 = std::max(t0, q / p);
      } else {
        t1 = std::min(t1, q / p);
      }
    }
    if (!inside || t0 > t1) {
      if (current.size() > 1) parts.push_back(current);
      current.clear();
      continue;
    }
    auto at = [&](double t) -> Point3 {
      return {a[0] + t * dx, a[1] + t * dy, a[2] + t * (b[2] - a[2])};
    };
    if (current.empty()) current.push_back(at(t0));
    current.push_back(at(t1));
    if (t1 < 1) {  // leaves the box inside this segment
      parts.push_back(current);
      current.clear();
    }
  }
  if (current.size() > 1) parts.push_back(current);
  return parts;
}

}  // namespace

SceneSummary build_scene(const std::vector<CityObject>& objects,
                         const std::vector<const PipeNetwork*>& networks,
                         const SceneOptions& options) {
  SceneSummary out;
  std::set<std::string> with_units;
  std::map<std::string, std::vector<const CityObject*>> units_of;  // building -> units
  std::vector<const CityObject*> buildings, storeys;
  for (const auto& o : objects) {
    if (o.type == "BuildingUnit") {
      // A unit registered without an outline has no place to draw.
      if (o.geometries.empty()) continue;
      const std::string parent = o.parents.empty() ? "" : o.parents.front();
      with_units.insert(parent);
      units_of[parent].push_back(&o);
    } else if (o.type == "BuildingStorey") {
      storeys.push_back(&o);
    } else if (!o.geometries.empty()) {
      buildings.push_back(&o);
    }
  }

  // Storey index of a unit or storey within its building: the rank of its lowest z, so that
  // exploding lifts each floor by the same gap over the one below.
  auto storey_ranks = [](const std::vector<const CityObject*>& parts) {
    std::map<const CityObject*, int> rank;
    std::set<long long> levels;
    std::map<const CityObject*, long long> level_of;
    for (const auto* o : parts)
      if (const auto* g = drawn_geometry(*o)) {
        const auto level = std::llround(min_z(*g) * 100);  // centimetres
        levels.insert(level);
        level_of[o] = level;
      }
    for (const auto& [o, level] : level_of)
      rank[o] = static_cast<int>(std::distance(levels.begin(), levels.find(level)));
    return rank;
  };

  double lowest = std::numeric_limits<double>::max();
  std::map<std::string, std::size_t> baunit_index;
  const spatial::ValidationTolerances tolerances;
  auto add_object = [&](const CityObject& o, double dz, const std::string& baunit, bool unit) {
    const CityGeometry* g = drawn_geometry(o);
    if (!g) return;
    if (unit && !baunit.empty()) baunit_index.emplace(baunit, baunit_index.size());
    lowest = std::min(lowest, min_z(*g));
    SceneMesh mesh;
    mesh.triangles = triangles_of(*g, dz);
    std::string status = "valid";
    // The geometric validation (CGAL) is the costly part of a view: only when it is shown.
    if (options.colour_by == SceneColouring::kValidation &&
        !spatial::validate_geometry(*g, tolerances).empty())
      status = "invalid geometry";
    else if (options.findings.count(o.id) || (!baunit.empty() && options.findings.count(baunit)))
      status = "finding";
    switch (options.colour_by) {
      case SceneColouring::kValidation:
        mesh.colour = status == "valid" ? kValid : status == "finding" ? kFinding : kInvalid;
        break;
      case SceneColouring::kBAUnit:
        if (unit) {
          mesh.colour = baunit.empty() ? kPlain : category_colour(baunit_index.at(baunit));
        } else {
          mesh.colour = kPlain;
        }
        break;
      case SceneColouring::kBuilding:
        mesh.colour = category_colour(static_cast<std::size_t>(out.buildings));
        break;
      case SceneColouring::kPlain:
        mesh.colour = kPlain;
        break;
    }
    if (unit && options.colour_by == SceneColouring::kValidation) ++out.units_by_status[status];
    out.scene.meshes.push_back(std::move(mesh));
  };

  for (const auto* b : buildings) {
    auto it = units_of.find(b->id);
    if (options.units_only && it == units_of.end()) continue;
    ++out.buildings;
    if (it != units_of.end()) {
      const auto rank = storey_ranks(it->second);
      for (const auto* u : it->second) {
        const auto r = rank.count(u) ? rank.at(u) : 0;
        add_object(*u, r * options.explode_m, text_attribute(*u, "building_no"), true);
        ++out.units;
      }
      continue;
    }
    if (options.units_only) continue;
    std::vector<const CityObject*> own_storeys;
    for (const auto* s : storeys)
      if (!s->parents.empty() && s->parents.front() == b->id) own_storeys.push_back(s);
    if (!own_storeys.empty()) {
      const auto rank = storey_ranks(own_storeys);
      for (const auto* s : own_storeys) {
        add_object(*s, (rank.count(s) ? rank.at(s) : 0) * options.explode_m, "", false);
        ++out.storeys;
      }
    } else {
      add_object(*b, 0, "", false);
    }
  }
  // Units whose building is not among the objects are still drawn.
  for (const auto& [parent, units] : units_of) {
    if (std::any_of(buildings.begin(), buildings.end(),
                    [&](const CityObject* b) { return b->id == parent; }))
      continue;
    const auto rank = storey_ranks(units);
    for (const auto* u : units) {
      add_object(*u, (rank.count(u) ? rank.at(u) : 0) * options.explode_m,
                 text_attribute(*u, "building_no"), true);
      ++out.units;
    }
  }
  out.baunits = static_cast<int>(baunit_index.size());

  if (lowest == std::numeric_limits<double>::max()) lowest = 0;
  out.ground_z = options.ground_z ? *options.ground_z : lowest;
  std::set<Utility> utilities;
  double x0 = std::numeric_limits<double>::max(), y0 = x0,
         x1 = std::numeric_limits<double>::lowest(), y1 = x1;
  auto extend = [&](double x, double y) {
    x0 = std::min(x0, x);
    y0 = std::min(y0, y);
    x1 = std::max(x1, x);
    y1 = std::max(y1, y);
  };
  for (const auto& m : out.scene.meshes)
    for (const auto& t : m.triangles)
      for (const auto& p : t.corners) extend(p[0], p[1]);
  const bool clip = options.clip_pipes_m && x0 <= x1;
  const double cx0 = clip ? x0 - *options.clip_pipes_m : 0,
               cy0 = clip ? y0 - *options.clip_pipes_m : 0,
               cx1 = clip ? x1 + *options.clip_pipes_m : 0,
               cy1 = clip ? y1 + *options.clip_pipes_m : 0;
  for (const PipeNetwork* network : networks) {
    const double dz = network->heights == PipeHeights::kBelowGround ? *out.ground_z : 0.0;
    for (const auto& link : network->links) {
      if (link.centreline.size() < 2) continue;
      std::vector<PipePoint> lifted;
      const double g = *out.ground_z;
      for (const auto& p : link.centreline) {
        const double z = p[2] + dz;
        lifted.push_back({p[0], p[1], z < g ? g - (g - z) * options.depth_exaggeration : z});
      }
      std::vector<std::vector<Point3>> parts;
      if (clip)
        parts = clip_to_box(lifted, cx0, cy0, cx1, cy1);
      else
        parts.push_back(std::vector<Point3>(lifted.begin(), lifted.end()));
      if (parts.empty()) continue;
      const double d = std::max(link.diameter_m, options.min_pipe_diameter_m);
      for (const auto& axis : parts) {
        for (const auto& p : axis) {
          extend(p[0], p[1]);
          out.pipes_z_min = std::min(out.pipes_z_min.value_or(p[2]), p[2]);
          out.pipes_z_max = std::max(out.pipes_z_max.value_or(p[2]), p[2]);
        }
        out.scene.meshes.push_back({spatial::tube(axis, d / 2, 12), utility_colour(link.utility)});
      }
      utilities.insert(link.utility);
      ++out.pipes;
    }
  }
  if (options.ground_grid && x0 <= x1) {
    // A see-through ground: grid lines every `step` metres (about 16 across the scene).
    const double span = std::max(x1 - x0, y1 - y0);
    const double raw = span / 16, p = std::pow(10.0, std::floor(std::log10(raw)));
    const double step = raw / p < 2 ? p : raw / p < 5 ? 2 * p : 5 * p;
    const double gx0 = std::floor(x0 / step) * step, gy0 = std::floor(y0 / step) * step;
    const double gx1 = std::ceil(x1 / step) * step, gy1 = std::ceil(y1 / step) * step;
    const Rgba grid = Rgba::hex(0x8c7b6b);
    const double z = *out.ground_z;
    for (double x = gx0; x <= gx1 + step / 2; x += step)
      out.scene.lines.push_back({{{x, gy0, z}, {x, gy1, z}}, grid});
    for (double y = gy0; y <= gy1 + step / 2; y += step)
      out.scene.lines.push_back({{{gx0, y, z}, {gx1, y, z}}, grid});
  }

  // The legend a report shows under the snapshot.
  if (options.colour_by == SceneColouring::kValidation) {
    out.legend.push_back({"valid", kValid, LegendSymbol::kBox});
    out.legend.push_back({"cadastral finding (8xx)", kFinding, LegendSymbol::kBox});
    out.legend.push_back({"invalid geometry", kInvalid, LegendSymbol::kBox});
  } else if (options.colour_by == SceneColouring::kBAUnit && out.baunits > 0) {
    out.legend.push_back(
        {"one colour per BAUnit with a volume (" + std::to_string(out.baunits) + ")",
         category_colour(0), LegendSymbol::kBox});
  }
  if ((out.units == 0 && out.buildings > 0 && options.colour_by != SceneColouring::kBuilding) ||
      options.colour_by == SceneColouring::kPlain)
    out.legend.push_back({"building", kPlain, LegendSymbol::kBox});
  char factor[32];
  std::snprintf(factor, sizeof factor, "%g", options.depth_exaggeration);
  const std::string exaggerated =
      options.depth_exaggeration != 1.0 ? std::string(" (depth ×") + factor + ")" : "";
  for (Utility u : utilities)
    out.legend.push_back({std::string(utility_name(u)) + " pipe" + exaggerated, utility_colour(u),
                          LegendSymbol::kLine});
  if (options.ground_grid)
    out.legend.push_back({"ground (grid)", Rgba::hex(0x8c7b6b), LegendSymbol::kLine});
  out.scene.camera = options.camera;
  return out;
}

}  // namespace strata::render
