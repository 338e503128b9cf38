// strata pipes clearance A B: clashes and clearance violations between two pipe networks
// (docs/pipes.md).
#include <chrono>
#include <sstream>

#include "cmd_pipes.h"
#include "pipe_inputs.h"
#include "strata/io/points_gpkg.h"
#include "strata/spatial/pipe_clearance.h"

namespace strata::cli {
namespace {

struct ClearanceArgs {
  NetworkArgs a, b;
  PipeSettings settings;
  std::string gpkg;
  int threads = 0;
};

int run_clearance(const GlobalOptions& g, const ClearanceArgs& c) {
  const bool same = c.b.file.empty();  // one network: its pipes against each other
  const PipeInputs in =
      same ? load_pipe_inputs({c.a}, c.settings) : load_pipe_inputs({c.a, c.b}, c.settings);
  const LoadedNetwork &a = in.networks[0], &b = in.networks[same ? 0 : 1];
  const auto read = std::chrono::steady_clock::now();
  spatial::ClearanceOptions options;
  options.unit_m = in.unit_m;
  options.threads = c.threads;
  options.same_network = same;
  const auto findings = spatial::check_clearance(a.network, b.network, in.rules, options);
  const auto checked = std::chrono::steady_clock::now();

  std::int64_t clashes = 0, below = 0, on_assumed = 0;
  std::vector<io::PointRow> rows;
  for (const auto& f : findings) {
    clashes += f.clash;
    below += !f.clash;
    on_assumed += !f.assumed.empty();
    // The GeoPackage rows only when asked for: a dense network has 100,000s of pairs.
    if (c.gpkg.empty()) continue;
    std::string assumed;
    for (const auto& w : f.assumed) assumed += (assumed.empty() ? "" : ", ") + w;
    rows.push_back(
        {{f.location[0], f.location[1], f.location[2]},
         {f.a, f.b, std::string(utility_name(f.utility_a)), std::string(utility_name(f.utility_b)),
          std::string(f.clash ? "clash" : "clearance"), f.axis_distance_m, f.clearance_m,
          f.required_m ? FieldValue(*f.required_m) : FieldValue(std::monostate{}),
          assumed.empty() ? FieldValue(std::monostate{}) : FieldValue(assumed)}});
  }
  if (!c.gpkg.empty())
    io::write_points_gpkg(c.gpkg, "pipe_clearance", in.crs.value_or(""),
                          {{"a", FieldType::kText},
                           {"b", FieldType::kText},
                           {"utility_a", FieldType::kText},
                           {"utility_b", FieldType::kText},
                           {"kind", FieldType::kText},
                           {"axis_distance_m", FieldType::kReal},
                           {"clearance_m", FieldType::kReal},
                           {"required_m", FieldType::kReal},
                           {"assumed", FieldType::kText}},
                          rows);
  nlohmann::json result = {
      {"a", network_json(a)},
      {"b", same ? nlohmann::json(nullptr) : network_json(b)},
      {"within_one_network", same},
      {"crs", in.crs ? nlohmann::json(*in.crs) : nlohmann::json(nullptr)},
      {"rules",
       c.settings.rules.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.settings.rules)},
      {"clashes", clashes},
      {"clearance_violations", below},
      {"findings_on_assumed_values", on_assumed},
      {"timings",
       {{"read_seconds", in.read_seconds},
        {"check_seconds", std::chrono::duration<double>(checked - read).count()},
        {"threads", options.threads}}}};
  if (!c.gpkg.empty()) result["gpkg"] = c.gpkg;
  std::ostringstream text;
  if (same)
    text << a.file << " (" << a.network.links.size() << " pipes, against each other): ";
  else
    text << a.file << " (" << a.network.links.size() << " pipes) against " << b.file << " ("
         << b.network.links.size() << " pipes): ";
  text << clashes << " clashes, " << below << " clearance violations";
  if (on_assumed) text << " (" << on_assumed << " resting on assumed depths or diameters)";
  text << "\n" << issue_lines(in.networks);
  // The findings are written one by one: 200,000 of them would take 1.2 GiB as one JSON tree.
  emit_with_list(
      g, "pipes clearance", true, std::move(result), "findings", findings.size(),
      [&](std::size_t i) {
        const auto& f = findings[i];
        return nlohmann::json{
            {"a", f.a},
            {"b", f.b},
            {"utility_a", std::string(utility_name(f.utility_a))},
            {"utility_b", std::string(utility_name(f.utility_b))},
            {"kind", f.clash ? "clash" : "clearance"},
            {"axis_distance_m", f.axis_distance_m},
            {"clearance_m", f.clearance_m},
            {"required_m", f.required_m ? nlohmann::json(*f.required_m) : nullptr},
            {"location", {f.location[0], f.location[1], f.location[2]}},
            {"assumed", f.assumed}};
      },
      text.str());
  return kExitOk;
}

}  // namespace

Runner add_pipes_clearance(CLI::App& pipes, const GlobalOptions& g) {
  auto c = std::make_shared<ClearanceArgs>();
  CLI::App* clearance = pipes.add_subcommand(
      "clearance", "Clashes and clearance violations between two pipe networks, or within one");
  const std::pair<const char*, NetworkArgs*> networks[] = {{"a", &c->a}, {"b", &c->b}};
  for (const auto& [which, n] : networks) {
    const std::string w(which);
    auto* opt = clearance
                    ->add_option(w, n->file,
                                 "network " + w + ": an .inp file or a GIS line layer" +
                                     (w == "b" ? " (none: a's pipes against each other)" : ""))
                    ->check(CLI::ExistingPath);
    if (w == "a") opt->required();
    add_network_options(clearance, w, *n);
  }
  add_settings_options(clearance, c->settings, true);
  clearance->add_option("--gpkg", c->gpkg,
                        "write the findings as 3D points (layer pipe_clearance)");
  clearance->add_option("--threads", c->threads, "worker threads (0 = all cores)");
  return [c, &g]() -> int { return run_clearance(g, *c); };
}

}  // namespace strata::cli
