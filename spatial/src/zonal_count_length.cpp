#include "strata/spatial/zonal_count_length.h"

#include <algorithm>
#include <atomic>
#include <boost/geometry/algorithms/covered_by.hpp>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/algorithms/intersects.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>

#include "geos_support.h"
#include "strata/core/parallel.h"

namespace strata::spatial {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

struct PreparedDeleter {
  GEOSContextHandle_t h;
  void operator()(const GEOSPreparedGeometry* p) const {
    if (p) GEOSPreparedGeom_destroy_r(h, p);
  }
};
using PreparedPtr = std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter>;

PreparedPtr owned_prepared(const Geos& geos, const GEOSPreparedGeometry* p) {
  if (!p) geos.check(nullptr, "prepare");
  return PreparedPtr(p, PreparedDeleter{geos.handle()});
}

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

namespace {

// The union of many lines is the kernel's heaviest step: it is cut into vertical strips unioned
// on worker threads. The cuts depend only on the data (never on the thread count), lie strictly
// between vertices' x (so no segment runs along a cut) and balance the vertices.
std::vector<double> strip_cuts(const MultiLinestring2& all, std::size_t strips) {
  std::vector<double> xs;
  for (const auto& l : all)
    for (const auto& p : l) xs.push_back(p.x());
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  std::vector<double> cuts = {xs.front() - 1};
  for (std::size_t k = 1; k < strips; ++k) {
    const std::size_t q = k * xs.size() / strips;
    if (q == 0 || q >= xs.size()) continue;
    const double c = (xs[q - 1] + xs[q]) / 2;
    if (c > cuts.back() && c > xs[q - 1] && c < xs[q]) cuts.push_back(c);
  }
  cuts.push_back(xs.back() + 1);
  return cuts;
}

constexpr std::size_t kStrips = 8;
constexpr std::size_t kVerticesPerStrip = 20000;

}  // namespace

ZonalLengthResult union_length_by_zone(const std::vector<MultiPolygon2>& zones,
                                       const std::vector<MultiLinestring2>& lines, int threads) {
  ZonalLengthResult out;
  out.length.assign(zones.size(), 0.0);
  Geos geos;
  const GEOSContextHandle_t h = geos.handle();
  MultiLinestring2 all;
  for (const auto& l : lines) all.insert(all.end(), l.begin(), l.end());
  if (all.empty()) return out;

  // The union nodes the lines and merges overlapping stretches, so each is measured once; its
  // parts meet only at their ends.
  struct Piece {
    GeomPtr line;
    Box2 box;
  };
  std::vector<Piece> pieces;
  auto add_parts = [&](const GEOSGeometry* g) {
    const int n = GEOSGetNumGeometries_r(h, g);
    for (int k = 0; k < n; ++k) {
      const GEOSGeometry* part = GEOSGetGeometryN_r(h, g, k);
      if (GEOSGeomTypeId_r(h, part) != GEOS_LINESTRING || GEOSisEmpty_r(h, part) == 1) continue;
      Piece p{owned(geos, GEOSGeom_clone_r(h, part), "clone"), {}};
      double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
      GEOSGeom_getXMin_r(h, part, &x0);
      GEOSGeom_getYMin_r(h, part, &y0);
      GEOSGeom_getXMax_r(h, part, &x1);
      GEOSGeom_getYMax_r(h, part, &y1);
      p.box = Box2({x0, y0}, {x1, y1});
      pieces.push_back(std::move(p));
    }
  };
  std::size_t vertices = 0;
  for (const auto& l : all) vertices += l.size();
  const std::vector<double> cuts =
      strip_cuts(all, std::clamp<std::size_t>(vertices / kVerticesPerStrip, 1, kStrips));
  double y0 = std::numeric_limits<double>::max(), y1 = std::numeric_limits<double>::lowest();
  std::vector<Box2> line_boxes;
  for (const auto& l : all) {
    Box2 b;
    bg::envelope(l, b);
    line_boxes.push_back(b);
    y0 = std::min(y0, b.min_corner().y());
    y1 = std::max(y1, b.max_corner().y());
  }
  // Strip s: the lines meeting it, cut to it, unioned; in that thread's own GEOS context.
  // (Contexts first: they must outlive the geometries made in them, exceptions included.)
  std::vector<std::unique_ptr<Geos>> contexts(cuts.size() - 1);
  std::vector<GeomPtr> unions(cuts.size() - 1);
  parallel_for(
      cuts.size() - 1,
      worker_count(threads > 0 ? static_cast<unsigned>(threads) : 0, cuts.size() - 1),
      [&](unsigned, std::size_t k) {
        contexts[k] = std::make_unique<Geos>();
        const Geos& g = *contexts[k];
        const Box2 strip({cuts[k], y0 - 1}, {cuts[k + 1], y1 + 1});
        MultiLinestring2 near;
        for (std::size_t i = 0; i < all.size(); ++i)
          if (bg::intersects(line_boxes[i], strip)) near.push_back(all[i]);
        GeomPtr input = to_geos(g, near);
        if (cuts.size() > 2)
          input = owned(
              g, GEOSClipByRect_r(g.handle(), input.get(), cuts[k], y0 - 1, cuts[k + 1], y1 + 1),
              "clip");
        unions[k] = GeomPtr(g.check(GEOSUnaryUnion_r(g.handle(), input.get()), "line union"),
                            GeomDeleter{g.handle()});
      });
  for (const auto& u : unions) add_parts(u.get());
  // The strips' geometries were made in their own contexts: freed there, then the contexts.
  unions.clear();
  contexts.clear();

  // Zone by zone, in input order, each zone takes the stretches of the network it holds
  // (closed polygon) and they leave the network: a stretch on a boundary shared with a later
  // zone, or in two overlapping zones, counts once, in the first. Taking (intersection) and
  // leaving (difference) are two overlays of the same inputs, so they node alike and the
  // zones' lengths and what remains add up to the network. What remains at the end lies
  // outside every zone.
  for (std::size_t i = 0; i < zones.size(); ++i) {
    if (zones[i].empty()) continue;
    Box2 zone_box;
    bg::envelope(zones[i], zone_box);
    GeomPtr zone = to_geos(geos, zones[i]);
    PreparedPtr prepared = owned_prepared(geos, GEOSPrepare_r(h, zone.get()));
    // Most pieces near the zone lie inside it, away from its boundary: they are taken whole,
    // found by prepared predicates (indexed, no overlay). Only pieces that meet the boundary go
    // through the overlay, together.
    std::vector<std::size_t> crossing;
    for (std::size_t k = 0; k < pieces.size(); ++k) {
      if (!pieces[k].line || !bg::intersects(pieces[k].box, zone_box)) continue;
      const GEOSGeometry* line = pieces[k].line.get();
      if (GEOSPreparedContainsProperly_r(h, prepared.get(), line) == 1) {
        out.length[i] += length_of(geos, line);
        pieces[k].line.reset();
      } else if (GEOSPreparedIntersects_r(h, prepared.get(), line) == 1) {
        crossing.push_back(k);
      }
    }
    if (crossing.empty()) continue;
    std::vector<GeomPtr> parts;
    for (auto k : crossing) parts.push_back(std::move(pieces[k].line));
    auto raw = release_all(parts);
    GeomPtr batch = owned(geos,
                          GEOSGeom_createCollection_r(h, GEOS_MULTILINESTRING, raw.data(),
                                                      static_cast<unsigned>(raw.size())),
                          "lines");
    GeomPtr taken = owned(geos, GEOSIntersection_r(h, batch.get(), zone.get()), "intersection");
    GeomPtr left = owned(geos, GEOSDifference_r(h, batch.get(), zone.get()), "difference");
    out.length[i] += length_of(geos, taken.get());
    add_parts(left.get());
  }
  for (const auto& p : pieces)
    if (p.line) out.outside += length_of(geos, p.line.get());
  return out;
}

}  // namespace strata::spatial
