// Overlap depth of two solids by corefinement (CGAL Polygon Mesh Processing). Only called when
// two solids are already known to overlap and a tolerance must be applied.
#include <CGAL/Polygon_mesh_processing/connected_components.h>
#include <CGAL/Polygon_mesh_processing/corefinement.h>
#include <CGAL/Polygon_mesh_processing/measure.h>

#include "closed_shell_impl.h"

namespace strata::spatial::validation {

// val3dity shrinks both solids by the tolerance and tests whether they still overlap; the
// shrunk solids overlap exactly when the common part is thicker than twice the tolerance, i.e.
// when its inradius (the largest ball inside it) exceeds the tolerance. The inradius is taken
// at the common part's volume centroid (exact for boxes and slabs, the usual overlaps); when
// the centroid falls outside a non-convex common part, 2 x volume / area stands in for it.
double overlap_depth(const ClosedShell& a, const ClosedShell& b) {
  namespace PMP = CGAL::Polygon_mesh_processing;
  Mesh first = a.impl().mesh, second = b.impl().mesh, common;
  try {
    if (!PMP::corefine_and_compute_intersection(first, second, common)) return 0;
  } catch (const std::exception&) {
    return 0;  // corefinement refuses some degenerate touching configurations
  }
  if (common.number_of_faces() == 0) return 0;
  std::vector<Mesh> parts;
  PMP::split_connected_components(common, parts);
  double deepest = 0;
  for (const Mesh& part : parts) {
    const double volume = std::abs(CGAL::to_double(PMP::volume(part)));
    const double area = CGAL::to_double(PMP::area(part));
    if (volume <= 0 || area <= 0) continue;
    const Kernel::Point_3 centre = PMP::centroid(part);
    Tree tree(faces(part).first, faces(part).second, part);
    SideOf side(tree);
    const double depth = side(centre) == CGAL::ON_BOUNDED_SIDE
                             ? std::sqrt(CGAL::to_double(tree.squared_distance(centre)))
                             : 2 * volume / area;
    deepest = std::max(deepest, depth);
  }
  return deepest;
}

}  // namespace strata::spatial::validation
