// The plugin API's own rules: privacy scrubbing per profile, option checks against a schema,
// registry names and library loading failures.
#include <gtest/gtest.h>

#include "strata/core/error.h"
#include "strata/plugins/registry.h"

namespace strata::plugins {
namespace {

class Dummy : public ExportPlugin {
 public:
  explicit Dummy(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string description() const override { return "test"; }
  std::vector<OptionSpec> options() const override {
    return {{"n", OptionType::kNumber, "1", "a number", {}},
            {"b", OptionType::kBool, "", "a flag", {}},
            {"c", OptionType::kChoice, "x", "a choice", {"x", "y"}}};
  }
  ExportResult run(const ExportRequest&) override { throw std::runtime_error("boom"); }

 private:
  std::string name_;
};

nlohmann::json unit_attributes() {
  return nlohmann::json::parse(R"({
    "building_no": "01001-000",
    "rights": [{"party": "P-1", "share": "1/2", "party_name": "王小明",
                "party_identity_number": "A000000101"}],
    "source_attributes": {"所有權人": "陳美玲", "地號": "0123"}
  })");
}

TEST(Privacy, BureauKeepsEverything) {
  auto a = unit_attributes();
  EXPECT_EQ(scrub(a, rules_of(PrivacyProfile::kBureau)), 0);
  EXPECT_EQ(a, unit_attributes());
}

TEST(Privacy, PlannerKeepsRightsWithoutIdentities) {
  auto a = unit_attributes();
  AttributePolicy allow_parcel_number;
  allow_parcel_number.allowed = {"地號", "所有權人"};  // a personal name is never let out
  EXPECT_EQ(scrub(a, rules_of(PrivacyProfile::kPlanner), allow_parcel_number), 3);
  EXPECT_EQ(a["rights"][0], nlohmann::json({{"party", "P-1"}, {"share", "1/2"}}));
  EXPECT_FALSE(a["source_attributes"].contains("所有權人"));
  EXPECT_EQ(a["source_attributes"]["地號"], "0123");
  // Without the allow-list the source's own fields stay home.
  auto b = unit_attributes();
  std::set<std::string> withheld;
  scrub(b, rules_of(PrivacyProfile::kPlanner), {}, &withheld);
  EXPECT_FALSE(b.contains("source_attributes"));
  EXPECT_TRUE(withheld.count("地號"));
}

// Every variant a registry or a layer can carry, planted at the top level, inside the source's
// attributes and inside rights: none of the values leaves under a non-bureau profile, allowed
// or not; the bureau profile keeps them all.
TEST(Privacy, NonBureauProfilesWorkByAllowList) {
  const std::vector<std::string> variants = {
      "身份證字號",    "身分證字號", "所有權人姓名",  "所有權人",    "權利人",     "OWNER_NAME",
      "owner",         "Owner Name", "ＯＷＮＥＲ",    "owner-name",  "party_name", "PARTY_ID_NO",
      "id_no",         "姓名",       "national_id",   "NationalID",  "統一編號",   "管理者姓名",
      "contact_phone", "e-mail",     "date_of_birth", "passport_no", "full_name",  "Name_of_Owner"};
  nlohmann::json planted = {{"building_no", "01001-000"}, {"strata:height", 12.5}};
  nlohmann::json source = nlohmann::json::object();
  nlohmann::json right = {{"party", "P-1"}, {"share", "1/3"}};
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const std::string value = "SECRET-" + std::to_string(i);
    planted[variants[i]] = value;
    source[variants[i]] = value;
    right[variants[i]] = value;
  }
  planted["source_attributes"] = source;
  planted["rights"] = nlohmann::json::array({right});
  AttributePolicy allow_everything;
  allow_everything.allowed.insert(variants.begin(), variants.end());
  for (auto p : {PrivacyProfile::kPublic, PrivacyProfile::kPlanner, PrivacyProfile::kEngineer}) {
    for (const auto& policy : {AttributePolicy{}, allow_everything}) {
      auto a = planted;
      scrub(a, rules_of(p), policy);
      EXPECT_EQ(a.dump().find("SECRET-"), std::string::npos) << profile_name(p) << ": " << a.dump();
      EXPECT_EQ(a["building_no"], "01001-000");
      EXPECT_EQ(a["strata:height"], 12.5);
    }
  }
  auto bureau = planted;
  EXPECT_EQ(scrub(bureau, rules_of(PrivacyProfile::kBureau), {}), 0);
  EXPECT_EQ(bureau, planted);
}

// An attribute strata does not know leaves only when the user names it.
TEST(Privacy, UnknownAttributesLeaveOnlyWhenAllowed) {
  nlohmann::json a = {{"id", "B1"}, {"roof_colour", "red"}, {"bouwjaar", 1932}};
  AttributePolicy policy;
  policy.allowed = {"bouwjaar"};
  std::set<std::string> withheld;
  EXPECT_EQ(scrub(a, rules_of(PrivacyProfile::kPublic), policy, &withheld), 1);
  EXPECT_EQ(a, nlohmann::json({{"id", "B1"}, {"bouwjaar", 1932}}));
  EXPECT_EQ(withheld, std::set<std::string>({"roof_colour"}));
}

TEST(Privacy, PublicAndEngineerDropRights) {
  for (auto p : {PrivacyProfile::kPublic, PrivacyProfile::kEngineer}) {
    auto a = unit_attributes();
    scrub(a, rules_of(p));
    EXPECT_FALSE(a.contains("rights"));
    EXPECT_EQ(a.dump().find("王小明"), std::string::npos);
  }
  EXPECT_FALSE(rules_of(PrivacyProfile::kPublic).pipes);
  EXPECT_TRUE(rules_of(PrivacyProfile::kEngineer).pipes);
}

TEST(Privacy, ProfileNames) {
  EXPECT_EQ(parse_profile("bureau"), PrivacyProfile::kBureau);
  EXPECT_FALSE(parse_profile("Bureau").has_value());
  EXPECT_EQ(profile_names().size(), 4u);
}

TEST(Options, DefaultsTypesAndChoices) {
  Dummy d("tests.dummy");
  auto o = resolve_options(d, {{"b", "true"}});
  EXPECT_EQ(o.number("n"), 1.0);
  EXPECT_TRUE(o.flag("b"));
  EXPECT_EQ(o.text("c"), "x");
  for (const auto& bad : std::vector<std::map<std::string, std::string>>{
           {{"n", "ten"}}, {{"b", "yes"}}, {{"c", "z"}}, {{"colour", "red"}}}) {
    try {
      resolve_options(d, bad);
      ADD_FAILURE() << "accepted " << bad.begin()->first << "=" << bad.begin()->second;
    } catch (const StrataError& e) {
      EXPECT_EQ(e.code(), ErrorCode::kWrongInputParameters);
      EXPECT_NE(std::string(e.what()).find("tests.dummy"), std::string::npos);
      EXPECT_NE(std::string(e.what()).find(bad.begin()->first), std::string::npos);
    }
  }
}

TEST(Registry, NamesMustBeDottedAndUnique) {
  PluginRegistry r;
  r.add(std::make_unique<Dummy>("writers.x"), "built-in");
  EXPECT_THROW(r.add(std::make_unique<Dummy>("writers.x"), "other"), StrataError);
  EXPECT_THROW(r.add(std::make_unique<Dummy>("nodots"), "other"), StrataError);
  EXPECT_THROW(r.add(std::make_unique<Dummy>("Writers.X"), "other"), StrataError);
  r.add(std::make_unique<Dummy>("writers.3dtiles"), "built-in");
  EXPECT_EQ(r.entries().size(), 2u);
}

TEST(Registry, LoadFailuresAreRecordedNotThrown) {
  PluginRegistry r;
  r.load_library("/nonexistent/plugin.so");
  r.load_directories({"/nonexistent-dir"});
  ASSERT_EQ(r.failures().size(), 2u);
  EXPECT_NE(r.failures()[0].message.find("not loaded"), std::string::npos);
  EXPECT_NE(r.failures()[1].message.find("does not exist"), std::string::npos);
}

TEST(Registry, RunWrapsExceptionsAsPluginFailed) {
  Dummy d("tests.dummy");
  try {
    run_plugin(d, {});
    FAIL();
  } catch (const StrataError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kPluginFailed);
    EXPECT_NE(std::string(e.what()).find("tests.dummy failed: boom"), std::string::npos);
  }
}

TEST(Registry, BuiltinWriters) {
  PluginRegistry r;
  register_builtin_writers(r);
  for (const char* name : {"writers.gpkg", "writers.cityjson", "writers.cityjsonseq",
                           "writers.citygml", "writers.3dtiles", "writers.dxf", "writers.kml"})
    EXPECT_NE(r.find(name), nullptr) << name;
}

}  // namespace
}  // namespace strata::plugins
