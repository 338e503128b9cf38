#include "strata/io/project_file.h"
#include "strata/io/store.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <set>
#include <sstream>

#include "strata/core/crs.h"
#include "strata/core/error.h"
#include "strata/core/kind_schema.h"
#include "strata/core/ladm.h"

namespace strata::io {

const std::vector<std::string>& known_analyses() {
  static const std::vector<std::string> a = {"population_by_district", "indicators", "pipes",
                                             "units"};
  return a;
}
const std::vector<std::string>& known_pipe_analyses() {
  static const std::vector<std::string> k = {"clearance", "excavation", "cover",  "detection",
                                             "isolate",   "buildings",  "parcels"};
  return k;
}
const std::vector<std::string>& known_indicator_outputs() {
  static const std::vector<std::string> o = {"json", "csv", "markdown", "gpkg"};
  return o;
}
const std::vector<std::string>& known_outputs() {
  static const std::vector<std::string> o = {"summary", "import_report", "maps", "report"};
  return o;
}

std::optional<double> IndicatorSpec::number(const std::string& parameter) const {
  auto it = parameters.find(parameter);
  return it == parameters.end() ? std::nullopt : it->second.number;
}
std::string IndicatorSpec::text(const std::string& parameter) const {
  auto it = parameters.find(parameter);
  return it == parameters.end() ? std::string() : it->second.text;
}
std::vector<std::string> IndicatorSpec::list(const std::string& parameter) const {
  if (auto it = parameters.find(parameter); it != parameters.end()) return it->second.list;
  if (const Indicator* i = indicator_with_parameter(parameter))
    for (const auto& p : i->parameters)
      if (p.name == parameter) return p.default_list;
  return {};
}

const LayerSpec* Project::find_layer(const std::string& n) const {
  for (const auto& l : layers)
    if (l.name == n) return &l;
  return nullptr;
}
const TableSpec* Project::find_table(const std::string& n) const {
  for (const auto& t : tables)
    if (t.name == n) return &t;
  return nullptr;
}

std::optional<std::string> layer_name_problem(const std::string& name) {
  static const std::regex ident("[a-z][a-z0-9_]{0,62}");
  if (!std::regex_match(name, ident))
    return "layer name '" + name +
           "' must be lower-case letters, digits and _ (it names a store table)";
  for (const char* reserved : {"strata_", "gpkg_", "rtree_", "sqlite_"})
    if (name.rfind(reserved, 0) == 0)
      return "layer name '" + name + "' uses a reserved prefix (strata_, gpkg_, rtree_, sqlite_)";
  return std::nullopt;
}

std::optional<std::string> field_mapping_problem(const std::string& kind_name,
                                                 const std::string& canonical,
                                                 const std::vector<std::string>& sources) {
  const KindSpec* kind = find_kind(kind_name);
  if (!kind) return "unknown kind '" + kind_name + "'";
  const FieldSpec* spec = kind->find(canonical);
  if (!spec) {
    std::string list;
    for (const auto& f : kind->fields) list += std::string(list.empty() ? "" : ", ") + f.name;
    return "'" + canonical + "' is not a field of kind '" + kind_name + "' (fields: " + list + ")";
  }
  if (sources.empty()) return canonical + " maps to no source field";
  if (sources.size() > 1 && spec->type == FieldType::kText)
    return canonical + " is text: map it to one source field, not several";
  return std::nullopt;
}

std::optional<std::string> project_crs_problem(const std::string& crs_text) {
  try {
    Crs crs = Crs::from_user_input(crs_text);
    if (crs.is_geographic())
      return "the project CRS must be projected (areas are computed in it); " + crs.label() +
             " is geographic. Taiwan: EPSG:3826 (TWD97 / TM2 zone 121)";
    // Areas and lengths are converted to m² and m from the CRS's unit; one PROJ cannot name
    // would make every figure a guess.
    if (!crs.linear_unit_m())
      return "the project CRS " + crs.label() +
             " has no linear unit PROJ can tell (metres or feet), so no area or length could be "
             "given in metres; use an EPSG code";
  } catch (const StrataError& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

class Loader {
 public:
  explicit Loader(std::filesystem::path file)
      : file_(std::move(file)), base_(std::filesystem::absolute(file_).parent_path()) {}

  [[noreturn]] void fail(int line, const std::string& what) const {
    std::string where = file_.string() + (line > 0 ? ":" + std::to_string(line) : "");
    throw StrataError(ErrorCode::kProjectFile, where + ": " + what);
  }
  [[noreturn]] void fail(const toml::node& node, const std::string& what) const {
    fail(static_cast<int>(node.source().begin.line), what);
  }

  void allow_keys(const toml::table& t, std::initializer_list<std::string_view> keys,
                  const std::string& context) const {
    allow_keys(t, std::vector<std::string>(keys.begin(), keys.end()), context);
  }
  void allow_keys(const toml::table& t, const std::vector<std::string>& keys,
                  const std::string& context) const {
    for (auto&& [k, v] : t) {
      if (std::find(keys.begin(), keys.end(), k.str()) == keys.end()) {
        std::string list;
        for (auto key : keys) list += std::string(list.empty() ? "" : ", ") + std::string(key);
        fail(v, "unknown key '" + std::string(k.str()) + "' in " + context + " (allowed: " + list +
                    ")");
      }
    }
  }

  std::string text(const toml::table& t, std::string_view key, const std::string& context,
                   bool required, std::string fallback = {}) const {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required)
        fail(static_cast<int>(t.source().begin.line),
             context + " needs '" + std::string(key) + "'");
      return fallback;
    }
    if (!n->is_string()) fail(*n, "'" + std::string(key) + "' in " + context + " must be a string");
    return std::string(*n->value<std::string>());
  }

  std::vector<std::string> string_list(const toml::node& n, const std::string& what) const {
    std::vector<std::string> out;
    if (n.is_string()) {
      out.push_back(*n.value<std::string>());
    } else if (const auto* arr = n.as_array()) {
      for (const auto& item : *arr) {
        if (!item.is_string()) fail(item, what + " must be a string or a list of strings");
        out.push_back(*item.value<std::string>());
      }
      if (out.empty()) fail(n, what + " must not be empty");
    } else {
      fail(n, what + " must be a string or a list of strings");
    }
    return out;
  }

  std::filesystem::path resolve(const std::string& raw, const toml::node& node) const {
    // ${NAME} expands an environment variable, so shared data can live outside the project.
    static const std::regex var(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\})");
    std::string out;
    auto begin = std::sregex_iterator(raw.begin(), raw.end(), var);
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      out += raw.substr(last, static_cast<std::size_t>(it->position()) - last);
      const char* value = std::getenv((*it)[1].str().c_str());
      if (!value)
        fail(node, "path '" + raw + "' uses ${" + (*it)[1].str() +
                       "}, which is not set in the environment");
      out += value;
      last = static_cast<std::size_t>(it->position() + it->length());
    }
    out += raw.substr(last);
    std::filesystem::path p(out);
    if (p.is_relative()) p = base_ / p;  // relative to the project file, wherever strata runs
    return p.lexically_normal();
  }

  Project load() {
    toml::table root;
    try {
      root = toml::parse_file(file_.string());
    } catch (const toml::parse_error& e) {
      if (!std::filesystem::exists(file_)) fail(0, "project file not found");
      fail(static_cast<int>(e.source().begin.line),
           std::string("not valid TOML: ") + std::string(e.description()));
    }
    Project p;
    p.file = std::filesystem::absolute(file_);
    allow_keys(root,
               {"project", "tables", "layers", "indicators", "pipes", "exports", "plugins",
                "report", "units"},
               "the project file");

    const toml::table* proj = root["project"].as_table();
    if (!proj) fail(1, "missing [project] table (name, crs, store, output)");
    allow_keys(*proj, {"name", "crs", "store", "output", "analyses", "outputs"}, "[project]");
    p.name = text(*proj, "name", "[project]", true);
    p.crs = text(*proj, "crs", "[project]", false, "EPSG:3826");
    if (auto problem = project_crs_problem(p.crs))
      fail(proj->get("crs") ? *proj->get("crs") : static_cast<const toml::node&>(*proj), *problem);
    {
      const std::string store = text(*proj, "store", "[project]", false, "strata.gpkg");
      // Checked as written: resolving it against the project's folder would hide the scheme.
      if (is_database_connection(store))
        fail(*proj->get("store"), "store '" + store +
                                      "' is a database connection, not a GeoPackage file: this "
                                      "strata stores into a GeoPackage (.gpkg) only; a "
                                      "PostgreSQL/PostGIS store is not available yet");
      p.store = resolve(store, *proj);
    }
    p.output = resolve(text(*proj, "output", "[project]", false, "output"), *proj);

    if (const toml::node* tables = root.get("tables")) {
      const auto* arr = tables->as_array();
      if (!arr) fail(*tables, "'tables' must be an array of tables ([[tables]])");
      for (const auto& node : *arr) p.tables.push_back(table_spec(node));
    }
    for (const auto& t : p.tables) {
      if (std::count_if(p.tables.begin(), p.tables.end(),
                        [&](auto& o) { return o.name == t.name; }) > 1)
        fail(t.line, "table name '" + t.name + "' is used twice");
      if (t.lookup && !p.find_table(t.lookup->table))
        fail(t.line, "table '" + t.name + "' looks up unknown table '" + t.lookup->table + "'");
      if (t.lookup && t.lookup->table == t.name)
        fail(t.line, "table '" + t.name + "' looks itself up");
    }

    const toml::node* layers = root.get("layers");
    if (!layers) fail(1, "no [[layers]] given: name at least one layer to ingest");
    const auto* larr = layers->as_array();
    if (!larr) fail(*layers, "'layers' must be an array of tables ([[layers]])");
    for (const auto& node : *larr) p.layers.push_back(layer_spec(node));
    std::set<std::string> seen;
    for (const auto& l : p.layers) {
      if (!seen.insert(l.name).second) fail(l.line, "layer name '" + l.name + "' is used twice");
      if (l.join && !p.find_table(l.join->table))
        fail(l.join->line, "layer '" + l.name + "' joins unknown table '" + l.join->table + "'");
    }

    if (const toml::node* a = proj->get("analyses")) {
      p.analyses = string_list(*a, "'analyses'");
      for (const auto& name : p.analyses)
        if (std::find(known_analyses().begin(), known_analyses().end(), name) ==
            known_analyses().end())
          fail(*a, "unknown analysis '" + name +
                       "' (this version has: " + joined(known_analyses()) + ")");
    }
    if (std::find(p.analyses.begin(), p.analyses.end(), "population_by_district") !=
            p.analyses.end() &&
        std::none_of(p.layers.begin(), p.layers.end(),
                     [](const LayerSpec& l) { return l.kind == "district"; }))
      fail(*proj->get("analyses"),
           "analysis population_by_district needs a layer of kind district");
    if (const toml::node* ind = root.get("indicators")) p.indicators = indicator_spec(*ind, p);
    if (std::find(p.analyses.begin(), p.analyses.end(), "indicators") != p.analyses.end() &&
        !p.indicators)
      fail(*proj->get("analyses"),
           "analysis indicators needs an [indicators] section (districts, green, paving)");
    if (const toml::node* pipes = root.get("pipes")) p.pipes = pipes_spec(*pipes);
    if (std::find(p.analyses.begin(), p.analyses.end(), "pipes") != p.analyses.end() &&
        (!p.pipes || p.pipes->analyses.empty()))
      fail(*proj->get("analyses"),
           "analysis pipes needs a [pipes] section with [[pipes.networks]] and [[pipes.analyses]]");
    if (const toml::node* o = proj->get("outputs")) {
      p.outputs = string_list(*o, "'outputs'");
      for (const auto& name : p.outputs)
        if (std::find(known_outputs().begin(), known_outputs().end(), name) ==
            known_outputs().end())
          fail(*o,
               "unknown output '" + name + "' (this version has: " + joined(known_outputs()) + ")");
    } else {
      p.outputs = {"summary"};
    }
    if (const toml::node* r = root.get("report")) p.report = report_spec(*r);
    if (const toml::node* u = root.get("units")) p.units = units_spec(*u);
    if (std::find(p.analyses.begin(), p.analyses.end(), "units") != p.analyses.end() && !p.units)
      fail(*proj->get("analyses"),
           "analysis units needs a [units] section (footprints, registry, id_field, heights)");
    if (const toml::node* pl = root.get("plugins")) {
      const auto* t = pl->as_table();
      if (!t) fail(*pl, "[plugins] must be a table (paths = [...])");
      allow_keys(*t, {"paths"}, "[plugins]");
      if (const toml::node* paths = t->get("paths"))
        for (const auto& dir : string_list(*paths, "[plugins] paths"))
          p.plugin_paths.push_back(resolve(dir, *paths));
    }
    if (const toml::node* ex = root.get("exports")) {
      const auto* arr = ex->as_array();
      if (!arr) fail(*ex, "'exports' must be an array of tables ([[exports]])");
      for (const auto& node : *arr) p.exports.push_back(export_spec(node, p));
    }
    return p;
  }

 private:
  // [units]: the options of `strata units build` (or `units generate` without a registry).
  UnitsSpec units_spec(const toml::node& node) const {
    const auto* t = node.as_table();
    if (!t) fail(node, "[units] must be a table");
    static const std::set<std::string_view> allowed = {
        "footprints",   "registry",      "layer",         "id_field",    "height",
        "height_field", "storeys_field", "storey_height", "base_field",  "terrain",
        "crs",          "profile",       "area_tol",      "overlap_tol", "as_of"};
    UnitsSpec u;
    u.line = static_cast<int>(node.source().begin.line);
    for (auto&& [k, v] : *t) {
      const std::string key(k.str());
      if (!allowed.count(key)) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(v, "unknown key '" + key + "' in [units] (allowed: " + list + ")");
      }
      const auto values = option_values(v, "[units] " + key);
      if (values.size() != 1) fail(v, "[units] " + key + " takes one value");
      if (key == "footprints")
        u.footprints = resolve(values.front(), v);
      else if (key == "registry")
        u.registry = resolve(values.front(), v);
      else if (key == "terrain")
        u.options.emplace_back(key, resolve(values.front(), v).string());
      else
        u.options.emplace_back(key, values.front());
    }
    if (u.footprints.empty()) fail(node, "[units] needs 'footprints' (the buildings' outlines)");
    return u;
  }

  ReportSpec report_spec(const toml::node& node) const {
    const auto* t = node.as_table();
    if (!t) fail(node, "[report] must be a table");
    allow_keys(*t,
               {"title", "maps", "classes", "class_count", "palette", "scenes", "width", "height"},
               "[report]");
    ReportSpec r;
    r.title = text(*t, "title", "[report]", false);
    if (const toml::node* m = t->get("maps")) r.maps = string_list(*m, "[report] maps");
    r.classes = text(*t, "classes", "[report]", false, r.classes);
    if (r.classes != "quantile" && r.classes != "natural" && r.classes != "equal")
      fail(*t->get("classes"), "[report] classes must be quantile, natural or equal");
    r.palette = text(*t, "palette", "[report]", false, r.palette);
    auto integer = [&](const char* key, int lo, int hi, int fallback) {
      const toml::node* n = t->get(key);
      if (!n) return fallback;
      if (!n->is_integer() || *n->value<std::int64_t>() < lo || *n->value<std::int64_t>() > hi)
        fail(*n, std::string("[report] ") + key + " must be an integer from " + std::to_string(lo) +
                     " to " + std::to_string(hi));
      return static_cast<int>(*n->value<std::int64_t>());
    };
    r.class_count = integer("class_count", 1, 9, r.class_count);
    r.width = integer("width", 300, 8000, r.width);
    r.height = integer("height", 240, 8000, r.height);
    if (const toml::node* sc = t->get("scenes")) {
      if (!sc->is_boolean()) fail(*sc, "[report] scenes must be true or false");
      r.scenes = *sc->value<bool>();
    }
    return r;
  }

  // A scalar option as the command line would take it; a list gives one value per item.
  std::vector<std::string> option_values(const toml::node& v, const std::string& what) const {
    std::vector<std::string> out;
    auto one = [&](const toml::node& n) {
      if (auto s = n.value<std::string>())
        out.push_back(*s);
      else if (n.is_integer())
        out.push_back(std::to_string(*n.value<std::int64_t>()));
      else if (n.is_floating_point()) {
        std::ostringstream f;
        f.precision(17);
        f << *n.value<double>();
        out.push_back(f.str());
      } else
        fail(n, what + " must be a string, a number or a list of them");
    };
    if (const auto* arr = v.as_array())
      for (const auto& item : *arr) one(item);
    else
      one(v);
    return out;
  }

  // Keys that name files: resolved against the project file, like layer paths.
  static bool is_path_key(std::string_view key) {
    static const std::set<std::string_view> keys = {"file",    "rules",       "dem",    "dig",
                                                    "survey",  "survey_area", "valves", "buildings",
                                                    "parcels", "restrictions"};
    return keys.count(key) > 0;
  }

  ExportSpec export_spec(const toml::node& node, const Project& p) {
    const auto* t = node.as_table();
    if (!t) fail(node, "[[exports]] must be tables");
    allow_keys(
        *t, {"to", "path", "profile", "layers", "options", "results", "pipes", "allow_attributes"},
        "[[exports]]");
    ExportSpec e;
    e.line = static_cast<int>(node.source().begin.line);
    e.to = text(*t, "to", "[[exports]]", true);
    if (const toml::node* path = t->get("path")) {
      auto s = path->value<std::string>();
      if (!s || s->empty()) fail(*path, "[[exports]] " + e.to + " path must be a file name");
      // Exports are outputs: a relative path lies in the output folder.
      e.path = std::filesystem::path(*s);
      if (e.path.is_relative()) e.path = p.output / e.path;
    }
    e.profile = text(*t, "profile", "[[exports]] " + e.to, false, "planner");
    if (const toml::node* layers = t->get("layers"))
      e.layers = string_list(*layers, "[[exports]] " + e.to + " layers");
    if (const toml::node* allow = t->get("allow_attributes"))
      e.allow_attributes = string_list(*allow, "[[exports]] " + e.to + " allow_attributes");
    for (const auto& l : e.layers)
      if (!p.find_layer(l) && l != "buildings_3d" && l != "building_storeys" && l != "legal_spaces")
        fail(*t->get("layers"), "[[exports]] " + e.to + " names unknown layer '" + l + "'");
    for (const char* key : {"results", "pipes"})
      if (const toml::node* b = t->get(key)) {
        auto v = b->value<bool>();
        if (!v) fail(*b, "[[exports]] " + e.to + " " + key + " must be true or false");
        (std::string_view(key) == "results" ? e.results : e.pipes) = *v;
      }
    if (const toml::node* o = t->get("options")) {
      const auto* ot = o->as_table();
      if (!ot) fail(*o, "[[exports]] " + e.to + " options must be a table { name = value }");
      for (const auto& [k, v] : *ot) {
        const std::string what = "[[exports]] " + e.to + " option " + std::string(k.str());
        if (auto b = v.value<bool>(); v.is_boolean() && b)
          e.options[std::string(k.str())] = *b ? "true" : "false";
        else
          e.options[std::string(k.str())] = option_values(v, what).at(0);
      }
    }
    return e;
  }

  PipesSpec pipes_spec(const toml::node& node) {
    const auto* t = node.as_table();
    if (!t) fail(node, "[pipes] must be a table");
    allow_keys(*t, {"rules", "crs", "dem", "ground_z", "networks", "analyses"}, "[pipes]");
    PipesSpec spec;
    spec.line = static_cast<int>(t->source().begin.line);
    for (auto&& [k, v] : *t) {
      if (k.str() == "networks" || k.str() == "analyses") continue;
      for (const auto& value : option_values(v, "[pipes] " + std::string(k.str())))
        spec.settings.emplace_back(std::string(k.str()),
                                   is_path_key(k.str()) ? resolve(value, v).string() : value);
    }
    const auto* nets = t->get("networks") ? t->get("networks")->as_array() : nullptr;
    if (!nets || nets->empty()) fail(*t, "[pipes] needs [[pipes.networks]] (name, file, ...)");
    std::set<std::string> names;
    for (const auto& n : *nets) {
      const auto* nt = n.as_table();
      if (!nt) fail(n, "[[pipes.networks]] must be tables");
      allow_keys(*nt,
                 {"name", "file", "layer", "utility", "utility_field", "id_field", "diameter_field",
                  "diameter_unit", "depth_field", "owner_field", "material_field", "year_field",
                  "heights", "invert_fields"},
                 "[[pipes.networks]]");
      PipeNetworkSpec net;
      net.line = static_cast<int>(nt->source().begin.line);
      net.name = text(*nt, "name", "[[pipes.networks]]", true);
      if (!names.insert(net.name).second) fail(n, "pipe network '" + net.name + "' is named twice");
      net.file = resolve(text(*nt, "file", "[[pipes.networks]] " + net.name, true), n);
      for (auto&& [k, v] : *nt)
        if (k.str() != "name" && k.str() != "file")
          net.options.emplace_back(std::string(k.str()),
                                   text(*nt, k.str(), "[[pipes.networks]] " + net.name, true));
      spec.networks.push_back(std::move(net));
    }
    const auto* runs = t->get("analyses") ? t->get("analyses")->as_array() : nullptr;
    if (!runs || runs->empty()) fail(*t, "[pipes] needs [[pipes.analyses]] (name, kind, networks)");
    std::set<std::string> run_names;
    for (const auto& n : *runs) {
      const auto* at = n.as_table();
      if (!at) fail(n, "[[pipes.analyses]] must be tables");
      PipeAnalysisSpec a;
      a.line = static_cast<int>(at->source().begin.line);
      a.name = text(*at, "name", "[[pipes.analyses]]", true);
      if (!run_names.insert(a.name).second)
        fail(n, "pipe analysis '" + a.name + "' is named twice");
      if (auto problem = layer_name_problem(a.name))
        fail(n, "pipe analysis name '" + a.name + "': " + *problem);
      a.kind = text(*at, "kind", "[[pipes.analyses]] " + a.name, true);
      if (std::find(known_pipe_analyses().begin(), known_pipe_analyses().end(), a.kind) ==
          known_pipe_analyses().end())
        fail(*at->get("kind"),
             "unknown pipe analysis kind '" + a.kind + "' (" + joined(known_pipe_analyses()) + ")");
      const toml::node* nn = at->get("networks");
      if (!nn) fail(n, "[[pipes.analyses]] " + a.name + " needs 'networks'");
      a.networks = string_list(*nn, "[[pipes.analyses]] " + a.name + " networks");
      for (const auto& name : a.networks)
        if (!names.count(name))
          fail(*nn, "[[pipes.analyses]] " + a.name + " names unknown network '" + name + "'");
      for (auto&& [k, v] : *at) {
        if (k.str() == "name" || k.str() == "kind" || k.str() == "networks") continue;
        if (k.str() == "gpkg" || k.str() == "json")
          fail(v, "[[pipes.analyses]] " + a.name + ": outputs go to the project's output folder");
        for (const auto& value :
             option_values(v, "[[pipes.analyses]] " + a.name + " " + std::string(k.str())))
          a.options.emplace_back(std::string(k.str()),
                                 is_path_key(k.str()) ? resolve(value, v).string() : value);
      }
      spec.analyses.push_back(std::move(a));
    }
    return spec;
  }

  IndicatorSpec indicator_spec(const toml::node& node, const Project& p) {
    const auto* t = node.as_table();
    if (!t) fail(node, "[indicators] must be a table");
    std::vector<std::string> keys = {"districts", "population", "breakdown", "compute", "outputs"};
    for (const auto& i : indicators()) {
      keys.push_back(i.key);
      for (const auto& param : i.parameters) keys.push_back(param.name);
    }
    allow_keys(*t, keys, "[indicators]");
    IndicatorSpec s;
    s.line = static_cast<int>(t->source().begin.line);
    auto layer_of = [&](const std::string& name, const toml::node& at,
                        const std::vector<std::string>& kinds, const std::string& role) {
      const LayerSpec* l = p.find_layer(name);
      if (!l) fail(at, "[indicators] " + role + " names unknown layer '" + name + "'");
      if (std::find(kinds.begin(), kinds.end(), l->kind) == kinds.end()) {
        std::string list;
        for (auto k : kinds) list += std::string(list.empty() ? "" : " or ") + std::string(k);
        fail(at, "[indicators] " + role + ": layer '" + name + "' is of kind " + l->kind +
                     ", expected " + list);
      }
      return l;
    };
    s.districts = text(*t, "districts", "[indicators]", true);
    layer_of(s.districts, *t->get("districts"), {"district"}, "districts");
    s.population = text(*t, "population", "[indicators]", false, s.districts);
    if (s.population != s.districts)
      layer_of(s.population, *t->get("population"), {"village"}, "population");
    s.breakdown = text(*t, "breakdown", "[indicators]", false);
    if (!s.breakdown.empty()) layer_of(s.breakdown, *t->get("breakdown"), {"village"}, "breakdown");
    for (const auto& info : indicators()) {
      const toml::node* n = t->get(info.key);
      if (!n) continue;
      const std::string role = "[indicators] " + info.key;
      auto& list = s.groups[info.key];
      auto add = [&](const toml::node& item) {
        LayerSelection sel;
        sel.line = static_cast<int>(item.source().begin.line);
        if (item.is_string()) {
          sel.layer = *item.value<std::string>();
        } else if (const auto* st = item.as_table()) {
          allow_keys(*st, {"layer", "field", "values", "min", "max"}, role + " entry");
          sel.layer = text(*st, "layer", role + " entry", true);
          sel.field = text(*st, "field", role + " entry", false);
          if (const toml::node* v = st->get("values"))
            sel.values = string_list(*v, role + " values");
          for (const char* bound : {"min", "max"}) {
            const toml::node* b = st->get(bound);
            if (!b) continue;
            auto v = b->value<double>();
            if (!v || !std::isfinite(*v)) fail(*b, role + ": " + bound + " must be a number");
            (std::string_view(bound) == "min" ? sel.min : sel.max) = *v;
          }
          const bool range = sel.min || sel.max;
          if (sel.field.empty() != (sel.values.empty() && !range))
            fail(item, role +
                           ": give field with values (text: { layer = \"...\", field = "
                           "\"zone_class\", values = [\"公園用地\"] }) or with min/max "
                           "(numbers: field = \"year\", min = 2018, max = 2018)");
          if (range && !sel.values.empty())
            fail(item, role + ": give either values or min/max, not both");
          if (sel.min && sel.max && *sel.min > *sel.max)
            fail(item, role + ": min is greater than max");
        } else {
          fail(item, role + " entries must be layer names or { layer, field, values } tables");
        }
        if (info.measure == IndicatorMeasure::kUnits) {
          // Legal spaces come from `units build --save`, not from [[layers]]: their kind is
          // checked in the store when the indicators run.
          if (auto problem = layer_name_problem(sel.layer)) fail(item, role + ": " + *problem);
          if (const LayerSpec* declared = p.find_layer(sel.layer))
            fail(item, role + ": layer '" + sel.layer + "' is of kind " + declared->kind +
                           ", expected the legal_space layer written by units build --save");
          if (!sel.field.empty()) {
            static const std::set<std::string> text_fields = {"use", "building_no", "address",
                                                              "floor", "id"};
            const bool numeric = sel.min || sel.max;
            if (!numeric && !text_fields.count(sel.field))
              fail(item, role + ": '" + sel.field +
                             "' is not a text attribute of a legal space (use, building_no, "
                             "address, floor)");
            if (numeric && sel.field != "registered_area_m2")
              fail(item, role + ": '" + sel.field +
                             "' is not a numeric attribute of a legal space (registered_area_m2)");
          }
          list.push_back(std::move(sel));
          return;
        }
        const LayerSpec* l = layer_of(sel.layer, item, info.layer_kinds, info.key);
        if (!sel.field.empty()) {
          const FieldSpec* f = find_kind(l->kind)->find(sel.field);
          const bool numeric = sel.min || sel.max;
          if (!numeric && (!f || f->type != FieldType::kText))
            fail(item, role + ": '" + sel.field + "' is not a text field of kind " + l->kind);
          if (numeric && (!f || f->type == FieldType::kText))
            fail(item, role + ": '" + sel.field + "' is not a numeric field of kind " + l->kind +
                           " (min/max compare numbers)");
          if (!l->fields.count(sel.field) && !(l->join && l->join->fields.count(sel.field)))
            fail(item, role + ": layer '" + l->name + "' does not map field '" + sel.field +
                           "', so no feature would be selected; map it in its fields = { " +
                           sel.field + " = \"source field\" }");
        }
        list.push_back(std::move(sel));
      };
      if (const auto* arr = n->as_array()) {
        for (const auto& item : *arr) add(item);
        if (arr->empty()) fail(*n, role + " must not be empty");
      } else {
        add(*n);
      }
    }
    if (s.groups.empty())
      fail(
          s.line, "[indicators] names no layer for any indicator (" + [] {
            std::string names;
            for (const auto& i : indicators()) names += (names.empty() ? "" : ", ") + i.key;
            return names;
          }() + "): nothing to compute");
    // Each indicator's own keys, checked by their type; one given without its indicator's
    // layers would be silently unused.
    for (const auto& info : indicators())
      for (const auto& param : info.parameters) {
        const toml::node* n = t->get(param.name);
        if (!n) continue;
        IndicatorParameterValue v;
        v.line = static_cast<int>(n->source().begin.line);
        switch (param.type) {
          case IndicatorParameter::Type::kPositiveNumber: {
            auto x = n->value<double>();
            if (!x || !std::isfinite(*x) || !(*x > 0))
              fail(*n, param.name + " must be " + param.expected);
            v.number = *x;
            break;
          }
          case IndicatorParameter::Type::kDate:
            v.text = text(*t, param.name, "[indicators]", false);
            if (!is_iso_date(v.text))
              fail(*n, param.name + " must be " + param.expected + ", not '" + v.text + "'");
            break;
          case IndicatorParameter::Type::kTextList:
            v.list = string_list(*n, "[indicators] " + param.name);
            break;
        }
        if (!s.group(info.key))
          fail(*n, param.name + " is given but no " + info.key + " layer, and it applies only to " +
                       info.what);
        s.parameters[param.name] = std::move(v);
      }
    if (const toml::node* n = t->get("compute")) {
      s.compute = string_list(*n, "[indicators] compute");
      std::set<std::string> wanted;
      for (const auto& name : s.compute) {
        const Indicator* i = indicator_named(name);
        if (!i)
          fail(*n, "[indicators] compute: '" + name +
                       "' names no indicator this version computes (" + indicator_names_help() +
                       ")");
        if (!s.group(i->key))
          fail(*n, "[indicators] compute: '" + name + "' needs layers in " + i->key + " = [...]");
        wanted.insert(i->key);
      }
      std::erase_if(s.groups, [&](const auto& entry) { return !wanted.count(entry.first); });
      for (const auto& [name, value] : s.parameters)
        if (const Indicator* i = indicator_with_parameter(name); i && !s.group(i->key))
          fail(*n, "[indicators] compute leaves out " + i->key + ", but " + name + " is given");
    }
    if (const toml::node* n = t->get("outputs")) {
      s.outputs = string_list(*n, "[indicators] outputs");
      for (const auto& name : s.outputs)
        if (std::find(known_indicator_outputs().begin(), known_indicator_outputs().end(), name) ==
            known_indicator_outputs().end())
          fail(*n, "unknown indicator output '" + name +
                       "' (this version has: " + joined(known_indicator_outputs()) + ")");
    } else {
      s.outputs = known_indicator_outputs();
    }
    return s;
  }

  TableSpec table_spec(const toml::node& node) {
    const auto* t = node.as_table();
    if (!t) fail(node, "each [[tables]] entry must be a table");
    allow_keys(*t, {"name", "path", "encoding", "vintage", "source", "lookup", "filter"},
               "[[tables]]");
    TableSpec s;
    s.line = static_cast<int>(t->source().begin.line);
    s.name = text(*t, "name", "[[tables]]", true);
    s.path = resolve(text(*t, "path", "table '" + s.name + "'", true), *t);
    s.encoding = text(*t, "encoding", "table '" + s.name + "'", false);
    s.vintage = text(*t, "vintage", "table '" + s.name + "'", false);
    s.source = text(*t, "source", "table '" + s.name + "'", false);
    if (const toml::node* l = t->get("lookup")) {
      const auto* lt = l->as_table();
      if (!lt) fail(*l, "lookup must be a table: { table = \"...\", on = \"column\" }");
      allow_keys(*lt, {"table", "on"}, "lookup of table '" + s.name + "'");
      s.lookup =
          TableLookupSpec{text(*lt, "table", "lookup", true), text(*lt, "on", "lookup", true)};
    }
    if (const toml::node* f = t->get("filter")) {
      const auto* ft = f->as_table();
      if (!ft) fail(*f, "filter must be a table: { column = \"value\" }");
      for (auto&& [k, v] : *ft) {
        if (!v.is_string()) fail(v, "filter values must be strings");
        s.filter[std::string(k.str())] = *v.value<std::string>();
      }
    }
    return s;
  }

  std::map<std::string, std::vector<std::string>> mapping(const toml::node& node,
                                                          const KindSpec* kind,
                                                          const std::string& context) {
    std::map<std::string, std::vector<std::string>> out;
    const auto* t = node.as_table();
    if (!t) fail(node, context + " must be a table: { canonical = \"source field\" }");
    for (auto&& [k, v] : *t) {
      std::string key(k.str());
      std::vector<std::string> sources;
      if (kind->find(key)) sources = string_list(v, context + "." + key);
      if (auto problem = field_mapping_problem(kind->kind, key, sources))
        fail(v, context + ": " + *problem);
      out[key] = sources;
    }
    return out;
  }

  LayerSpec layer_spec(const toml::node& node) {
    const auto* t = node.as_table();
    if (!t) fail(node, "each [[layers]] entry must be a table");
    allow_keys(*t,
               {"name", "kind", "path", "layer", "crs", "encoding", "open_options", "fields",
                "join", "add_fields", "dissolve", "vintage", "source"},
               "[[layers]]");
    LayerSpec s;
    s.line = static_cast<int>(t->source().begin.line);
    s.name = text(*t, "name", "[[layers]]", true);
    if (auto problem = layer_name_problem(s.name)) fail(*t->get("name"), *problem);
    const std::string ctx = "layer '" + s.name + "'";
    s.kind = text(*t, "kind", ctx, true);
    const KindSpec* kind = find_kind(s.kind);
    if (!kind) {
      std::string list;
      for (const auto& k : all_kinds()) list += std::string(list.empty() ? "" : ", ") + k.kind;
      fail(*t->get("kind"), "unknown kind '" + s.kind + "' (kinds: " + list + ")");
    }
    s.path = resolve(text(*t, "path", ctx, true), *t);
    s.layer = text(*t, "layer", ctx, false);
    s.encoding = text(*t, "encoding", ctx, false);
    s.vintage = text(*t, "vintage", ctx, false);
    s.source = text(*t, "source", ctx, false);
    if (const toml::node* c = t->get("crs")) {
      if (!c->is_string()) fail(*c, "crs must be a string such as \"EPSG:4326\"");
      s.crs = *c->value<std::string>();
      s.crs_line = static_cast<int>(c->source().begin.line);
      try {
        (void)Crs::from_user_input(*s.crs);
      } catch (const StrataError& e) {
        fail(*c, e.what());
      }
    }
    if (const toml::node* o = t->get("open_options"))
      s.open_options = string_list(*o, "open_options");
    if (const toml::node* a = t->get("add_fields")) {
      const auto* at = a->as_table();
      if (!at) fail(*a, ctx + " add_fields must be a table: { SOURCE_FIELD = \"value\" }");
      for (auto&& [k, v] : *at) {
        if (!v.is_string()) fail(v, ctx + " add_fields values must be strings");
        s.add_fields[std::string(k.str())] = *v.value<std::string>();
      }
    }
    s.dissolve = text(*t, "dissolve", ctx, false);
    if (const toml::node* f = t->get("fields")) s.fields = mapping(*f, kind, ctx + " fields");
    if (!s.dissolve.empty() && s.fields.count("id"))
      fail(*t->get("dissolve"), ctx + ": a dissolved feature's id is its value of '" + s.dissolve +
                                    "'; do not map id as well");
    for (const auto& spec : kind->fields) {
      if (spec.required && !s.fields.count(spec.name) && !t->get("join"))
        fail(s.line, ctx + " (kind " + s.kind + ") must map required field '" + spec.name +
                         "' in fields = { " + spec.name + " = \"source field\" }");
    }
    if (const toml::node* j = t->get("join")) {
      const auto* jt = j->as_table();
      if (!jt) fail(*j, "join must be a table");
      allow_keys(*jt, {"table", "feature_keys", "table_keys", "multiple", "normalise", "fields"},
                 ctx + " join");
      JoinSpec js;
      js.line = static_cast<int>(jt->source().begin.line);
      js.table = text(*jt, "table", ctx + " join", true);
      if (!jt->get("feature_keys") || !jt->get("table_keys"))
        fail(js.line, ctx + " join needs feature_keys and table_keys");
      js.feature_keys = string_list(*jt->get("feature_keys"), "feature_keys");
      js.table_keys = string_list(*jt->get("table_keys"), "table_keys");
      if (js.feature_keys.size() != js.table_keys.size())
        fail(js.line, ctx + " join: feature_keys and table_keys must have the same length");
      std::string multiple = text(*jt, "multiple", ctx + " join", false, "error");
      if (multiple == "sum")
        js.multiple = JoinMultiple::kSum;
      else if (multiple != "error")
        fail(*jt->get("multiple"), "multiple must be \"error\" or \"sum\"");
      if (jt->get("normalise"))
        js.normalise = resolve(text(*jt, "normalise", ctx, true), *jt->get("normalise"));
      if (!jt->get("fields"))
        fail(js.line, ctx + " join needs fields = { canonical = \"column\" }");
      js.fields = mapping(*jt->get("fields"), kind, ctx + " join.fields");
      for (const auto& [canonical, cols] : js.fields) {
        (void)cols;
        if (s.fields.count(canonical))
          fail(js.line,
               ctx + ": '" + canonical + "' is mapped both from the layer and from the join");
      }
      s.join = std::move(js);
      for (const auto& spec : kind->fields) {
        if (spec.required && !s.fields.count(spec.name) && !s.join->fields.count(spec.name))
          fail(s.line, ctx + " (kind " + s.kind + ") must map required field '" + spec.name + "'");
      }
    }
    return s;
  }

  std::filesystem::path file_;
  std::filesystem::path base_;
};

}  // namespace

Project load_project(const std::filesystem::path& file) { return Loader(file).load(); }

}  // namespace strata::io
