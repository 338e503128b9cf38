#include <gtest/gtest.h>

#include <cstdlib>

#include "strata/core/error.h"
#include "strata/io/project_file.h"
#include "test_support.h"

using strata::io::load_project;
using strata::test::scratch_dir;
using strata::test::write_file;

namespace {

// Loads `toml`, expects a project-file error mentioning `line` and `fragment`.
void expect_error(const std::string& toml, int line, const std::string& fragment) {
  auto file = write_file(scratch_dir() / "p.toml", toml);
  try {
    (void)load_project(file);
    ADD_FAILURE() << "loaded a bad project";
  } catch (const strata::StrataError& e) {
    EXPECT_EQ(e.code(), strata::ErrorCode::kProjectFile);
    std::string msg = e.what();
    EXPECT_NE(msg.find("p.toml:" + std::to_string(line) + ":"), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
  }
}

const char* kGood = R"([project]
name = "t"
crs = "EPSG:3826"
store = "out/s.gpkg"
analyses = ["population_by_district"]

[[tables]]
name = "census"
path = "census.csv"
vintage = "2013-03"

[[layers]]
name = "villages"
kind = "village"
path = "v.geojson"
crs = "EPSG:4326"
fields = { name = "VNAME", parent_code = "CPTID" }
[layers.join]
table = "census"
feature_keys = ["TNAME", "VNAME"]
table_keys = ["town", "name"]
fields = { population = ["male", "female"], households = "household" }

[[layers]]
name = "districts"
kind = "district"
path = "d.geojson"
fields = { name = "TNAME", code = "CPTID" }
)";

}  // namespace

TEST(ProjectFile, LoadsACompleteProject) {
  auto dir = scratch_dir();
  auto p = load_project(write_file(dir / "p.toml", kGood));
  EXPECT_EQ(p.name, "t");
  EXPECT_EQ(p.store, (dir / "out/s.gpkg").lexically_normal());
  EXPECT_EQ(p.output, (dir / "output").lexically_normal());
  ASSERT_EQ(p.layers.size(), 2u);
  const auto& l = p.layers[0];
  EXPECT_EQ(l.kind, "village");
  EXPECT_EQ(l.crs.value_or(""), "EPSG:4326");
  EXPECT_EQ(l.line, 12);
  ASSERT_TRUE(l.join.has_value());
  EXPECT_EQ(l.join->fields.at("population"), (std::vector<std::string>{"male", "female"}));
  EXPECT_EQ(p.analyses, std::vector<std::string>{"population_by_district"});
  EXPECT_EQ(p.outputs, std::vector<std::string>{"summary"});
}

TEST(ProjectFile, ExpandsEnvironmentVariablesInPaths) {
  setenv("STRATA_UNIT_DATA", "/data/here", 1);
  std::string toml = std::string(kGood);
  toml.replace(toml.find("v.geojson"), 9, "${STRATA_UNIT_DATA}/v.geojson");
  auto p = load_project(write_file(scratch_dir() / "p.toml", toml));
  EXPECT_EQ(p.layers[0].path, std::filesystem::path("/data/here/v.geojson"));
  toml.replace(toml.find("${STRATA_UNIT_DATA}"), 19, "${STRATA_UNIT_UNSET_VAR}");
  expect_error(toml, 12, "STRATA_UNIT_UNSET_VAR");
}

TEST(ProjectFile, ErrorsPointAtTheLine) {
  expect_error("[project]\nname = \"x\"\nname = \"y\"\n", 3, "not valid TOML");
  expect_error("[project]\nname = \"x\"\nstorr = \"s.gpkg\"\n", 3, "unknown key 'storr'");
  expect_error("[project]\nname = \"x\"\ncrs = \"EPSG:99999999\"\n[[layers]]\n", 3,
               "EPSG:99999999");
  std::string bad_kind = kGood;
  bad_kind.replace(bad_kind.find("kind = \"village\""), 16, "kind = \"vilage\"");
  expect_error(bad_kind, 14, "unknown kind 'vilage'");
  std::string bad_field = kGood;
  bad_field.replace(bad_field.find("parent_code ="), 13, "parent_cod =");
  expect_error(bad_field, 17, "'parent_cod' is not a field of kind 'village'");
  std::string bad_table = kGood;
  bad_table.replace(bad_table.find("table = \"census\""), 16, "table = \"censu\"");
  expect_error(bad_table, 18, "unknown table 'censu'");
  std::string bad_analysis = kGood;
  bad_analysis.replace(bad_analysis.find("population_by_district"), 22, "green_per_100k");
  expect_error(bad_analysis, 5, "unknown analysis 'green_per_100k'");
}

TEST(ProjectFile, AnalysesNeedTheirLayers) {
  std::string no_district = kGood;
  no_district.resize(no_district.find("\n[[layers]]\nname = \"districts\""));
  expect_error(no_district, 5, "population_by_district needs a layer of kind district");
}

TEST(ProjectFile, RequiredFieldsAndNamesAreChecked) {
  std::string no_name = kGood;
  no_name.replace(no_name.find("name = \"VNAME\", "), 16, "");
  expect_error(no_name, 12, "required field 'name'");
  std::string bad_layer = kGood;
  bad_layer.replace(bad_layer.find("name = \"villages\""), 17, "name = \"Villages!\"");
  expect_error(bad_layer, 13, "lower-case");
  expect_error("[project]\nname = \"x\"\n", 1, "no [[layers]]");
}

TEST(ProjectFile, MissingFileIsReported) {
  try {
    (void)load_project(scratch_dir() / "absent.toml");
    ADD_FAILURE();
  } catch (const strata::StrataError& e) {
    EXPECT_NE(std::string(e.what()).find("not found"), std::string::npos) << e.what();
  }
}

TEST(ProjectFile, UnitsAndReportSections) {
  const std::string base = std::string(kGood);
  // kGood has 28 lines: the sections below start at line 29.
  auto p = load_project(write_file(
      scratch_dir() / "p.toml", base + "[units]\nfootprints = \"f.gpkg\"\nregistry = \"r.csv\"\n"
                                       "id_field = \"bid\"\nheight = 9\n"
                                       "[report]\nmaps = \"iso37120_21_1\"\nclasses = \"natural\"\n"
                                       "class_count = 4\nscenes = false\n"));
  ASSERT_TRUE(p.units);
  EXPECT_EQ(p.units->footprints.filename(), "f.gpkg");
  EXPECT_TRUE(p.units->footprints.is_absolute());
  EXPECT_EQ(p.units->options.size(), 2u);
  EXPECT_EQ(p.report.maps, std::vector<std::string>{"iso37120_21_1"});
  EXPECT_EQ(p.report.classes, "natural");
  EXPECT_EQ(p.report.class_count, 4);
  EXPECT_FALSE(p.report.scenes);
  expect_error(base + "[units]\nregistry = \"r.csv\"\n", 29, "needs 'footprints'");
  expect_error(base + "[units]\nfootprints = \"f.gpkg\"\nheigth = 9\n", 31, "unknown key 'heigth'");
  expect_error(base + "[report]\nclasses = \"jenks\"\n", 30, "quantile, natural or equal");
  expect_error(base + "[report]\nclass_count = 12\n", 30, "from 1 to 9");
  expect_error(base + "[report]\nscenes = \"yes\"\n", 30, "true or false");
  std::string units_without_section = base;
  const std::string analyses = "analyses = [\"population_by_district\"]";
  units_without_section.replace(units_without_section.find(analyses), analyses.size(),
                                "analyses = [\"units\"]");
  expect_error(units_without_section, 5, "analysis units needs a [units] section");
}
