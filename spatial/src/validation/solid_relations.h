#pragma once
// How two valid closed shells relate in space: used for inner shells (4xx), the solids of a
// MultiSolid / CompositeSolid (5xx), building parts (601) and registered units (8xx). Only
// exact predicates and AABB trees in the common path; corefinement only to measure an overlap
// against a tolerance, and Nef polyhedra only for the rare "touching shells" 404 test.
#include <memory>
#include <optional>
#include <vector>

#include "indexed_shell.h"

namespace strata::spatial::validation {

// A valid closed shell, ready for spatial tests (its AABB tree is built once).
class ClosedShell {
 public:
  ClosedShell(const IndexedShell& shell, const std::vector<std::vector<Triangle>>& triangles,
              const VertexPool& pool);
  ~ClosedShell();
  ClosedShell(ClosedShell&&) noexcept;
  ClosedShell& operator=(ClosedShell&&) noexcept;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

struct ShellContact {
  bool identical = false;               // same vertices and same polygons
  int a_inside_b = 0, a_outside_b = 0;  // vertices of a strictly inside / outside b
  int b_inside_a = 0, b_outside_a = 0;
  bool surfaces_cross = false;           // the surfaces pierce each other
  bool faces_overlap = false;            // a polygon of a and one of b share an area
  bool faces_overlap_same_side = false;  // ... with both solids on the same side of it
  bool touch = false;                    // the surfaces meet (at points, lines or areas)
  std::optional<Point3> where;           // a point where they meet or cross
};

ShellContact relate(const ClosedShell& a, const ClosedShell& b);

// Depth of the overlap of two solids: the inradius of their common part (computed by
// corefinement), 0 when they do not overlap. Used only to compare with an overlap tolerance.
double overlap_depth(const ClosedShell& a, const ClosedShell& b);

// Number of connected pieces of the interior of a solid (outer shell minus its cavities); 1 for
// a valid solid. Built with Nef polyhedra: call it only when shells touch.
int interior_pieces(const ClosedShell& outer, const std::vector<const ClosedShell*>& inner);

}  // namespace strata::spatial::validation
