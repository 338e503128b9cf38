// Is the interior of a solid with cavities in one piece (val3dity 404)? Nef polyhedra represent
// the non-manifold contacts (shells touching along edges) that surface meshes cannot, so they
// are used here, and only when shells are known to touch: never in the bulk path.
#include <CGAL/Exact_predicates_exact_constructions_kernel.h>
#include <CGAL/Nef_polyhedron_3.h>
#include <CGAL/Polygon_mesh_processing/orientation.h>
#include <CGAL/Polyhedron_3.h>
#include <CGAL/boost/graph/copy_face_graph.h>

#include "closed_shell_impl.h"

namespace strata::spatial::validation {
namespace {

using Exact = CGAL::Exact_predicates_exact_constructions_kernel;
using ExactPolyhedron = CGAL::Polyhedron_3<Exact>;
using Nef = CGAL::Nef_polyhedron_3<Exact>;

Nef to_nef(const ClosedShell& shell) {
  ExactPolyhedron polyhedron;
  CGAL::copy_face_graph(shell.impl().mesh, polyhedron);
  // Cavities come oriented inwards; Nef volumes are read from outward orientation.
  if (!CGAL::Polygon_mesh_processing::is_outward_oriented(polyhedron))
    CGAL::Polygon_mesh_processing::reverse_face_orientations(polyhedron);
  return Nef(polyhedron);
}

}  // namespace

int interior_pieces(const ClosedShell& outer, const std::vector<const ClosedShell*>& inner) {
  Nef solid = to_nef(outer);
  for (const ClosedShell* cavity : inner) solid -= to_nef(*cavity);
  solid.regularization();
  int pieces = 0;
  for (auto volume = solid.volumes_begin(); volume != solid.volumes_end(); ++volume)
    pieces += volume->mark() ? 1 : 0;
  return pieces;
}

}  // namespace strata::spatial::validation
