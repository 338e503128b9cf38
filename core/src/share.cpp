#include "strata/core/share.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <vector>

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

// Chinese numerals as registry transcripts write shares (三分之一, 萬分之一二三四, 一〇〇分之三,
// 壹佰分之貳拾): digits 〇零一二兩三四五六七八九 (and the formal 壹貳參肆伍陸柒捌玖), units
// 十百千萬億 (and 拾佰仟). No library in Debian reads them; the grammar is small and fully tested.
std::optional<std::int64_t> chinese_integer(std::string_view text) {
  struct Glyph {
    std::string_view text;
    int digit;          // 0..9, or -1 for a unit
    std::int64_t unit;  // 10, 100, 1000, 10^4, 10^8 for units
  };
  static constexpr Glyph glyphs[] = {
      {"〇", 0, 0},      {"零", 0, 0},      {"一", 1, 0},          {"壹", 1, 0},
      {"二", 2, 0},      {"兩", 2, 0},      {"两", 2, 0},          {"貳", 2, 0},
      {"贰", 2, 0},      {"三", 3, 0},      {"參", 3, 0},          {"叁", 3, 0},
      {"参", 3, 0},      {"四", 4, 0},      {"肆", 4, 0},          {"五", 5, 0},
      {"伍", 5, 0},      {"六", 6, 0},      {"陸", 6, 0},          {"陆", 6, 0},
      {"七", 7, 0},      {"柒", 7, 0},      {"八", 8, 0},          {"捌", 8, 0},
      {"九", 9, 0},      {"玖", 9, 0},      {"十", -1, 10},        {"拾", -1, 10},
      {"百", -1, 100},   {"佰", -1, 100},   {"千", -1, 1000},      {"仟", -1, 1000},
      {"萬", -1, 10000}, {"万", -1, 10000}, {"億", -1, 100000000}, {"亿", -1, 100000000}};
  std::vector<const Glyph*> seq;
  for (std::size_t i = 0; i < text.size();) {
    const Glyph* found = nullptr;
    for (const auto& g : glyphs)
      if (text.compare(i, g.text.size(), g.text) == 0) {
        found = &g;
        break;
      }
    if (!found) {
      if (text[i] >= '0' && text[i] <= '9') {  // mixed forms such as 1萬 are read too
        static constexpr Glyph ascii[] = {{"0", 0, 0}, {"1", 1, 0}, {"2", 2, 0}, {"3", 3, 0},
                                          {"4", 4, 0}, {"5", 5, 0}, {"6", 6, 0}, {"7", 7, 0},
                                          {"8", 8, 0}, {"9", 9, 0}};
        found = &ascii[text[i] - '0'];
        seq.push_back(found);
        ++i;
        continue;
      }
      return std::nullopt;
    }
    seq.push_back(found);
    i += found->text.size();
  }
  if (seq.empty() || seq.size() > 40) return std::nullopt;
  const bool positional =
      std::all_of(seq.begin(), seq.end(), [](const Glyph* g) { return g->digit >= 0; });
  constexpr std::int64_t kMax = 1'000'000'000'000'000'000;
  if (positional) {  // 一〇〇 == 100
    if (seq.size() > 18) return std::nullopt;
    std::int64_t v = 0;
    for (const auto* g : seq) v = v * 10 + g->digit;
    return v;
  }
  // 一千二百三十四萬五千: sections of up to 千, scaled by 萬 and 億.
  std::int64_t total = 0, section = 0, digit = -1;
  std::int64_t last_big = kMax, last_small = 10000;
  for (const auto* g : seq) {
    if (g->digit >= 0) {
      if (digit > 0 && g->digit > 0) return std::nullopt;  // two digits without a unit: 三四十
      digit = g->digit;
      continue;
    }
    if (g->unit < 10000) {
      if (g->unit >= last_small) return std::nullopt;  // 百 after 十 in one section
      if (digit == 0) return std::nullopt;
      section += (digit < 0 ? 1 : digit) * g->unit;  // 十二 == 12
      last_small = g->unit;
    } else {
      if (g->unit >= last_big) return std::nullopt;
      section += digit > 0 ? digit : 0;
      if (section == 0 && total == 0 && digit < 0) section = 1;  // 萬分之一: one 萬
      if (section > kMax / g->unit) return std::nullopt;
      total += section * g->unit;
      section = 0;
      last_big = g->unit;
      last_small = 10000;
    }
    digit = -1;
  }
  section += digit > 0 ? digit : 0;
  total += section;
  if (total <= 0 || total > kMax) return std::nullopt;
  return total;
}

std::int64_t parse_integer(std::string_view digits, std::string_view whole_text) {
  digits = trim(digits);
  if (std::any_of(digits.begin(), digits.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    if (auto v = chinese_integer(digits)) return *v;
    fail(whole_text, "not a number (Chinese numerals: 一…十, 百, 千, 萬, 〇/零)");
  }
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
