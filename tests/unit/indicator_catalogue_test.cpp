// The indicator catalogue is the one definition the project file, the computation, the summary
// and the report read: each entry must be complete and consistent on its own, and documented.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "strata/core/indicator_catalogue.h"

namespace strata {
namespace {

std::set<std::string> placeholders(const std::string& pattern) {
  std::set<std::string> out;
  const std::regex name(R"(\{([a-z0-9_]+)\})");
  for (std::sregex_iterator it(pattern.begin(), pattern.end(), name), end; it != end; ++it)
    out.insert((*it)[1]);
  return out;
}

std::set<std::string> columns_of(const Indicator& i) {
  std::set<std::string> out;
  for (const auto& c : i.columns) out.insert(c.key);
  return out;
}

TEST(IndicatorCatalogue, KeysColumnsAndParametersAreUnique) {
  std::set<std::string> keys, columns = {"population", "district_area_m2"}, parameters;
  for (const auto& i : indicators()) {
    EXPECT_TRUE(keys.insert(i.key).second) << i.key;
    for (const auto& c : i.columns) EXPECT_TRUE(columns.insert(c.key).second) << c.key;
    for (const auto& p : i.parameters) {
      EXPECT_TRUE(parameters.insert(p.name).second) << p.name;
      EXPECT_FALSE(keys.count(p.name)) << p.name;
      EXPECT_EQ(indicator_with_parameter(p.name), &i);
    }
    EXPECT_EQ(find_indicator(i.key), &i);
    EXPECT_NE(i.fill, nullptr) << i.key;
    EXPECT_FALSE(i.summary.empty()) << i.key;
    // Layers of a kind, except the legal spaces of `units build --save`.
    EXPECT_EQ(i.layer_kinds.empty(), i.measure == IndicatorMeasure::kUnits) << i.key;
  }
}

TEST(IndicatorCatalogue, SummariesAndDefinitionsNameTheirOwnColumns) {
  for (const auto& i : indicators()) {
    for (const std::string* pattern : {&i.summary, &i.city_summary}) {
      int depth = 0;  // every '{' closed, none nested
      for (char c : *pattern) {
        depth += c == '{' ? 1 : c == '}' ? -1 : 0;
        EXPECT_TRUE(depth == 0 || depth == 1) << i.key << ": " << *pattern;
      }
      EXPECT_EQ(depth, 0) << i.key << ": " << *pattern;
    }
    const auto own = columns_of(i);
    for (const auto& name : placeholders(i.summary))
      EXPECT_TRUE(own.count(name)) << i.key << ": " << name;
    for (const auto& name : placeholders(i.city_summary)) {
      bool parameter = false;
      for (const auto& p : i.parameters) parameter |= p.name == name;
      EXPECT_TRUE(own.count(name) || parameter) << i.key << ": " << name;
    }
    for (const auto& d : i.definitions) {
      EXPECT_TRUE(own.count(d.key)) << i.key << ": " << d.key;
      EXPECT_FALSE(d.name.empty() || d.unit.empty() || d.formula.empty()) << d.key;
    }
  }
}

// What a formula sets, by column.
struct Recorder final : IndicatorRowValues {
  std::map<std::string, std::optional<double>> values;
  void set(std::string_view column, std::optional<double> value) override {
    values[std::string(column)] = value;
  }
};

TEST(IndicatorCatalogue, FormulasSetOnlyTheirColumnsAndNeedAPopulationPerCapita) {
  IndicatorParameters given;
  given["paving_target_m2"].number = 1000.0;
  for (const auto& i : indicators()) {
    const auto own = columns_of(i);
    for (bool with_population : {true, false}) {
      IndicatorInputs in;
      in.measured = 2500;
      in.untitled = 5;
      if (with_population) in.population = 50000;
      in.zone_area_m2 = 1e6;
      in.city = true;
      in.parameters = &given;
      Recorder row;
      i.fill(in, row);
      for (const auto& [key, value] : row.values) {
        EXPECT_TRUE(own.count(key)) << i.key << " sets " << key;
        // A per-capita value is never made up from a missing population.
        if (!with_population && value) {
          for (const auto& d : i.definitions) {
            if (d.key == key) {
              EXPECT_EQ(d.formula.find("population"), std::string::npos)
                  << key << " computed without a population";
            }
          }
        }
      }
    }
  }
}

TEST(IndicatorCatalogue, IsoNumbersNameTheirIndicator) {
  for (const auto& i : indicators())
    for (const auto& n : i.iso) {
      EXPECT_EQ(indicator_named(n.edition + ":" + n.number), &i) << n.number;
      // 2014's 19.x is another theme in ISO 37120:2018: only with its edition.
      if (n.edition == "2014" && n.number.rfind("19.", 0) == 0)
        EXPECT_EQ(indicator_named(n.number), nullptr) << n.number;
      else
        EXPECT_EQ(indicator_named(n.number), &i) << n.number;
      EXPECT_NE(indicator_names_help().find(n.number), std::string::npos);
    }
  EXPECT_EQ(indicator_named("99.9"), nullptr);
}

TEST(IndicatorCatalogue, EveryColumnAndKeyIsDocumented) {
  std::ifstream in(std::string(STRATA_SOURCE_DIR) + "/docs/indicators.md");
  ASSERT_TRUE(in) << "docs/indicators.md";
  std::stringstream doc;
  doc << in.rdbuf();
  for (const auto& i : indicators()) {
    for (const auto& c : i.columns)
      EXPECT_NE(doc.str().find("| `" + c.key + "` |"), std::string::npos)
          << "column " << c.key << " is not in the table of docs/indicators.md";
    EXPECT_NE(doc.str().find("`" + i.key + "`"), std::string::npos) << i.key;
    for (const auto& p : i.parameters)
      EXPECT_NE(doc.str().find(p.name), std::string::npos) << p.name;
  }
}

}  // namespace
}  // namespace strata
