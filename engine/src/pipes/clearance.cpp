// strata pipes clearance A B: clashes and clearance violations between two pipe networks
// (docs/pipes.md).
#include <chrono>
#include <memory>
#include <sstream>

#include "strata/engine/pipe_analyses.h"
#include "strata/io/points_gpkg.h"
#include "strata/spatial/pipe_clearance.h"

namespace strata::engine {
namespace {

struct ClearanceOptions : PipeJobInputs {
  int threads = 0;
};

JobResult run_clearance(const ClearanceOptions& c, InputCache* cache) {
  if (c.networks.empty() || c.networks.size() > 2)
    throw StrataError(
        ErrorCode::kWrongInputParameters,
        "pipes clearance compares one or two networks, not " + std::to_string(c.networks.size()));
  const bool same = c.networks.size() == 1;  // one network: its pipes against each other
  const PipeInputs in = load_pipe_inputs(c.networks, c.settings, false, cache);
  const LoadedNetwork &a = in.networks[0], &b = in.networks[same ? 0 : 1];
  const auto read = std::chrono::steady_clock::now();
  spatial::ClearanceOptions options;
  options.unit_m = in.unit_m;
  options.threads = c.threads;
  options.same_network = same;
  auto findings = spatial::check_clearance(a.network, b.network, in.rules, options);
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
  JobResult out{"pipes clearance", std::move(result), text.str()};
  out.warnings = has_issues(in.networks);
  out.list_key = "findings";
  out.list_size = findings.size();
  out.list_item = [all = std::make_shared<const decltype(findings)>(std::move(findings))](
                      std::size_t i) {
    const auto& f = (*all)[i];
    return nlohmann::json{{"a", f.a},
                          {"b", f.b},
                          {"utility_a", std::string(utility_name(f.utility_a))},
                          {"utility_b", std::string(utility_name(f.utility_b))},
                          {"kind", f.clash ? "clash" : "clearance"},
                          {"axis_distance_m", f.axis_distance_m},
                          {"clearance_m", f.clearance_m},
                          {"required_m", f.required_m ? nlohmann::json(*f.required_m) : nullptr},
                          {"location", {f.location[0], f.location[1], f.location[2]}},
                          {"assumed", f.assumed}};
  };
  return out;
}

}  // namespace

PipeAnalysis clearance_analysis() {
  using O = ClearanceOptions;
  return make_pipe_analysis<O>(
      {.kind = "clearance",
       .summary = "Clashes and clearance violations between two pipe networks, or within one",
       .networks = NetworkCount::kOneOrTwo,
       .ground = true,
       .gpkg_help = "write the findings as 3D points (layer pipe_clearance)"},
      {option<O>(
          "threads", "worker threads (0 = all cores)", [](O & o) -> auto& { return o.threads; },
          OptionCheck::kNonNegative)},
      run_clearance);
}

}  // namespace strata::engine
