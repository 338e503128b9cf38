#pragma once
// Privacy profiles of every export and report (docs/export.md). Party names and identity
// numbers are personal data: only the bureau profile carries them. The other profiles differ in
// what they need: planners see rights and shares by party reference, engineers see pipes but not
// rights, the public sees neither parties nor pipes (critical infrastructure).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace strata::plugins {

enum class PrivacyProfile { kPublic, kPlanner, kEngineer, kBureau };

std::string_view profile_name(PrivacyProfile profile);  // "public", ...
std::optional<PrivacyProfile> parse_profile(std::string_view text);
const std::vector<std::string>& profile_names();

struct ProfileRules {
  bool identities = false;    // party names and identity numbers
  bool party_rights = false;  // rights (RRR) with their shares and party references
  bool pipes = false;         // pipe networks and pipe findings
};
ProfileRules rules_of(PrivacyProfile profile);

// Attribute keys that hold personal data wherever they appear (party_name,
// party_identity_number, 權利人, 所有權人, 統一編號, 身分證字號, ...): matched exactly.
bool is_personal_key(std::string_view key);

// Removes from `attributes` (recursively) what the profile must not carry: personal keys unless
// the profile has identities; the "rights" member unless it has party rights. Returns the number
// of values removed.
int scrub(nlohmann::json& attributes, const ProfileRules& rules);

}  // namespace strata::plugins
