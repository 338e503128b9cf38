#pragma once
// Reading features from any vector dataset. The interface keeps GDAL out of the rest of the
// engine; open_vector_source() returns the GDAL/OGR implementation.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/crs.h"
#include "strata/core/field_value.h"
#include "strata/core/geometry.h"
#include "strata/core/kind_schema.h"

namespace strata::io {

struct SourceField {
  std::string name;
  FieldType type;
};

struct SourceFeature {
  std::int64_t fid = -1;
  std::vector<FieldValue> values;  // one per SourceField, same order
  bool has_geometry = false;
  std::string geometry_type;              // OGR name, e.g. "MultiPolygon" or "Point"
  std::optional<MultiPolygon2> polygons;  // set when the geometry is polygonal
  std::optional<MultiPoint2> points;      // set when it is a point or multipoint
  std::optional<MultiLinestring2> lines;  // set when it is a (multi)linestring
  // The lines' z values, one vector per part, when the geometry has them (3D pipes).
  std::optional<std::vector<std::vector<double>>> line_heights;
  // The points' z values, in order, when the geometry has them (3D findings).
  std::optional<std::vector<double>> point_heights;
  bool closed_open_rings = false;                // a ring had to be closed while reading
  std::vector<std::string> invalid_text_fields;  // fields whose text was not valid UTF-8
};

struct VectorSourceOptions {
  std::string path;
  std::string layer;                      // empty: the dataset's only (or first) layer
  std::vector<std::string> open_options;  // passed to the driver, e.g. GEOM_POSSIBLE_NAMES=wkt
  std::string encoding;                   // source text encoding where the driver supports it
};

class VectorSource {
 public:
  virtual ~VectorSource() = default;
  virtual const std::string& path() const = 0;
  virtual const std::string& layer_name() const = 0;
  virtual const std::string& driver_name() const = 0;
  virtual const std::vector<SourceField>& fields() const = 0;
  // The CRS the file declares, or nothing when it declares none.
  virtual std::optional<Crs> declared_crs() const = 0;
  // True when the format defines a CRS for files without one (GeoJSON: RFC 7946 WGS84).
  virtual bool crs_is_format_default() const = 0;
  virtual bool has_geometry_column() const = 0;
  // The geometry type the layer declares: 'P' points, 'L' lines, 'A' areas (polygons), or 0
  // when it declares none or a generic one; `z` when it declares heights. An empty layer still
  // has it (a result layer with no finding keeps its type).
  struct DeclaredGeometry {
    char kind = 0;
    bool z = false;
  };
  virtual DeclaredGeometry declared_geometry() const { return {}; }
  // The names of every layer of the dataset this layer is in (empty when unknown).
  virtual std::vector<std::string> dataset_layers() const { return {}; }
  virtual std::int64_t feature_count() = 0;  // -1 when unknown
  // Reads the next feature; false at the end. Throws StrataError on a read error.
  virtual bool next(SourceFeature& out) = 0;
  virtual void rewind() = 0;
  // Every file the dataset consists of (a Shapefile's .shp/.dbf/.shx/.prj, a FileGDB's folder).
  virtual std::vector<std::string> files() const = 0;

  int field_index(const std::string& name) const;  // -1 when absent
};

// Opens a dataset with GDAL/OGR. Throws StrataError(kInvalidInputFile) naming the file and
// what GDAL said when it cannot be opened or the layer does not exist.
std::unique_ptr<VectorSource> open_vector_source(const VectorSourceOptions& options);

// The names of the vector layers of a dataset, in order. Throws StrataError(kInvalidInputFile)
// when it cannot be opened.
std::vector<std::string> vector_layer_names(const std::string& path);

}  // namespace strata::io
