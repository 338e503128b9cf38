#pragma once
#include <string>

namespace strata::render {
// Version of Open3D this build links (reported by `strata info --libraries`).
std::string open3d_version();
}  // namespace strata::render
