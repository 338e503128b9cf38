// Only the version header: the full Open3D.h costs a minute of compile time per file.
#include <open3d/Open3DConfig.h>

#include "strata/render/library_versions.h"

namespace strata::render {

std::string open3d_version() { return OPEN3D_VERSION; }

}  // namespace strata::render
