#pragma once
#include <string>

namespace strata::spatial {
// Version of CGAL this build was compiled against (reported by `strata info --libraries`).
std::string cgal_version();
}  // namespace strata::spatial
