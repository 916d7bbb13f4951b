#include "formats/rethinkdb/rdb_writer.h"

#include <gtest/gtest.h>

namespace decant::rethinkdb {
namespace {

TEST(Rethinkdbwriter, Builds) { SUCCEED(); }

}  // namespace
}  // namespace decant::rethinkdb
