#pragma once
// CGAL side of ClosedShell: a triangle mesh with its AABB tree and point-in-solid oracle.
// Included only by the validation sources that need CGAL's 3D machinery.
#include <CGAL/AABB_face_graph_triangle_primitive.h>
#include <CGAL/AABB_traits.h>
#include <CGAL/AABB_tree.h>
#include <CGAL/Exact_predicates_inexact_constructions_kernel.h>
#include <CGAL/Side_of_triangle_mesh.h>
#include <CGAL/Surface_mesh.h>

#include <memory>
#include <vector>

#include "solid_relations.h"

namespace strata::spatial::validation {

using Kernel = CGAL::Exact_predicates_inexact_constructions_kernel;
using Mesh = CGAL::Surface_mesh<Kernel::Point_3>;
using Primitive = CGAL::AABB_face_graph_triangle_primitive<Mesh>;
using Tree = CGAL::AABB_tree<CGAL::AABB_traits<Kernel, Primitive>>;
using SideOf = CGAL::Side_of_triangle_mesh<Mesh, Kernel>;

struct ClosedShell::Impl {
  Mesh mesh;                                                        // the shell's triangles
  std::vector<int> polygon_of;                                      // mesh face -> polygon index
  std::vector<std::vector<std::vector<Kernel::Point_3>>> polygons;  // rings, for boundary tests
  std::vector<std::array<double, 3>> canonical;  // sorted vertex coordinates (identity test)
  std::unique_ptr<Tree> tree;
  std::unique_ptr<SideOf> side;
  CGAL::Bbox_3 bbox;
};

}  // namespace strata::spatial::validation
