// Small owners of what DuckDB's C API hands out, shared by the value and type renderers.
#pragma once

#include <duckdb.h>

#include <string>

namespace sluice::duckdb {

// Owns a logical type handed out by the C API (child and member types are new handles).
class OwnedType {
 public:
  explicit OwnedType(duckdb_logical_type type) : type_(type) {}
  ~OwnedType() { duckdb_destroy_logical_type(&type_); }
  OwnedType(const OwnedType&) = delete;
  OwnedType& operator=(const OwnedType&) = delete;
  duckdb_logical_type get() const { return type_; }

 private:
  duckdb_logical_type type_;
};

// A C string the C API allocated (names, aliases, enum values), freed with duckdb_free.
inline std::string TakeString(char* text) {
  std::string copy = text ? text : "";
  duckdb_free(text);
  return copy;
}

}  // namespace sluice::duckdb
