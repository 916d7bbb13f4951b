#include "archive/signature.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <exception>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/hex.h"

namespace decant {
namespace {

constexpr char kSignaturePrefix[] = "decant-archive-signature-1\n";
constexpr char kSignatureFormat[] = "decant-signature";
constexpr char kAlgorithm[] = "ed25519";
constexpr size_t kEd25519SignatureBytes = 64;
// A PEM key file is a few hundred bytes; anything much larger is not one.
constexpr uint64_t kMaxKeyFileBytes = 64u << 10;

std::array<unsigned char, 32> Sha256(std::string_view data) {
  std::array<unsigned char, 32> md{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr);
  return md;
}

// Refuses a passphrase prompt: an encrypted key file is reported, never asked for.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return 0; }

Status ReadKeyFile(FileSystem* fs, const std::string& path, std::string* out) {
  DECANT_ASSIGN_OR_RETURN(auto f, fs->NewRandomAccessFile(path));
  if (f->Size() > kMaxKeyFileBytes) return Status::InvalidArgument(path + ": too large to be a PEM key file");
  out->resize(static_cast<size_t>(f->Size()));
  return f->ReadAt(0, out->size(), out->data());
}

}  // namespace

ArchiveKey::~ArchiveKey() { EVP_PKEY_free(key_); }

Result<std::shared_ptr<const ArchiveKey>> ArchiveKey::Load(const std::string& path, bool need_private, FileSystem* fs) {
  std::string pem;
  Status read = ReadKeyFile(fs, path, &pem);
  if (!read.ok()) {
    OPENSSL_cleanse(pem.data(), pem.size());
    return read.code() == StatusCode::kNotFound ? Status::InvalidArgument("key file " + path + " does not exist")
                                                : read;
  }
  std::shared_ptr<ArchiveKey> key(new ArchiveKey());
  key->path_ = path;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio != nullptr) {
    key->key_ = PEM_read_bio_PrivateKey(bio, nullptr, NoPassphrase, nullptr);
    key->private_ = key->key_ != nullptr;
    if (key->key_ == nullptr && !need_private) {
      (void)BIO_reset(bio);
      key->key_ = PEM_read_bio_PUBKEY(bio, nullptr, NoPassphrase, nullptr);
    }
    BIO_free(bio);
  }
  OPENSSL_cleanse(pem.data(), pem.size());
  ERR_clear_error();  // the reasons name PEM parsing steps, nothing the user can act on
  if (key->key_ == nullptr || EVP_PKEY_id(key->key_) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument(
        fmt::format("{} is not an Ed25519 {} in PEM (make one with: openssl genpkey -algorithm ed25519 -out KEY.pem{})",
                    path, need_private ? "private key" : "key",
                    need_private ? "" : "; its public key: openssl pkey -in KEY.pem -pubout -out KEY.pub.pem"));
  }
  std::array<unsigned char, 32> raw{};
  size_t raw_len = raw.size();
  if (EVP_PKEY_get_raw_public_key(key->key_, raw.data(), &raw_len) != 1 || raw_len != raw.size()) {
    ERR_clear_error();
    return Status::InvalidArgument(path + ": cannot read the Ed25519 public key it holds");
  }
  std::array<unsigned char, 32> digest = Sha256({reinterpret_cast<const char*>(raw.data()), raw.size()});
  key->key_id_ = ToHex({reinterpret_cast<const char*>(digest.data()), 8});
  return std::shared_ptr<const ArchiveKey>(std::move(key));
}

Result<std::string> ArchiveKey::Sign(std::string_view message) const {
  if (!private_) return Status::InvalidArgument(path_ + " holds a public key; signing needs the private key");
  std::string sig(kEd25519SignatureBytes, '\0');
  size_t len = sig.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_) == 1 &&
            EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  if (!ok || len != kEd25519SignatureBytes) return Status::Internal("Ed25519 signing with " + path_ + " failed");
  return sig;
}

bool ArchiveKey::Verify(std::string_view message, std::string_view signature) const {
  if (signature.size() != kEd25519SignatureBytes) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key_) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return ok;
}

std::string SignedMessage(std::string_view schema_document, std::string_view manifest_document) {
  std::string m = kSignaturePrefix;
  std::array<unsigned char, 32> s = Sha256(schema_document);
  std::array<unsigned char, 32> d = Sha256(manifest_document);
  m.append(reinterpret_cast<const char*>(s.data()), s.size());
  m.append(reinterpret_cast<const char*>(d.data()), d.size());
  return m;
}

std::string SignatureToJson(const ArchiveSignature& signature) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  j["format"] = kSignatureFormat;
  j["algorithm"] = signature.algorithm;
  j["key_id"] = signature.key_id;
  j["signature"] = ToHex(signature.signature);
  return j.dump(1, ' ');
}

Status SignatureFromJson(std::string_view text, ArchiveSignature* out) {
  try {
    auto j = nlohmann::json::parse(text.begin(), text.end());
    auto str = [&](const char* key) -> std::string {
      auto it = j.find(key);
      if (it == j.end() || !it->is_string()) throw std::runtime_error(std::string("no string \"") + key + "\"");
      return it->get<std::string>();
    };
    if (!j.is_object() || str("format") != kSignatureFormat) {
      return Status::Corruption("malformed signature: not a decant signature document");
    }
    ArchiveSignature s;
    s.algorithm = str("algorithm");
    s.key_id = str("key_id");
    if (s.key_id.size() != 16 || s.key_id.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return Status::Corruption("malformed signature: \"key_id\" is not 16 hex digits");
    }
    std::string hex = str("signature");
    if (hex.size() % 2 != 0 || !AppendDecodedHex(hex, &s.signature)) {
      return Status::Corruption("malformed signature: \"signature\" is not hex");
    }
    *out = std::move(s);
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("malformed signature: ") + e.what());
  }
}

Result<std::string> SignArchive(const ArchiveKey& key, std::string_view message) {
  DECANT_ASSIGN_OR_RETURN(std::string sig, key.Sign(message));
  return SignatureToJson({kAlgorithm, key.key_id(), std::move(sig)});
}

Status CheckArchiveSignature(const ArchiveKey& key, std::string_view message, std::string_view document,
                             const std::string& what) {
  if (document.empty()) return Status::Corruption(what + " is not signed (it has no signature to verify)");
  ArchiveSignature s;
  Status parsed = SignatureFromJson(document, &s);
  if (!parsed.ok()) return Status::Corruption(what + ": " + parsed.message());
  if (s.algorithm != kAlgorithm) {
    return Status::Corruption(what + ": signed with algorithm \"" + s.algorithm + "\", which decant does not verify");
  }
  if (s.key_id != key.key_id()) {
    return Status::Corruption(
        fmt::format("{}: signed by key {}, not by {} (key {})", what, s.key_id, key.path(), key.key_id()));
  }
  if (!key.Verify(message, s.signature)) {
    return Status::Corruption(what + ": the signature does not verify (the archive was changed after it was signed)");
  }
  return Status::OK();
}

}  // namespace decant
