// The engine's option schemas: one definition of each option fills the project file's tables
// and the command line's flags, so their defaults, checks and errors must hold on their own.
#include <gtest/gtest.h>

#include <algorithm>

#include "strata/engine/option_schema.h"
#include "strata/engine/pipe_analyses.h"
#include "strata/engine/units_job.h"
#include "strata/io/project_file.h"

namespace strata::engine {
namespace {

struct Example {
  double margin = 0.5;
  int threads = 0;
  std::string name;
  std::vector<std::string> ids;
  bool all = false;
};

OptionSchema<Example> example_schema() {
  using E = Example;
  return {option<E>(
              "margin", "m", [](E & e) -> auto& { return e.margin; }, OptionCheck::kPositive),
          option<E>(
              "threads", "n", [](E & e) -> auto& { return e.threads; }, OptionCheck::kNonNegative),
          option<E>(
              "name", "t", [](E & e) -> auto& { return e.name; }),
          option<E>(
              "id", "l", [](E & e) -> auto& { return e.ids; }),
          option<E>(
              "all", "f", [](E & e) -> auto& { return e.all; })};
}

TEST(EngineOptions, DefaultsComeFromTheMemberInitialisers) {
  const auto schema = example_schema();
  EXPECT_EQ(schema[0].default_text, "0.5");
  EXPECT_EQ(schema[0].type, OptionType::kNumber);
  EXPECT_EQ(schema[1].default_text, "0");
  EXPECT_EQ(schema[1].type, OptionType::kInteger);
  EXPECT_EQ(schema[3].type, OptionType::kList);
  EXPECT_EQ(schema[4].default_text, "false");
  // The isolation analysis's defaults are spatial::IsolationOptions' own.
  const PipeAnalysis* isolate = find_pipe_analysis("isolate");
  ASSERT_NE(isolate, nullptr);
  auto snap = std::find_if(isolate->options.begin(), isolate->options.end(),
                           [](const OptionInfo& o) { return o.name == "valve-snap"; });
  ASSERT_NE(snap, isolate->options.end());
  EXPECT_EQ(snap->default_text, "1");
}

TEST(EngineOptions, ProjectTablesFillTheSameFields) {
  Example e;
  apply_options(example_schema(),
                {{"margin", "2.25"}, {"threads", "3"}, {"id", "a"}, {"id", "b"}, {"all", "true"}},
                e, "p.toml:4: [x]");
  EXPECT_DOUBLE_EQ(e.margin, 2.25);
  EXPECT_EQ(e.threads, 3);
  EXPECT_EQ(e.ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(e.all);
}

TEST(EngineOptions, MistakesNameTheLineTheOptionAndWhatIsExpected) {
  Example e;
  try {
    apply_options(example_schema(), {{"bogus_key", "1"}}, e, "p.toml:4: [x]");
    FAIL() << "an unknown key must be refused";
  } catch (const StrataError& err) {
    EXPECT_EQ(err.code(), ErrorCode::kProjectFile);
    const std::string m = err.what();
    EXPECT_EQ(m.rfind("p.toml:4: [x]: unknown option 'bogus_key'", 0), 0u) << m;
    EXPECT_NE(m.find("margin, threads, name, id, all"), std::string::npos) << m;
  }
  for (const auto& [key, value, expected] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"margin", "abc", "--margin takes a number, not 'abc'"},
           {"margin", "-1", "--margin takes a number above 0"},
           {"threads", "1.5", "--threads takes a whole number"},
           {"all", "maybe", "--all takes true or false"}}) {
    try {
      apply_options(example_schema(), {{key, value}}, e, "p.toml:9: [y]");
      FAIL() << key << " = " << value << " must be refused";
    } catch (const StrataError& err) {
      EXPECT_EQ(err.code(), ErrorCode::kProjectFile);
      EXPECT_NE(std::string(err.what()).find(expected), std::string::npos) << err.what();
    }
  }
}

TEST(EngineOptions, EveryProjectPipeKindIsARegisteredAnalysis) {
  // io's project-file parser checks the kind names before the engine sees them: both lists
  // must name the same analyses.
  std::vector<std::string> registered;
  for (const auto& a : pipe_analyses()) {
    registered.push_back(a.kind);
    EXPECT_EQ(a.name, "pipes." + a.kind);
    EXPECT_EQ(a.doc, "docs/pipes.md#" + a.kind);
    EXPECT_TRUE(a.make != nullptr);
  }
  auto known = io::known_pipe_analyses();
  std::sort(known.begin(), known.end());
  std::sort(registered.begin(), registered.end());
  EXPECT_EQ(known, registered);
}

TEST(EngineOptions, AJobRefusesToRunWithoutItsRequiredOptions) {
  auto job = find_pipe_analysis("excavation")->make();
  job->inputs().networks.push_back({});
  try {
    job->run();
    FAIL() << "excavation without --dig must be refused";
  } catch (const StrataError& err) {
    EXPECT_EQ(err.code(), ErrorCode::kWrongInputParameters);
    EXPECT_NE(std::string(err.what()).find("--dig is required"), std::string::npos);
  }
  EXPECT_THROW(job->set("no-such-option", "1"), StrataError);
}

TEST(EngineOptions, UnitsOptionsThatExcludeEachOtherAreRefused) {
  UnitsOptions u;
  u.footprints.path = "f.gpkg";
  u.out = "o.city.json";
  u.generate = true;
  u.footprints.height = 9;
  u.footprints.height_field = "h";
  EXPECT_THROW(check_units_options(u), StrataError);
  u.footprints.height_field.clear();
  EXPECT_NO_THROW(check_units_options(u));
  u.profile = "everyone";
  EXPECT_THROW(check_units_options(u), StrataError);
}

}  // namespace
}  // namespace strata::engine

namespace strata::engine {
namespace {

struct Bounds {
  std::vector<double> breaks;
  std::vector<std::string> outs;
};

TEST(EngineOptions, NumberListsTakeCommasAndRepeatsAndAliasesAreDescribed) {
  const OptionSchema<Bounds> schema = {
      option<Bounds>(
          "breaks", "b", [](Bounds & b) -> auto& { return b.breaks; }),
      also(option<Bounds>(
               "out", "o", [](Bounds & b) -> auto& { return b.outs; }),
           {"-o"})};
  Bounds b;
  schema[0].set(b, "10,20.5");
  schema[0].set(b, "50");
  EXPECT_EQ(b.breaks, (std::vector<double>{10, 20.5, 50}));
  try {
    schema[0].set(b, "10,abc");
    FAIL() << "a bad number in a list was taken";
  } catch (const StrataError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kWrongInputParameters);
    EXPECT_NE(std::string(e.what()).find("breaks"), std::string::npos) << e.what();
  }
  const auto info = describe(schema);
  EXPECT_EQ(info[0].type, OptionType::kList);
  EXPECT_EQ(info[1].aliases, (std::vector<std::string>{"-o"}));
}

}  // namespace
}  // namespace strata::engine
