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
            owner_i = index(o.owner_field, "owner"), year_i = index(o.year_field, "year");
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
      diameter = *d * o.diameter_unit_m;
    } else if (!(diameter = from_rule(defaults.diameter_m, "diameter", o.diameter_field))) {
      continue;
    }
    base.diameter_m = *diameter;
    std::optional<double> depth;
    if (depth_i >= 0 && !is_null(value(depth_i))) {
      auto d = to_real(value(depth_i));
      if (!d || *d < 0) {
        reject(f, id, ErrorCode::kFieldType, o.depth_field,
               "depth '" + to_text(value(depth_i)) + "' is not a non-negative number of metres");
        continue;
      }
      depth = *d;
    } else if (!(depth = from_rule(defaults.depth_m, "depth", o.depth_field))) {
      continue;
    }
    base.cover_start = base.cover_end = *depth;
    if (material_i >= 0 && !is_null(value(material_i))) base.material = to_text(value(material_i));
    if (owner_i >= 0 && !is_null(value(owner_i))) base.owner = to_text(value(owner_i));
    if (year_i >= 0 && !is_null(value(year_i)))
      if (auto y = to_integer(value(year_i))) base.install_year = static_cast<int>(*y);
    const double z = -(*depth + base.diameter_m / 2);
    std::size_t part_no = 0;
    for (const auto& part : *f.lines) {
      ++part_no;
      PipeLink link = base;
      link.id = f.lines->size() > 1 ? id + "#" + std::to_string(part_no) : id;
      for (const auto& p : part)
        if (link.centreline.empty() || link.centreline.back()[0] != p.x() ||
            link.centreline.back()[1] != p.y())
          link.centreline.push_back({p.x(), p.y(), z});
      if (link.centreline.size() < 2) {
        reject(f, link.id, ErrorCode::kDegenerateLine, "",
               "a line part with fewer than two distinct points");
        continue;
      }
      link.source = o.path + ":" + std::to_string(f.fid);
      out.read.network.links.push_back(std::move(link));
    }
  }
  return out;
}

}  // namespace strata::io
