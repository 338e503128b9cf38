#pragma once
// Exact rational share of a right (權利範圍), e.g. 1/3 + 2/3 == 1 exactly. Always kept reduced,
// with a positive denominator. Arithmetic is checked: an overflow throws instead of wrapping.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata {

class Share {
 public:
  Share() = default;  // 0/1
  Share(std::int64_t numerator, std::int64_t denominator);
  static Share whole() { return Share(1, 1); }

  // Parses "1/3", "3分之1", "全部" (whole), "50%", and decimals such as "0.25"; full-width
  // digits and signs (３分之１, ０．５) as registry transcripts write them.
  // A decimal is exact by default ("0.333" is 333/1000); with a tolerance, the simplest fraction
  // within that distance is taken instead ("0.333" with 0.001 gives 1/3).
  // Throws StrataError(kFieldType) with the offending text when it cannot parse.
  static Share parse(std::string_view text, std::optional<double> decimal_tolerance = {});

  std::int64_t numerator() const { return num_; }
  std::int64_t denominator() const { return den_; }
  double to_double() const { return static_cast<double>(num_) / static_cast<double>(den_); }
  std::string to_string() const;  // "1/3"; a whole number prints as "1"

  Share operator+(const Share& other) const;
  Share operator-(const Share& other) const;
  Share operator*(const Share& other) const;
  Share& operator+=(const Share& other) { return *this = *this + other; }
  bool operator==(const Share& other) const = default;
  std::strong_ordering operator<=>(const Share& other) const;

 private:
  std::int64_t num_ = 0;
  std::int64_t den_ = 1;
};

}  // namespace strata
