#include "sluice/common/md5.h"

#include <gtest/gtest.h>

#include "sluice/common/hex.h"

namespace sluice {
namespace {

TEST(Md5Test, KnownDigests) {
  EXPECT_EQ(Md5().FinishHex(), "d41d8cd98f00b204e9800998ecf8427e");
  Md5 md5;
  md5.Update("hello ");
  md5.Update("world\n");
  EXPECT_EQ(md5.FinishHex(), "6f5902ac237024bdd0c176cb93063dc4");
}

TEST(HexTest, EncodesEveryByte) {
  EXPECT_EQ(ToHex(std::string("\x00\x7f\x80\xff", 4)), "007f80ff");
}

}  // namespace
}  // namespace sluice
