#include "strata/io/layer_import.h"

#include <algorithm>
#include <atomic>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/algorithms/expand.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "added_fields_source.h"
#include "dissolve.h"
#include "strata/core/clock.h"
#include "strata/core/crs_fit.h"
#include "strata/core/error.h"
#include "strata/core/geometry_validity.h"
#include "strata/core/kind_schema.h"
#include "strata/core/parallel.h"
#include "strata/io/gdal_support.h"
#include "strata/io/geometry_repair.h"
#include "strata/io/json_report.h"
#include "strata/io/vector_source.h"

namespace strata::io {
namespace {

// Grid for the second repair attempt, in project CRS units (metres for EPSG:3826): 1 mm is far
// below survey accuracy and far above floating-point noise.
constexpr double kSnapGrid = 0.001;

// A polygon's geometry checks after reprojection: repeated points removed, validity checked
// and, when invalid, repaired (GEOS MakeValid, then on a snapped grid). Pure and independent
// per feature, so that large layers run it on worker threads.
struct PolygonCheck {
  MultiPolygon2 cleaned;  // without repeated points, before any repair
  std::size_t removed = 0;
  std::optional<GeometryProblem> problem;    // of `cleaned`
  std::optional<RepairResult> fixed;         // when there was a problem
  std::optional<GeometryProblem> remaining;  // of `fixed`
};

// Drops points equal to their predecessor (Boost accepts them, but they are 102 in val3dity's
// terms and make later edge computations degenerate). Returns how many were removed.
std::size_t remove_repeated_points(MultiPolygon2& g) {
  std::size_t removed = 0;
  auto clean = [&removed](Ring2& ring) {
    auto end = std::unique(ring.begin(), ring.end(), [](const Point2& a, const Point2& b) {
      return a.x() == b.x() && a.y() == b.y();
    });
    removed += static_cast<std::size_t>(ring.end() - end);
    ring.erase(end, ring.end());
  };
  for (auto& poly : g) {
    clean(poly.outer());
    for (auto& inner : poly.inners()) clean(inner);
  }
  return removed;
}

PolygonCheck check_polygon(MultiPolygon2 geometry) {
  PolygonCheck c;
  c.cleaned = std::move(geometry);
  c.removed = remove_repeated_points(c.cleaned);
  c.problem = check_polygonal(c.cleaned);
  if (c.problem) {
    c.fixed = make_valid_polygonal(c.cleaned);
    if (!c.fixed || check_polygonal(c.fixed->geometry))
      c.fixed = snap_and_make_valid(c.cleaned, kSnapGrid);
    if (c.fixed) c.remaining = check_polygonal(c.fixed->geometry);
  }
  return c;
}

bool all_finite(const MultiPolygon2& g) {
  auto ok = [](const Ring2& ring) {
    return std::all_of(ring.begin(), ring.end(), [](const Point2& p) {
      return std::isfinite(p.x()) && std::isfinite(p.y());
    });
  };
  for (const auto& poly : g) {
    if (!ok(poly.outer())) return false;
    for (const auto& inner : poly.inners())
      if (!ok(inner)) return false;
  }
  return true;
}

constexpr std::size_t kCheckChunk = 4096;

// check_polygon() of features [start, end) on every core; nothing for a feature without
// polygons or with a non-finite coordinate (the import rejects those before any check).
std::vector<std::optional<PolygonCheck>> precheck_polygons(const std::vector<SourceFeature>& f,
                                                           std::size_t start, std::size_t end) {
  std::vector<std::optional<PolygonCheck>> out(end - start);
  parallel_for(end - start, worker_count(0, end - start), [&](unsigned, std::size_t i) {
    const std::size_t k = start + i;
    if (f[k].polygons && !f[k].polygons->empty() && all_finite(*f[k].polygons))
      out[i] = check_polygon(*f[k].polygons);
  });
  return out;
}

// Converts a mapped value to the canonical field's type; nothing when it does not convert.
std::optional<FieldValue> convert(const FieldValue& v, FieldType type) {
  if (is_null(v)) return FieldValue{};
  switch (type) {
    case FieldType::kText:
      return FieldValue{to_text(v)};
    case FieldType::kInteger:  // integer canonical fields are counts (population, households)
      if (auto i = to_integer(v); i && *i >= 0) return FieldValue{*i};
      return std::nullopt;
    case FieldType::kReal:
      if (auto d = to_real(v)) return FieldValue{*d};
      return std::nullopt;
  }
  return std::nullopt;
}

// Sums numeric values (a canonical field mapped from several source fields or table rows).
std::optional<FieldValue> sum_values(const std::vector<FieldValue>& values, FieldType type) {
  if (values.size() == 1) return convert(values.front(), type);
  double total = 0;
  bool any = false;
  for (const auto& v : values) {
    if (is_null(v)) continue;
    auto d = to_real(v);
    if (!d) return std::nullopt;
    total += *d;
    any = true;
  }
  if (!any) return FieldValue{};
  if (type == FieldType::kInteger) {
    if (!(total >= 0 && total < 9.0e18) || total != std::floor(total))
      return std::nullopt;  // counts only
    return FieldValue{static_cast<std::int64_t>(total)};
  }
  return FieldValue{total};
}

class Importer {
 public:
  Importer(const LayerSpec& spec, const Crs& project_crs,
           const std::map<std::string, Table>& tables, const std::string& project_file,
           const ProgressFn& progress)
      : spec_(spec),
        project_crs_(project_crs),
        tables_(tables),
        project_file_(project_file),
        progress_(progress),
        kind_(find_kind(spec.kind)) {}

  LayerImport run() {
    VectorSourceOptions options{spec_.path.string(), spec_.layer, spec_.open_options,
                                spec_.encoding};
    file_ = spec_.path.string();
    auto opened = open_vector_source(options);
    for (const auto& [name, value] : spec_.add_fields)
      if (opened->field_index(name) >= 0)
        fail(ErrorCode::kWrongInputParameters,
             "add_fields names '" + name + "', which the source already has; choose another name" +
                 where(spec_.line));
    auto source = with_added_fields(std::move(opened), spec_.add_fields);
    check_mapped_fields(*source);
    if (!source->has_geometry_column()) {
      fail(ErrorCode::kNoGeometry,
           "has no geometry column" +
               std::string(
                   source->driver_name() == "CSV"
                       ? "; for a CSV, name it: open_options = [\"GEOM_POSSIBLE_NAMES=wkt\"] "
                         "or [\"X_POSSIBLE_NAMES=lon\", \"Y_POSSIBLE_NAMES=lat\"]"
                       : ""));
    }
    // One pass over the source (GDAL's GetExtent() would re-read a whole GeoJSON file). The CRS
    // check looks at where the bulk of the features lie, so one stray feature cannot fail a
    // layer; strays are rejected one by one later.
    std::vector<SourceFeature> features;
    std::vector<double> xs, ys;
    {
      SourceFeature feature;
      const std::int64_t expected = source->feature_count();
      while (source->next(feature)) {
        if (auto box = envelope_of(feature)) {
          double cx = (box->min_corner().x() + box->max_corner().x()) / 2,
                 cy = (box->min_corner().y() + box->max_corner().y()) / 2;
          if (std::isfinite(cx) && std::isfinite(cy)) {
            xs.push_back(cx);
            ys.push_back(cy);
          }
        }
        features.push_back(std::move(feature));
        if (progress_ && features.size() % 2000 == 0)
          progress_("read " + spec_.name, static_cast<std::int64_t>(features.size()), expected);
      }
    }
    Crs source_crs = choose_crs(*source, bulk_extent(xs, ys));
    project_area_ = project_crs_.area_of_use();
    // Areas and lengths are stored in m² and m whatever the project CRS's unit (US feet too).
    metres_per_unit_ = project_crs_.linear_unit_m().value_or(1.0);
    if (project_area_) to_lonlat_.emplace(project_crs_, Crs::wgs84_lon_lat());
    Transformer to_project(source_crs, project_crs_);
    prepare_join();

    LayerImport out;
    auto& prov = out.provenance;
    prov.layer = spec_.name;
    prov.kind = spec_.kind;
    prov.dataset = file_;
    prov.source_layer = source->layer_name();
    prov.source_crs = source_crs.label();
    prov.crs_origin = crs_origin_;
    prov.sha256 = dataset_sha256(source->files());
    prov.vintage = spec_.vintage;
    prov.source_note = spec_.source;
    prov.imported_at = utc_now_iso8601();
    if (spec_.join) {
      const Table& t = tables_.at(spec_.join->table);
      prov.join_table = t.name;
      prov.join_vintage = t.vintage;
      prov.join_source = t.source;
    }

    const auto total = static_cast<std::int64_t>(features.size());
    std::unordered_map<std::string, std::int64_t> seen_ids;
    std::int64_t done = 0;
    // Polygon checks and repairs, the import's heaviest step, run on worker threads a chunk at a
    // time (bounded memory); the features are then imported in order, so ids, messages and
    // reports are those of a single-threaded import. Only without reprojection: PROJ objects
    // are not shared between threads.
    const bool parallel_checks = kind_->geometry == GeometryKind::kPolygon &&
                                 to_project.is_identity() && features.size() >= 2 * kCheckChunk;
    std::vector<std::optional<PolygonCheck>> checks;
    for (std::size_t start = 0; start < features.size(); start += kCheckChunk) {
      const std::size_t end = std::min(features.size(), start + kCheckChunk);
      if (parallel_checks) checks = precheck_polygons(features, start, end);
      for (std::size_t k = start; k < end; ++k) {
        ++prov.features_read;
        const std::size_t before = out.records.size();
        import_feature(*source, features[k], to_project, seen_ids, out,
                       parallel_checks ? &checks[k - start] : nullptr);
        if (!spec_.dissolve.empty() && out.records.size() == before)
          note_rejected_member(*source, features[k]);
        features[k] = SourceFeature{};  // release the raw copy as soon as it is converted
        if (progress_ && (++done % 500 == 0 || done == total))
          progress_("check " + spec_.name, done, total);
      }
    }
    for (const auto& r : out.records)
      (r.repaired ? prov.features_repaired : prov.features_imported)++;
    if (!spec_.dissolve.empty()) dissolve(out);
    if (join_) finish_join(out);
    prov.features_rejected = prov.features_read - prov.features_imported - prov.features_repaired;
    if (prov.features_read == 0)
      fail(ErrorCode::kInvalidInputFile,
           "holds no features; an empty layer would replace whatever the store has under '" +
               spec_.name + "'");
    if (out.records.empty()) fail_all_rejected(prov.features_read);
    out.issues.insert(out.issues.end(), issues_.begin(), issues_.end());
    return out;
  }

 private:
  [[noreturn]] void fail(ErrorCode code, const std::string& what) const {
    throw StrataError(code, file_ + " (layer '" + spec_.name + "'): " + what);
  }

  // Every feature rejected: the import as a whole failed. Say why, with the commonest reason.
  [[noreturn]] void fail_all_rejected(std::int64_t read) const {
    std::map<ErrorCode, std::pair<int, const FeatureIssue*>> by_code;
    for (const auto& i : issues_) {
      if (i.status != FeatureStatus::kRejected) continue;
      auto& slot = by_code[i.code];
      if (slot.first++ == 0) slot.second = &i;
    }
    auto top = std::max_element(by_code.begin(), by_code.end(), [](const auto& a, const auto& b) {
      return a.second.first < b.second.first;
    });
    fail(top->first, "all " + std::to_string(read) + " features were rejected, " +
                         std::to_string(top->second.first) + " of them with " +
                         std::to_string(static_cast<int>(top->first)) + " " +
                         std::string(error_name(top->first)) + ", e.g. " +
                         top->second.second->message);
  }

  void check_mapped_fields(VectorSource& source) {
    auto require = [&](const std::string& field, const std::string& used_as) {
      if (source.field_index(field) >= 0) return;
      std::string available;
      for (const auto& f : source.fields()) available += (available.empty() ? "" : ", ") + f.name;
      if (available.empty()) {
        // No field at all is rarely what the file holds: say what is really wrong.
        if (source.feature_count() == 0)
          fail(ErrorCode::kInvalidInputFile,
               "holds no features (and no fields); an empty layer would replace whatever the "
               "store has under '" +
                   spec_.name + "'");
        if (source.driver_name() == "ESRI Shapefile")
          fail(ErrorCode::kInvalidInputFile,
               "its attribute file " +
                   std::filesystem::path(file_).replace_extension(".dbf").filename().string() +
                   " yields no field although the layer has " +
                   std::to_string(source.feature_count()) +
                   " features: the .dbf is damaged or not a dBASE file (rewrite it, e.g. with "
                   "ogr2ogr, from a good copy)");
      }
      fail(ErrorCode::kFieldMissing,
           "mapped field '" + field + "' (" + used_as + ") does not exist; the source has: " +
               (available.empty() ? std::string("(no fields)") : available) + where(spec_.line));
    };
    for (const auto& [canonical, fields] : spec_.fields)
      for (const auto& f : fields) require(f, "fields." + canonical);
    if (spec_.join)
      for (const auto& f : spec_.join->feature_keys) require(f, "join.feature_keys");
    if (!spec_.dissolve.empty()) require(spec_.dissolve, "dissolve");
  }

  // Bounding box of a feature's geometry, whatever its type; nothing when it has none.
  static std::optional<Box2> envelope_of(const SourceFeature& f) {
    Box2 box;
    if (f.polygons && !f.polygons->empty())
      boost::geometry::envelope(*f.polygons, box);
    else if (f.points && !f.points->empty())
      boost::geometry::envelope(*f.points, box);
    else if (f.lines && !f.lines->empty() && !f.lines->front().empty())
      boost::geometry::envelope(*f.lines, box);
    else
      return std::nullopt;
    return box;
  }

  // Extent of the feature centres between the 2nd and 98th percentiles (all of them for small
  // layers): what the data mostly is, for the CRS check.
  struct Bulk {
    Box2 extent;                  // 2nd to 98th percentile of the feature centres
    Point2 median;                // median centre
    std::vector<Point2> centres;  // every feature centre
  };
  static std::optional<Bulk> bulk_extent(std::vector<double> xs, std::vector<double> ys) {
    if (xs.empty()) return std::nullopt;
    std::vector<Point2> centres;
    centres.reserve(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) centres.emplace_back(xs[i], ys[i]);
    std::sort(xs.begin(), xs.end());
    std::sort(ys.begin(), ys.end());
    const std::size_t n = xs.size(), trim = n >= 50 ? n / 50 : 0;
    return Bulk{Box2(Point2(xs[trim], ys[trim]), Point2(xs[n - 1 - trim], ys[n - 1 - trim])),
                Point2(xs[n / 2], ys[n / 2]), std::move(centres)};
  }

  // A feature far outside the project CRS's area of use has stray coordinates (a digitising
  // slip, a unit error): rejected on its own, with where it landed.
  std::optional<std::string> stray_location(const MultiPolygon2& g) const {
    Box2 box;
    boost::geometry::envelope(g, box);
    return stray_location(box);
  }
  std::optional<std::string> stray_location(const Box2& box) const {
    if (!project_area_ || !to_lonlat_) return std::nullopt;
    const auto& a = *project_area_;
    const double margin = std::max(1.0, 0.2 * std::max(a.east - a.west, a.north - a.south));
    // All four corners: a feature whose centre looks fine can still reach absurdly far.
    for (auto [x, y] : {std::pair{box.min_corner().x(), box.min_corner().y()},
                        {box.min_corner().x(), box.max_corner().y()},
                        {box.max_corner().x(), box.min_corner().y()},
                        {box.max_corner().x(), box.max_corner().y()}}) {
      double lon = x, lat = y;
      if (to_lonlat_->transform(lon, lat) && a.contains(lon, lat, margin)) continue;
      char where[128];
      std::snprintf(where, sizeof where, "x %.10g, y %.10g (lon %.5g, lat %.5g)", x, y, lon, lat);
      std::string out = "reaches " + std::string(where) + ", far outside the area of use of " +
                        project_crs_.label() + " where the rest of the layer lies; ";
      // Islands of a zoned national grid (Kinmen in TM2 zone 119 for a zone 121 project) are not
      // stray: say which CRS they belong to.
      if (auto zone = project_crs_.neighbouring_zone(lon, lat))
        out += "it lies in the area of " + *zone +
               ": import such features into a project (store) "
               "in that CRS, or leave them out with a filter";
      else
        out += "stray coordinates?";
      return out;
    }
    return std::nullopt;
  }

  // A national layer of a zoned grid (Taiwan with Kinmen and Matsu, in TM2 zone 121) is no wrong
  // label: its median lies in the project's area and its outliers in a neighbouring zone of the
  // same datum. Such a layer is imported; the features outside are rejected one by one, each
  // naming the zone it belongs to (stray_location).
  bool spills_into_neighbouring_zone(const Crs& crs, const Bulk& bulk) const {
    const auto area = project_crs_.area_of_use();
    if (!area) return false;
    Transformer to_lonlat(crs, Crs::wgs84_lon_lat());
    double lon = bulk.median.x(), lat = bulk.median.y();
    if (!to_lonlat.transform(lon, lat) || !area->contains(lon, lat)) return false;
    // Every feature centre lies in the project's area or in a neighbouring zone (PROJ's
    // database is asked once per half-degree cell).
    std::map<std::pair<long, long>, bool> zone_of_cell;
    bool outside_any = false;
    for (const auto& c : bulk.centres) {
      double x = c.x(), y = c.y();
      if (!to_lonlat.transform(x, y)) return false;
      if (area->contains(x, y, 1.0)) continue;
      outside_any = true;
      const std::pair<long, long> cell{std::lround(x * 2), std::lround(y * 2)};
      auto it = zone_of_cell.find(cell);
      if (it == zone_of_cell.end())
        it = zone_of_cell.emplace(cell, project_crs_.neighbouring_zone(x, y).has_value()).first;
      if (!it->second) return false;
    }
    return outside_any;
  }

  // " (project.toml:12)" for project layers; nothing for a layer given on the command line.
  std::string where(int line) const {
    return spec_.line == 0 ? std::string()
                           : " (" + project_file_ + ":" + std::to_string(line) + ")";
  }
  std::string how_to_set_crs(const std::string& crs_text) const {
    return spec_.line == 0 ? "give --crs " + crs_text
                           : "add crs = \"" + crs_text + "\" to layer '" + spec_.name + "'" +
                                 where(spec_.crs ? spec_.crs_line : spec_.line);
  }

  Crs choose_crs(VectorSource& source, const std::optional<Bulk>& bulk) {
    const std::optional<Box2> extent = bulk ? std::optional<Box2>(bulk->extent) : std::nullopt;
    std::optional<Crs> crs;
    if (spec_.crs) {
      crs = Crs::from_user_input(*spec_.crs);
      crs_origin_ = "override";
    } else if (auto declared = source.declared_crs()) {
      crs = declared;
      crs_origin_ = source.crs_is_format_default()
                        ? "format default (GeoJSON RFC 7946: WGS84 lon/lat)"
                        : "declared";
    } else {
      fail(ErrorCode::kCrsMissing,
           "the file declares no CRS; " + how_to_set_crs("EPSG:<code>") + ".");
    }
    if (extent) {
      CrsFit fit =
          check_crs_fit(*crs, *extent, project_crs_, spec_.crs ? "overriding" : "declared");
      if (!fit.fits) {
        std::string how = how_to_set_crs(fit.suggested ? *fit.suggested : "EPSG:<code>");
        fail(ErrorCode::kCrsMismatch, fit.explanation + ". " +
                                          (fit.suggested ? "If so, " : "Give the right CRS: ") +
                                          how + ".");
      }
      CrsFit in_project = check_within_area(*crs, *extent, project_crs_);
      if (!in_project.fits && spills_into_neighbouring_zone(*crs, *bulk)) return *crs;
      if (!in_project.fits) {
        const bool fits_project = check_crs_fit(project_crs_, *extent, project_crs_).fits;
        fail(ErrorCode::kCrsMismatch,
             "the layer does not lie where the project does: " + in_project.explanation + ". " +
                 (fits_project
                      ? "The values fit " + project_crs_.label() + "; if that is their CRS, " +
                            how_to_set_crs(project_crs_.label())
                      : "A wrong CRS label, or data of another region? If the label is wrong, " +
                            how_to_set_crs("EPSG:<code>")) +
                 ".");
      }
    }
    return *crs;
  }

  void prepare_join() {
    if (!spec_.join) return;
    const Table& table = tables_.at(spec_.join->table);
    for (const auto& [canonical, cols] : spec_.join->fields) {
      for (const auto& c : cols) {
        if (table.column(c) < 0) {
          fail(ErrorCode::kFieldMissing, "join.fields." + canonical + ": column '" + c +
                                             "' does not exist in table '" + table.name + "' (" +
                                             table.path + ")");
        }
      }
    }
    NameNormaliser normaliser =
        spec_.join->normalise ? load_normaliser(spec_.join->normalise->string()) : NameNormaliser();
    join_.emplace(table, spec_.join->table_keys, std::move(normaliser));
    join_stats_.table_rows = static_cast<std::int64_t>(table.rows.size());
  }

  FeatureIssue issue(const SourceFeature& f, const std::string& id, FeatureStatus status,
                     ErrorCode code, std::string message, std::string field = {}) const {
    FeatureIssue i;
    i.layer = spec_.name;
    i.file = file_;
    i.fid = f.fid;
    i.feature_id = id;
    i.status = status;
    i.code = code;
    i.field = std::move(field);
    i.message = std::move(message);
    return i;
  }

  void import_feature(const VectorSource& source, const SourceFeature& f,
                      const Transformer& to_project,
                      std::unordered_map<std::string, std::int64_t>& seen_ids, LayerImport& out,
                      std::optional<PolygonCheck>* prechecked) {
    Record r;
    r.kind = spec_.kind;
    r.source = {file_, source.layer_name(), f.fid};
    const std::string fid_text = "feature " + std::to_string(f.fid);

    // Identity first, so every later message can name the feature.
    if (auto it = spec_.fields.find("id"); it != spec_.fields.end()) {
      const FieldValue& v =
          f.values[static_cast<std::size_t>(source.field_index(it->second.front()))];
      if (is_null(v) || to_text(v).find_first_not_of(" \t\r\n") == std::string::npos) {
        issues_.push_back(issue(f, {}, FeatureStatus::kRejected, ErrorCode::kFieldNull,
                                fid_text + ": id field '" + it->second.front() + "' is empty",
                                it->second.front()));
        return;
      }
      r.id = to_text(v);
    } else if (spec_.kind == "parcel" && spec_.fields.count("section") &&
               spec_.fields.count("number")) {
      // A parcel's natural key is its section and number (地段 + 地號).
      const auto& sec = f.values[static_cast<std::size_t>(
          source.field_index(spec_.fields.at("section").front()))];
      const auto& num =
          f.values[static_cast<std::size_t>(source.field_index(spec_.fields.at("number").front()))];
      if (is_null(sec) || is_null(num)) {
        issues_.push_back(
            issue(f, {}, FeatureStatus::kRejected, ErrorCode::kFieldNull,
                  fid_text + ": a parcel needs its section and number (they form its id)"));
        return;
      }
      r.id = to_text(sec) + " " + to_text(num);
    } else {
      r.id = spec_.name + ":" + std::to_string(f.fid);
    }
    if (auto it = seen_ids.find(r.id);
        it != seen_ids.end()) {  // ids of rejected features stay free
      issues_.push_back(issue(f, r.id, FeatureStatus::kRejected, ErrorCode::kDuplicateId,
                              fid_text + ": id '" + r.id + "' was already used by feature " +
                                  std::to_string(it->second) +
                                  "; ids must be unique within a layer"));
      return;
    }

    // Text that is not UTF-8: fatal for a mapped field (its meaning is unknown), repaired
    // otherwise.
    struct Repair {
      ErrorCode code;
      std::string what, method, field;
    };
    std::vector<Repair> repairs;
    for (const auto& bad : f.invalid_text_fields) {
      bool mapped = false;
      for (const auto& [canonical, fields] : spec_.fields)
        for (const auto& name : fields) mapped |= name == bad;
      if (spec_.join)
        for (const auto& name : spec_.join->feature_keys) mapped |= name == bad;
      if (mapped) {
        issues_.push_back(
            issue(f, r.id, FeatureStatus::kRejected, ErrorCode::kEncoding,
                  fid_text + ": field '" + bad + "' is not valid UTF-8; " +
                      (spec_.line == 0 ? std::string("give --encoding (e.g. BIG5)")
                                       : "set encoding = \"...\" (e.g. BIG5) on layer '" +
                                             spec_.name + "'" + where(spec_.line)),
                  bad));
        return;
      }
      repairs.push_back({ErrorCode::kEncoding, "field '" + bad + "' was not valid UTF-8",
                         "bad bytes replaced with U+FFFD", bad});
    }

    // Canonical fields from the source.
    for (const auto& [canonical, fields] : spec_.fields) {
      const FieldSpec* fs = kind_->find(canonical);
      std::vector<FieldValue> values;
      for (const auto& name : fields)
        values.push_back(f.values[static_cast<std::size_t>(source.field_index(name))]);
      auto converted = sum_values(values, fs->type);
      if (!converted) {
        std::string shown;
        for (const auto& v : values) shown += (shown.empty() ? "" : ", ") + to_text(v);
        if (fs->required) {
          issues_.push_back(issue(f, r.id, FeatureStatus::kRejected, ErrorCode::kFieldType,
                                  fid_text + ": field '" + fields.front() + "' = '" + shown +
                                      "' is not a valid " + std::string(field_type_name(fs->type)) +
                                      " for " + canonical,
                                  fields.front()));
          return;
        }
        issues_.push_back(issue(f, r.id, FeatureStatus::kWarning, ErrorCode::kFieldType,
                                fid_text + ": field '" + fields.front() + "' = '" + shown +
                                    "' is not a valid " + std::string(field_type_name(fs->type)) +
                                    "; " + canonical + " left empty",
                                fields.front()));
        converted = FieldValue{};
      }
      // A blank text ("" or spaces) is as empty as a null: a district named "" is no name.
      const bool blank =
          fs->type == FieldType::kText && !is_null(*converted) &&
          to_text(*converted).find_first_not_of(" \t\r\n\u3000") == std::string::npos;
      if (fs->required && (is_null(*converted) || blank)) {
        issues_.push_back(issue(
            f, r.id, FeatureStatus::kRejected, ErrorCode::kFieldNull,
            fid_text + ": required field '" + fields.front() + "' (" + canonical + ") is empty",
            fields.front()));
        return;
      }
      r.fields[canonical] = std::move(*converted);
    }

    // Geometry: present, of the kind's type, reprojected, valid (or repaired).
    if (!f.has_geometry) {
      issues_.push_back(issue(f, r.id, FeatureStatus::kRejected, ErrorCode::kNoGeometry,
                              fid_text + ": geometry is null"));
      return;
    }
    if (kind_->geometry != GeometryKind::kPolygon) {
      if (!points_or_lines(f, to_project, r, fid_text)) return;
    } else if (!f.polygons) {
      issues_.push_back(issue(f, r.id, FeatureStatus::kRejected, ErrorCode::kWrongGeometryType,
                              fid_text + ": geometry is " + f.geometry_type + "; kind '" +
                                  spec_.kind + "' needs Polygon or MultiPolygon"));
      return;
    }
    if (kind_->geometry == GeometryKind::kPolygon) {
      if (f.polygons->empty()) {
        issues_.push_back(issue(f, r.id, FeatureStatus::kRejected, ErrorCode::kEmptyGeometry,
                                fid_text + ": geometry is empty"));
        return;
      }
      r.geometry = *f.polygons;
      if (!to_project.transform(r.geometry)) {
        issues_.push_back(
            issue(f, r.id, FeatureStatus::kRejected, ErrorCode::kReprojectionFailed,
                  fid_text + ": coordinates could not be transformed to " + project_crs_.label()));
        return;
      }
      if (auto where = stray_location(r.geometry)) {
        issues_.push_back(issue(f, r.id, FeatureStatus::kRejected, ErrorCode::kCrsMismatch,
                                fid_text + ": " + *where));
        return;
      }
      if (f.closed_open_rings)
        repairs.push_back({ErrorCode::kRingNotClosed,
                           "a ring was not closed",
                           "closed by repeating its first point",
                           {}});
      // Checked on the worker threads already when the layer is large (same function).
      PolygonCheck check = prechecked && *prechecked ? std::move(**prechecked)
                                                     : check_polygon(std::move(r.geometry));
      r.geometry = std::move(check.cleaned);
      if (check.removed > 0)
        repairs.push_back({ErrorCode::kConsecutivePointsSame,
                           std::to_string(check.removed) + " repeated consecutive point(s)",
                           "repeated points removed",
                           {}});
      if (const auto& problem = check.problem) {
        auto& fixed = check.fixed;
        const auto& remaining = check.remaining;
        std::string what = fid_text + ": invalid polygon, " +
                           std::to_string(static_cast<int>(problem->code)) + " " +
                           std::string(error_name(problem->code)) + " (" + problem->detail + ")";
        if (!fixed || remaining) {
          std::string why = !fixed
                                ? "no polygon remains after GEOS MakeValid"
                                : "still invalid after " + fixed->method + ": " + remaining->detail;
          auto i = issue(f, r.id, FeatureStatus::kRejected, ErrorCode::kGeometryUnrepairable,
                         what + "; repair failed, " + why);
          set_location(i, r.geometry);
          issues_.push_back(std::move(i));
          return;
        }
        r.geometry = std::move(fixed->geometry);
        auto i = issue(f, r.id, FeatureStatus::kRepaired, problem->code, what);
        i.method = fixed->method;
        set_location(i, r.geometry);
        issues_.push_back(std::move(i));
        r.repaired = true;
      }
      r.area_m2 = area_m2(r.geometry, metres_per_unit_);
    }
    for (auto& repair : repairs) {
      auto i = issue(f, r.id, FeatureStatus::kRepaired, repair.code, fid_text + ": " + repair.what,
                     repair.field);
      i.method = repair.method;
      issues_.push_back(std::move(i));
      r.repaired = true;
    }

    // The source's own attributes are kept verbatim.
    nlohmann::ordered_json attrs =
        nlohmann::ordered_json::object();  // keeps the source's field order
    for (std::size_t i = 0; i < f.values.size(); ++i) {
      const auto& v = f.values[i];
      const std::string name =
          to_valid_utf8(source.fields()[i].name);  // names can be mis-encoded too
      auto* text = std::get_if<std::string>(&v);
      attrs[name] = text ? nlohmann::ordered_json(to_valid_utf8(*text))
                         : field_value_json<nlohmann::ordered_json>(v);
    }
    r.attributes_json =
        attrs.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);

    std::vector<std::string> join_keys;
    if (spec_.join)
      for (const auto& k : spec_.join->feature_keys)
        join_keys.push_back(to_text(f.values[static_cast<std::size_t>(source.field_index(k))]));
    if (!spec_.dissolve.empty()) {
      // Joined after the dissolve, once per merged feature, with the first member's keys.
      const FieldValue& v = f.values[static_cast<std::size_t>(source.field_index(spec_.dissolve))];
      if (is_null(v) || to_text(v).find_first_not_of(" \t\r\n") == std::string::npos) {
        issues_.push_back(issue(f, r.id, FeatureStatus::kRejected, ErrorCode::kFieldNull,
                                fid_text + ": dissolve field '" + spec_.dissolve +
                                    "' is empty, so the feature belongs to no merged feature",
                                spec_.dissolve));
        return;
      }
      dissolve_keys_.push_back(to_text(v));
      join_keys_.push_back(std::move(join_keys));
    } else if (join_) {
      apply_join(join_keys, f.fid, r);
    }
    seen_ids.emplace(r.id, f.fid);
    out.records.push_back(std::move(r));
  }

  // A rejected feature that would have joined a merged one: that merged feature is smaller
  // than its source says, which its own record must say (dissolve()).
  void note_rejected_member(const VectorSource& source, const SourceFeature& f) {
    const int index = source.field_index(spec_.dissolve);
    if (index < 0 || static_cast<std::size_t>(index) >= f.values.size()) return;
    const FieldValue& v = f.values[static_cast<std::size_t>(index)];
    if (is_null(v)) return;
    rejected_members_[to_text(v)].push_back(f.fid);
  }

  // Merges the records sharing a dissolve value (their union), then joins the merged ones.
  void dissolve(LayerImport& out) {
    auto merged = dissolve_records(std::move(out.records), dissolve_keys_, *kind_, spec_.dissolve,
                                   metres_per_unit_);
    out.records.clear();
    for (auto& group : merged) {
      const auto first = group.members.front();
      auto warn = [&](const std::string& field, const std::string& message) {
        FeatureIssue i;
        i.layer = spec_.name;
        i.file = file_;
        i.fid = group.record.source.fid;
        i.feature_id = group.record.id;
        i.status = FeatureStatus::kWarning;
        i.code = ErrorCode::kDissolveConflict;
        i.field = field;
        i.message = message;
        issues_.push_back(std::move(i));
      };
      const std::string members = "the " + std::to_string(group.members.size()) +
                                  " features with " + spec_.dissolve + " = '" + group.record.id +
                                  "'";
      for (const auto& field : group.conflicting_fields) {
        const bool required = kind_->find(field)->required;
        warn(field, members + " have different " + field + " values; the merged feature's " +
                        field +
                        (required ? " is the first feature's (" + field + " is required)"
                                  : " is left empty"));
      }
      for (const auto& [field, without] : group.partial_sums)
        warn(field, members + ": " + std::to_string(without) + " have no " + field +
                        "; the merged feature's " + field + " is the sum over the others only");
      if (auto it = rejected_members_.find(group.record.id); it != rejected_members_.end()) {
        std::string fids;
        for (std::size_t k = 0; k < it->second.size() && k < 10; ++k)
          fids += (fids.empty() ? "" : ", ") + std::to_string(it->second[k]);
        if (it->second.size() > 10) fids += ", ...";
        warn("", "merged feature " + spec_.dissolve + " = '" + group.record.id + "' lacks " +
                     std::to_string(it->second.size()) + " rejected member feature(s) (fid " +
                     fids + "; see their own rows): its geometry, area and sums cover " +
                     std::to_string(group.members.size()) + " of " +
                     std::to_string(group.members.size() + it->second.size()) + " features");
        rejected_members_.erase(it);
      }
      if (join_) apply_join(join_keys_[first], group.record.source.fid, group.record);
      out.records.push_back(std::move(group.record));
    }
    out.dissolve = DissolveStats{spec_.dissolve, static_cast<std::int64_t>(dissolve_keys_.size()),
                                 static_cast<std::int64_t>(out.records.size())};
  }

  // Points and lines: present, reprojected, not stray; lines without repeated points and with
  // at least two distinct points per part (parts that are not are dropped, and the feature is
  // rejected when none is left). False when the feature was rejected.
  bool points_or_lines(const SourceFeature& f, const Transformer& to_project, Record& r,
                       const std::string& fid_text) {
    const bool points = kind_->geometry == GeometryKind::kPoint;
    if (points ? !f.points : !f.lines) {
      issues_.push_back(issue(
          f, r.id, FeatureStatus::kRejected, ErrorCode::kWrongGeometryType,
          fid_text + ": geometry is " + f.geometry_type + "; kind '" + spec_.kind + "' needs " +
              (points ? "Point or MultiPoint" : "LineString or MultiLineString")));
      return false;
    }
    if (points ? f.points->empty() : f.lines->empty()) {
      issues_.push_back(issue(f, r.id, FeatureStatus::kRejected, ErrorCode::kEmptyGeometry,
                              fid_text + ": geometry is empty"));
      return false;
    }
    Box2 box;
    bool transformed;
    if (points) {
      r.points = *f.points;
      transformed = to_project.transform(r.points);
      if (transformed) boost::geometry::envelope(r.points, box);
    } else {
      r.lines = *f.lines;
      transformed = to_project.transform(r.lines);
      if (transformed) boost::geometry::envelope(r.lines, box);
    }
    if (!transformed) {
      issues_.push_back(
          issue(f, r.id, FeatureStatus::kRejected, ErrorCode::kReprojectionFailed,
                fid_text + ": coordinates could not be transformed to " + project_crs_.label()));
      return false;
    }
    if (auto where = stray_location(box)) {
      issues_.push_back(issue(f, r.id, FeatureStatus::kRejected, ErrorCode::kCrsMismatch,
                              fid_text + ": " + *where));
      return false;
    }
    if (points) return true;
    std::size_t repeated = 0, dropped = 0;
    MultiLinestring2 kept;
    for (auto& line : r.lines) {
      const auto before = line.size();
      line.erase(std::unique(line.begin(), line.end(),
                             [](const Point2& a, const Point2& b) {
                               return a.x() == b.x() && a.y() == b.y();
                             }),
                 line.end());
      repeated += before - line.size();
      if (line.size() < 2)
        ++dropped;
      else
        kept.push_back(std::move(line));
    }
    if (kept.empty()) {
      issues_.push_back(issue(f, r.id, FeatureStatus::kRejected, ErrorCode::kDegenerateLine,
                              fid_text + ": no line part has two distinct points"));
      return false;
    }
    r.lines = std::move(kept);
    auto repaired = [&](ErrorCode code, const std::string& what, const std::string& method) {
      auto i = issue(f, r.id, FeatureStatus::kRepaired, code, fid_text + ": " + what);
      i.method = method;
      issues_.push_back(std::move(i));
      r.repaired = true;
    };
    if (repeated > 0)
      repaired(ErrorCode::kConsecutivePointsSame,
               std::to_string(repeated) + " repeated consecutive point(s)",
               "repeated points removed");
    if (dropped > 0)
      repaired(ErrorCode::kDegenerateLine,
               std::to_string(dropped) + " line part(s) with fewer than two distinct points",
               "those parts dropped");
    r.length_m = length_m(r.lines, metres_per_unit_);
    return true;
  }

  void set_location(FeatureIssue& i, const MultiPolygon2& g) const {
    Box2 box;
    boost::geometry::envelope(g, box);
    i.x = (box.min_corner().x() + box.max_corner().x()) / 2;
    i.y = (box.min_corner().y() + box.max_corner().y()) / 2;
  }

  void apply_join(const std::vector<std::string>& keys, std::int64_t fid, Record& r) {
    ++join_stats_.features;
    SourceFeature f;  // only its fid names the feature in the messages below
    f.fid = fid;
    std::string key_shown;
    for (const auto& k : keys) key_shown += (key_shown.empty() ? "" : " / ") + k;
    auto match = join_->find(keys);
    const std::string& table = spec_.join->table;
    if (!match) {
      ++join_stats_.unmatched_features;
      issues_.push_back(issue(f, r.id, FeatureStatus::kWarning, ErrorCode::kJoinUnmatchedFeature,
                              "feature " + std::to_string(f.fid) + ": key '" + key_shown +
                                  "' has no row in table '" + table +
                                  "'; joined fields left empty"));
      return;
    }
    join_->claim(
        *match);  // even an ambiguous match accounts for its rows (reported here, not as 951)
    if (match->rows.size() > 1 && spec_.join->multiple == JoinMultiple::kError) {
      ++join_stats_.ambiguous_features;
      issues_.push_back(
          issue(f, r.id, FeatureStatus::kWarning, ErrorCode::kJoinAmbiguous,
                "feature " + std::to_string(f.fid) + ": key '" + key_shown + "' matches " +
                    std::to_string(match->rows.size()) + " rows of table '" + table +
                    "'; joined fields left empty (set multiple = \"sum\" to add them up)"));
      return;
    }
    if (match->via_normalisation) {
      ++join_stats_.matched_normalised;
      std::string rows_shown;
      for (auto row : match->rows)
        rows_shown += (rows_shown.empty() ? "" : ", ") + join_->key_text(row);
      issues_.push_back(issue(
          f, r.id, FeatureStatus::kWarning, ErrorCode::kJoinViaNormalisation,
          "feature " + std::to_string(f.fid) + ": key '" + key_shown + "' matched table row '" +
              rows_shown + "' only after normalising names to '" + match->normalised_key + "'"));
    } else {
      ++join_stats_.matched_exact;
    }
    const Table& t = join_->table();
    for (const auto& [canonical, cols] : spec_.join->fields) {
      std::vector<FieldValue> values;
      for (auto row : match->rows)
        for (const auto& c : cols)
          values.emplace_back(t.rows[row][static_cast<std::size_t>(t.column(c))]);
      const FieldSpec* fs = kind_->find(canonical);
      if (fs->type == FieldType::kText && values.size() > 1) {
        // Text is never added up: the rows agree, or the disagreement is said (a required field
        // keeps the first row's value, as a dissolve does; an optional one is left empty).
        std::vector<std::string> distinct;
        for (const auto& v : values) {
          const std::string value = to_text(v);
          if (std::find(distinct.begin(), distinct.end(), value) == distinct.end())
            distinct.push_back(value);
        }
        if (distinct.size() == 1) {
          r.fields[canonical] = distinct.front();
          continue;
        }
        std::string shown;
        for (std::size_t k = 0; k < distinct.size() && k < 5; ++k)
          shown += (shown.empty() ? "'" : ", '") + distinct[k] + "'";
        if (distinct.size() > 5) shown += ", ...";
        FeatureIssue i = issue(
            f, r.id, FeatureStatus::kWarning, ErrorCode::kDissolveConflict,
            "feature " + std::to_string(f.fid) + ": the " + std::to_string(match->rows.size()) +
                " rows of table '" + table + "' summed for key '" + key_shown + "' differ in " +
                canonical + " (" + shown + "); " +
                (fs->required ? "kept the first row's value '" + distinct.front() + "'"
                              : std::string("left empty")));
        i.field = canonical;
        issues_.push_back(std::move(i));
        if (fs->required) r.fields[canonical] = distinct.front();
        continue;
      }
      auto converted = fs->type == FieldType::kText ? convert(values.front(), fs->type)
                                                    : sum_values(values, fs->type);
      if (!converted) {
        issues_.push_back(issue(f, r.id, FeatureStatus::kWarning, ErrorCode::kFieldType,
                                "feature " + std::to_string(f.fid) + ": joined column(s) for " +
                                    canonical + " are not numeric; left empty"));
        continue;
      }
      r.fields[canonical] = std::move(*converted);
    }
    // Joined figures carry the table's vintage unless the layer maps one itself.
    if (!t.vintage.empty() && kind_->find("vintage") && !r.fields.count("vintage"))
      r.fields["vintage"] = t.vintage;
  }

  void finish_join(LayerImport& out) {
    const Table& t = join_->table();
    for (auto row : join_->unclaimed_rows()) {
      ++join_stats_.unmatched_rows;
      FeatureIssue i;
      i.layer = spec_.name;
      i.file = t.path;
      i.fid = t.row_numbers[row];
      i.feature_id = join_->key_text(row);
      i.status = FeatureStatus::kWarning;
      i.code = ErrorCode::kJoinUnmatchedRow;
      i.message = "table '" + t.name + "' row " + std::to_string(t.row_numbers[row]) + " (key '" +
                  join_->key_text(row) + "') matches no feature of layer '" + spec_.name + "'";
      issues_.push_back(std::move(i));
    }
    out.join = join_stats_;
  }

  const LayerSpec& spec_;
  const Crs& project_crs_;
  const std::map<std::string, Table>& tables_;
  std::string project_file_;
  const ProgressFn& progress_;
  const KindSpec* kind_;
  std::string file_, crs_origin_;
  std::optional<TableJoin> join_;
  std::optional<GeoBox> project_area_;
  double metres_per_unit_ = 1.0;
  std::optional<Transformer> to_lonlat_;
  JoinStats join_stats_;
  std::vector<std::string> dissolve_keys_;  // per record, when dissolving
  std::map<std::string, std::vector<std::int64_t>> rejected_members_;  // dissolve value -> fids
  std::vector<std::vector<std::string>> join_keys_;  // per record, when dissolving
  std::vector<FeatureIssue> issues_;
};

}  // namespace

LayerImport import_layer(const LayerSpec& spec, const Crs& project_crs,
                         const std::map<std::string, Table>& tables,
                         const std::string& project_file, const ProgressFn& progress) {
  return Importer(spec, project_crs, tables, project_file, progress).run();
}

}  // namespace strata::io
