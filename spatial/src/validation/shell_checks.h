#pragma once
// Shell (3xx) checks: combinatorial (closed, manifold, connected, oriented) on vertex ids, then
// geometric self-intersection on the triangulated faces.
#include <vector>

#include "indexed_shell.h"

namespace strata::spatial::validation {

struct ShellOutcome {
  bool valid = false;
  double signed_volume = 0;  // > 0 when the normals point outwards (closed shells only)
};

// `triangles[f]` is face f triangulated (all faces are valid polygons). `closed` is true for
// the shells of solids; a CompositeSurface need not be closed.
ShellOutcome check_shell(const IndexedShell& shell,
                         const std::vector<std::vector<Triangle>>& triangles,
                         const VertexPool& pool, bool closed, std::vector<LocalFinding>& findings);

}  // namespace strata::spatial::validation
