#pragma once
// One definition of each option of a job: its name, help, type, default and check. The project
// file fills a job's options from its table with apply_options; the command line binds the same
// specs to its flags (apps/strata/option_binding.h). Neither can drift from the other.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "strata/core/error.h"

namespace strata::engine {

enum class OptionType { kText, kNumber, kInteger, kFlag, kList };
// Checks beyond the type. A path check runs where the value is given (command line or project
// file), so a mistyped file name is reported before anything is imported.
enum class OptionCheck { kNone, kExistingPath, kExistingFile, kPositive, kNonNegative };

std::string_view option_type_name(OptionType type);  // "text", "number", ...

template <class T>
struct OptionSpec {
  std::string name;  // "valve-snap": --valve-snap on the command line, valve_snap in a project
  std::string help;
  OptionType type = OptionType::kText;
  OptionCheck check = OptionCheck::kNone;
  std::string default_text;  // the member's initial value as a user writes it; "" when none
  bool required = false;
  // Other spellings on the command line: "-o", "--color-by".
  std::vector<std::string> aliases;
  // Parses, checks and assigns `text` (a list appends it). Throws StrataError(903) that names
  // the option and what it expects.
  std::function<void(T&, const std::string&)> set;
};

template <class T>
using OptionSchema = std::vector<OptionSpec<T>>;

// What a schema says without its setters: for help, docs, Python and the QGIS provider.
struct OptionInfo {
  std::string name, help;
  OptionType type = OptionType::kText;
  OptionCheck check = OptionCheck::kNone;
  std::string default_text;
  bool required = false;
  std::vector<std::string> aliases;
};

namespace option_detail {
double parse_number(const std::string& name, const std::string& text);
std::int64_t parse_integer(const std::string& name, const std::string& text);
bool parse_flag(const std::string& name, const std::string& text);
void check_text(OptionCheck check, const std::string& name, const std::string& text);
void check_number(OptionCheck check, const std::string& name, double value);
std::string number_text(double value);
// "valve_snap" and "valve-snap" are one option.
std::string canonical_name(std::string key);
[[noreturn]] void throw_unknown(const std::string& where, const std::string& key,
                                const std::vector<std::string>& known);
template <class>
inline constexpr bool kUnsupported = false;
}  // namespace option_detail

// An option bound to a member of T:
//   option<IsolateOptions>("valve-snap", "...", [](auto& o) -> auto& { return o.valve_snap_m; })
// The default is read from a default-constructed T, so it is the member's own initialiser.
template <class T, class Get>
OptionSpec<T> option(std::string name, std::string help, Get get,
                     OptionCheck check = OptionCheck::kNone) {
  using V = std::remove_cvref_t<decltype(get(std::declval<T&>()))>;
  namespace d = option_detail;
  OptionSpec<T> s;
  s.name = std::move(name);
  s.help = std::move(help);
  s.check = check;
  T defaults{};
  const auto& initial = get(defaults);
  if constexpr (std::is_same_v<V, bool>) {
    s.type = OptionType::kFlag;
    s.default_text = initial ? "true" : "false";
  } else if constexpr (std::is_same_v<V, std::string>) {
    s.type = OptionType::kText;
    s.default_text = initial;
  } else if constexpr (std::is_same_v<V, double>) {
    s.type = OptionType::kNumber;
    s.default_text = d::number_text(initial);
  } else if constexpr (std::is_same_v<V, std::optional<double>>) {
    s.type = OptionType::kNumber;
    s.default_text = initial ? d::number_text(*initial) : "";
  } else if constexpr (std::is_integral_v<V>) {
    s.type = OptionType::kInteger;
    s.default_text = std::to_string(initial);
  } else if constexpr (std::is_same_v<V, std::vector<std::string>> ||
                       std::is_same_v<V, std::vector<double>>) {
    s.type = OptionType::kList;
  } else {
    static_assert(d::kUnsupported<V>, "option(): unsupported member type");
  }
  s.set = [get, n = s.name, check](T& target, const std::string& text) {
    auto& member = get(target);
    if constexpr (std::is_same_v<V, bool>) {
      member = d::parse_flag(n, text);
    } else if constexpr (std::is_same_v<V, std::string>) {
      d::check_text(check, n, text);
      member = text;
    } else if constexpr (std::is_same_v<V, double> || std::is_same_v<V, std::optional<double>>) {
      const double v = d::parse_number(n, text);
      d::check_number(check, n, v);
      member = v;
    } else if constexpr (std::is_integral_v<V>) {
      const auto v = d::parse_integer(n, text);
      d::check_number(check, n, static_cast<double>(v));
      member = static_cast<V>(v);
    } else if constexpr (std::is_same_v<V, std::vector<double>>) {
      // Numbers given one by one or comma-separated ("10,20,50").
      std::size_t at = 0;
      while (at <= text.size()) {
        const std::size_t comma = std::min(text.find(',', at), text.size());
        const double v = d::parse_number(n, text.substr(at, comma - at));
        d::check_number(check, n, v);
        member.push_back(v);
        at = comma + 1;
      }
    } else {
      d::check_text(check, n, text);
      member.push_back(text);
    }
  };
  return s;
}

// The same option, also spelt `aliases` on the command line ("-o", "--color-by").
template <class T>
OptionSpec<T> also(OptionSpec<T> spec, std::vector<std::string> aliases) {
  spec.aliases = std::move(aliases);
  return spec;
}

// The same option, which a job cannot run without.
template <class T>
OptionSpec<T> required(OptionSpec<T> spec) {
  spec.required = true;
  return spec;
}

// The same option, taking only one of `values` (a text option); the help lists them.
template <class T>
OptionSpec<T> one_of(OptionSpec<T> spec, std::vector<std::string> values) {
  std::string list;
  for (const auto& v : values) list += (list.empty() ? "" : ", ") + v;
  spec.help += " (" + list + ")";
  spec.set = [inner = spec.set, values, list, name = spec.name](T& target,
                                                                const std::string& text) {
    for (const auto& v : values)
      if (v == text) return inner(target, text);
    throw StrataError(ErrorCode::kWrongInputParameters,
                      name + ": '" + text + "' is not one of " + list);
  };
  return spec;
}

// The same option, a number no greater than `max`.
template <class T>
OptionSpec<T> at_most(OptionSpec<T> spec, double max) {
  spec.set = [inner = spec.set, max, name = spec.name](T& target, const std::string& text) {
    if (option_detail::parse_number(name, text) > max)
      throw StrataError(ErrorCode::kWrongInputParameters,
                        name + ": " + text + " is more than " + option_detail::number_text(max));
    inner(target, text);
  };
  return spec;
}

template <class T>
std::vector<OptionInfo> describe(const OptionSchema<T>& schema) {
  std::vector<OptionInfo> out;
  for (const auto& s : schema)
    out.push_back({s.name, s.help, s.type, s.check, s.default_text, s.required, s.aliases});
  return out;
}

template <class T>
const OptionSpec<T>* find_option(const OptionSchema<T>& schema, const std::string& key) {
  const std::string name = option_detail::canonical_name(key);
  for (const auto& s : schema)
    if (s.name == name) return &s;
  return nullptr;
}

// Fills `target` from a project-file table (keys as written, `_` or `-`; a list's values
// repeated). An unknown key or a bad value throws StrataError(970) starting with `where`
// ("project.toml:12: [[pipes.analyses]] gas_water") and naming the keys it knows.
template <class T>
void apply_options(const OptionSchema<T>& schema,
                   const std::vector<std::pair<std::string, std::string>>& values, T& target,
                   const std::string& where) {
  for (const auto& [key, value] : values) {
    const OptionSpec<T>* spec = find_option(schema, key);
    if (!spec) {
      std::vector<std::string> known;
      for (const auto& s : schema) known.push_back(s.name);
      option_detail::throw_unknown(where, key, known);
    }
    try {
      spec->set(target, value);
    } catch (const StrataError& e) {
      throw StrataError(ErrorCode::kProjectFile, where + ": " + e.what());
    }
  }
}

}  // namespace strata::engine
