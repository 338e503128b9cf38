#pragma once
// The project store: every ingested layer, its provenance and the import report. The default
// implementation is a GeoPackage (opens directly in QGIS); a PostGIS one can follow behind the
// same interface.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/core/city_object.h"
#include "strata/core/crs.h"
#include "strata/core/feature_issue.h"
#include "strata/core/provenance.h"
#include "strata/core/record.h"
#include "strata/core/wkb_batch.h"
#include "strata/io/layer_import.h"

namespace strata::io {

struct StoredLayer {
  Provenance provenance;  // layer, kind, source, counts
  std::int64_t feature_count = 0;
};

// Everything one import writes, applied as a single transaction.
struct ImportBatch {
  std::vector<const LayerImport*> layers;  // replace these layers (by name)
  std::vector<FeatureIssue> extra_issues;  // issues not tied to a layer (tables)
  std::string run_summary_json;            // recorded in strata_runs
  std::vector<std::string> tables;         // tables read: their old report rows are replaced
};

// A layer of 3D volumes (LoD1 buildings, legal spaces of registered units) stored as
// MultiPolygonZ: the faces of each object's first solid, with its type, parent and attributes.
// Kinds "building_3d", "building_storey" and "legal_space"; they are not 2D records
// (for_each_record refuses them).
struct VolumeLayer {
  Provenance provenance;  // layer name, kind, source, counts
  std::vector<CityObject> objects;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual const std::filesystem::path& path() const = 0;
  virtual const Crs& crs() const = 0;

  // Replaces the batch's layers, their report rows and provenance, and records the run, all in
  // one transaction: on an exception, or if the process dies, the store keeps its previous state.
  virtual void write_import(const ImportBatch& batch, const ProgressFn& progress = {}) = 0;

  // Replaces these volume layers and their report rows, and records the run, in one transaction.
  virtual void write_volumes(const std::vector<VolumeLayer>& layers,
                             const std::vector<FeatureIssue>& issues,
                             const std::string& run_summary_json) = 0;
  // Calls `fn` with each object of a volume layer (one Solid geometry rebuilt from its faces).
  virtual void for_each_volume(const std::string& layer,
                               const std::function<bool(const CityObject&)>& fn) = 0;

  virtual std::vector<StoredLayer> layers() = 0;
  virtual std::optional<StoredLayer> layer(const std::string& name) = 0;
  // Calls `fn` for each record of the layer whose bounding box meets `bbox` (all when empty);
  // stops when `fn` returns false.
  virtual void for_each_record(const std::string& layer, const std::optional<Box2>& bbox,
                               const std::function<bool(const Record&)>& fn) = 0;
  // The geometry of every record of the layer as WKB, reading no attribute: the bulk path of
  // the area indicators.
  virtual WkbBatch read_wkb(const std::string& layer) = 0;
  virtual std::vector<FeatureIssue> issues(const std::string& layer = {}) = 0;
  virtual std::int64_t run_count() = 0;
};

// Opens (or, with create = true, creates) a GeoPackage store. A new store takes `project_crs`;
// an existing one must have been created with an equivalent CRS.
std::unique_ptr<Store> open_geopackage_store(const std::filesystem::path& path,
                                             const Crs& project_crs, bool create);
// Opens an existing store read-only, with the CRS it was created with.
std::unique_ptr<Store> open_geopackage_store_readonly(const std::filesystem::path& path);
// Whether `store` (as the user wrote it) names a database connection ("PG:dbname=x" in any
// case, "postgresql://..."), which this version cannot store into.
bool is_database_connection(std::string_view store);

}  // namespace strata::io
