/* crypto.h - passwords, tokens, hashes, encodings, the key ring and field
 * encryption, all on libsodium.
 *
 * Call crypto_setup() once at start-up before any other function here.
 * Heap results are allocated with xmalloc (allocation failure aborts) and
 * owned by the caller, who frees them with free(). */
#ifndef TALENTD_CRYPTO_H
#define TALENTD_CRYPTO_H

#include <stddef.h>

#include "lib/err.h"

/* Initialises libsodium. Returns 0, or ERR_INTERNAL when the library cannot
 * start (no entropy source). Safe to call more than once. */
int crypto_setup(void);

#define PWHASH_MAX 128

/* Hashes password with Argon2id (crypto_pwhash_str_alg, ALG_ARGON2ID13,
 * OPSLIMIT_INTERACTIVE, MEMLIMIT_INTERACTIVE); out gets the NUL-terminated
 * encoded string ("$argon2id$v=19$..."). Returns 0, or ERR_INTERNAL (e set)
 * when the hash cannot be computed (out of memory). */
int crypto_password_hash(const char *password, char out[PWHASH_MAX], struct err *e);

/* Returns 0 when password matches hash, ERR_UNAUTHORIZED otherwise; also for
 * a NULL, overlong or malformed hash and for a hash other than Argon2id. */
int crypto_password_verify(const char *hash, const char *password);

/* Fills out with prefix followed by base64url (no padding, 43 chars) of 32
 * random bytes, NUL-terminated. outsz must be >= strlen(prefix) + 44; a
 * smaller buffer is a programming error and aborts. */
void crypto_random_token(const char *prefix, char *out, size_t outsz);

/* Writes a random password of n characters drawn uniformly from letters and
 * digits without the ambiguous 0, O, l and 1, then a NUL: out holds n + 1. */
void crypto_random_password(char *out, size_t n);

/* SHA-256 of p[0..n) into out (raw) or out (64 lowercase hex chars + NUL). */
void crypto_sha256(const void *p, size_t n, unsigned char out[32]);
void crypto_sha256_hex(const void *p, size_t n, char out[65]);

/* HMAC-SHA256 of msg[0..n) under key[0..keylen) (any key length), raw or as
 * 64 lowercase hex chars + NUL. */
void crypto_hmac_sha256(const unsigned char *key, size_t keylen, const void *msg, size_t n, unsigned char out[32]);
void crypto_hmac_sha256_hex(const unsigned char *key, size_t keylen, const void *msg, size_t n, char out[65]);

/* Compares a[0..n) and b[0..n) in time independent of the contents.
 * Returns 1 if equal (also when n is 0), else 0. */
int crypto_consttime_eq(const void *a, const void *b, size_t n);

/* Writes 2n lowercase hex chars and a NUL to out (which holds 2n + 1). */
void hex_encode(const unsigned char *p, size_t n, char *out);

/* Decodes the whole of hex (even length, [0-9a-fA-F] only) into out, which
 * holds outsz bytes; *outn (if non-NULL) gets the byte count. Returns 0, or
 * ERR_INVALID for odd length, a non-hex char or more than outsz bytes. */
int hex_decode(const char *hex, unsigned char *out, size_t outsz, size_t *outn);

/* Returns a heap, NUL-terminated base64url encoding of p[0..n) without
 * padding. Caller frees. */
char *base64url_encode(const void *p, size_t n);

/* Decodes base64url without padding. On success returns 0 and sets *out to a
 * heap buffer (caller frees; one extra NUL byte follows the data) and *outn
 * to its length. Returns ERR_INVALID (nothing allocated, *out NULL) for a
 * char outside the alphabet, padding, an impossible length or non-zero
 * trailing bits. */
int base64url_decode(const char *s, unsigned char **out, size_t *outn);

/* Key ring loaded from the data directory's key file (mode 0600). Text file,
 * one key per line:
 *   "enc <version 1..255> <64 hex chars>"   field-encryption keys; the highest version is current
 *   "idx <64 hex chars>"                    blind-index key (exactly one)
 * Lines starting with '#' and blank lines are ignored. */
#define KEYRING_MAX 16
struct keyring {
    int n; /* number of enc keys */
    unsigned char version[KEYRING_MAX];
    unsigned char enc[KEYRING_MAX][32];
    int current; /* index into enc[] of the highest version */
    unsigned char idx[32];
};

/* Loads the key file at path into kr. If the file does not exist, creates it
 * with mode 0600 holding "enc 1 <random>" and "idx <random>" (exclusively:
 * when several processes race, all end up with the one file that won).
 * Returns 0; ERR_INVALID (e names the file, and the line for a bad line) for
 * a malformed file, a file that is not regular or a file with any group or
 * other permission bits ("key file ... must be mode 0600"); ERR_INTERNAL for
 * an I/O failure. On failure kr is wiped. */
int keyring_load_or_create(const char *path, struct keyring *kr, struct err *e);

/* Key rotation: appends "enc <max+1> <random>" to the file at path (under an
 * exclusive flock, re-reading the file first so concurrent rotations do not
 * collide) and reloads kr from the result, whose current key is the new one.
 * Returns 0; ERR_INVALID when the file is bad (as keyring_load_or_create),
 * holds KEYRING_MAX keys already or its highest version is 255;
 * ERR_INTERNAL for an I/O failure (kr unchanged). */
int keyring_rotate(const char *path, struct keyring *kr, struct err *e);

/* Overwrites all key material in kr with zeros (sodium_memzero). */
void keyring_wipe(struct keyring *kr);

/* Field encryption: XChaCha20-Poly1305 IETF under the current key.
 * *out (heap, caller frees) = version byte || 24-byte nonce || ciphertext || 16-byte tag,
 * *outn = n + 41. context (e.g. "candidate.email") is bound as associated
 * data, so a value moved to another field fails to decrypt. Returns 0, or
 * ERR_INTERNAL when kr holds no key, ERR_TOO_LARGE when n is too large
 * (*out NULL in both cases). */
int field_encrypt(const struct keyring *kr, const char *context, const void *pt, size_t n, unsigned char **out,
                  size_t *outn);

/* Decrypts a field_encrypt blob with the key of its version byte. On success
 * returns 0, *out is heap (caller frees) and NUL-terminated (for text), and
 * *outn excludes the NUL. Returns ERR_INVALID (slug "decrypt_failed", *out
 * NULL) for an unknown version, a short blob, a wrong context or any
 * tampering. */
int field_decrypt(const struct keyring *kr, const char *context, const unsigned char *ct, size_t n, unsigned char **out,
                  size_t *outn, struct err *e);

/* field_decrypt into out, which has room for field_plain_len(n) + 1 bytes (no allocation: for
 * loops over many values). */
int field_decrypt_to(const struct keyring *kr, const char *context, const unsigned char *ct, size_t n,
                     unsigned char *out, size_t *outn, struct err *e);
/* The length of the plain text of a blob of n bytes (0 for a blob too short to be one). */
size_t field_plain_len(size_t n);

/* Blind index for equality search on an encrypted field: out gets the hex
 * HMAC-SHA256 under the idx key of context || 0x00 || value. Stable for the
 * same key, context and value. */
void blind_index(const struct keyring *kr, const char *context, const char *value, char out[65]);

#endif
