#include "strata/spatial/zonal_count_length.h"

#include <boost/geometry/algorithms/covered_by.hpp>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/algorithms/intersects.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <utility>

#include "geos_support.h"

namespace strata::spatial {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

double length_of(const Geos& geos, const GEOSGeometry* g) {
  double l = 0;
  if (!GEOSLength_r(geos.handle(), g, &l)) geos.check(nullptr, "length");
  return l;
}

}  // namespace

ZonalCountResult count_points_by_zone(const std::vector<MultiPolygon2>& zones,
                                      const std::vector<MultiPoint2>& points) {
  ZonalCountResult out;
  out.count.assign(zones.size(), 0);
  std::vector<std::pair<Box2, std::size_t>> boxes;
  for (std::size_t i = 0; i < zones.size(); ++i) {
    if (zones[i].empty()) continue;
    Box2 b;
    bg::envelope(zones[i], b);
    boxes.emplace_back(b, i);
  }
  const bgi::rtree<std::pair<Box2, std::size_t>, bgi::quadratic<16>> tree(boxes);
  std::vector<std::pair<Box2, std::size_t>> hits;
  for (const auto& mp : points) {
    for (const auto& p : mp) {
      hits.clear();
      tree.query(bgi::covers(p), std::back_inserter(hits));
      // The first zone in input order, whatever order the tree returns them in.
      std::size_t best = zones.size();
      for (const auto& [box, i] : hits)
        if (i < best && bg::covered_by(p, zones[i])) best = i;
      if (best < zones.size())
        ++out.count[best];
      else
        ++out.outside;
    }
  }
  return out;
}

ZonalLengthResult union_length_by_zone(const std::vector<MultiPolygon2>& zones,
                                       const std::vector<MultiLinestring2>& lines) {
  ZonalLengthResult out;
  out.length.assign(zones.size(), 0.0);
  Geos geos;
  const GEOSContextHandle_t h = geos.handle();
  MultiLinestring2 all;
  for (const auto& l : lines) all.insert(all.end(), l.begin(), l.end());
  if (all.empty()) return out;
  // The union nodes the lines and merges overlapping stretches, so each is measured once.
  GeomPtr joined = to_geos(geos, all);
  GeomPtr merged = owned(geos, GEOSUnaryUnion_r(h, joined.get()), "line union");
  std::vector<GeomPtr> zone_geoms;
  std::vector<Box2> boxes(zones.size());
  for (std::size_t i = 0; i < zones.size(); ++i) {
    zone_geoms.push_back(to_geos(geos, zones[i]));
    if (!zones[i].empty()) bg::envelope(zones[i], boxes[i]);
  }
  // The union of the given zones (clones, so that the zones stay whole).
  auto union_of = [&](const std::vector<std::size_t>& which) {
    std::vector<GeomPtr> clones;
    for (auto k : which)
      clones.push_back(owned(geos, GEOSGeom_clone_r(h, zone_geoms[k].get()), "clone"));
    auto raw = release_all(clones);
    GeomPtr collection = owned(geos,
                               GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, raw.data(),
                                                           static_cast<unsigned>(raw.size())),
                               "zones");
    return owned(geos, GEOSUnaryUnion_r(h, collection.get()), "zone union");
  };
  for (std::size_t i = 0; i < zones.size(); ++i) {
    if (zones[i].empty()) continue;
    // The network cut to the zone's box first (linear time), so that each zone's overlay only
    // sees the lines near it: with a village breakdown there are hundreds of zones.
    // The box is padded: the clipper's treatment of lines along its edges is not the overlay's.
    const Box2& b = boxes[i];
    const double pad = 1e-3 + 1e-6 * (b.max_corner().x() - b.min_corner().x() + b.max_corner().y() -
                                      b.min_corner().y());
    GeomPtr near =
        owned(geos,
              GEOSClipByRect_r(h, merged.get(), b.min_corner().x() - pad, b.min_corner().y() - pad,
                               b.max_corner().x() + pad, b.max_corner().y() + pad),
              "clip");
    GeomPtr inside =
        owned(geos, GEOSIntersection_r(h, near.get(), zone_geoms[i].get()), "intersection");
    // A stretch on a boundary shared with an earlier zone was counted there: each stretch
    // counts once, in the first zone (input order) whose closed polygon holds it, as points do.
    std::vector<std::size_t> earlier;
    for (std::size_t k = 0; k < i; ++k)
      if (!zones[k].empty() && bg::intersects(boxes[k], boxes[i])) earlier.push_back(k);
    if (!earlier.empty()) {
      GeomPtr before = union_of(earlier);
      inside = owned(geos, GEOSDifference_r(h, inside.get(), before.get()), "difference");
    }
    out.length[i] = length_of(geos, inside.get());
  }
  std::vector<std::size_t> every;
  for (std::size_t k = 0; k < zones.size(); ++k)
    if (!zones[k].empty()) every.push_back(k);
  GeomPtr outside =
      every.empty()
          ? owned(geos, GEOSGeom_clone_r(h, merged.get()), "clone")
          : owned(geos, GEOSDifference_r(h, merged.get(), union_of(every).get()), "difference");
  out.outside = length_of(geos, outside.get());
  return out;
}

}  // namespace strata::spatial
