#pragma once
// Shared by the hand-written JSON readers (JSON-FG, tu3djson, registry): reading a whole JSON
// file with file-named errors, and walking nested boundary arrays (solid -> shells -> surfaces).
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "strata/core/city_object.h"
#include "strata/core/error.h"

namespace strata::io::json_document {

// The parsed file. Throws StrataError(kInvalidInputFile) naming the file when it cannot be
// opened or is not JSON.
inline nlohmann::json read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw StrataError(ErrorCode::kInvalidInputFile, path + ": cannot open the file");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw StrataError(ErrorCode::kInvalidInputFile, path + ": not valid JSON (" + e.what() + ")");
  }
}

// A shell from an array of surfaces, each read by `surface_of`.
template <typename SurfaceOf>
Shell3 shell_of(const nlohmann::json& surfaces, SurfaceOf&& surface_of) {
  Shell3 out;
  for (const auto& s : surfaces) out.push_back(surface_of(s));
  return out;
}

// A solid (outer shell, then cavities) from an array of shells.
template <typename SurfaceOf>
std::vector<Shell3> solid_of(const nlohmann::json& shells, SurfaceOf&& surface_of) {
  std::vector<Shell3> out;
  for (const auto& sh : shells) out.push_back(shell_of(sh, surface_of));
  return out;
}

}  // namespace strata::io::json_document
