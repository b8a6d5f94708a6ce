// generate-orders: writes synthetic order data as CSV for the examples/orders pipeline.
//
//   generate-orders --rows N --out PATH [--files K] [--seed S] [--first-id I] [--bad-rows B]
//
// The output is deterministic: the same flags produce byte-identical files on any platform. Every
// value comes from a splitmix64 generator using integer arithmetic only (no <random>
// distributions, whose output is implementation-defined, and no floating point). Each row gets its
// own generator, seeded from (seed, order number), so a row does not depend on the rows before it:
// splitting the output into K files, or producing it in batches with --first-id, yields the same
// rows. The product catalogue (category and price of each product id) does not depend on the seed.
//
// Columns: order_id, customer_id, order_date, status, product_id, category, quantity, unit_price,
// country. With --bad-rows B, B evenly spaced rows carry the quantity "many" instead of a number.
//
// Each file is written to PATH.tmp and renamed into place, so a killed run never leaves a partial
// file under the final name. Exit status: 0 on success, 2 on a usage error, 1 on an I/O error.

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace {

constexpr std::string_view kProgram = "generate-orders";
constexpr std::string_view kUsage =
    "usage: generate-orders --rows N --out PATH [--files K] [--seed S] [--first-id I] "
    "[--bad-rows B]\n"
    "  --rows N      rows to write (default 1000000)\n"
    "  --out PATH    output file, or output directory when --files > 1\n"
    "  --files K     split the rows evenly into K files orders-0001.csv ... (default 1)\n"
    "  --seed S      generator seed (default 42)\n"
    "  --first-id I  order number of the first row (default 1)\n"
    "  --bad-rows B  make B evenly spaced rows malformed: quantity \"many\" (default 0)\n";
constexpr std::string_view kHeader =
    "order_id,customer_id,order_date,status,product_id,category,quantity,unit_price,country\n";

constexpr int kExitIo = 1;
constexpr int kExitUsage = 2;

// order_id is "O" + 10 digits, so the largest order number that can be written is 10^10 - 1.
constexpr int64_t kMaxOrderNumber = 9'999'999'999;
constexpr uint32_t kCustomers = 200'000;
constexpr uint32_t kProducts = 5'000;
constexpr uint32_t kDays = 90;  // 2026-09-01 .. 2026-11-29

constexpr std::array<std::string_view, 8> kCategories = {
    "Books", "Electronics", "Garden", "Grocery", "Home", "Sports", "Toys", "Clothing"};
constexpr std::array<std::string_view, 10> kCountries = {"DE", "FR", "US", "JP", "BR",
                                                         "GB", "IN", "ES", "IT", "NL"};

// Quantity q + 1 has weight kQuantityWeights[q] out of 100: small orders are the most common.
constexpr std::array<uint32_t, 9> kQuantityWeights = {30, 20, 14, 10, 8, 6, 5, 4, 3};

// Longest possible row: 1+10, 1+7, 10, 9 (DELIVERED/CANCELLED), 1+5, 11 (Electronics), 4 (many),
// 6 (999.99), 2, plus 8 commas and a newline = 77 bytes. Leave generous slack.
constexpr size_t kMaxRowBytes = 128;
constexpr size_t kBufferBytes = size_t{4} << 20;

// Thrown for any failure; main prints the message and exits with the code.
struct Failure {
  int exit_code;
  std::string message;
};

[[noreturn]] void FailUsage(std::string message) {
  throw Failure{kExitUsage, std::move(message)};
}

[[noreturn]] void FailIo(const std::string& path, int error_number) {
  throw Failure{kExitIo, path + ": " + std::strerror(error_number)};
}

// ---------------------------------------------------------------------------------------------
// Random numbers

constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ULL;      // splitmix64 increment
constexpr uint64_t kRowStride = 0xD1B54A32D192ED03ULL;  // odd, so index * stride is a bijection
constexpr uint64_t kCategorySalt = 0x6A09E667F3BCC909ULL;
constexpr uint64_t kPriceSalt = 0xBB67AE8584CAA73BULL;

// The splitmix64 finaliser: a bijective 64-bit mix.
constexpr uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}

  uint64_t Next() {
    state_ += kGamma;
    return Mix64(state_);
  }

  // An integer in [0, n) for n < 2^32: the top 32 bits scaled by n (multiply-shift, no division).
  // The bias is below n / 2^32, far under anything visible in the data.
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(((Next() >> 32) * n) >> 32); }

 private:
  uint64_t state_;
};

// The generator for one row. The state is mixed rather than seed + index * gamma: with the plain
// splitmix64 sequence, row i's second draw would be row i+1's first draw.
SplitMix64 RowRng(uint64_t seed, uint64_t order_number) {
  return SplitMix64(Mix64(seed ^ (order_number * kRowStride)));
}

// ---------------------------------------------------------------------------------------------
// Formatting

char* Append(char* out, std::string_view text) {
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

// Writes `value` as exactly `width` decimal digits, zero-padded; the caller ensures it fits.
char* AppendPadded(char* out, uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

int DecimalDigits(uint64_t value) {
  int digits = 1;
  while (value >= 10) {
    value /= 10;
    ++digits;
  }
  return digits;
}

// ---------------------------------------------------------------------------------------------
// Lookup tables

struct Product {
  std::string_view category;
  std::string price;  // e.g. "123.45"
};

// Prices in cents: a quarter of products fall in each band, so cheap items are more common than
// they would be with one uniform range. All bands lie within 0.99 .. 999.99.
uint32_t ProductPriceCents(uint64_t hash) {
  constexpr std::array<uint32_t, 4> kBandMaxCents = {1'999, 9'999, 49'999, 99'999};
  constexpr uint32_t kMinCents = 99;
  const uint32_t max_cents = kBandMaxCents[hash & 3];
  return kMinCents + static_cast<uint32_t>((hash >> 2) % (max_cents - kMinCents + 1));
}

std::string FormatCents(uint32_t cents) {
  char text[16];
  char* end = std::to_chars(text, text + sizeof text, cents / 100).ptr;
  *end++ = '.';
  end = AppendPadded(end, cents % 100, 2);
  return std::string(text, end);
}

// Index p holds product id p + 1. Derived from the id alone, so a product always has the same
// category and price whatever the seed.
std::vector<Product> BuildProducts() {
  std::vector<Product> products;
  products.reserve(kProducts);
  for (uint64_t id = 1; id <= kProducts; ++id) {
    const uint64_t category_hash = Mix64(id ^ kCategorySalt);
    const uint64_t price_hash = Mix64(id ^ kPriceSalt);
    products.push_back({kCategories[category_hash % kCategories.size()],
                        FormatCents(ProductPriceCents(price_hash))});
  }
  return products;
}

// "YYYY-MM-DD" for each of the kDays days from 2026-09-01, using the C++20 civil calendar.
std::vector<std::string> BuildDates() {
  using namespace std::chrono;
  const sys_days first{year{2026} / September / 1};
  std::vector<std::string> dates;
  dates.reserve(kDays);
  for (uint32_t offset = 0; offset < kDays; ++offset) {
    const year_month_day date{first + days{offset}};
    char text[10];
    char* out = AppendPadded(text, static_cast<uint64_t>(static_cast<int>(date.year())), 4);
    *out++ = '-';
    out = AppendPadded(out, static_cast<unsigned>(date.month()), 2);
    *out++ = '-';
    AppendPadded(out, static_cast<unsigned>(date.day()), 2);
    dates.emplace_back(text, sizeof text);
  }
  return dates;
}

std::string_view PickStatus(uint32_t percent) {
  if (percent < 80) return "SHIPPED";
  if (percent < 92) return "DELIVERED";
  if (percent < 97) return "CANCELLED";
  return "RETURNED";
}

uint32_t PickQuantity(uint32_t percent) {
  for (uint32_t q = 0; q < kQuantityWeights.size(); ++q) {
    if (percent < kQuantityWeights[q]) return q + 1;
    percent -= kQuantityWeights[q];
  }
  return static_cast<uint32_t>(kQuantityWeights.size());  // unreachable: the weights sum to 100
}

// ---------------------------------------------------------------------------------------------
// Row generation

struct Options {
  int64_t rows = 1'000'000;
  std::string out;
  int64_t files = 1;
  uint64_t seed = 42;
  int64_t first_id = 1;
  int64_t bad_rows = 0;
};

class RowGenerator {
 public:
  explicit RowGenerator(const Options& options)
      : seed_(options.seed),
        first_id_(static_cast<uint64_t>(options.first_id)),
        bad_rows_(static_cast<uint64_t>(options.bad_rows)),
        // Every bad_stride-th row is bad, up to bad_rows of them; bad_rows <= rows keeps it >= 1.
        bad_stride_(options.bad_rows > 0 ? static_cast<uint64_t>(options.rows / options.bad_rows)
                                         : 0),
        products_(BuildProducts()),
        dates_(BuildDates()) {}

  // Appends the row at `index` (0-based within this run) and returns the end of what it wrote.
  // The caller guarantees kMaxRowBytes of space.
  char* AppendRow(char* out, uint64_t index) const {
    const uint64_t order_number = first_id_ + index;
    SplitMix64 rng = RowRng(seed_, order_number);
    const uint32_t customer = rng.Below(kCustomers) + 1;
    const uint32_t day = rng.Below(kDays);
    const std::string_view status = PickStatus(rng.Below(100));
    const uint32_t product = rng.Below(kProducts) + 1;
    const uint32_t quantity = PickQuantity(rng.Below(100));
    const std::string_view country = kCountries[rng.Below(kCountries.size())];
    const Product& info = products_[product - 1];

    *out++ = 'O';
    out = AppendPadded(out, order_number, 10);
    out = Append(out, ",C");
    out = AppendPadded(out, customer, 7);
    *out++ = ',';
    out = Append(out, dates_[day]);
    *out++ = ',';
    out = Append(out, status);
    out = Append(out, ",P");
    out = AppendPadded(out, product, 5);
    *out++ = ',';
    out = Append(out, info.category);
    *out++ = ',';
    if (IsBadRow(index)) {
      out = Append(out, "many");
    } else {
      *out++ = static_cast<char>('0' + quantity);
    }
    *out++ = ',';
    out = Append(out, info.price);
    *out++ = ',';
    out = Append(out, country);
    *out++ = '\n';
    return out;
  }

 private:
  // Depends on the run-wide index only, so the split into files does not move bad rows.
  bool IsBadRow(uint64_t index) const {
    if (bad_stride_ == 0) return false;
    const uint64_t position = index + 1;
    return position % bad_stride_ == 0 && position / bad_stride_ <= bad_rows_;
  }

  uint64_t seed_;
  uint64_t first_id_;
  uint64_t bad_rows_;
  uint64_t bad_stride_;
  std::vector<Product> products_;
  std::vector<std::string> dates_;
};

// ---------------------------------------------------------------------------------------------
// Output

// Owns a FILE* so every exit path closes it.
class File {
 public:
  explicit File(const std::string& path) : path_(path), file_(std::fopen(path.c_str(), "wb")) {
    if (file_ == nullptr) FailIo(path_, errno);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File() {
    if (file_ != nullptr) std::fclose(file_);
  }

  void Write(const char* data, size_t size) {
    if (std::fwrite(data, 1, size, file_) != size) FailIo(path_, errno);
  }

  // fclose reports errors from the final flush (e.g. a full disk), so it must be checked.
  void Close() {
    std::FILE* file = file_;
    file_ = nullptr;
    if (std::fclose(file) != 0) FailIo(path_, errno);
  }

 private:
  std::string path_;
  std::FILE* file_;
};

// Writes the header and rows [begin, end) to `path`; returns the number of bytes written.
uint64_t WriteCsv(const std::string& path, const RowGenerator& generator, uint64_t begin,
                  uint64_t end, std::vector<char>& buffer) {
  File file(path);
  char* const start = buffer.data();
  char* const flush_at = start + buffer.size() - kMaxRowBytes;
  char* out = Append(start, kHeader);
  uint64_t bytes = 0;
  for (uint64_t index = begin; index < end; ++index) {
    out = generator.AppendRow(out, index);
    if (out >= flush_at) {
      file.Write(start, static_cast<size_t>(out - start));
      bytes += static_cast<uint64_t>(out - start);
      out = start;
    }
  }
  file.Write(start, static_cast<size_t>(out - start));
  bytes += static_cast<uint64_t>(out - start);
  file.Close();
  return bytes;
}

std::string TempPath(const std::string& path) {
  return path + ".tmp";
}

void RemoveTemps(const std::vector<std::string>& paths) {
  for (const std::string& path : paths)
    std::remove(TempPath(path).c_str());
}

// Writes every file under its temporary name, then renames them all into place, so a failure
// part-way leaves none of the final names pointing at a partial file.
uint64_t WriteAll(const std::vector<std::string>& paths, const Options& options) {
  const RowGenerator generator(options);
  std::vector<char> buffer(kBufferBytes);
  const uint64_t rows = static_cast<uint64_t>(options.rows);
  const uint64_t files = paths.size();
  uint64_t bytes = 0;
  try {
    for (uint64_t k = 0; k < files; ++k) {
      // File k gets rows [k * rows / files, (k + 1) * rows / files): sizes differ by at most one.
      // CheckLimits keeps rows < 10^10 and files <= 10^6, so the products fit in 64 bits.
      const uint64_t begin = k * rows / files;
      const uint64_t end = (k + 1) * rows / files;
      bytes += WriteCsv(TempPath(paths[k]), generator, begin, end, buffer);
    }
    for (const std::string& path : paths) {
      if (std::rename(TempPath(path).c_str(), path.c_str()) != 0) FailIo(path, errno);
    }
  } catch (...) {
    RemoveTemps(paths);
    throw;
  }
  return bytes;
}

// orders-0001.csv ...; the number is at least 4 digits wide, wider when there are more files.
std::vector<std::string> SplitFilePaths(const std::string& directory, int64_t files) {
  const int width = std::max(4, DecimalDigits(static_cast<uint64_t>(files)));
  std::vector<std::string> paths;
  paths.reserve(static_cast<size_t>(files));
  for (int64_t k = 1; k <= files; ++k) {
    char number[24];
    char* end = AppendPadded(number, static_cast<uint64_t>(k), width);
    paths.push_back(
        (std::filesystem::path(directory) / ("orders-" + std::string(number, end) + ".csv"))
            .string());
  }
  return paths;
}

void CreateDirectory(const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) throw Failure{kExitIo, directory + ": " + error.message()};
  if (!std::filesystem::is_directory(directory, error)) {
    throw Failure{kExitIo, directory + ": not a directory"};
  }
}

// ---------------------------------------------------------------------------------------------
// Command line

template <typename Integer>
Integer ParseNumber(std::string_view flag, std::string_view text) {
  Integer value{};
  const char* const end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error == std::errc::result_out_of_range) {
    FailUsage(std::string(flag) + ": out of range: " + std::string(text));
  }
  if (text.empty() || error != std::errc() || ptr != end) {
    FailUsage(std::string(flag) + ": not a number: " + std::string(text));
  }
  return value;
}

int64_t ParseAtLeast(std::string_view flag, std::string_view text, int64_t minimum) {
  const int64_t value = ParseNumber<int64_t>(flag, text);
  if (value < minimum) {
    FailUsage(std::string(flag) + ": must be at least " + std::to_string(minimum) + ": " +
              std::string(text));
  }
  return value;
}

void SetOption(Options& options, std::string_view flag, std::string_view value) {
  if (flag == "--rows") {
    options.rows = ParseAtLeast(flag, value, 0);
  } else if (flag == "--out") {
    if (value.empty()) FailUsage("--out: empty path");
    options.out = std::string(value);
  } else if (flag == "--files") {
    options.files = ParseAtLeast(flag, value, 1);
  } else if (flag == "--seed") {
    options.seed = ParseNumber<uint64_t>(flag, value);
  } else if (flag == "--first-id") {
    options.first_id = ParseAtLeast(flag, value, 0);
  } else if (flag == "--bad-rows") {
    options.bad_rows = ParseAtLeast(flag, value, 0);
  } else {
    FailUsage("unknown flag: " + std::string(flag));
  }
}

bool IsKnownFlag(std::string_view flag) {
  return flag == "--rows" || flag == "--out" || flag == "--files" || flag == "--seed" ||
         flag == "--first-id" || flag == "--bad-rows";
}

void CheckLimits(const Options& options) {
  if (options.out.empty()) FailUsage("--out is required");
  if (options.rows > 0 && options.first_id > kMaxOrderNumber - (options.rows - 1)) {
    FailUsage("--first-id + --rows: order ids would exceed " + std::to_string(kMaxOrderNumber) +
              " (10 digits)");
  }
  if (options.bad_rows > options.rows) {
    FailUsage("--bad-rows: more than --rows (" + std::to_string(options.rows) + ")");
  }
  // Bounds file count so k * rows in WriteAll cannot overflow (rows < 10^10, files <= 10^6).
  if (options.files > 1'000'000) FailUsage("--files: at most 1000000");
}

// Accepts "--flag value" and "--flag=value". Returns false when --help was asked for.
bool ParseOptions(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") return false;
    if (!arg.starts_with("--")) FailUsage("unexpected argument: " + std::string(arg));
    const size_t equals = arg.find('=');
    if (equals != std::string_view::npos) {
      SetOption(options, arg.substr(0, equals), arg.substr(equals + 1));
      continue;
    }
    if (!IsKnownFlag(arg)) FailUsage("unknown flag: " + std::string(arg));
    // A following "--..." is the next flag, not a value (negative numbers have a single dash).
    if (i + 1 >= argc || std::string_view(argv[i + 1]).starts_with("--")) {
      FailUsage(std::string(arg) + ": missing value");
    }
    SetOption(options, arg, argv[++i]);
  }
  CheckLimits(options);
  return true;
}

// The rename in WriteAll would replace whatever is at the final name; refuse anything but a
// regular file, so e.g. --out /dev/null cannot swap a device node for a CSV.
void CheckReplaceable(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    std::error_code error;
    const std::filesystem::file_status status = std::filesystem::symlink_status(path, error);
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
      throw Failure{kExitIo, path + ": exists and is not a regular file"};
    }
  }
}

int Run(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, options)) {
    std::fputs(kUsage.data(), stdout);
    return 0;
  }
  std::vector<std::string> paths;
  if (options.files == 1) {
    paths.push_back(options.out);
  } else {
    CreateDirectory(options.out);
    paths = SplitFilePaths(options.out, options.files);
  }
  CheckReplaceable(paths);
  const uint64_t bytes = WriteAll(paths, options);
  const std::string target =
      options.files == 1 ? options.out : std::to_string(options.files) + " files in " + options.out;
  std::fprintf(stderr, "%s: wrote %lld rows (%llu bytes) to %s\n", kProgram.data(),
               static_cast<long long>(options.rows), static_cast<unsigned long long>(bytes),
               target.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const Failure& failure) {
    std::fprintf(stderr, "%s: %s\n", kProgram.data(), failure.message.c_str());
    if (failure.exit_code == kExitUsage) {
      const std::string_view first_line = kUsage.substr(0, kUsage.find('\n') + 1);
      std::fwrite(first_line.data(), 1, first_line.size(), stderr);
    }
    return failure.exit_code;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: %s\n", kProgram.data(), error.what());
    return kExitIo;
  }
}
