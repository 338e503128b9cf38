#pragma once
// The feature kinds strata ingests and their canonical fields. A project file maps source
// fields onto these names; the store keeps one column per canonical field. Adding a kind means
// adding an entry here (and, where it needs behaviour, a typed view in model_views.h).
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

enum class FieldType { kText, kInteger, kReal };

struct FieldSpec {
  std::string name;
  FieldType type;
  bool required;
  std::string description;
  bool additive = false;  // a count or an area: merged features add it up (dissolve)
};

// What geometry the features of a kind have. Polygonal kinds are repaired and measured by
// area; point kinds are counted; line kinds are measured by length.
enum class GeometryKind { kPolygon, kPoint, kLine };

struct KindSpec {
  std::string kind;
  std::string description;
  std::vector<FieldSpec> fields;  // "id" is always first
  GeometryKind geometry = GeometryKind::kPolygon;
  const FieldSpec* find(std::string_view field) const;
};

std::span<const KindSpec> all_kinds();
const KindSpec* find_kind(std::string_view kind);
std::string_view field_type_name(FieldType type);
std::string_view geometry_kind_name(GeometryKind geometry);  // "polygon", "point", "line"

}  // namespace strata
