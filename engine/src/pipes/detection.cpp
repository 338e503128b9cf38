// strata pipes detection NETWORK... --survey PICKS: a detection survey against the records —
// how far each detected pipe lies from its record, pipes the records lack, records that were
// not detected (docs/pipes.md).
#include <chrono>
#include <cmath>
#include <sstream>

#include "strata/core/crs.h"
#include "strata/engine/pipe_analyses.h"
#include "strata/io/points_gpkg.h"
#include "strata/io/survey_points.h"
#include "strata/io/vector_source.h"
#include "strata/spatial/pipe_detection.h"

namespace strata::engine {
namespace {

struct DetectionOptions : PipeJobInputs {
  std::string survey, survey_crs, survey_z = "elevation", pick = "axis", area;
  spatial::DetectionOptions options;
  double flag_m = 0.3;
};

JobResult run_detection(const DetectionOptions& d_given, InputCache* cache) {
  DetectionOptions d = d_given;
  auto& o = d.options;
  if (!(o.tolerance_m > 0) || !(o.depth_tolerance_m > 0) || !(o.cluster_m > 0) || !(o.bin_m > 0) ||
      o.min_points < 1 || !(o.min_coverage >= 0 && o.min_coverage <= 1) || !(d.flag_m >= 0))
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--tolerance, --depth-tolerance, --cluster and --bin must be above 0, "
                      "--min-points at least 1, --min-coverage between 0 and 1, --flag 0 or more");
  if (d.survey_z != "elevation" && d.survey_z != "depth")
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--survey-z must be elevation or depth, not '" + d.survey_z + "'");
  if (d.pick != "axis" && d.pick != "top")
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--pick must be axis or top, not '" + d.pick + "'");
  o.picks_are_tops = d.pick == "top";
  const PipeInputs in = load_pipe_inputs(d.networks, d.settings, false, cache);
  io::SurveyPoints survey = io::read_survey_points(d.survey);
  const std::optional<std::string> survey_crs =
      !d.survey_crs.empty() ? std::optional<std::string>(d.survey_crs) : survey.crs;
  if (survey_crs && in.crs &&
      !Crs::from_user_input(*survey_crs).equivalent_to(Crs::from_user_input(*in.crs)))
    throw StrataError(ErrorCode::kCrsMismatch, d.survey + " is in " + *survey_crs +
                                                   ", the networks in " + *in.crs +
                                                   "; reproject the survey");
  // Depths below the ground become elevations in the networks' reference.
  std::int64_t without_ground = 0;
  if (d.survey_z == "depth") {
    const bool flat = in.networks.front().network.heights == PipeHeights::kBelowGround;
    std::vector<std::array<double, 3>> kept;
    for (const auto& p : survey.points) {
      std::optional<double> ground = flat                ? std::optional<double>(0.0)
                                     : in.ground.terrain ? in.ground.terrain(p[0], p[1])
                                                         : in.ground.constant;
      if (!ground) {
        ++without_ground;
        continue;
      }
      kept.push_back({p[0], p[1], *ground - p[2]});
    }
    survey.points = std::move(kept);
  }
  if (!d.area.empty()) {
    auto source = io::open_vector_source({d.area, "", {}, {}});
    io::SourceFeature f;
    while (source->next(f))
      if (f.polygons) o.area.insert(o.area.end(), f.polygons->begin(), f.polygons->end());
    if (o.area.empty())
      throw StrataError(ErrorCode::kEmptyPrimitive, d.area + ": no polygon for the surveyed area");
  }
  o.unit_m = in.unit_m;
  std::vector<const PipeNetwork*> networks;
  for (const auto& n : in.networks) networks.push_back(&n.network);
  const auto start = std::chrono::steady_clock::now();
  const spatial::DetectionResult r = spatial::overlay_detections(networks, survey.points, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  nlohmann::json records = nlohmann::json::array();
  std::vector<io::LineRow> record_rows, undocumented_rows;
  std::int64_t detected = 0, deviating = 0;
  std::ostringstream lines;
  for (const auto& rec : r.records) {
    const PipeLink& p = *rec.pipe;
    const bool deviates =
        rec.detected && ((rec.horizontal_m && std::abs(*rec.horizontal_m) > d.flag_m) ||
                         (rec.vertical_m && std::abs(*rec.vertical_m) > d.flag_m));
    const char* status = !rec.detected ? "not detected" : deviates ? "deviates" : "matches";
    detected += rec.detected;
    deviating += deviates;
    std::string assumed;
    for (const auto& w : p.assumed) assumed += (assumed.empty() ? "" : ", ") + w;
    records.push_back(
        {{"network", in.networks[rec.network].file},
         {"pipe", p.id},
         {"utility", std::string(utility_name(p.utility))},
         {"owner", p.owner.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.owner)},
         {"status", status},
         {"surveyed_m", rec.surveyed_m},
         {"coverage", rec.coverage},
         {"picks", rec.picks},
         {"picks_used", rec.picks_used},
         {"horizontal_m", optional_json(rec.horizontal_m)},
         {"vertical_m", optional_json(rec.vertical_m)},
         {"horizontal_rms_m", optional_json(rec.horizontal_rms_m)},
         {"vertical_rms_m", optional_json(rec.vertical_rms_m)},
         {"max_horizontal_m", optional_json(rec.max_horizontal_m)},
         {"location", {rec.location[0], rec.location[1], rec.location[2]}},
         {"assumed", p.assumed}});
    if (deviates || !rec.detected) {
      lines << "  " << status << ": " << p.id << " (" << utility_name(p.utility) << ")";
      if (deviates)
        lines << " " << *rec.horizontal_m << " m sideways, " << *rec.vertical_m << " m "
              << (*rec.vertical_m >= 0 ? "higher" : "lower");
      else
        lines << ", picks along " << std::lround(rec.coverage * 100) << "% of " << rec.surveyed_m
              << " m";
      lines << "\n";
    }
    if (d.gpkg.empty()) continue;
    auto value = [](const std::optional<double>& v) {
      return v ? FieldValue(*v) : FieldValue(std::monostate{});
    };
    record_rows.push_back(
        {p.centreline,
         {p.id, std::string(utility_name(p.utility)), std::string(status), rec.coverage, rec.picks,
          value(rec.horizontal_m), value(rec.vertical_m), value(rec.horizontal_rms_m),
          assumed.empty() ? FieldValue(std::monostate{}) : FieldValue(assumed)}});
  }
  nlohmann::json undocumented = nlohmann::json::array();
  for (const auto& u : r.undocumented) {
    nlohmann::json line = nlohmann::json::array();
    for (const auto& q : u.centreline) line.push_back({q[0], q[1], q[2]});
    undocumented.push_back(
        {{"id", u.id},
         {"picks", u.picks},
         {"length_m", u.length_m},
         {"rms_m", u.rms_m},
         {"nearest_record",
          u.nearest_record.empty() ? nlohmann::json(nullptr) : nlohmann::json(u.nearest_record)},
         {"nearest_record_m", u.nearest_record_m},
         {"centreline", line}});
    lines << "  undocumented " << u.id << ": " << u.length_m << " m from " << u.picks << " picks";
    if (!u.nearest_record.empty())
      lines << ", " << u.nearest_record_m << " m from record " << u.nearest_record;
    lines << "\n";
    if (!d.gpkg.empty() && u.centreline.size() >= 2)
      undocumented_rows.push_back(
          {u.centreline,
           {u.id, u.picks, u.length_m, u.rms_m,
            u.nearest_record.empty() ? FieldValue(std::monostate{}) : FieldValue(u.nearest_record),
            u.nearest_record_m}});
  }
  if (!d.gpkg.empty()) {
    io::FindingsLayer recs{"detection_records",
                           {{"pipe", FieldType::kText},
                            {"utility", FieldType::kText},
                            {"status", FieldType::kText},
                            {"coverage", FieldType::kReal},
                            {"picks", FieldType::kInteger},
                            {"horizontal_m", FieldType::kReal},
                            {"vertical_m", FieldType::kReal},
                            {"horizontal_rms_m", FieldType::kReal},
                            {"assumed", FieldType::kText}},
                           {},
                           record_rows,
                           true};
    io::FindingsLayer undoc{"detection_undocumented",
                            {{"id", FieldType::kText},
                             {"picks", FieldType::kInteger},
                             {"length_m", FieldType::kReal},
                             {"rms_m", FieldType::kReal},
                             {"nearest_record", FieldType::kText},
                             {"nearest_record_m", FieldType::kReal}},
                            {},
                            undocumented_rows,
                            true};
    io::write_findings_gpkg(d.gpkg, in.crs.value_or(""), {recs, undoc});
  }
  nlohmann::json networks_json = nlohmann::json::array();
  for (const auto& n : in.networks) networks_json.push_back(network_json(n));
  nlohmann::json survey_issues = nlohmann::json::array();
  for (const auto& i : survey.issues) survey_issues.push_back(io::to_json(i));
  nlohmann::json out = {
      {"networks", networks_json},
      {"survey",
       {{"file", d.survey},
        {"format", survey.format},
        {"z", d.survey_z},
        {"pick", d.pick},
        {"picks", r.picks},
        {"without_ground", without_ground},
        {"issues", survey_issues}}},
      {"crs", in.crs ? nlohmann::json(*in.crs) : nlohmann::json(nullptr)},
      {"parameters",
       {{"tolerance_m", o.tolerance_m},
        {"depth_tolerance_m", o.depth_tolerance_m},
        {"cluster_m", o.cluster_m},
        {"min_points", o.min_points},
        {"min_coverage", o.min_coverage},
        {"bin_m", o.bin_m},
        {"flag_m", d.flag_m},
        {"area", d.area.empty() ? nlohmann::json("bounding box of the picks + tolerance")
                                : nlohmann::json(d.area)}}},
      {"picks_matched", r.matched},
      {"picks_clustered", r.clustered},
      {"picks_noise", r.noise},
      {"records_surveyed", r.records.size()},
      {"records_detected", detected},
      {"records_not_detected", static_cast<std::int64_t>(r.records.size()) - detected},
      {"records_deviating", deviating},
      {"undocumented_count", r.undocumented.size()},
      {"timings", {{"read_seconds", in.read_seconds}, {"overlay_seconds", seconds}}},
      {"records", records},
      {"undocumented", undocumented}};
  if (!d.gpkg.empty()) out["gpkg"] = d.gpkg;
  std::ostringstream text;
  text << r.picks << " picks (" << survey.format << "): " << r.matched << " on records, "
       << r.clustered << " in undocumented pipes, " << r.noise << " isolated\n"
       << r.records.size() << " records surveyed: " << detected << " detected (" << deviating
       << " deviating by more than " << d.flag_m << " m), "
       << static_cast<std::int64_t>(r.records.size()) - detected << " not detected; "
       << r.undocumented.size() << " undocumented pipes\n"
       << lines.str() << issue_lines(in.networks);
  JobResult done{"pipes detection", std::move(out), text.str()};
  done.warnings = has_issues(in.networks) || !survey.issues.empty();
  return done;
}

}  // namespace

PipeAnalysis detection_analysis() {
  using O = DetectionOptions;
  return make_pipe_analysis<O>(
      {.kind = "detection",
       .summary = "A detection survey against the records: deviations, undocumented pipes, "
                  "records not detected",
       .networks = NetworkCount::kOneOrMore,
       .ground = true,
       .gpkg_help = "write the records (with their deviations) and the undocumented pipes as 3D "
                    "lines (layers detection_records, detection_undocumented)"},
      {required(option<O>(
           "survey",
           "survey picks: PLY, PCD, XYZ, PTS, LAS, CSV (x, y, z columns) or a GDAL "
           "point layer",
           [](O & o) -> auto& { return o.survey; }, OptionCheck::kExistingFile)),
       option<O>(
           "survey-crs", "CRS of the picks when the file declares none (default: the networks')",
           [](O & o) -> auto& { return o.survey_crs; }),
       option<O>(
           "survey-z",
           "elevation (default: z in the networks' vertical reference) or depth (below "
           "the ground, positive down)",
           [](O & o) -> auto& { return o.survey_z; }),
       option<O>(
           "pick", "what a pick marks: axis (default) or top of the pipe",
           [](O & o) -> auto& { return o.pick; }),
       option<O>(
           "survey-area",
           "polygons of the surveyed area (default: the picks' bounding box + tolerance)",
           [](O & o) -> auto& { return o.area; }),
       option<O>(
           "tolerance",
           "horizontal distance within which a pick belongs to a record (m, default 1)",
           [](O & o) -> auto& { return o.options.tolerance_m; }),
       option<O>(
           "depth-tolerance",
           "vertical distance within which a pick belongs to a record (m, default 1)",
           [](O & o) -> auto& { return o.options.depth_tolerance_m; }),
       option<O>(
           "cluster", "DBSCAN neighbourhood for picks near no record (m, default 1.5)",
           [](O & o) -> auto& { return o.options.cluster_m; }),
       option<O>(
           "min-points",
           "DBSCAN core size (picks within --cluster, itself included), and the fewest "
           "picks of an undocumented pipe (default 4)",
           [](O & o) -> auto& { return o.options.min_points; }),
       option<O>(
           "min-coverage",
           "share of a record's surveyed length with picks to count as detected "
           "(default 0.5)",
           [](O & o) -> auto& { return o.options.min_coverage; }),
       option<O>(
           "bin", "coverage bins and fitted-centreline step (m, default 1)",
           [](O & o) -> auto& { return o.options.bin_m; }),
       option<O>(
           "flag",
           "a detected record deviates when its median offset exceeds this (m, default "
           "0.3)",
           [](O & o) -> auto& { return o.flag_m; })},
      run_detection);
}

}  // namespace strata::engine
