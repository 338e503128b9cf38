#include "strata/io/vector_read_cache.h"

#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <tuple>

#include "vector_read_cache_state.h"

namespace strata::io {
namespace {

// The calling thread's innermost cache: jobs on other threads (two QGIS algorithms at once)
// never see it, and scopes on one thread end in reverse order.
thread_local VectorReadCache* active = nullptr;

// A source that plays back a snapshot.
class ReplaySource final : public VectorSource {
 public:
  explicit ReplaySource(std::shared_ptr<const VectorSnapshot> s) : s_(std::move(s)) {}
  const std::string& path() const override { return s_->path; }
  const std::string& layer_name() const override { return s_->layer_name; }
  const std::string& driver_name() const override { return s_->driver_name; }
  const std::vector<SourceField>& fields() const override { return s_->fields; }
  std::optional<Crs> declared_crs() const override { return s_->declared_crs; }
  bool crs_is_format_default() const override { return s_->crs_is_format_default; }
  bool has_geometry_column() const override { return s_->has_geometry_column; }
  DeclaredGeometry declared_geometry() const override { return s_->declared_geometry; }
  std::int64_t feature_count() override { return static_cast<std::int64_t>(s_->features.size()); }
  bool next(SourceFeature& out) override {
    if (at_ >= s_->features.size()) return false;
    out = s_->features[at_++];
    return true;
  }
  void rewind() override { at_ = 0; }
  std::vector<std::string> files() const override { return s_->files; }
  std::vector<std::string> dataset_layers() const override { return s_->dataset_layers; }

 private:
  std::shared_ptr<const VectorSnapshot> s_;
  std::size_t at_ = 0;
};

// A source that reads the file and keeps what it reads; read to its end without a rewind, it
// hands the snapshot to the cache.
class RecordingSource final : public VectorSource {
 public:
  RecordingSource(std::unique_ptr<VectorSource> inner,
                  std::shared_ptr<VectorReadCache::State> cache, VectorReadKey key)
      : inner_(std::move(inner)), cache_(cache), key_(std::move(key)) {
    snapshot_ = std::make_shared<VectorSnapshot>();
    snapshot_->path = inner_->path();
    snapshot_->layer_name = inner_->layer_name();
    snapshot_->driver_name = inner_->driver_name();
    snapshot_->fields = inner_->fields();
    snapshot_->declared_crs = inner_->declared_crs();
    snapshot_->crs_is_format_default = inner_->crs_is_format_default();
    snapshot_->has_geometry_column = inner_->has_geometry_column();
    snapshot_->declared_geometry = inner_->declared_geometry();
    snapshot_->files = inner_->files();
    snapshot_->dataset_layers = inner_->dataset_layers();
    cache_->remember_layers(key_, snapshot_->dataset_layers);
  }
  const std::string& path() const override { return inner_->path(); }
  const std::string& layer_name() const override { return inner_->layer_name(); }
  const std::string& driver_name() const override { return inner_->driver_name(); }
  const std::vector<SourceField>& fields() const override { return inner_->fields(); }
  std::optional<Crs> declared_crs() const override { return inner_->declared_crs(); }
  bool crs_is_format_default() const override { return inner_->crs_is_format_default(); }
  bool has_geometry_column() const override { return inner_->has_geometry_column(); }
  DeclaredGeometry declared_geometry() const override { return inner_->declared_geometry(); }
  std::int64_t feature_count() override { return inner_->feature_count(); }
  bool next(SourceFeature& out) override {
    if (!inner_->next(out)) {
      if (snapshot_) cache_->store(key_, std::move(snapshot_));
      snapshot_.reset();
      return false;
    }
    if (snapshot_) snapshot_->features.push_back(out);
    return true;
  }
  void rewind() override {
    snapshot_.reset();  // a reader that goes round twice: not worth keeping
    inner_->rewind();
  }
  std::vector<std::string> files() const override { return inner_->files(); }
  std::vector<std::string> dataset_layers() const override { return inner_->dataset_layers(); }

 private:
  std::unique_ptr<VectorSource> inner_;
  std::shared_ptr<VectorReadCache::State> cache_;  // outlives its scope if this source does
  VectorReadKey key_;
  std::shared_ptr<VectorSnapshot> snapshot_;
};

}  // namespace

std::optional<VectorReadKey> VectorReadCache::State::key_of(const VectorSourceOptions& o) const {
  std::error_code ec;
  const std::filesystem::path p(o.path);
  if (!std::filesystem::is_regular_file(p, ec)) return std::nullopt;  // folders, /vsi*, PG:
  const auto size = std::filesystem::file_size(p, ec);
  if (ec || size > max_file_bytes) return std::nullopt;
  struct stat st {};
  if (::stat(o.path.c_str(), &st) != 0) return std::nullopt;
  VectorReadKey k;
  k.path = std::filesystem::weakly_canonical(p, ec).string();
  k.layer = o.layer;
  k.encoding = o.encoding;
  k.open_options = o.open_options;
  k.size = size;
  k.inode = static_cast<std::uintmax_t>(st.st_ino);
  k.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  k.ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
  return k;
}

std::unique_ptr<VectorSource> VectorReadCache::State::open(
    const VectorSourceOptions& options,
    const std::function<std::unique_ptr<VectorSource>()>& read_file) {
  const auto key = key_of(options);
  if (!key) return read_file();
  {
    std::lock_guard lock(mutex);
    if (auto it = snapshots.find(*key); it != snapshots.end()) {
      ++stats.served_from_memory;
      return std::make_unique<ReplaySource>(it->second);
    }
    ++stats.read_from_file;
  }
  return std::make_unique<RecordingSource>(read_file(), shared_from_this(), *key);
}

void VectorReadCache::State::store(const VectorReadKey& key,
                                   std::shared_ptr<const VectorSnapshot> snapshot) {
  std::lock_guard lock(mutex);
  if (total_bytes + key.size > max_total_bytes) return;  // the budget is spent: read again
  total_bytes += key.size;
  VectorReadKey named = key;
  named.layer = snapshot->layer_name;
  snapshots.emplace(key, snapshot);
  snapshots.emplace(named, std::move(snapshot));
}

void VectorReadCache::State::remember_layers(VectorReadKey key,
                                             const std::vector<std::string>& names) {
  if (names.empty()) return;
  key.layer.clear();
  std::lock_guard lock(mutex);
  layer_names.emplace(std::move(key), names);
}

std::vector<std::string> VectorReadCache::State::names(
    const std::string& path, const std::function<std::vector<std::string>()>& list) {
  const auto key = key_of({path, {}, {}, {}});
  if (!key) return list();
  {
    std::lock_guard lock(mutex);
    if (auto it = layer_names.find(*key); it != layer_names.end()) return it->second;
  }
  auto names = list();
  std::lock_guard lock(mutex);
  layer_names.emplace(*key, names);
  return names;
}

VectorReadCache::VectorReadCache(std::uintmax_t max_file_bytes, std::uintmax_t max_total_bytes)
    : state_(std::make_shared<State>()) {
  state_->max_file_bytes = max_file_bytes;
  state_->max_total_bytes = max_total_bytes;
  previous_ = active;
  active = this;
}

VectorReadCache::~VectorReadCache() { active = previous_; }

VectorReadCache::Stats VectorReadCache::stats() const {
  std::lock_guard lock(state_->mutex);
  return state_->stats;
}

std::shared_ptr<VectorReadCache::State> active_vector_read_cache() {
  return active ? active->state_for_io() : nullptr;
}

}  // namespace strata::io
