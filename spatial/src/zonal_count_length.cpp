#include "strata/spatial/zonal_count_length.h"

#include <algorithm>
#include <atomic>
#include <boost/geometry/algorithms/covered_by.hpp>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/algorithms/intersects.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <exception>
#include <mutex>
#include <thread>
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
                                       const std::vector<MultiLinestring2>& lines, int threads) {
  ZonalLengthResult out;
  out.length.assign(zones.size(), 0.0);
  Geos geos;
  const GEOSContextHandle_t h = geos.handle();
  MultiLinestring2 all;
  for (const auto& l : lines) all.insert(all.end(), l.begin(), l.end());
  if (all.empty()) return out;
  // The union nodes the lines and merges overlapping stretches, so each is measured once.
  GeomPtr merged;
  {
    GeomPtr joined = to_geos(geos, all);
    merged = owned(geos, GEOSUnaryUnion_r(h, joined.get()), "line union");
  }
  std::vector<Box2> boxes(zones.size());
  for (std::size_t i = 0; i < zones.size(); ++i)
    if (!zones[i].empty()) bg::envelope(zones[i], boxes[i]);

  // Zones are measured independently, on worker threads. Each thread has its own GEOS context,
  // its own copy of the network and of the zones: GEOS 3.11 computes envelopes lazily, so a
  // geometry read by several threads at once is not safe. A zone's value does not depend on
  // which thread measured it.
  const unsigned n_threads =
      std::min<unsigned>(threads > 0 ? static_cast<unsigned>(threads)
                                     : std::max(1u, std::thread::hardware_concurrency()),
                         static_cast<unsigned>(std::max<std::size_t>(1, zones.size())));
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::exception_ptr failure;
  auto work = [&](const Geos& g, const GEOSGeometry* network) {
    const GEOSContextHandle_t c = g.handle();
    std::vector<GeomPtr> zone_geoms;
    for (const auto& z : zones) zone_geoms.push_back(to_geos(g, z));
    for (std::size_t i = next++; i < zones.size(); i = next++) {
      if (zones[i].empty()) continue;
      // The network cut to the zone's box first (linear time), so that each zone's overlay only
      // sees the lines near it: with a village breakdown there are hundreds of zones.
      // The box is padded: the clipper's treatment of lines along its edges is not the overlay's.
      const Box2& b = boxes[i];
      const double pad = 1e-3 + 1e-6 * (b.max_corner().x() - b.min_corner().x() +
                                        b.max_corner().y() - b.min_corner().y());
      GeomPtr near =
          owned(g,
                GEOSClipByRect_r(c, network, b.min_corner().x() - pad, b.min_corner().y() - pad,
                                 b.max_corner().x() + pad, b.max_corner().y() + pad),
                "clip");
      GeomPtr inside =
          owned(g, GEOSIntersection_r(c, near.get(), zone_geoms[i].get()), "intersection");
      // A stretch on a boundary shared with an earlier zone was counted there: each stretch
      // counts once, in the first zone (input order) whose closed polygon holds it, as points do.
      std::vector<GeomPtr> clones;
      for (std::size_t k = 0; k < i; ++k)
        if (!zones[k].empty() && bg::intersects(boxes[k], boxes[i]))
          clones.push_back(owned(g, GEOSGeom_clone_r(c, zone_geoms[k].get()), "clone"));
      if (!clones.empty()) {
        auto raw = release_all(clones);
        GeomPtr collection =
            owned(g,
                  GEOSGeom_createCollection_r(c, GEOS_GEOMETRYCOLLECTION, raw.data(),
                                              static_cast<unsigned>(raw.size())),
                  "zones");
        GeomPtr before = owned(g, GEOSUnaryUnion_r(c, collection.get()), "zone union");
        inside = owned(g, GEOSDifference_r(c, inside.get(), before.get()), "difference");
      }
      out.length[i] = length_of(g, inside.get());
    }
  };
  auto guarded = [&](const Geos& g, const GEOSGeometry* network) {
    try {
      work(g, network);
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!failure) failure = std::current_exception();
      next = zones.size();
    }
  };
  // The copies are made before any thread starts, so that no geometry is read while copied.
  std::vector<GeomPtr> copies;
  for (unsigned t = 1; t < n_threads; ++t)
    copies.push_back(owned(geos, GEOSGeom_clone_r(h, merged.get()), "clone"));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n_threads; ++t)
    pool.emplace_back([&, t] {
      Geos g;
      guarded(g, copies[t - 1].get());
    });
  guarded(geos, merged.get());
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);

  // What lies outside every zone: the network's length less what the zones hold. Each stretch
  // counts in one zone at most, so the zones' lengths add up to the network inside them.
  double inside_total = 0;
  for (double l : out.length) inside_total += l;
  out.outside = std::max(0.0, length_of(geos, merged.get()) - inside_total);
  return out;
}

}  // namespace strata::spatial
