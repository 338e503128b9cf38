#include "strata/spatial/pipe_excavation.h"

#include <algorithm>
#include <atomic>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

#include "geos_support.h"
#include "strata/core/parallel.h"

namespace strata::spatial {

const char* dig_status_name(DigStatus status) {
  switch (status) {
    case DigStatus::kHit:
      return "hit";
    case DigStatus::kBelow:
      return "below";
    case DigStatus::kAbove:
      return "above";
  }
  return "?";
}

namespace {

namespace bg = boost::geometry;

struct Bounds {
  double x0, y0, x1, y1;
};

Bounds bounds_of(const std::vector<PipePoint>& line) {
  Bounds b{line.front()[0], line.front()[1], line.front()[0], line.front()[1]};
  for (const auto& p : line) {
    b.x0 = std::min(b.x0, p[0]);
    b.y0 = std::min(b.y0, p[1]);
    b.x1 = std::max(b.x1, p[0]);
    b.y1 = std::max(b.y1, p[1]);
  }
  return b;
}

GeomPtr planar_line(const Geos& geos, const std::vector<PipePoint>& line) {
  std::vector<double> xy;
  xy.reserve(2 * line.size());
  for (const auto& p : line) xy.insert(xy.end(), {p[0], p[1]});
  GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(geos.handle(), xy.data(),
                                                         static_cast<unsigned>(line.size()), 0, 0);
  if (!seq) geos.check(nullptr, "coordinate sequence");
  return owned(geos, GEOSGeom_createLineString_r(geos.handle(), seq), "line string");
}

// A point of the pipe's axis within the zone, with the depth of the pipe's top below it.
struct Station {
  double x, y, z, ground, depth_top;
};

// The pipe's axis height at planar distance s along its centreline (linear between vertices).
class AxisProfile {
 public:
  explicit AxisProfile(const std::vector<PipePoint>& line) : line_(line) {
    run_.push_back(0);
    for (std::size_t i = 1; i < line.size(); ++i)
      run_.push_back(run_.back() +
                     std::hypot(line[i][0] - line[i - 1][0], line[i][1] - line[i - 1][1]));
  }
  double total() const { return run_.back(); }
  double z_at(double s) const {
    auto it = std::upper_bound(run_.begin(), run_.end(), s);
    if (it == run_.begin()) return line_.front()[2];
    if (it == run_.end()) return line_.back()[2];
    const std::size_t i = static_cast<std::size_t>(it - run_.begin()) - 1;
    const double span = run_[i + 1] - run_[i];
    const double t = span > 0 ? (s - run_[i]) / span : 0;
    return line_[i][2] + t * (line_[i + 1][2] - line_[i][2]);
  }

 private:
  const std::vector<PipePoint>& line_;
  std::vector<double> run_;
};

struct PipeVerdict {
  bool ground_known = true;
  double in_zone_m = 0, hit_m = 0;
  std::optional<double> hit_cover_min, hit_cover_max;
  Station shallowest_hit{}, shallowest{}, deepest{};
  bool any = false;
};

void update(PipeVerdict& v, const Station& s) {
  if (!v.any || s.depth_top < v.shallowest.depth_top) v.shallowest = s;
  if (!v.any || s.depth_top > v.deepest.depth_top) v.deepest = s;
  v.any = true;
}

Station between(const Station& a, const Station& b, double t) {
  auto mix = [t](double u, double w) { return u + t * (w - u); };
  return {mix(a.x, b.x), mix(a.y, b.y), mix(a.z, b.z), mix(a.ground, b.ground),
          mix(a.depth_top, b.depth_top)};
}

}  // namespace

ExcavationResult check_excavation(const std::vector<const PipeNetwork*>& networks,
                                  const std::vector<Dig>& digs, const ExcavationOptions& o) {
  ExcavationResult out;
  // The links' planar boxes in one packed R-tree: (network, link) by position.
  namespace bgi = boost::geometry::index;
  using Box = bg::model::box<Point2>;
  std::vector<std::pair<Box, std::pair<std::size_t, std::size_t>>> boxes;
  double max_radius = 0;
  for (std::size_t n = 0; n < networks.size(); ++n)
    for (std::size_t l = 0; l < networks[n]->links.size(); ++l) {
      const auto& link = networks[n]->links[l];
      const Bounds b = bounds_of(link.centreline);
      boxes.push_back({Box(Point2(b.x0, b.y0), Point2(b.x1, b.y1)), {n, l}});
      max_radius = std::max(max_radius, link.diameter_m / 2);
    }
  const bgi::rtree<std::pair<Box, std::pair<std::size_t, std::size_t>>, bgi::rstar<16>> tree(boxes);
  // With a terrain the ground is sampled at least every metre along a pipe in the zone.
  const double step = o.ground.terrain ? 1.0 / o.unit_m : 0;
  // Digs on worker threads, each with its own GEOS context; results kept per dig, so their order
  // does not depend on the threads.
  std::vector<std::vector<ExcavationFinding>> per_dig(digs.size());
  std::vector<std::vector<std::string>> no_ground(digs.size());
  // One GEOS context per worker, made on its first dig.
  const unsigned threads =
      worker_count(o.threads > 0 ? static_cast<unsigned>(o.threads) : 0, digs.size());
  std::vector<std::unique_ptr<Geos>> contexts(threads);
  parallel_for(digs.size(), threads, [&](unsigned worker, std::size_t d) {
    if (!contexts[worker]) contexts[worker] = std::make_unique<Geos>();
    Geos& geos = *contexts[worker];
    const auto h = geos.handle();
    const Dig& dig = digs[d];
    // Unioned first: the footprints of solids come as overlapping or abutting faces.
    GeomPtr outline = owned(geos, GEOSUnaryUnion_r(h, to_geos(geos, dig.outline).get()), "union");
    bg::model::box<Point2> env;
    bg::envelope(dig.outline, env);
    const double reach = (o.buffer_m + max_radius) / o.unit_m;
    std::map<double, GeomPtr> zones;  // the outline widened by margin + radius, per radius
    std::vector<ExcavationFinding> found;
    std::vector<std::pair<Box, std::pair<std::size_t, std::size_t>>> near;
    tree.query(
        bgi::intersects(Box(Point2(env.min_corner().x() - reach, env.min_corner().y() - reach),
                            Point2(env.max_corner().x() + reach, env.max_corner().y() + reach))),
        std::back_inserter(near));
    std::sort(near.begin(), near.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    {  // in network and link order
      for (const auto& [box, index] : near) {
        const auto [n, l] = index;
        const PipeNetwork& net = *networks[n];
        const PipeLink& link = net.links[l];
        const double r = link.diameter_m / 2;
        const double widen = (o.buffer_m + r) / o.unit_m;
        auto& zone = zones[widen];
        if (!zone) zone = owned(geos, GEOSBuffer_r(h, outline.get(), widen, 16), "buffer");
        GeomPtr axis = planar_line(geos, link.centreline);
        GeomPtr inside = owned(geos, GEOSIntersection_r(h, zone.get(), axis.get()), "intersection");
        if (GEOSisEmpty_r(h, inside.get())) continue;
        const AxisProfile profile(link.centreline);
        const double lo = dig.top_m - o.buffer_m - link.diameter_m;  // the pipe's top depth
        const double hi = dig.bottom_m + o.buffer_m;                 // between lo and hi: hit
        PipeVerdict v;
        auto station = [&](double x, double y) -> std::optional<Station> {
          GeomPtr p = owned(geos, GEOSGeom_createPointFromXY_r(h, x, y), "point");
          const double s = GEOSProject_r(h, axis.get(), p.get());
          const double z = profile.z_at(s);
          const double t = profile.total() > 0 ? s / profile.total() : 0;
          auto g = ground_above(net, link, o.ground, t, x, y);
          if (!g) return std::nullopt;
          return Station{x, y, z, *g, *g - z - r};
        };
        const int parts = GEOSGetNumGeometries_r(h, inside.get());
        for (int k = 0; k < parts && v.ground_known; ++k) {
          const GEOSGeometry* part = GEOSGetGeometryN_r(h, inside.get(), k);
          if (GEOSGeomTypeId_r(h, part) != GEOS_LINESTRING) continue;  // a touch at one point
          const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, part);
          unsigned count = 0;
          GEOSCoordSeq_getSize_r(h, seq, &count);
          std::vector<std::pair<double, double>> xy(count);
          for (unsigned i = 0; i < count; ++i)
            GEOSCoordSeq_getXY_r(h, seq, i, &xy[i].first, &xy[i].second);
          std::optional<Station> prev;
          for (unsigned i = 0; i < count; ++i) {
            // Densified where a terrain makes the ground uneven between vertices.
            const int pieces = i == 0 || step <= 0
                                   ? 1
                                   : std::max(1, static_cast<int>(std::ceil(
                                                     std::hypot(xy[i].first - xy[i - 1].first,
                                                                xy[i].second - xy[i - 1].second) /
                                                     step)));
            for (int q = i == 0 ? pieces : 1; q <= pieces; ++q) {
              const double t = static_cast<double>(q) / pieces;
              const double x =
                  i == 0 ? xy[0].first : xy[i - 1].first + t * (xy[i].first - xy[i - 1].first);
              const double y =
                  i == 0 ? xy[0].second : xy[i - 1].second + t * (xy[i].second - xy[i - 1].second);
              auto s = station(x, y);
              if (!s) {
                v.ground_known = false;
                break;
              }
              update(v, *s);
              if (prev) {
                const double len = std::hypot(s->x - prev->x, s->y - prev->y) * o.unit_m;
                v.in_zone_m += len;
                // Depth of the top is linear along the piece: the part within [lo, hi].
                double ta = 0, tb = 1;
                const double d0 = prev->depth_top, d1 = s->depth_top;
                if (d1 != d0) {
                  ta = std::clamp((lo - d0) / (d1 - d0), 0.0, 1.0);
                  tb = std::clamp((hi - d0) / (d1 - d0), 0.0, 1.0);
                  if (ta > tb) std::swap(ta, tb);
                }
                const Station a = between(*prev, *s, ta), c = between(*prev, *s, tb);
                const bool in_range = a.depth_top >= lo - 1e-12 && a.depth_top <= hi + 1e-12 &&
                                      c.depth_top >= lo - 1e-12 && c.depth_top <= hi + 1e-12;
                if (in_range) {
                  v.hit_m += (tb - ta) * len;
                  for (const Station* e : {&a, &c}) {
                    if (!v.hit_cover_min || e->depth_top < *v.hit_cover_min) {
                      v.hit_cover_min = e->depth_top;
                      v.shallowest_hit = *e;
                    }
                    v.hit_cover_max =
                        std::max(v.hit_cover_max.value_or(e->depth_top), e->depth_top);
                  }
                }
              }
              prev = s;
            }
            if (!v.ground_known) break;
          }
        }
        if (!v.ground_known) {
          no_ground[d].push_back(dig.id + ": " + link.id);
          continue;
        }
        if (!v.any) continue;
        ExcavationFinding f;
        f.dig = dig.id;
        f.network = n;
        f.pipe = &link;
        f.length_in_zone_m = v.in_zone_m;
        f.hit_length_m = v.hit_m;
        Station at;
        if (v.hit_cover_min) {
          f.status = DigStatus::kHit;
          f.cover_min_m = *v.hit_cover_min;
          f.cover_max_m = *v.hit_cover_max;
          at = v.shallowest_hit;
        } else {
          f.cover_min_m = v.shallowest.depth_top;
          f.cover_max_m = v.deepest.depth_top;
          if (v.shallowest.depth_top > hi) {
            f.status = DigStatus::kBelow;
            f.gap_m = v.shallowest.depth_top - hi;
            at = v.shallowest;
          } else {
            f.status = DigStatus::kAbove;
            f.gap_m = lo - v.deepest.depth_top;
            at = v.deepest;
          }
        }
        f.location = {at.x, at.y, at.z};
        f.ground_z = at.ground;
        found.push_back(f);
      }
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
      return std::tie(a.status, a.network, a.pipe->id) < std::tie(b.status, b.network, b.pipe->id);
    });
    per_dig[d] = std::move(found);
  });
  for (std::size_t d = 0; d < digs.size(); ++d) {
    out.findings.insert(out.findings.end(), per_dig[d].begin(), per_dig[d].end());
    out.without_ground.insert(out.without_ground.end(), no_ground[d].begin(), no_ground[d].end());
  }
  return out;
}

}  // namespace strata::spatial
