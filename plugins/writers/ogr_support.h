#pragma once
// What the GDAL-based writers (GeoPackage, DXF, KML) share: the attribute columns of a layer,
// geometries as OGR objects, and writing to a temporary file that replaces the target only when
// everything was written. Private to plugins/.
#include <ogrsf_frmts.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "strata/plugins/export_model.h"

namespace strata::plugins {

struct AttributeColumn {
  std::string name;
  OGRFieldType type = OFTString;
  OGRFieldSubType subtype = OFSTNone;
};

// The top-level attribute keys of a layer in order of first appearance, typed by their values
// (integers, reals, booleans; text otherwise; arrays and objects become JSON text).
std::vector<AttributeColumn> attribute_columns(const ExportLayer& layer);
void create_columns(OGRLayer& layer, const std::vector<AttributeColumn>& columns,
                    const std::string& what);
void set_attributes(OGRFeature& feature, const std::vector<AttributeColumn>& columns,
                    const nlohmann::json& attributes);

// The feature's geometry as OGR: MultiPolygon (2D), MultiPoint, MultiLineString, or the faces
// of a volume as a MultiPolygon Z. Null when the feature has none.
std::unique_ptr<OGRGeometry> to_ogr_geometry(const ExportLayer& layer, const ExportFeature& f);
OGRwkbGeometryType ogr_type_of(const ExportLayer& layer);

// The spatial reference of a model CRS (authority code or WKT); null when empty or unknown.
std::unique_ptr<OGRSpatialReference> spatial_reference(const std::string& crs);

// Creates a dataset of `driver` at a temporary path next to `target`, calls `fill`, closes it
// and renames it over `target`: a failure leaves the previous file. Throws std::runtime_error
// naming the file and GDAL's message.
void write_ogr_dataset(const std::filesystem::path& target, const std::string& driver,
                       const std::vector<std::string>& creation_options,
                       const std::function<void(GDALDataset&)>& fill);

}  // namespace strata::plugins
