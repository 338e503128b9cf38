#include "strata/io/gdal_support.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>

#include <mutex>

namespace strata::io {

namespace {

// The failures GDAL reported on this thread since the last take or reset: the first is kept
// (GDAL often follows the cause with a generic "cannot open"), and the latest.
struct GdalErrors {
  std::string first, last;
};
thread_local GdalErrors gdal_errors;

void CPL_STDCALL collect_gdal_error(CPLErr type, CPLErrorNum, const char* message) {
  if (type < CE_Failure || !message) return;  // warnings and debug output stay quiet
  if (gdal_errors.first.empty())
    gdal_errors.first = message;
  else
    gdal_errors.last = message;
}

}  // namespace

void reset_gdal_errors() {
  CPLErrorReset();
  gdal_errors = {};
}

void ensure_gdal() {
  static std::once_flag once;
  std::call_once(once, [] {
    GDALAllRegister();
    // strata reports GDAL errors itself, with the file and feature concerned; the handler keeps
    // the messages for take_gdal_error() and prints nothing.
    CPLSetErrorHandler(collect_gdal_error);
    // Wait up to 10 s for another process's transaction instead of failing at once (GDAL's
    // default is 5 s; the OGR_SQLITE_PRAGMA route is overridden by this option).
    if (!CPLGetConfigOption("SQLITE_BUSY_TIMEOUT", nullptr))
      CPLSetConfigOption("SQLITE_BUSY_TIMEOUT", "10000");
  });
}

std::string take_gdal_error(const std::string& fallback) {
  std::string msg = gdal_errors.first;
  const std::string latest = CPLGetLastErrorMsg();
  if (msg.empty()) msg = latest;
  const std::string& then = gdal_errors.last.empty() ? latest : gdal_errors.last;
  if (!then.empty() && then != msg) msg += "; then: " + then;
  reset_gdal_errors();
  return msg.empty() ? fallback : msg;
}

namespace {
// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is ill-formed.
std::size_t utf8_sequence_length(const std::string& s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80           ? 1
                  : (c >> 5) == 0x6  ? 2
                  : (c >> 4) == 0xE  ? 3
                  : (c >> 3) == 0x1E ? 4
                                     : 0;
  if (n == 0 || i + n > s.size()) return 0;
  if (n == 2 && c < 0xC2) return 0;  // overlong
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  if (n == 3) {
    auto c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return 0;  // overlong, surrogate
  }
  if (n == 4) {
    auto c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90)) return 0;
  }
  return n;
}
}  // namespace

bool is_valid_utf8(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string to_valid_utf8(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text, i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace strata::io

namespace strata::io {
std::string gdal_version() { return GDALVersionInfo("RELEASE_NAME"); }
}  // namespace strata::io
