#include <gtest/gtest.h>

#include "strata/core/error.h"
#include "strata/io/vector_read_cache.h"
#include "strata/io/vector_source.h"
#include "test_support.h"

using namespace strata::io;
using strata::test::scratch_dir;
using strata::test::write_file;

namespace {
std::string error_of(const std::string& path) {
  try {
    auto s = open_vector_source({path, "", {}, ""});
    SourceFeature f;
    while (s->next(f)) {
    }
  } catch (const strata::StrataError& e) {
    EXPECT_EQ(e.code(), strata::ErrorCode::kInvalidInputFile);
    return e.what();
  }
  return {};
}
}  // namespace

TEST(VectorSource, ReadsGeoJsonFieldsCrsAndPolygons) {
  auto path = write_file(scratch_dir() / "a.geojson",
                         strata::test::geojson_3826(strata::test::square_feature(
                             R"({"code":"A1","n":3,"r":1.5})", 300000, 2770000, 10)));
  auto s = open_vector_source({path.string(), "", {}, ""});
  ASSERT_EQ(s->fields().size(), 3u);
  EXPECT_EQ(s->fields()[1].type, strata::FieldType::kInteger);
  ASSERT_TRUE(s->declared_crs());
  EXPECT_EQ(s->declared_crs()->label(), "EPSG:3826");
  EXPECT_FALSE(s->crs_is_format_default());
  SourceFeature f;
  ASSERT_TRUE(s->next(f));
  ASSERT_TRUE(f.polygons);
  EXPECT_EQ(f.polygons->size(), 1u);
  EXPECT_EQ(std::get<std::string>(f.values[0]), "A1");
  EXPECT_FALSE(s->next(f));
}

TEST(VectorSource, GeoJsonWithoutCrsIsMarkedAsFormatDefault) {
  auto path = write_file(
      scratch_dir() / "nocrs.geojson",
      R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[121.5,25.0]}}]})");
  auto s = open_vector_source({path.string(), "", {}, ""});
  EXPECT_TRUE(s->crs_is_format_default());
  SourceFeature f;
  ASSERT_TRUE(s->next(f));
  EXPECT_TRUE(f.has_geometry);
  EXPECT_FALSE(f.polygons);
  EXPECT_EQ(f.geometry_type, "POINT");
}

TEST(VectorSource, CsvWithWktGeometry) {
  auto path =
      write_file(scratch_dir() / "w.csv", "id,WKT\n1,\"POLYGON((0 0,0 1,1 1,1 0,0 0))\"\n2,\n");
  auto s = open_vector_source({path.string(), "", {"GEOM_POSSIBLE_NAMES=WKT"}, ""});
  SourceFeature f;
  ASSERT_TRUE(s->next(f));
  ASSERT_TRUE(f.polygons);
  ASSERT_TRUE(s->next(f));
  EXPECT_FALSE(f.has_geometry);
}

TEST(VectorSource, UnclosedRingIsClosedAndFlagged) {
  auto path = write_file(scratch_dir() / "open.csv", "id,WKT\n1,\"POLYGON((0 0,0 1,1 1,1 0))\"\n");
  auto s = open_vector_source({path.string(), "", {"GEOM_POSSIBLE_NAMES=WKT"}, ""});
  SourceFeature f;
  if (s->next(f) && f.polygons) {
    // GDAL may close the ring itself; either way the ring strata keeps is closed.
    const auto& ring = f.polygons->front().outer();
    EXPECT_EQ(ring.front().x(), ring.back().x());
    EXPECT_EQ(ring.front().y(), ring.back().y());
  }
}

TEST(VectorSource, MalformedFilesGiveClearErrors) {
  auto dir = scratch_dir();
  std::string truncated = strata::test::geojson_3826(strata::test::square_feature("{}", 0, 0, 1));
  truncated.resize(truncated.size() / 2);
  std::string msg = error_of(write_file(dir / "truncated.geojson", truncated).string());
  EXPECT_NE(msg.find("truncated.geojson"), std::string::npos) << msg;
  msg = error_of((dir / "absent.geojson").string());
  EXPECT_NE(msg.find("file not found"), std::string::npos) << msg;
  msg = error_of(write_file(dir / "garbage.geojson", "\x01\x02 this is not geojson").string());
  EXPECT_NE(msg.find("garbage.geojson"), std::string::npos) << msg;
  msg = error_of(write_file(dir / "empty.geojson", "").string());
  EXPECT_NE(msg.find("empty.geojson"), std::string::npos) << msg;
}

TEST(VectorSource, UnknownLayerListsTheLayers) {
  auto path = write_file(scratch_dir() / "a.geojson", strata::test::geojson_3826(""));
  try {
    (void)open_vector_source({path.string(), "nope", {}, ""});
    ADD_FAILURE();
  } catch (const strata::StrataError& e) {
    EXPECT_NE(std::string(e.what()).find("no layer 'nope'"), std::string::npos) << e.what();
  }
}

// In a run (a VectorReadCache in scope) a layer read to its end is parsed once: the second open
// plays it back from memory, the same fields, CRS and features; a changed file is read again;
// without a cache every open reads the file.
TEST(VectorReadCache, ALayerReadTwiceIsParsedOnceUnlessTheFileChanges) {
  auto path = write_file(scratch_dir() / "cached.geojson",
                         strata::test::geojson_3826(strata::test::square_feature(
                             R"({"code":"A1","n":3,"r":1.5})", 300000, 2770000, 10)));
  auto read_all = [&](const std::string& layer = "") {
    auto s = open_vector_source({path.string(), layer, {}, ""});
    std::vector<std::string> codes;
    SourceFeature f;
    while (s->next(f)) codes.push_back(std::get<std::string>(f.values[0]));
    EXPECT_EQ(s->declared_crs()->label(), "EPSG:3826");
    EXPECT_EQ(s->fields().size(), 3u);
    return codes;
  };
  {
    VectorReadCache cache;
    EXPECT_EQ(read_all(), std::vector<std::string>{"A1"});
    EXPECT_EQ(read_all(), std::vector<std::string>{"A1"});
    const auto layer = vector_layer_names(path.string()).at(0);
    EXPECT_EQ(read_all(layer), std::vector<std::string>{"A1"});  // "" and its name: one layer
    EXPECT_EQ(cache.stats().read_from_file, 1);
    EXPECT_EQ(cache.stats().served_from_memory, 2);
    // Rewritten (another size): read from the file again, the new content.
    write_file(path, strata::test::geojson_3826(strata::test::square_feature(
                         R"({"code":"B22","n":3,"r":1.5})", 300000, 2770000, 10)));
    EXPECT_EQ(read_all(), std::vector<std::string>{"B22"});
    EXPECT_EQ(cache.stats().read_from_file, 2);
  }
  EXPECT_EQ(active_vector_read_cache(), nullptr);
}

// The budget: a file that would take the cache past it is read each time.
TEST(VectorReadCache, ABudgetKeepsLargeReadsOut) {
  auto path = write_file(scratch_dir() / "budget.geojson",
                         strata::test::geojson_3826(strata::test::square_feature(
                             R"({"code":"A1","n":3,"r":1.5})", 300000, 2770000, 10)));
  VectorReadCache cache(1 << 20, 10);  // 10 bytes in all: nothing fits
  for (int i = 0; i < 2; ++i) {
    auto s = open_vector_source({path.string(), "", {}, ""});
    SourceFeature f;
    while (s->next(f)) {
    }
  }
  EXPECT_EQ(cache.stats().read_from_file, 2);
  EXPECT_EQ(cache.stats().served_from_memory, 0);
}
