#pragma once
// Helpers for unit tests: a scratch folder per test and small file writers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace strata::test {

inline std::filesystem::path scratch_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::temp_directory_path() / "strata_unit" /
             (std::string(info->test_suite_name()) + "." + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::filesystem::path write_file(const std::filesystem::path& path,
                                        const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  return path;
}

// A GeoJSON FeatureCollection in EPSG:3826 (declared), from "features" JSON text.
inline std::string geojson_3826(const std::string& features) {
  return R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3826"}},"features":[)" +
         features + "]}";
}

// A square feature of side `size` with lower-left corner (x, y) in EPSG:3826 metres.
inline std::string square_feature(const std::string& properties, double x, double y, double size) {
  auto p = [](double a, double b) {
    return "[" + std::to_string(a) + "," + std::to_string(b) + "]";
  };
  return R"({"type":"Feature","properties":)" + properties +
         R"(,"geometry":{"type":"Polygon","coordinates":[[)" + p(x, y) + "," + p(x + size, y) +
         "," + p(x + size, y + size) + "," + p(x, y + size) + "," + p(x, y) + "]]}}";
}

}  // namespace strata::test
