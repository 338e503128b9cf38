#include <memory>

#include "strata/plugins/registry.h"

namespace strata::plugins {

// Defined next to each writer, in plugins/writers/.
std::unique_ptr<ExportPlugin> make_gpkg_writer();
std::unique_ptr<ExportPlugin> make_cityjson_writer();
std::unique_ptr<ExportPlugin> make_cityjsonseq_writer();
std::unique_ptr<ExportPlugin> make_dxf_writer();
std::unique_ptr<ExportPlugin> make_kml_writer();
std::unique_ptr<ExportPlugin> make_citygml_writer();
std::unique_ptr<ExportPlugin> make_tiles_writer();

void register_builtin_writers(PluginRegistry& registry) {
  registry.add(make_gpkg_writer(), "built-in");
  registry.add(make_cityjson_writer(), "built-in");
  registry.add(make_cityjsonseq_writer(), "built-in");
  registry.add(make_citygml_writer(), "built-in");
  registry.add(make_tiles_writer(), "built-in");
  registry.add(make_dxf_writer(), "built-in");
  registry.add(make_kml_writer(), "built-in");
}

}  // namespace strata::plugins
