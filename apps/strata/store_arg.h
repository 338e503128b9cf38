#pragma once
// Commands that read a store accept either the store itself or the project file naming it.
#include <memory>
#include <string>

#include "strata/io/project_file.h"
#include "strata/io/store.h"

namespace strata::cli {

inline std::unique_ptr<io::Store> open_store_arg(const std::string& store_or_project) {
  bool is_project = store_or_project.size() > 5 && store_or_project.substr(store_or_project.size() - 5) == ".toml";
  if (is_project) return io::open_geopackage_store_readonly(io::load_project(store_or_project).store);
  return io::open_geopackage_store_readonly(store_or_project);
}

}  // namespace strata::cli
