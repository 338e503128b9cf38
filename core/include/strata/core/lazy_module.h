#pragma once
// strata's own modules that carry a heavy chain of libraries (Open3D's, Cairo and Pango's) are
// shared objects loaded with dlopen the first time one of their functions is needed, so that a
// command, a Python session or a QGIS plugin that never draws or reads a point cloud does not
// load (and relocate) that chain at start-up.
#include <atomic>
#include <mutex>
#include <string>

namespace strata {

class LazyModule {
 public:
  // `file`: "libstrata_open3d.so"; `what`: "strata's Open3D module"; `env`: the variable that
  // names the file to use instead of looking for it; `build_path` and `installed_path`: this
  // build's and the installed copy.
  LazyModule(std::string file, std::string what, std::string env, std::string build_path,
             std::string installed_path);
  LazyModule(const LazyModule&) = delete;
  LazyModule& operator=(const LazyModule&) = delete;

  // An entry point of the module, loading it on first use. Throws StrataError(kInternal) naming
  // where it looked when the module cannot be found or loaded (an installation problem), or
  // that the entry point is missing (a module of another strata version).
  void* symbol(const char* name);
  bool loaded() const { return handle_.load() != nullptr; }
  const std::string& file() const { return file_; }

 private:
  void load();
  std::string file_, what_, env_, build_path_, installed_path_;
  std::once_flag once_;
  std::atomic<void*> handle_{nullptr};  // read by loaded() while another thread may load
  std::string load_error_;
};

}  // namespace strata
