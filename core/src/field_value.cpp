#include "strata/core/field_value.h"

#include <charconv>
#include <cmath>
#include <sstream>

namespace strata {

std::string to_text(const FieldValue& v) {
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) {
    std::ostringstream out;
    out.precision(15);
    out << *d;
    return out.str();
  }
  return {};
}

namespace {
std::string_view trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string_view(s).substr(b, e - b + 1);
}
}  // namespace

std::optional<double> to_real(const FieldValue& v) {
  if (auto* d = std::get_if<double>(&v))
    return std::isfinite(*d) ? std::optional<double>(*d) : std::nullopt;
  if (auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (auto* s = std::get_if<std::string>(&v)) {
    std::string_view t = trimmed(*s);
    double out = 0;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    if (ec == std::errc() && ptr == t.data() + t.size() && !t.empty() && std::isfinite(out))
      return out;
  }
  return std::nullopt;
}

std::optional<std::int64_t> to_integer(const FieldValue& v) {
  if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
  // Only doubles that are whole and inside int64's range convert (a cast outside it is UB).
  auto whole = [](double d) -> std::optional<std::int64_t> {
    if (std::isfinite(d) && std::floor(d) == d && d >= -9.2e18 && d <= 9.2e18)
      return static_cast<std::int64_t>(d);
    return std::nullopt;
  };
  if (auto* d = std::get_if<double>(&v)) return whole(*d);
  if (auto* s = std::get_if<std::string>(&v)) {
    std::string_view t = trimmed(*s);
    std::int64_t out = 0;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    if (ec == std::errc() && ptr == t.data() + t.size() && !t.empty()) return out;
    if (auto d = to_real(v)) return whole(*d);
  }
  return std::nullopt;
}

}  // namespace strata
