#pragma once
// Privacy profiles of every export and report (docs/export.md). Party names and identity
// numbers are personal data: only the bureau profile carries them. The other profiles differ in
// what they need: planners see rights and shares by party reference, engineers see pipes but not
// rights, the public sees neither parties nor pipes (critical infrastructure).
#include <optional>
#include <set>
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

// Attribute keys that look like personal data (party_name, 身份證字號, 所有權人, OWNER_NAME, owner,
// Owner Name, ＩＤ_NO, ...): matched after folding case, full-width letters and separators, by
// the words they contain. A safety net under the allow-list, never the rule itself.
bool is_personal_key(std::string_view key);

// Keys strata itself defines, with values it knows are not personal: the canonical fields of
// every kind (name, code, population, zone_class, ...), what it adds (id, type, parent,
// area_m2, length_m, building_no, floor, unit_kind, ...), and any "strata:" key.
bool is_strata_key(std::string_view key);

// What may leave besides strata's own keys.
struct AttributePolicy {
  std::set<std::string> allowed;  // the user's allow-list: exact attribute names
  bool strata_defined = false;    // every top-level field is strata's (result layers it wrote)
};

// Applies the profile to one feature's attributes. The bureau profile keeps everything. Every
// other profile works by allow-list: a top-level key leaves only when strata defines it
// (is_strata_key, or a result layer's field) or the user allowed it, and never when it looks
// personal (is_personal_key); "source_attributes" (the source's own fields) keep only allowed
// members; "rights" leave only with party rights, each with its party reference, type, share
// and dates. Returns the number of values removed; their keys are added to `withheld`.
int scrub(nlohmann::json& attributes, const ProfileRules& rules, const AttributePolicy& policy = {},
          std::set<std::string>* withheld = nullptr);

}  // namespace strata::plugins
