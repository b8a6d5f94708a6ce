// ListObjects over the `objects` table: prefix, delimiter roll-up into common prefixes,
// start-after, and pagination, all in UTF-8 byte order. Internal to the lake.
#pragma once

#include <string_view>

#include "sluice/lake/object_store.h"
#include "sluice/store/transaction.h"

namespace sluice::lake {

// Lists one page. An entry (key or common prefix) is listed only if it sorts strictly after
// `request.start_after`; a common prefix counts as one entry, however many keys it rolls up.
Result<ListPage> ListKeys(store::Transaction& tx, std::string_view bucket,
                          const ListRequest& request);

}  // namespace sluice::lake
