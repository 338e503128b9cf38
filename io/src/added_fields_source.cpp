#include "added_fields_source.h"

#include "strata/core/error.h"

namespace strata::io {
namespace {

class AddedFieldsSource final : public VectorSource {
 public:
  AddedFieldsSource(std::unique_ptr<VectorSource> inner,
                    const std::map<std::string, std::string>& added)
      : inner_(std::move(inner)), fields_(inner_->fields()) {
    for (const auto& [name, value] : added) {
      if (inner_->field_index(name) >= 0)
        throw StrataError(ErrorCode::kWrongInputParameters,
                          inner_->path() + ": add_fields names '" + name +
                              "', which the source already has; choose another name");
      fields_.push_back({name, FieldType::kText});
      values_.emplace_back(value);
    }
  }
  const std::string& path() const override { return inner_->path(); }
  const std::string& layer_name() const override { return inner_->layer_name(); }
  const std::string& driver_name() const override { return inner_->driver_name(); }
  const std::vector<SourceField>& fields() const override { return fields_; }
  std::optional<Crs> declared_crs() const override { return inner_->declared_crs(); }
  bool crs_is_format_default() const override { return inner_->crs_is_format_default(); }
  bool has_geometry_column() const override { return inner_->has_geometry_column(); }
  DeclaredGeometry declared_geometry() const override { return inner_->declared_geometry(); }
  std::int64_t feature_count() override { return inner_->feature_count(); }
  bool next(SourceFeature& out) override {
    if (!inner_->next(out)) return false;
    out.values.insert(out.values.end(), values_.begin(), values_.end());
    return true;
  }
  void rewind() override { inner_->rewind(); }
  std::vector<std::string> files() const override { return inner_->files(); }

 private:
  std::unique_ptr<VectorSource> inner_;
  std::vector<SourceField> fields_;
  std::vector<FieldValue> values_;
};

}  // namespace

std::unique_ptr<VectorSource> with_added_fields(std::unique_ptr<VectorSource> source,
                                                const std::map<std::string, std::string>& added) {
  if (added.empty()) return source;
  return std::make_unique<AddedFieldsSource>(std::move(source), added);
}

}  // namespace strata::io
