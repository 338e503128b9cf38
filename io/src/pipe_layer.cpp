#include "strata/io/pipe_layer.h"

#include <cmath>
#include <set>

#include "strata/core/crs.h"
#include "strata/core/error.h"
#include "strata/core/field_value.h"
#include "strata/io/vector_source.h"

namespace strata::io {

PipeLayerRead read_pipe_layer(const PipeLayerOptions& o, const PipeRules& rules) {
  auto source = open_vector_source({o.path, o.layer, {}, {}});
  PipeLayerRead out;
  out.read.network.format = "GIS (" + source->driver_name() + ")";
  out.read.network.units = "diameters in " + std::to_string(o.diameter_unit_m) +
                           " m units; depths in m; x, y in the layer's CRS";
  if (auto crs = source->declared_crs()) {
    if (crs->is_geographic())
      throw StrataError(ErrorCode::kCrsMismatch,
                        o.path + ": the layer is in " + crs->label() +
                            " (longitude/latitude); pipes need a projected CRS in metres or feet");
    out.crs = crs->authority_code().value_or(crs->label());
    out.crs_unit_m = crs->linear_unit_m();
  }
  auto index = [&](const std::string& field, const char* role) {
    if (field.empty()) return -1;
    const int i = source->field_index(field);
    if (i < 0) {
      std::string names;
      for (const auto& f : source->fields()) names += (names.empty() ? "" : ", ") + f.name;
      throw StrataError(ErrorCode::kFieldMissing, o.path + ": no field '" + field + "' for the " +
                                                      role + " (fields: " + names + ")");
    }
    return i;
  };
  const int id_i = index(o.id_field, "id"), utility_i = index(o.utility_field, "utility"),
            diameter_i = index(o.diameter_field, "diameter"),
            depth_i = index(o.depth_field, "depth"),
            material_i = index(o.material_field, "material"),
            owner_i = index(o.owner_field, "owner"), year_i = index(o.year_field, "year"),
            invert_start_i = index(o.invert_start_field, "invert at the start"),
            invert_end_i = index(o.invert_end_field, "invert at the end");
  if (o.heights == PipeHeightSource::kInvertFields && (invert_start_i < 0 || invert_end_i < 0))
    throw StrataError(ErrorCode::kWrongInputParameters,
                      o.path + ": invert heights need both invert fields (start and end)");
  const bool by_cover = o.heights == PipeHeightSource::kCover;
  out.read.network.heights =
      by_cover && !o.ground ? PipeHeights::kBelowGround : PipeHeights::kElevation;
  if (utility_i < 0 && !o.utility)
    throw StrataError(ErrorCode::kWrongInputParameters,
                      o.path + ": give the pipes' utility (a field, or one for all of them)");
  auto& issues = out.read.issues;
  auto reject = [&](const SourceFeature& f, const std::string& id, ErrorCode code,
                    const std::string& field, const std::string& what,
                    FeatureStatus status = FeatureStatus::kRejected) {
    FeatureIssue i;
    i.file = o.path;
    i.fid = f.fid;
    i.feature_id = id;
    i.status = status;
    i.code = code;
    i.field = field;
    i.message = o.path + ": feature " + std::to_string(f.fid) + " (" + id + "): " + what;
    issues.push_back(std::move(i));
  };
  std::set<std::string> ids;
  SourceFeature f;
  while (source->next(f)) {
    auto value = [&](int i) -> const FieldValue& { return f.values[static_cast<std::size_t>(i)]; };
    std::string id = id_i >= 0 && !is_null(value(id_i)) ? to_text(value(id_i))
                                                        : "feature " + std::to_string(f.fid);
    if (!ids.insert(id).second) {
      reject(f, id, ErrorCode::kDuplicateId, o.id_field, "id '" + id + "' is used twice");
      continue;
    }
    if (!f.lines) {
      reject(f, id, f.has_geometry ? ErrorCode::kWrongGeometryType : ErrorCode::kNoGeometry, "",
             f.has_geometry ? "geometry is " + f.geometry_type + ", a pipe needs a line"
                            : "geometry is null");
      continue;
    }
    PipeLink base;
    base.type = "pipe";
    if (utility_i >= 0) {
      const std::string text = is_null(value(utility_i)) ? "" : to_text(value(utility_i));
      auto u = parse_utility(text);
      if (!u) {
        reject(f, id, ErrorCode::kFieldType, o.utility_field,
               "utility '" + text +
                   "' is not known (water, sewer, storm, gas, petroleum, power, telecom, "
                   "heating, other, or their Chinese names)");
        continue;
      }
      base.utility = *u;
    } else {
      base.utility = *o.utility;
    }
    const auto defaults_it = rules.defaults.find(base.utility);
    const UtilityDefaults defaults =
        defaults_it == rules.defaults.end() ? UtilityDefaults{} : defaults_it->second;
    const std::string utility(utility_name(base.utility));
    // A value the data lacks: the rule for the utility (then listed as assumed), else the pipe
    // is rejected, naming the rule to add.
    auto from_rule = [&](const std::optional<double>& rule, const std::string& what,
                         const std::string& field) -> std::optional<double> {
      if (o.plan_only) return 0.0;  // not needed: left unknown
      if (rule) {
        base.assumed.push_back(what);
        return rule;
      }
      reject(f, id, ErrorCode::kFieldNull, field,
             "no " + what + ", and the rules give none for " + utility + " ([utilities." + utility +
                 "] " + what + "_m)");
      return std::nullopt;
    };
    // Diameter: the field, else the rule.
    std::optional<double> diameter;
    if (diameter_i >= 0 && !is_null(value(diameter_i))) {
      auto d = to_real(value(diameter_i));
      if (!d) {
        reject(f, id, ErrorCode::kFieldType, o.diameter_field,
               "diameter '" + to_text(value(diameter_i)) + "' is not a number");
        continue;
      }
      if (!(*d > 0)) {
        reject(f, id, ErrorCode::kBadDimension, o.diameter_field,
               "diameter " + to_text(value(diameter_i)) + " is not positive");
        continue;
      }
      if (!(*d * o.diameter_unit_m <= kMaxPipeDiameterM)) {
        reject(f, id, ErrorCode::kBadDimension, o.diameter_field,
               "diameter " + to_text(value(diameter_i)) + " (" +
                   std::to_string(*d * o.diameter_unit_m) + " m) is implausible (at most " +
                   std::to_string(static_cast<int>(kMaxPipeDiameterM)) + " m; a unit error?)");
        continue;
      }
      diameter = *d * o.diameter_unit_m;
    } else if (!(diameter = from_rule(defaults.diameter_m, "diameter", o.diameter_field))) {
      continue;
    }
    base.diameter_m = *diameter;
    std::optional<double> depth;
    if (!by_cover) {
      // Heights from the geometry or the invert fields: no depth needed.
    } else if (depth_i >= 0 && !is_null(value(depth_i))) {
      auto d = to_real(value(depth_i));
      if (!d) {
        reject(f, id, ErrorCode::kFieldType, o.depth_field,
               "depth '" + to_text(value(depth_i)) + "' is not a number of metres");
        continue;
      }
      if (*d < 0) {
        reject(f, id, ErrorCode::kAboveGround, o.depth_field,
               "depth " + to_text(value(depth_i)) +
                   " is negative: the pipe's top would be above the ground");
        continue;
      }
      depth = *d;
    } else if (!(depth = from_rule(defaults.depth_m, "depth", o.depth_field))) {
      continue;
    }
    std::optional<double> invert_start, invert_end;
    if (o.heights == PipeHeightSource::kInvertFields) {
      auto invert = [&](int i, const std::string& field) -> std::optional<double> {
        if (is_null(value(i))) {
          reject(f, id, ErrorCode::kFieldNull, field, "no invert level in " + field);
          return std::nullopt;
        }
        auto v = to_real(value(i));
        if (!v || !std::isfinite(*v))
          reject(f, id, ErrorCode::kFieldType, field,
                 "invert level '" + to_text(value(i)) + "' is not a number");
        return v;
      };
      if (!(invert_start = invert(invert_start_i, o.invert_start_field))) continue;
      if (!(invert_end = invert(invert_end_i, o.invert_end_field))) continue;
    }
    if (depth) base.cover_start = base.cover_end = *depth;
    if (material_i >= 0 && !is_null(value(material_i))) base.material = to_text(value(material_i));
    if (owner_i >= 0 && !is_null(value(owner_i))) base.owner = to_text(value(owner_i));
    if (year_i >= 0 && !is_null(value(year_i)))
      if (auto y = to_integer(value(year_i))) base.install_year = static_cast<int>(*y);
    const double half = base.diameter_m / 2;
    const bool needs_z =
        o.heights == PipeHeightSource::kAxisZ || o.heights == PipeHeightSource::kInvertZ;
    if (needs_z && !f.line_heights) {
      reject(f, id, ErrorCode::kFieldNull, "geometry",
             "the line has no z values (heights were asked from the lines' z)");
      continue;
    }
    std::size_t part_no = 0;
    for (const auto& part : *f.lines) {
      PipeLink link = base;
      link.id = f.lines->size() > 1 ? id + "#" + std::to_string(part_no + 1) : id;
      const std::vector<double>* zs = f.line_heights ? &(*f.line_heights)[part_no] : nullptr;
      ++part_no;
      bool bad_height = false;
      for (std::size_t k = 0; k < part.size(); ++k) {
        const auto& p = part[k];
        if (!link.centreline.empty() && link.centreline.back()[0] == p.x() &&
            link.centreline.back()[1] == p.y())
          continue;
        double z = 0;
        if (by_cover) {
          double ground = 0;
          if (o.ground) {
            auto g = o.ground(p.x(), p.y());
            if (!g) {
              bad_height = true;
              reject(f, link.id, ErrorCode::kFieldNull, "terrain",
                     "no terrain height at vertex " + std::to_string(k + 1) +
                         " (off the terrain or on nodata): its depth cannot be placed");
              break;
            }
            ground = *g;
          }
          z = ground - *depth - half;
        } else if (needs_z) {
          z = (*zs)[k] + (o.heights == PipeHeightSource::kInvertZ ? half : 0);
          if (!std::isfinite(z)) {
            bad_height = true;
            reject(f, link.id, ErrorCode::kFieldType, "geometry",
                   "vertex " + std::to_string(k + 1) + " has no finite z");
            break;
          }
        }
        link.centreline.push_back({p.x(), p.y(), z});
      }
      if (bad_height) continue;
      if (link.centreline.size() < 2) {
        reject(f, link.id, ErrorCode::kDegenerateLine, "",
               "a line part with fewer than two distinct points");
        continue;
      }
      if (o.heights == PipeHeightSource::kInvertFields) {
        // The axis runs linearly, by planar distance, from one invert (+ radius) to the other.
        const double total = planar_length(link.centreline);
        double run = 0;
        for (std::size_t k = 0; k < link.centreline.size(); ++k) {
          if (k > 0)
            run += std::hypot(link.centreline[k][0] - link.centreline[k - 1][0],
                              link.centreline[k][1] - link.centreline[k - 1][1]);
          const double t = total > 0 ? run / total : 0;
          link.centreline[k][2] = *invert_start + t * (*invert_end - *invert_start) + half;
        }
      }
      if (!by_cover) {
        link.invert_start = link.centreline.front()[2] - half;
        link.invert_end = link.centreline.back()[2] - half;
      }
      if (o.ground) {
        link.ground_start = o.ground(link.centreline.front()[0], link.centreline.front()[1]);
        link.ground_end = o.ground(link.centreline.back()[0], link.centreline.back()[1]);
        if (link.ground_start)
          link.cover_start = *link.ground_start - link.centreline.front()[2] - half;
        if (link.ground_end) link.cover_end = *link.ground_end - link.centreline.back()[2] - half;
        // A pipe given in elevations whose top is above the terrain: kept, and said.
        for (const auto& p : link.centreline) {
          auto g = o.ground(p[0], p[1]);
          if (g && p[2] + half > *g + 1e-9) {
            reject(f, link.id, ErrorCode::kAboveGround, "geometry",
                   "the pipe's top is " + std::to_string(p[2] + half - *g) +
                       " m above the terrain at (" + std::to_string(p[0]) + ", " +
                       std::to_string(p[1]) + ")",
                   FeatureStatus::kWarning);
            break;
          }
        }
      }
      link.source = o.path + ":" + std::to_string(f.fid);
      out.read.network.links.push_back(std::move(link));
    }
  }
  return out;
}

}  // namespace strata::io
