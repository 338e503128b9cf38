#pragma once
// The inside of VectorReadCache (io only): snapshots of layers read to their end.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "strata/io/vector_read_cache.h"
#include "strata/io/vector_source.h"

namespace strata::io {

struct VectorReadKey {
  std::string path, layer, encoding;
  std::vector<std::string> open_options;
  // The file as it is: a rewrite in place changes its size or times, a replacement (strata's
  // own outputs are renamed into place) its inode.
  std::uintmax_t size = 0, inode = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator<(const VectorReadKey& o) const {
    return std::tie(path, layer, encoding, open_options, size, inode, mtime_ns, ctime_ns) <
           std::tie(o.path, o.layer, o.encoding, o.open_options, o.size, o.inode, o.mtime_ns,
                    o.ctime_ns);
  }
};

struct VectorSnapshot {
  std::string path, layer_name, driver_name;
  std::vector<SourceField> fields;
  std::optional<Crs> declared_crs;
  bool crs_is_format_default = false, has_geometry_column = false;
  VectorSource::DeclaredGeometry declared_geometry;
  std::vector<std::string> files, dataset_layers;
  std::vector<SourceFeature> features;
};

struct VectorReadCache::State : std::enable_shared_from_this<VectorReadCache::State> {
  std::uintmax_t max_file_bytes = 0, max_total_bytes = 0, total_bytes = 0;
  mutable std::mutex mutex;
  std::map<VectorReadKey, std::shared_ptr<const VectorSnapshot>> snapshots;
  std::map<VectorReadKey, std::vector<std::string>> layer_names;  // key without a layer
  Stats stats;

  std::optional<VectorReadKey> key_of(const VectorSourceOptions& options) const;
  // A replay of the snapshot, or the file (read_file) recorded for the next time.
  std::unique_ptr<VectorSource> open(
      const VectorSourceOptions& options,
      const std::function<std::unique_ptr<VectorSource>()>& read_file);
  // Kept under the layer asked for and under the layer's own name ("" and "pand" are one layer
  // of a one-layer GeoPackage).
  void store(const VectorReadKey& key, std::shared_ptr<const VectorSnapshot> snapshot);
  // The layers of a file a source has opened (so that listing them opens nothing).
  void remember_layers(VectorReadKey key, const std::vector<std::string>& names);
  // vector_layer_names() of a file, listed once.
  std::vector<std::string> names(const std::string& path,
                                 const std::function<std::vector<std::string>()>& list);
};

}  // namespace strata::io
