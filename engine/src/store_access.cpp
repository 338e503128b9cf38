#include <unistd.h>

#include <cctype>
#include <filesystem>

#include "strata/core/error.h"
#include "strata/engine/store_access.h"

namespace strata::engine {
namespace {

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
        for (auto dir = std::filesystem::absolute(path_).parent_path(); !dir.empty();
             dir = dir.parent_path()) {
          std::filesystem::remove(dir, ec);
          if (dir == first_missing_folder_) break;
        }
      }
    }
  }
  io::Store& operator*() { return *store_; }
  io::Store* operator->() { return store_.get(); }
  void keep() { keep_ = true; }
  std::unique_ptr<io::Store> release() {
    keep_ = true;
    return std::move(store_);
  }

 private:
  std::filesystem::path path_;
  static std::filesystem::path first_missing_ancestor(const std::filesystem::path& path) {
    std::filesystem::path missing;
    for (auto dir = std::filesystem::absolute(path).parent_path();
         !dir.empty() && !std::filesystem::exists(dir); dir = dir.parent_path())
      missing = dir;
    return missing;
  }

  bool created_;
  std::filesystem::path first_missing_folder_;
  bool keep_ = false;
  std::unique_ptr<io::Store> store_;
};

}  // namespace

bool is_project_file(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".toml";
}

std::unique_ptr<io::Store> open_store_arg(const std::string& store_or_project) {
  if (is_project_file(store_or_project))
    return io::open_geopackage_store_readonly(io::load_project(store_or_project).store);
  return io::open_geopackage_store_readonly(store_or_project);
}

ImportRun run_import(const io::Project& project, const io::ImportOptions& options,
                     const io::ProgressFn& progress) {
  const Crs crs = Crs::from_user_input(project.crs);
  if (options.dry_run) {
    // What the real run will need: write access to the store, or to the folder it goes in.
    auto probe = std::filesystem::absolute(project.store);
    while (!std::filesystem::exists(probe) && probe.has_parent_path() &&
           probe != probe.parent_path())
      probe = probe.parent_path();
    if (probe != std::filesystem::absolute(project.store) && !std::filesystem::is_directory(probe))
      throw StrataError(ErrorCode::kStoreError, project.store.string() + ": cannot be created (" +
                                                    probe.string() + " is a file, not a folder)");
    if (::access(probe.c_str(), W_OK) != 0)
      throw StrataError(ErrorCode::kStoreError, project.store.string() + ": cannot be written (" +
                                                    probe.string() + " is not writable)");
    if (std::filesystem::exists(project.store)) {
      auto existing = io::open_geopackage_store_readonly(project.store);
      if (!existing->crs().equivalent_to(crs))
        throw StrataError(ErrorCode::kStoreError, project.store.string() + ": was created in " +
                                                      existing->crs().label() +
                                                      ", but the project CRS is " + crs.label());
    }
    return {io::import_project(project, crs, nullptr, options, progress), nullptr};
  }
  StoreForImport store(project.store, crs);
  ImportRun run{io::import_project(project, crs, &*store, options, progress), nullptr};
  if (run.result.written) run.store = store.release();
  return run;
}

}  // namespace strata::engine
