#pragma once
// The engine's option schemas as command-line flags: the command line and the project file fill
// the same typed options through the same setters (engine/option_schema.h), so a default or a
// check is written once.
#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "strata/engine/option_schema.h"
#include "strata/engine/pipe_inputs.h"

namespace strata::cli {

// One option as --<flag>: `set` receives each value (a flag: "true"). A StrataError from it is
// a usage error (exit 2) naming the option.
void bind_option(CLI::App* app, const engine::OptionInfo& info, const std::string& flag,
                 std::function<void(const std::string&)> set, const std::string& help_suffix = "",
                 bool underscore_alias = false);

// Every option of `schema` bound to `target` (kept alive by the caller), as --<prefix><name>
// (and --<prefix><name_with_underscores> with `underscore_aliases`, as val3dity spells them).
template <class T>
void bind_options(CLI::App* app, const engine::OptionSchema<T>& schema, T& target,
                  const std::string& prefix = "", bool underscore_aliases = false) {
  for (const auto& spec : schema) {
    auto setter = spec.set;
    bind_option(
        app,
        {spec.name, spec.help, spec.type, spec.check, spec.default_text, spec.required,
         spec.aliases},
        "--" + prefix + spec.name,
        [setter, &target](const std::string& value) { setter(target, value); }, "",
        underscore_aliases);
  }
}

// The networks of an analysis that takes a list of them: the files as positionals and each
// network option given once (for all) or once per network in order.
class NetworkListBinding {
 public:
  void bind(CLI::App* app, bool required = true);
  // The networks with their options; throws StrataError(903) on a count that fits neither.
  std::vector<engine::NetworkOptions> resolve() const;
  bool empty() const { return files_.empty(); }

 private:
  std::vector<std::string> files_;
  std::map<std::string, std::vector<std::string>> values_;  // option name -> values given
};

}  // namespace strata::cli
