/* test_crypto.c - src/lib/crypto.c: field encryption round trips and tamper
 * detection, key rotation, the key file (creation, mode, malformed lines,
 * racing creators), blind index, passwords, tokens, hashes and encodings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/crypto.h"
#include "lib/err.h"

static char tmpdir[64];
static int path_seq;

/* A fresh, not yet existing path inside the test's temp dir. */
static void new_path(char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/keys%d", tmpdir, ++path_seq);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static char *read_file(const char *path)
{
    static char buf[8192];
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    assert_true(n >= 0);
    buf[n] = '\0';
    close(fd);
    return buf;
}

static void load_ok(const char *path, struct keyring *kr)
{
    struct err e;
    err_clear(&e);
    int rc = keyring_load_or_create(path, kr, &e);
    if (rc != 0)
        fail_msg("keyring_load_or_create: %s", e.message);
}

static const char K1[] = "0101010101010101010101010101010101010101010101010101010101010101";
static const char K2[] = "0202020202020202020202020202020202020202020202020202020202020202";
static const char KI[] = "abababababababababababababababababababababababababababababababab";

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static int group_setup(void **state)
{
    (void)state;
    if (crypto_setup() != 0 || crypto_setup() != 0)
        return -1;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/talentd_crypto_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- field encryption ---- */

static void roundtrip(const struct keyring *kr, const char *ctx, const void *pt, size_t n)
{
    unsigned char *ct = NULL, *back = NULL;
    size_t ctn = 0, backn = 0;
    struct err e;

    err_clear(&e);
    assert_int_equal(field_encrypt(kr, ctx, pt, n, &ct, &ctn), 0);
    assert_int_equal(ctn, n + 41);
    assert_int_equal(ct[0], kr->version[kr->current]);
    if (n > 0)
        assert_true(memcmp(ct + 25, pt, n) != 0);
    assert_int_equal(field_decrypt(kr, ctx, ct, ctn, &back, &backn, &e), 0);
    assert_int_equal(backn, n);
    assert_memory_equal(back, n ? pt : "", n);
    assert_int_equal(back[n], '\0');
    free(ct);
    free(back);
}

static void test_field_roundtrip(void **state)
{
    (void)state;
    char path[128];
    struct keyring kr;
    new_path(path, sizeof(path));
    load_ok(path, &kr);

    roundtrip(&kr, "candidate.email", "", 0);
    roundtrip(&kr, "candidate.email", NULL, 0);
    roundtrip(&kr, "candidate.email", "alice@example.com", 17);
    const char *zh = "张伟，北京市海淀区中关村大街1号";
    roundtrip(&kr, "candidate.address", zh, strlen(zh));
    size_t big = 64 * 1024;
    unsigned char *buf = malloc(big);
    for (size_t i = 0; i < big; i++)
        buf[i] = (unsigned char)(i * 31 + 7);
    roundtrip(&kr, "candidate.resume", buf, big);
    free(buf);

    /* Same value twice: fresh nonce, different blobs. */
    unsigned char *a, *b;
    size_t an, bn;
    assert_int_equal(field_encrypt(&kr, "c", "same", 4, &a, &an), 0);
    assert_int_equal(field_encrypt(&kr, "c", "same", 4, &b, &bn), 0);
    assert_int_equal(an, bn);
    assert_true(memcmp(a, b, an) != 0);
    free(a);
    free(b);
    keyring_wipe(&kr);
}

static void expect_decrypt_fails(const struct keyring *kr, const char *ctx,
                                 const unsigned char *ct, size_t n)
{
    unsigned char *out = (unsigned char *)"sentinel";
    size_t outn = 99;
    struct err e;
    err_clear(&e);
    assert_int_equal(field_decrypt(kr, ctx, ct, n, &out, &outn, &e), ERR_INVALID);
    assert_null(out);
    assert_int_equal(outn, 0);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.slug, "decrypt_failed");
    assert_true(e.message[0] != '\0');
}

static void test_field_tamper(void **state)
{
    (void)state;
    char path[128];
    struct keyring kr;
    unsigned char *ct;
    size_t n;
    new_path(path, sizeof(path));
    load_ok(path, &kr);

    assert_int_equal(field_encrypt(&kr, "candidate.phone", "+86 138 0000 0000", 17, &ct, &n), 0);
    unsigned char *copy = malloc(n);
    size_t spots[] = {1, 24, 25, 25 + 8, n - 16, n - 1}; /* nonce, ciphertext, tag */
    for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            memcpy(copy, ct, n);
            copy[spots[i]] ^= (unsigned char)(1u << bit);
            expect_decrypt_fails(&kr, "candidate.phone", copy, n);
        }
    }
    /* Truncated: by one byte, to the bare overhead, below it, to nothing. */
    expect_decrypt_fails(&kr, "candidate.phone", ct, n - 1);
    expect_decrypt_fails(&kr, "candidate.phone", ct, 41);
    expect_decrypt_fails(&kr, "candidate.phone", ct, 40);
    expect_decrypt_fails(&kr, "candidate.phone", ct, 1);
    expect_decrypt_fails(&kr, "candidate.phone", ct, 0);
    expect_decrypt_fails(&kr, "candidate.phone", NULL, 0);
    /* Appended byte. */
    unsigned char *longer = malloc(n + 1);
    memcpy(longer, ct, n);
    longer[n] = 0;
    expect_decrypt_fails(&kr, "candidate.phone", longer, n + 1);
    free(longer);
    /* Moved to another field. */
    expect_decrypt_fails(&kr, "candidate.email", ct, n);
    expect_decrypt_fails(&kr, "candidate.phon", ct, n);
    expect_decrypt_fails(&kr, "", ct, n);
    /* Unknown version byte. */
    memcpy(copy, ct, n);
    copy[0] = 2;
    expect_decrypt_fails(&kr, "candidate.phone", copy, n);
    struct err e;
    unsigned char *out;
    size_t outn;
    err_clear(&e);
    field_decrypt(&kr, "candidate.phone", copy, n, &out, &outn, &e);
    assert_non_null(strstr(e.message, "version 2"));
    /* Untouched blob still fine. */
    err_clear(&e);
    assert_int_equal(field_decrypt(&kr, "candidate.phone", ct, n, &out, &outn, &e), 0);
    free(out);

    /* A different key ring cannot read it. */
    struct keyring other;
    new_path(path, sizeof(path));
    load_ok(path, &other);
    expect_decrypt_fails(&other, "candidate.phone", ct, n);

    /* No key at all. */
    struct keyring empty;
    memset(&empty, 0, sizeof(empty));
    unsigned char *none = (unsigned char *)"x";
    assert_int_equal(field_encrypt(&empty, "c", "a", 1, &none, &outn), ERR_INTERNAL);
    assert_null(none);

    free(copy);
    free(ct);
    keyring_wipe(&kr);
    keyring_wipe(&other);
}

static void test_rotation(void **state)
{
    (void)state;
    char path[128];
    struct keyring kr, stale, again;
    struct err e;
    unsigned char *v1, *v2, *out;
    size_t v1n, v2n, outn;
    new_path(path, sizeof(path));
    load_ok(path, &kr);
    load_ok(path, &stale);

    assert_int_equal(kr.n, 1);
    assert_int_equal(kr.version[kr.current], 1);
    assert_int_equal(field_encrypt(&kr, "candidate.name", "李娜", strlen("李娜"), &v1, &v1n), 0);
    assert_int_equal(v1[0], 1);

    err_clear(&e);
    assert_int_equal(keyring_rotate(path, &kr, &e), 0);
    assert_int_equal(kr.n, 2);
    assert_int_equal(kr.version[kr.current], 2);
    assert_int_equal(field_encrypt(&kr, "candidate.name", "王芳", strlen("王芳"), &v2, &v2n), 0);
    assert_int_equal(v2[0], 2);

    err_clear(&e);
    assert_int_equal(field_decrypt(&kr, "candidate.name", v1, v1n, &out, &outn, &e), 0);
    assert_string_equal((char *)out, "李娜");
    free(out);
    /* The old ring cannot read v2 values; a reload can read both. */
    expect_decrypt_fails(&stale, "candidate.name", v2, v2n);
    load_ok(path, &again);
    assert_int_equal(again.n, 2);
    assert_int_equal(again.version[again.current], 2);
    assert_memory_equal(again.enc[again.current], kr.enc[kr.current], 32);
    assert_memory_equal(again.idx, kr.idx, 32);
    assert_int_equal(field_decrypt(&again, "candidate.name", v1, v1n, &out, &outn, &e), 0);
    free(out);
    assert_int_equal(field_decrypt(&again, "candidate.name", v2, v2n, &out, &outn, &e), 0);
    assert_string_equal((char *)out, "王芳");
    free(out);

    /* Rotating through a stale ring re-reads the file: v3, not a second v2. */
    err_clear(&e);
    assert_int_equal(keyring_rotate(path, &stale, &e), 0);
    assert_int_equal(stale.n, 3);
    assert_int_equal(stale.version[stale.current], 3);
    load_ok(path, &again);
    assert_int_equal(again.n, 3);
    assert_memory_equal(again.enc[again.current], stale.enc[stale.current], 32);

    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    free(v1);
    free(v2);
    keyring_wipe(&kr);
    keyring_wipe(&stale);
    keyring_wipe(&again);
    assert_int_equal(kr.n, 0);
}

static void test_rotation_limits(void **state)
{
    (void)state;
    char path[128], text[4096];
    struct keyring kr;
    struct err e;

    /* Version 255 is the last one. */
    new_path(path, sizeof(path));
    snprintf(text, sizeof(text), "enc 255 %s\nidx %s\n", K1, KI);
    write_file(path, text, 0600);
    load_ok(path, &kr);
    err_clear(&e);
    assert_int_equal(keyring_rotate(path, &kr, &e), ERR_INVALID);
    assert_non_null(strstr(e.message, "255"));
    assert_string_equal(read_file(path), text);
    assert_int_equal(kr.version[kr.current], 255); /* unchanged */

    /* KEYRING_MAX keys is the most. */
    new_path(path, sizeof(path));
    size_t off = 0;
    for (int v = 1; v <= KEYRING_MAX; v++)
        off += (size_t)snprintf(text + off, sizeof(text) - off, "enc %d %s\n", v * 10, K1);
    snprintf(text + off, sizeof(text) - off, "idx %s\n", KI);
    write_file(path, text, 0600);
    load_ok(path, &kr);
    assert_int_equal(kr.n, KEYRING_MAX);
    assert_int_equal(kr.version[kr.current], KEYRING_MAX * 10);
    err_clear(&e);
    assert_int_equal(keyring_rotate(path, &kr, &e), ERR_INVALID);

    /* Missing file: rotation does not create one. */
    new_path(path, sizeof(path));
    err_clear(&e);
    assert_int_equal(keyring_rotate(path, &kr, &e), ERR_INTERNAL);
    assert_int_equal(access(path, F_OK), -1);
    keyring_wipe(&kr);
}

/* ---- key file ---- */

static void test_keyring_create(void **state)
{
    (void)state;
    char path[128];
    struct keyring kr, again;
    struct stat st;
    new_path(path, sizeof(path));

    assert_int_equal(access(path, F_OK), -1);
    load_ok(path, &kr);
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(kr.n, 1);
    assert_int_equal(kr.current, 0);
    assert_int_equal(kr.version[0], 1);

    static const unsigned char zero[32];
    assert_true(memcmp(kr.enc[0], zero, 32) != 0);
    assert_true(memcmp(kr.idx, zero, 32) != 0);
    assert_true(memcmp(kr.idx, kr.enc[0], 32) != 0);

    /* The file holds the keys as documented. */
    char hex[65], line[128];
    const char *text = read_file(path);
    hex_encode(kr.enc[0], 32, hex);
    snprintf(line, sizeof(line), "\nenc 1 %s\n", hex);
    assert_non_null(strstr(text, line));
    hex_encode(kr.idx, 32, hex);
    snprintf(line, sizeof(line), "\nidx %s\n", hex);
    assert_non_null(strstr(text, line));

    /* Reload: same keys, file untouched. */
    load_ok(path, &again);
    assert_memory_equal(&kr, &again, sizeof(kr));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    /* No temp files left behind. */
    DIR *d = opendir(tmpdir);
    assert_non_null(d);
    for (struct dirent *de; (de = readdir(d)) != NULL;)
        assert_null(strstr(de->d_name, ".tmp"));
    closedir(d);

    /* A key file in a missing directory is an I/O error. */
    struct err e;
    err_clear(&e);
    snprintf(line, sizeof(line), "%s/nodir/keys", tmpdir);
    assert_int_equal(keyring_load_or_create(line, &kr, &e), ERR_INTERNAL);
    assert_non_null(strstr(e.message, line));
    assert_int_equal(kr.n, 0);
    keyring_wipe(&again);
}

static void test_keyring_create_race(void **state)
{
    (void)state;
    enum { NPROC = 6 };
    char path[128];
    int fds[NPROC][2];
    pid_t pids[NPROC];
    new_path(path, sizeof(path));

    for (int i = 0; i < NPROC; i++) {
        assert_int_equal(pipe(fds[i]), 0);
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            struct keyring kr;
            struct err e;
            char msg[160];
            err_clear(&e);
            if (keyring_load_or_create(path, &kr, &e) != 0) {
                snprintf(msg, sizeof(msg), "ERR %.150s", e.message);
            } else {
                hex_encode(kr.enc[0], 32, msg);
                hex_encode(kr.idx, 32, msg + 64);
            }
            ssize_t w = write(fds[i][1], msg, strlen(msg) + 1);
            _exit(w > 0 ? 0 : 1);
        }
        close(fds[i][1]);
    }
    char first[160] = "";
    for (int i = 0; i < NPROC; i++) {
        char got[160] = "";
        int status;
        ssize_t r = read(fds[i][0], got, sizeof(got) - 1);
        assert_true(r > 0);
        close(fds[i][0]);
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        if (strncmp(got, "ERR", 3) == 0)
            fail_msg("child %d: %s", i, got);
        if (i == 0)
            snprintf(first, sizeof(first), "%s", got);
        else
            assert_string_equal(got, first);
    }
    struct keyring kr;
    char hex[129];
    load_ok(path, &kr);
    hex_encode(kr.enc[0], 32, hex);
    hex_encode(kr.idx, 32, hex + 64);
    assert_string_equal(hex, first);
    keyring_wipe(&kr);
}

static void test_keyring_comments_and_layout(void **state)
{
    (void)state;
    char path[128], text[1024];
    struct keyring kr;
    struct err e;
    new_path(path, sizeof(path));

    /* Comments, blank lines, CRLF, tabs, out-of-order versions, uppercase
     * hex and no final newline are all fine. */
    snprintf(text, sizeof(text),
             "# keys\r\n"
             "\r\n"
             "   # indented comment\n"
             "\tenc  7\t%s \r\n"
             "idx %s\n"
             "enc 3 %s",
             K2, "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB", K1);
    write_file(path, text, 0600);
    load_ok(path, &kr);
    assert_int_equal(kr.n, 2);
    assert_int_equal(kr.version[kr.current], 7);
    assert_int_equal(kr.enc[kr.current][0], 0x02);
    assert_int_equal(kr.idx[5], 0xab);

    /* Rotation after a line without newline starts a new line. */
    err_clear(&e);
    assert_int_equal(keyring_rotate(path, &kr, &e), 0);
    assert_int_equal(kr.version[kr.current], 8);
    assert_non_null(strstr(read_file(path), K1));
    assert_non_null(strstr(read_file(path), "\nenc 8 "));
    load_ok(path, &kr);
    assert_int_equal(kr.n, 3);
    assert_int_equal(kr.version[kr.current], 8);
    keyring_wipe(&kr);
}

static void test_keyring_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *body; /* %1$s = K1, %2$s = KI */
        const char *expect;
    } cases[] = {
        {"# c\n\nenc 1 %1$sZZ\nidx %2$s\n", "line 3"},
        {"enc 1 0101\nidx %2$s\n", "line 1"},
        {"enc 1 %1$s\nidx %2$s\nenc 2 zz01010101010101010101010101010101010101010101010101010101010101\n",
         "line 3"},
        {"enc 0 %1$s\nidx %2$s\n", "line 1"},
        {"idx %2$s\nenc 256 %1$s\n", "line 2"},
        {"idx %2$s\nenc -1 %1$s\n", "line 2"},
        {"idx %2$s\nenc 1x %1$s\n", "line 2"},
        {"idx %2$s\nenc 0001 %1$s\n", "line 2"},
        {"enc 1 %1$s\nenc 1 %1$s\nidx %2$s\n", "line 2"},
        {"enc 1 %1$s\nidx %2$s\n\nidx %2$s\n", "line 4"},
        {"enc 1 %1$s\nidx %2$s\nkey %2$s\n", "line 3"},
        {"enc 1 %1$s extra\nidx %2$s\n", "line 1"},
        {"enc 1 %1$s\nidx %2$s %2$s\n", "line 2"},
        {"enc %1$s\nidx %2$s\n", "line 1"},
        {"enc 1 %1$s\nidx\n", "line 2"},
        {"ENC 1 %1$s\nidx %2$s\n", "line 1"},
        {"enc 1 %1$s\n", "no \"idx\""},
        {"# only idx%1$.0s\nidx %2$s\n", "no \"enc\""},
        {"", "no \"enc\""},
    };
    char path[128], text[1024];
    struct keyring kr;
    struct err e;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        new_path(path, sizeof(path));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        /* The cases are templates with positional arguments for the keys. */
        snprintf(text, sizeof(text), cases[i].body, K1, KI);
#pragma GCC diagnostic pop
        write_file(path, text, 0600);
        err_clear(&e);
        memset(&kr, 0x5a, sizeof(kr));
        int rc = keyring_load_or_create(path, &kr, &e);
        if (rc != ERR_INVALID)
            fail_msg("case %zu: rc %d, expected ERR_INVALID", i, rc);
        if (!strstr(e.message, cases[i].expect) || !strstr(e.message, path))
            fail_msg("case %zu: message \"%s\" lacks \"%s\" or the path", i, e.message,
                     cases[i].expect);
        assert_int_equal(kr.n, 0); /* wiped */
        /* The bad file is left as it was. */
        assert_string_equal(read_file(path), text);
    }

    /* A NUL byte in the file. */
    new_path(path, sizeof(path));
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    snprintf(text, sizeof(text), "enc 1 %s\nidx %s\n", K1, KI);
    text[3] = '\0';
    assert_int_equal(write(fd, text, 70), 70);
    close(fd);
    err_clear(&e);
    assert_int_equal(keyring_load_or_create(path, &kr, &e), ERR_INVALID);
    assert_non_null(strstr(e.message, "line 1"));

    /* A directory in place of the file. */
    new_path(path, sizeof(path));
    assert_int_equal(mkdir(path, 0700), 0);
    err_clear(&e);
    assert_true(keyring_load_or_create(path, &kr, &e) != 0);

    /* Too large. */
    new_path(path, sizeof(path));
    fd = open(path, O_WRONLY | O_CREAT, 0600);
    char comment[1024];
    memset(comment, '#', sizeof(comment));
    comment[sizeof(comment) - 1] = '\n';
    for (int i = 0; i < 80; i++)
        assert_int_equal(write(fd, comment, sizeof(comment)), (ssize_t)sizeof(comment));
    close(fd);
    err_clear(&e);
    assert_int_equal(keyring_load_or_create(path, &kr, &e), ERR_INVALID);
    assert_non_null(strstr(e.message, "larger"));
}

static void test_keyring_mode(void **state)
{
    (void)state;
    char path[128], text[256];
    struct keyring kr;
    struct err e;
    static const mode_t bad[] = {0644, 0640, 0604, 0660, 0602, 0620, 0601};

    new_path(path, sizeof(path));
    snprintf(text, sizeof(text), "enc 1 %s\nidx %s\n", K1, KI);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        write_file(path, text, bad[i]);
        err_clear(&e);
        assert_int_equal(keyring_load_or_create(path, &kr, &e), ERR_INVALID);
        assert_non_null(strstr(e.message, "must be mode 0600"));
        assert_non_null(strstr(e.message, path));
        assert_int_equal(kr.n, 0);
        err_clear(&e);
        assert_int_equal(keyring_rotate(path, &kr, &e), ERR_INVALID);
        assert_non_null(strstr(e.message, "must be mode 0600"));
        assert_string_equal(read_file(path), text);
    }
    /* Fixed with chmod, and owner-read-only is fine too. */
    assert_int_equal(chmod(path, 0600), 0);
    load_ok(path, &kr);
    assert_int_equal(chmod(path, 0400), 0);
    load_ok(path, &kr);
    assert_int_equal(kr.n, 1);
    keyring_wipe(&kr);
}

/* ---- blind index ---- */

static void test_blind_index(void **state)
{
    (void)state;
    char path[128], other_path[128];
    struct keyring kr, again, other;
    char a[65], b[65], c[65];
    new_path(path, sizeof(path));
    new_path(other_path, sizeof(other_path));
    load_ok(path, &kr);
    load_ok(other_path, &other);

    blind_index(&kr, "candidate.email", "alice@example.com", a);
    assert_int_equal(strlen(a), 64);
    assert_int_equal(strspn(a, "0123456789abcdef"), 64);

    /* Stable across calls, reloads and rotations. */
    blind_index(&kr, "candidate.email", "alice@example.com", b);
    assert_string_equal(a, b);
    load_ok(path, &again);
    blind_index(&again, "candidate.email", "alice@example.com", b);
    assert_string_equal(a, b);
    struct err e;
    err_clear(&e);
    assert_int_equal(keyring_rotate(path, &again, &e), 0);
    blind_index(&again, "candidate.email", "alice@example.com", b);
    assert_string_equal(a, b);

    /* Equals HMAC-SHA256(idx, context || 0 || value). */
    unsigned char msg[64];
    memcpy(msg, "candidate.email", 15);
    msg[15] = 0;
    memcpy(msg + 16, "alice@example.com", 17);
    crypto_hmac_sha256_hex(kr.idx, 32, msg, 33, c);
    assert_string_equal(a, c);

    /* Distinct across values, contexts, the context/value boundary and keys. */
    blind_index(&kr, "candidate.email", "alice@example.co", b);
    assert_string_not_equal(a, b);
    blind_index(&kr, "candidate.phone", "alice@example.com", b);
    assert_string_not_equal(a, b);
    blind_index(&kr, "ab", "c", b);
    blind_index(&kr, "a", "bc", c);
    assert_string_not_equal(b, c);
    blind_index(&kr, "", "", b);
    assert_int_equal(strlen(b), 64);
    blind_index(&other, "candidate.email", "alice@example.com", b);
    assert_string_not_equal(a, b);

    keyring_wipe(&kr);
    keyring_wipe(&again);
    keyring_wipe(&other);
}

/* ---- passwords, tokens ---- */

static void test_password(void **state)
{
    (void)state;
    char h[PWHASH_MAX], h2[PWHASH_MAX];
    struct err e;

    err_clear(&e);
    assert_int_equal(crypto_password_hash("correct horse 电池 staple", h, &e), 0);
    assert_int_equal(strncmp(h, "$argon2id$", 10), 0);
    assert_true(strlen(h) < PWHASH_MAX);
    assert_int_equal(crypto_password_verify(h, "correct horse 电池 staple"), 0);
    assert_int_equal(crypto_password_verify(h, "correct horse 电池 staple "), ERR_UNAUTHORIZED);
    assert_int_equal(crypto_password_verify(h, "Correct horse 电池 staple"), ERR_UNAUTHORIZED);
    assert_int_equal(crypto_password_verify(h, ""), ERR_UNAUTHORIZED);

    /* Salted: same password, different hash, both verify. */
    assert_int_equal(crypto_password_hash("correct horse 电池 staple", h2, &e), 0);
    assert_string_not_equal(h, h2);
    assert_int_equal(crypto_password_verify(h2, "correct horse 电池 staple"), 0);

    /* Empty password hashes and verifies like any other. */
    assert_int_equal(crypto_password_hash("", h2, &e), 0);
    assert_int_equal(crypto_password_verify(h2, ""), 0);
    assert_int_equal(crypto_password_verify(h2, "x"), ERR_UNAUTHORIZED);

    /* Malformed hashes. */
    assert_int_equal(crypto_password_verify(NULL, "x"), ERR_UNAUTHORIZED);
    assert_int_equal(crypto_password_verify("", ""), ERR_UNAUTHORIZED);
    assert_int_equal(crypto_password_verify("not a hash", "not a hash"), ERR_UNAUTHORIZED);
    assert_int_equal(crypto_password_verify("$argon2id$", ""), ERR_UNAUTHORIZED);
    char cut[PWHASH_MAX];
    snprintf(cut, sizeof(cut), "%.*s", (int)strlen(h) - 5, h);
    assert_int_equal(crypto_password_verify(cut, "correct horse 电池 staple"), ERR_UNAUTHORIZED);
    snprintf(cut, sizeof(cut), "%s", h);
    cut[strlen(cut) - 3] ^= 1;
    assert_int_equal(crypto_password_verify(cut, "correct horse 电池 staple"), ERR_UNAUTHORIZED);
    char longh[300];
    memset(longh, 'a', sizeof(longh) - 1);
    longh[sizeof(longh) - 1] = '\0';
    memcpy(longh, h, strlen(h));
    assert_int_equal(crypto_password_verify(longh, "correct horse 电池 staple"), ERR_UNAUTHORIZED);
    /* Only Argon2id: a valid argon2i hash of the right password is refused. */
    assert_int_equal(crypto_pwhash_argon2i_str(cut, "pw", 2, crypto_pwhash_argon2i_OPSLIMIT_INTERACTIVE,
                                               crypto_pwhash_argon2i_MEMLIMIT_INTERACTIVE),
                     0);
    assert_int_equal(crypto_pwhash_str_verify(cut, "pw", 2), 0);
    assert_int_equal(crypto_password_verify(cut, "pw"), ERR_UNAUTHORIZED);
    /* Plain SHA-256 hex of the password is not accepted. */
    char sha[65];
    crypto_sha256_hex("pw", 2, sha);
    assert_int_equal(crypto_password_verify(sha, "pw"), ERR_UNAUTHORIZED);
}

static void test_token(void **state)
{
    (void)state;
    enum { N = 200 };
    static char toks[N][64];
    const char *b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    for (int i = 0; i < N; i++) {
        crypto_random_token("tdk_", toks[i], 4 + 44);
        assert_int_equal(strlen(toks[i]), 4 + 43);
        assert_int_equal(strncmp(toks[i], "tdk_", 4), 0);
        assert_int_equal(strspn(toks[i] + 4, b64), 43);
        unsigned char *raw;
        size_t rawn;
        assert_int_equal(base64url_decode(toks[i] + 4, &raw, &rawn), 0);
        assert_int_equal(rawn, 32);
        free(raw);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(toks[i], toks[j]);
    }
    char bare[44];
    crypto_random_token("", bare, sizeof(bare));
    assert_int_equal(strlen(bare), 43);
}

static void test_random_password(void **state)
{
    (void)state;
    char pw[64], pw2[64];
    int seen[256] = {0};

    for (int round = 0; round < 200; round++) {
        memset(pw, 'X', sizeof(pw));
        crypto_random_password(pw, 20);
        assert_int_equal(strlen(pw), 20);
        assert_int_equal(pw[21], 'X');
        for (int i = 0; i < 20; i++) {
            unsigned char ch = (unsigned char)pw[i];
            assert_true((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                        (ch >= '0' && ch <= '9'));
            assert_null(strchr("0Ol1", ch));
            seen[ch] = 1;
        }
    }
    int distinct = 0;
    for (int i = 0; i < 256; i++)
        distinct += seen[i];
    assert_int_equal(distinct, 58); /* 4000 draws reach every char of the alphabet */

    crypto_random_password(pw, 16);
    crypto_random_password(pw2, 16);
    assert_string_not_equal(pw, pw2);
    crypto_random_password(pw, 0);
    assert_string_equal(pw, "");
}

/* ---- hashes ---- */

static void test_sha256(void **state)
{
    (void)state;
    char hex[65];
    unsigned char raw[32];

    crypto_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    crypto_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    crypto_sha256("abc", 3, raw);
    assert_int_equal(raw[0], 0xba);
    assert_int_equal(raw[31], 0xad);

    /* OpenSSL's digest and libsodium's (the fallback) agree at every length around the block
     * boundaries and on inputs of an imported result's size */
    static unsigned char buf[9000];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(i * 131 + (i >> 7));
    static const size_t lens[] = {0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 4447, 8999};
    for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
        unsigned char want[32];
        char want_hex[65];
        crypto_hash_sha256(want, buf, lens[k]);
        sodium_bin2hex(want_hex, sizeof(want_hex), want, sizeof(want));
        crypto_sha256(buf, lens[k], raw);
        assert_memory_equal(raw, want, sizeof(want));
        crypto_sha256_hex(buf, lens[k], hex);
        assert_string_equal(hex, want_hex);
    }
}

static void test_hmac(void **state)
{
    (void)state;
    char hex[65];
    unsigned char raw[32];
    unsigned char big_key[131];

    /* RFC 4231 test cases 2 and 6 (key longer than a block). */
    crypto_hmac_sha256_hex((const unsigned char *)"Jefe", 4, "what do ya want for nothing?", 28,
                           hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(big_key, 0xaa, sizeof(big_key));
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    crypto_hmac_sha256_hex(big_key, sizeof(big_key), m6, strlen(m6), hex);
    assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    crypto_hmac_sha256(big_key, sizeof(big_key), m6, strlen(m6), raw);
    assert_int_equal(raw[0], 0x60);
    assert_int_equal(raw[31], 0x54);
}

static void test_consttime_eq(void **state)
{
    (void)state;
    assert_int_equal(crypto_consttime_eq("abcd", "abcd", 4), 1);
    assert_int_equal(crypto_consttime_eq("abcd", "abce", 4), 0);
    assert_int_equal(crypto_consttime_eq("xbcd", "abcd", 4), 0);
    assert_int_equal(crypto_consttime_eq("abcd", "abce", 3), 1);
    assert_int_equal(crypto_consttime_eq("a", "b", 0), 1);
}

/* ---- encodings ---- */

static void test_hex(void **state)
{
    (void)state;
    unsigned char in[256], out[256];
    char hex[513];
    size_t n;

    for (int i = 0; i < 256; i++)
        in[i] = (unsigned char)i;
    hex_encode(in, sizeof(in), hex);
    assert_int_equal(strlen(hex), 512);
    assert_int_equal(strncmp(hex, "000102", 6), 0);
    assert_string_equal(hex + 506, "fdfeff");
    assert_int_equal(hex_decode(hex, out, sizeof(out), &n), 0);
    assert_int_equal(n, 256);
    assert_memory_equal(in, out, 256);

    hex_encode(in, 0, hex);
    assert_string_equal(hex, "");
    assert_int_equal(hex_decode("", out, 0, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(hex_decode("DEADbeef", out, 4, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(out[0], 0xde);
    assert_int_equal(out[3], 0xef);
    assert_int_equal(hex_decode("00ff", out, 2, NULL), 0);

    /* Bad input. */
    assert_int_equal(hex_decode("abc", out, sizeof(out), &n), ERR_INVALID);
    assert_int_equal(n, 0);
    assert_int_equal(hex_decode("zz", out, sizeof(out), &n), ERR_INVALID);
    assert_int_equal(hex_decode("0g", out, sizeof(out), &n), ERR_INVALID);
    assert_int_equal(hex_decode("00 11", out, sizeof(out), &n), ERR_INVALID);
    assert_int_equal(hex_decode("0x00", out, sizeof(out), &n), ERR_INVALID);
    assert_int_equal(hex_decode("001122", out, 2, &n), ERR_INVALID);
    assert_int_equal(hex_decode("00", out, 0, &n), ERR_INVALID);
}

static void test_base64url(void **state)
{
    (void)state;
    unsigned char in[100];
    unsigned char *out;
    size_t n;

    for (size_t len = 0; len <= sizeof(in); len++) {
        for (size_t i = 0; i < len; i++)
            in[i] = (unsigned char)(i * 97 + len);
        char *s = base64url_encode(in, len);
        assert_int_equal(strlen(s), (len * 4 + 2) / 3);
        assert_null(strchr(s, '='));
        assert_null(strchr(s, '+'));
        assert_null(strchr(s, '/'));
        assert_int_equal(base64url_decode(s, &out, &n), 0);
        assert_int_equal(n, len);
        assert_memory_equal(out, len ? in : (const unsigned char *)"", len);
        assert_int_equal(out[n], 0);
        free(out);
        free(s);
    }

    /* Known vectors. */
    char *s = base64url_encode("\xfb\xff\xfe", 3);
    assert_string_equal(s, "-__-");
    free(s);
    s = base64url_encode("hi", 2);
    assert_string_equal(s, "aGk");
    free(s);
    assert_int_equal(base64url_decode("-_8", &out, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(out[0], 0xfb);
    assert_int_equal(out[1], 0xff);
    free(out);

    /* Bad input. */
    static const char *bad[] = {
        "aGk=",   /* padding */
        "aGk==",  /* padding */
        "a",      /* impossible length */
        "aGkxa",  /* impossible length */
        "ab+c",   /* standard alphabet */
        "ab/c",   /* standard alphabet */
        "ab c",   /* space */
        "ab\nc",  /* newline */
        "aGl",    /* non-zero trailing bits ("hi" is aGk) */
        "-_9",    /* non-zero trailing bits */
        "é",      /* non-ASCII */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        out = (unsigned char *)"sentinel";
        n = 7;
        if (base64url_decode(bad[i], &out, &n) != ERR_INVALID)
            fail_msg("\"%s\" decoded", bad[i]);
        assert_null(out);
        assert_int_equal(n, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_roundtrip),
        cmocka_unit_test(test_field_tamper),
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_rotation_limits),
        cmocka_unit_test(test_keyring_create),
        cmocka_unit_test(test_keyring_create_race),
        cmocka_unit_test(test_keyring_comments_and_layout),
        cmocka_unit_test(test_keyring_malformed),
        cmocka_unit_test(test_keyring_mode),
        cmocka_unit_test(test_blind_index),
        cmocka_unit_test(test_password),
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_random_password),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_hmac),
        cmocka_unit_test(test_consttime_eq),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_base64url),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
