#include "option_binding.h"

namespace strata::cli {

void bind_option(CLI::App* app, const engine::OptionInfo& info, const std::string& flag,
                 std::function<void(const std::string&)> set, const std::string& help_suffix,
                 bool underscore_alias) {
  auto guarded = [set, flag](const std::string& value) {
    try {
      set(value);
    } catch (const StrataError& e) {
      throw CLI::ValidationError(flag, e.what());
    }
  };
  const std::string help = info.help + help_suffix;
  std::string names = flag;
  if (underscore_alias && flag.find('-', 2) != std::string::npos) {
    std::string snake = flag.substr(2);
    for (char& c : snake)
      if (c == '-') c = '_';
    names += ",--" + snake;
  }
  for (const auto& alias : info.aliases) names += "," + alias;
  CLI::Option* option = nullptr;
  switch (info.type) {
    case engine::OptionType::kFlag:
      option = app->add_flag_function(
          names, [guarded](std::int64_t count) { guarded(count > 0 ? "true" : "false"); }, help);
      break;
    case engine::OptionType::kList:
      option = app->add_option_function<std::vector<std::string>>(
          names,
          [guarded](const std::vector<std::string>& values) {
            for (const auto& v : values) guarded(v);
          },
          help);
      break;
    default:
      option = app->add_option_function<std::string>(names, guarded, help);
      if (!info.default_text.empty() && info.type != engine::OptionType::kText)
        option->default_str(info.default_text);
      break;
  }
  if (info.required) option->required();
}

void NetworkListBinding::bind(CLI::App* app, bool required) {
  auto* files = app->add_option("networks", files_, "pipe networks: .inp files or GIS line layers")
                    ->check(CLI::ExistingPath);
  if (required) files->required();
  const std::string each = " (once for all networks, or once per network in order)";
  for (const auto& spec : engine::network_option_schema())
    app->add_option("--" + spec.name, values_[spec.name], spec.help + each);
}

std::vector<engine::NetworkOptions> NetworkListBinding::resolve() const {
  std::vector<engine::NetworkOptions> out(files_.size());
  for (std::size_t i = 0; i < files_.size(); ++i) out[i].file = files_[i];
  for (const auto& spec : engine::network_option_schema()) {
    const auto& values = values_.at(spec.name);
    if (values.empty()) continue;
    if (values.size() != 1 && values.size() != files_.size())
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "--" + spec.name + " is given " + std::to_string(values.size()) +
                            " times for " + std::to_string(files_.size()) +
                            " networks: give it once (for all) or once per network ('' for "
                            "none)");
    for (std::size_t i = 0; i < files_.size(); ++i) {
      const std::string& value = values.size() == 1 ? values[0] : values[i];
      // '' keeps the default for that network (e.g. a .inp file beside a GIS layer).
      if (!value.empty()) spec.set(out[i], value);
    }
  }
  return out;
}

}  // namespace strata::cli
