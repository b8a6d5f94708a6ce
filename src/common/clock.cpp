#include "sluice/common/clock.h"

namespace sluice {

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

}  // namespace sluice
