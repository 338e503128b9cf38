#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "strata/spatial/zonal_count_length.h"

using strata::MultiLinestring2;
using strata::MultiPolygon2;
using strata::spatial::union_length_by_zone;

namespace {

MultiPolygon2 square(double x0, double y0, double size) {
  strata::Polygon2 p;
  p.outer() = {{x0, y0}, {x0, y0 + size}, {x0 + size, y0 + size}, {x0 + size, y0}, {x0, y0}};
  return {p};
}

struct Segment {
  bool horizontal;
  int at, from, to;  // the line y = at (or x = at) from `from` to `to`, integers
};

// The exact length of the union of axis-parallel integer segments inside each cell of a grid of
// zones (3 x 3 cells of side 10 from the origin), each stretch on a boundary counted in the first
// zone in row-major order whose closed square holds it: unit steps are counted one by one.
// Independent of GEOS.
std::map<int, int> exact_lengths(const std::vector<Segment>& segments, int& outside) {
  std::map<std::tuple<bool, int, int>, bool> steps;  // (horizontal, line, start of unit step)
  for (const auto& s : segments)
    for (int k = std::min(s.from, s.to); k < std::max(s.from, s.to); ++k)
      steps[{s.horizontal, s.at, k}] = true;
  std::map<int, int> out;
  outside = 0;
  for (const auto& [key, on] : steps) {
    const auto [horizontal, line, k] = key;
    // The unit step's midpoint, and whether it lies in zone (row, col) with boundaries closed.
    const double mx = horizontal ? k + 0.5 : line, my = horizontal ? line : k + 0.5;
    int zone = -1;
    for (int row = 0; row < 3 && zone < 0; ++row)
      for (int col = 0; col < 3 && zone < 0; ++col)
        if (mx >= 10 * col && mx <= 10 * col + 10 && my >= 10 * row && my <= 10 * row + 10)
          zone = 3 * row + col;
    if (zone < 0)
      ++outside;
    else
      ++out[zone];
  }
  return out;
}

}  // namespace

// Random axis-parallel segments on integer coordinates, many along the zones' shared boundaries
// and many overlapping one another: the union counts each stretch once, a stretch on a shared
// boundary counts in the first zone only, and the result does not depend on the thread count.
TEST(ZonalCountLength, UnionLengthsAreExactAndIndependentOfThreads) {
  std::vector<MultiPolygon2> zones;
  for (int row = 0; row < 3; ++row)
    for (int col = 0; col < 3; ++col) zones.push_back(square(10 * col, 10 * row, 10));
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> coord(-5, 35), boundary(0, 3);
  std::vector<Segment> segments;
  std::vector<MultiLinestring2> lines;
  for (int i = 0; i < 400; ++i) {
    Segment s{i % 2 == 0, i % 3 == 0 ? 10 * boundary(rng) : coord(rng), coord(rng), coord(rng)};
    if (s.from == s.to) continue;
    segments.push_back(s);
    strata::Linestring2 l;
    if (s.horizontal)
      l = {{double(s.from), double(s.at)}, {double(s.to), double(s.at)}};
    else
      l = {{double(s.at), double(s.from)}, {double(s.at), double(s.to)}};
    lines.push_back({l});
  }
  int outside = 0;
  const auto want = exact_lengths(segments, outside);
  const auto one = union_length_by_zone(zones, lines, 1);
  for (int z = 0; z < 9; ++z)
    EXPECT_NEAR(one.length[z], want.count(z) ? want.at(z) : 0, 1e-9) << "zone " << z;
  EXPECT_NEAR(one.outside, outside, 1e-9);
  EXPECT_GT(outside, 0);
  for (int threads : {2, 3, 8}) {
    const auto many = union_length_by_zone(zones, lines, threads);
    EXPECT_EQ(many.length, one.length) << threads << " threads";
    EXPECT_EQ(many.outside, one.outside) << threads << " threads";
  }
}
