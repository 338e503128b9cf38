#pragma once
#include <string>

namespace strata {
// Current UTC time as ISO 8601, e.g. "2026-11-22T03:45:02Z" (provenance, run summaries).
std::string utc_now_iso8601();
}  // namespace strata
