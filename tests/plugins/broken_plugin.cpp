// Plugin libraries that go wrong on purpose, for tests/cli/test_export_plugins.py: built once per
// BROKEN_* definition (tests/plugins/CMakeLists.txt). The engine must report each and carry on.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "strata/plugins/export_plugin.h"

// Code that runs when the library is loaded (as any library's initialisers do): it leaves a file
// in $STRATA_TEST_PLUGIN_MARKERS, so the tests can tell which libraries strata really loaded.
namespace {
struct MarkOnLoad {
  MarkOnLoad() {
    if (const char* dir = std::getenv("STRATA_TEST_PLUGIN_MARKERS")) {
      const std::string path = std::string(dir) + "/" + BROKEN_NAME + ".ran";
      if (std::FILE* f = std::fopen(path.c_str(), "w")) std::fclose(f);
    }
  }
} mark_on_load;
}  // namespace

#if defined(BROKEN_NO_ENTRY_POINTS)
// A shared library without strata's entry points.
extern "C" int not_a_strata_plugin() { return 0; }
#else
extern "C" int strata_plugin_abi() {
#if defined(BROKEN_WRONG_ABI)
  return STRATA_PLUGIN_ABI + 100;
#else
  return STRATA_PLUGIN_ABI;
#endif
}

extern "C" void strata_register_plugins(strata::plugins::PluginRegistrar& registrar) {
#if defined(BROKEN_THROWS_ON_REGISTER)
  (void)registrar;
  throw std::runtime_error("this plugin cannot start: its licence file is missing");
#else
  (void)registrar;  // registers nothing
#endif
}
#endif
