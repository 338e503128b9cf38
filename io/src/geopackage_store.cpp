// GeoPackage implementation of Store, through GDAL's GPKG driver (SQLite). One import is one
// SQLite transaction, so a failure or a kill leaves the previous state intact.
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "gpkg_wkb_reader.h"
#include "ogr_geometry.h"
#include "strata/core/atomic_file.h"
#include "strata/core/error.h"
#include "strata/core/kind_schema.h"
#include "strata/io/gdal_support.h"
#include "strata/io/store.h"

namespace strata::io {
namespace {

constexpr const char* kMeta = "strata_meta";
constexpr const char* kLayers = "strata_layers";
constexpr const char* kReport = "strata_import_report";
constexpr const char* kRuns = "strata_runs";
constexpr int kSchemaVersion = 1;

[[noreturn]] void store_fail(const std::filesystem::path& path, const std::string& what) {
  throw StrataError(ErrorCode::kStoreError, path.string() + ": " + what);
}

OGRFieldType ogr_type(FieldType t) {
  switch (t) {
    case FieldType::kInteger:
      return OFTInteger64;
    case FieldType::kReal:
      return OFTReal;
    case FieldType::kText:
      return OFTString;
  }
  return OFTString;
}

std::string sql_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// One strata writer per store at a time: an exclusive flock on "<store>.lock", waited for up to
// 10 s. (Not on the store itself: closing any descriptor of the database file would drop
// SQLite's own POSIX locks.) Two writers with SQLite's deferred transactions alone would make
// one fail at once with "database is locked" instead of waiting.
class WriterLock {
 public:
  explicit WriterLock(const std::filesystem::path& store) {
    auto lock_path = store;
    lock_path += ".lock";
    fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) return;  // read-only folder: SQLite's own locking still protects the data
    for (int waited_ms = 0; ::flock(fd_, LOCK_EX | LOCK_NB) != 0; waited_ms += 100) {
      if (waited_ms >= 10000) {
        ::close(fd_);
        throw StrataError(ErrorCode::kStoreLocked,
                          store.string() +
                              ": another strata import has been writing to it for 10 s (" +
                              lock_path.string() + "); try again when it is done");
      }
      ::usleep(100000);
    }
  }
  ~WriterLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
  }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  int fd_ = -1;
};

class GeoPackageStore final : public Store {
 public:
  GeoPackageStore(std::filesystem::path path, std::optional<Crs> project_crs, bool create,
                  bool read_only)
      : path_(std::move(path)) {
    ensure_gdal();
    const bool exists = std::filesystem::exists(path_);
    if (!exists && !create)
      store_fail(path_, "store not found (run 'strata import' or 'strata run' first)");
    if (exists && std::filesystem::is_directory(path_))
      store_fail(path_, "is a folder, not a GeoPackage file");
    if (!exists) create_new(*project_crs);
    {
      const char* drivers[] = {"GPKG", nullptr};
      unsigned flags = GDAL_OF_VECTOR | (read_only ? GDAL_OF_READONLY : GDAL_OF_UPDATE);
      dataset_.reset(GDALDataset::Open(path_.string().c_str(), flags, drivers, nullptr, nullptr));
      std::string why = dataset_ ? std::string() : take_gdal_error();
      if (!dataset_ && read_only && why.find("readonly") != std::string::npos) {
        // A hot journal: an import died mid-transaction. SQLite rolls it back on the first open
        // that may write, which a read-only open is not; recover once, then read. (A live
        // writer's journal is not hot, and read-only opens work next to it.)
        GDALDatasetUniquePtr recover(GDALDataset::Open(
            path_.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, nullptr, nullptr));
        if (!recover)
          store_fail(path_,
                     "an interrupted import left a journal to roll back, which needs write access "
                     "to the store (" +
                         take_gdal_error() + ")");
        recover->GetLayerCount();
        recover.reset();
        dataset_.reset(GDALDataset::Open(path_.string().c_str(), flags, drivers, nullptr, nullptr));
        if (!dataset_) why = take_gdal_error();
      }
      if (!dataset_) {
        if (why.find("locked") != std::string::npos)
          throw StrataError(
              ErrorCode::kStoreLocked,
              path_.string() + ": the store is locked by another process (" + why + ")");
        store_fail(path_, why == "no details from GDAL"
                              ? std::string("is not a GeoPackage (SQLite) file")
                              : "cannot open as a GeoPackage: " + why);
      }
      auto stored = meta("crs");
      if (!stored)
        store_fail(path_, "is a GeoPackage but not a strata store (no strata_meta table)");
      crs_ = Crs::from_user_input(*stored);
      if (!read_only) upgrade_schema();
      if (project_crs && !project_crs->equivalent_to(*crs_)) {
        store_fail(path_, "was created in " + crs_->label() + ", but the project CRS is " +
                              project_crs->label() + "; use a new store or the same CRS");
      }
    }
    srs_.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (srs_.SetFromUserInput(crs_->definition().c_str()) != OGRERR_NONE)
      store_fail(path_, "GDAL does not understand the CRS " + crs_->definition());
  }

  const std::filesystem::path& path() const override { return path_; }
  const Crs& crs() const override { return *crs_; }

  void write_import(const ImportBatch& batch, const ProgressFn& progress) override {
    const char* fault = std::getenv("STRATA_FAULT_AFTER_WRITES");  // test hook, docs/testing.md
    std::int64_t fault_after = fault ? std::atoll(fault) : -1;
    std::int64_t writes = 0;
    in_transaction(batch.run_summary_json, [&] {
      for (const LayerImport* li : batch.layers) {
        write_layer(*li, progress, fault_after, writes);
        replace_layer_row(*li);
        replace_report_rows(li->provenance.layer, li->issues);
      }
      // Table issues (lookups) are keyed by table name; a new import replaces them too.
      std::set<std::string> tables(batch.tables.begin(), batch.tables.end());
      for (const auto& i : batch.extra_issues) tables.insert(i.layer);
      for (const auto& t : tables)
        check(delete_where(kReport, "layer = " + sql_quote(t)), "update the import report");
      append_report_rows(batch.extra_issues);
    });
  }

  void write_volumes(const std::vector<VolumeLayer>& layers,
                     const std::vector<FeatureIssue>& issues,
                     const std::string& run_summary_json) override {
    in_transaction(run_summary_json, [&] {
      for (const auto& layer : layers) {
        write_volume_layer(layer);
        replace_layer_row(layer.provenance, static_cast<std::int64_t>(layer.objects.size()));
        std::vector<FeatureIssue> own;
        for (const auto& i : issues)
          if (i.layer == layer.provenance.layer) own.push_back(i);
        replace_report_rows(layer.provenance.layer, own);
      }
    });
  }

  void for_each_volume(const std::string& name,
                       const std::function<bool(const CityObject&)>& fn) override {
    auto info = layer(name);
    if (!info) store_fail(path_, "has no layer '" + name + "'");
    if (!is_volume_kind(info->provenance.kind))
      store_fail(path_, "layer '" + name + "' holds 2D records, not 3D volumes");
    OGRLayer* l = dataset_->GetLayerByName(name.c_str());
    if (!l) store_fail(path_, "layer '" + name + "' is damaged");
    l->SetSpatialFilter(nullptr);
    l->ResetReading();
    for (auto& f : *l) {
      CityObject o;
      o.id = f->GetFieldAsString("sid");
      o.type = f->GetFieldAsString("type");
      if (const std::string parent = f->GetFieldAsString("parent"); !parent.empty())
        o.parents.push_back(parent);
      o.attributes_json = f->GetFieldAsString("attributes");
      const OGRGeometry* stored = f->GetGeometryRef();
      if (!stored || stored->IsEmpty()) {  // a unit without a volume
        if (!fn(o)) break;
        continue;
      }
      CityGeometry g;
      g.type = CityGeometryType::kSolid;
      g.lod = f->GetFieldAsString("lod");
      Shell3 shell;
      if (const auto* mp = dynamic_cast<const OGRMultiPolygon*>(f->GetGeometryRef())) {
        for (const auto* poly : mp) {
          Surface3 surface;
          for (const auto* ring : poly) {
            Ring3 r;
            for (int i = 0; i + 1 < ring->getNumPoints(); ++i)  // open rings, as strata keeps them
              r.push_back({ring->getX(i), ring->getY(i), ring->getZ(i)});
            surface.push_back(std::move(r));
          }
          shell.push_back(std::move(surface));
        }
      }
      g.solids.push_back({std::move(shell)});
      o.geometries.push_back(std::move(g));
      if (!fn(o)) break;
    }
  }

  std::vector<StoredLayer> layers() override {
    if (!layers_cache_) {  // read once; write_import() invalidates it
      layers_cache_.emplace();
      OGRLayer* l = dataset_->GetLayerByName(kLayers);
      l->ResetReading();
      for (auto& f : *l) layers_cache_->push_back(read_layer_row(*f));
    }
    return *layers_cache_;
  }

  std::optional<StoredLayer> layer(const std::string& name) override {
    for (auto& l : layers())
      if (l.provenance.layer == name) return l;
    return std::nullopt;
  }

  void for_each_record(const std::string& name, const std::optional<Box2>& bbox,
                       const std::function<bool(const Record&)>& fn) override {
    auto info = layer(name);
    if (!info) store_fail(path_, "has no layer '" + name + "'");
    const KindSpec* kind = find_kind(info->provenance.kind);
    OGRLayer* l = dataset_->GetLayerByName(name.c_str());
    if (!l || !kind) store_fail(path_, "layer '" + name + "' is damaged or of an unknown kind");
    if (bbox)
      l->SetSpatialFilterRect(bbox->min_corner().x(), bbox->min_corner().y(),
                              bbox->max_corner().x(), bbox->max_corner().y());
    else
      l->SetSpatialFilter(nullptr);
    l->ResetReading();
    for (auto& f : *l) {
      Record r;
      r.kind = kind->kind;
      r.id = f->GetFieldAsString("sid");
      r.source = {f->GetFieldAsString("src_dataset"), f->GetFieldAsString("src_layer"),
                  f->GetFieldAsInteger64("src_fid")};
      for (const auto& spec : kind->fields) {
        if (spec.name == "id") continue;
        int idx = f->GetFieldIndex(spec.name.c_str());
        if (idx < 0 || !f->IsFieldSetAndNotNull(idx)) continue;
        switch (spec.type) {
          case FieldType::kInteger:
            r.fields[spec.name] = static_cast<std::int64_t>(f->GetFieldAsInteger64(idx));
            break;
          case FieldType::kReal:
            r.fields[spec.name] = f->GetFieldAsDouble(idx);
            break;
          case FieldType::kText:
            r.fields[spec.name] = std::string(f->GetFieldAsString(idx));
            break;
        }
      }
      r.area_m2 = f->GetFieldAsDouble("area_m2");
      r.repaired = f->GetFieldAsInteger("repaired") != 0;
      r.attributes_json = f->GetFieldAsString("attributes");
      switch (kind->geometry) {
        case GeometryKind::kPolygon:
          append_polygons(f->GetGeometryRef(), r.geometry);
          break;
        case GeometryKind::kPoint:
          append_points(f->GetGeometryRef(), r.points);
          break;
        case GeometryKind::kLine:
          append_lines(f->GetGeometryRef(), r.lines);
          r.length_m = f->GetFieldAsDouble("length_m");
          break;
      }
      if (!fn(r)) break;
    }
    l->SetSpatialFilter(nullptr);
  }

  WkbBatch read_wkb(const std::string& name) override {
    auto info = layer(name);
    if (!info) store_fail(path_, "has no layer '" + name + "'");
    if (is_volume_kind(info->provenance.kind))
      store_fail(path_, "layer '" + name + "' holds 3D volumes, not 2D records");
    return read_gpkg_wkb(path_, name);
  }

  std::vector<FeatureIssue> issues(const std::string& layer_name) override {
    std::vector<FeatureIssue> out;
    OGRLayer* l = dataset_->GetLayerByName(kReport);
    l->SetAttributeFilter(layer_name.empty() ? nullptr
                                             : ("layer = " + sql_quote(layer_name)).c_str());
    l->ResetReading();
    for (auto& f : *l) {
      FeatureIssue i;
      i.layer = f->GetFieldAsString("layer");
      i.file = f->GetFieldAsString("file");
      i.fid = f->GetFieldAsInteger64("fid_in_source");
      i.feature_id = f->GetFieldAsString("feature_id");
      std::string status = f->GetFieldAsString("status");
      i.status = status == "imported"   ? FeatureStatus::kImported
                 : status == "repaired" ? FeatureStatus::kRepaired
                 : status == "warning"  ? FeatureStatus::kWarning
                                        : FeatureStatus::kRejected;
      i.code = static_cast<ErrorCode>(f->GetFieldAsInteger("code"));
      i.field = f->GetFieldAsString("field");
      i.message = f->GetFieldAsString("message");
      i.method = f->GetFieldAsString("method");
      if (const OGRGeometry* g = f->GetGeometryRef();
          g && wkbFlatten(g->getGeometryType()) == wkbPoint) {
        i.x = g->toPoint()->getX();
        i.y = g->toPoint()->getY();
      }
      out.push_back(std::move(i));
    }
    l->SetAttributeFilter(nullptr);
    return out;
  }

  std::int64_t run_count() override {
    return dataset_->GetLayerByName(kRuns)->GetFeatureCount(TRUE);
  }

 private:
  void check(OGRErr err, const std::string& what) {
    if (err == OGRERR_NONE) return;
    std::string why = take_gdal_error();
    why = why.substr(
        0, std::min(why.find('\n'), std::size_t{240}));  // GDAL may quote whole SQL statements
    if (why.find("locked") != std::string::npos)
      throw StrataError(ErrorCode::kStoreLocked, path_.string() + ": cannot " + what +
                                                     ", the store is locked by another process (" +
                                                     why + ")");
    store_fail(path_, "cannot " + what + ": " + why);
  }

  // Columns added to strata's own tables after a store was created are added on open.
  void upgrade_schema() {
    OGRLayer* l = dataset_->GetLayerByName(kLayers);
    if (!l) return;
    for (const char* name : {"join_table", "join_vintage", "join_source"}) {
      if (l->GetLayerDefn()->GetFieldIndex(name) >= 0) continue;
      OGRFieldDefn def(name, OFTString);
      check(l->CreateField(&def), std::string("add column ") + name + " to " + kLayers);
    }
  }

  std::optional<std::string> meta(const std::string& key) {
    OGRLayer* l = dataset_->GetLayerByName(kMeta);
    if (!l) return std::nullopt;
    l->SetAttributeFilter(("key = " + sql_quote(key)).c_str());
    l->ResetReading();
    OGRFeatureUniquePtr f(l->GetNextFeature());
    l->SetAttributeFilter(nullptr);
    if (!f) return std::nullopt;
    return std::string(f->GetFieldAsString("value"));
  }

  OGRLayer* create_table(const char* name,
                         const std::vector<std::pair<const char*, OGRFieldType>>& fields,
                         OGRwkbGeometryType geometry = wkbNone, OGRSpatialReference* srs = nullptr,
                         bool spatial_index = true) {
    const char* options[] = {"FID=fid", "GEOMETRY_NAME=geom",
                             spatial_index ? "SPATIAL_INDEX=YES" : "SPATIAL_INDEX=NO", nullptr};
    OGRLayer* l = dataset_->CreateLayer(name, srs, geometry, const_cast<char**>(options));
    if (!l)
      store_fail(path_, std::string("cannot create table ") + name + ": " + take_gdal_error());
    for (const auto& [n, t] : fields) {
      OGRFieldDefn def(n, t);
      check(l->CreateField(&def), std::string("create field ") + n);
    }
    return l;
  }

  // A new store is built under a temporary name and renamed into place once complete, so a
  // kill during creation never leaves a half-made file where the store should be.
  void create_new(const Crs& crs) {
    std::error_code ec;
    if (!path_.parent_path().empty()) std::filesystem::create_directories(path_.parent_path(), ec);
    if (ec) store_fail(path_, "cannot create its folder: " + ec.message());
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    if (!driver) store_fail(path_, "GDAL has no GPKG driver");
    // Built under a temporary name (core/atomic_file.h), renamed into place once complete.
    replace_file_atomically(path_, [&](const std::filesystem::path& tmp) {
      dataset_.reset(driver->Create(tmp.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
      if (!dataset_) store_fail(path_, "cannot create GeoPackage: " + take_gdal_error());
      crs_ = crs;
      try {
        initialise();
        dataset_.reset();  // closes: GDAL finishes the file (spatial index of the report table)
      } catch (...) {
        dataset_.reset();
        throw;
      }
    });
  }

  void initialise() {
    OGRSpatialReference srs;
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    srs.SetFromUserInput(crs_->definition().c_str());
    if (dataset_->StartTransaction(FALSE) != OGRERR_NONE)
      store_fail(path_, "cannot start a transaction");
    try {
      OGRLayer* m = create_table(kMeta, {{"key", OFTString}, {"value", OFTString}});
      for (auto [k, v] : std::vector<std::pair<std::string, std::string>>{
               {"schema_version", std::to_string(kSchemaVersion)},
               {"crs", crs_->definition()},
               {"crs_label", crs_->label()}}) {
        OGRFeatureUniquePtr f(OGRFeature::CreateFeature(m->GetLayerDefn()));
        f->SetField("key", k.c_str());
        f->SetField("value", v.c_str());
        check(m->CreateFeature(f.get()), "write strata_meta");
      }
      create_table(kLayers, {{"name", OFTString},
                             {"kind", OFTString},
                             {"dataset", OFTString},
                             {"source_layer", OFTString},
                             {"source_crs", OFTString},
                             {"crs_origin", OFTString},
                             {"sha256", OFTString},
                             {"vintage", OFTString},
                             {"source_note", OFTString},
                             {"join_table", OFTString},
                             {"join_vintage", OFTString},
                             {"join_source", OFTString},
                             {"imported_at", OFTString},
                             {"features_read", OFTInteger64},
                             {"features_imported", OFTInteger64},
                             {"features_repaired", OFTInteger64},
                             {"features_rejected", OFTInteger64},
                             {"feature_count", OFTInteger64}});
      create_table(kReport,
                   {{"layer", OFTString},
                    {"file", OFTString},
                    {"fid_in_source", OFTInteger64},
                    {"feature_id", OFTString},
                    {"status", OFTString},
                    {"code", OFTInteger},
                    {"code_name", OFTString},
                    {"field", OFTString},
                    {"message", OFTString},
                    {"method", OFTString}},
                   wkbPoint, &srs);
      create_table(kRuns, {{"summary", OFTString}});
      if (dataset_->CommitTransaction() != OGRERR_NONE)
        store_fail(path_, "cannot commit the new store");
    } catch (...) {
      dataset_->RollbackTransaction();
      throw;
    }
  }

  void write_layer(const LayerImport& li, const ProgressFn& progress, std::int64_t fault_after,
                   std::int64_t& writes) {
    const std::string& name = li.provenance.layer;
    drop_layer_if_present(name);
    const KindSpec* kind = find_kind(li.provenance.kind);
    std::vector<std::pair<const char*, OGRFieldType>> fields = {{"sid", OFTString},
                                                                {"kind", OFTString}};
    for (const auto& spec : kind->fields)
      if (spec.name != "id") fields.emplace_back(spec.name.c_str(), ogr_type(spec.type));
    if (kind->geometry == GeometryKind::kLine) fields.emplace_back("length_m", OFTReal);
    for (auto extra : {std::pair<const char*, OGRFieldType>{"area_m2", OFTReal},
                       {"repaired", OFTInteger},
                       {"src_dataset", OFTString},
                       {"src_layer", OFTString},
                       {"src_fid", OFTInteger64},
                       {"attributes", OFTString}})
      fields.push_back(extra);
    // No automatic R-tree: build_spatial_index() makes it inside the transaction.
    const OGRwkbGeometryType type = kind->geometry == GeometryKind::kPoint  ? wkbMultiPoint
                                    : kind->geometry == GeometryKind::kLine ? wkbMultiLineString
                                                                            : wkbMultiPolygon;
    OGRLayer* l = create_table(name.c_str(), fields, type, &srs_, /*spatial_index=*/false);
    OGRFeatureDefn* defn = l->GetLayerDefn();
    const auto total = static_cast<std::int64_t>(li.records.size());
    std::int64_t done = 0;
    for (const Record& r : li.records) {
      OGRFeatureUniquePtr f(OGRFeature::CreateFeature(defn));
      f->SetField("sid", r.id.c_str());
      f->SetField("kind", r.kind.c_str());
      for (const auto& [key, value] : r.fields) {
        if (key == "id") continue;
        if (auto* s = std::get_if<std::string>(&value))
          f->SetField(key.c_str(), s->c_str());
        else if (auto* n = std::get_if<std::int64_t>(&value))
          f->SetField(key.c_str(), static_cast<GIntBig>(*n));
        else if (auto* d = std::get_if<double>(&value))
          f->SetField(key.c_str(), *d);
      }
      f->SetField("area_m2", r.area_m2);
      f->SetField("repaired", r.repaired ? 1 : 0);
      f->SetField("src_dataset", r.source.dataset.c_str());
      f->SetField("src_layer", r.source.layer.c_str());
      f->SetField("src_fid", static_cast<GIntBig>(r.source.fid));
      f->SetField("attributes", r.attributes_json.c_str());
      switch (kind->geometry) {
        case GeometryKind::kPolygon:
          f->SetGeometryDirectly(to_ogr(r.geometry).release());
          break;
        case GeometryKind::kPoint:
          f->SetGeometryDirectly(to_ogr(r.points).release());
          break;
        case GeometryKind::kLine:
          f->SetField("length_m", r.length_m);
          f->SetGeometryDirectly(to_ogr(r.lines).release());
          break;
      }
      check(l->CreateFeature(f.get()), "write feature " + r.id + " of layer " + name);
      ++done;
      if (fault_after >= 0 && ++writes > fault_after)
        throw StrataError(ErrorCode::kInternal, "fault injected after " +
                                                    std::to_string(fault_after) +
                                                    " writes (STRATA_FAULT_AFTER_WRITES)");
      if (progress && (done == 1 || done % 500 == 0 || done == total))
        progress("write " + name, done, total);
    }
    build_spatial_index(name);
  }

  // Every write: strata writers queue on the lock file (SQLite alone would fail one of two at
  // once), `body` runs inside one transaction with the run recorded, and anything that throws
  // rolls it all back.
  template <typename Body>
  void in_transaction(const std::string& run_summary_json, Body body) {
    WriterLock lock(path_);
    if (dataset_->StartTransaction(FALSE) != OGRERR_NONE)
      throw StrataError(ErrorCode::kStoreLocked, path_.string() + ": cannot start a transaction (" +
                                                     take_gdal_error() +
                                                     "); is another strata import writing to it?");
    layers_cache_.reset();
    try {
      body();
      OGRLayer* runs = dataset_->GetLayerByName(kRuns);
      OGRFeatureUniquePtr run(OGRFeature::CreateFeature(runs->GetLayerDefn()));
      run->SetField("summary", run_summary_json.c_str());
      check(runs->CreateFeature(run.get()), "record the run");
      if (dataset_->CommitTransaction() != OGRERR_NONE)
        store_fail(path_, "commit failed: " + take_gdal_error());
    } catch (...) {
      dataset_->RollbackTransaction();
      throw;
    }
  }

  void drop_layer_if_present(const std::string& name) {
    for (int i = 0; i < dataset_->GetLayerCount(); ++i)
      if (name == dataset_->GetLayer(i)->GetName()) {
        check(dataset_->DeleteLayer(i), "replace layer " + name);
        return;
      }
  }

  // Built explicitly inside the transaction: GDAL would otherwise defer it to after the
  // commit, and a kill in between would leave a layer without spatial index.
  void build_spatial_index(const std::string& name) {
    reset_gdal_errors();
    OGRLayer* index = dataset_->ExecuteSQL(
        ("SELECT CreateSpatialIndex(" + sql_quote(name) + ", 'geom')").c_str(), nullptr, nullptr);
    if (index) dataset_->ReleaseResultSet(index);
    if (CPLGetLastErrorType() >= CE_Failure)
      store_fail(path_, "cannot build the spatial index of " + name + ": " + take_gdal_error());
  }

  static bool is_volume_kind(const std::string& kind) {
    return kind == "building_3d" || kind == "building_storey" || kind == "legal_space";
  }

  // Faces of the first solid as one MultiPolygonZ (closed rings); the z range beside it.
  void write_volume_layer(const VolumeLayer& layer) {
    const std::string& name = layer.provenance.layer;
    drop_layer_if_present(name);
    OGRLayer* l = create_table(name.c_str(),
                               {{"sid", OFTString},
                                {"type", OFTString},
                                {"parent", OFTString},
                                {"lod", OFTString},
                                {"z_min", OFTReal},
                                {"z_max", OFTReal},
                                {"attributes", OFTString}},
                               wkbMultiPolygon25D, &srs_, /*spatial_index=*/false);
    for (const CityObject& o : layer.objects) {
      OGRFeatureUniquePtr f(OGRFeature::CreateFeature(l->GetLayerDefn()));
      f->SetField("sid", o.id.c_str());
      f->SetField("type", o.type.c_str());
      f->SetField("parent", o.parents.empty() ? "" : o.parents.front().c_str());
      f->SetField("attributes", o.attributes_json.c_str());
      auto mp = std::make_unique<OGRMultiPolygon>();
      double lo = std::numeric_limits<double>::infinity(), hi = -lo;
      if (!o.geometries.empty() && !o.geometries[0].solids.empty() &&
          !o.geometries[0].solids[0].empty()) {
        f->SetField("lod", o.geometries[0].lod.c_str());
        for (const Surface3& surface : o.geometries[0].solids[0][0]) {
          OGRPolygon poly;
          for (const Ring3& ring : surface) {
            OGRLinearRing r;
            for (const Point3& p : ring) {
              r.addPoint(p[0], p[1], p[2]);
              lo = std::min(lo, p[2]);
              hi = std::max(hi, p[2]);
            }
            if (!ring.empty()) r.addPoint(ring[0][0], ring[0][1], ring[0][2]);
            poly.addRing(&r);
          }
          mp->addGeometry(&poly);
        }
      }
      if (hi >= lo) {
        f->SetField("z_min", lo);
        f->SetField("z_max", hi);
      }
      // A unit without a volume (registered without an outline) keeps a null geometry.
      if (!mp->IsEmpty()) f->SetGeometryDirectly(mp.release());
      check(l->CreateFeature(f.get()), "write volume " + o.id + " of layer " + name);
    }
    build_spatial_index(name);
  }

  void replace_layer_row(const LayerImport& li) {
    replace_layer_row(li.provenance, static_cast<std::int64_t>(li.records.size()));
  }

  void replace_layer_row(const Provenance& p, std::int64_t feature_count) {
    check(delete_where(kLayers, "name = " + sql_quote(p.layer)), "update strata_layers");
    OGRLayer* l = dataset_->GetLayerByName(kLayers);
    OGRFeatureUniquePtr f(OGRFeature::CreateFeature(l->GetLayerDefn()));
    f->SetField("name", p.layer.c_str());
    f->SetField("kind", p.kind.c_str());
    f->SetField("dataset", p.dataset.c_str());
    f->SetField("source_layer", p.source_layer.c_str());
    f->SetField("source_crs", p.source_crs.c_str());
    f->SetField("crs_origin", p.crs_origin.c_str());
    f->SetField("sha256", p.sha256.c_str());
    f->SetField("vintage", p.vintage.c_str());
    f->SetField("source_note", p.source_note.c_str());
    f->SetField("join_table", p.join_table.c_str());
    f->SetField("join_vintage", p.join_vintage.c_str());
    f->SetField("join_source", p.join_source.c_str());
    f->SetField("imported_at", p.imported_at.c_str());
    f->SetField("features_read", static_cast<GIntBig>(p.features_read));
    f->SetField("features_imported", static_cast<GIntBig>(p.features_imported));
    f->SetField("features_repaired", static_cast<GIntBig>(p.features_repaired));
    f->SetField("features_rejected", static_cast<GIntBig>(p.features_rejected));
    f->SetField("feature_count", static_cast<GIntBig>(feature_count));
    check(l->CreateFeature(f.get()), "write strata_layers");
  }

  OGRErr delete_where(const char* table, const std::string& where) {
    OGRLayer* l = dataset_->GetLayerByName(table);
    l->SetAttributeFilter(where.c_str());
    l->ResetReading();
    std::vector<GIntBig> fids;
    for (auto& f : *l) fids.push_back(f->GetFID());
    l->SetAttributeFilter(nullptr);
    for (auto fid : fids)
      if (OGRErr e = l->DeleteFeature(fid); e != OGRERR_NONE) return e;
    return OGRERR_NONE;
  }

  void replace_report_rows(const std::string& layer_name, const std::vector<FeatureIssue>& issues) {
    check(delete_where(kReport, "layer = " + sql_quote(layer_name)), "update the import report");
    append_report_rows(issues);
  }

  void append_report_rows(const std::vector<FeatureIssue>& issues) {
    OGRLayer* l = dataset_->GetLayerByName(kReport);
    for (const auto& i : issues) {
      OGRFeatureUniquePtr f(OGRFeature::CreateFeature(l->GetLayerDefn()));
      f->SetField("layer", i.layer.c_str());
      f->SetField("file", i.file.c_str());
      f->SetField("fid_in_source", static_cast<GIntBig>(i.fid));
      f->SetField("feature_id", to_valid_utf8(i.feature_id).c_str());
      f->SetField("status", std::string(status_name(i.status)).c_str());
      f->SetField("code", static_cast<int>(i.code));
      f->SetField("code_name", std::string(error_name(i.code)).c_str());
      f->SetField("field", i.field.c_str());
      f->SetField("message", to_valid_utf8(i.message).c_str());
      f->SetField("method", i.method.c_str());
      if (i.x && i.y) f->SetGeometryDirectly(new OGRPoint(*i.x, *i.y));
      check(l->CreateFeature(f.get()), "write the import report");
    }
  }

  StoredLayer read_layer_row(OGRFeature& f) {
    StoredLayer s;
    auto& p = s.provenance;
    p.layer = f.GetFieldAsString("name");
    p.kind = f.GetFieldAsString("kind");
    p.dataset = f.GetFieldAsString("dataset");
    p.source_layer = f.GetFieldAsString("source_layer");
    p.source_crs = f.GetFieldAsString("source_crs");
    p.crs_origin = f.GetFieldAsString("crs_origin");
    p.sha256 = f.GetFieldAsString("sha256");
    p.vintage = f.GetFieldAsString("vintage");
    p.source_note = f.GetFieldAsString("source_note");
    p.join_table = f.GetFieldAsString("join_table");
    p.join_vintage = f.GetFieldAsString("join_vintage");
    p.join_source = f.GetFieldAsString("join_source");
    p.imported_at = f.GetFieldAsString("imported_at");
    p.features_read = f.GetFieldAsInteger64("features_read");
    p.features_imported = f.GetFieldAsInteger64("features_imported");
    p.features_repaired = f.GetFieldAsInteger64("features_repaired");
    p.features_rejected = f.GetFieldAsInteger64("features_rejected");
    s.feature_count = f.GetFieldAsInteger64("feature_count");
    return s;
  }

  std::filesystem::path path_;
  GDALDatasetUniquePtr dataset_;
  std::optional<Crs> crs_;
  OGRSpatialReference srs_;
  std::optional<std::vector<StoredLayer>> layers_cache_;
};

}  // namespace

bool is_database_connection(std::string_view store) {
  const auto starts_pg = [](std::string_view s) {
    return s.size() >= 3 && (s[0] == 'P' || s[0] == 'p') && (s[1] == 'G' || s[1] == 'g') &&
           s[2] == ':';
  };
  return starts_pg(store) || store.find("://") != std::string_view::npos;
}

namespace {
// A database connection string is not a file name: without this check GDAL's GeoPackage driver
// created a local file named "PG:dbname=x" and the user believed the data was on the server.
void refuse_connection_string(const std::filesystem::path& path) {
  const std::string text = path.string(), name = path.filename().string();
  if (is_database_connection(text) || is_database_connection(name))
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "'" + text +
                          "' is a database connection, not a GeoPackage file: this strata stores "
                          "into a GeoPackage (.gpkg) only; a PostgreSQL/PostGIS store is not "
                          "available yet (docs/project-file.md, store)");
}
}  // namespace

std::unique_ptr<Store> open_geopackage_store(const std::filesystem::path& path,
                                             const Crs& project_crs, bool create) {
  refuse_connection_string(path);
  return std::make_unique<GeoPackageStore>(path, project_crs, create, false);
}

std::unique_ptr<Store> open_geopackage_store_readonly(const std::filesystem::path& path) {
  refuse_connection_string(path);
  return std::make_unique<GeoPackageStore>(path, std::nullopt, false, true);
}

}  // namespace strata::io
