#include <CGAL/version.h>

#include "strata/spatial/library_versions.h"

namespace strata::spatial {

std::string cgal_version() { return CGAL_VERSION_STR; }

}  // namespace strata::spatial
