#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "strata/core/error.h"
#include "strata/io/store.h"
#include "test_support.h"

using namespace strata::io;

namespace {

LayerImport make_layer(const std::string& name, int count) {
  LayerImport li;
  li.provenance.layer = name;
  li.provenance.kind = "zoning";
  li.provenance.dataset = "unit-test";
  li.provenance.features_read = count;
  li.provenance.features_imported = count;
  for (int i = 0; i < count; ++i) {
    strata::Record r;
    r.kind = "zoning";
    r.id = name + "-" + std::to_string(i);
    r.fields["zone_code"] = std::string("Z") + std::to_string(i);
    r.fields["far"] = 100.0 + i;
    double x = 300000 + 20.0 * i, y = 2770000;
    strata::Polygon2 p;
    p.outer() = {{x, y}, {x, y + 10}, {x + 10, y + 10}, {x + 10, y}, {x, y}};
    r.geometry.push_back(p);
    r.area_m2 = 100;
    li.records.push_back(std::move(r));
  }
  strata::FeatureIssue issue;
  issue.layer = name;
  issue.status = strata::FeatureStatus::kRejected;
  issue.code = strata::ErrorCode::kNoGeometry;
  issue.message = "feature 99: geometry is null";
  li.issues.push_back(issue);
  return li;
}

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST(GeoPackageStore, WritesAndReadsBackLayersProvenanceAndReport) {
  auto path = strata::test::scratch_dir() / "s.gpkg";
  auto crs = strata::Crs::from_user_input("EPSG:3826");
  {
    auto store = open_geopackage_store(path, crs, true);
    LayerImport li = make_layer("zones", 3);
    store->write_import({{&li}, {}, "{}", {}});
  }
  auto store = open_geopackage_store_readonly(path);
  EXPECT_EQ(store->crs().label(), "EPSG:3826");
  auto layer = store->layer("zones");
  ASSERT_TRUE(layer);
  EXPECT_EQ(layer->feature_count, 3);
  EXPECT_EQ(layer->provenance.kind, "zoning");
  std::vector<strata::Record> records;
  store->for_each_record("zones", std::nullopt, [&](const strata::Record& r) {
    records.push_back(r);
    return true;
  });
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(std::get<std::string>(records[1].fields.at("zone_code")), "Z1");
  EXPECT_EQ(std::get<double>(records[2].fields.at("far")), 102.0);
  EXPECT_EQ(records[0].geometry.front().outer().size(), 5u);
  // A bounding-box read uses the spatial index and returns only what it meets.
  int hits = 0;
  store->for_each_record("zones", strata::Box2({300021, 2770001}, {300022, 2770002}),
                         [&](const strata::Record& r) {
                           EXPECT_EQ(r.id, "zones-1");
                           ++hits;
                           return true;
                         });
  EXPECT_EQ(hits, 1);
  auto issues = store->issues("zones");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].code, strata::ErrorCode::kNoGeometry);
  EXPECT_EQ(store->run_count(), 1);
}

TEST(GeoPackageStore, FailureInTheMiddleLeavesThePreviousStateByteForByte) {
  auto path = strata::test::scratch_dir() / "s.gpkg";
  auto crs = strata::Crs::from_user_input("EPSG:3826");
  {
    auto store = open_geopackage_store(path, crs, true);
    LayerImport li = make_layer("zones", 3);
    store->write_import({{&li}, {}, "{}", {}});
  }
  const std::string before = file_bytes(path);
  {
    auto store = open_geopackage_store(path, crs, false);
    LayerImport replace = make_layer("zones", 50), extra = make_layer("more", 50);
    setenv("STRATA_FAULT_AFTER_WRITES", "60", 1);
    EXPECT_THROW(store->write_import({{&replace, &extra}, {}, "{}", {}}), strata::StrataError);
    unsetenv("STRATA_FAULT_AFTER_WRITES");
    EXPECT_EQ(store->layer("zones")->feature_count, 3);
    EXPECT_FALSE(store->layer("more"));
  }
  EXPECT_EQ(file_bytes(path), before);
}

TEST(GeoPackageStore, RefusesAnotherCrsAndNonStores) {
  auto dir = strata::test::scratch_dir();
  auto path = dir / "s.gpkg";
  (void)open_geopackage_store(path, strata::Crs::from_user_input("EPSG:3826"), true);
  try {
    (void)open_geopackage_store(path, strata::Crs::from_user_input("EPSG:3857"), false);
    ADD_FAILURE();
  } catch (const strata::StrataError& e) {
    EXPECT_EQ(e.code(), strata::ErrorCode::kStoreError);
    EXPECT_NE(std::string(e.what()).find("EPSG:3826"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)open_geopackage_store_readonly(dir / "absent.gpkg"), strata::StrataError);
  strata::test::write_file(dir / "text.gpkg", "not a database");
  EXPECT_THROW((void)open_geopackage_store_readonly(dir / "text.gpkg"), strata::StrataError);
}
