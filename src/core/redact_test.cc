#include "core/redact.h"

#include <gtest/gtest.h>

namespace decant {
namespace {

constexpr const char* kPw = "S3cretPw-XyZ7";

TEST(RedactUri, UserinfoPassword) {
  EXPECT_EQ(RedactUri("postgresql://app:S3cretPw-XyZ7@db:5432/shop"), "postgresql://app:****@db:5432/shop");
  EXPECT_EQ(RedactUri("mysql://app@db/shop"), "mysql://app@db/shop");  // a user alone is no secret
  EXPECT_EQ(RedactUri("sqlite:///tmp/a.db"), "sqlite:///tmp/a.db");
  EXPECT_EQ(RedactUri("backup-10:00.decant"), "backup-10:00.decant");
}

// The userinfo runs to the last '@': a password may hold '@', '/', '?', '#' or a space unencoded.
TEST(RedactUri, PasswordWithUnencodedDelimiters) {
  EXPECT_EQ(RedactUri("mysql://app2:Pw@x:y/z%Q8w@db:3306/shop"), "mysql://app2:****@db:3306/shop");
  EXPECT_EQ(RedactUri("mysql://app2:a?b#c d@db/shop"), "mysql://app2:****@db/shop");
  EXPECT_EQ(RedactUri("postgres://u:p@ss@h/d?sslmode=require"), "postgres://u:****@h/d?sslmode=require");
}

TEST(RedactUri, PasswordKeywordsWhateverTheMistake) {
  // An unknown keyword, a misspelt key, an unbalanced quote, spaces around '=', a URI query, a DSN.
  for (const std::string& in :
       {std::string("host=h password=") + kPw + " bogus=1", std::string("host=h passwrd=") + kPw + " dbname=d",
        std::string("host=h passwd=") + kPw, std::string("host=h pwd=") + kPw,
        std::string("host=h password='") + kPw + " dbname=d", std::string("host='h password=") + kPw,
        std::string("host=h password = ") + kPw, std::string("host=h PASSWORD=\"") + kPw + "\" x=1",
        std::string("host=h sslpassword=") + kPw, std::string("host=h secret=") + kPw,
        std::string("mysql://u@h/d?password=") + kPw + "&ssl-mode=REQUIRED",
        std::string("Server=h;Pwd=") + kPw + ";Database=d", std::string("host=h password='a\\'") + kPw + "'"}) {
    std::string out = RedactUri(in);
    EXPECT_EQ(out.find(kPw), std::string::npos) << in << " -> " << out;
    EXPECT_NE(out.find("****"), std::string::npos) << out;
  }
  EXPECT_EQ(RedactUri("host=h password=x bogus=1"), "host=h password=**** bogus=1");
  EXPECT_EQ(RedactUri("host=h dbname=d user=u"), "host=h dbname=d user=u");
}

// An unquoted password with a space, which no parser accepts: the words up
// to the next "key=value" are hidden too.
TEST(RedactUri, UnquotedPasswordWithASpace) {
  EXPECT_EQ(RedactUri("host=h password=my secret words dbname=d"), "host=h password=**** dbname=d");
  EXPECT_EQ(RedactUri("host=h password=my secret"), "host=h password=****");
  EXPECT_EQ(RedactSecrets("cannot open host=h password=my secret: No such file"),
            "cannot open host=h password=****: No such file");
  EXPECT_EQ(RedactSecrets("'host=h password=my secret' is not a database URI"),
            "'host=h password=****' is not a database URI");
}

// "password S3cret": the '=' forgotten.
TEST(RedactUri, PasswordKeyWithoutEquals) {
  EXPECT_EQ(RedactUri("host=h password S3cret dbname=d"), "host=h password **** dbname=d");
  EXPECT_EQ(RedactUri("host=h pwd my secret"), "host=h pwd ****");
  EXPECT_EQ(RedactSecrets("cannot open host=h password S3cret: No such file"),
            "cannot open host=h password ****: No such file");
  // Words, not keys: a message keeps them.
  EXPECT_EQ(RedactSecrets("wrong password (or no such user for this host)"),
            "wrong password (or no such user for this host)");
  EXPECT_EQ(RedactSecrets("FATAL: password authentication failed for user \"u\""),
            "FATAL: password authentication failed for user \"u\"");
}

TEST(RedactSecretsOf, PiecesAParserNamed) {
  // libpq took "S3c" as the password and "ret@h" as the host.
  std::string location = "postgresql://u:S3c@ret@h/db";
  EXPECT_EQ(RedactSecretsOf("cannot connect to PostgreSQL at ret@h:5432/db: unknown host \"ret@h\"", location),
            "cannot connect to PostgreSQL at ****@h:5432/db: unknown host \"****@h\"");
  EXPECT_EQ(RedactSecretsOf("invalid percent-encoded token: \"S3c%ZZ\"", "postgresql://u:S3c%ZZ@h/db"),
            "invalid percent-encoded token: \"****\"");
  EXPECT_EQ(RedactSecretsOf("connection refused on h:5432", location), "connection refused on h:5432");
}

TEST(MaskSecretsInPlace, OverwritesThePasswordBytesOnly) {
  std::string arg = std::string("postgresql://app:") + kPw + "@db/shop";
  EXPECT_TRUE(MaskSecretsInPlace(arg.data()));
  EXPECT_EQ(arg, "postgresql://app:*************@db/shop");
  std::string conninfo = "host=h password='a b' dbname=d";
  EXPECT_TRUE(MaskSecretsInPlace(conninfo.data()));
  EXPECT_EQ(conninfo, "host=h password=***** dbname=d");
  std::string plain = "sqlite:///srv/app.db";
  EXPECT_FALSE(MaskSecretsInPlace(plain.data()));
  EXPECT_EQ(plain, "sqlite:///srv/app.db");
}

TEST(RedactSecrets, UriInAMessageEndsAtASpace) {
  EXPECT_EQ(RedactSecrets("cannot open 'mysql://u:Pw@x/y@h/d' here, user 'a'@'b'"),
            "cannot open 'mysql://u:****@h/d' here, user 'a'@'b'");
  EXPECT_EQ(RedactSecrets("mysql://u@h:3306/db: access denied for user 'u'@'h'"),
            "mysql://u@h:3306/db: access denied for user 'u'@'h'");
  EXPECT_EQ(RedactSecrets("from postgresql://a:b@h/x to mysql://c:d@h/y"),
            "from postgresql://a:****@h/x to mysql://c:****@h/y");
  EXPECT_EQ(RedactSecrets("'host=h password=x bogus=1' is not a database URI"),
            "'host=h password=**** bogus=1' is not a database URI");
}

}  // namespace
}  // namespace decant
