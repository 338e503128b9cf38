#include "units_project.h"

#include <filesystem>

#include "commands.h"

namespace strata::cli {
namespace {

std::vector<std::string> command_line(const io::Project& p) {
  const auto& u = *p.units;
  const auto dir = p.output / "units";
  std::vector<std::string> args = {"units", u.registry.empty() ? "generate" : "build",
                                   u.footprints.string()};
  if (!u.registry.empty()) args.insert(args.end(), {"--registry", u.registry.string()});
  for (const auto& [k, v] : u.options) {
    std::string option = "--" + k;
    for (char& c : option)
      if (c == '_') c = '-';
    args.insert(args.end(), {option, v});
  }
  args.insert(
      args.end(),
      {"--out", (dir / "model.city.json").string(), "--report", (dir / "report.json").string(),
       "--gpkg", (dir / "ownership_errors.gpkg").string(), "--store", p.store.string(), "--save"});
  return args;
}

void invoke(const io::Project& p, bool run, nlohmann::json& result, std::string& text) {
  GlobalOptions g;
  g.json = true;
  g.quiet = true;
  g.capture = [&](const nlohmann::json& r, const std::string& t) {
    result = r;
    text = t;
  };
  CLI::App app{"strata"};
  Runner runner = add_units(app, g);
  const auto args = command_line(p);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them reversed
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    throw StrataError(
        ErrorCode::kProjectFile,
        p.file.string() + ":" + std::to_string(p.units->line) + ": [units]: " + e.what());
  }
  if (!run) return;
  std::filesystem::create_directories(p.output / "units");
  runner();  // exit 7 (findings) is not a failure of the run: the findings are its result
}

}  // namespace

void check_project_units(const io::Project& project) {
  if (!project.units) return;
  nlohmann::json unused;
  std::string text;
  invoke(project, false, unused, text);
}

nlohmann::json run_project_units(const io::Project& project, std::string& text) {
  nlohmann::json result;
  std::string lines;
  invoke(project, true, result, lines);
  result.erase("issues");  // listed in report.json; summary.json keeps the counts
  text += "  " + lines.substr(0, lines.find('\n')) + "\n";
  return result;
}

}  // namespace strata::cli
