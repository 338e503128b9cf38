#include <gtest/gtest.h>

#include <algorithm>
#include <boost/geometry/algorithms/area.hpp>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/strategies/cartesian/area.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>

#include "strata/spatial/zonal_union_area.h"

namespace bg = boost::geometry;
using strata::MultiPolygon2;
using strata::spatial::union_area_by_zone;

namespace {
struct Rect {
  double x0, y0, x1, y1;
};

MultiPolygon2 polygon(const Rect& r) {
  strata::Polygon2 p;
  p.outer() = {{r.x0, r.y0}, {r.x0, r.y1}, {r.x1, r.y1}, {r.x1, r.y0}, {r.x0, r.y0}};
  return {p};
}

// Exact area of the union of axis-aligned rectangles within a zone rectangle, by coordinate
// compression: every cell of the grid of all edges is either covered or not. Independent of any
// polygon overlay library.
double union_area_in(const std::vector<Rect>& rects, const Rect& zone) {
  std::vector<double> xs = {zone.x0, zone.x1}, ys = {zone.y0, zone.y1};
  for (const auto& r : rects) {
    xs.insert(xs.end(), {std::clamp(r.x0, zone.x0, zone.x1), std::clamp(r.x1, zone.x0, zone.x1)});
    ys.insert(ys.end(), {std::clamp(r.y0, zone.y0, zone.y1), std::clamp(r.y1, zone.y0, zone.y1)});
  }
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  std::sort(ys.begin(), ys.end());
  ys.erase(std::unique(ys.begin(), ys.end()), ys.end());
  double area = 0;
  for (std::size_t i = 0; i + 1 < xs.size(); ++i)
    for (std::size_t j = 0; j + 1 < ys.size(); ++j) {
      const double cx = 0.5 * (xs[i] + xs[i + 1]), cy = 0.5 * (ys[j] + ys[j + 1]);
      for (const auto& r : rects)
        if (r.x0 < cx && cx < r.x1 && r.y0 < cy && cy < r.y1) {
          area += (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j]);
          break;
        }
    }
  return area;
}
}  // namespace

TEST(ZonalUnionArea, OverlapsCountOnceAndOutsideDropsOut) {
  // Two zones side by side; a polygon straddling both, one duplicated, one outside both.
  std::vector<MultiPolygon2> zones = {polygon({0, 0, 10, 10}), polygon({10, 0, 20, 10})};
  std::vector<MultiPolygon2> polygons = {polygon({5, 2, 15, 4}), polygon({5, 2, 15, 4}),
                                         polygon({1, 6, 3, 8}), polygon({30, 30, 40, 40})};
  auto r = union_area_by_zone(zones, {polygons});
  ASSERT_EQ(r.area.size(), 2u);
  EXPECT_NEAR(r.area[0], 10 + 4, 1e-9);
  EXPECT_NEAR(r.area[1], 10, 1e-9);
}

// Many overlapping rectangles, small tiles (deep tile trees, clipping at tile edges, polygons
// sharing collinear edges after clipping): exact agreement with the grid count, for 1 and 2
// threads, and the same result bit for bit whatever the thread count.
TEST(ZonalUnionArea, AgreesWithAnExactCountOnManyOverlappingRectangles) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> pos(0, 1000), size(5, 120);
  std::vector<Rect> rects;
  std::vector<MultiPolygon2> polygons;
  for (int i = 0; i < 300; ++i) {
    const double x = pos(rng), y = pos(rng);
    rects.push_back({x, y, x + size(rng), y + size(rng)});
    polygons.push_back(polygon(rects.back()));
  }
  const std::vector<Rect> zone_rects = {
      {0, 0, 400, 1100}, {400, 0, 1100, 600}, {400, 600, 1100, 1100}};
  std::vector<MultiPolygon2> zones;
  for (const auto& z : zone_rects) zones.push_back(polygon(z));
  std::vector<double> first;
  for (std::size_t max_per_tile : {1000u, 30u, 8u})
    for (int threads : {1, 2}) {
      strata::spatial::ZonalAreaOptions o;
      o.threads = threads;
      o.max_polygons_per_tile = max_per_tile;
      auto r = union_area_by_zone(zones, {polygons}, o);
      for (std::size_t z = 0; z < zones.size(); ++z) {
        const double expected = union_area_in(rects, zone_rects[z]);
        EXPECT_NEAR(r.area[z], expected, 1e-9 * expected)
            << "zone " << z << ", " << max_per_tile << " per tile, " << threads << " threads";
      }
      if (max_per_tile == 8) {
        EXPECT_GT(r.tiles, 10u);
        if (first.empty())
          first = r.area;
        else
          EXPECT_EQ(r.area, first) << "the result depends on the thread count";
      }
    }
}

namespace {
// OGC WKB (little-endian MultiPolygon), written by hand so that the test does not use the code
// it checks: byte order, type 6, part count, then per part type 3, ring count, rings.
void put_u32(std::vector<unsigned char>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<unsigned char>(v >> (8 * i)));
}
void put_f64(std::vector<unsigned char>& out, double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<unsigned char>(bits >> (8 * i)));
}
std::vector<unsigned char> wkb_of(const MultiPolygon2& mp) {
  std::vector<unsigned char> out = {1};
  put_u32(out, 6);
  put_u32(out, static_cast<std::uint32_t>(mp.size()));
  for (const auto& poly : mp) {
    out.push_back(1);
    put_u32(out, 3);
    put_u32(out, static_cast<std::uint32_t>(1 + poly.inners().size()));
    auto ring = [&](const strata::Ring2& r) {
      put_u32(out, static_cast<std::uint32_t>(r.size()));
      for (const auto& p : r) {
        put_f64(out, p.x());
        put_f64(out, p.y());
      }
    };
    ring(poly.outer());
    for (const auto& inner : poly.inners()) ring(inner);
  }
  return out;
}
}  // namespace

// The store's bulk read hands WKB to the kernel: the same polygons as WKB, as Boost polygons,
// or half and half give the same areas, and agree with the exact count.
TEST(ZonalUnionArea, WkbInputGivesTheSameAreas) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> pos(0, 1000), size(5, 150);
  std::vector<Rect> rects;
  std::vector<MultiPolygon2> polygons;
  for (int i = 0; i < 200; ++i) {
    const double x = pos(rng), y = pos(rng);
    rects.push_back({x, y, x + size(rng), y + size(rng)});
    polygons.push_back(polygon(rects.back()));
  }
  const std::vector<Rect> zone_rects = {{0, 0, 500, 1200}, {500, 0, 1200, 1200}};
  std::vector<MultiPolygon2> zones;
  for (const auto& z : zone_rects) zones.push_back(polygon(z));
  strata::spatial::ZonalAreaOptions o;
  o.max_polygons_per_tile = 10;
  o.threads = 2;
  const auto from_boost = union_area_by_zone(zones, {polygons}, o);
  strata::spatial::ZonalPolygons wkb_only, mixed;
  for (std::size_t i = 0; i < polygons.size(); ++i) {
    const auto bytes = wkb_of(polygons[i]);
    wkb_only.wkb.add(bytes.data(), bytes.size());
    if (i % 2)
      mixed.wkb.add(bytes.data(), bytes.size());
    else
      mixed.polygons.push_back(polygons[i]);
  }
  ASSERT_EQ(wkb_only.size(), polygons.size());
  const auto from_wkb = union_area_by_zone(zones, std::move(wkb_only), o);
  const auto from_mixed = union_area_by_zone(zones, std::move(mixed), o);
  for (std::size_t z = 0; z < zones.size(); ++z) {
    const double expected = union_area_in(rects, zone_rects[z]);
    EXPECT_NEAR(from_wkb.area[z], expected, 1e-9 * expected) << "zone " << z;
    EXPECT_NEAR(from_mixed.area[z], expected, 1e-9 * expected) << "zone " << z;
    EXPECT_NEAR(from_boost.area[z], from_wkb.area[z], 1e-9 * expected) << "zone " << z;
  }
}

// A large polygon with many points spanning many tiles (clipped as tiles split): the zones that
// cover it share out exactly its area.
TEST(ZonalUnionArea, ALargePolygonIsSharedOutExactly) {
  strata::Polygon2 circle;
  for (int k = 0; k <= 4000; ++k) {
    const double a = -2 * 3.141592653589793 * k / 4000;
    circle.outer().push_back({500 + 300 * std::cos(a), 500 + 300 * std::sin(a)});
  }
  circle.outer().back() = circle.outer().front();
  std::vector<MultiPolygon2> polygons(40, MultiPolygon2{circle});  // 40 copies: one union
  std::vector<MultiPolygon2> zones = {polygon({0, 0, 400, 1100}), polygon({400, 0, 1100, 600}),
                                      polygon({400, 600, 1100, 1100})};
  strata::spatial::ZonalAreaOptions o;
  o.max_polygons_per_tile = 4;
  auto r = union_area_by_zone(zones, {polygons}, o);
  const double whole = bg::area(circle);
  EXPECT_NEAR(r.area[0] + r.area[1] + r.area[2], whole, 1e-9 * whole);
  // The part left of x = 400 is a circular segment (chord 100 m from the centre); the polygon
  // of 4000 points approximates the circle to well within 1e-5.
  const double segment =
      300.0 * 300.0 * std::acos(100.0 / 300.0) - 100.0 * std::sqrt(300.0 * 300.0 - 100.0 * 100.0);
  EXPECT_NEAR(r.area[0], segment, 1e-5 * segment);
}

namespace {
using Pt = std::pair<double, double>;

// Sutherland–Hodgman: a convex polygon clipped to an axis-aligned rectangle (test reference).
std::vector<Pt> clip_convex(std::vector<Pt> poly, const Rect& r) {
  auto edge = [&](auto inside, auto cross) {
    std::vector<Pt> out;
    for (std::size_t i = 0; i < poly.size(); ++i) {
      const Pt a = poly[i], b = poly[(i + 1) % poly.size()];
      if (inside(b)) {
        if (!inside(a)) out.push_back(cross(a, b));
        out.push_back(b);
      } else if (inside(a)) {
        out.push_back(cross(a, b));
      }
    }
    poly = out;
  };
  auto at_x = [](double x) {
    return [x](Pt a, Pt b) {
      return Pt{x, a.second + (b.second - a.second) * (x - a.first) / (b.first - a.first)};
    };
  };
  auto at_y = [](double y) {
    return [y](Pt a, Pt b) {
      return Pt{a.first + (b.first - a.first) * (y - a.second) / (b.second - a.second), y};
    };
  };
  edge([&](Pt p) { return p.first >= r.x0; }, at_x(r.x0));
  edge([&](Pt p) { return p.first <= r.x1; }, at_x(r.x1));
  edge([&](Pt p) { return p.second >= r.y0; }, at_y(r.y0));
  edge([&](Pt p) { return p.second <= r.y1; }, at_y(r.y1));
  return poly;
}

double shoelace(const std::vector<Pt>& p) {
  double a = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const Pt u = p[i], v = p[(i + 1) % p.size()];
    a += u.first * v.second - v.first * u.second;
  }
  return std::abs(a) / 2;
}
}  // namespace

// Rotated, many-vertex convex polygons (more than the clipping threshold, so tiles clip them
// and then clip the clipped parts again along their edges), each present twice, one per grid
// cell so that distinct ones do not overlap: the union inside each zone is the sum of their
// parts there, computed exactly here by clipping each polygon to the zone.
TEST(ZonalUnionArea, ClippedManyVertexPolygonsAddUpExactly) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> angle(0, 3.141592653589793), radius(20, 45);
  std::vector<std::vector<Pt>> shapes;
  std::vector<MultiPolygon2> polygons;
  for (int i = 0; i < 12; ++i)
    for (int j = 0; j < 12; ++j) {
      const double cx = 50 + 100 * i, cy = 50 + 100 * j, r = radius(rng), a0 = angle(rng);
      std::vector<Pt> shape;
      for (int k = 0; k < 600; ++k) {  // an almost-circle of 600 vertices, clockwise
        const double a = a0 - 2 * 3.141592653589793 * k / 600;
        shape.push_back({cx + r * std::cos(a), cy + r * std::sin(a)});
      }
      strata::Polygon2 p;
      for (const auto& [x, y] : shape) p.outer().push_back({x, y});
      p.outer().push_back(p.outer().front());
      shapes.push_back(shape);
      polygons.push_back({p});
      polygons.push_back({p});
    }
  const std::vector<Rect> zone_rects = {
      {0, 0, 630, 1200}, {630, 0, 1200, 777}, {630, 777, 1200, 1200}};
  std::vector<MultiPolygon2> zones;
  for (const auto& z : zone_rects) zones.push_back(polygon(z));
  strata::spatial::ZonalAreaOptions o;
  o.max_polygons_per_tile = 2;  // deep trees: clipped parts clipped again
  o.threads = 2;
  const auto r = union_area_by_zone(zones, {polygons}, o);
  EXPECT_GT(r.clipped, 100u);
  for (std::size_t z = 0; z < zones.size(); ++z) {
    double expected = 0;
    for (const auto& shape : shapes) expected += shoelace(clip_convex(shape, zone_rects[z]));
    EXPECT_NEAR(r.area[z], expected, 1e-9 * expected) << "zone " << z;
  }
}
