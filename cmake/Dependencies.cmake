# Every library sluice links. All come from Debian packages (scripts/deps.sh) except DuckDB, which
# scripts/deps.sh unpacks, checksum-verified, into third_party/duckdb.
find_package(SQLite3 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(simdjson REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(Threads REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
# libpq, the PostgreSQL client library, for the postgresql:// and redshift:// warehouses.
find_package(PostgreSQL REQUIRED)
# Boost.Beast (header-only) parses and writes the S3 endpoint's HTTP; pugixml reads the XML
# documents S3 requests carry.
find_package(Boost 1.81 REQUIRED)
find_package(pugixml REQUIRED)
# libzip unpacks functions' code packages (zip files, as Lambda takes them). Through pkg-config:
# Debian's CMake config for it also wants the zipcmp/zipmerge/ziptool programs installed.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip>=1.7)

set(SLUICE_DUCKDB_DIR "${PROJECT_SOURCE_DIR}/third_party/duckdb")
if(NOT EXISTS "${SLUICE_DUCKDB_DIR}/lib/libduckdb.so" OR NOT EXISTS "${SLUICE_DUCKDB_DIR}/include/duckdb.h")
  message(FATAL_ERROR "DuckDB is missing from ${SLUICE_DUCKDB_DIR}: run `make deps` first.")
endif()
add_library(duckdb SHARED IMPORTED GLOBAL)
set_target_properties(duckdb PROPERTIES
  IMPORTED_LOCATION "${SLUICE_DUCKDB_DIR}/lib/libduckdb.so"
  IMPORTED_NO_SONAME TRUE
  INTERFACE_INCLUDE_DIRECTORIES "${SLUICE_DUCKDB_DIR}/include")
# DuckDB's header is third-party: keep its warnings out of ours.
set_property(TARGET duckdb PROPERTY INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${SLUICE_DUCKDB_DIR}/include")

# sluice_library(NAME SOURCES... DEPS ...): one static library per subsystem, public headers
# under include/sluice/<subsystem>/.
function(sluice_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(sluice_${name} STATIC ${ARG_SOURCES})
  target_include_directories(sluice_${name} PUBLIC "${PROJECT_SOURCE_DIR}/include"
                                            PRIVATE "${PROJECT_SOURCE_DIR}/src")
  target_link_libraries(sluice_${name} PUBLIC ${ARG_DEPS})
endfunction()
