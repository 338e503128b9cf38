#include "strata/spatial/zonal_union_area.h"

// The overlay itself runs on GEOS (OverlayNG, through its reentrant C API), not on
// Boost.Geometry: Boost 1.74 without its integer rescaling (which strata turns off, see
// core/CMakeLists.txt) miscounts unions of polygons that share collinear edges, exactly what
// clipping to tiles produces. Boost.Geometry keeps the envelopes and the R-tree.
#include <geos_c.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/geometry/algorithms/covered_by.hpp>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/algorithms/intersects.hpp>
#include <boost/geometry/algorithms/num_points.hpp>
#include <boost/geometry/algorithms/within.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "strata/core/error.h"

namespace strata::spatial {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

// Polygons with more points than this are clipped to the tile when a tile is split, so that a
// large polygon spanning many tiles is not clipped whole again in every one of them.
constexpr std::size_t kClipPoints = 64;
// A tile counts as inside its zone when the zone's part reaches the tile's area up to this
// relative rounding.
constexpr double kWholeTile = 1e-12;

void on_geos_message(const char* message, void* sink) {
  *static_cast<std::string*>(sink) = message ? message : "";
}

// One GEOS context per thread (GEOS contexts are not shared between threads); geometries made
// in one context may be read from another.
class Geos {
 public:
  Geos() : h_(GEOS_init_r()) {
    GEOSContext_setErrorMessageHandler_r(h_, on_geos_message, &message_);
  }
  ~Geos() { GEOS_finish_r(h_); }
  Geos(const Geos&) = delete;
  Geos& operator=(const Geos&) = delete;
  GEOSContextHandle_t handle() const { return h_; }

  // Throws with GEOS's own message when a GEOS call returned nothing.
  GEOSGeometry* check(GEOSGeometry* g, const char* what) const {
    if (!g)
      throw StrataError(ErrorCode::kInternal, std::string("GEOS ") + what + " failed: " + message_);
    return g;
  }

 private:
  GEOSContextHandle_t h_;
  std::string message_;
};

struct GeomDeleter {
  GEOSContextHandle_t h;
  void operator()(GEOSGeometry* g) const {
    if (g) GEOSGeom_destroy_r(h, g);
  }
};
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;
using SharedGeom = std::shared_ptr<GEOSGeometry>;

GeomPtr owned(const Geos& geos, GEOSGeometry* g, const char* what) {
  return GeomPtr(geos.check(g, what), GeomDeleter{geos.handle()});
}
SharedGeom shared(const Geos& geos, GEOSGeometry* g, const char* what) {
  return SharedGeom(geos.check(g, what), GeomDeleter{geos.handle()});
}

GEOSGeometry* ring_to_geos(const Geos& geos, const Ring2& ring) {
  std::vector<double> xy;
  xy.reserve(2 * ring.size() + 2);
  for (const auto& p : ring) xy.insert(xy.end(), {p.x(), p.y()});
  if (!ring.empty() && (ring.front().x() != ring.back().x() || ring.front().y() != ring.back().y()))
    xy.insert(xy.end(), {ring.front().x(), ring.front().y()});
  GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(
      geos.handle(), xy.data(), static_cast<unsigned>(xy.size() / 2), 0, 0);
  if (!seq) geos.check(nullptr, "coordinate sequence");
  return geos.check(GEOSGeom_createLinearRing_r(geos.handle(), seq), "linear ring");
}

GeomPtr to_geos(const Geos& geos, const MultiPolygon2& mp) {
  std::vector<GEOSGeometry*> polygons;
  for (const auto& poly : mp) {
    if (poly.outer().size() < 4) continue;
    GEOSGeometry* shell = ring_to_geos(geos, poly.outer());
    std::vector<GEOSGeometry*> holes;
    for (const auto& inner : poly.inners())
      if (inner.size() >= 4) holes.push_back(ring_to_geos(geos, inner));
    polygons.push_back(geos.check(GEOSGeom_createPolygon_r(geos.handle(), shell, holes.data(),
                                                           static_cast<unsigned>(holes.size())),
                                  "polygon"));
  }
  return owned(geos,
               GEOSGeom_createCollection_r(geos.handle(), GEOS_MULTIPOLYGON, polygons.data(),
                                           static_cast<unsigned>(polygons.size())),
               "multipolygon");
}

double area_of(const Geos& geos, const GEOSGeometry* g) {
  double a = 0;
  if (!GEOSArea_r(geos.handle(), g, &a)) geos.check(nullptr, "area");
  return a;
}

double box_area(const Box2& b) {
  return (b.max_corner().x() - b.min_corner().x()) * (b.max_corner().y() - b.min_corner().y());
}

GeomPtr rectangle(const Geos& geos, const Box2& b) {
  return owned(geos,
               GEOSGeom_createRectangle_r(geos.handle(), b.min_corner().x(), b.min_corner().y(),
                                          b.max_corner().x(), b.max_corner().y()),
               "rectangle");
}

std::array<Box2, 4> quarters(const Box2& b) {
  const double x0 = b.min_corner().x(), y0 = b.min_corner().y();
  const double x1 = b.max_corner().x(), y1 = b.max_corner().y();
  const double xm = 0.5 * (x0 + x1), ym = 0.5 * (y0 + y1);
  return {Box2({x0, y0}, {xm, ym}), Box2({xm, y0}, {x1, ym}), Box2({x0, ym}, {xm, y1}),
          Box2({xm, ym}, {x1, y1})};
}

// A polygon as seen from one tile: the original, or its part clipped to an enclosing tile.
struct Piece {
  const GEOSGeometry* geometry = nullptr;
  SharedGeom owned;  // set when clipped
  Box2 envelope;
  std::size_t points = 0;
};

struct Tile {
  std::size_t zone = 0;
  Box2 box;
  SharedGeom zone_part;  // the zone clipped to the box (null when inside)
  bool inside = false;   // the box lies entirely in the zone
  std::vector<Piece> pieces;
};

class Worker {
 public:
  explicit Worker(const ZonalAreaOptions& options) : options_(options) {}

  // Area of the union of the tile's pieces within its zone, splitting while crowded.
  double area(Tile tile, int depth) {
    std::erase_if(tile.pieces, [&](const Piece& p) {
      return p.points == 0 || !bg::intersects(p.envelope, tile.box);
    });
    if (tile.pieces.empty()) return 0;
    if (!tile.inside && GEOSisEmpty_r(geos_.handle(), tile.zone_part.get())) return 0;
    if (covered(tile))
      return tile.inside ? box_area(tile.box) : area_of(geos_, tile.zone_part.get());
    if (tile.pieces.size() <= options_.max_polygons_per_tile || depth >= options_.max_depth)
      return leaf_area(tile);
    std::array<Tile, 4> children;
    std::size_t spread = 0;
    const auto q = quarters(tile.box);
    for (int k = 0; k < 4; ++k) {
      children[k] = child(tile, q[k]);
      spread += children[k].pieces.size();
    }
    // Where polygons pile up on one another (each one reaching into most quarters), splitting
    // only multiplies the work: union them here instead.
    if (spread > 3 * tile.pieces.size()) return leaf_area(tile);
    double sum = 0;
    for (auto& c : children) sum += area(std::move(c), depth + 1);
    return sum;
  }

  // The tile tree of a zone cut a few levels deep, without measuring: the tasks.
  std::vector<Tile> cut(Tile root, int levels) {
    std::vector<Tile> level{std::move(root)};
    for (int d = 0; d < levels; ++d) {
      std::vector<Tile> next;
      for (auto& t : level) {
        if (t.pieces.size() <= options_.max_polygons_per_tile) {
          next.push_back(std::move(t));
          continue;
        }
        for (const Box2& q : quarters(t.box)) {
          Tile c = child(t, q);
          if (!c.inside && GEOSisEmpty_r(geos_.handle(), c.zone_part.get())) continue;
          next.push_back(std::move(c));
        }
      }
      level = std::move(next);
    }
    return level;
  }

  Tile root(std::size_t zone, const GEOSGeometry* geometry, const Box2& box) {
    Tile t;
    t.zone = zone;
    t.box = box;
    t.zone_part = shared(geos_, GEOSGeom_clone_r(geos_.handle(), geometry), "clone");
    return t;
  }

  std::size_t tiles = 0, clipped = 0;

 private:
  Tile child(const Tile& parent, const Box2& q) {
    Tile c;
    c.zone = parent.zone;
    c.box = q;
    c.inside = parent.inside;
    const GeomPtr rect = rectangle(geos_, q);
    if (!c.inside) {
      c.zone_part = shared(
          geos_, GEOSIntersection_r(geos_.handle(), parent.zone_part.get(), rect.get()), "clip");
      if (area_of(geos_, c.zone_part.get()) >= box_area(q) * (1 - kWholeTile)) {
        c.inside = true;
        c.zone_part.reset();
      }
    }
    for (const Piece& p : parent.pieces) {
      if (!bg::intersects(p.envelope, q)) continue;
      if (p.points > kClipPoints && !bg::within(p.envelope, q)) {
        Piece cp;
        cp.owned =
            shared(geos_, GEOSIntersection_r(geos_.handle(), p.geometry, rect.get()), "clip");
        cp.geometry = cp.owned.get();
        cp.points = static_cast<std::size_t>(GEOSGetNumCoordinates_r(geos_.handle(), cp.geometry));
        if (cp.points == 0) continue;
        double x0, y0, x1, y1;
        GEOSGeom_getXMin_r(geos_.handle(), cp.geometry, &x0);
        GEOSGeom_getYMin_r(geos_.handle(), cp.geometry, &y0);
        GEOSGeom_getXMax_r(geos_.handle(), cp.geometry, &x1);
        GEOSGeom_getYMax_r(geos_.handle(), cp.geometry, &y1);
        cp.envelope = Box2({x0, y0}, {x1, y1});
        ++clipped;
        c.pieces.push_back(std::move(cp));
      } else {
        c.pieces.push_back(p);
      }
    }
    return c;
  }

  // True when one piece alone covers the whole tile, so that the union is the tile. Only
  // pieces whose envelope holds the tile can.
  bool covered(const Tile& tile) {
    GeomPtr rect;
    for (const Piece& p : tile.pieces) {
      if (!bg::covered_by(tile.box, p.envelope)) continue;
      if (!rect) rect = rectangle(geos_, tile.box);
      const char r = GEOSCovers_r(geos_.handle(), p.geometry, rect.get());
      if (r == 2) geos_.check(nullptr, "covers");
      if (r == 1) return true;
    }
    return false;
  }

  double leaf_area(const Tile& tile) {
    ++tiles;
    std::vector<GEOSGeometry*> copies;
    copies.reserve(tile.pieces.size());
    bool all_within = true;
    for (const Piece& p : tile.pieces) {
      copies.push_back(geos_.check(GEOSGeom_clone_r(geos_.handle(), p.geometry), "clone"));
      all_within = all_within && bg::within(p.envelope, tile.box);
    }
    const GeomPtr collection =
        owned(geos_,
              GEOSGeom_createCollection_r(geos_.handle(), GEOS_GEOMETRYCOLLECTION, copies.data(),
                                          static_cast<unsigned>(copies.size())),
              "collection");
    const GeomPtr cover = owned(geos_, GEOSUnaryUnion_r(geos_.handle(), collection.get()), "union");
    if (tile.inside && all_within) return area_of(geos_, cover.get());
    const GeomPtr rect = tile.inside ? rectangle(geos_, tile.box) : GeomPtr(nullptr, {});
    const GeomPtr in_zone =
        owned(geos_,
              GEOSIntersection_r(geos_.handle(), cover.get(),
                                 tile.inside ? rect.get() : tile.zone_part.get()),
              "intersection");
    return area_of(geos_, in_zone.get());
  }

  const ZonalAreaOptions& options_;
  Geos geos_;
};

}  // namespace

ZonalAreaResult union_area_by_zone(const std::vector<MultiPolygon2>& zones,
                                   const std::vector<MultiPolygon2>& polygons,
                                   const ZonalAreaOptions& options) {
  // Every polygon converted once; the workers only read them.
  Geos geos;
  std::vector<GeomPtr> converted;
  converted.reserve(polygons.size());
  using Entry = std::pair<Box2, std::size_t>;
  std::vector<Piece> pieces;
  pieces.reserve(polygons.size());
  std::vector<Entry> entries;
  entries.reserve(polygons.size());
  for (std::size_t i = 0; i < polygons.size(); ++i) {
    converted.push_back(to_geos(geos, polygons[i]));
    Piece p;
    p.geometry = converted.back().get();
    p.points = bg::num_points(polygons[i]);
    if (p.points) {
      bg::envelope(polygons[i], p.envelope);
      entries.emplace_back(p.envelope, i);
      double ignored;  // computes GEOS's cached envelope now, not in two threads at once
      GEOSGeom_getXMin_r(geos.handle(), p.geometry, &ignored);
    }
    pieces.push_back(std::move(p));
  }
  const bgi::rtree<Entry, bgi::rstar<16>> index(entries.begin(), entries.end());

  // Tasks: each zone's tile tree cut 2 levels deep (up to 16 tasks per zone), so that two
  // threads stay busy even when one district holds most of the polygons. The cut does not
  // depend on the thread count, and each task's tiles are summed in a fixed order.
  Worker cutter(options);  // outlives the tasks: their zone parts were made in its context
  std::vector<Tile> tasks;
  {
    for (std::size_t z = 0; z < zones.size(); ++z) {
      if (bg::num_points(zones[z]) == 0) continue;
      const GeomPtr zone = to_geos(geos, zones[z]);
      Tile root = cutter.root(z, zone.get(), bg::return_envelope<Box2>(zones[z]));
      std::vector<Entry> hits;
      index.query(bgi::intersects(root.box), std::back_inserter(hits));
      std::sort(hits.begin(), hits.end(),
                [](const Entry& a, const Entry& b) { return a.second < b.second; });
      for (const auto& h : hits) root.pieces.push_back(pieces[h.second]);
      for (auto& t : cutter.cut(std::move(root), 2)) tasks.push_back(std::move(t));
    }
  }

  std::vector<double> task_area(tasks.size(), 0.0);
  std::vector<std::size_t> task_zone(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) task_zone[i] = tasks[i].zone;
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::exception_ptr failure;
  ZonalAreaResult result;
  result.area.assign(zones.size(), 0.0);
  auto run = [&] {
    Worker w(options);
    try {
      for (std::size_t i = next++; i < tasks.size(); i = next++)
        task_area[i] = w.area(std::move(tasks[i]), /*depth=*/2);
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!failure) failure = std::current_exception();
      next = tasks.size();
    }
    std::lock_guard lock(mutex);
    result.tiles += w.tiles;
    result.clipped += w.clipped;
  };
  unsigned n = options.threads > 0 ? static_cast<unsigned>(options.threads)
                                   : std::max(1u, std::thread::hardware_concurrency());
  n = std::min<unsigned>(n, static_cast<unsigned>(std::max<std::size_t>(1, tasks.size())));
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < n; ++t) threads.emplace_back(run);
  run();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  for (std::size_t i = 0; i < tasks.size(); ++i) result.area[task_zone[i]] += task_area[i];
  return result;
}

}  // namespace strata::spatial
