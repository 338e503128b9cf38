// Fuzz target: Share::parse must either return a reduced share or throw StrataError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "strata/core/error.h"
#include "strata/core/share.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto tolerance : {std::optional<double>{}, std::optional<double>{1e-3}}) {
    try {
      strata::Share s = strata::Share::parse(text, tolerance);
      if (s.denominator() <= 0) __builtin_trap();
      (void)(s + s);
    } catch (const strata::StrataError&) {
    }
  }
  return 0;
}
