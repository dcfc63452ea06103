/* vendors.c - see vendors.h. */
#include "io/vendors.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "embedded.h"

struct builtin {
    const char *name;
    const char *json;
};

static const struct builtin builtins[] = {
    {"native", vendor_native_json},
    {"stars", vendor_stars_json},
    {"analysis", vendor_analysis_json},
    {"csv_zh", vendor_csv_zh_json},
};
#define N_BUILTINS ((int)(sizeof(builtins) / sizeof(builtins[0])))

int vendor_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 32)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

static const char *builtin_json(const char *name)
{
    for (int i = 0; i < N_BUILTINS; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return builtins[i].json;
    return NULL;
}

int vendor_mapping_open(const char *data_dir, const char *name, struct mapping **out, struct err *e)
{
    *out = NULL;
    if (!vendor_name_ok(name))
        return err_set(e, ERR_NOT_FOUND, "unknown_vendor", "vendor", "no vendor mapping called %.40s", name);
    json_t *file = NULL;
    json_error_t je;
    char path[4200] = "";
    if (data_dir) {
        snprintf(path, sizeof(path), "%.4000s/vendors/%s.json", data_dir, name);
        FILE *fp = fopen(path, "rb");
        if (fp) {
            file = json_loadf(fp, JSON_REJECT_DUPLICATES, &je);
            fclose(fp);
            if (!file)
                return err_set(e, ERR_INVALID, "invalid_mapping", "vendor", "%s line %d: %s", path, je.line, je.text);
        }
    }
    if (!file) {
        const char *text = builtin_json(name);
        if (!text)
            return err_set(e, ERR_NOT_FOUND, "unknown_vendor", "vendor", "no vendor mapping called %s", name);
        snprintf(path, sizeof(path), "built-in vendors/%s.json", name);
        file = json_loads(text, JSON_REJECT_DUPLICATES, &je);
        if (!file)
            return err_set(e, ERR_INTERNAL, NULL, NULL, "%s: %s", path, je.text);
    }
    int rc = mapping_load(file, name, out, e);
    json_decref(file);
    if (rc != 0) {
        struct err inner = *e;
        err_clear(e);
        return err_set(e, ERR_INVALID, "invalid_mapping", "vendor", "%s: %s: %.300s", path, inner.field, inner.message);
    }
    return 0;
}

static void list_add(json_t *list, const char *data_dir, const char *name, const char *source)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
            return;
    }
    struct mapping *m = NULL;
    struct err e = {0};
    json_t *item = json_pack("{s:s,s:s}", "name", name, "source", source);
    if (vendor_mapping_open(data_dir, name, &m, &e) == 0) {
        json_object_set_new(item, "label", json_string(mapping_label(m)));
        json_object_set_new(item, "format", json_string(mapping_is_csv(m) ? "csv" : "json"));
        mapping_free(m);
    } else {
        json_object_set_new(item, "error", json_string(e.message));
    }
    json_array_append_new(list, item);
}

json_t *vendor_list(const char *data_dir)
{
    json_t *list = json_array();
    if (data_dir) {
        char path[4200];
        snprintf(path, sizeof(path), "%.4000s/vendors", data_dir);
        DIR *d = opendir(path);
        struct dirent *de;
        while (d && (de = readdir(d)) != NULL) {
            size_t n = strlen(de->d_name);
            char name[64];
            if (n > 5 && n < sizeof(name) && strcmp(de->d_name + n - 5, ".json") == 0) {
                snprintf(name, sizeof(name), "%.*s", (int)(n - 5), de->d_name);
                if (vendor_name_ok(name))
                    list_add(list, data_dir, name, "data_dir");
            }
        }
        if (d)
            closedir(d);
    }
    for (int i = 0; i < N_BUILTINS; i++)
        list_add(list, data_dir, builtins[i].name, "built_in");
    return list;
}
