// strata inspect FILE: what a city model file holds (CityJSON 1.0-2.0, CityJSONSeq, CityGML):
// version, CRS, objects by type, geometry types and LoDs, height range. Reads CityJSONSeq as a
// stream.
#include "strata/engine/inspect_job.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <sstream>

#include "strata/io/citygml_reader.h"
#include "strata/io/json_report.h"

namespace strata::engine {

JobResult run_inspect(const std::string& path, const std::string& crs) {
  io::CityModelOptions read;
  if (!crs.empty()) read.crs = crs;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  struct TypeStats {
    std::int64_t objects = 0, with_geometry = 0;
    double xmin = kInf, xmax = -kInf, ymin = kInf, ymax = -kInf, zmin = kInf, zmax = -kInf;
  };
  std::map<std::string, TypeStats> by_type;
  std::map<std::string, std::int64_t> geometry_kinds;  // "Solid LoD2.2" -> count
  io::CityModelInfo info = io::read_city_model(
      path,
      [&](CityObject&& o) {
        auto& s = by_type[o.type];
        ++s.objects;
        if (!o.geometries.empty()) ++s.with_geometry;
        for (const auto& geometry : o.geometries) {
          ++geometry_kinds[std::string(geometry_type_name(geometry.type)) + " LoD" + geometry.lod];
          for (const auto& solid : geometry.solids)
            for (const auto& shell : solid)
              for (const auto& surface : shell)
                for (const auto& ring : surface)
                  for (const auto& p : ring) {
                    s.xmin = std::min(s.xmin, p[0]);
                    s.xmax = std::max(s.xmax, p[0]);
                    s.ymin = std::min(s.ymin, p[1]);
                    s.ymax = std::max(s.ymax, p[1]);
                    s.zmin = std::min(s.zmin, p[2]);
                    s.zmax = std::max(s.zmax, p[2]);
                  }
        }
      },
      read);
  nlohmann::json types = nlohmann::json::object();
  std::ostringstream text;
  text << path << ": " << info.format << " " << info.version
       << (info.sequence ? " (CityJSONSeq)" : "") << ", CRS " << info.crs.value_or("none declared")
       << ", " << info.objects << " objects\n";
  for (const auto& [type, s] : by_type) {
    nlohmann::json j = {{"objects", s.objects}, {"with_geometry", s.with_geometry}};
    text << "  " << type << ": " << s.objects;
    if (s.with_geometry > 0) {
      j["z_min"] = s.zmin;
      j["z_max"] = s.zmax;
      j["extent"] = {s.xmin, s.ymin, s.xmax, s.ymax};  // x = east (lon), y = north (lat)
      char range[64];
      std::snprintf(range, sizeof range, " (z %.2f .. %.2f)", s.zmin, s.zmax);
      text << range;
    }
    text << "\n";
    types[type] = j;
  }
  for (const auto& [kind, n] : geometry_kinds) text << "  geometry " << kind << ": " << n << "\n";
  // City objects of types strata does not model are not silently dropped from the summary.
  std::int64_t not_read = 0;
  std::string not_read_text;
  for (const auto& [type, n] : info.not_read) {
    not_read += n;
    not_read_text += (not_read_text.empty() ? "" : ", ") + type + " " + std::to_string(n);
  }
  if (not_read > 0)
    text << "  not read: " << not_read << " city objects of types strata does not model ("
         << not_read_text << ")\n";
  nlohmann::json issues = nlohmann::json::array();
  std::int64_t rejected = 0, warnings = 0;
  for (const auto& i : info.issues) {
    issues.push_back(io::to_json(i));
    (i.status == FeatureStatus::kWarning ? warnings : rejected) += 1;
  }
  // What was left out is said in the headline (and the exit status), never only in --json.
  std::string headline = text.str();
  if (rejected > 0)
    headline.insert(headline.find('\n'), " — NOT ALL READ: " + std::to_string(rejected) +
                                             " object(s), geometries or lines left out");
  else if (warnings > 0 || not_read > 0)
    headline.insert(headline.find('\n'),
                    " — " + (warnings > 0 ? std::to_string(warnings) + " warnings" : "") +
                        (warnings > 0 && not_read > 0 ? ", " : "") +
                        (not_read > 0 ? std::to_string(not_read) + " object(s) not read" : ""));
  text.str(headline);
  text.seekp(0, std::ios::end);
  for (std::size_t k = 0; k < info.issues.size() && k < 10; ++k)
    text << "  " << status_name(info.issues[k].status) << ": " << info.issues[k].message << "\n";
  if (info.issues.size() > 10) text << "  ... " << info.issues.size() - 10 << " more (--json)\n";
  JobResult out("inspect",
                {{"file", path},
                 {"format", info.format},
                 {"version", info.version},
                 {"sequence", info.sequence},
                 {"crs", info.crs ? nlohmann::json(*info.crs) : nlohmann::json(nullptr)},
                 {"objects", info.objects},
                 {"types", types},
                 {"geometries", geometry_kinds},
                 {"issues", issues},
                 {"rejected", rejected},
                 {"not_read", info.not_read},
                 {"warnings", warnings}},
                text.str());
  out.warnings = warnings > 0 || not_read > 0;
  return out;
}

}  // namespace strata::engine
