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

struct Square {
  int x0, y0, size;
};

// The exact length of the union of axis-parallel integer segments inside each square zone, each
// stretch counted in the first zone (list order) whose closed square holds it: unit steps are
// counted one by one by their midpoints. Independent of GEOS.
std::map<int, int> exact_lengths(const std::vector<Segment>& segments,
                                 const std::vector<Square>& zones, int& outside) {
  std::map<std::tuple<bool, int, int>, bool> steps;  // (horizontal, line, start of unit step)
  for (const auto& s : segments)
    for (int k = std::min(s.from, s.to); k < std::max(s.from, s.to); ++k)
      steps[{s.horizontal, s.at, k}] = true;
  std::map<int, int> out;
  outside = 0;
  for (const auto& [key, on] : steps) {
    const auto [horizontal, line, k] = key;
    const double mx = horizontal ? k + 0.5 : line, my = horizontal ? line : k + 0.5;
    int zone = -1;
    for (std::size_t z = 0; z < zones.size() && zone < 0; ++z) {
      const Square& q = zones[z];
      if (mx >= q.x0 && mx <= q.x0 + q.size && my >= q.y0 && my <= q.y0 + q.size)
        zone = static_cast<int>(z);
    }
    if (zone < 0)
      ++outside;
    else
      ++out[zone];
  }
  return out;
}

}  // namespace

// Random axis-parallel segments on integer coordinates, many along the zones' shared boundaries
// and many overlapping one another, in a 3 x 3 grid of square zones; optionally a first zone
// overlapping four of them. The union counts each stretch once, a stretch on a shared boundary
// (or in an overlap) counts in the first zone only, the zones and the outside add up to the
// network, and the result does not depend on the thread count.
void check_against_exact_count(const std::vector<Square>& squares, int count = 400,
                               bool dense = false) {
  std::vector<MultiPolygon2> zones;
  for (const auto& q : squares) zones.push_back(square(q.x0, q.y0, q.size));
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> coord(-5, 35), boundary(0, 3);
  std::vector<Segment> segments;
  std::vector<MultiLinestring2> lines;
  for (int i = 0; i < count; ++i) {
    Segment s{i % 2 == 0, i % 3 == 0 ? 10 * boundary(rng) : coord(rng), coord(rng), coord(rng)};
    if (s.from == s.to) continue;
    segments.push_back(s);
    strata::Linestring2 l;
    // Dense: a vertex at every integer step, so that the union is cut into strips.
    const int step = s.to > s.from ? 1 : -1;
    for (int v = s.from;; v += dense ? step : s.to - s.from) {
      if (s.horizontal)
        l.push_back({double(v), double(s.at)});
      else
        l.push_back({double(s.at), double(v)});
      if (v == s.to) break;
    }
    lines.push_back({l});
  }
  int outside = 0;
  const auto want = exact_lengths(segments, squares, outside);
  const auto one = union_length_by_zone(zones, lines, 1);
  for (std::size_t z = 0; z < squares.size(); ++z) {
    const int zone = static_cast<int>(z);
    EXPECT_NEAR(one.length[z], want.count(zone) ? want.at(zone) : 0, 1e-9) << "zone " << z;
  }
  EXPECT_NEAR(one.outside, outside, 1e-9);
  EXPECT_GT(outside, 0);
  // The zones and what lies outside add up to the network.
  double network = outside;
  for (const auto& [zone, length] : want) network += length;
  double total = one.outside;
  for (double l : one.length) total += l;
  EXPECT_NEAR(total, network, 1e-9);
  for (int threads : {2, 3, 8}) {
    const auto many = union_length_by_zone(zones, lines, threads);
    EXPECT_EQ(many.length, one.length) << threads << " threads";
    EXPECT_EQ(many.outside, one.outside) << threads << " threads";
  }
}

std::vector<Square> grid() {
  std::vector<Square> squares;
  for (int row = 0; row < 3; ++row)
    for (int col = 0; col < 3; ++col) squares.push_back({10 * col, 10 * row, 10});
  return squares;
}

TEST(ZonalCountLength, UnionLengthsAreExact) { check_against_exact_count(grid()); }

TEST(ZonalCountLength, AnOverlappingFirstZoneTakesItsStretches) {
  std::vector<Square> squares = {{5, 5, 10}};
  for (const auto& q : grid()) squares.push_back(q);
  check_against_exact_count(squares);
}

// 3,200 segments with a vertex at every unit step (about 45,000 vertices): the union runs in
// several strips, cut between vertices; the strips still add up exactly.
TEST(ZonalCountLength, AStripedUnionAddsUpExactly) {
  std::vector<Square> squares = {{5, 5, 10}};
  for (const auto& q : grid()) squares.push_back(q);
  check_against_exact_count(squares, 3200, true);
}
