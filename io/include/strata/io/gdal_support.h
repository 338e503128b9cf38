#pragma once
// Small helpers shared by the GDAL-backed parts of io/ (sources, tables, the GeoPackage store).
#include <string>

namespace strata::io {

// Registers GDAL's drivers once and sets the options strata relies on: a quiet error handler
// (errors become StrataError with GDAL's message) and a SQLite busy timeout for the store.
void ensure_gdal();

// GDAL's error messages since the last reset: the first (often the cause: "DBF file ... is
// corrupt") and, when it differs, the last ("; then: ..."), or `fallback` when GDAL gave none.
// Clears them.
std::string take_gdal_error(const std::string& fallback = "no details from GDAL");

// CPLErrorReset() and forgets the messages take_gdal_error() would return.
void reset_gdal_errors();

// True when `text` is well-formed UTF-8.
bool is_valid_utf8(const std::string& text);
// Replaces every ill-formed byte with U+FFFD.
std::string to_valid_utf8(const std::string& text);

}  // namespace strata::io

namespace strata::io {
std::string gdal_version();  // GDAL release name, e.g. "3.6.2"
}  // namespace strata::io
