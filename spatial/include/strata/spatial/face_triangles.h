#pragma once
// Triangles of planar 3D faces (with holes) and of pipe tubes, for the mesh writers (3D Tiles)
// and the 3D scenes (render/).
#include <array>
#include <vector>

#include "strata/core/city_object.h"

namespace strata::spatial {

struct Triangle {
  std::array<Point3, 3> corners;
};

// The constrained Delaunay triangulation (GEOS) of a face projected on its best-fitting axis
// plane, lifted back onto the face's plane; wound like the face's outer ring. Degenerate faces
// give nothing.
std::vector<Triangle> triangulate_face(const Surface3& face);

// A tube of `sides` sides around each segment of a polyline (radius in the line's units).
std::vector<Triangle> tube(const std::vector<Point3>& line, double radius, int sides = 8);

}  // namespace strata::spatial
