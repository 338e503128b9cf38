#include "strata/engine/option_schema.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace strata::engine {

std::string_view option_type_name(OptionType type) {
  switch (type) {
    case OptionType::kText:
      return "text";
    case OptionType::kNumber:
      return "number";
    case OptionType::kInteger:
      return "integer";
    case OptionType::kFlag:
      return "flag";
    case OptionType::kList:
      return "list";
  }
  return "text";
}

namespace option_detail {
namespace {

StrataError bad(const std::string& name, const std::string& text, const std::string& expected) {
  return StrataError(ErrorCode::kWrongInputParameters,
                     "--" + name + " takes " + expected + ", not '" + text + "'");
}

}  // namespace

double parse_number(const std::string& name, const std::string& text) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v))
    throw bad(name, text, "a number");
  return v;
}

std::int64_t parse_integer(const std::string& name, const std::string& text) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end) throw bad(name, text, "a whole number");
  return v;
}

bool parse_flag(const std::string& name, const std::string& text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  throw bad(name, text, "true or false");
}

void check_text(OptionCheck check, const std::string& name, const std::string& text) {
  std::error_code ec;
  if (check == OptionCheck::kExistingPath && !std::filesystem::exists(text, ec))
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--" + name + ": " + text + " does not exist");
  if (check == OptionCheck::kExistingFile && !std::filesystem::is_regular_file(text, ec))
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--" + name + ": " + text + " is not a file");
}

void check_number(OptionCheck check, const std::string& name, double value) {
  if (check == OptionCheck::kPositive && !(value > 0))
    throw bad(name, number_text(value), "a number above 0");
  if (check == OptionCheck::kNonNegative && !(value >= 0))
    throw bad(name, number_text(value), "a number of 0 or more");
}

std::string number_text(double value) {
  std::ostringstream s;
  s << value;
  return s.str();
}

std::string canonical_name(std::string key) {
  for (char& c : key)
    if (c == '_') c = '-';
  return key;
}

void throw_unknown(const std::string& where, const std::string& key,
                   const std::vector<std::string>& known) {
  std::string list;
  for (const auto& k : known) {
    std::string underscored = k;
    for (char& c : underscored)
      if (c == '-') c = '_';
    list += (list.empty() ? "" : ", ") + underscored;
  }
  throw StrataError(ErrorCode::kProjectFile,
                    where + ": unknown option '" + key + "' (known: " + list + ")");
}

}  // namespace option_detail
}  // namespace strata::engine
