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
#include <vector>

#include "strata/core/crs.h"
#include "strata/core/feature_issue.h"
#include "strata/core/provenance.h"
#include "strata/core/record.h"
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

class Store {
 public:
  virtual ~Store() = default;
  virtual const std::filesystem::path& path() const = 0;
  virtual const Crs& crs() const = 0;

  // Replaces the batch's layers, their report rows and provenance, and records the run, all in
  // one transaction: on an exception, or if the process dies, the store keeps its previous state.
  virtual void write_import(const ImportBatch& batch, const ProgressFn& progress = {}) = 0;

  virtual std::vector<StoredLayer> layers() = 0;
  virtual std::optional<StoredLayer> layer(const std::string& name) = 0;
  // Calls `fn` for each record of the layer whose bounding box meets `bbox` (all when empty);
  // stops when `fn` returns false.
  virtual void for_each_record(const std::string& layer, const std::optional<Box2>& bbox,
                               const std::function<bool(const Record&)>& fn) = 0;
  virtual std::vector<FeatureIssue> issues(const std::string& layer = {}) = 0;
  virtual std::int64_t run_count() = 0;
};

// Opens (or, with create = true, creates) a GeoPackage store. A new store takes `project_crs`;
// an existing one must have been created with an equivalent CRS.
std::unique_ptr<Store> open_geopackage_store(const std::filesystem::path& path,
                                             const Crs& project_crs, bool create);
// Opens an existing store read-only, with the CRS it was created with.
std::unique_ptr<Store> open_geopackage_store_readonly(const std::filesystem::path& path);

}  // namespace strata::io
