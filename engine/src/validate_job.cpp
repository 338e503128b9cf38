// strata validate: geometric validation of 3D city objects and meshes with val3dity's error
// codes. Writes a summary, and the full per-feature report when asked.
#include "strata/engine/validate_job.h"

#include <fstream>
#include <map>
#include <sstream>

#include "strata/io/findings_gpkg.h"
#include "strata/io/mesh_readers.h"

namespace strata::engine {
namespace {

nlohmann::json finding_json(const ValidationFinding& f) {
  nlohmann::json j = {{"code", static_cast<int>(f.code)},
                      {"name", std::string(error_name(f.code))},
                      {"detail", f.detail}};
  if (!f.object_id.empty()) j["id"] = f.object_id;
  for (auto [key, value] : {std::pair{"geometry", f.geometry},
                            {"solid", f.solid},
                            {"shell", f.shell},
                            {"face", f.face},
                            {"ring", f.ring}})
    if (value >= 0) j[key] = value;
  if (f.location) j["location"] = {(*f.location)[0], (*f.location)[1], (*f.location)[2]};
  return j;
}

// The first object's solid gets the inner shells of the other files (val3dity's --ishell).
void add_inner_shells(CityObject& object, const std::vector<std::string>& files) {
  for (const auto& file : files) {
    io::read_solids_file(file, [&](CityObject&& inner) {
      for (auto& g : inner.geometries)
        for (auto& solid : g.solids)
          for (auto& shell : solid)
            if (!object.geometries.empty() && !object.geometries[0].solids.empty())
              object.geometries[0].solids[0].push_back(std::move(shell));
    });
  }
}

CityGeometryType primitive_type(const std::string& name) {
  if (name == "CompositeSurface") return CityGeometryType::kCompositeSurface;
  if (name == "MultiSurface") return CityGeometryType::kMultiSurface;
  return CityGeometryType::kSolid;
}

}  // namespace

const OptionSchema<ValidateOptions>& validate_option_schema() {
  using O = ValidateOptions;
  static const OptionSchema<O> schema = {
      option<O>(
          "ishell", "a .poly/.off/.obj shell to add as inner shell (cavity) of the file's solid",
          [](O & o) -> auto& { return o.inner_shells; }, OptionCheck::kExistingFile),
      one_of(option<O>(
                 "primitive", "how to read .poly/.off/.obj shells",
                 [](O & o) -> auto& { return o.primitive; }),
             {"Solid", "CompositeSurface", "MultiSurface"}),
      option<O>(
          "snap-tol", "points closer than this are one vertex (m)",
          [](O & o) -> auto& { return o.tolerances.snap; }, OptionCheck::kNonNegative),
      option<O>(
          "planarity-d2p-tol", "max distance of a vertex to its polygon's plane (m)",
          [](O & o) -> auto& { return o.tolerances.planarity_d2p; }, OptionCheck::kNonNegative),
      at_most(option<O>(
                  "planarity-n-tol",
                  "max angle between a polygon's plane and its triangles (degrees, 0-180)",
                  [](O & o) -> auto& { return o.tolerances.planarity_n_deg; },
                  OptionCheck::kNonNegative),
              180.0),
      option<O>(
          "overlap-tol", "overlap depth tolerated between solids and building parts (m); 0 = none",
          [](O & o) -> auto& { return o.tolerances.overlap; }),
      option<O>(
          "report", "write the full report (every feature) as JSON here",
          [](O & o) -> auto& { return o.report; }),
      option<O>(
          "gpkg",
          "write every error as a 3D point in a GeoPackage layer 'validation_errors' (QGIS)",
          [](O & o) -> auto& { return o.gpkg; }),
      option<O>(
          "threads", "worker threads (0 = one per core)", [](O & o) -> auto& { return o.threads; },
          OptionCheck::kNonNegative),
      option<O>(
          "crs",
          "CRS of a CityGML file whose srsName strata cannot resolve (read in its official "
          "axis order), e.g. EPSG:31468",
          [](O & o) -> auto& { return o.crs; }),
  };
  return schema;
}

JobResult run_validate(const ValidateOptions& options) {
  ValidateOptions a = options;
  if (a.tolerances.overlap < 0) a.tolerances.overlap = 0;  // val3dity's -1: no tolerance
  io::CityModelOptions read;
  if (!a.crs.empty()) read.crs = a.crs;
  const bool mesh_file = [&] {
    const auto dot = a.file.find_last_of('.');
    const std::string ext = dot == std::string::npos ? "" : a.file.substr(dot);
    return ext == ".poly" || ext == ".off" || ext == ".obj";
  }();

  // The per-feature report is streamed to its file as objects complete (bounded memory).
  std::ofstream report_out;
  bool first_feature = true;
  if (!a.report.empty()) {
    report_out.open(a.report);
    if (!report_out)
      throw StrataError(ErrorCode::kStoreError, a.report + ": cannot write the report");
    report_out << "{\n\"features\": [\n";
  }
  std::map<int, std::int64_t> by_code;
  std::int64_t objects = 0, valid = 0, invalid = 0, without_geometry = 0;
  std::vector<std::string> examples;       // the first findings, for the text summary
  std::vector<ValidationFinding> located;  // kept for the GeoPackage only
  auto sink = [&](spatial::ObjectValidation&& r) {
    ++objects;
    if (!a.gpkg.empty()) located.insert(located.end(), r.findings.begin(), r.findings.end());
    for (const auto& f : r.findings) {
      ++by_code[static_cast<int>(f.code)];
      if (examples.size() < 10)
        examples.push_back(r.id + ": " + std::to_string(static_cast<int>(f.code)) + " " + f.detail);
    }
    std::string status = r.valid() ? (r.geometries == 0 ? "no_geometry" : "valid") : "invalid";
    (r.valid() ? (r.geometries == 0 ? without_geometry : valid) : invalid) += 1;
    if (report_out.is_open()) {
      nlohmann::json errors = nlohmann::json::array();
      for (const auto& f : r.findings) errors.push_back(finding_json(f));
      nlohmann::json feature = {
          {"id", r.id}, {"type", r.type}, {"status", status}, {"errors", errors}};
      report_out << (first_feature ? "" : ",\n")
                 << feature.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      first_feature = false;
    }
  };
  spatial::CityModelValidator validator(a.tolerances, sink, a.threads);
  io::CityModelInfo info;
  std::vector<ValidationFinding> file_errors;
  bool first = true;
  bool read_failed = false;
  ErrorCode read_error = ErrorCode::kInvalidInputFile;
  try {
    info = io::read_solids_file(
        a.file,
        [&](CityObject&& object) {
          if (first && !a.inner_shells.empty()) add_inner_shells(object, a.inner_shells);
          first = false;
          if (mesh_file)
            for (auto& geometry : object.geometries) geometry.type = primitive_type(a.primitive);
          validator.add(std::move(object));
        },
        read);
  } catch (const StrataError& e) {
    read_failed = true;
    read_error = e.code();
    ValidationFinding f;
    f.code = e.code();
    f.detail = e.what();
    file_errors.push_back(std::move(f));
  }
  validator.finish();
  // Geometries the reader had to drop are 901 errors of their object (CityObject::dropped).
  if (file_errors.empty() && objects == 0) {
    ValidationFinding f;
    f.code = ErrorCode::kEmptyPrimitive;
    f.detail = a.file + ": the file holds no city objects";
    file_errors.push_back(std::move(f));
  }
  // Records the reader could not turn into an object (a CityJSONSeq line) are errors of the
  // file; warnings (an axis order read the other way round) are said in the result.
  nlohmann::json reader_warnings = nlohmann::json::array();
  for (const auto& issue : info.issues) {
    if (issue.status == FeatureStatus::kWarning) {
      reader_warnings.push_back(issue.message);
    } else if (issue.fid >= 0) {
      ValidationFinding f;
      f.code = issue.code;
      f.detail = a.file + ": " + issue.message;
      file_errors.push_back(std::move(f));
    }
  }
  for (const auto& f : file_errors) ++by_code[static_cast<int>(f.code)];

  nlohmann::json codes = nlohmann::json::array(), counts = nlohmann::json::object();
  for (const auto& [code, n] : by_code) {
    codes.push_back(code);
    counts[std::to_string(code)] = {{"name", std::string(error_name(static_cast<ErrorCode>(code)))},
                                    {"count", n}};
  }
  nlohmann::json file_json = nlohmann::json::array();
  for (const auto& f : file_errors) file_json.push_back(finding_json(f));
  const bool all_valid = by_code.empty();
  nlohmann::json result = {{"file", a.file},
                           {"format", info.format},
                           {"version", info.version},
                           {"crs", info.crs ? nlohmann::json(*info.crs) : nlohmann::json(nullptr)},
                           {"tolerances",
                            {{"snap", a.tolerances.snap},
                             {"planarity_d2p", a.tolerances.planarity_d2p},
                             {"planarity_n_deg", a.tolerances.planarity_n_deg},
                             {"overlap", a.tolerances.overlap}}},
                           {"valid", all_valid},
                           {"objects", objects},
                           {"objects_valid", valid},
                           {"objects_invalid", invalid},
                           {"objects_without_geometry", without_geometry},
                           {"error_codes", codes},
                           {"errors_by_code", counts},
                           {"file_errors", file_json},
                           {"warnings", reader_warnings},
                           {"stats",
                            {{"solids", validator.stats().solids},
                             {"part_pair_tests", validator.stats().part_pair_tests},
                             {"part_pair_seconds", validator.stats().part_pair_seconds}}}};
  if (report_out.is_open()) {
    report_out << "\n]";
    for (const auto& [key, value] : result.items())
      report_out << ",\n\"" << key
                 << "\": " << value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    report_out << "\n}\n";
    report_out.close();
    if (!report_out)
      throw StrataError(ErrorCode::kStoreError, a.report + ": cannot write the report");
    result["report"] = a.report;
  }
  if (!a.gpkg.empty()) {
    for (const auto& f : file_errors) located.push_back(f);
    io::write_findings_gpkg(a.gpkg, "validation_errors", located, info.crs);
    result["gpkg"] = a.gpkg;
  }
  std::ostringstream text;
  text << a.file << ": " << (all_valid ? "VALID" : "INVALID") << " — " << objects << " objects, "
       << valid << " valid, " << invalid << " invalid";
  if (without_geometry > 0) text << ", " << without_geometry << " without geometry";
  text << "\n";
  for (const auto& f : file_errors)
    text << "  " << static_cast<int>(f.code) << " " << error_name(f.code) << ": " << f.detail
         << "\n";
  for (const auto& w : reader_warnings) text << "  warning: " << w.get<std::string>() << "\n";
  for (const auto& [code, n] : by_code)
    text << "  " << code << " " << error_name(static_cast<ErrorCode>(code)) << ": " << n << "\n";
  for (const auto& e : examples) text << "    " << e << "\n";
  if (invalid > 0 && a.report.empty()) text << "  (every error with its location: --report FILE)\n";

  JobResult out("validate", std::move(result), text.str());
  out.findings = !all_valid;
  out.warnings = !reader_warnings.empty();
  if (read_failed) out.failure = read_error;
  return out;
}

}  // namespace strata::engine
