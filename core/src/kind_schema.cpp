#include "strata/core/kind_schema.h"

namespace strata {
namespace {

using F = FieldType;

std::vector<FieldSpec> admin_fields() {
  return {
      {"id", F::kText, false, "stable identifier; defaults to <layer>:<source feature id>"},
      {"name", F::kText, true, "area name, e.g. 北投區 or 湖田里"},
      {"code", F::kText, false, "official code, e.g. 6301200"},
      {"parent_code", F::kText, false, "code of the enclosing area (a village's district)"},
      {"parent_name", F::kText, false, "name of the enclosing area"},
      {"population", F::kInteger, false, "resident population", true},
      {"households", F::kInteger, false, "number of households", true},
      {"male", F::kInteger, false, "male residents", true},
      {"female", F::kInteger, false, "female residents", true},
      {"registered_area_m2", F::kReal, false, "area stated by the source, m²", true},
      {"vintage", F::kText, false,
       "reference date of the population figures (set from the joined table's vintage)"},
  };
}

std::vector<KindSpec> build() {
  std::vector<KindSpec> kinds;
  kinds.push_back({"district", "administrative district (區) with population", admin_fields()});
  kinds.push_back({"village", "village or neighbourhood (里) with population", admin_fields()});
  kinds.push_back(
      {"zoning",
       "plan unit of an urban plan (zoning polygon)",
       {
           {"id", F::kText, false, "stable identifier"},
           {"zone_code", F::kText, true, "zone code, e.g. C23000"},
           {"zone_class", F::kText, false, "zone class, e.g. 住宅區"},
           {"zone_name", F::kText, false, "zone name or abbreviation"},
           {"plan_code", F::kText, false, "urban plan code, e.g. S0103"},
           {"plan_name", F::kText, false, "urban plan name"},
           {"bcr", F::kReal, false, "building coverage ratio 建蔽率, percent"},
           {"far", F::kReal, false, "floor area ratio 容積率, percent"},
           {"registered_area_m2", F::kReal, false, "area stated by the source, m²", true},
       }});
  kinds.push_back({"parcel",
                   "land parcel (地號) of a cadastral section (地段)",
                   {
                       {"id", F::kText, false, "stable identifier"},
                       {"section", F::kText, false, "cadastral section 地段"},
                       {"number", F::kText, false, "parcel number 地號"},
                       {"owner_class", F::kText, false, "ownership class, e.g. 公有 or 臺北市"},
                       {"manager", F::kText, false, "managing agency"},
                       {"registered_area_m2", F::kReal, false, "registered area, m²", true},
                   }});
  const std::vector<FieldSpec> surface = {
      {"id", F::kText, false, "stable identifier"},
      {"name", F::kText, false, "name"},
      {"category", F::kText, false, "sub-type, e.g. 公園 or 人行道"},
      {"district_name", F::kText, false, "district the source assigns it to"},
      {"registered_area_m2", F::kReal, false, "area stated by the source, m²", true},
      {"year", F::kInteger, false, "year built, opened or completed"},
  };
  kinds.push_back({"green", "green space (park, green zone, garden)", surface});
  kinds.push_back({"paving", "permeable paving project area", surface});
  const std::vector<FieldSpec> located = {
      {"id", F::kText, false, "stable identifier"},
      {"name", F::kText, false, "name"},
      {"category", F::kText, false, "sub-type, e.g. tree species or path type"},
      {"year", F::kInteger, false, "year planted, built or opened"},
      {"district_name", F::kText, false, "district the source assigns it to"},
  };
  std::vector<FieldSpec> located_points = located;
  located_points.push_back({"registered_area_m2", F::kReal, false,
                            "area stated by the source (a garden's plot), m²", true});
  kinds.push_back({"point_feature",
                   "point feature counted per population (trees planted, community gardens)",
                   located_points, GeometryKind::kPoint});
  kinds.push_back({"line_feature", "line feature measured by length (bicycle paths, levees)",
                   located, GeometryKind::kLine});
  return kinds;
}

}  // namespace

const FieldSpec* KindSpec::find(std::string_view field) const {
  for (const auto& f : fields)
    if (f.name == field) return &f;
  return nullptr;
}

std::string_view geometry_kind_name(GeometryKind geometry) {
  switch (geometry) {
    case GeometryKind::kPoint:
      return "point";
    case GeometryKind::kLine:
      return "line";
    case GeometryKind::kPolygon:
      break;
  }
  return "polygon";
}

std::span<const KindSpec> all_kinds() {
  static const std::vector<KindSpec> kinds = build();
  return kinds;
}

const KindSpec* find_kind(std::string_view kind) {
  for (const auto& k : all_kinds())
    if (k.kind == kind) return &k;
  return nullptr;
}

std::string_view field_type_name(FieldType type) {
  switch (type) {
    case FieldType::kText:
      return "text";
    case FieldType::kInteger:
      return "integer";
    case FieldType::kReal:
      return "real";
  }
  return "?";
}

}  // namespace strata
