#include "sluice/clusters/instance_capacity.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <thread>

namespace sluice::clusters {
namespace {

int VcpusOfSize(std::string_view size) {
  if (size == "nano" || size == "micro" || size == "small" || size == "medium" || size == "large") {
    return 2;
  }
  if (size == "metal") return 96;
  if (size == "xlarge") return 4;
  if (size.size() > 6 && size.substr(size.size() - 6) == "xlarge") {
    std::string_view count = size.substr(0, size.size() - 6);
    if (std::all_of(count.begin(), count.end(), [](char c) { return std::isdigit(c); })) {
      return 4 * std::stoi(std::string(count));
    }
  }
  return 4;
}

double MemoryPerVcpu(std::string_view family) {
  switch (family.empty() ? 'm' : family[0]) {
    case 'c':
      return 2;
    case 'r':
      return 8;
    case 'x':
      return 16;
    default:
      return 4;
  }
}

}  // namespace

InstanceCapacity CapacityOf(std::string_view instance_type) {
  size_t dot = instance_type.find('.');
  if (dot == std::string_view::npos) return {};
  InstanceCapacity capacity;
  capacity.vcpus = VcpusOfSize(instance_type.substr(dot + 1));
  capacity.memory_gib = capacity.vcpus * MemoryPerVcpu(instance_type.substr(0, dot));
  return capacity;
}

InstanceCapacity LimitToThisMachine(InstanceCapacity capacity) {
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  double memory_gib = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) *
                      static_cast<double>(::sysconf(_SC_PAGE_SIZE)) / (1024.0 * 1024 * 1024);
  capacity.vcpus = std::min(capacity.vcpus, cores);
  capacity.memory_gib = std::min(capacity.memory_gib, memory_gib * 0.8);
  return capacity;
}

}  // namespace sluice::clusters
