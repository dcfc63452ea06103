/* Tests for src/io/export.c: CSV (BOM, RFC 4180 quoting, CRLF, Chinese, line
 * breaks inside fields, the formula-injection guard), JSONL, an XLSX round
 * trip through unzip, the size and SHA-256 of every file. */
/* cmocka.h needs these headers first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/export.h"
#include "lib/crypto.h"
#include "lib/csv.h"
#include "lib/err.h"
#include "lib/mem.h"

static char dir[] = "/tmp/talentd-test-export-XXXXXX";

static int setup(void **state)
{
    (void)state;
    crypto_setup();
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *path_of(const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

/* The whole file at path (NUL-terminated; *n its size). */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = xmalloc((size_t)len + 1);
    assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
    p[len] = '\0';
    fclose(f);
    *n = (size_t)len;
    return p;
}

static struct export_cell text(const char *s)
{
    struct export_cell c = {.type = EXPORT_TEXT, .s = s, .n = strlen(s)};
    return c;
}
static struct export_cell num(int64_t v)
{
    struct export_cell c = {.type = EXPORT_INT, .i = v};
    return c;
}
static struct export_cell real(double d)
{
    struct export_cell c = {.type = EXPORT_REAL, .d = d};
    return c;
}
static struct export_cell null(void)
{
    struct export_cell c = {.type = EXPORT_NULL};
    return c;
}

static const struct export_column cols[] = {{"candidate.name", "姓名"},
                                            {"ai.overall", "AI总分"},
                                            {"application.elimination_note", "淘汰说明"},
                                            {"ai.match_score", "匹配度"}};

/* Writes the rows to a new file of format f; checks the reported size and SHA-256 against the file. */
static char *write_file(enum export_format f, const char *name, struct export_cell rows[][4], int nrows, size_t *n)
{
    char *path = path_of(name);
    struct export_writer *w = NULL;
    struct err e = {0};
    assert_int_equal(export_open(f, path, &w, &e), 0);
    assert_int_equal(export_begin(w, cols, 4, &e), 0);
    for (int i = 0; i < nrows; i++)
        assert_int_equal(export_row(w, rows[i], &e), 0);
    assert_int_equal(export_rows(w), (uint64_t)nrows);
    uint64_t bytes = 0;
    char sha[65];
    if (export_finish(w, &bytes, sha, &e) != 0)
        fail_msg("export_finish: %s", e.message);
    export_free(w);
    char *data = slurp(path, n);
    assert_int_equal(bytes, *n);
    char want[65];
    crypto_sha256_hex(data, *n, want);
    assert_string_equal(sha, want);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    free(path);
    return data;
}

static void test_csv_quoting_bom_crlf(void **state)
{
    (void)state;
    struct export_cell rows[][4] = {
        {text("张三"), num(58), text("逻辑思维不足，表达尚可"), real(61.5)},
        {text("Li, \"Lee\" Si"), num(0), text("line one\nline two\r\nline three"), null()},
        {text("=HYPERLINK(\"http://evil\")"), num(-3), text("+86 138"), real(70)},
        {text("-1"), null(), text("@SUM(A1)"), text("plain")},
        {text(""), num(100), text("\ttabbed"), real(72.35)},
    };
    size_t n;
    char *data = write_file(EXPORT_CSV, "a.csv", rows, 5, &n);
    const char want[] = "\xEF\xBB\xBF"
                        "姓名,AI总分,淘汰说明,匹配度\r\n"
                        "张三,58,逻辑思维不足，表达尚可,61.5\r\n"
                        "\"Li, \"\"Lee\"\" Si\",0,\"line one\nline two\r\nline three\",\r\n"
                        "\"'=HYPERLINK(\"\"http://evil\"\")\",-3,'+86 138,70\r\n"
                        "'-1,,'@SUM(A1),plain\r\n"
                        ",100,'\ttabbed,72.35\r\n";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(data, want, n);
    free(data);
}

/* The CSV reads back (lib/csv.c, the import reader) into the same fields. */
static void test_csv_round_trip(void **state)
{
    (void)state;
    struct export_cell rows[][4] = {
        {text("王五 \"小王\""), num(77), text("多行\n说明,带逗号"), real(80.25)},
    };
    size_t n;
    free(write_file(EXPORT_CSV, "b.csv", rows, 1, &n));
    char *path = path_of("b.csv");
    struct csv_reader *r = NULL;
    struct err e = {0};
    assert_int_equal(csv_open(path, 65536, 16, &r, &e), 0);
    char **f;
    int nf;
    assert_int_equal(csv_next(r, &f, &nf, &e), 1);
    assert_int_equal(nf, 4);
    assert_string_equal(f[0], "姓名"); /* the BOM is not part of the first label */
    assert_int_equal(csv_next(r, &f, &nf, &e), 1);
    assert_string_equal(f[0], "王五 \"小王\"");
    assert_string_equal(f[1], "77");
    assert_string_equal(f[2], "多行\n说明,带逗号");
    assert_string_equal(f[3], "80.25");
    assert_int_equal(csv_next(r, &f, &nf, &e), 0);
    csv_close(r);
    free(path);
}

/* A cell larger than the output buffer is written whole. */
static void test_csv_huge_cell(void **state)
{
    (void)state;
    size_t big = (size_t)600 * 1024;
    char *s = xmalloc(big + 1);
    for (size_t i = 0; i < big; i++)
        s[i] = (i % 100 == 99) ? '"' : 'x';
    s[big] = '\0';
    struct export_cell rows[][4] = {{text(s), num(1), null(), null()}};
    size_t n;
    char *data = write_file(EXPORT_CSV, "huge.csv", rows, 1, &n);
    size_t quotes = big / 100;
    size_t header = strlen("\xEF\xBB\xBF姓名,AI总分,淘汰说明,匹配度\r\n");
    assert_int_equal(n, header + 1 + big + quotes + 1 + strlen(",1,,\r\n"));
    free(data);
    free(s);
}

static void test_jsonl(void **state)
{
    (void)state;
    struct export_cell rows[][4] = {
        {text("张三"), num(58), text("say \"hi\"\n\tand \\ bye\x01"), real(61.5)},
        {text("=1+1"), null(), text(""), real(70)},
    };
    size_t n;
    char *data = write_file(EXPORT_JSONL, "a.jsonl", rows, 2, &n);
    const char want[] = "{\"candidate.name\":\"张三\",\"ai.overall\":58,\"application.elimination_note\":"
                        "\"say \\\"hi\\\"\\n\\tand \\\\ bye\\u0001\",\"ai.match_score\":61.5}\n"
                        "{\"candidate.name\":\"=1+1\",\"ai.overall\":null,\"application.elimination_note\":\"\","
                        "\"ai.match_score\":70}\n";
    assert_string_equal(data, want);
    /* each line is JSON */
    char *line = data;
    for (int i = 0; i < 2; i++) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)(nl - line), 0, &je);
        assert_non_null(o);
        assert_int_equal(json_object_size(o), 4);
        if (i == 0)
            assert_string_equal(json_string_value(json_object_get(o, "application.elimination_note")),
                                "say \"hi\"\n\tand \\ bye\x01");
        json_decref(o);
        line = nl + 1;
    }
    free(data);
}

/* Runs cmd and returns its whole standard output. */
static char *capture(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 4096, n = 0;
    char *out = xmalloc(cap);
    size_t k;
    while ((k = fread(out + n, 1, cap - n - 1, p)) > 0) {
        n += k;
        if (cap - n < 2)
            out = xrealloc(out, cap *= 2);
    }
    out[n] = '\0';
    pclose(p);
    return out;
}

static void test_xlsx_round_trip(void **state)
{
    (void)state;
    char *longtext = xmalloc(40000 + 1);
    size_t n3 = 40000 / 3;
    for (size_t i = 0; i < n3; i++)
        memcpy(longtext + 3 * i, "长", 3);
    longtext[3 * n3] = '\0';
    struct export_cell rows[][4] = {
        {text("张三"), num(58), text("=cmd|' /C calc'!A0"), real(61.5)},
        {text("李四 <b>&"), null(), text(longtext), null()},
    };
    size_t n;
    char *data = write_file(EXPORT_XLSX, "a.xlsx", rows, 2, &n);
    assert_memory_equal(data, "PK", 2); /* a zip */
    free(data);
    free(longtext);
    char *cmd = xasprintf("unzip -p '%s/a.xlsx' xl/worksheets/sheet1.xml", dir);
    char *xml = capture(cmd);
    free(cmd);
    /* header row: inline strings with the bold format (s="1"); data: inline strings and numbers */
    assert_non_null(strstr(xml, "<c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t>姓名</t></is></c>"));
    assert_non_null(strstr(xml, "<c r=\"A2\" t=\"inlineStr\"><is><t>张三</t></is></c>"));
    assert_non_null(strstr(xml, "<c r=\"B2\"><v>58</v></c>"));
    assert_non_null(strstr(xml, "<c r=\"D2\"><v>61.5</v></c>"));
    /* text is text, never a formula (no <f>), and no guard prefix is needed */
    assert_null(strstr(xml, "<f>"));
    assert_non_null(strstr(xml, "<t>=cmd|' /C calc'!A0</t>"));
    assert_non_null(strstr(xml, "<t>李四 &lt;b&gt;&amp;</t>"));
    /* the overlong cell was cut at a character boundary and marked */
    char *cut = strstr(xml, "<c r=\"C3\"");
    assert_non_null(cut);
    assert_non_null(strstr(cut, "长...</t>"));
    free(xml);
    cmd = xasprintf("unzip -p '%s/a.xlsx' xl/styles.xml", dir);
    char *styles = capture(cmd);
    free(cmd);
    assert_non_null(strstr(styles, "<b/>"));
    free(styles);
}

static void test_open_refuses_existing_and_formats(void **state)
{
    (void)state;
    char *path = path_of("exists.csv");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    struct export_writer *w = NULL;
    struct err e = {0};
    assert_int_equal(export_open(EXPORT_CSV, path, &w, &e), ERR_CONFLICT);
    assert_null(w);
    free(path);
    assert_int_equal(export_format_parse("csv"), EXPORT_CSV);
    assert_int_equal(export_format_parse("xlsx"), EXPORT_XLSX);
    assert_int_equal(export_format_parse("jsonl"), EXPORT_JSONL);
    assert_int_equal(export_format_parse("CSV"), EXPORT_FORMAT_NONE);
    assert_int_equal(export_format_parse(NULL), EXPORT_FORMAT_NONE);
    assert_string_equal(export_format_mime(EXPORT_CSV), "text/csv; charset=utf-8");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_quoting_bom_crlf), cmocka_unit_test(test_csv_round_trip),
        cmocka_unit_test(test_csv_huge_cell),        cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_xlsx_round_trip),      cmocka_unit_test(test_open_refuses_existing_and_formats),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
