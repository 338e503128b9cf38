#pragma once
// Normalises place names before a join: variant characters (糖蔀 -> 糖廍, 台 -> 臺), full-width
// spaces and surrounding blanks. Used only when an exact match fails, so every match made
// through it can be reported.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {

class NameNormaliser {
 public:
  // Starts with the built-in variants (台 -> 臺, full-width space removed).
  NameNormaliser();
  // Adds a variant -> canonical replacement (whole UTF-8 substrings).
  void add(std::string variant, std::string canonical);
  std::string normalise(std::string_view name) const;
  std::size_t size() const { return replacements_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> replacements_;
};

}  // namespace strata
