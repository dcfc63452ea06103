#include "lib/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "lib/mem.h"

#define B64URL sodium_base64_VARIANT_URLSAFE_NO_PADDING

/* Field blob layout: version byte || nonce || ciphertext || tag. */
#define FIELD_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define FIELD_TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define FIELD_OVERHEAD (1 + FIELD_NONCE + FIELD_TAG)

/* A key file holds at most KEYRING_MAX + 1 short lines plus comments. */
#define KEYFILE_MAX ((size_t)64 * 1024)

/* Letters and digits without 0, O, l and 1. */
static const char password_alphabet[] = "abcdefghijkmnopqrstuvwxyz"
                                        "ABCDEFGHIJKLMNPQRSTUVWXYZ"
                                        "23456789";

int crypto_setup(void)
{
    /* sodium_init returns 1 when already initialised. */
    return sodium_init() < 0 ? ERR_INTERNAL : 0;
}

/* ---- passwords and tokens ---- */

int crypto_password_hash(const char *password, char out[PWHASH_MAX], struct err *e)
{
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        out[0] = '\0';
        return err_set(e, ERR_INTERNAL, NULL, NULL, "cannot hash password: out of memory");
    }
    return 0;
}

int crypto_password_verify(const char *hash, const char *password)
{
    if (!hash || !password || strnlen(hash, PWHASH_MAX) >= PWHASH_MAX)
        return ERR_UNAUTHORIZED;
    /* Refuse anything but Argon2id: argon2i strings would also verify. */
    if (strncmp(hash, crypto_pwhash_argon2id_STRPREFIX, strlen(crypto_pwhash_argon2id_STRPREFIX)) != 0)
        return ERR_UNAUTHORIZED;
    if (crypto_pwhash_str_verify(hash, password, strlen(password)) != 0)
        return ERR_UNAUTHORIZED;
    return 0;
}

void crypto_random_token(const char *prefix, char *out, size_t outsz)
{
    size_t plen = strlen(prefix);
    unsigned char raw[32];

    if (outsz < plen + 44) {
        fprintf(stderr, "talentd: crypto_random_token: buffer of %zu bytes is too small\n", outsz);
        abort();
    }
    memcpy(out, prefix, plen + 1); /* with the NUL; base64 then overwrites from out + plen */
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out + plen, outsz - plen, raw, sizeof(raw), B64URL);
    sodium_memzero(raw, sizeof(raw));
}

void crypto_random_password(char *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = password_alphabet[randombytes_uniform(sizeof(password_alphabet) - 1)];
    out[n] = '\0';
}

/* ---- hashes ----
 *
 * SHA-256 through OpenSSL, which uses the CPU's SHA extensions where it has them: an imported
 * result's content hash (~4 KB of canonical JSON) took 15 us with libsodium's portable C and takes
 * 3 us so, an audit row's ~400 bytes 2 us and 0.4 us. The digest is fetched from the provider once
 * (EVP_Digest with a fetched EVP_MD skips the lookup by name each call); should that fail,
 * libsodium computes the same bytes. */

static EVP_MD *sha256_md;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void crypto_sha256(const void *p, size_t n, unsigned char out[32])
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sha256_fetch);
    unsigned int len = 0;
    if (!sha256_md || EVP_Digest(p, n, out, &len, sha256_md, NULL) != 1 || len != 32)
        crypto_hash_sha256(out, p, n);
}

void crypto_sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char raw[32];
    crypto_sha256(p, n, raw);
    hex_encode(raw, sizeof(raw), out);
}

void crypto_hmac_sha256(const unsigned char *key, size_t keylen, const void *msg, size_t n, unsigned char out[32])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, keylen);
    crypto_auth_hmacsha256_update(&st, msg, n);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof(st));
}

void crypto_hmac_sha256_hex(const unsigned char *key, size_t keylen, const void *msg, size_t n, char out[65])
{
    unsigned char raw[32];
    crypto_hmac_sha256(key, keylen, msg, n, raw);
    hex_encode(raw, sizeof(raw), out);
}

int crypto_consttime_eq(const void *a, const void *b, size_t n)
{
    if (n == 0)
        return 1;
    return sodium_memcmp(a, b, n) == 0;
}

/* ---- encodings ---- */

void hex_encode(const unsigned char *p, size_t n, char *out)
{
    sodium_bin2hex(out, 2 * n + 1, p, n);
}

int hex_decode(const char *hex, unsigned char *out, size_t outsz, size_t *outn)
{
    size_t len = strlen(hex);
    size_t n = 0;

    if (outn)
        *outn = 0;
    /* With hex_end NULL, sodium_hex2bin fails unless it consumed everything:
     * odd length, a non-hex char and overflow of out all return -1. */
    if (len % 2 != 0 || len / 2 > outsz || sodium_hex2bin(out, outsz, hex, len, NULL, &n, NULL) != 0)
        return ERR_INVALID;
    if (outn)
        *outn = n;
    return 0;
}

char *base64url_encode(const void *p, size_t n)
{
    size_t sz = sodium_base64_ENCODED_LEN(n, B64URL);
    char *s = xmalloc(sz);
    sodium_bin2base64(s, sz, p, n, B64URL);
    return s;
}

int base64url_decode(const char *s, unsigned char **out, size_t *outn)
{
    size_t len = strlen(s);
    size_t max = len / 4 * 3 + 2;
    size_t n = 0;
    unsigned char *buf = xmalloc(max + 1);

    *out = NULL;
    *outn = 0;
    /* Strict: rejects chars outside the alphabet, '=', a length of 4k+1 and
     * non-zero trailing bits, so every string has one decoding. */
    if (sodium_base642bin(buf, max, s, len, NULL, &n, NULL, B64URL) != 0) {
        free(buf);
        return ERR_INVALID;
    }
    buf[n] = '\0';
    *out = buf;
    *outn = n;
    return 0;
}

/* ---- key file ---- */

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsyncs the directory holding path so a new entry in it survives a crash. */
static int fsync_parent_dir(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    int rc = -1;

    if (!slash) {
        free(dir);
        dir = xstrdup(".");
    } else if (slash == dir) {
        dir[1] = '\0';
    } else {
        *slash = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        rc = fsync(fd);
        close(fd);
    }
    free(dir);
    return rc;
}

/* Parses one "enc <version> <hex>" or "idx <hex>" line [p, end) into kr. */
static int parse_key_line(const char *path, int lineno, const char *p, const char *end, struct keyring *kr,
                          int *have_idx, struct err *e)
{
    const char *tok[4] = {NULL, NULL, NULL, NULL};
    size_t toklen[4] = {0, 0, 0, 0};
    int nt = 0;

    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p == end)
            break;
        if (nt == 4)
            return err_set(e, ERR_INVALID, NULL, NULL, "key file %s line %d: too many fields", path, lineno);
        tok[nt] = p;
        while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
        toklen[nt] = (size_t)(p - tok[nt]);
        nt++;
    }

    const char *hex;
    size_t hexlen;
    unsigned char *dst;
    int version = 0;

    if (nt == 0)
        return 0;
    if (toklen[0] == 3 && memcmp(tok[0], "enc", 3) == 0) {
        if (nt != 3)
            return err_set(e, ERR_INVALID, NULL, NULL, "key file %s line %d: expected \"enc <version> <64 hex chars>\"",
                           path, lineno);
        for (size_t i = 0; i < toklen[1] && version >= 0; i++) {
            if (toklen[1] > 3 || tok[1][i] < '0' || tok[1][i] > '9')
                version = -1;
            else
                version = version * 10 + (tok[1][i] - '0');
        }
        if (version < 1 || version > 255)
            return err_set(e, ERR_INVALID, NULL, NULL, "key file %s line %d: key version must be 1..255", path, lineno);
        for (int i = 0; i < kr->n; i++) {
            if (kr->version[i] == version)
                return err_set(e, ERR_INVALID, NULL, NULL, "key file %s line %d: duplicate key version %d", path,
                               lineno, version);
        }
        if (kr->n == KEYRING_MAX)
            return err_set(e, ERR_INVALID, NULL, NULL, "key file %s line %d: more than %d enc keys", path, lineno,
                           KEYRING_MAX);
        hex = tok[2];
        hexlen = toklen[2];
        dst = kr->enc[kr->n];
    } else if (toklen[0] == 3 && memcmp(tok[0], "idx", 3) == 0) {
        if (nt != 2)
            return err_set(e, ERR_INVALID, NULL, NULL, "key file %s line %d: expected \"idx <64 hex chars>\"", path,
                           lineno);
        if (*have_idx)
            return err_set(e, ERR_INVALID, NULL, NULL, "key file %s line %d: second idx key (exactly one allowed)",
                           path, lineno);
        hex = tok[1];
        hexlen = toklen[1];
        dst = kr->idx;
    } else {
        return err_set(e, ERR_INVALID, NULL, NULL, "key file %s line %d: expected \"enc\", \"idx\" or a # comment",
                       path, lineno);
    }

    size_t n = 0;
    if (hexlen != 64 || sodium_hex2bin(dst, 32, hex, hexlen, NULL, &n, NULL) != 0 || n != 32) {
        sodium_memzero(dst, 32);
        return err_set(e, ERR_INVALID, NULL, NULL, "key file %s line %d: key must be exactly 64 hex chars", path,
                       lineno);
    }
    if (dst == kr->idx) {
        *have_idx = 1;
    } else {
        kr->version[kr->n] = (unsigned char)version;
        if (kr->n == 0 || version > kr->version[kr->current])
            kr->current = kr->n;
        kr->n++;
    }
    return 0;
}

static int parse_key_file(const char *path, const char *buf, size_t len, struct keyring *kr, struct err *e)
{
    const char *p = buf;
    const char *end = buf + len;
    int have_idx = 0;
    int lineno = 0;

    memset(kr, 0, sizeof(*kr));
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        const char *q = p;

        lineno++;
        if (memchr(p, '\0', (size_t)(eol - p)))
            return err_set(e, ERR_INVALID, NULL, NULL, "key file %s line %d: NUL byte", path, lineno);
        while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q < eol && *q != '#') {
            int rc = parse_key_line(path, lineno, q, eol, kr, &have_idx, e);
            if (rc != 0)
                return rc;
        }
        p = nl ? nl + 1 : end;
    }
    if (kr->n == 0)
        return err_set(e, ERR_INVALID, NULL, NULL, "key file %s has no \"enc\" key", path);
    if (!have_idx)
        return err_set(e, ERR_INVALID, NULL, NULL, "key file %s has no \"idx\" key", path);
    return 0;
}

/* Checks the open key file fd, reads and parses it into kr. *size and
 * *ends_nl (if non-NULL) get the file's length and whether it ends in '\n'.
 * On failure kr is wiped. */
static int load_fd(int fd, const char *path, struct keyring *kr, size_t *size, int *ends_nl, struct err *e)
{
    struct stat st;
    char *buf = NULL;
    size_t len = 0;
    int rc;

    if (fstat(fd, &st) != 0) {
        rc = err_set(e, ERR_INTERNAL, NULL, NULL, "cannot stat key file %s: %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = err_set(e, ERR_INVALID, NULL, NULL, "key file %s is not a regular file", path);
        goto done;
    }
    if ((st.st_mode & 077) != 0) {
        rc = err_set(e, ERR_INVALID, NULL, NULL, "key file %s must be mode 0600 (it is %04o); run chmod 600 on it",
                     path, (unsigned)(st.st_mode & 07777));
        goto done;
    }

    buf = xmalloc(KEYFILE_MAX + 1);
    for (;;) {
        ssize_t r = pread(fd, buf + len, KEYFILE_MAX + 1 - len, (off_t)len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = err_set(e, ERR_INTERNAL, NULL, NULL, "cannot read key file %s: %s", path, strerror(errno));
            goto done;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > KEYFILE_MAX) {
            rc = err_set(e, ERR_INVALID, NULL, NULL, "key file %s is larger than %zu bytes", path, KEYFILE_MAX);
            goto done;
        }
    }
    rc = parse_key_file(path, buf, len, kr, e);
    if (size)
        *size = len;
    if (ends_nl)
        *ends_nl = len == 0 || buf[len - 1] == '\n';

done:
    if (buf) {
        sodium_memzero(buf, KEYFILE_MAX + 1);
        free(buf);
    }
    if (rc != 0)
        keyring_wipe(kr);
    return rc;
}

/* Creates the key file with fresh keys. The content is written to a temp
 * file that is then hard-linked into place, so no reader ever sees a partial
 * file and the first of several racing creators wins. Returns 0 when this
 * call created it, 1 when it already existed, else a negative code. */
static int create_key_file(const char *path, struct err *e)
{
    unsigned char enc[32], idx[32];
    char enc_hex[65], idx_hex[65];
    char *tmp = xasprintf("%s.tmp.XXXXXX", path);
    char *text = NULL;
    int fd = -1;
    int rc;

    randombytes_buf(enc, sizeof(enc));
    randombytes_buf(idx, sizeof(idx));
    hex_encode(enc, sizeof(enc), enc_hex);
    hex_encode(idx, sizeof(idx), idx_hex);
    text = xasprintf("# talentd key file: keep it secret and back it up; without it the\n"
                     "# encrypted fields cannot be read. Never remove an enc line.\n"
                     "enc 1 %s\n"
                     "idx %s\n",
                     enc_hex, idx_hex);

    fd = mkstemp(tmp); /* O_CREAT|O_EXCL, mode 0600 */
    if (fd < 0) {
        rc = err_set(e, ERR_INTERNAL, NULL, NULL, "cannot create key file %s: %s", tmp, strerror(errno));
        goto done;
    }
    if (fchmod(fd, 0600) != 0 || write_all(fd, text, strlen(text)) != 0 || fsync(fd) != 0) {
        rc = err_set(e, ERR_INTERNAL, NULL, NULL, "cannot write key file %s: %s", tmp, strerror(errno));
        unlink(tmp);
        goto done;
    }
    if (link(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        if (saved == EEXIST) {
            rc = 1;
        } else {
            rc = err_set(e, ERR_INTERNAL, NULL, NULL, "cannot create key file %s: %s", path, strerror(saved));
        }
        goto done;
    }
    unlink(tmp);
    if (fsync_parent_dir(path) != 0) {
        rc =
            err_set(e, ERR_INTERNAL, NULL, NULL, "cannot sync the directory of key file %s: %s", path, strerror(errno));
        goto done;
    }
    rc = 0;

done:
    if (fd >= 0)
        close(fd);
    sodium_memzero(enc, sizeof(enc));
    sodium_memzero(idx, sizeof(idx));
    sodium_memzero(enc_hex, sizeof(enc_hex));
    sodium_memzero(idx_hex, sizeof(idx_hex));
    sodium_memzero(text, strlen(text));
    free(text);
    free(tmp);
    return rc;
}

int keyring_load_or_create(const char *path, struct keyring *kr, struct err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT) {
        int rc = create_key_file(path, e);
        if (rc < 0) {
            keyring_wipe(kr);
            return rc;
        }
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        keyring_wipe(kr);
        return err_set(e, ERR_INTERNAL, NULL, NULL, "cannot open key file %s: %s", path, strerror(errno));
    }
    /* A shared lock keeps us from reading a line keyring_rotate is appending. */
    while (flock(fd, LOCK_SH) != 0 && errno == EINTR)
        ;
    int rc = load_fd(fd, path, kr, NULL, NULL, e);
    close(fd);
    return rc;
}

int keyring_rotate(const char *path, struct keyring *kr, struct err *e)
{
    struct keyring cur;
    unsigned char key[32];
    char hex[65];
    char line[96];
    size_t size = 0;
    int ends_nl = 1;
    int rc;
    int fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);

    memset(&cur, 0, sizeof(cur));
    memset(line, 0, sizeof(line));
    randombytes_buf(key, sizeof(key));
    hex_encode(key, sizeof(key), hex);
    if (fd < 0) {
        rc = err_set(e, ERR_INTERNAL, NULL, NULL, "cannot open key file %s: %s", path, strerror(errno));
        goto done;
    }
    while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
        ;
    if (rc != 0) {
        rc = err_set(e, ERR_INTERNAL, NULL, NULL, "cannot lock key file %s: %s", path, strerror(errno));
        goto done;
    }
    /* Re-read under the lock: another process may have rotated since kr was loaded. */
    rc = load_fd(fd, path, &cur, &size, &ends_nl, e);
    if (rc != 0)
        goto done;
    int max = cur.version[cur.current];
    if (cur.n >= KEYRING_MAX) {
        rc = err_set(e, ERR_INVALID, NULL, NULL, "key file %s already holds %d enc keys", path, KEYRING_MAX);
        goto done;
    }
    if (max >= 255) {
        rc = err_set(e, ERR_INVALID, NULL, NULL, "key file %s already uses key version 255", path);
        goto done;
    }
    int len = snprintf(line, sizeof(line), "%senc %d %s\n", ends_nl ? "" : "\n", max + 1, hex);
    if (write_all(fd, line, (size_t)len) != 0 || fsync(fd) != 0) {
        rc = err_set(e, ERR_INTERNAL, NULL, NULL, "cannot append to key file %s: %s", path, strerror(errno));
        /* Drop a partial line so the file stays loadable. */
        if (ftruncate(fd, (off_t)size) == 0)
            (void)fsync(fd);
        goto done;
    }
    cur.version[cur.n] = (unsigned char)(max + 1);
    memcpy(cur.enc[cur.n], key, sizeof(key));
    cur.current = cur.n;
    cur.n++;
    keyring_wipe(kr);
    *kr = cur;
    rc = 0;

done:
    if (fd >= 0)
        close(fd);
    keyring_wipe(&cur);
    sodium_memzero(key, sizeof(key));
    sodium_memzero(hex, sizeof(hex));
    sodium_memzero(line, sizeof(line));
    return rc;
}

void keyring_wipe(struct keyring *kr)
{
    sodium_memzero(kr, sizeof(*kr));
}

/* ---- field encryption and blind index ---- */

int field_encrypt(const struct keyring *kr, const char *context, const void *pt, size_t n, unsigned char **out,
                  size_t *outn)
{
    static const unsigned char empty[1];
    unsigned long long clen = 0;

    *out = NULL;
    *outn = 0;
    if (kr->n <= 0 || kr->current < 0 || kr->current >= kr->n)
        return ERR_INTERNAL;
    if (n > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX || n > SIZE_MAX - FIELD_OVERHEAD)
        return ERR_TOO_LARGE;
    if (!context)
        context = "";

    unsigned char *buf = xmalloc(n + FIELD_OVERHEAD);
    buf[0] = kr->version[kr->current];
    randombytes_buf(buf + 1, FIELD_NONCE);
    crypto_aead_xchacha20poly1305_ietf_encrypt(buf + 1 + FIELD_NONCE, &clen, pt ? pt : empty, n,
                                               (const unsigned char *)context, strlen(context), NULL, buf + 1,
                                               kr->enc[kr->current]);
    *out = buf;
    *outn = 1 + FIELD_NONCE + (size_t)clen;
    return 0;
}

size_t field_plain_len(size_t n)
{
    return n < FIELD_OVERHEAD ? 0 : n - FIELD_OVERHEAD;
}

int field_decrypt_to(const struct keyring *kr, const char *context, const unsigned char *ct, size_t n,
                     unsigned char *out, size_t *outn, struct err *e)
{
    unsigned long long mlen = 0;
    int k = -1;

    *outn = 0;
    if (!context)
        context = "";
    if (!ct || n < FIELD_OVERHEAD)
        return err_set(e, ERR_INVALID, "decrypt_failed", NULL, "encrypted %s value is too short", context);
    for (int i = 0; i < kr->n; i++) {
        if (kr->version[i] == ct[0]) {
            k = i;
            break;
        }
    }
    if (k < 0)
        return err_set(e, ERR_INVALID, "decrypt_failed", NULL, "encrypted %s value uses unknown key version %u",
                       context, (unsigned)ct[0]);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL, ct + 1 + FIELD_NONCE, n - 1 - FIELD_NONCE,
                                                   (const unsigned char *)context, strlen(context), ct + 1,
                                                   kr->enc[k]) != 0)
        return err_set(e, ERR_INVALID, "decrypt_failed", NULL,
                       "encrypted %s value failed authentication (damaged, tampered with or "
                       "copied from another field)",
                       context);
    out[mlen] = '\0';
    *outn = (size_t)mlen;
    return 0;
}

int field_decrypt(const struct keyring *kr, const char *context, const unsigned char *ct, size_t n, unsigned char **out,
                  size_t *outn, struct err *e)
{
    *out = NULL;
    *outn = 0;
    unsigned char *buf = xmalloc(field_plain_len(n) + 1);
    int rc = field_decrypt_to(kr, context, ct, n, buf, outn, e);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    return 0;
}

void blind_index(const struct keyring *kr, const char *context, const char *value, char out[65])
{
    static const unsigned char sep = 0;
    crypto_auth_hmacsha256_state st;
    unsigned char raw[32];

    crypto_auth_hmacsha256_init(&st, kr->idx, sizeof(kr->idx));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)context, strlen(context));
    crypto_auth_hmacsha256_update(&st, &sep, 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)value, strlen(value));
    crypto_auth_hmacsha256_final(&st, raw);
    sodium_memzero(&st, sizeof(st));
    hex_encode(raw, sizeof(raw), out);
}
