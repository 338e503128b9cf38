// Vertex snapping on coordinates far outside any CRS (fuzzing found 1e54 reaching the
// validator): the hash grid must neither overflow (undefined behaviour under UBSan) nor merge
// distinct vertices; a unit cube there is still judged as it is near the origin.
#include <gtest/gtest.h>

#include "strata/spatial/geometry_validation.h"

namespace strata::spatial {
namespace {

CityGeometry cube_at(double x0, double size) {
  auto p = [&](double x, double y, double z) { return Point3{x0 + x * size, y * size, z * size}; };
  const Shell3 shell = {
      {{p(0, 0, 0), p(0, 1, 0), p(1, 1, 0), p(1, 0, 0)}},   // bottom, outward (down)
      {{p(0, 0, 1), p(1, 0, 1), p(1, 1, 1), p(0, 1, 1)}},   // top
      {{p(0, 0, 0), p(1, 0, 0), p(1, 0, 1), p(0, 0, 1)}},   // front
      {{p(1, 0, 0), p(1, 1, 0), p(1, 1, 1), p(1, 0, 1)}},   // right
      {{p(1, 1, 0), p(0, 1, 0), p(0, 1, 1), p(1, 1, 1)}},   // back
      {{p(0, 1, 0), p(0, 0, 0), p(0, 0, 1), p(0, 1, 1)}}};  // left
  CityGeometry g;
  g.type = CityGeometryType::kSolid;
  g.lod = "1";
  g.solids = {{shell}};
  return g;
}

TEST(GeometryValidationFar, ACubeFarAwayIsJudgedAsNearTheOrigin) {
  const ValidationTolerances t;
  EXPECT_TRUE(validate_geometry(cube_at(0, 10), t).empty());
  // 1e54 m away, sized so that its vertices stay distinct doubles: the same verdict.
  const double far = 1e54, size = 1e40;
  EXPECT_EQ(validate_geometry(cube_at(far, size), t).size(),
            validate_geometry(cube_at(0, 10), t).size());
  // Beyond every integer grid cell (the cast was undefined there): no crash, a verdict.
  (void)validate_geometry(cube_at(1e300, 1e290), t);
  (void)validate_geometry(cube_at(-1e300, 1e290), t);
}

}  // namespace
}  // namespace strata::spatial
