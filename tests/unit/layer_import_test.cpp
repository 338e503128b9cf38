#include <gtest/gtest.h>

#include "strata/core/error.h"
#include "strata/io/layer_import.h"
#include "test_support.h"

using namespace strata::io;
using strata::test::geojson_3826;
using strata::test::scratch_dir;
using strata::test::square_feature;
using strata::test::write_file;

namespace {

LayerSpec zoning_spec(const std::filesystem::path& path) {
  LayerSpec s;
  s.name = "zones";
  s.kind = "zoning";
  s.path = path;
  s.line = 7;
  s.fields = {{"id", {"oid"}}, {"zone_code", {"code"}}, {"far", {"far"}}};
  return s;
}

const strata::FeatureIssue* find_issue(const LayerImport& li, strata::ErrorCode code) {
  for (const auto& i : li.issues)
    if (i.code == code) return &i;
  return nullptr;
}

}  // namespace

TEST(LayerImport, EveryFeatureIsImportedRepairedOrRejected) {
  const std::string bowtie =
      R"({"type":"Feature","properties":{"oid":"4","code":"C","far":"x"},"geometry":{"type":"Polygon","coordinates":[[[300000,2770000],[300010,2770010],[300010,2770000],[300000,2770010],[300000,2770000]]]}})";
  const std::string null_geom =
      R"({"type":"Feature","properties":{"oid":"5","code":"D","far":200},"geometry":null})";
  const std::string point =
      R"({"type":"Feature","properties":{"oid":"6","code":"E","far":200},"geometry":{"type":"Point","coordinates":[300000,2770000]}})";
  auto path = write_file(
      scratch_dir() / "z.geojson",
      geojson_3826(
          square_feature(R"({"oid":"1","code":"A","far":240})", 300000, 2770000, 10) + "," +
          square_feature(R"({"oid":"1","code":"B","far":240})", 300100, 2770000, 10) + "," +
          square_feature(R"({"oid":"3","code":null,"far":240})", 300200, 2770000, 10) + "," +
          bowtie + "," + null_geom + "," + point));
  auto project_crs = strata::Crs::from_user_input("EPSG:3826");
  LayerImport li = import_layer(zoning_spec(path), project_crs, {}, "p.toml");
  EXPECT_EQ(li.provenance.features_read, 6);
  EXPECT_EQ(li.provenance.features_imported + li.provenance.features_repaired +
                li.provenance.features_rejected,
            6);
  EXPECT_EQ(li.records.size(), 2u);  // the first square and the repaired bow-tie
  EXPECT_EQ(li.provenance.features_repaired, 1);
  EXPECT_TRUE(find_issue(li, strata::ErrorCode::kDuplicateId));
  EXPECT_TRUE(find_issue(li, strata::ErrorCode::kFieldNull));
  EXPECT_TRUE(find_issue(li, strata::ErrorCode::kNoGeometry));
  EXPECT_TRUE(find_issue(li, strata::ErrorCode::kWrongGeometryType));
  const auto* repaired = find_issue(li, strata::ErrorCode::kRingSelfIntersection);
  ASSERT_TRUE(repaired);
  EXPECT_EQ(repaired->status, strata::FeatureStatus::kRepaired);
  EXPECT_FALSE(repaired->method.empty());
  EXPECT_TRUE(repaired->x.has_value());
  const auto* bad_far = find_issue(li, strata::ErrorCode::kFieldType);
  ASSERT_TRUE(bad_far);
  EXPECT_EQ(bad_far->status, strata::FeatureStatus::kWarning);
  EXPECT_EQ(bad_far->field, "far");
  // Areas are computed in the project CRS.
  EXPECT_NEAR(li.records[0].area_m2, 100.0, 1e-6);
  EXPECT_EQ(std::get<double>(li.records[0].fields.at("far")), 240.0);
  EXPECT_NE(li.records[0].attributes_json.find("\"code\":\"A\""), std::string::npos);
}

TEST(LayerImport, MissingMappedFieldFailsTheLayerAndListsFields) {
  auto path = write_file(
      scratch_dir() / "z.geojson",
      geojson_3826(square_feature(R"({"oid":"1","kode":"A","far":1})", 300000, 2770000, 10)));
  try {
    (void)import_layer(zoning_spec(path), strata::Crs::from_user_input("EPSG:3826"), {}, "p.toml");
    ADD_FAILURE();
  } catch (const strata::StrataError& e) {
    EXPECT_EQ(e.code(), strata::ErrorCode::kFieldMissing);
    std::string msg = e.what();
    EXPECT_NE(msg.find("'code'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("kode"), std::string::npos) << msg;
    EXPECT_NE(msg.find("p.toml:7"), std::string::npos) << msg;
  }
}

TEST(LayerImport, LonLatDeclaredAsTm2FailsWithOverrideHint) {
  auto path = write_file(
      scratch_dir() / "z.geojson",
      geojson_3826(square_feature(R"({"oid":"1","code":"A","far":1})", 121.5, 25.0, 0.001)));
  auto spec = zoning_spec(path);
  try {
    (void)import_layer(spec, strata::Crs::from_user_input("EPSG:3826"), {}, "p.toml");
    ADD_FAILURE();
  } catch (const strata::StrataError& e) {
    EXPECT_EQ(e.code(), strata::ErrorCode::kCrsMismatch);
    EXPECT_NE(std::string(e.what()).find("crs = \"EPSG:4326\""), std::string::npos) << e.what();
  }
  spec.crs = "EPSG:4326";
  LayerImport li = import_layer(spec, strata::Crs::from_user_input("EPSG:3826"), {}, "p.toml");
  ASSERT_EQ(li.records.size(), 1u);
  EXPECT_EQ(li.provenance.crs_origin, "override");
  // A 0.001° square at 25°N is about 101 m x 111 m.
  EXPECT_NEAR(li.records[0].area_m2, 101.0 * 110.8, 300.0);
}

TEST(LayerImport, OneStrayFeatureIsRejectedNotTheWholeLayer) {
  std::string features;
  for (int i = 0; i < 60; ++i) {
    features += square_feature(R"({"oid":")" + std::to_string(i) + R"(","code":"A","far":1})",
                               300000 + 50.0 * i, 2770000, 10) +
                ",";
  }
  features += square_feature(R"({"oid":"stray","code":"A","far":1})", 0, 0,
                             10);  // a digitising slip at the origin
  auto path = write_file(scratch_dir() / "z.geojson", geojson_3826(features));
  LayerImport li =
      import_layer(zoning_spec(path), strata::Crs::from_user_input("EPSG:3826"), {}, "p.toml");
  EXPECT_EQ(li.records.size(), 60u);
  const auto* stray = find_issue(li, strata::ErrorCode::kCrsMismatch);
  ASSERT_TRUE(stray);
  EXPECT_EQ(stray->feature_id, "stray");
  EXPECT_EQ(stray->status, strata::FeatureStatus::kRejected);
}

TEST(LayerImport, ALabelThatPutsTheLayerInAnotherRegionFailsTheLayer) {
  // TM2 metres labelled as Web Mercator: valid there, but somewhere off Africa, not in Taiwan.
  std::string fc = square_feature(R"({"oid":"1","code":"A","far":1})", 300000, 2770000, 10);
  std::string text = geojson_3826(fc);
  text.replace(text.find("EPSG::3826"), 10, "EPSG::3857");
  auto path = write_file(scratch_dir() / "z.geojson", text);
  try {
    (void)import_layer(zoning_spec(path), strata::Crs::from_user_input("EPSG:3826"), {}, "p.toml");
    ADD_FAILURE();
  } catch (const strata::StrataError& e) {
    EXPECT_EQ(e.code(), strata::ErrorCode::kCrsMismatch);
    EXPECT_NE(std::string(e.what()).find("crs = \"EPSG:3826\""), std::string::npos) << e.what();
  }
}

TEST(LayerImport, AllFeaturesRejectedFailsTheLayer) {
  auto path = write_file(
      scratch_dir() / "z.geojson",
      geojson_3826(square_feature(R"({"oid":"1","code":null,"far":1})", 300000, 2770000, 10) + "," +
                   square_feature(R"({"oid":"2","code":null,"far":1})", 300100, 2770000, 10)));
  try {
    (void)import_layer(zoning_spec(path), strata::Crs::from_user_input("EPSG:3826"), {}, "p.toml");
    ADD_FAILURE();
  } catch (const strata::StrataError& e) {
    EXPECT_EQ(e.code(), strata::ErrorCode::kFieldNull);
    EXPECT_NE(std::string(e.what()).find("all 2 features were rejected"), std::string::npos)
        << e.what();
  }
}
