#include "formats/rethinkdb/rdb_input.h"

#include <gtest/gtest.h>

namespace decant::rethinkdb {
namespace {

TEST(Rethinkdbinput, Builds) { SUCCEED(); }

}  // namespace
}  // namespace decant::rethinkdb
