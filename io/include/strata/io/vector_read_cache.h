#pragma once
// One read per input file in a run: while a VectorReadCache is alive, a dataset layer that was
// read to its end is served from memory the next time open_vector_source() opens it (same path,
// layer, open options and encoding, and the file unchanged: same size and modification time).
// A project run reads a footprints file for its units, for an analysis and for its maps; GDAL
// parses it once. Files larger than the cache's limit are read each time (the cache would
// double their memory); the cache ends with its scope (engine::run_project keeps one per run).
#include <cstdint>
#include <memory>

namespace strata::io {

class VectorReadCache {
 public:
  explicit VectorReadCache(std::uintmax_t max_file_bytes = std::uintmax_t{512} << 20);
  ~VectorReadCache();
  VectorReadCache(const VectorReadCache&) = delete;
  VectorReadCache& operator=(const VectorReadCache&) = delete;

  struct Stats {
    std::int64_t served_from_memory = 0, read_from_file = 0;
  };
  Stats stats() const;

  struct State;  // the snapshots, private to io
  State* state_for_io() { return state_.get(); }

 private:
  std::unique_ptr<State> state_;
  VectorReadCache* previous_ = nullptr;  // caches nest: the innermost is active
};

// The active cache's state, or null (for open_vector_source).
VectorReadCache::State* active_vector_read_cache();

}  // namespace strata::io
