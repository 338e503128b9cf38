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
#include <boost/geometry/algorithms/expand.hpp>
#include <boost/geometry/algorithms/intersects.hpp>
#include <boost/geometry/algorithms/num_points.hpp>
#include <boost/geometry/algorithms/within.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <thread>

#include "geos_support.h"
#include "strata/core/error.h"
#include "strata/core/parallel.h"

namespace strata::spatial {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

// Polygons with more points than this are clipped to the tile when a tile is split, so that a
// large polygon spanning many tiles is not clipped whole again in every one of them.
constexpr std::size_t kClipPoints = 256;
// A tile counts as inside its zone when the zone's part reaches the tile's area up to this
// relative rounding.
constexpr double kWholeTile = 1e-12;
// Piles of polygons are unioned whole only below this depth: higher up, splitting lets tiles
// that one polygon covers settle without any union.
constexpr int kMinDepthForPiles = 8;

// GEOS 3.11 computes a geometry's envelope lazily, ring by ring, on first use, and overlays
// and relates read the holes' envelopes too. A geometry that several threads will read gets
// every envelope computed here, once, by its maker.
void warm(const Geos& geos, const GEOSGeometry* g) {
  const GEOSContextHandle_t h = geos.handle();
  double ignored;
  GEOSGeom_getXMin_r(h, g, &ignored);
  const int n = GEOSGetNumGeometries_r(h, g);
  for (int i = 0; i < n; ++i) {
    const GEOSGeometry* part = GEOSGetGeometryN_r(h, g, i);
    GEOSGeom_getXMin_r(h, part, &ignored);
    if (GEOSGeomTypeId_r(h, part) != GEOS_POLYGON) continue;
    if (const GEOSGeometry* shell = GEOSGetExteriorRing_r(h, part))
      GEOSGeom_getXMin_r(h, shell, &ignored);
    const int holes = GEOSGetNumInteriorRings_r(h, part);
    for (int k = 0; k < holes; ++k)
      if (const GEOSGeometry* hole = GEOSGetInteriorRingN_r(h, part, k))
        GEOSGeom_getXMin_r(h, hole, &ignored);
  }
}

bool nearly_equal(double a, double b, double scale) {
  return std::abs(a - b) <= 1e-9 * scale + 1e-9;
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
  const GEOSGeometry* source = nullptr;  // the original polygon
  SharedGeom owned;                      // set when clipped
  Box2 envelope;
  std::size_t points = 0;
  double area = -1;  // of `geometry`, known for clipped pieces
};

// Box comparisons tolerate the rounding of clipped coordinates (a vertex computed on a tile edge
// may land a unit in the last place off it).
double slack(const Box2& b) {
  return 1e-9 * (b.max_corner().x() - b.min_corner().x() + b.max_corner().y() - b.min_corner().y());
}
bool box_within(const Box2& inner, const Box2& outer, double eps) {
  return inner.min_corner().x() >= outer.min_corner().x() - eps &&
         inner.min_corner().y() >= outer.min_corner().y() - eps &&
         inner.max_corner().x() <= outer.max_corner().x() + eps &&
         inner.max_corner().y() <= outer.max_corner().y() + eps;
}

struct Tile {
  std::size_t zone = 0;
  Box2 box;
  SharedGeom zone_part;                       // the zone clipped to the box (null when inside)
  const GEOSGeometry* zone_source = nullptr;  // the whole zone
  bool inside = false;                        // the box lies entirely in the zone
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
    if (!tile.inside && GEOSisEmpty_r(geos_.handle(), tile.zone_part.get()) == 1) return 0;
    if (covered(tile))
      return tile.inside ? box_area(tile.box) : area_of(geos_, tile.zone_part.get());
    if (tile.pieces.size() <= options_.max_polygons_per_tile || depth >= options_.max_depth)
      return leaf_area(tile);
    std::array<Tile, 4> children = split(tile, /*shared=*/false);
    std::size_t spread = 0;
    for (const auto& c : children) spread += c.pieces.size();
    // Where polygons pile up on one another (each one reaching into most quarters), splitting
    // only multiplies the work: union them here instead.
    if (depth >= kMinDepthForPiles && spread > 3 * tile.pieces.size()) return leaf_area(tile);
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
        for (Tile& c : split(t, /*shared=*/true)) {
          if (!c.inside && GEOSisEmpty_r(geos_.handle(), c.zone_part.get()) == 1) continue;
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
    t.zone_source = geometry;
    return t;
  }

  GeomPtr convert(const MultiPolygon2& mp) {
    GeomPtr g = to_geos(geos_, mp);
    warm(geos_, g.get());
    return g;
  }
  GeomPtr convert(std::span<const unsigned char> wkb) {
    if (!wkb_reader_) wkb_reader_.reset(GEOSWKBReader_create_r(geos_.handle()));
    GEOSGeometry* read =
        GEOSWKBReader_read_r(geos_.handle(), wkb_reader_.get(), wkb.data(), wkb.size());
    // WKB comes from the store: a blob GEOS cannot read is a damaged store, not a bug.
    if (!read)
      throw StrataError(ErrorCode::kStoreError,
                        "a stored geometry is not valid WKB (GEOS: " + geos_.message() + ")");
    GeomPtr g(read, GeomDeleter{geos_.handle()});
    warm(geos_, g.get());
    return g;
  }
  // The extent minus the union of the zones: where polygons lie outside every zone.
  // The union of the parts (GEOS UnaryUnion over a collection that takes them over).
  GeomPtr union_of(std::vector<GeomPtr> parts) {
    std::vector<GEOSGeometry*> members;
    for (auto& p : parts) members.push_back(p.release());
    const GeomPtr collection =
        owned(geos_,
              GEOSGeom_createCollection_r(geos_.handle(), GEOS_GEOMETRYCOLLECTION, members.data(),
                                          static_cast<unsigned>(members.size())),
              "collection");
    return owned(geos_, GEOSUnaryUnion_r(geos_.handle(), collection.get()), "union");
  }

  GeomPtr outside(const std::vector<GeomPtr>& zones, const Box2& extent) {
    std::vector<GeomPtr> copies;
    for (const auto& z : zones)
      copies.push_back(owned(geos_, GEOSGeom_clone_r(geos_.handle(), z.get()), "clone"));
    const GeomPtr u = union_of(std::move(copies));
    const GeomPtr box = rectangle(geos_, extent);
    GeomPtr rest = owned(geos_, GEOSDifference_r(geos_.handle(), box.get(), u.get()), "difference");
    warm(geos_, rest.get());
    return rest;
  }
  double overlap_area(const GEOSGeometry* a, const GEOSGeometry* b) {
    const GeomPtr common = owned(geos_, GEOSIntersection_r(geos_.handle(), a, b), "intersection");
    return area_of(geos_, common.get());
  }
  GEOSContextHandle_t handle() const { return geos_.handle(); }
  double measure(const GEOSGeometry* g) const { return area_of(geos_, g); }
  Box2 envelope(const GEOSGeometry* g) const {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    const GEOSContextHandle_t h = geos_.handle();
    if (!GEOSGeom_getXMin_r(h, g, &x0) || !GEOSGeom_getYMin_r(h, g, &y0) ||
        !GEOSGeom_getXMax_r(h, g, &x1) || !GEOSGeom_getYMax_r(h, g, &y1))
      geos_.check(nullptr, "envelope");
    return Box2({x0, y0}, {x1, y1});
  }

  std::size_t tiles = 0, clipped = 0, fallbacks = 0, reclipped = 0;

 private:
  // GEOS's rectangle clipper (linear time, no noding), or the robust overlay when asked or when
  // the clipper fails.
  SharedGeom clip(const GEOSGeometry* g, const Box2& q, bool robust) {
    GEOSGeometry* out = nullptr;
    if (!robust)
      out = GEOSClipByRect_r(geos_.handle(), g, q.min_corner().x(), q.min_corner().y(),
                             q.max_corner().x(), q.max_corner().y());
    if (!out) {
      const GeomPtr rect = rectangle(geos_, q);
      out = GEOSIntersection_r(geos_.handle(), g, rect.get());
    }
    return shared(geos_, out, "clip");
  }

  // The four quarters of a tile with the zone's part and the pieces clipped to each.
  //
  // The rectangle clipper can return a valid but wrong polygon when the input's boundary runs
  // along the rectangle's sides (GEOS PR #605), which is what clipped parts do. So every clip of
  // something lying in the tile is checked by conservation: the quarters' areas must add up to
  // the whole. When they do not, the four parts are clipped again from the source with the
  // robust overlay.
  //
  // `shared`: the quarters become tasks that other threads may read (warm their envelopes).
  std::array<Tile, 4> split(const Tile& parent, bool shared) {
    const auto q = quarters(parent.box);
    std::array<Tile, 4> c;
    for (int k = 0; k < 4; ++k) {
      c[k].zone = parent.zone;
      c[k].zone_source = parent.zone_source;
      c[k].box = q[k];
      c[k].inside = parent.inside;
    }
    if (!parent.inside) {
      std::array<double, 4> a{};
      double sum = 0;
      for (int k = 0; k < 4; ++k) {
        c[k].zone_part = clip(parent.zone_part.get(), q[k], false);
        sum += a[k] = area_of(geos_, c[k].zone_part.get());
      }
      const double whole = area_of(geos_, parent.zone_part.get());
      if (!nearly_equal(sum, whole, whole)) {
        ++reclipped;
        for (int k = 0; k < 4; ++k) {
          c[k].zone_part = clip(parent.zone_source, q[k], true);
          a[k] = area_of(geos_, c[k].zone_part.get());
        }
      }
      for (int k = 0; k < 4; ++k)
        if (a[k] >= box_area(q[k]) * (1 - kWholeTile)) {
          c[k].inside = true;
          c[k].zone_part.reset();
        }
    }
    const double eps = slack(parent.box);
    for (const Piece& p : parent.pieces) {
      std::array<bool, 4> reach{};
      int reached = 0;
      for (int k = 0; k < 4; ++k) reached += reach[k] = bg::intersects(p.envelope, q[k]);
      const bool whole_in_one = reached == 1 && [&] {
        for (int k = 0; k < 4; ++k)
          if (reach[k]) return bg::within(p.envelope, q[k]);
        return false;
      }();
      if (p.points <= kClipPoints || whole_in_one) {
        for (int k = 0; k < 4; ++k)
          if (reach[k]) c[k].pieces.push_back(p);
        continue;
      }
      // A piece known to lie in the parent tile must be shared out exactly.
      const bool checkable = p.area >= 0 && box_within(p.envelope, parent.box, eps);
      std::array<Piece, 4> parts;
      for (bool robust : {false, true}) {
        double sum = 0;
        for (int k = 0; k < 4; ++k) {
          if (!reach[k]) continue;
          parts[k] = clipped_piece(p, q[k], robust, shared);
          sum += std::max(parts[k].area, 0.0);
        }
        if (robust || !checkable || nearly_equal(sum, p.area, p.area)) break;
        ++reclipped;
      }
      for (int k = 0; k < 4; ++k)
        if (reach[k] && parts[k].points > 0) c[k].pieces.push_back(std::move(parts[k]));
    }
    return c;
  }

  Piece clipped_piece(const Piece& p, const Box2& q, bool robust, bool shared) {
    Piece cp;
    cp.source = p.source;
    cp.owned = clip(robust ? p.source : p.geometry, q, robust);
    cp.geometry = cp.owned.get();
    cp.points = static_cast<std::size_t>(GEOSGetNumCoordinates_r(geos_.handle(), cp.geometry));
    if (cp.points == 0) return cp;
    if (shared) warm(geos_, cp.geometry);  // a task's piece may be read by several threads
    double x0, y0, x1, y1;
    GEOSGeom_getXMin_r(geos_.handle(), cp.geometry, &x0);
    GEOSGeom_getYMin_r(geos_.handle(), cp.geometry, &y0);
    GEOSGeom_getXMax_r(geos_.handle(), cp.geometry, &x1);
    GEOSGeom_getYMax_r(geos_.handle(), cp.geometry, &y1);
    cp.envelope = Box2({x0, y0}, {x1, y1});
    cp.area = area_of(geos_, cp.geometry);
    ++clipped;
    return cp;
  }

  // True when one piece alone covers the whole tile, so that the union is the tile. Only
  // pieces whose envelope holds the tile can.
  bool covered(const Tile& tile) {
    GeomPtr rect;
    const double eps = slack(tile.box), whole = box_area(tile.box);
    for (const Piece& p : tile.pieces) {
      // A clipped piece lying in the tile covers it when it has the tile's area.
      if (p.area >= 0 && box_within(p.envelope, tile.box, eps)) {
        if (p.area >= whole * (1 - 1e-9)) return true;
        continue;
      }
      if (!box_within(tile.box, p.envelope, eps)) continue;
      if (!rect) rect = rectangle(geos_, tile.box);
      // 2 = GEOS could not tell: not covered, the tile is measured the long way.
      if (GEOSCovers_r(geos_.handle(), p.geometry, rect.get()) == 1) return true;
    }
    return false;
  }

  double leaf_area(const Tile& tile) {
    ++tiles;
    try {
      return leaf_area_of(tile, false);
    } catch (const StrataError&) {
      // GEOS's overlay refused a piece the rectangle clipper made: clip the source polygons
      // with the robust overlay instead.
      ++fallbacks;
      return leaf_area_of(tile, true);
    }
  }

  double leaf_area_of(const Tile& tile, bool robust) {
    std::vector<GeomPtr> copies;
    copies.reserve(tile.pieces.size());
    bool all_within = true;
    const GeomPtr box = robust ? rectangle(geos_, tile.box) : GeomPtr(nullptr, {});
    for (const Piece& p : tile.pieces) {
      if (robust && p.owned)
        copies.push_back(
            owned(geos_, GEOSIntersection_r(geos_.handle(), p.source, box.get()), "clip"));
      else
        copies.push_back(owned(geos_, GEOSGeom_clone_r(geos_.handle(), p.geometry), "clone"));
      all_within = all_within && bg::within(p.envelope, tile.box);
    }
    const GeomPtr cover = union_of(std::move(copies));
    if (tile.inside && all_within) return area_of(geos_, cover.get());
    const GeomPtr rect = rectangle(geos_, tile.box);
    GeomPtr robust_zone(nullptr, {});
    if (robust && !tile.inside)
      robust_zone =
          owned(geos_, GEOSIntersection_r(geos_.handle(), tile.zone_source, rect.get()), "clip");
    const GEOSGeometry* zone = tile.inside ? rect.get()
                               : robust    ? robust_zone.get()
                                           : tile.zone_part.get();
    const GeomPtr in_zone =
        owned(geos_, GEOSIntersection_r(geos_.handle(), cover.get(), zone), "intersection");
    return area_of(geos_, in_zone.get());
  }

  const ZonalAreaOptions& options_;
  Geos geos_;
  // Made on first use in this worker's context; destroyed before the context.
  struct WkbReaderDeleter {
    const Geos* geos;
    void operator()(GEOSWKBReader* r) const { GEOSWKBReader_destroy_r(geos->handle(), r); }
  };
  std::unique_ptr<GEOSWKBReader, WkbReaderDeleter> wkb_reader_{nullptr, {&geos_}};
};

}  // namespace

namespace {

// Runs fn(worker, i) for i in [0, n) on `threads` workers (each with its own Worker, so its own
// GEOS context), in any order; the first exception stops the rest and is rethrown.
template <class Fn>
void parallel_for(std::size_t n, unsigned threads, const ZonalAreaOptions& options, Fn fn,
                  std::vector<std::unique_ptr<Worker>>& workers) {
  while (workers.size() < threads) workers.push_back(std::make_unique<Worker>(options));
  strata::parallel_for(n, threads, [&](unsigned w, std::size_t i) { fn(*workers[w], i); });
}

unsigned thread_count(const ZonalAreaOptions& options) {
  return worker_count(options.threads > 0 ? static_cast<unsigned>(options.threads) : 0,
                      static_cast<std::size_t>(-1));
}

}  // namespace

ZonalAreaResult union_area_by_zone(const std::vector<MultiPolygon2>& zones, ZonalPolygons input,
                                   const ZonalAreaOptions& options) {
  const unsigned threads = thread_count(options);
  // Workers outlive every geometry made in their GEOS contexts (they are destroyed last).
  std::vector<std::unique_ptr<Worker>> workers;

  // Every polygon converted once (in parallel); afterwards the workers only read them.
  // Boost polygons first, then the WKB ones (the order only numbers them).
  const std::size_t n = input.size(), boost_count = input.polygons.size();
  std::vector<GeomPtr> converted(n);
  std::vector<Piece> pieces(n);
  parallel_for(
      n, threads, options,
      [&](Worker& w, std::size_t i) {
        converted[i] =
            i < boost_count ? w.convert(input.polygons[i]) : w.convert(input.wkb[i - boost_count]);
        if (i < boost_count) input.polygons[i] = MultiPolygon2();  // GEOS holds it now
        Piece& p = pieces[i];
        p.geometry = p.source = converted[i].get();
        p.points =
            static_cast<std::size_t>(std::max(0, GEOSGetNumCoordinates_r(w.handle(), p.geometry)));
        p.area = w.measure(p.geometry);
        if (p.points) p.envelope = w.envelope(p.geometry);
      },
      workers);
  input = ZonalPolygons();
  using Entry = std::pair<Box2, std::size_t>;
  std::vector<Entry> entries;
  entries.reserve(n);
  for (std::size_t i = 0; i < pieces.size(); ++i)
    if (pieces[i].points) entries.emplace_back(pieces[i].envelope, i);
  const bgi::rtree<Entry, bgi::rstar<16>> index(entries.begin(), entries.end());

  // The zones, and with measure_outside one more: the polygons' extent minus every zone.
  std::vector<GeomPtr> zone_geometries(zones.size());
  std::vector<Box2> zone_boxes(zones.size());
  for (std::size_t z = 0; z < zones.size(); ++z) {
    zone_geometries[z] = workers[0]->convert(zones[z]);
    if (bg::num_points(zones[z])) zone_boxes[z] = bg::return_envelope<Box2>(zones[z]);
  }
  Box2 extent;
  bg::assign_inverse(extent);
  for (const auto& e : entries) bg::expand(extent, e.first);
  if (options.measure_outside && !entries.empty()) {
    zone_geometries.push_back(workers[0]->outside(zone_geometries, extent));
    zone_boxes.push_back(extent);
  }

  // Tasks: each zone's tile tree cut 2 levels deep (up to 16 tasks per zone), so that two
  // threads stay busy even when one district holds most of the polygons. The cut does not
  // depend on the thread count, and each task's tiles are summed in a fixed order.
  std::vector<std::vector<Tile>> cut(zone_geometries.size());
  parallel_for(
      zone_geometries.size(), threads, options,
      [&](Worker& w, std::size_t z) {
        if (GEOSisEmpty_r(w.handle(), zone_geometries[z].get())) return;
        Tile root = w.root(z, zone_geometries[z].get(), zone_boxes[z]);
        std::vector<Entry> hits;
        index.query(bgi::intersects(root.box), std::back_inserter(hits));
        std::sort(hits.begin(), hits.end(),
                  [](const Entry& a, const Entry& b) { return a.second < b.second; });
        for (const auto& h : hits) root.pieces.push_back(pieces[h.second]);
        cut[z] = w.cut(std::move(root), 2);
      },
      workers);
  std::vector<Tile> tasks;
  for (auto& c : cut)
    for (auto& t : c) tasks.push_back(std::move(t));

  std::vector<double> task_area(tasks.size(), 0.0);
  std::vector<std::size_t> task_zone(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) task_zone[i] = tasks[i].zone;
  // Largest tasks first, so that no thread is left with a big one at the end; each result goes
  // to its task's slot, so the order does not change the sums.
  std::vector<std::size_t> order(tasks.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return tasks[a].pieces.size() > tasks[b].pieces.size();
  });
  parallel_for(
      tasks.size(), threads, options,
      [&](Worker& w, std::size_t k) {
        const std::size_t i = order[k];
        task_area[i] = w.area(std::move(tasks[i]), /*depth=*/2);
      },
      workers);

  ZonalAreaResult result;
  result.area.assign(zones.size(), 0.0);
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (task_zone[i] < zones.size())
      result.area[task_zone[i]] += task_area[i];
    else
      result.outside += task_area[i];
  }
  for (const auto& w : workers) {
    result.tiles += w->tiles;
    result.clipped += w->clipped;
    result.fallbacks += w->fallbacks;
    result.reclipped += w->reclipped;
  }
  tasks.clear();  // before the workers whose contexts made their geometries
  cut.clear();
  return result;
}

std::vector<ZoneOverlap> zone_overlaps(const std::vector<MultiPolygon2>& zones, double min_area) {
  Worker w(ZonalAreaOptions{});
  std::vector<GeomPtr> g;
  std::vector<Box2> boxes;
  for (const auto& z : zones) {
    g.push_back(w.convert(z));
    boxes.push_back(bg::num_points(z) ? bg::return_envelope<Box2>(z) : Box2());
  }
  std::vector<ZoneOverlap> out;
  for (std::size_t i = 0; i < zones.size(); ++i)
    for (std::size_t j = i + 1; j < zones.size(); ++j) {
      if (!bg::num_points(zones[i]) || !bg::num_points(zones[j]) ||
          !bg::intersects(boxes[i], boxes[j]))
        continue;
      const double a = w.overlap_area(g[i].get(), g[j].get());
      if (a > min_area) out.push_back({i, j, a});
    }
  return out;
}

}  // namespace strata::spatial
