#include "strata/io/pipe_rules.h"

#include <toml++/toml.h>

#include <cmath>

#include "strata/core/error.h"

namespace strata::io {
namespace {

[[noreturn]] void fail(const std::filesystem::path& file, int line, const std::string& what) {
  throw StrataError(ErrorCode::kProjectFile,
                    file.string() + (line > 0 ? ":" + std::to_string(line) : "") + ": " + what);
}

int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

Utility utility_of(const std::filesystem::path& file, const toml::node& n,
                   const std::string& text) {
  auto u = parse_utility(text);
  if (!u)
    fail(file, line_of(n),
         "unknown utility '" + text +
             "' (water, sewer, storm, gas, petroleum, power, telecom, heating, other)");
  return *u;
}

double positive(const std::filesystem::path& file, const toml::node& n, const std::string& what,
                bool allow_zero) {
  auto v = n.value<double>();
  if (!v || !std::isfinite(*v) || *v < 0 || (!allow_zero && *v == 0))
    fail(file, line_of(n),
         what + " must be a " + (allow_zero ? "non-negative" : "positive") + " number of metres");
  return *v;
}

}  // namespace

PipeRules load_pipe_rules(const std::filesystem::path& file) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    if (!std::filesystem::exists(file)) fail(file, 0, "rules file not found");
    fail(file, static_cast<int>(e.source().begin.line),
         std::string("not valid TOML: ") + std::string(e.description()));
  }
  PipeRules rules;
  rules.file = file;
  for (auto&& [key, node] : root) {
    if (key.str() != "utilities" && key.str() != "clearance")
      fail(file, line_of(node),
           "unknown key '" + std::string(key.str()) + "' (utilities, clearance)");
  }
  if (const auto* utilities = root["utilities"].as_table()) {
    for (auto&& [name, node] : *utilities) {
      const Utility u = utility_of(file, node, std::string(name.str()));
      const auto* t = node.as_table();
      if (!t)
        fail(file, line_of(node), "[utilities." + std::string(name.str()) + "] must be a table");
      UtilityDefaults d;
      for (auto&& [k, v] : *t) {
        if (k.str() == "depth_m")
          d.depth_m = positive(file, v, "depth_m", true);
        else if (k.str() == "diameter_m")
          d.diameter_m = positive(file, v, "diameter_m", false);
        else if (k.str() == "min_cover_m")
          d.min_cover_m = positive(file, v, "min_cover_m", true);
        else
          fail(file, line_of(v),
               "unknown key '" + std::string(k.str()) + "' (depth_m, diameter_m, min_cover_m)");
      }
      rules.defaults[u] = d;
    }
  }
  if (const toml::node* c = root.get("clearance")) {
    const auto* rows = c->as_array();
    if (!rows) fail(file, line_of(*c), "clearance must be an array of tables: [[clearance]]");
    for (const auto& row : *rows) {
      const auto* t = row.as_table();
      if (!t) fail(file, line_of(row), "each [[clearance]] must be a table");
      const auto* between = t->get("between") ? t->get("between")->as_array() : nullptr;
      if (!between || between->size() != 2 || !(*between)[0].is_string() ||
          !(*between)[1].is_string())
        fail(file, line_of(row), "[[clearance]] needs between = [\"utility\", \"utility\"]");
      const toml::node* min = t->get("min_m");
      if (!min) fail(file, line_of(row), "[[clearance]] needs min_m, the minimum clearance in m");
      for (auto&& [k, v] : *t)
        if (k.str() != "between" && k.str() != "min_m")
          fail(file, line_of(v), "unknown key '" + std::string(k.str()) + "' (between, min_m)");
      Utility a = utility_of(file, (*between)[0], *(*between)[0].value<std::string>());
      Utility b = utility_of(file, (*between)[1], *(*between)[1].value<std::string>());
      if (b < a) std::swap(a, b);
      if (rules.clearance.count({a, b}))
        fail(file, line_of(row),
             "the clearance between " + std::string(utility_name(a)) + " and " +
                 std::string(utility_name(b)) + " is given twice");
      rules.clearance[{a, b}] = positive(file, *min, "min_m", true);
    }
  }
  return rules;
}

}  // namespace strata::io
