#include <gtest/gtest.h>

#include <boost/geometry/algorithms/correct.hpp>
#include <boost/geometry/io/wkt/read.hpp>

#include "strata/core/crs.h"
#include "strata/core/geometry_validity.h"
#include "strata/io/geometry_repair.h"

using strata::ErrorCode;
using strata::MultiPolygon2;

namespace {
MultiPolygon2 wkt(const char* text) {
  MultiPolygon2 g;
  boost::geometry::read_wkt(text, g);
  return g;
}
}  // namespace

TEST(GeometryValidity, ValidSquareHasNoProblemAndItsArea) {
  auto g = wkt("MULTIPOLYGON(((0 0,0 10,10 10,10 0,0 0)))");
  EXPECT_FALSE(strata::check_polygonal(g).has_value());
  EXPECT_DOUBLE_EQ(strata::area_m2(g, 1.0), 100.0);
}

TEST(GeometryValidity, BowTieIsARingSelfIntersection) {
  auto g = wkt("MULTIPOLYGON(((0 0,10 10,10 0,0 10,0 0)))");
  auto problem = strata::check_polygonal(g);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->code, ErrorCode::kRingSelfIntersection);
  EXPECT_FALSE(problem->detail.empty());
}

TEST(GeometryValidity, HoleOutsideShellIs206) {
  auto g = wkt("MULTIPOLYGON(((0 0,0 10,10 10,10 0,0 0),(20 20,21 20,21 21,20 21,20 20)))");
  boost::geometry::correct(g);
  auto problem = strata::check_polygonal(g);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->code, ErrorCode::kInnerRingOutside);
}

TEST(GeometryValidity, OverlappingPartsAre201) {
  auto g = wkt("MULTIPOLYGON(((0 0,0 10,10 10,10 0,0 0)),((5 5,5 15,15 15,15 5,5 5)))");
  auto problem = strata::check_polygonal(g);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->code, ErrorCode::kIntersectionRings);
}

TEST(GeometryRepair, BowTieBecomesTwoValidTriangles) {
  auto g = wkt("MULTIPOLYGON(((0 0,10 10,10 0,0 10,0 0)))");
  auto fixed = strata::io::make_valid_polygonal(g);
  ASSERT_TRUE(fixed.has_value());
  EXPECT_FALSE(strata::check_polygonal(fixed->geometry).has_value());
  EXPECT_EQ(fixed->geometry.size(), 2u);
  EXPECT_NEAR(strata::area_m2(fixed->geometry, 1.0), 50.0, 1e-9);
  EXPECT_NE(fixed->method.find("MakeValid"), std::string::npos);
}

TEST(GeometryRepair, OverlappingPartsAreMerged) {
  auto g = wkt("MULTIPOLYGON(((0 0,0 10,10 10,10 0,0 0)),((5 5,5 15,15 15,15 5,5 5)))");
  auto fixed = strata::io::make_valid_polygonal(g);
  ASSERT_TRUE(fixed.has_value());
  EXPECT_FALSE(strata::check_polygonal(fixed->geometry).has_value());
  EXPECT_NEAR(strata::area_m2(fixed->geometry, 1.0), 175.0, 1e-9);
}

TEST(GeometryRepair, CollapsedPolygonGivesNothing) {
  auto g = wkt("MULTIPOLYGON(((0 0,10 0,20 0,0 0)))");
  EXPECT_FALSE(strata::io::make_valid_polygonal(g).has_value());
}

TEST(GeometryValidity, InnerRingCrossingTheOuterIs201) {
  auto g = wkt("MULTIPOLYGON(((0 0,0 10,10 10,10 0,0 0),(5 5,5 15,6 15,6 5,5 5)))");
  boost::geometry::correct(g);
  auto problem = strata::check_polygonal(g);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->code, ErrorCode::kIntersectionRings) << problem->detail;
}

TEST(GeometryValidity, FigureEightWithAHoleIsStill104) {
  auto g = wkt("MULTIPOLYGON(((0 0,0 10,10 0,10 10,0 0)))");
  auto problem = strata::check_polygonal(g);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->code, ErrorCode::kRingSelfIntersection) << problem->detail;
}

// Coordinates in US survey feet: areas and lengths labelled in metres are in metres.
TEST(GeometryValidity, AreaAndLengthInMetresWhateverTheCrsUnit) {
  const double us_foot = *strata::Crs::from_user_input("EPSG:3547").linear_unit_m();
  const MultiPolygon2 g = wkt("MULTIPOLYGON(((0 0,0 100,100 100,100 0,0 0)))");
  EXPECT_NEAR(strata::area_m2(g, us_foot), 10000.0 * us_foot * us_foot, 1e-9);
  strata::MultiLinestring2 l;
  boost::geometry::read_wkt("MULTILINESTRING((0 0,3 4),(10 10,10 20))", l);
  EXPECT_NEAR(strata::length_m(l, us_foot), 15.0 * 1200.0 / 3937.0, 1e-12);
}
