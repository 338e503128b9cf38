#include "strata/plugins/privacy.h"

#include <array>
#include <cctype>
#include <iterator>

#include "strata/core/kind_schema.h"

namespace strata::plugins {

std::string_view profile_name(PrivacyProfile profile) {
  switch (profile) {
    case PrivacyProfile::kPublic:
      return "public";
    case PrivacyProfile::kPlanner:
      return "planner";
    case PrivacyProfile::kEngineer:
      return "engineer";
    case PrivacyProfile::kBureau:
      return "bureau";
  }
  return "public";
}

const std::vector<std::string>& profile_names() {
  static const std::vector<std::string> names = {"public", "planner", "engineer", "bureau"};
  return names;
}

std::optional<PrivacyProfile> parse_profile(std::string_view text) {
  for (auto p : {PrivacyProfile::kPublic, PrivacyProfile::kPlanner, PrivacyProfile::kEngineer,
                 PrivacyProfile::kBureau})
    if (profile_name(p) == text) return p;
  return std::nullopt;
}

ProfileRules rules_of(PrivacyProfile profile) {
  switch (profile) {
    case PrivacyProfile::kPublic:
      return {false, false, false};
    case PrivacyProfile::kPlanner:
      return {false, true, true};
    case PrivacyProfile::kEngineer:
      return {false, false, true};
    case PrivacyProfile::kBureau:
      return {true, true, true};
  }
  return {};
}

namespace {

// Lower-case ASCII, full-width ASCII (Ｏｗｎｅｒ, ＩＤ) folded to ASCII, spaces, "_", "-" and "."
// dropped: "Owner Name", "OWNER_NAME" and "ｏｗｎｅｒ－ｎａｍｅ" all become "ownername".
std::string fold(std::string_view key) {
  std::string out;
  for (std::size_t i = 0; i < key.size();) {
    const auto c = static_cast<unsigned char>(key[i]);
    if (c == 0xEF && i + 2 < key.size()) {
      const auto c1 = static_cast<unsigned char>(key[i + 1]),
                 c2 = static_cast<unsigned char>(key[i + 2]);
      // U+FF01..U+FF5E: full-width forms of ASCII 0x21..0x7E.
      const unsigned code = ((c & 0x0Fu) << 12) | ((c1 & 0x3Fu) << 6) | (c2 & 0x3Fu);
      if (code >= 0xFF01 && code <= 0xFF5E) {
        const char ascii = static_cast<char>(code - 0xFF01 + 0x21);
        if (ascii != '_' && ascii != '-' && ascii != '.')
          out += static_cast<char>(std::tolower(static_cast<unsigned char>(ascii)));
        i += 3;
        continue;
      }
    }
    if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t') {
      ++i;
      continue;
    }
    out += c < 0x80 ? static_cast<char>(std::tolower(c)) : static_cast<char>(c);
    ++i;
  }
  return out;
}

}  // namespace

bool is_personal_key(std::string_view key) {
  const std::string k = fold(key);
  // Words that name a person or identify one, in the registry's Chinese (身分 and the common
  // variant 身份) and in English field names.
  static constexpr std::array<std::string_view, 31> words = {
      "身分",   "身份",   "姓名",     "所有權人", "權利人",   "管理者",     "統一編號", "統編",
      "義務人", "債務人", "抵押權人", "電話",     "出生",     "戶籍",       "owner",    "party",
      "person", "name",   "identity", "idno",     "idnumber", "nationalid", "passport", "birth",
      "phone",  "email",  "mail",     "contact",  "ssn",      "citizen",    "taxid"};
  for (auto w : words)
    if (k.find(w) != std::string::npos) return true;
  return false;
}

bool is_strata_key(std::string_view key) {
  if (key.rfind("strata:", 0) == 0) return true;
  // Canonical fields of the kinds (docs/kinds.md): strata maps source fields onto these.
  for (const auto& kind : all_kinds())
    for (const auto& f : kind.fields)
      if (f.name == key) return true;
  // Fields strata adds to what it exports (model_sources.cpp, units build, buildings extrude).
  // A pipe's "owner" (the utility) is strata's on pipe layers only, which are strata-defined.
  static constexpr std::array<std::string_view, 33> added = {"id",
                                                             "type",
                                                             "parent",
                                                             "area_m2",
                                                             "length_m",
                                                             "repaired",
                                                             "source_attributes",
                                                             "rights",
                                                             "building_no",
                                                             "floor",
                                                             "storey",
                                                             "unit_kind",
                                                             "registered_area_m2",
                                                             "parcels",
                                                             "address",
                                                             "use",
                                                             "network",
                                                             "utility",
                                                             "diameter_m",
                                                             "material",
                                                             "install_year",
                                                             "from_node",
                                                             "to_node",
                                                             "cover_start_m",
                                                             "cover_end_m",
                                                             "invert_start",
                                                             "invert_end",
                                                             "assumed",
                                                             "source",
                                                             "district_id",
                                                             "district_name",
                                                             "village_id",
                                                             "village_name"};
  for (auto k : added)
    if (k == key) return true;
  return false;
}

namespace {

// The personal keys strata's own registry model writes (docs/registry.md): never outside the
// bureau profile, whatever layer carries them.
bool is_registry_personal_key(std::string_view key) {
  static constexpr std::array<std::string_view, 14> keys = {
      "party_name",     "party_identity_number",
      "party_identity", "identity_number",
      "owner_name",     "owner_id",
      "權利人",         "所有權人",
      "統一編號",       "身分證字號",
      "身分證統一編號", "管理者姓名",
      "姓名",           "national_id"};
  for (auto k : keys)
    if (k == key) return true;
  return false;
}

// The members of a right that leave with party rights (the party as a reference only).
bool is_right_key(std::string_view key) {
  for (std::string_view k : {"party", "type", "share", "valid_from", "valid_to", "source"})
    if (k == key) return true;
  return false;
}

int count_values(const nlohmann::json& j) {
  if (!j.is_structured()) return 1;
  int n = 0;
  for (const auto& v : j) n += count_values(v);
  return n == 0 ? 1 : n;
}

// Below an allowed key: personal-looking keys go (a nested structure strata did not define).
int scrub_nested(nlohmann::json& j, std::set<std::string>* withheld) {
  int removed = 0;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end();) {
      if (is_personal_key(it.key())) {
        removed += count_values(it.value());
        if (withheld) withheld->insert(it.key());
        it = j.erase(it);
      } else {
        removed += scrub_nested(it.value(), withheld);
        ++it;
      }
    }
  } else if (j.is_array()) {
    for (auto& v : j) removed += scrub_nested(v, withheld);
  }
  return removed;
}

}  // namespace

int scrub(nlohmann::json& attributes, const ProfileRules& rules, const AttributePolicy& policy,
          std::set<std::string>* withheld) {
  if (rules.identities || !attributes.is_object()) return 0;
  int removed = 0;
  auto drop = [&](nlohmann::json& object, nlohmann::json::iterator it) {
    removed += count_values(it.value());
    if (withheld) withheld->insert(it.key());
    return object.erase(it);
  };
  for (auto it = attributes.begin(); it != attributes.end();) {
    const std::string& key = it.key();
    if (key == "rights") {
      if (!rules.party_rights || !it.value().is_array()) {
        it = drop(attributes, it);
        continue;
      }
      for (auto& right : it.value()) {
        if (!right.is_object()) continue;
        for (auto r = right.begin(); r != right.end();)
          r = is_right_key(r.key()) ? std::next(r) : drop(right, r);
      }
      ++it;
    } else if (key == "source_attributes") {
      // The source's own fields: unknown to strata, so only those the user allowed.
      if (it.value().is_object())
        for (auto m = it.value().begin(); m != it.value().end();)
          m = policy.allowed.count(m.key()) && !is_personal_key(m.key()) ? std::next(m)
                                                                         : drop(it.value(), m);
      if (it.value().empty())
        it = attributes.erase(it);
      else
        ++it;
    } else if (!is_registry_personal_key(key) &&
               (is_strata_key(key) || policy.strata_defined ||
                (policy.allowed.count(key) && !is_personal_key(key)))) {
      // strata's own keys (a district's "name", a utility's "owner") are trusted; a key the
      // user allowed still may not look personal.
      removed += scrub_nested(it.value(), withheld);
      ++it;
    } else {
      it = drop(attributes, it);
    }
  }
  return removed;
}

}  // namespace strata::plugins
