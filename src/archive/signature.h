// Ed25519 signatures of decant archives (docs/archive-format.md, "Signature"):
// `decant export --sign KEY` signs, `--verify-signature KEY` refuses an archive
// whose signature does not verify. The key files are PEM, as
// `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` write them.
// No key material is ever put into a message: keys are named by their file and
// by their key id (a digest of the public key).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "io/file_system.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of the header

namespace decant {

// An Ed25519 key read from a PEM file: a private key (signs and verifies) or a
// public key (verifies only). Immutable; shared by the threads of one run.
class ArchiveKey {
 public:
  // Reads `path` through `fs`. InvalidArgument, one line naming the file,
  // when it is not an Ed25519 key in PEM (or not a private key and
  // `need_private`); NotFound/IOError when it cannot be read.
  static Result<std::shared_ptr<const ArchiveKey>> Load(const std::string& path, bool need_private,
                                                        FileSystem* fs = FileSystem::Default());
  ~ArchiveKey();
  ArchiveKey(const ArchiveKey&) = delete;
  ArchiveKey& operator=(const ArchiveKey&) = delete;

  // 16 lowercase hex digits: the first 8 bytes of SHA-256 of the raw 32-byte
  // public key. Public, so messages and the signature record may name it.
  const std::string& key_id() const { return key_id_; }
  const std::string& path() const { return path_; }
  bool has_private() const { return private_; }

  // The 64-byte Ed25519 signature of `message`; needs a private key.
  Result<std::string> Sign(std::string_view message) const;
  // True when `signature` is this key's signature of `message`.
  bool Verify(std::string_view message, std::string_view signature) const;

 private:
  ArchiveKey() = default;
  evp_pkey_st* key_ = nullptr;
  bool private_ = false;
  std::string path_;
  std::string key_id_;
};

// What is signed: "decant-archive-signature-1\n", then SHA-256 of the schema
// document's bytes, then SHA-256 of the manifest document's bytes (which
// holds the archive UUID and every chunk's checksum).
std::string SignedMessage(std::string_view schema_document, std::string_view manifest_document);

// The signature document (the payload of a signature record):
// {"format": "decant-signature", "algorithm": "ed25519", "key_id": hex,
//  "signature": 128 hex digits}.
struct ArchiveSignature {
  std::string algorithm;
  std::string key_id;
  std::string signature;  // raw bytes
};
std::string SignatureToJson(const ArchiveSignature& signature);
// Corruption("malformed signature: ...") on anything else.
Status SignatureFromJson(std::string_view text, ArchiveSignature* out);

// Signs: the signature document of `message` made with `key`.
Result<std::string> SignArchive(const ArchiveKey& key, std::string_view message);
// Checks `document` (a signature document, or empty when the archive has no
// signature) against `message`: Corruption, one line naming `what` (the
// archive) and, when they differ, both key ids, unless it verifies with `key`.
Status CheckArchiveSignature(const ArchiveKey& key, std::string_view message, std::string_view document,
                             const std::string& what);

}  // namespace decant
