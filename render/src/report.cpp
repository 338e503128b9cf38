#include "strata/render/report.h"
#include "strata/core/atomic_file.h"

#include <openssl/evp.h>

#include <fstream>
#include <sstream>

#include "strata/core/error.h"
#include "strata/io/text_cells.h"

namespace strata::render {

std::string html_escape(const std::string& text) { return io::html_escape(text); }

namespace {

std::string data_uri(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw StrataError(ErrorCode::kInvalidInputFile,
                      file.string() + ": image of the report cannot be read");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string encoded(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  encoded.resize(static_cast<std::size_t>(n));
  const std::string mime = file.extension() == ".svg" ? "image/svg+xml" : "image/png";
  return "data:" + mime + ";base64," + encoded;
}

const char* kStyle = R"(
body{font-family:"Noto Sans CJK TC","Noto Sans",sans-serif;margin:0;color:#1b1b1b;background:#f4f5f7}
header{background:#23395d;color:#fff;padding:24px 40px}
header h1{margin:0 0 6px 0;font-size:28px}
header p{margin:0;opacity:.85}
nav{padding:10px 40px;background:#fff;border-bottom:1px solid #ddd;font-size:14px}
nav a{margin-right:18px;color:#23395d}
main{padding:16px 40px 40px 40px}
.figures{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0 20px 0}
.figure{background:#fff;border:1px solid #dde;border-radius:6px;padding:10px 16px;min-width:150px}
.figure .v{font-size:22px;font-weight:bold;color:#23395d}
.figure .l{font-size:12px;color:#555}
section{background:#fff;border:1px solid #dde;border-radius:6px;padding:8px 24px 20px 24px;margin-bottom:20px}
table{border-collapse:collapse;margin:10px 0;font-size:13px}
th,td{border:1px solid #ccd;padding:4px 8px}
th{background:#eef1f6;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
h3{font-size:15px;margin:18px 0 4px 0}
figure{margin:14px 0}
figure img{max-width:100%;border:1px solid #ccd;background:#fff}
figcaption{font-size:13px;color:#444}
.problem{background:#fff4e5;border-left:4px solid #e08a00;padding:8px 12px;margin:8px 0}
footer{font-size:12px;color:#555;padding:0 40px 30px 40px}
)";

}  // namespace

std::size_t write_report_html(const Report& report, const std::filesystem::path& out) {
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"" << html_escape(report.lang)
    << "\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<meta name=\"generator\" content=\"strata\">\n"
    << "<title>" << html_escape(report.title) << "</title>\n<style>" << kStyle
    << "</style>\n</head>\n<body>\n<header><h1>" << html_escape(report.title) << "</h1><p>"
    << html_escape(report.subtitle) << "</p></header>\n<nav>";
  for (const auto& s : report.sections)
    h << "<a href=\"#" << html_escape(s.id) << "\">" << html_escape(s.title) << "</a>";
  h << "</nav>\n<main>\n<div class=\"figures\">\n";
  for (const auto& f : report.figures)
    h << "<div class=\"figure\" id=\"" << html_escape(f.id) << "\"><div class=\"v\">"
      << html_escape(f.value) << "</div><div class=\"l\">" << html_escape(f.label)
      << "</div></div>\n";
  h << "</div>\n";
  for (const auto& s : report.sections) {
    h << "<section id=\"" << html_escape(s.id) << "\">\n<h2>" << html_escape(s.title) << "</h2>\n";
    for (const auto& p : s.problems) h << "<div class=\"problem\">" << html_escape(p) << "</div>\n";
    for (const auto& p : s.paragraphs) h << "<p>" << html_escape(p) << "</p>\n";
    for (const auto& img : s.images)
      h << "<figure><img id=\"" << html_escape(img.id) << "\" alt=\"" << html_escape(img.caption)
        << "\" src=\"" << data_uri(img.file) << "\"><figcaption>" << html_escape(img.caption)
        << "</figcaption></figure>\n";
    for (const auto& t : s.tables) {
      if (t.rows.empty()) continue;  // the section's paragraph says there is nothing
      if (!t.caption.empty()) h << "<h3>" << html_escape(t.caption) << "</h3>\n";
      h << "<table>\n";
      h << "<tr>";
      for (const auto& c : t.header) h << "<th>" << html_escape(c) << "</th>";
      h << "</tr>\n";
      for (const auto& row : t.rows) {
        h << "<tr>";
        for (std::size_t i = 0; i < row.size(); ++i)
          h << (i < t.numeric.size() && t.numeric[i] ? "<td class=\"n\">" : "<td>")
            << html_escape(row[i]) << "</td>";
        h << "</tr>\n";
      }
      h << "</table>\n";
    }
    h << "</section>\n";
  }
  h << "</main>\n<footer>";
  for (const auto& line : report.footer) h << html_escape(line) << "<br>\n";
  h << "</footer>\n</body>\n</html>\n";
  const std::string html = h.str();
  write_text_atomically(
      out, [&](std::ostream& f) { f << html; }, ErrorCode::kRenderFailed);
  return html.size();
}

}  // namespace strata::render
