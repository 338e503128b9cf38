// strata pipes parcels NETWORK... --parcels P: every parcel a pipe crosses and whether it may —
// held by the pipe's owner, an allowed owner's land, or an easement in force (docs/pipes.md).
#include <chrono>
#include <map>
#include <sstream>

#include "strata/core/crs.h"
#include "strata/core/geometry_validity.h"
#include "strata/core/ladm.h"
#include "strata/engine/pipe_analyses.h"
#include "strata/io/geometry_repair.h"
#include "strata/io/points_gpkg.h"
#include "strata/io/vector_source.h"
#include "strata/spatial/pipe_parcels.h"

namespace strata::engine {
namespace {

struct ParcelsOptions : PipeJobInputs {
  std::string parcels, parcel_id_field, parcel_owner_field;
  std::string restrictions, r_parcel_field, r_type_field, r_holder_field, r_from_field, r_to_field;
  std::string easement_types =
      "easement,servitude,superficies,wayleave,地役權,不動產役權,地上權,區分地上權";
  std::string allowed_owners, profile = "public";
  spatial::ParcelOptions options;
};

// Items of a list separated by commas, semicolons or the Chinese enumeration comma, trimmed.
std::vector<std::string> items(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    const auto a = cur.find_first_not_of(" \t"), b = cur.find_last_not_of(" \t");
    if (a != std::string::npos) out.push_back(cur.substr(a, b - a + 1));
    cur.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ',' || text[i] == ';') {
      flush();
    } else if (text.compare(i, 3, "、") == 0) {
      flush();
      i += 2;
    } else {
      cur += text[i];
    }
  }
  flush();
  return out;
}

int field_of(io::VectorSource& source, const std::string& path, const std::string& field,
             bool required) {
  if (field.empty()) {
    if (required)
      throw StrataError(ErrorCode::kWrongInputParameters, path + ": a field must be named");
    return -1;
  }
  const int i = source.field_index(field);
  if (i < 0) throw StrataError(ErrorCode::kFieldMissing, path + ": no field '" + field + "'");
  return i;
}

std::string text_at(const io::SourceFeature& f, int i) {
  if (i < 0 || is_null(f.values[static_cast<std::size_t>(i)])) return "";
  return to_text(f.values[static_cast<std::size_t>(i)]);
}

JobResult run_parcels(const ParcelsOptions& a_given, InputCache* cache) {
  ParcelsOptions a = a_given;
  static const char* profiles[] = {"public", "planner", "engineer", "bureau"};
  if (std::find(std::begin(profiles), std::end(profiles), a.profile) == std::end(profiles))
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--profile must be public, planner, engineer or bureau");
  auto& o = a.options;
  if (!(o.min_length_m >= 0))
    throw StrataError(ErrorCode::kWrongInputParameters, "--min-length must be 0 or more metres");
  if (!o.as_of.empty() && !is_iso_date(o.as_of))
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--as-of must be a date YYYY-MM-DD, not '" + o.as_of + "'");
  const PipeInputs in = load_pipe_inputs(a.networks, a.settings, true, cache);
  o.unit_m = in.unit_m;
  o.easement_types = items(a.easement_types);
  o.allowed_owners = items(a.allowed_owners);
  std::vector<FeatureIssue> issues;
  std::vector<spatial::LandParcel> parcels;
  {
    read_layer(a.parcels, a.parcel_id_field, in.crs, {a.parcel_owner_field},
               [&](const std::string& id, io::SourceFeature& f, const std::vector<int>& at) {
                 const int owner_i = at[0];
                 if (!f.polygons) {
                   FeatureIssue i;
                   i.file = a.parcels;
                   i.fid = f.fid;
                   i.feature_id = id;
                   i.code = f.has_geometry ? ErrorCode::kWrongGeometryType : ErrorCode::kNoGeometry;
                   i.message = a.parcels + ": " + id + ": a parcel needs a polygon";
                   issues.push_back(std::move(i));
                   return;
                 }
                 // An invalid parcel is repaired (GEOS MakeValid) and reported, or rejected when
                 // nothing polygonal remains: overlays of invalid polygons give meaningless
                 // lengths.
                 MultiPolygon2 outline = std::move(*f.polygons);
                 if (auto problem = check_polygonal(outline)) {
                   FeatureIssue i;
                   i.file = a.parcels;
                   i.fid = f.fid;
                   i.feature_id = id;
                   i.code = problem->code;
                   auto repaired = io::make_valid_polygonal(outline);
                   i.status = repaired ? FeatureStatus::kRepaired : FeatureStatus::kRejected;
                   i.method = repaired ? repaired->method : "";
                   i.message = a.parcels + ": " + id + ": " +
                               std::string(error_name(problem->code)) + " " + problem->detail +
                               (repaired ? " (repaired: " + repaired->method + ")" : " (rejected)");
                   issues.push_back(std::move(i));
                   if (!repaired) return;
                   outline = std::move(repaired->geometry);
                 }
                 parcels.push_back({id, items(text_at(f, owner_i)), std::move(outline)});
               });
  }
  std::vector<spatial::LandRestriction> restrictions;
  if (!a.restrictions.empty()) {
    auto source = io::open_vector_source({a.restrictions, "", {}, {}});
    const int p_i = field_of(*source, a.restrictions, a.r_parcel_field, true);
    const int t_i = field_of(*source, a.restrictions, a.r_type_field, true);
    const int h_i = field_of(*source, a.restrictions, a.r_holder_field, true);
    const int f_i = field_of(*source, a.restrictions, a.r_from_field, false);
    const int e_i = field_of(*source, a.restrictions, a.r_to_field, false);
    io::SourceFeature f;
    while (source->next(f)) {
      spatial::LandRestriction r{text_at(f, p_i), text_at(f, t_i), text_at(f, h_i), text_at(f, f_i),
                                 text_at(f, e_i)};
      for (const std::string* d : {&r.valid_from, &r.valid_to})
        if (!d->empty() && !is_iso_date(*d)) {
          FeatureIssue i;
          i.file = a.restrictions;
          i.fid = f.fid;
          i.feature_id = r.parcel;
          i.code = ErrorCode::kFieldType;
          i.message = a.restrictions + ": row " + std::to_string(f.fid) + ": date '" + *d +
                      "' is not YYYY-MM-DD; the restriction is left out";
          issues.push_back(std::move(i));
          r.parcel.clear();
        }
      if (!r.parcel.empty()) restrictions.push_back(std::move(r));
    }
  }
  std::vector<const PipeNetwork*> networks;
  for (const auto& n : in.networks) networks.push_back(&n.network);
  const auto start = std::chrono::steady_clock::now();
  const auto crossings = spatial::check_parcel_crossings(networks, parcels, restrictions, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Parcel owners may be people: only the bureau profile names them.
  const bool bureau = a.profile == "bureau";
  nlohmann::json list = nlohmann::json::array();
  std::map<std::string, std::int64_t> by_status;
  double unsecured_m = 0;
  std::vector<io::PointRow> rows;
  std::ostringstream lines;
  for (const auto& c : crossings) {
    const std::string status = spatial::crossing_status_name(c.status);
    ++by_status[status];
    const bool finding = c.status == spatial::CrossingStatus::kNoEasement;
    if (finding) unsecured_m += c.length_m;
    nlohmann::json owners = nullptr;
    if (bureau) owners = c.parcel->owners;
    list.push_back({{"network", in.networks[c.network].file},
                    {"pipe", c.pipe->id},
                    {"utility", std::string(utility_name(c.pipe->utility))},
                    {"pipe_owner", c.pipe->owner.empty() ? o.utility_owner : c.pipe->owner},
                    {"parcel", c.parcel->id},
                    {"parcel_owner_known", !c.parcel->owners.empty()},
                    {"parcel_owners", owners},
                    {"length_m", c.length_m},
                    {"status", status},
                    {"restriction", c.restriction.empty() ? nlohmann::json(nullptr)
                                                          : nlohmann::json(c.restriction)},
                    {"location", {c.location[0], c.location[1], c.location[2]}}});
    if (finding)
      lines << "  no easement: " << c.pipe->id << " crosses parcel " << c.parcel->id << " for "
            << c.length_m << " m\n";
    if (a.gpkg.empty()) continue;
    rows.push_back(
        {{c.location[0], c.location[1], c.location[2]},
         {c.pipe->id, c.parcel->id, status, c.length_m,
          c.restriction.empty() ? FieldValue(std::monostate{}) : FieldValue(c.restriction)}});
  }
  if (!a.gpkg.empty())
    io::write_points_gpkg(a.gpkg, "pipe_parcel_crossings", in.crs.value_or(""),
                          {{"pipe", FieldType::kText},
                           {"parcel", FieldType::kText},
                           {"status", FieldType::kText},
                           {"length_m", FieldType::kReal},
                           {"restriction", FieldType::kText}},
                          rows);
  nlohmann::json networks_json = nlohmann::json::array(), issue_list = nlohmann::json::array();
  for (const auto& n : in.networks) networks_json.push_back(network_json(n));
  for (const auto& i : issues) issue_list.push_back(io::to_json(i));
  nlohmann::json out = {
      {"networks", networks_json},
      {"parcels", parcels.size()},
      {"restrictions", restrictions.size()},
      {"profile", a.profile},
      {"crs", in.crs ? nlohmann::json(*in.crs) : nlohmann::json(nullptr)},
      {"parameters",
       {{"min_length_m", o.min_length_m},
        {"easement_types", o.easement_types},
        {"allowed_owners", o.allowed_owners},
        {"as_of", o.as_of.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.as_of)}}},
      {"crossings", crossings.size()},
      {"crossings_by_status", by_status},
      {"without_easement_m", unsecured_m},
      {"issues", issue_list},
      {"timings", {{"read_seconds", in.read_seconds}, {"check_seconds", seconds}}},
      {"findings", list}};
  if (!a.gpkg.empty()) out["gpkg"] = a.gpkg;
  std::ostringstream text;
  text << crossings.size() << " parcel crossings: " << by_status["no easement"]
       << " without an easement (" << unsecured_m << " m), " << by_status["easement"]
       << " under an easement, " << by_status["held"] << " on the owner's land, "
       << by_status["allowed owner"] << " on allowed land";
  if (by_status.count("pipe owner unknown"))
    text << ", " << by_status["pipe owner unknown"] << " of pipes whose owner is unknown";
  text << "\n" << lines.str() << issue_lines(in.networks);
  for (const auto& i : issues) text << "  " << i.message << "\n";
  JobResult done{"pipes parcels", std::move(out), text.str()};
  done.warnings = has_issues(in.networks) || !issues.empty();
  return done;
}

}  // namespace

PipeAnalysis parcels_analysis() {
  using O = ParcelsOptions;
  return make_pipe_analysis<O>(
      {.kind = "parcels",
       .summary = "Parcels a pipe crosses without the owner's land, an allowed owner or an "
                  "easement",
       .networks = NetworkCount::kOneOrMore,
       .ground = false,
       .gpkg_help = "write the crossings as 3D points (layer pipe_parcel_crossings)"},
      {required(option<O>(
           "parcels", "parcels: a polygon layer in the networks' CRS",
           [](O & o) -> auto& { return o.parcels; }, OptionCheck::kExistingPath)),
       option<O>(
           "parcel-id-field", "field with the parcel id (地號)",
           [](O & o) -> auto& { return o.parcel_id_field; }),
       option<O>(
           "parcel-owner-field", "field with the owner(s), separated by , ; or 、",
           [](O & o) -> auto& { return o.parcel_owner_field; }),
       option<O>(
           "restrictions",
           "registered restrictions: a table (CSV, ...) with parcel, type and holder",
           [](O & o) -> auto& { return o.restrictions; }, OptionCheck::kExistingPath),
       option<O>(
           "restriction-parcel-field", "its parcel id field",
           [](O & o) -> auto& { return o.r_parcel_field; }),
       option<O>(
           "restriction-type-field", "its type field",
           [](O & o) -> auto& { return o.r_type_field; }),
       option<O>(
           "restriction-holder-field", "its holder field",
           [](O & o) -> auto& { return o.r_holder_field; }),
       option<O>(
           "restriction-from-field", "its start date field (YYYY-MM-DD)",
           [](O & o) -> auto& { return o.r_from_field; }),
       option<O>(
           "restriction-to-field", "its end date field (YYYY-MM-DD)",
           [](O & o) -> auto& { return o.r_to_field; }),
       option<O>(
           "as-of", "the day the restrictions must be in force (default: not ended)",
           [](O & o) -> auto& { return o.options.as_of; }),
       option<O>(
           "easement-types",
           "restriction types that let a pipe through, comma-separated (default: "
           "easement, servitude, superficies, wayleave, 地役權, 不動產役權, 地上權, 區分地上權)",
           [](O & o) -> auto& { return o.easement_types; }),
       option<O>(
           "allowed-owners",
           "owners whose land any pipe may use (road land: 中華民國, 臺北市, ...)",
           [](O & o) -> auto& { return o.allowed_owners; }),
       option<O>(
           "utility-owner", "owner of the pipes whose own owner is unknown",
           [](O & o) -> auto& { return o.options.utility_owner; }),
       option<O>(
           "min-length", "shorter crossings are not findings (m, default 0.5)",
           [](O & o) -> auto& { return o.options.min_length_m; }),
       option<O>(
           "profile",
           "privacy profile: public (default), planner, engineer or bureau (only bureau "
           "names parcel owners)",
           [](O & o) -> auto& { return o.profile; })},
      run_parcels);
}

}  // namespace strata::engine
