#pragma once
#include <string>

namespace strata::engine {

// "0.1.0": the version every output records (provenance, summary.json, reports).
std::string version();

}  // namespace strata::engine
