/* Tests for src/lib/csv.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/csv.h"
#include "lib/err.h"

#define MAX_FIELD 65536
#define MAX_FIELDS 256

static struct csv_reader *open_str(const char *s, size_t max_field, int max_fields)
{
    struct csv_reader *r = NULL;
    struct err e = {0};
    assert_int_equal(csv_open_mem(s, strlen(s), max_field, max_fields, &r, &e), 0);
    assert_non_null(r);
    return r;
}

/* Reads the next record and checks it equals the n strings in want and
 * started on line. */
static void expect_record(struct csv_reader *r, long line, int n, const char *const *want)
{
    char **f = NULL;
    int nf = -1;
    struct err e = {0};
    int rc = csv_next(r, &f, &nf, &e);
    if (rc != 1)
        fail_msg("expected a record at line %ld, got %d (%s)", line, rc, e.message);
    assert_int_equal(nf, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(f[i], want[i]);
    assert_int_equal(csv_line(r), line);
}

#define EXPECT(r, line, ...)                                                                   \
    do {                                                                                       \
        const char *const want_[] = {__VA_ARGS__};                                             \
        expect_record((r), (line), (int)(sizeof(want_) / sizeof(want_[0])), want_);            \
    } while (0)

/* Reads the next record expecting error code with a message starting msg. */
static void expect_error(struct csv_reader *r, int code, const char *msg)
{
    char **f = NULL;
    int nf = -1;
    struct err e = {0};
    int rc = csv_next(r, &f, &nf, &e);
    if (rc != code)
        fail_msg("expected error %d '%s', got %d (%s)", code, msg, rc, e.message);
    assert_int_equal(e.code, code);
    if (strncmp(e.message, msg, strlen(msg)) != 0)
        fail_msg("expected message starting '%s', got '%s'", msg, e.message);
}

static void expect_eof(struct csv_reader *r)
{
    char **f = NULL;
    int nf = -1;
    struct err e = {0};
    assert_int_equal(csv_next(r, &f, &nf, &e), 0);
    assert_int_equal(e.code, 0);
    /* EOF is sticky. */
    assert_int_equal(csv_next(r, &f, &nf, &e), 0);
}

static void test_chinese_headers(void **state)
{
    (void)state;
    struct csv_reader *r = open_str("姓名,手机,部门\n张伟,13800138000,研发部\n李娜,13900139000,市场部\n",
                                    MAX_FIELD, MAX_FIELDS);
    assert_int_equal(csv_line(r), 0);
    EXPECT(r, 1, "姓名", "手机", "部门");
    EXPECT(r, 2, "张伟", "13800138000", "研发部");
    EXPECT(r, 3, "李娜", "13900139000", "市场部");
    expect_eof(r);
    csv_close(r);
}

static void test_bom_and_crlf(void **state)
{
    (void)state;
    struct csv_reader *r =
        open_str("\xEF\xBB\xBF姓名,手机\r\n王芳,13700137000\r\n", MAX_FIELD, MAX_FIELDS);
    EXPECT(r, 1, "姓名", "手机");
    EXPECT(r, 2, "王芳", "13700137000");
    expect_eof(r);
    csv_close(r);

    /* A BOM later in the input is data, not skipped. */
    r = open_str("a\n\xEF\xBB\xBF" "b\n", MAX_FIELD, MAX_FIELDS);
    EXPECT(r, 1, "a");
    EXPECT(r, 2, "\xEF\xBB\xBF" "b");
    expect_eof(r);
    csv_close(r);
}

static void test_quoted(void **state)
{
    (void)state;
    struct csv_reader *r = open_str("name,note\r\n"
                                    "\"Zhang, Wei\",\"said \"\"hi\"\"\"\r\n"
                                    "\"multi\nline\",\"\"\r\n"
                                    "\"crlf\r\ninside\",x\n"
                                    "\"\"\"\",\",\"\n"
                                    "last,\"no newline\"",
                                    MAX_FIELD, MAX_FIELDS);
    EXPECT(r, 1, "name", "note");
    EXPECT(r, 2, "Zhang, Wei", "said \"hi\"");
    EXPECT(r, 3, "multi\nline", "");
    EXPECT(r, 5, "crlf\r\ninside", "x");
    EXPECT(r, 7, "\"", ",");
    EXPECT(r, 8, "last", "no newline");
    expect_eof(r);
    csv_close(r);
}

static void test_empty_fields(void **state)
{
    (void)state;
    struct csv_reader *r = open_str("a,b,\n,,\n,\nx\n\"\"\n", MAX_FIELD, MAX_FIELDS);
    EXPECT(r, 1, "a", "b", "");
    EXPECT(r, 2, "", "", "");
    EXPECT(r, 3, "", "");
    EXPECT(r, 4, "x");
    EXPECT(r, 5, "");
    expect_eof(r);
    csv_close(r);

    /* Trailing empty field without a final newline. */
    r = open_str("a,b,", MAX_FIELD, MAX_FIELDS);
    EXPECT(r, 1, "a", "b", "");
    expect_eof(r);
    csv_close(r);
}

static void test_empty_lines_and_input(void **state)
{
    (void)state;
    struct csv_reader *r = open_str("\n\r\na,b\n\n\r\n\nc,d\n\n", MAX_FIELD, MAX_FIELDS);
    EXPECT(r, 3, "a", "b");
    EXPECT(r, 7, "c", "d");
    expect_eof(r);
    csv_close(r);

    const char *empties[] = {"", "\n", "\r\n\r\n", "\xEF\xBB\xBF", "\xEF\xBB\xBF\n"};
    for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
        r = open_str(empties[i], MAX_FIELD, MAX_FIELDS);
        expect_eof(r);
        csv_close(r);
    }
}

static void test_lenient_bytes(void **state)
{
    (void)state;
    /* A quote inside an unquoted field and a lone CR are data; spaces are kept. */
    struct csv_reader *r = open_str("5'11\",a\rb, padded \n", MAX_FIELD, MAX_FIELDS);
    EXPECT(r, 1, "5'11\"", "a\rb", " padded ");
    expect_eof(r);
    csv_close(r);
}

static void test_bad_quote_then_resync(void **state)
{
    (void)state;
    struct csv_reader *r = open_str("姓名,手机\n"
                                    "张伟,13800138000\n"
                                    "\"李娜\"x,13900139000\n"
                                    "王芳,13700137000\n",
                                    MAX_FIELD, MAX_FIELDS);
    EXPECT(r, 1, "姓名", "手机");
    EXPECT(r, 2, "张伟", "13800138000");
    expect_error(r, ERR_MALFORMED, "line 3: text after closing quote");
    assert_int_equal(csv_line(r), 3);
    EXPECT(r, 4, "王芳", "13700137000");
    expect_eof(r);
    csv_close(r);

    /* Same with CRLF and an error in a later field. */
    r = open_str("a,\"b\" ,c\r\nd,e\r\n", MAX_FIELD, MAX_FIELDS);
    expect_error(r, ERR_MALFORMED, "line 1: text after closing quote in field 2");
    EXPECT(r, 2, "d", "e");
    expect_eof(r);
    csv_close(r);

    /* A closing quote followed by a lone CR is an error too. */
    r = open_str("\"a\"\rb\nc\n", MAX_FIELD, MAX_FIELDS);
    expect_error(r, ERR_MALFORMED, "line 1: text after closing quote");
    EXPECT(r, 2, "c");
    expect_eof(r);
    csv_close(r);
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    /* The open quote swallows the rest of the input; after the error reading
     * resumes at the line after the one where the record started. */
    struct csv_reader *r = open_str("a,b\n"
                                    "x,\"open,1\n"
                                    "c,d\n"
                                    "\n"
                                    "e,f\n",
                                    MAX_FIELD, MAX_FIELDS);
    EXPECT(r, 1, "a", "b");
    expect_error(r, ERR_MALFORMED, "line 2: unterminated quote in field 2");
    assert_int_equal(csv_line(r), 2);
    EXPECT(r, 3, "c", "d");
    EXPECT(r, 5, "e", "f");
    expect_eof(r);
    csv_close(r);

    /* A stray quote pairs with a later one: the error shows where it was
     * noticed and where the record started; reading resumes on line 3. */
    r = open_str("a,b\n"
                 "x,\"open,1\n"
                 "c,d\n"
                 "\n"
                 "e,\"f\ng\"\n",
                 MAX_FIELD, MAX_FIELDS);
    EXPECT(r, 1, "a", "b");
    expect_error(r, ERR_MALFORMED,
                 "line 5: text after closing quote in field 2 (record started on line 2)");
    assert_int_equal(csv_line(r), 2);
    EXPECT(r, 3, "c", "d");
    EXPECT(r, 5, "e", "f\ng");
    expect_eof(r);
    csv_close(r);

    /* Unterminated on the last line, no newline. */
    r = open_str("ok\n\"never closed", MAX_FIELD, MAX_FIELDS);
    EXPECT(r, 1, "ok");
    expect_error(r, ERR_MALFORMED, "line 2: unterminated quote");
    expect_eof(r);
    csv_close(r);

    /* Two broken lines in a row: each is reported, then the good line. */
    r = open_str("\"one\n\"two\ngood\n", MAX_FIELD, MAX_FIELDS);
    /* The quote opening line 2 closes the field opened on line 1. */
    expect_error(r, ERR_MALFORMED,
                 "line 2: text after closing quote in field 1 (record started on line 1)");
    /* Line 2 is re-read: its quote is never closed. */
    expect_error(r, ERR_MALFORMED, "line 2: unterminated quote in field 1");
    EXPECT(r, 3, "good");
    expect_eof(r);
    csv_close(r);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    struct csv_reader *r = open_str("姓名,手机\n"
                                    "ok,1\n"
                                    "bad,\xE5\xBC\n"
                                    "\"multi\nline\",\xC0\x80\n"
                                    "张伟,2\n",
                                    MAX_FIELD, MAX_FIELDS);
    EXPECT(r, 1, "姓名", "手机");
    EXPECT(r, 2, "ok", "1");
    expect_error(r, ERR_INVALID, "line 3: invalid UTF-8 in field 2");
    assert_int_equal(csv_line(r), 3);
    expect_error(r, ERR_INVALID, "line 5: invalid UTF-8 in field 2");
    assert_int_equal(csv_line(r), 4);
    EXPECT(r, 6, "张伟", "2");
    expect_eof(r);
    csv_close(r);
}

static void test_limits(void **state)
{
    (void)state;
    /* max_field 4: exactly 4 bytes pass, 5 fail; then the next line is read. */
    struct csv_reader *r = open_str("abcd,\"wxyz\"\nabcde,1\nok,2\n\"12\n345\",x\nlast\n", 4, 3);
    EXPECT(r, 1, "abcd", "wxyz");
    expect_error(r, ERR_TOO_LARGE, "line 2: field 1 longer than 4 bytes");
    EXPECT(r, 3, "ok", "2");
    expect_error(r, ERR_TOO_LARGE, "line 4: field 1 longer than 4 bytes");
    /* Resumes at line 5 after the record that started on line 4. */
    EXPECT(r, 5, "345\"", "x");
    EXPECT(r, 6, "last");
    expect_eof(r);
    csv_close(r);

    /* max_fields 3: exactly 3 pass, 4 fail, including a trailing empty one. */
    r = open_str("a,b,c\na,b,c,d\na,b,c,\nx,y\n", MAX_FIELD, 3);
    EXPECT(r, 1, "a", "b", "c");
    expect_error(r, ERR_TOO_LARGE, "line 2: more than 3 fields");
    expect_error(r, ERR_TOO_LARGE, "line 3: more than 3 fields");
    EXPECT(r, 4, "x", "y");
    expect_eof(r);
    csv_close(r);

    /* Bad limits. */
    struct err e = {0};
    assert_int_equal(csv_open_mem("a", 1, 0, 3, &r, &e), ERR_INVALID);
    err_clear(&e);
    assert_int_equal(csv_open_mem("a", 1, 10, 0, &r, &e), ERR_INVALID);
}

static void test_many_fields(void **state)
{
    (void)state;
    /* 256 fields grow the field arrays several times; pointers stay valid. */
    char line[256 * 4 + 2];
    size_t pos = 0;
    for (int i = 0; i < 256; i++)
        pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "%s%d", i ? "," : "", i);
    line[pos++] = '\n';
    line[pos] = '\0';
    struct csv_reader *r = open_str(line, MAX_FIELD, MAX_FIELDS);
    char **f;
    int nf;
    struct err e = {0};
    assert_int_equal(csv_next(r, &f, &nf, &e), 1);
    assert_int_equal(nf, 256);
    for (int i = 0; i < 256; i++)
        assert_int_equal(atoi(f[i]), i);
    expect_eof(r);
    csv_close(r);
}

static void test_err_cleared_between_calls(void **state)
{
    (void)state;
    struct csv_reader *r = open_str("\"a\"b\n\"c\"d\ne\n", MAX_FIELD, MAX_FIELDS);
    struct err e = {0};
    char **f;
    int nf;
    assert_int_equal(csv_next(r, &f, &nf, &e), ERR_MALFORMED);
    assert_non_null(strstr(e.message, "line 1:"));
    /* The same err struct, not cleared by the caller, gets the new message. */
    assert_int_equal(csv_next(r, &f, &nf, &e), ERR_MALFORMED);
    assert_non_null(strstr(e.message, "line 2:"));
    assert_int_equal(csv_next(r, &f, &nf, &e), 1);
    assert_int_equal(e.code, 0);
    assert_string_equal(f[0], "e");
    csv_close(r);
}

static char *write_temp(const char *data, size_t n)
{
    char *path = strdup("/tmp/test_csv_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    fclose(fp);
    return path;
}

static void test_file(void **state)
{
    (void)state;
    /* Big enough to cross the 64 KiB read buffer many times, with quoted
     * fields and CRLFs straddling buffer boundaries. */
    size_t cap = 1 << 20, n = 0;
    char *data = malloc(cap);
    n += (size_t)sprintf(data + n, "\xEF\xBB\xBF姓名,手机,部门\r\n");
    int rows = 5000;
    for (int i = 0; i < rows; i++)
        n += (size_t)sprintf(data + n, "张%d,\"138%08d\",\"研发\r\n\"\"%d\"\"部\"\r\n", i, i, i);
    char *path = write_temp(data, n);

    struct csv_reader *r = NULL;
    struct err e = {0};
    assert_int_equal(csv_open(path, MAX_FIELD, MAX_FIELDS, &r, &e), 0);
    EXPECT(r, 1, "姓名", "手机", "部门");
    char **f;
    int nf;
    for (int i = 0; i < rows; i++) {
        char name[32], phone[32], dept[64];
        snprintf(name, sizeof(name), "张%d", i);
        snprintf(phone, sizeof(phone), "138%08d", i);
        snprintf(dept, sizeof(dept), "研发\r\n\"%d\"部", i);
        assert_int_equal(csv_next(r, &f, &nf, &e), 1);
        assert_int_equal(nf, 3);
        assert_string_equal(f[0], name);
        assert_string_equal(f[1], phone);
        assert_string_equal(f[2], dept);
        assert_int_equal(csv_line(r), 2 + 2 * i);
    }
    expect_eof(r);
    csv_close(r);
    unlink(path);
    free(path);
    free(data);
}

static void test_file_errors(void **state)
{
    (void)state;
    struct csv_reader *r = NULL;
    struct err e = {0};
    assert_int_equal(csv_open("/nonexistent/dir/x.csv", MAX_FIELD, MAX_FIELDS, &r, &e),
                     ERR_NOT_FOUND);
    assert_non_null(strstr(e.message, "/nonexistent/dir/x.csv"));
    assert_null(r);

    /* A directory opens but cannot be read. */
    err_clear(&e);
    assert_int_equal(csv_open("/tmp", MAX_FIELD, MAX_FIELDS, &r, &e), 0);
    char **f;
    int nf;
    assert_int_equal(csv_next(r, &f, &nf, &e), ERR_INTERNAL);
    assert_non_null(strstr(e.message, "read error"));
    expect_eof(r);
    csv_close(r);
    csv_close(NULL);
}

static void test_stdin(void **state)
{
    (void)state;
    char *path = write_temp("\xEF\xBB\xBF部门\n研发部\n", 20);
    assert_non_null(freopen(path, "rb", stdin));
    struct csv_reader *r = NULL;
    struct err e = {0};
    assert_int_equal(csv_open("-", MAX_FIELD, MAX_FIELDS, &r, &e), 0);
    EXPECT(r, 1, "部门");
    EXPECT(r, 2, "研发部");
    expect_eof(r);
    csv_close(r);
    /* stdin stays open. */
    assert_int_equal(fileno(stdin), 0);
    unlink(path);
    free(path);
}

static void test_file_small_bom_only(void **state)
{
    (void)state;
    char *path = write_temp("\xEF\xBB\xBF" "a", 4);
    struct csv_reader *r = NULL;
    struct err e = {0};
    assert_int_equal(csv_open(path, MAX_FIELD, MAX_FIELDS, &r, &e), 0);
    EXPECT(r, 1, "a");
    expect_eof(r);
    csv_close(r);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chinese_headers),
        cmocka_unit_test(test_bom_and_crlf),
        cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_empty_fields),
        cmocka_unit_test(test_empty_lines_and_input),
        cmocka_unit_test(test_lenient_bytes),
        cmocka_unit_test(test_bad_quote_then_resync),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_many_fields),
        cmocka_unit_test(test_err_cleared_between_calls),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_file_small_bom_only),
        cmocka_unit_test(test_stdin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
