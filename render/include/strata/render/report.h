#pragma once
// The HTML report of a run: one self-contained file (images embedded as data: URIs, styles
// inline, no script, nothing fetched), so it can be mailed or archived and still open.
#include <filesystem>
#include <string>
#include <vector>

namespace strata::render {

struct ReportImage {
  std::filesystem::path file;  // PNG or SVG, embedded
  std::string caption;
  std::string id;  // the <img> id, for tests and links
};

struct ReportTable {
  std::string caption;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> numeric;  // right-aligned columns
};

struct ReportSection {
  std::string id, title;
  std::vector<std::string> paragraphs;  // plain text (escaped)
  std::vector<ReportTable> tables;
  std::vector<ReportImage> images;
  std::vector<std::string> problems;  // shown in a warning box (a map that could not be drawn)
};

struct ReportFigure {
  std::string label, value, id;  // a key figure at the top
};

struct Report {
  std::string lang = "en";  // the page's language tag (zh-Hant for a Traditional Chinese title)
  std::string title, subtitle;
  std::vector<ReportFigure> figures;
  std::vector<ReportSection> sections;
  std::vector<std::string> footer;
};

// Writes the report (temporary name, then renamed). Returns its size in bytes. Throws
// StrataError(901) naming an image that cannot be read, 985 when the file cannot be written.
std::size_t write_report_html(const Report& report, const std::filesystem::path& out);

std::string html_escape(const std::string& text);

}  // namespace strata::render
