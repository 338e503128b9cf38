#include "strata/core/lazy_module.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "strata/core/error.h"

namespace strata {

LazyModule::LazyModule(std::string file, std::string what, std::string env, std::string build_path,
                       std::string installed_path)
    : file_(std::move(file)),
      what_(std::move(what)),
      env_(std::move(env)),
      build_path_(std::move(build_path)),
      installed_path_(std::move(installed_path)) {}

namespace {
void where_core_is() {}
}  // namespace

// Where the module may be: $env alone if set; else beside the program or Python module this
// code is linked into (the QGIS plugin's lib/), in ../lib/strata of it (an installed
// bin/strata), this build's own, and the installed one.
void LazyModule::load() {
  std::vector<std::filesystem::path> candidates;
  if (const char* path = std::getenv(env_.c_str()); path && *path) {
    candidates.emplace_back(path);
  } else {
    Dl_info self{};
    if (dladdr(reinterpret_cast<void*>(&where_core_is), &self) && self.dli_fname) {
      std::error_code ec;
      const auto dir = std::filesystem::weakly_canonical(self.dli_fname, ec).parent_path();
      candidates.push_back(dir / file_);
      candidates.push_back(dir / ".." / "lib" / "strata" / file_);
      candidates.push_back(dir / ".." / STRATA_INSTALL_LIBDIR / "strata" / file_);
    }
    candidates.emplace_back(build_path_);
    candidates.emplace_back(installed_path_);
  }
  std::string looked;
  for (const auto& path : candidates) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      looked += (looked.empty() ? "" : ", ") + path.lexically_normal().string();
      continue;
    }
    void* opened = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (opened) {
      handle_ = opened;
      return;
    }
    const char* why = dlerror();
    load_error_ = path.string() + " cannot be loaded: " + (why ? why : "unknown reason");
    return;
  }
  load_error_ = file_ + " (" + what_ + ") is not installed; looked in " + looked + " (set " + env_ +
                " to its path)";
}

void* LazyModule::symbol(const char* name) {
  std::call_once(once_, [this] { load(); });
  void* handle = handle_.load();
  if (!handle) throw StrataError(ErrorCode::kInternal, load_error_);
  void* s = dlsym(handle, name);
  if (!s)
    throw StrataError(ErrorCode::kInternal, file_ + " has no entry point " + name +
                                                " (a module of another strata version?)");
  return s;
}

}  // namespace strata
