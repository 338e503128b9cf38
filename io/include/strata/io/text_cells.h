#pragma once
// Text taken from the data (names, ids, messages that quote values) written into files that
// other programs interpret: spreadsheets run a cell that starts with "=" as a formula, Markdown
// renderers pass raw HTML through. These make such text inert; numbers are written elsewhere.
#include <string>
#include <string_view>

namespace strata::io {

// A text cell for a CSV file: a leading "=", "+", "-", "@", tab or carriage return gets a "'"
// in front (OWASP's advice against CSV formula injection); then quoted as RFC 4180 when needed.
std::string csv_text_cell(std::string_view text);

// The same prefix without the CSV quoting, for writers that quote themselves (GDAL's CSV driver).
std::string spreadsheet_safe(std::string_view text);

// Text for HTML or XML: & < > " ' as character references.
std::string html_escape(std::string_view text);

// Text for a Markdown table cell or list item: HTML special characters as entities, the
// characters Markdown reads as markup ("|", "*", "_", "`", "[", "]", "\") escaped, line breaks
// as spaces. The result shows the text as written and never becomes markup or HTML.
std::string markdown_text(std::string_view text);

}  // namespace strata::io
