#pragma once
// What an export plugin writes: the model gathered from the store, the results of the analyses
// and the pipe networks, as plain layers of features, with the privacy profile already applied.
// Header-only types (Boost.Geometry, nlohmann::json, std): a plugin built as a shared library
// reads them without linking strata's libraries.
#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/core/city_object.h"
#include "strata/core/geometry.h"
#include "strata/plugins/privacy.h"

namespace strata::plugins {

// What a layer holds, for writers that map classes onto their own (a CityJSON type, a DXF
// layer, a QGIS style).
enum class FeatureClass {
  kDistrict,
  kVillage,
  kZone,
  kParcel,
  kGreen,
  kPaving,
  kPointFeature,
  kLineFeature,
  kBuilding,
  kBuildingStorey,
  kBuildingUnit,  // legal space of a registered unit
  kPipe,
  kIndicator,  // indicator results per district
  kFinding,    // validation, ownership or pipe findings
  kOther
};

inline std::string_view feature_class_name(FeatureClass c) {
  switch (c) {
    case FeatureClass::kDistrict:
      return "district";
    case FeatureClass::kVillage:
      return "village";
    case FeatureClass::kZone:
      return "zone";
    case FeatureClass::kParcel:
      return "parcel";
    case FeatureClass::kGreen:
      return "green";
    case FeatureClass::kPaving:
      return "paving";
    case FeatureClass::kPointFeature:
      return "point_feature";
    case FeatureClass::kLineFeature:
      return "line_feature";
    case FeatureClass::kBuilding:
      return "building";
    case FeatureClass::kBuildingStorey:
      return "building_storey";
    case FeatureClass::kBuildingUnit:
      return "building_unit";
    case FeatureClass::kPipe:
      return "pipe";
    case FeatureClass::kIndicator:
      return "indicator";
    case FeatureClass::kFinding:
      return "finding";
    case FeatureClass::kOther:
      return "other";
  }
  return "other";
}

enum class GeometryKind { kNone, kPolygons, kPoints, kLines, kVolume };

inline std::string_view geometry_kind_name(GeometryKind k) {
  switch (k) {
    case GeometryKind::kNone:
      return "none";
    case GeometryKind::kPolygons:
      return "polygon";
    case GeometryKind::kPoints:
      return "point";
    case GeometryKind::kLines:
      return "line";
    case GeometryKind::kVolume:
      return "volume";
  }
  return "none";
}

// One feature's geometry: exactly the member its layer's GeometryKind names is set.
struct ExportGeometry {
  MultiPolygon2 polygons;                  // kPolygons (2D)
  std::vector<Point3> points;              // kPoints
  std::vector<std::vector<Point3>> lines;  // kLines
  std::optional<CityGeometry> volume;      // kVolume: a Solid (faces in real coordinates)
};

struct ExportFeature {
  std::string id;
  ExportGeometry geometry;
  nlohmann::json attributes = nlohmann::json::object();  // flat values, arrays or objects
  std::vector<std::string> parents, children;            // city-object hierarchy (volumes)
};

struct ExportLayer {
  std::string name;  // "parcels", "legal_spaces", "pipes_gas", "indicators_district", ...
  FeatureClass feature_class = FeatureClass::kOther;
  GeometryKind geometry = GeometryKind::kNone;
  bool has_z = false;  // points and lines carry real heights
  std::string origin;  // "store", "results: out/indicators.gpkg", "pipes: gas.gpkg"
  std::string source;  // dataset and licence as recorded at import
  std::vector<ExportFeature> features;
};

struct ExportModel {
  std::string title;
  std::string crs;  // authority code ("EPSG:3826") or WKT
  PrivacyProfile profile = PrivacyProfile::kPlanner;
  std::vector<ExportLayer> layers;
  int values_withheld = 0;                    // attribute values the profile removed
  std::set<std::string> attributes_withheld;  // their names, for the user's allow-list
  std::vector<std::string> layers_withheld;   // layers the profile left out

  const ExportLayer* find(std::string_view name) const {
    for (const auto& l : layers)
      if (l.name == name) return &l;
    return nullptr;
  }
};

}  // namespace strata::plugins
