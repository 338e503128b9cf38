#include "strata/plugins/privacy.h"

#include <array>

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

bool is_personal_key(std::string_view key) {
  // The registry's own column names (docs/registry.md) and the usual English ones.
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

int scrub(nlohmann::json& attributes, const ProfileRules& rules) {
  int removed = 0;
  if (attributes.is_object()) {
    for (auto it = attributes.begin(); it != attributes.end();) {
      if ((!rules.identities && is_personal_key(it.key())) ||
          (!rules.party_rights && it.key() == "rights")) {
        ++removed;
        it = attributes.erase(it);
      } else {
        removed += scrub(it.value(), rules);
        ++it;
      }
    }
  } else if (attributes.is_array()) {
    for (auto& v : attributes) removed += scrub(v, rules);
  }
  return removed;
}

}  // namespace strata::plugins
