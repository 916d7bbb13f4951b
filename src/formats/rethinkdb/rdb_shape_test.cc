#include "formats/rethinkdb/rdb_shape.h"

#include <gtest/gtest.h>

namespace decant::rethinkdb {
namespace {

TEST(Rethinkdbshape, Builds) { SUCCEED(); }

}  // namespace
}  // namespace decant::rethinkdb
