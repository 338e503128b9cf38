#pragma once
// How commands reach the store: by the store itself or by the project file naming it, and how an
// import (real or dry) gets the store it writes to.
#include <memory>
#include <string>

#include "strata/io/project_file.h"
#include "strata/io/project_import.h"
#include "strata/io/store.h"

namespace strata::engine {

bool is_project_file(const std::string& path);  // ".toml", any case

// Opens a store read-only, given itself or a project file.
std::unique_ptr<io::Store> open_store_arg(const std::string& store_or_project);

struct ImportRun {
  io::ProjectImport result;
  std::unique_ptr<io::Store> store;  // open after a successful write; null otherwise
};

// Imports a project. A dry run opens an existing store read-only, only to check its CRS and that
// it can be written, and creates nothing; a real import opens (or creates) the store and keeps a
// new one only if it was written.
ImportRun run_import(const io::Project& project, const io::ImportOptions& options,
                     const io::ProgressFn& progress);

}  // namespace strata::engine
