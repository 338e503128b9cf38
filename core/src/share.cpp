#include "strata/core/share.h"

#include <cmath>
#include <numeric>

#include "strata/core/error.h"

namespace strata {
namespace {

__extension__ typedef __int128 Wide;  // intermediate products of two int64 never overflow it

std::int64_t narrow(Wide value, std::string_view what) {
  if (value > INT64_MAX || value < INT64_MIN) {
    throw StrataError(ErrorCode::kFieldType, std::string("share overflow in ") + std::string(what));
  }
  return static_cast<std::int64_t>(value);
}

Share from_wide(Wide num, Wide den, std::string_view what) {
  if (den < 0) {
    num = -num;
    den = -den;
  }
  Wide a = num < 0 ? -num : num, b = den;
  while (b != 0) {
    Wide t = a % b;
    a = b;
    b = t;
  }
  if (a > 1) {
    num /= a;
    den /= a;
  }
  return Share(narrow(num, what), narrow(den, what));
}

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw StrataError(ErrorCode::kFieldType, "cannot read share '" + std::string(text) +
                                               "': " + std::string(why) +
                                               " (expected e.g. 1/3, 3分之1, 全部, 0.25 or 25%)");
}

std::int64_t parse_integer(std::string_view digits, std::string_view whole_text) {
  digits = trim(digits);
  if (digits.empty() || digits.size() > 18) fail(whole_text, "bad integer part");
  std::int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') fail(whole_text, "not a number");
    v = v * 10 + (c - '0');
  }
  return v;
}

// Simplest fraction within [x - tol, x + tol] by walking the continued-fraction convergents.
Share simplest_within(double x, double tol) {
  std::int64_t h0 = 0, h1 = 1, k0 = 1, k1 = 0;
  double r = x;
  for (int i = 0; i < 64; ++i) {
    double a = std::floor(r);
    auto ai = static_cast<std::int64_t>(a);
    std::int64_t h2 = ai * h1 + h0, k2 = ai * k1 + k0;
    h0 = h1;
    h1 = h2;
    k0 = k1;
    k1 = k2;
    if (std::fabs(static_cast<double>(h1) / static_cast<double>(k1) - x) <= tol) break;
    if (r - a < 1e-15) break;
    r = 1.0 / (r - a);
  }
  return Share(h1, k1);
}

}  // namespace

Share::Share(std::int64_t numerator, std::int64_t denominator) {
  if (denominator == 0) {
    throw StrataError(ErrorCode::kFieldType, "share with zero denominator");
  }
  if (numerator == INT64_MIN ||
      denominator == INT64_MIN) {  // cannot be negated (std::gcd would be UB)
    throw StrataError(ErrorCode::kFieldType, "share overflow in construction");
  }
  if (denominator < 0) {
    numerator = -numerator;
    denominator = -denominator;
  }
  std::int64_t g = std::gcd(numerator, denominator);
  num_ = g > 1 ? numerator / g : numerator;
  den_ = g > 1 ? denominator / g : denominator;
}

namespace {

// Registry transcripts often use full-width digits and signs (３分之１, ０．５); read them as
// ASCII.
std::string ascii_digits(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xEF && i + 2 < text.size()) {
      auto c1 = static_cast<unsigned char>(text[i + 1]),
           c2 = static_cast<unsigned char>(text[i + 2]);
      if (c1 == 0xBC && c2 >= 0x90 && c2 <= 0x99) {  // U+FF10..U+FF19
        out += static_cast<char>('0' + (c2 - 0x90));
        i += 3;
        continue;
      }
      if (c1 == 0xBC && (c2 == 0x8E || c2 == 0x8F || c2 == 0x85)) {  // ． ／ ％
        out += c2 == 0x8E ? '.' : c2 == 0x8F ? '/' : '%';
        i += 3;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace

Share Share::parse(std::string_view original, std::optional<double> decimal_tolerance) {
  const std::string ascii = ascii_digits(original);
  const std::string_view text = ascii;
  std::string_view t = trim(text);
  if (t.empty()) fail(text, "empty");
  if (t == "全部" || t == "全") return whole();

  if (auto pos = t.find("分之"); pos != std::string_view::npos) {
    // Chinese form: denominator first, "3分之1" == 1/3.
    std::int64_t den = parse_integer(t.substr(0, pos), text);
    std::int64_t num = parse_integer(t.substr(pos + std::string_view("分之").size()), text);
    if (den == 0) fail(text, "zero denominator");
    return Share(num, den);
  }
  if (auto pos = t.find('/'); pos != std::string_view::npos) {
    std::int64_t num = parse_integer(t.substr(0, pos), text);
    std::int64_t den = parse_integer(t.substr(pos + 1), text);
    if (den == 0) fail(text, "zero denominator");
    return Share(num, den);
  }
  bool percent = false;
  if (t.back() == '%') {
    percent = true;
    t = trim(t.substr(0, t.size() - 1));
  }
  auto dot = t.find('.');
  if (t == "." || (dot != std::string_view::npos && dot + 1 == t.size()))
    fail(text, "no digits after the decimal point");
  std::int64_t int_part = dot == 0 ? 0 : parse_integer(t.substr(0, dot), text);
  std::int64_t frac_num = 0, frac_den = 1;
  if (dot != std::string_view::npos) {
    std::string_view frac = t.substr(dot + 1);
    if (frac.size() > 17) fail(text, "too many decimals");
    if (!frac.empty()) {
      frac_num = parse_integer(frac, text);
      for (std::size_t i = 0; i < frac.size(); ++i) frac_den *= 10;
    }
  }
  Share exact = Share(int_part, 1) + Share(frac_num, frac_den);
  if (percent) exact = exact * Share(1, 100);
  if (decimal_tolerance && dot != std::string_view::npos) {
    return simplest_within(exact.to_double(), *decimal_tolerance);
  }
  return exact;
}

std::string Share::to_string() const {
  if (den_ == 1) return std::to_string(num_);
  return std::to_string(num_) + "/" + std::to_string(den_);
}

Share Share::operator+(const Share& o) const {
  return from_wide(Wide(num_) * o.den_ + Wide(o.num_) * den_, Wide(den_) * o.den_, "addition");
}
Share Share::operator-(const Share& o) const {
  return from_wide(Wide(num_) * o.den_ - Wide(o.num_) * den_, Wide(den_) * o.den_, "subtraction");
}
Share Share::operator*(const Share& o) const {
  return from_wide(Wide(num_) * o.num_, Wide(den_) * o.den_, "multiplication");
}
std::strong_ordering Share::operator<=>(const Share& o) const {
  Wide l = Wide(num_) * o.den_, r = Wide(o.num_) * den_;
  return l < r ? std::strong_ordering::less
               : (l > r ? std::strong_ordering::greater : std::strong_ordering::equal);
}

}  // namespace strata
