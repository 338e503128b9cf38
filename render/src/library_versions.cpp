#include "strata/render/library_versions.h"

namespace strata::render {

// The version this build's Open3D module was compiled against (from CMake's find_package).
std::string open3d_version() { return STRATA_OPEN3D_VERSION; }

}  // namespace strata::render
