#pragma once
// One read per input file in a run: while a VectorReadCache is alive, a dataset layer that was
// read to its end is served from memory the next time open_vector_source() opens it (same path,
// layer, open options and encoding, and the file unchanged: same size and modification time).
// A project run reads a footprints file for its units, for an analysis and for its maps; GDAL
// parses it once. A file larger than `max_file_bytes`, or one that would take the files kept
// past `max_total_bytes`, is read each time (the cache would double their memory). The cache
// is the calling thread's (a Python or QGIS process may run two jobs at once, each its own)
// and ends with its scope (engine::run_project keeps one per run).
#include <cstdint>
#include <memory>

namespace strata::io {

class VectorReadCache {
 public:
  explicit VectorReadCache(std::uintmax_t max_file_bytes = std::uintmax_t{512} << 20,
                           std::uintmax_t max_total_bytes = std::uintmax_t{1} << 30);
  ~VectorReadCache();
  VectorReadCache(const VectorReadCache&) = delete;
  VectorReadCache& operator=(const VectorReadCache&) = delete;

  struct Stats {
    std::int64_t served_from_memory = 0, read_from_file = 0;
  };
  Stats stats() const;

  struct State;  // the snapshots, private to io
  const std::shared_ptr<State>& state_for_io() const { return state_; }

 private:
  std::shared_ptr<State> state_;         // shared with the sources still reading for it
  VectorReadCache* previous_ = nullptr;  // caches nest: the innermost is active
};

// The calling thread's active cache's state, or null (for open_vector_source).
std::shared_ptr<VectorReadCache::State> active_vector_read_cache();

}  // namespace strata::io
