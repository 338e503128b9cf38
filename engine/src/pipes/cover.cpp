// strata pipes cover NETWORK...: stretches of pipe shallower than the rule for their utility,
// or above the ground (docs/pipes.md).
#include <chrono>
#include <map>
#include <sstream>

#include "strata/engine/pipe_analyses.h"
#include "strata/io/points_gpkg.h"
#include "strata/spatial/pipe_cover.h"

namespace strata::engine {
namespace {

struct CoverOptions : PipeJobInputs {
  double step = 1.0;
};

JobResult run_cover(const CoverOptions& c, InputCache* cache) {
  if (!(c.step > 0))
    throw StrataError(ErrorCode::kWrongInputParameters, "--step must be above 0 metres");
  const PipeInputs in = load_pipe_inputs(c.networks, c.settings, false, cache);
  spatial::CoverOptions o;
  o.unit_m = in.unit_m;
  o.step_m = c.step;
  o.ground = in.ground;
  std::vector<const PipeNetwork*> networks;
  for (const auto& n : in.networks) networks.push_back(&n.network);
  const auto start = std::chrono::steady_clock::now();
  const auto r = spatial::check_cover(networks, in.rules, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json list = nlohmann::json::array();
  std::vector<io::PointRow> rows;
  std::map<std::string, double> shallow_by_utility;
  std::ostringstream lines;
  for (const auto& f : r.findings) {
    const PipeLink& p = *f.pipe;
    const std::string utility(utility_name(p.utility));
    if (f.kind == spatial::CoverKind::kShallow) shallow_by_utility[utility] += f.to_m - f.from_m;
    list.push_back({{"network", in.networks[f.network].file},
                    {"pipe", p.id},
                    {"utility", utility},
                    {"owner", p.owner.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.owner)},
                    {"kind", spatial::cover_kind_name(f.kind)},
                    {"from_m", f.from_m},
                    {"to_m", f.to_m},
                    {"length_m", f.to_m - f.from_m},
                    {"min_cover_m", f.min_cover_m},
                    {"rule_m", f.rule_m ? nlohmann::json(*f.rule_m) : nlohmann::json(nullptr)},
                    {"location", {f.location[0], f.location[1], f.location[2]}},
                    {"ground_z", f.ground_z},
                    {"assumed", p.assumed}});
    lines << "  " << spatial::cover_kind_name(f.kind) << ": " << p.id << " (" << utility
          << ") from " << f.from_m << " to " << f.to_m << " m, cover down to " << f.min_cover_m
          << " m" << (f.rule_m ? " (rule " + std::to_string(*f.rule_m) + " m)" : std::string())
          << "\n";
    if (c.gpkg.empty()) continue;
    std::string assumed;
    for (const auto& w : p.assumed) assumed += (assumed.empty() ? "" : ", ") + w;
    rows.push_back({{f.location[0], f.location[1], f.location[2]},
                    {p.id, utility, std::string(spatial::cover_kind_name(f.kind)), f.from_m, f.to_m,
                     f.min_cover_m, f.rule_m ? FieldValue(*f.rule_m) : FieldValue(std::monostate{}),
                     assumed.empty() ? FieldValue(std::monostate{}) : FieldValue(assumed)}});
  }
  if (!c.gpkg.empty())
    io::write_points_gpkg(c.gpkg, "pipe_cover", in.crs.value_or(""),
                          {{"pipe", FieldType::kText},
                           {"utility", FieldType::kText},
                           {"kind", FieldType::kText},
                           {"from_m", FieldType::kReal},
                           {"to_m", FieldType::kReal},
                           {"min_cover_m", FieldType::kReal},
                           {"rule_m", FieldType::kReal},
                           {"assumed", FieldType::kText}},
                          rows);
  nlohmann::json networks_json = nlohmann::json::array();
  for (const auto& n : in.networks) networks_json.push_back(network_json(n));
  nlohmann::json out = {
      {"networks", networks_json},
      {"crs", in.crs ? nlohmann::json(*in.crs) : nlohmann::json(nullptr)},
      {"rules",
       c.settings.rules.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.settings.rules)},
      {"ground", !c.settings.dem.empty() ? nlohmann::json(c.settings.dem)
                 : c.settings.ground_z   ? nlohmann::json(*c.settings.ground_z)
                                         : nlohmann::json(nullptr)},
      {"step_m", c.step},
      {"pipes_checked", r.summary.pipes_checked},
      {"length_checked_m", r.summary.length_checked_m},
      {"length_shallow_m", r.summary.length_shallow_m},
      {"length_above_ground_m", r.summary.length_above_ground_m},
      {"shallow_m_by_utility", shallow_by_utility},
      {"without_ground", r.without_ground},
      {"utilities_without_rule", r.without_rule},
      {"timings", {{"read_seconds", in.read_seconds}, {"check_seconds", seconds}}},
      {"findings", list}};
  if (!c.gpkg.empty()) out["gpkg"] = c.gpkg;
  std::ostringstream text;
  text << r.summary.pipes_checked << " pipes checked (" << r.summary.length_checked_m
       << " m): " << r.summary.length_shallow_m << " m shallower than the rules, "
       << r.summary.length_above_ground_m << " m above the ground\n"
       << lines.str();
  if (!r.without_ground.empty())
    text << "  " << r.without_ground.size()
         << " pipes without a ground (give --dem or --ground-z): not checked\n";
  for (const auto& u : r.without_rule)
    text << "  no min_cover_m for " << u << ": only checked for pipes above the ground\n";
  text << issue_lines(in.networks);
  // Pipes of a utility without a cover rule are checked only above the ground: left out.
  JobResult done{"pipes cover", std::move(out), text.str()};
  done.warnings = has_issues(in.networks) || !r.without_rule.empty();
  return done;
}

}  // namespace

PipeAnalysis cover_analysis() {
  using O = CoverOptions;
  return make_pipe_analysis<O>(
      {.kind = "cover",
       .summary = "Stretches of pipe shallower than the rules allow, or above the ground",
       .networks = NetworkCount::kOneOrMore,
       .ground = true,
       .gpkg_help = "write the findings as 3D points at their least cover (layer pipe_cover)"},
      {option<O>(
          "step",
          "with a terrain, sample the ground at least this often along a pipe (m, "
          "default 1)",
          [](O & o) -> auto& { return o.step; })},
      run_cover);
}

}  // namespace strata::engine
