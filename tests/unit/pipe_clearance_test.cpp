#include <gtest/gtest.h>

#include <cmath>

#include "strata/spatial/pipe_clearance.h"

using strata::PipePoint;
using strata::spatial::segment_distance;

namespace {
double distance(const PipePoint& p0, const PipePoint& p1, const PipePoint& q0,
                const PipePoint& q1) {
  PipePoint a, b;
  return segment_distance(p0, p1, q0, q1, a, b);
}
}  // namespace

TEST(SegmentDistance, KnownConfigurations) {
  // Crossing in plan, 0.55 m apart in height: the closest points are above each other.
  PipePoint a, b;
  EXPECT_NEAR(segment_distance({0, 0, -1.1}, {10, 0, -1.1}, {5, -5, -1.65}, {5, 5, -1.65}, a, b),
              0.55, 1e-12);
  EXPECT_NEAR(a[0], 5, 1e-12);
  EXPECT_NEAR(b[1], 0, 1e-12);
  // Parallel, 3 m apart, overlapping in extent.
  EXPECT_NEAR(distance({0, 0, 0}, {10, 0, 0}, {2, 3, 0}, {12, 3, 0}), 3, 1e-12);
  // Collinear, 2 m gap between the ends.
  EXPECT_NEAR(distance({0, 0, 0}, {10, 0, 0}, {12, 0, 0}, {20, 0, 0}), 2, 1e-12);
  // Skew lines whose closest points lie beyond the segments: end to end.
  EXPECT_NEAR(distance({0, 0, 0}, {1, 0, 0}, {3, 4, 0}, {3, 8, 5}), std::hypot(2.0, 4.0), 1e-12);
  // A segment of no length (a pump drawn at one point) against a pipe.
  EXPECT_NEAR(distance({5, 2, 0}, {5, 2, 0}, {0, 0, 0}, {10, 0, 0}), 2, 1e-12);
  EXPECT_NEAR(distance({1, 1, 1}, {1, 1, 1}, {1, 1, 4}, {1, 1, 4}), 3, 1e-12);
  // Symmetric.
  EXPECT_NEAR(distance({0, 0, 0}, {4, 1, 2}, {1, 5, -1}, {3, -2, 0}),
              distance({1, 5, -1}, {3, -2, 0}, {0, 0, 0}, {4, 1, 2}), 1e-12);
}
