#include "strata/engine/report_job.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "strata/core/clock.h"
#include "strata/core/crs.h"
#include "strata/core/indicator_catalogue.h"
#include "strata/engine/project_pipes.h"
#include "strata/engine/render_job.h"
#include "strata/engine/version.h"
#include "strata/io/vector_source.h"
#include "strata/render/report.h"

namespace strata::engine {
namespace {

namespace fs = std::filesystem;

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  auto doc = nlohmann::json::parse(in, nullptr, false);
  return doc.is_discarded() ? nlohmann::json(nullptr) : doc;
}

std::string number_text(const nlohmann::json& v, double magnitude_hint = 0) {
  if (!v.is_number()) return v.is_null() ? "–" : v.dump();
  if (v.is_number_integer()) return render::format_value(v.get<double>(), 1e6);  // counts
  const double x = v.get<double>();
  return render::format_value(x, magnitude_hint != 0 ? magnitude_hint : x);
}

// The indicator definitions of indicators.json, by key.
std::map<std::string, nlohmann::json> definitions_of(const nlohmann::json& doc) {
  std::map<std::string, nlohmann::json> out;
  if (doc.is_object() && doc.contains("indicators") && doc["indicators"].is_array())
    for (const auto& d : doc["indicators"])
      if (d.contains("key")) out[d["key"].get<std::string>()] = d;
  return out;
}

// Indicators mapped by default: the rates that compare across districts of different sizes
// (totals would only map the districts' sizes); the catalogue marks them.
bool is_rate(const std::string& key) {
  const IndicatorColumn* c = find_indicator_column(key);
  return c && c->mapped;
}

struct Output {
  nlohmann::json maps = nlohmann::json::array(), scenes = nlohmann::json::array(),
                 problems = nlohmann::json::array();
};

void problem(Output& out, render::ReportSection& section, const std::string& what,
             const std::exception& e) {
  const auto* se = dynamic_cast<const StrataError*>(&e);
  const int code = se ? static_cast<int>(se->code()) : 999;
  out.problems.push_back({{"what", what}, {"code", code}, {"message", e.what()}});
  section.problems.push_back(what + ": error " + std::to_string(code) + ": " + e.what());
}

void stage(Observer& observer, const std::string& line) { observer.note(line); }

render::ReportSection indicator_section(const io::Project& project, const nlohmann::json& summary,
                                        const fs::path& maps_dir, Observer& g, Output& out,
                                        std::string& text,
                                        std::vector<render::ReportFigure>& figures) {
  render::ReportSection s{"indicators", "Indicators", {}, {}, {}, {}};
  const auto& ind = summary["analyses"]["indicators"];
  const auto outputs = ind.value("outputs", nlohmann::json::object());
  const fs::path json_path = outputs.contains("json") ? fs::path(outputs["json"].get<std::string>())
                                                      : project.output / "indicators.json";
  const nlohmann::json doc = read_json(json_path);
  const auto defs = definitions_of(doc);
  if (doc.is_object() && doc.contains("city")) {
    const auto& city = doc["city"];
    if (city.contains("population") && city["population"].is_number())
      figures.push_back(
          {"population (all districts)", number_text(city["population"], 1e6), "fig-population"});
    for (const auto& info : indicators())
      for (const auto& column : info.columns) {
        const std::string& key = column.key;
        if (!column.headline || !city.contains(key) || !city[key].is_number()) continue;
        const auto d = defs.count(key) ? defs.at(key) : nlohmann::json::object();
        figures.push_back({d.value("name", key) + " (" + d.value("unit", "") + ")",
                           number_text(city[key]), "fig-" + key});
      }
  }

  // Maps of the rates per district (and per village with a breakdown).
  std::vector<std::string> keys = project.report.maps;
  const bool has_gpkg = outputs.contains("gpkg");
  if (!has_gpkg)
    s.problems.push_back(
        "No indicator maps: [indicators] outputs leaves out gpkg, which the maps are drawn from.");
  if (has_gpkg) {
    const std::string gpkg = outputs["gpkg"].get<std::string>();
    const auto layers = io::vector_layer_names(gpkg);
    if (keys.empty())
      for (const auto& [key, d] : defs)
        if (is_rate(key)) keys.push_back(key);
    for (const std::string level : {"district", "village"}) {
      const std::string layer = "indicators_" + level;
      if (std::find(layers.begin(), layers.end(), layer) == layers.end()) continue;
      auto source = io::open_vector_source({gpkg, layer, {}, {}});
      for (const auto& key : keys) {
        if (source->field_index(key) < 0) {
          if (!project.report.maps.empty() && level == "district")
            problem(out, s, "map of " + key,
                    StrataError(ErrorCode::kFieldMissing,
                                gpkg + " layer " + layer + " has no indicator '" + key + "'"));
          continue;
        }
        const auto d = defs.count(key) ? defs.at(key) : nlohmann::json::object();
        render::ChoroplethSpec spec;
        spec.path = gpkg;
        spec.layer = layer;
        spec.field = key;
        spec.label_field = level + "_name";
        spec.id_field = level + "_id";
        spec.method = *render::parse_class_method(project.report.classes);
        spec.classes = project.report.class_count;
        spec.palette = project.report.palette;
        const std::string iso = d.value("iso37120_2018", std::string());
        const std::string iso14 = d.value("iso37120_2014", std::string());
        spec.title = d.value("name", key) + (!iso.empty()     ? " (ISO 37120:2018 " + iso + ")"
                                             : !iso14.empty() ? " (ISO 37120:2014 " + iso14 + ")"
                                                              : "");
        spec.subtitle = project.name + ", per " + level;
        spec.legend_title = d.value("unit", key);
        spec.notes.push_back("Formula: " + d.value("formula", std::string("see indicators.json")));
        const std::string stem = key + "_" + level;
        stage(g, "map " + stem);
        try {
          const auto c = render::build_choropleth(spec);
          const std::vector<std::string> files = {(maps_dir / (stem + ".png")).string(),
                                                  (maps_dir / (stem + ".svg")).string()};
          nlohmann::json entry = choropleth_json(c);
          entry.erase("features");
          entry["name"] = stem;
          entry["indicator"] = key;
          entry["level"] = level;
          entry["files"] =
              draw_map_files(c.map, files, project.report.width, project.report.height);
          out.maps.push_back(entry);
          s.images.push_back({files[0],
                              spec.title + ", per " + level + " (" +
                                  render::class_method_name(c.breaks.method) +
                                  " classes; SVG beside the report: maps/" + stem + ".svg)",
                              "map-" + stem});
          text += "  map " + files[0] + "\n";
        } catch (const std::exception& e) {
          problem(out, s, "map " + stem, e);
        }
      }
    }
  }

  // The table per district, with the rates mapped and the population.
  if (doc.is_object() && doc.contains("districts")) {
    render::ReportTable t;
    t.caption = "Per district (indicators.csv holds every column at full precision)";
    std::vector<std::string> cols = {"population"};
    for (const auto& k : keys) cols.push_back(k);
    t.header = {"district"};
    t.numeric = {false};
    for (const auto& k : cols) {
      const auto d = defs.count(k) ? defs.at(k) : nlohmann::json::object();
      t.header.push_back(d.value("name", k) +
                         (d.contains("unit") ? " (" + d["unit"].get<std::string>() + ")" : ""));
      t.numeric.push_back(true);
    }
    auto row_of = [&](const nlohmann::json& r, const std::string& name) {
      std::vector<std::string> row = {name};
      for (const auto& k : cols) row.push_back(number_text(r.value(k, nlohmann::json(nullptr))));
      return row;
    };
    for (const auto& r : doc["districts"])
      t.rows.push_back(row_of(r, r.value("district_name", r.value("district_id", std::string()))));
    if (doc.contains("city")) t.rows.push_back(row_of(doc["city"], "all districts"));
    s.tables.push_back(std::move(t));
  }
  // Provenance: every layer behind the values.
  if (doc.is_object() && doc.contains("provenance") && doc["provenance"].contains("datasets")) {
    const auto& prov = doc["provenance"];
    render::ReportTable t;
    t.caption = "Provenance of the data (indicators.json holds it in full)";
    t.header = {"layer",  "kind",     "file",
                "source", "vintage",  "joined",
                "read",   "imported", "SHA-256 (first 12)"};
    t.numeric = {false, false, false, false, false, false, true, true, false};
    for (const auto& l : prov["datasets"]) {
      const std::string sha = l.value("sha256", std::string());
      const std::string join = l.value("join_table", std::string());
      t.rows.push_back(
          {l.value("layer", std::string()), l.value("kind", std::string()),
           fs::path(l.value("dataset", std::string())).filename().string(),
           l.value("source", std::string()), l.value("vintage", std::string()),
           join.empty() ? "" : join + " (" + l.value("join_vintage", std::string()) + ")",
           number_text(l.value("features_read", nlohmann::json(nullptr)), 1e6),
           number_text(l.value("features_imported", nlohmann::json(nullptr)), 1e6),
           sha.substr(0, 12)});
    }
    s.tables.push_back(std::move(t));
    if (prov.contains("population") && prov["population"].is_object()) {
      const auto& pop = prov["population"];
      s.paragraphs.push_back("Population: " + pop.value("method", std::string()) + " (layer " +
                             pop.value("layer", std::string()) + ", field " +
                             pop.value("field", std::string()) + "; " +
                             pop.value("source", std::string()) + ", " +
                             pop.value("vintage", std::string()) + ").");
    }
    s.paragraphs.push_back("Computed by " + prov.value("engine", std::string("strata")) + " at " +
                           prov.value("computed_at", std::string()) + " in " +
                           prov.value("crs", std::string()) + ".");
  }
  if (ind.contains("warnings"))
    for (const auto& w : ind["warnings"])
      s.paragraphs.push_back("Warning " + std::to_string(w.value("code", 0)) + " " +
                             w.value("name", std::string()) + ": " +
                             w.value("message", std::string()));
  return s;
}

render::ReportSection pipes_section(const io::Project& project, const nlohmann::json& summary,
                                    const fs::path& maps_dir, Observer& g, InputCache* cache,
                                    Output& out, std::string& text,
                                    std::vector<render::ReportFigure>& figures) {
  render::ReportSection s{"pipes", "Pipes", {}, {}, {}, {}};
  const auto& results = summary["analyses"]["pipes"];
  std::vector<ProjectNetwork> networks;
  try {
    networks = load_project_networks(project, cache);
  } catch (const std::exception& e) {
    problem(out, s, "pipe networks", e);
    return s;
  }
  render::ReportTable counts;
  counts.caption = "Findings per analysis (pipes/<name>.json holds each finding)";
  counts.header = {"analysis", "kind", "finding", "value"};
  counts.numeric = {false, false, false, true};
  std::int64_t total = 0;
  for (const auto& a : project.pipes->analyses) {
    if (!results.contains(a.name)) continue;
    const auto& r = results[a.name];
    for (const auto& [key, value] : r.items())
      if (value.is_number() && key != "kind")
        counts.rows.push_back({a.name, a.kind, key, number_text(value)});
    render::PipeMapSpec spec;
    spec.title = a.name + " (" + a.kind + ")";
    spec.subtitle = project.name;
    for (const auto& n : networks)
      if (std::find(a.networks.begin(), a.networks.end(), n.name) != a.networks.end())
        spec.networks.push_back(&n.network);
    if (r.contains("gpkg")) spec.findings.push_back(r["gpkg"].get<std::string>());
    for (const auto& [key, value] : a.options) {
      if (key == "dig" || key == "survey_area") spec.areas.push_back(value);
      if (key == "buildings" || key == "parcels") spec.context.push_back(value);
    }
    spec.notes.push_back(
        "Pipes coloured by utility (APWA colour code); points: findings of the analysis.");
    if (!networks.empty() && networks.front().crs) {
      spec.notes.push_back("CRS: " + *networks.front().crs);
      // The scale bar in metres whatever the networks' unit (US feet in some states' data).
      spec.metres_per_unit = Crs::from_user_input(*networks.front().crs).linear_unit_m();
    } else {
      spec.metres_per_unit = std::nullopt;  // .inp coordinates without a CRS: no scale bar
    }
    const std::string stem = "pipes_" + a.name;
    stage(g, "map " + stem);
    try {
      const auto m = render::build_pipe_map(spec);
      for (const auto& [kind, n] : m.findings_by_kind) total += n;  // what the maps show
      const std::vector<std::string> files = {(maps_dir / (stem + ".png")).string(),
                                              (maps_dir / (stem + ".svg")).string()};
      out.maps.push_back(
          {{"name", stem},
           {"analysis", a.name},
           {"pipes_by_utility", m.pipes_by_utility},
           {"findings_by_kind", m.findings_by_kind},
           {"files", draw_map_files(m.map, files, project.report.width, project.report.height)}});
      s.images.push_back(
          {files[0], spec.title + ": pipes by utility and the findings", "map-" + stem});
      text += "  map " + files[0] + "\n";
    } catch (const std::exception& e) {
      problem(out, s, "map " + stem, e);
    }
  }
  figures.push_back({"pipe findings on the maps (all analyses)",
                     number_text(nlohmann::json(total), 1e6), "fig-pipe-findings"});
  s.tables.push_back(std::move(counts));
  return s;
}

render::ReportSection scene_section(const io::Project& project, const fs::path& scenes_dir,
                                    Observer& g, Output& out, std::string& text) {
  render::ReportSection s{"scenes", "3D views", {}, {}, {}, {}};
  struct View {
    std::string name, caption;
    std::vector<std::string> args;
  };
  std::vector<View> views = {
      {"units_by_baunit",
       "Buildings with their registered units, one colour per BAUnit",
       {"--colour-by", "baunit"}},
      {"units_by_validation",
       "Units by validation status (green valid, orange 8xx finding, red invalid geometry)",
       {"--colour-by", "validation"}},
      {"storeys_exploded",
       "The buildings with registered units, storeys pulled apart by 3 m, one colour per BAUnit",
       {"--colour-by", "baunit", "--explode", "3", "--elevation", "25", "--units-only"}},
  };
  if (project.pipes && !project.pipes->networks.empty())
    views.push_back(
        {"underground",
         "Underground cut-away: pipes by utility below the see-through ground grid (drawn at "
         "least 0.8 m thick, depths ×5), buildings above; pipes within 20 m of the buildings",
         {"--colour-by", "plain", "--cutaway", "--project-pipes", "--elevation", "30",
          "--min-pipe-diameter", "0.8", "--depth-exaggeration", "5"}});
  for (const auto& v : views) {
    const fs::path file = scenes_dir / (v.name + ".png");
    std::vector<std::string> args = {
        "--store", project.file.string(), "--out", file.string(), "--width", "1280", "--height",
        "900"};
    args.insert(args.end(), v.args.begin(), v.args.end());
    const auto findings = project.output / "units" / "report.json";
    if (v.name == "units_by_validation" && fs::exists(findings))
      args.insert(args.end(), {"--findings", findings.string()});
    stage(g, "3D view " + v.name);
    const auto doc = render_scene_in_child(args);
    if (doc.value("ok", false) && doc.contains("result")) {
      auto r = doc["result"];
      if (v.name == "underground" && r.value("pipes", 0) == 0) {
        s.paragraphs.push_back(
            "No pipe of the project passes within 20 m of the buildings: no "
            "underground view.");
        std::error_code ec;
        fs::remove(file, ec);
        continue;
      }
      r["name"] = v.name;
      out.scenes.push_back(r);
      s.images.push_back({file, v.caption, "scene-" + v.name});
      text += "  3D view " + file.string() + "\n";
    } else {
      const nlohmann::json e = doc.value("error", nlohmann::json::object());
      out.problems.push_back({{"what", "3D view " + v.name},
                              {"code", e.value("code", 985)},
                              {"message", e.value("message", std::string())}});
      s.problems.push_back("3D view " + v.name + ": error " + std::to_string(e.value("code", 985)) +
                           ": " + e.value("message", std::string()));
    }
  }
  return s;
}

render::ReportSection units_section(const nlohmann::json& r,
                                    std::vector<render::ReportFigure>& figures) {
  render::ReportSection s{"units", "3D ownership model", {}, {}, {}, {}};
  render::ReportTable t;
  t.caption =
      "The model (units/model.city.json; saved into the store as buildings_3d, "
      "building_storeys, legal_spaces)";
  t.header = {"what", "count"};
  t.numeric = {false, true};
  for (const char* key : {"buildings", "footprints_rejected", "baunits", "generated_units",
                          "storeys", "legal_spaces", "parties", "rights"})
    if (r.contains(key)) t.rows.push_back({key, number_text(r[key], 1e6)});
  s.tables.push_back(std::move(t));
  render::ReportTable codes;
  codes.caption =
      "Cadastral checks (8xx, docs/validation.md): findings by code (units/report.json lists each)";
  codes.header = {"code", "name", "findings"};
  codes.numeric = {true, false, true};
  std::int64_t total = 0;
  if (r.contains("errors_by_code"))
    for (const auto& [code, e] : r["errors_by_code"].items()) {
      codes.rows.push_back({code, e.value("name", std::string()),
                            number_text(e.value("count", nlohmann::json(nullptr)), 1e6)});
      total += e.value("count", std::int64_t{0});
    }
  if (codes.rows.empty()) s.paragraphs.push_back("Every cadastral check passed.");
  s.tables.push_back(std::move(codes));
  figures.push_back({"registered units (BAUnits)",
                     number_text(r.value("baunits", nlohmann::json(0)), 1e6), "fig-baunits"});
  figures.push_back(
      {"cadastral findings (8xx)", number_text(nlohmann::json(total), 1e6), "fig-8xx"});
  s.paragraphs.push_back(
      "Party names and identity numbers are not shown; rights carry party references only.");
  return s;
}

render::ReportSection validation_section(io::Store* store, const nlohmann::json& summary,
                                         std::vector<render::ReportFigure>& figures) {
  render::ReportSection s{"validation", "Import and validation", {}, {}, {}, {}};
  render::ReportTable layers;
  layers.caption = "Layers imported";
  layers.header = {"layer", "read", "imported", "repaired", "rejected"};
  layers.numeric = {false, true, true, true, true};
  std::int64_t read = 0, rejected = 0;
  if (summary.contains("import") && summary["import"].contains("layers"))
    for (const auto& l : summary["import"]["layers"]) {
      const auto& p = l.contains("provenance") ? l["provenance"] : l;
      read += p.value("features_read", std::int64_t{0});
      rejected += p.value("features_rejected", std::int64_t{0});
      layers.rows.push_back(
          {p.value("layer", std::string()),
           number_text(p.value("features_read", nlohmann::json(nullptr)), 1e6),
           number_text(p.value("features_imported", nlohmann::json(nullptr)), 1e6),
           number_text(p.value("features_repaired", nlohmann::json(nullptr)), 1e6),
           number_text(p.value("features_rejected", nlohmann::json(nullptr)), 1e6)});
    }
  figures.push_back({"features read", number_text(nlohmann::json(read), 1e6), "fig-features-read"});
  figures.push_back({"features rejected (import_report.csv)",
                     number_text(nlohmann::json(rejected), 1e6), "fig-features-rejected"});
  s.tables.push_back(std::move(layers));
  if (store) {
    std::map<std::pair<int, std::string>, std::map<std::string, int>>
        by_code;  // code -> status -> n
    for (const auto& issue : store->issues())
      ++by_code[{static_cast<int>(issue.code), std::string(error_name(issue.code))}]
               [std::string(status_name(issue.status))];
    render::ReportTable codes;
    codes.caption =
        "Issues by code (docs/error-codes.md; one row per feature in import_report.csv)";
    codes.header = {"code", "name", "rejected", "repaired", "warning"};
    codes.numeric = {true, false, true, true, true};
    for (const auto& [code, statuses] : by_code) {
      auto n = [&](const char* k) {
        auto it = statuses.find(k);
        return std::to_string(it == statuses.end() ? 0 : it->second);
      };
      codes.rows.push_back(
          {std::to_string(code.first), code.second, n("rejected"), n("repaired"), n("warning")});
    }
    if (codes.rows.empty()) s.paragraphs.push_back("No feature was rejected, repaired or flagged.");
    s.tables.push_back(std::move(codes));
  }
  return s;
}

}  // namespace

nlohmann::json write_project_report(const io::Project& project, io::Store* store,
                                    const nlohmann::json& summary, bool html, Observer& g,
                                    InputCache* cache, std::string& text) {
  Output out;
  const fs::path maps_dir = project.output / "maps", scenes_dir = project.output / "scenes";
  // Images of an earlier run would sit beside the report as if this run had drawn them.
  for (const auto& dir : {maps_dir, scenes_dir}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.path().extension() == ".png" || entry.path().extension() == ".svg")
        fs::remove(entry.path(), ec);
  }
  render::Report report;
  // Any section that fails is reported in the page, the others are still drawn.
  auto guarded = [&](const std::string& what, const std::string& id, const std::string& title,
                     const std::function<render::ReportSection()>& make) {
    try {
      report.sections.push_back(make());
    } catch (const std::exception& e) {
      render::ReportSection s{id, title, {}, {}, {}, {}};
      problem(out, s, what, e);
      report.sections.push_back(std::move(s));
    }
  };
  // A Chinese title gets the Traditional Chinese language tag (browsers pick the glyphs by it).
  report.lang = std::any_of(project.name.begin(), project.name.end(),
                            [](char c) { return static_cast<unsigned char>(c) >= 0xE0; })
                    ? "zh-Hant"
                    : "en";
  report.title = project.report.title.empty() ? project.name : project.report.title;
  report.subtitle = "strata " + version() + " · run of " + project.file.filename().string() +
                    " · " + summary.value("started_at", std::string());
  guarded("import summary", "validation", "Import and validation",
          [&] { return validation_section(store, summary, report.figures); });
  const nlohmann::json analyses = summary.value("analyses", nlohmann::json::object());
  if (analyses.contains("units"))
    guarded("ownership model", "units", "3D ownership model",
            [&] { return units_section(analyses["units"], report.figures); });
  if (analyses.contains("indicators"))
    guarded("indicators", "indicators", "Indicators", [&] {
      fs::create_directories(maps_dir);
      return indicator_section(project, summary, maps_dir, g, out, text, report.figures);
    });
  if (analyses.contains("pipes") && project.pipes)
    guarded("pipe maps", "pipes", "Pipes", [&] {
      fs::create_directories(maps_dir);
      return pipes_section(project, summary, maps_dir, g, cache, out, text, report.figures);
    });
  bool has_3d = false;
  if (store)
    for (const auto& l : store->layers())
      has_3d = has_3d || l.provenance.kind == "building_3d" || l.provenance.kind == "legal_space";
  if (store && has_3d && project.report.scenes)
    guarded("3D views", "scenes", "3D views", [&] {
      fs::create_directories(scenes_dir);
      return scene_section(project, scenes_dir, g, out, text);
    });
  if (summary.contains("exports")) {
    render::ReportSection s{"exports", "Exports", {}, {}, {}, {}};
    render::ReportTable t;
    t.header = {"plugin", "profile", "file", "result"};
    for (const auto& e : summary["exports"]) {
      std::string result = "written";
      if (e.contains("error") && e["error"].is_object())
        result = "FAILED: error " + std::to_string(e["error"].value("code", 0)) + ": " +
                 e["error"].value("message", std::string());
      else if (e.contains("files") && e["files"].is_array())
        result = std::to_string(e["files"].size()) + " file(s) written";
      t.rows.push_back({e.value("plugin", e.value("to", std::string())),
                        e.value("profile", std::string()),
                        fs::path(e.value("output", std::string())).filename().string(), result});
    }
    s.tables.push_back(std::move(t));
    report.sections.push_back(std::move(s));
  }
  report.footer = {"Project file: " + project.file.string(), "Store: " + project.store.string(),
                   "CRS: " + project.crs,
                   "Party names and identity numbers are never shown in this report.",
                   "Written by strata " + version() + " at " + utc_now_iso8601()};
  nlohmann::json result = {{"maps", out.maps}, {"scenes", out.scenes}, {"problems", out.problems}};
  if (html) {
    stage(g, "report");
    const fs::path path = project.output / "report.html";
    try {
      const auto bytes = render::write_report_html(report, path);
      result["report"] = path.string();
      result["report_bytes"] = bytes;
      text += "  report " + path.string() + "\n";
    } catch (const std::exception& e) {
      render::ReportSection unused;
      problem(out, unused, "report.html", e);
      result["problems"] = out.problems;
    }
  }
  return result;
}

}  // namespace strata::engine
