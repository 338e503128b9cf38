#include "strata/core/open3d_module.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "strata/core/error.h"

namespace strata {
namespace {

std::once_flag once;
void* handle = nullptr;
std::string load_error;

// Where the module may be: $STRATA_OPEN3D_MODULE alone if set; else beside the program or
// Python module this code is linked into (the QGIS plugin's lib/), in ../lib/strata of it (an
// installed bin/strata), this build's own, and the installed one.
std::vector<std::filesystem::path> candidates() {
  if (const char* env = std::getenv("STRATA_OPEN3D_MODULE"); env && *env) return {env};
  std::vector<std::filesystem::path> out;
  Dl_info self{};
  if (dladdr(reinterpret_cast<void*>(&open3d_loaded), &self) && self.dli_fname) {
    std::error_code ec;
    const auto dir = std::filesystem::weakly_canonical(self.dli_fname, ec).parent_path();
    out.push_back(dir / "libstrata_open3d.so");
    out.push_back(dir / ".." / "lib" / "strata" / "libstrata_open3d.so");
    out.push_back(dir / ".." / STRATA_INSTALL_LIBDIR / "strata" / "libstrata_open3d.so");
  }
  out.emplace_back(STRATA_OPEN3D_BUILD_MODULE);
  out.emplace_back(STRATA_OPEN3D_INSTALLED_MODULE);
  return out;
}

void load() {
  std::string looked;
  for (const auto& path : candidates()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      looked += (looked.empty() ? "" : ", ") + path.lexically_normal().string();
      continue;
    }
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle) return;
    const char* why = dlerror();
    load_error = path.string() + " cannot be loaded: " + (why ? why : "unknown reason");
    return;
  }
  load_error = "libstrata_open3d.so (strata's Open3D module) is not installed; looked in " +
               looked + " (set STRATA_OPEN3D_MODULE to its path)";
}

void* module() {
  std::call_once(once, load);
  if (!handle) throw StrataError(ErrorCode::kInternal, load_error);
  return handle;
}

}  // namespace

void* open3d_symbol(const char* name) {
  void* symbol = dlsym(module(), name);
  if (!symbol)
    throw StrataError(ErrorCode::kInternal, std::string("libstrata_open3d.so has no entry point ") +
                                                name + " (a module of another strata version?)");
  return symbol;
}

const Open3dApi& open3d_api() {
  static const Open3dApi* api = [] {
    auto get = reinterpret_cast<const Open3dApi* (*)()>(open3d_symbol("strata_open3d_api"));
    const Open3dApi* a = get();
    if (!a || a->version != kOpen3dApiVersion)
      throw StrataError(ErrorCode::kInternal,
                        "libstrata_open3d.so is of another strata version (interface " +
                            std::to_string(a ? a->version : 0) + ", this strata needs " +
                            std::to_string(kOpen3dApiVersion) + ")");
    return a;
  }();
  return *api;
}

bool open3d_loaded() { return handle != nullptr; }

}  // namespace strata
