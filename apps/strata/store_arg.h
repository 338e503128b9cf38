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

namespace strata::cli {

// Opens (creating if needed) the store an import writes to. A store this command created is
// removed again unless keep() is called, so a failed first import leaves no empty store behind.
class StoreForImport {
 public:
  StoreForImport(const std::filesystem::path& path, const Crs& crs)
      : path_(path),
        created_(!std::filesystem::exists(path)),
        first_missing_folder_(first_missing_ancestor(path)),
        store_(io::open_geopackage_store(path, crs, true)) {}
  ~StoreForImport() {
    if (created_ && !keep_) {
      store_.reset();
      std::error_code ec;
      std::filesystem::remove(path_, ec);
      // Folders this command created for the store go too (remove() leaves non-empty ones).
      if (!first_missing_folder_.empty()) {
        for (auto dir = std::filesystem::absolute(path_).parent_path(); !dir.empty(); dir = dir.parent_path()) {
          std::filesystem::remove(dir, ec);
          if (dir == first_missing_folder_) break;
        }
      }
    }
  }
  io::Store& operator*() { return *store_; }
  io::Store* operator->() { return store_.get(); }
  void keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  static std::filesystem::path first_missing_ancestor(const std::filesystem::path& path) {
    std::filesystem::path missing;
    for (auto dir = std::filesystem::absolute(path).parent_path(); !dir.empty() && !std::filesystem::exists(dir);
         dir = dir.parent_path())
      missing = dir;
    return missing;
  }

  bool created_;
  std::filesystem::path first_missing_folder_;
  bool keep_ = false;
  std::unique_ptr<io::Store> store_;
};

}  // namespace strata::cli
