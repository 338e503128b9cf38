#include "strata/engine/project_pipes.h"

#include <filesystem>

#include "strata/core/atomic_file.h"

namespace strata::engine {
namespace {

std::string where(const io::Project& p, int line, const std::string& what) {
  return p.file.string() + ":" + std::to_string(line) + ": " + what;
}

NetworkOptions network_options(const io::Project& p, const io::PipeNetworkSpec& spec) {
  NetworkOptions n;
  n.file = spec.file.string();
  apply_options(network_option_schema(), spec.options, n,
                where(p, spec.line, "[[pipes.networks]] " + spec.name));
  return n;
}

PipeSettings settings_of(const io::Project& p, bool ground) {
  PipeSettings s;
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& [k, v] : p.pipes->settings)
    if (ground || (k != "dem" && k != "ground_z")) values.emplace_back(k, v);
  apply_options(settings_option_schema(ground), values, s, where(p, p.pipes->line, "[pipes]"));
  return s;
}

}  // namespace

std::unique_ptr<PipeJob> project_pipe_job(const io::Project& p, const io::PipeAnalysisSpec& a) {
  const std::string at = where(p, a.line, "[[pipes.analyses]] " + a.name);
  const PipeAnalysis* kind = find_pipe_analysis(a.kind);
  if (!kind) throw StrataError(ErrorCode::kProjectFile, at + ": unknown kind '" + a.kind + "'");
  auto job = kind->make();
  PipeJobInputs& in = job->inputs();
  for (const auto& name : a.networks)
    for (const auto& n : p.pipes->networks)
      if (n.name == name) in.networks.push_back(network_options(p, n));
  if (kind->networks == NetworkCount::kOneOrTwo && in.networks.size() > 2)
    throw StrataError(ErrorCode::kProjectFile,
                      at + ": " + a.kind + " compares one or two networks");
  if (kind->networks == NetworkCount::kOne && in.networks.size() != 1)
    throw StrataError(ErrorCode::kProjectFile, at + ": " + a.kind + " takes one network");
  in.settings = settings_of(p, kind->ground);
  for (const auto& [key, value] : a.options) {
    if (!job->knows(key)) {
      std::vector<std::string> known;
      for (const auto& o : kind->options) known.push_back(o.name);
      option_detail::throw_unknown(at + " (" + a.kind + ")", key, known);
    }
    try {
      job->set(key, value);
    } catch (const StrataError& e) {
      throw StrataError(ErrorCode::kProjectFile, at + " (" + a.kind + "): " + e.what());
    }
  }
  in.gpkg = (p.output / "pipes" / (a.name + ".gpkg")).string();
  return job;
}

void check_project_pipes(const io::Project& project) {
  if (!project.pipes) return;
  for (const auto& a : project.pipes->analyses) project_pipe_job(project, a);
}

std::vector<ProjectPipeResult> run_project_pipes(const io::Project& project, InputCache& cache) {
  std::vector<ProjectPipeResult> out;
  if (!project.pipes) return out;
  const auto dir = project.output / "pipes";
  std::filesystem::create_directories(dir);
  for (const auto& a : project.pipes->analyses) {
    auto job = project_pipe_job(project, a);
    ProjectPipeResult r{a.name, a.kind, job->run(&cache), dir / (a.name + ".json"), std::nullopt};
    // Written to a temporary name and renamed, so a reader never sees half a result.
    write_text_atomically(r.json, [&](std::ostream& f) {
      f << r.result.full().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    });
    if (r.result.result.contains("gpkg")) r.gpkg = r.result.result["gpkg"].get<std::string>();
    out.push_back(std::move(r));
  }
  return out;
}

nlohmann::json project_pipes_summary(const std::vector<ProjectPipeResult>& results,
                                     std::string& text) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& r : results) {
    const nlohmann::json& result = r.result.result;
    nlohmann::json entry = {{"kind", r.kind}, {"json", r.json.string()}};
    if (r.gpkg) entry["gpkg"] = r.gpkg->string();
    // The headline counts of each kind, for the summary.
    for (const char* key : {"clashes", "clearance_violations", "hits", "length_shallow_m",
                            "length_above_ground_m", "records_not_detected", "records_deviating",
                            "undocumented_count", "pipes_under_buildings", "through_basements",
                            "without_easement_m", "isolated_length_m", "cut_off_length_m"})
      if (result.contains(key)) entry[key] = result[key];
    out[r.name] = entry;
    const std::string& lines = r.result.text;
    text += "  " + r.name + " (" + r.kind + "): " + lines.substr(0, lines.find('\n')) + "\n";
  }
  return out;
}

std::vector<ProjectNetwork> load_project_networks(const io::Project& project, InputCache* cache) {
  std::vector<ProjectNetwork> out;
  if (!project.pipes) return out;
  const PipeSettings settings = settings_of(project, true);
  for (const auto& spec : project.pipes->networks) {
    NetworkOptions net = network_options(project, spec);
    PipeInputs inputs = load_pipe_inputs({net}, settings, false, cache);
    out.push_back({spec.name, net.file, std::move(inputs.networks.front().network), inputs.crs});
  }
  return out;
}

}  // namespace strata::engine
