#pragma once
// One attribute value as read from a source: null, integer, real or UTF-8 text.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace strata {

using FieldValue = std::variant<std::monostate, std::int64_t, double, std::string>;

inline bool is_null(const FieldValue& v) { return std::holds_alternative<std::monostate>(v); }
std::string to_text(const FieldValue& v);  // "" for null
// Numeric reading; text such as "1713.35" or " 42 " is accepted, anything else gives nothing.
std::optional<double> to_real(const FieldValue& v);
std::optional<std::int64_t> to_integer(const FieldValue& v);

}  // namespace strata
