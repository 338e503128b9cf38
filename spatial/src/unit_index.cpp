#include "strata/spatial/unit_index.h"

#include <boost/geometry/algorithms/area.hpp>
#include <boost/geometry/algorithms/correct.hpp>
#include <boost/geometry/algorithms/covered_by.hpp>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/algorithms/intersection.hpp>
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <limits>

namespace strata::spatial {
namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

using Point3d = bg::model::point<double, 3, bg::cs::cartesian>;
using Box3d = bg::model::box<Point3d>;
using Entry = std::pair<Box3d, std::size_t>;

struct UnitIndex::Tree {
  bgi::rtree<Entry, bgi::rstar<16>> rtree;
};

std::optional<IndexedVolume> UnitIndex::prism_of(const CityObject& object) {
  for (const auto& g : object.geometries) {
    if (g.type == CityGeometryType::kMultiSurface || g.type == CityGeometryType::kCompositeSurface)
      continue;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& solid : g.solids)
      for (const auto& shell : solid)
        for (const auto& surface : shell)
          for (const auto& ring : surface)
            for (const auto& p : ring) lo = std::min(lo, p[2]), hi = std::max(hi, p[2]);
    if (!(hi > lo)) continue;
    IndexedVolume v;
    v.id = object.id;
    v.type = object.type;
    v.building = object.parents.empty() ? object.id : object.parents.front();
    v.z_bottom = lo;
    v.z_top = hi;
    v.attributes_json = object.attributes_json;
    // The outline: every face lying flat at the lowest height (the ground surfaces).
    for (const auto& solid : g.solids) {
      if (solid.empty()) continue;
      for (const auto& surface : solid[0]) {
        bool flat = !surface.empty();
        for (const auto& ring : surface)
          for (const auto& p : ring) flat &= std::abs(p[2] - lo) < 1e-6;
        if (!flat) continue;
        Polygon2 polygon;
        for (std::size_t r = 0; r < surface.size(); ++r) {
          Ring2 ring;
          for (const auto& p : surface[r]) ring.push_back(Point2(p[0], p[1]));
          if (!ring.empty()) ring.push_back(ring.front());
          if (r == 0)
            polygon.outer() = std::move(ring);
          else
            polygon.inners().push_back(std::move(ring));
        }
        bg::correct(polygon);
        v.outline.push_back(std::move(polygon));
      }
    }
    if (v.outline.empty()) continue;
    return v;
  }
  return std::nullopt;
}

UnitIndex::UnitIndex(std::vector<CityObject> objects) : tree_(std::make_unique<Tree>()) {
  for (const auto& o : objects) {
    if (o.type != "Building" && o.type != "BuildingPart" && o.type != "BuildingStorey" &&
        o.type != "BuildingUnit")
      continue;
    if (auto v = prism_of(o)) {
      volumes_.push_back(std::move(*v));
    } else if (o.type == "BuildingUnit" && o.geometries.empty()) {
      IndexedVolume u;
      u.id = o.id;
      u.type = o.type;
      u.building = o.parents.empty() ? o.id : o.parents.front();
      u.attributes_json = o.attributes_json;
      u.has_volume = false;
      volumes_.push_back(std::move(u));
    }
  }
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < volumes_.size(); ++i) {
    if (!volumes_[i].has_volume) continue;
    Box2 box;
    bg::envelope(volumes_[i].outline, box);
    entries.emplace_back(
        Box3d(Point3d(box.min_corner().x(), box.min_corner().y(), volumes_[i].z_bottom),
              Point3d(box.max_corner().x(), box.max_corner().y(), volumes_[i].z_top)),
        i);
  }
  tree_->rtree = bgi::rtree<Entry, bgi::rstar<16>>(entries.begin(), entries.end());
}

UnitIndex::~UnitIndex() = default;

std::vector<const IndexedVolume*> UnitIndex::at(double x, double y, double z) const {
  std::vector<Entry> candidates;
  tree_->rtree.query(bgi::intersects(Point3d(x, y, z)), std::back_inserter(candidates));
  std::vector<const IndexedVolume*> out;
  for (const auto& [box, i] : candidates) {
    const auto& v = volumes_[i];
    if (z < v.z_bottom || z > v.z_top) continue;
    if (bg::covered_by(Point2(x, y), v.outline)) out.push_back(&v);
  }
  return out;
}

std::vector<const IndexedVolume*> UnitIndex::over(const MultiPolygon2& land) const {
  Box2 box;
  bg::envelope(land, box);
  std::vector<Entry> candidates;
  tree_->rtree.query(
      bgi::intersects(Box3d(Point3d(box.min_corner().x(), box.min_corner().y(), -1e9),
                            Point3d(box.max_corner().x(), box.max_corner().y(), 1e9))),
      std::back_inserter(candidates));
  std::vector<const IndexedVolume*> out;
  for (const auto& [b, i] : candidates) {
    MultiPolygon2 common;
    bg::intersection(volumes_[i].outline, land, common);
    if (static_cast<double>(bg::area(common)) > 0) out.push_back(&volumes_[i]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace strata::spatial
