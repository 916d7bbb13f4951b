// Tamper evidence (issue 17, docs/archive-format.md "What the checksums
// protect"): every byte of the manifest and the schema is covered in both
// forms, and an Ed25519 signature refuses what a rewrite of data and
// checksums gets past. Keys are made by Debian's openssl in each test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>

#include "archive/archive.h"
#include "archive/codec.h"
#include "archive/format.h"
#include "archive/metadata.h"
#include "archive/signature.h"
#include "tests/test_util.h"

namespace decant {
namespace {

using ::testing::HasSubstr;
using testing_util::ReadFile;
using testing_util::RunShell;
using testing_util::ShellQuote;
using testing_util::WriteFile;

Schema SmallSchema() {
  Schema s;
  s.engine = "sqlite";
  s.server_version = "3.40.1";
  s.database = "shop";
  Table t;
  t.name = "items";
  Column id;
  id.name = "id";
  id.type.logical = LogicalType::kInt64;
  Column note;
  note.name = "note";
  note.type.logical = LogicalType::kText;
  t.columns = {id, note};
  s.tables = {t};
  return s;
}

Status WriteSmall(const std::string& path, ArchiveForm form, std::shared_ptr<const ArchiveKey> sign = nullptr) {
  ArchiveWriteOptions o;
  o.form = form;
  o.sign = std::move(sign);
  DECANT_ASSIGN_OR_RETURN(auto sink, OpenArchiveSink(path, o));
  Schema s = SmallSchema();
  DECANT_RETURN_IF_ERROR(sink->Begin(s, SinkOptions{}));
  DECANT_ASSIGN_OR_RETURN(auto w, sink->OpenTable(s.tables[0]));
  RowBatch batch(2);
  for (int i = 0; i < 3; ++i) {
    Value* cells = batch.AppendRow();
    cells[0] = Value::Int(i);
    cells[1] = Value::Text("row " + std::to_string(i));
  }
  DECANT_RETURN_IF_ERROR(w->Write(batch));
  DECANT_RETURN_IF_ERROR(w->Close());
  return sink->Commit();
}

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = JoinPath(::testing::TempDir(), "tamper_test.XXXXXX");
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)FileSystem::Default()->Remove(dir_); }
  std::string P(const std::string& name) const { return JoinPath(dir_, name); }

  // An Ed25519 key pair made by openssl: NAME.pem (private), NAME.pub.pem.
  void MakeKey(const std::string& name) {
    auto r =
        RunShell("openssl genpkey -algorithm ed25519 -out " + ShellQuote(P(name + ".pem")) + " && openssl pkey -in " +
                 ShellQuote(P(name + ".pem")) + " -pubout -out " + ShellQuote(P(name + ".pub.pem")));
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  std::shared_ptr<const ArchiveKey> Key(const std::string& file, bool need_private) {
    auto k = ArchiveKey::Load(P(file), need_private);
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return k.ok() ? *k : nullptr;
  }

  std::string dir_;
};

// The one-line error of inspect --check, or "" when it passes.
std::string CheckError(const std::string& path) {
  auto info = InspectArchive(path, true);
  if (info.ok()) return "";
  EXPECT_EQ(info.status().code(), StatusCode::kCorruption) << info.status().ToString();
  EXPECT_EQ(info.status().message().find('\n'), std::string::npos) << info.status().message();
  return info.status().message();
}

// Replaces the value of the last "key": "old" in `text` by `value`; fails the test when absent.
std::string EditField(std::string text, const std::string& key, const std::string& value) {
  std::string tag = "\"" + key + "\": \"";
  size_t at = text.rfind(tag);  // the last: in a single file the manifest follows the schema
  EXPECT_NE(at, std::string::npos) << key;
  if (at == std::string::npos) return text;
  at += tag.size();
  size_t end = text.find('"', at);
  return text.replace(at, end - at, value);
}

// The fields testers edited: each edit, in either form, is caught by inspect --check.
TEST_F(TamperTest, EditedManifestFieldsAreRefusedInBothForms) {
  ASSERT_TRUE(WriteSmall(P("a.dca"), ArchiveForm::kFile).ok());
  ASSERT_TRUE(WriteSmall(P("a.dcd"), ArchiveForm::kDirectory).ok());
  EXPECT_EQ(CheckError(P("a.dca")), "");
  EXPECT_EQ(CheckError(P("a.dcd")), "");
  const std::string file = ReadFile(P("a.dca"));
  const std::string manifest = ReadFile(P("a.dcd/manifest.json"));
  auto info = InspectArchive(P("a.dcd"), false);
  ASSERT_TRUE(info.ok());
  for (const char* field : {"database", "source_engine", "created_at", "decant_version", "server_version"}) {
    std::string was = field == std::string("database")         ? info->database
                      : field == std::string("source_engine")  ? info->source_engine
                      : field == std::string("created_at")     ? info->created_at
                      : field == std::string("decant_version") ? info->decant_version
                                                               : info->server_version;
    std::string same_length = was;
    same_length[0] = same_length[0] == 'x' ? 'y' : 'x';
    for (const std::string& value : {same_length, was + "-edited"}) {
      SCOPED_TRACE(std::string(field) + " = " + value);
      WriteFile(P("a.dcd/manifest.json"), EditField(manifest, field, value));
      EXPECT_EQ(CheckError(P("a.dcd")),
                P("a.dcd") + ": manifest.json does not match its checksum in manifest.json.xxh3");
      WriteFile(P("a.dca"), EditField(file, field, value));
      std::string error = CheckError(P("a.dca"));
      if (value.size() == was.size()) {
        EXPECT_EQ(error, "checksum mismatch in the manifest record of " + P("a.dca"));
      } else {
        EXPECT_THAT(error, HasSubstr(P("a.dca")));  // its offsets no longer add up: truncated
      }
    }
  }
  WriteFile(P("a.dcd/manifest.json"), manifest);
  WriteFile(P("a.dca"), file);
  EXPECT_EQ(CheckError(P("a.dcd")), "");
  EXPECT_EQ(CheckError(P("a.dca")), "");
}

// One byte changed anywhere in manifest.json, manifest.json.xxh3, schema.json
// (directory form) or anywhere in the single file: refused, never read as
// another archive.
TEST_F(TamperTest, EveryByteOfManifestAndSchemaIsCovered) {
  ASSERT_TRUE(WriteSmall(P("a.dcd"), ArchiveForm::kDirectory).ok());
  for (const char* name : {"manifest.json", "manifest.json.xxh3", "schema.json"}) {
    const std::string path = P(std::string("a.dcd/") + name);
    const std::string bytes = ReadFile(path);
    ASSERT_FALSE(bytes.empty());
    size_t passed = 0;
    for (size_t i = 0; i < bytes.size(); ++i) {
      std::string edited = bytes;
      edited[i] = static_cast<char>(edited[i] ^ 0x01);
      WriteFile(path, edited);
      auto info = InspectArchive(P("a.dcd"), true);
      if (info.ok()) ++passed;
    }
    WriteFile(path, bytes);
    EXPECT_EQ(passed, 0u) << name << ": edits that passed inspect --check";
  }
  ASSERT_TRUE(WriteSmall(P("a.dca"), ArchiveForm::kFile).ok());
  const std::string bytes = ReadFile(P("a.dca"));
  size_t passed = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string edited = bytes;
    edited[i] = static_cast<char>(edited[i] ^ 0x01);
    WriteFile(P("a.dca"), edited);
    if (InspectArchive(P("a.dca"), true).ok()) ++passed;
  }
  EXPECT_EQ(passed, 0u) << "single-file edits that passed inspect --check";
  WriteFile(P("a.dca"), bytes);
  EXPECT_EQ(CheckError(P("a.dca")), "");
  EXPECT_EQ(CheckError(P("a.dcd")), "");
}

// Format 1.3 directory archives have manifest.json.xxh3; one without it is
// refused (older versions, which had none, still read: GoldenTest).
TEST_F(TamperTest, MissingManifestChecksumIsRefused) {
  ASSERT_TRUE(WriteSmall(P("a.dcd"), ArchiveForm::kDirectory).ok());
  ASSERT_EQ(ReadFile(P("a.dcd/manifest.json.xxh3")), ChecksumHex(Xxh3(ReadFile(P("a.dcd/manifest.json")))) + "\n");
  ASSERT_TRUE(FileSystem::Default()->Remove(P("a.dcd/manifest.json.xxh3")).ok());
  EXPECT_EQ(CheckError(P("a.dcd")), P("a.dcd") + " has no manifest.json.xxh3 (a format " +
                                        std::to_string(kArchiveFormatMajor) + "." +
                                        std::to_string(kArchiveFormatMinor) + " archive has one)");
  WriteFile(P("a.dcd/manifest.json.xxh3"), "not a checksum\n");
  EXPECT_EQ(CheckError(P("a.dcd")), P("a.dcd") + ": manifest.json.xxh3 is malformed (16 hex digits and a newline)");
}

// ---- Signatures -----------------------------------------------------------------

TEST_F(TamperTest, SignedArchivesVerifyWithThePublicKeyInBothForms) {
  MakeKey("k");
  auto priv = Key("k.pem", true);
  auto pub = Key("k.pub.pem", false);
  ASSERT_TRUE(priv && pub);
  EXPECT_TRUE(priv->has_private());
  EXPECT_FALSE(pub->has_private());
  EXPECT_EQ(priv->key_id(), pub->key_id());
  EXPECT_EQ(priv->key_id().size(), 16u);
  for (auto form : {ArchiveForm::kFile, ArchiveForm::kDirectory}) {
    std::string path = P(form == ArchiveForm::kFile ? "s.dca" : "s.dcd");
    SCOPED_TRACE(path);
    ASSERT_TRUE(WriteSmall(path, form, priv).ok());
    EXPECT_TRUE(VerifyArchiveSignature(path, *pub).ok()) << VerifyArchiveSignature(path, *pub).ToString();
    EXPECT_TRUE(VerifyArchiveSignature(path, *priv).ok());  // a private key holds its public key
    auto info = InspectArchive(path, true);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->signed_by, pub->key_id());
    // Read front to back, the signature record is skipped (as a 1.2 reader skips it).
    if (form == ArchiveForm::kFile) {
      auto stream = OpenArchiveStream(path);
      ASSERT_TRUE(stream.ok());
      RowBatch batch;
      auto reader = (*stream)->OpenTable(SmallSchema().tables[0]);
      ASSERT_TRUE(reader.ok());
      auto more = (*reader)->Next(&batch);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      EXPECT_EQ(batch.num_rows(), 3u);
    }
  }
  EXPECT_TRUE(FileSystem::Default()->IsRegularFile(P("s.dcd/signature")));
}

TEST_F(TamperTest, UnsignedOrOtherKeyIsRefused) {
  MakeKey("k");
  MakeKey("other");
  auto priv = Key("k.pem", true);
  auto other = Key("other.pub.pem", false);
  ASSERT_TRUE(priv && other);
  ASSERT_TRUE(WriteSmall(P("u.dca"), ArchiveForm::kFile).ok());
  ASSERT_TRUE(WriteSmall(P("u.dcd"), ArchiveForm::kDirectory).ok());
  for (const char* name : {"u.dca", "u.dcd"}) {
    Status s = VerifyArchiveSignature(P(name), *other);
    EXPECT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_EQ(s.message(), "archive " + P(name) + " is not signed (it has no signature to verify)");
  }
  ASSERT_TRUE(WriteSmall(P("s.dca"), ArchiveForm::kFile, priv).ok());
  Status s = VerifyArchiveSignature(P("s.dca"), *other);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "archive " + P("s.dca") + ": signed by key " + priv->key_id() + ", not by " +
                             P("other.pub.pem") + " (key " + other->key_id() + ")");
  // A stream cannot be verified before its rows are read.
  EXPECT_EQ(VerifyArchiveSignature("-", *other).code(), StatusCode::kInvalidArgument);
}

// What the checksums do not protect against: a deliberate rewrite of data and
// checksums passes inspect --check. The signature refuses it.
TEST_F(TamperTest, RewriteWithChecksumsPassesCheckButNotTheSignature) {
  MakeKey("k");
  auto priv = Key("k.pem", true);
  auto pub = Key("k.pub.pem", false);
  ASSERT_TRUE(priv && pub);
  const std::string not_verified = "the signature does not verify (the archive was changed after it was signed)";

  // Directory form: the manifest edited, its checksum file rewritten.
  ASSERT_TRUE(WriteSmall(P("s.dcd"), ArchiveForm::kDirectory, priv).ok());
  std::string manifest = EditField(ReadFile(P("s.dcd/manifest.json")), "database", "elsewhere");
  WriteFile(P("s.dcd/manifest.json"), manifest);
  WriteFile(P("s.dcd/manifest.json.xxh3"), ManifestChecksumFileContent(manifest));
  EXPECT_EQ(CheckError(P("s.dcd")), "");
  Status s = VerifyArchiveSignature(P("s.dcd"), *pub);
  EXPECT_EQ(s.message(), "archive " + P("s.dcd") + ": " + not_verified);

  // Directory form: the schema edited, its checksum in the manifest and the manifest's rewritten.
  ASSERT_TRUE(FileSystem::Default()->Remove(P("s.dcd")).ok());
  ASSERT_TRUE(WriteSmall(P("s.dcd"), ArchiveForm::kDirectory, priv).ok());
  std::string schema = EditField(ReadFile(P("s.dcd/schema.json")), "database", "elsewhere");
  WriteFile(P("s.dcd/schema.json"), schema);
  manifest = EditField(ReadFile(P("s.dcd/manifest.json")), "schema_checksum", ChecksumHex(Xxh3(schema)));
  WriteFile(P("s.dcd/manifest.json"), manifest);
  WriteFile(P("s.dcd/manifest.json.xxh3"), ManifestChecksumFileContent(manifest));
  EXPECT_EQ(CheckError(P("s.dcd")), "");
  EXPECT_EQ(VerifyArchiveSignature(P("s.dcd"), *pub).message(), "archive " + P("s.dcd") + ": " + not_verified);

  // Single file: the manifest record edited (same length) and its record checksum recomputed.
  ASSERT_TRUE(WriteSmall(P("s.dca"), ArchiveForm::kFile, priv).ok());
  std::string bytes = ReadFile(P("s.dca"));
  uint64_t manifest_offset = 0;
  std::memcpy(&manifest_offset, bytes.data() + bytes.size() - kEndPayloadSize, 8);  // little-endian host
  RecordHeader h = DecodeRecordHeader(bytes.data() + manifest_offset);
  std::string doc = bytes.substr(manifest_offset + kRecordHeaderSize, h.length);
  doc = EditField(doc, "database", "pohs");
  char frame[kRecordHeaderSize];
  EncodeRecordHeader(RecordType::kManifest, doc, frame);
  bytes.replace(manifest_offset, kRecordHeaderSize + doc.size(), std::string(frame, sizeof frame) + doc);
  WriteFile(P("s.dca"), bytes);
  auto info = InspectArchive(P("s.dca"), true);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->database, "pohs");
  EXPECT_EQ(VerifyArchiveSignature(P("s.dca"), *pub).message(), "archive " + P("s.dca") + ": " + not_verified);

  // A signature record with a damaged byte is damage, caught by its record checksum.
  ASSERT_TRUE(WriteSmall(P("t.dcd"), ArchiveForm::kDirectory, priv).ok());
  std::string sig = ReadFile(P("t.dcd/signature"));
  sig[sig.size() - 5] = static_cast<char>(sig[sig.size() - 5] ^ 1);
  WriteFile(P("t.dcd/signature"), sig);
  EXPECT_THAT(CheckError(P("t.dcd")), HasSubstr("checksum mismatch in the signature record"));
}

TEST_F(TamperTest, KeyFilesAreCheckedAndNeverPrinted) {
  MakeKey("k");
  // A public key cannot sign.
  auto pub_only = ArchiveKey::Load(P("k.pub.pem"), true);
  ASSERT_FALSE(pub_only.ok());
  EXPECT_EQ(pub_only.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(pub_only.status().message(), HasSubstr("is not an Ed25519 private key in PEM"));
  // Another kind of key, a damaged PEM, a missing file.
  auto rsa = RunShell("openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out " + ShellQuote(P("rsa.pem")));
  ASSERT_EQ(rsa.exit_code, 0) << rsa.out;
  std::string pem = ReadFile(P("k.pem"));
  WriteFile(P("bad.pem"), pem.substr(0, pem.size() / 2) + "!" + pem.substr(pem.size() / 2 + 1));  // not base64
  for (const char* name : {"rsa.pem", "bad.pem", "missing.pem"}) {
    SCOPED_TRACE(name);
    auto k = ArchiveKey::Load(P(name), false);
    ASSERT_FALSE(k.ok());
    EXPECT_EQ(k.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(k.status().message(), HasSubstr(P(name)));
    EXPECT_EQ(k.status().message().find("BEGIN"), std::string::npos);
    EXPECT_EQ(k.status().message().find('\n'), std::string::npos);
    for (size_t i = 0; i + 20 < pem.size(); i += 10) {
      EXPECT_EQ(k.status().message().find(pem.substr(i, 20)), std::string::npos);
    }
  }
}

// Owner-only output whatever the umask (point 7): the single file, the
// directory form, its data/, its chunks and metadata.
TEST_F(TamperTest, ArchivesAreOwnerOnly) {
  mode_t old = umask(022);
  ASSERT_TRUE(WriteSmall(P("a.dca"), ArchiveForm::kFile).ok());
  ASSERT_TRUE(WriteSmall(P("a.dcd"), ArchiveForm::kDirectory).ok());
  umask(old);
  auto mode = [](const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  };
  EXPECT_EQ(mode(P("a.dca")), 0600u);
  EXPECT_EQ(mode(P("a.dcd")), 0700u);
  EXPECT_EQ(mode(P("a.dcd/data")), 0700u);
  for (const char* f : {"manifest.json", "manifest.json.xxh3", "schema.json"}) {
    EXPECT_EQ(mode(P(std::string("a.dcd/") + f)), 0600u) << f;
  }
  EXPECT_EQ(mode(P("a.dcd/" + ChunkFileName(0, 0))), 0600u);
}

}  // namespace
}  // namespace decant
