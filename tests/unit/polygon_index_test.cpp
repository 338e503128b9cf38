#include <gtest/gtest.h>

#include <boost/geometry/algorithms/covered_by.hpp>
#include <random>

#include "strata/spatial/polygon_index.h"

using strata::Point2;
using strata::Record;

namespace {
Record square(double x, double y, double size, const std::string& id) {
  Record r;
  r.id = id;
  strata::Polygon2 p;
  p.outer() = {{x, y}, {x, y + size}, {x + size, y + size}, {x + size, y}, {x, y}};
  r.geometry.push_back(p);
  return r;
}
}  // namespace

TEST(PolygonIndex, AgreesWithABruteForceScan) {
  std::vector<Record> records;
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> pos(0, 1000), size(1, 80);
  for (int i = 0; i < 500; ++i)
    records.push_back(square(pos(rng), pos(rng), size(rng), std::to_string(i)));
  strata::spatial::PolygonIndex index(records);
  for (int q = 0; q < 2000; ++q) {
    Point2 p(pos(rng), pos(rng));
    std::vector<std::size_t> expected;
    for (std::size_t i = 0; i < records.size(); ++i)
      if (boost::geometry::covered_by(p, records[i].geometry)) expected.push_back(i);
    EXPECT_EQ(index.covering(p), expected);
  }
}

TEST(PolygonIndex, BoundaryPointsAreCovered) {
  strata::spatial::PolygonIndex index({square(0, 0, 10, "a"), square(10, 0, 10, "b")});
  EXPECT_EQ(index.covering(Point2(10, 5)), (std::vector<std::size_t>{0, 1}));
  EXPECT_TRUE(index.covering(Point2(30, 5)).empty());
}
