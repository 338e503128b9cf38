#pragma once
// Line-by-line tokenising shared by the .poly, .off and .obj readers (hand-written: these
// formats are a few lines of whitespace-separated numbers, and the libraries that read them
// triangulate faces and drop holes, which would hide exactly the errors validation reports).
#include <charconv>
#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "strata/core/city_object.h"
#include "strata/core/error.h"

namespace strata::io::mesh_text {

class LineReader {
 public:
  explicit LineReader(const std::string& path) : path_(path), in_(path, std::ios::binary) {
    if (!in_) throw StrataError(ErrorCode::kInvalidInputFile, path + ": cannot open the file");
  }
  // Next non-empty line split into tokens, comments (#) removed; nothing at end of file.
  std::optional<std::vector<std::string>> next() {
    std::string line;
    while (std::getline(in_, line)) {
      ++line_no_;
      if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
      std::vector<std::string> tokens;
      std::istringstream s(line);
      for (std::string t; s >> t;) tokens.push_back(t);
      if (!tokens.empty()) return tokens;
    }
    return std::nullopt;
  }
  std::vector<std::string> expect(const std::string& what) {
    auto t = next();
    if (!t) fail("the file ends where " + what + " was expected");
    return *t;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw StrataError(ErrorCode::kInvalidInputFile,
                      path_ + ":" + std::to_string(line_no_) + ": " + what);
  }
  long long integer(const std::string& token, const std::string& what) const {
    long long v = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
    if (ec != std::errc() || end != token.data() + token.size())
      fail(what + " should be a whole number, found '" + token + "'");
    return v;
  }
  double number(const std::string& token, const std::string& what) const {
    double v = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
    if (ec != std::errc() || end != token.data() + token.size() || !std::isfinite(v))
      fail(what + " should be a finite number, found '" + token + "'");
    return v;
  }
  int line() const { return line_no_; }

 private:
  std::string path_;
  std::ifstream in_;
  int line_no_ = 0;
};

// A mesh file's content as strata's city object: one Solid with one shell.
inline CityObject solid_object(std::string id, Shell3 shell) {
  CityObject object;
  object.id = std::move(id);
  object.type = "GenericCityObject";
  CityGeometry geometry;
  geometry.type = CityGeometryType::kSolid;
  geometry.solids.push_back({std::move(shell)});
  object.geometries.push_back(std::move(geometry));
  return object;
}

inline std::string stem_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  auto dot = name.find('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

}  // namespace strata::io::mesh_text
