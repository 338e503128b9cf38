#pragma once
#include <string>

namespace strata {
// Versions of the libraries core links (reported by `strata info --libraries`).
std::string proj_version();
std::string boost_version();
}  // namespace strata
