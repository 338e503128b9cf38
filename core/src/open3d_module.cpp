#include "strata/core/open3d_module.h"

#include "strata/core/error.h"
#include "strata/core/lazy_module.h"

namespace strata {
namespace {

LazyModule& module() {
  static LazyModule m("libstrata_open3d.so", "strata's Open3D module", "STRATA_OPEN3D_MODULE",
                      STRATA_OPEN3D_BUILD_MODULE, STRATA_OPEN3D_INSTALLED_MODULE);
  return m;
}

}  // namespace

void* open3d_symbol(const char* name) { return module().symbol(name); }

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

bool open3d_loaded() { return module().loaded(); }

}  // namespace strata
