#include "gpkg_wkb_reader.h"

#include <sqlite3.h>

#include <memory>

#include "strata/core/error.h"

namespace strata::io {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

// Size of the envelope after the 8-byte header, by the envelope indicator of the flags byte
// (GeoPackage 1.3, 2.1.3): none, xy, xyz, xym, xyzm.
constexpr std::size_t kEnvelopeBytes[] = {0, 32, 48, 48, 64};

}  // namespace

WkbBatch read_gpkg_wkb(const std::filesystem::path& gpkg, const std::string& table) {
  const std::string where = gpkg.string() + " (table '" + table + "'): ";
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(gpkg.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string why = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    throw StrataError(ErrorCode::kStoreError, where + "cannot open: " + why);
  }
  std::unique_ptr<sqlite3, DbCloser> db(raw);
  auto prepare = [&](const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw StrataError(ErrorCode::kStoreError, where + sqlite3_errmsg(db.get()));
    return std::unique_ptr<sqlite3_stmt, StatementFinalizer>(s);
  };
  // The geometry column's name, as the GeoPackage registers it.
  auto column = prepare("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?");
  sqlite3_bind_text(column.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(column.get()) != SQLITE_ROW)
    throw StrataError(ErrorCode::kStoreError, where + "no geometry column registered");
  const unsigned char* column_name = sqlite3_column_text(column.get(), 0);
  if (!column_name)
    throw StrataError(ErrorCode::kStoreError, where + "the geometry column has no name");
  const std::string name = reinterpret_cast<const char*>(column_name);
  auto quoted = [](const std::string& id) {
    std::string q = "\"";
    for (char c : id) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  // Sized first: the batch is one buffer of a few hundred MB at a million polygons, and growing
  // it by doubling would copy (and fault in) it several times over.
  auto totals = prepare("SELECT count(*), sum(length(" + quoted(name) + ")) FROM " + quoted(table));
  if (sqlite3_step(totals.get()) != SQLITE_ROW)
    throw StrataError(ErrorCode::kStoreError, where + sqlite3_errmsg(db.get()));
  WkbBatch out;
  out.offsets.reserve(static_cast<std::size_t>(sqlite3_column_int64(totals.get(), 0)));
  out.bytes.reserve(static_cast<std::size_t>(sqlite3_column_int64(totals.get(), 1)));
  // In feature id order, the order OGR reads the layer in.
  auto rows = prepare("SELECT " + quoted(name) + " FROM " + quoted(table) + " ORDER BY rowid");
  std::size_t row = 0;
  for (int rc = sqlite3_step(rows.get()); rc != SQLITE_DONE; rc = sqlite3_step(rows.get())) {
    if (rc != SQLITE_ROW)
      throw StrataError(ErrorCode::kStoreError, where + sqlite3_errmsg(db.get()));
    ++row;
    const auto* blob = static_cast<const unsigned char*>(sqlite3_column_blob(rows.get(), 0));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(rows.get(), 0));
    if (!blob || size == 0) continue;  // a null geometry: nothing to measure
    const unsigned envelope = size >= 8 ? (blob[3] >> 1) & 7u : 0u;
    if (size < 8 || blob[0] != 'G' || blob[1] != 'P' || envelope > 4 ||
        size <= 8 + kEnvelopeBytes[envelope])
      throw StrataError(ErrorCode::kStoreError, where + "row " + std::to_string(row) +
                                                    " does not hold a GeoPackage geometry blob");
    const std::size_t header = 8 + kEnvelopeBytes[envelope];
    out.add(blob + header, size - header);
  }
  return out;
}

}  // namespace strata::io
