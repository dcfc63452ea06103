/* candidates.c - candidate archive: validation and normalisation of contact
 * data, encryption at rest with blind indexes for search and dedupe, and the
 * per-role views (redacted id_number, masked contact data). */
#include "svc/candidates.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mask.h"
#include "svc/query.h"
#include "svc/validate.h"
#include "svc/views.h"

#define CAND_SELECT                                                                                                    \
    "SELECT cd.id, cd.name, cd.email_enc, cd.phone_enc, cd.id_number_enc, cd.source, cd.external_id, "                 \
    "cd.consent_at, cd.created_at, cd.updated_at, cd.version FROM candidate cd WHERE 1=1"

/* ---- normalisation ---- */

/* Copies in without surrounding ASCII whitespace into out; -1 when it does not fit. */
static int trim_copy(const char *in, char *out, size_t n)
{
    while (*in && isspace((unsigned char)*in))
        in++;
    size_t len = strlen(in);
    while (len && isspace((unsigned char)in[len - 1]))
        len--;
    if (len + 1 > n)
        return -1;
    memcpy(out, in, len);
    out[len] = '\0';
    return 0;
}

int candidate_norm_email(const char *in, char *out, size_t n)
{
    if (trim_copy(in, out, n) != 0 || strlen(out) > 254)
        return -1;
    char *at = strchr(out, '@');
    if (!at || at == out || strchr(at + 1, '@') || at - out > 64)
        return -1;
    for (char *p = out; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= 0x20 || ch >= 0x7f || strchr("\"(),:;<>[\\]", ch))
            return -1;
        *p = (char)tolower(ch);
    }
    const char *dom = at + 1, *dot = strrchr(dom, '.');
    if (!dot || dom[0] == '.' || dom[0] == '-' || strstr(dom, "..") || strlen(dot + 1) < 2)
        return -1;
    for (const char *p = dom; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
            return -1;
    return 0;
}

int candidate_norm_phone(const char *in, char *out, size_t n)
{
    char buf[CANDIDATE_PII_MAX];
    if (trim_copy(in, buf, sizeof(buf)) != 0)
        return -1;
    size_t len = 0;
    for (const char *p = buf[0] == '+' ? buf + 1 : buf; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (len > 24)
                return -1;
            buf[len++] = *p; /* never overtakes p: it only skips */
        } else if (!strchr(" -()", *p)) {
            return -1;
        }
    }
    buf[len] = '\0';
    const char *digits = buf;
    if (len == 13 && strncmp(buf, "86", 2) == 0) {
        digits += 2;
        len -= 2;
    }
    if (len < 6 || len > 20 || len + 1 > n)
        return -1;
    memcpy(out, digits, len + 1);
    return 0;
}

int candidate_norm_id_number(const char *in, char *out, size_t n)
{
    if (trim_copy(in, out, n) != 0)
        return -1;
    size_t len = strlen(out);
    if (len < 6 || len > 32)
        return -1;
    for (char *p = out; *p; p++) {
        *p = (char)toupper((unsigned char)*p);
        if (!isdigit((unsigned char)*p) && !(*p >= 'A' && *p <= 'Z'))
            return -1;
    }
    return 0;
}

/* ---- the encrypted fields ---- */

enum { PII_EMAIL, PII_PHONE, PII_ID_NUMBER, PII_COUNT };

static const struct pii_field {
    const char *key, *context, *idx_col, *hint;
    size_t in_max;
    int (*norm)(const char *in, char *out, size_t n);
    int unique;
} pii_fields[PII_COUNT] = {
    {"email", "candidate.email", "email_idx", "an address such as name@example.com", 254, candidate_norm_email, 1},
    {"phone", "candidate.phone", "phone_idx", "6 to 20 digits (spaces, '-', '()' and a leading '+' allowed)", 40,
     candidate_norm_phone, 1},
    {"id_number", "candidate.id_number", "id_number_idx", "6 to 32 letters and digits", 64, candidate_norm_id_number,
     0},
};

/* Decrypts column col into o[key] (null when the column is NULL). */
static int put_decrypted(struct svc_ctx *c, struct db_stmt *s, int col, const struct pii_field *f, json_t *o)
{
    size_t n;
    const unsigned char *blob = db_col_blob(s, col, &n);
    if (db_col_isnull(s, col)) {
        json_object_set_new(o, f->key, json_null());
        return 0;
    }
    unsigned char *pt = NULL;
    size_t ptn = 0;
    struct err ignored = {0};
    if (field_decrypt(c->kr, f->context, blob, n, &pt, &ptn, &ignored) != 0)
        return err_set(c->e, ERR_INTERNAL, "decrypt_failed", f->key,
                       "candidate %lld: %s cannot be decrypted with the key file in use", (long long)db_col_int64(s, 0),
                       f->key);
    json_object_set_new(o, f->key, json_stringn((const char *)pt, ptn));
    free(pt);
    return 0;
}

/* The full representation with contact data in clear (never returned as is
 * to a non-sensitive actor, never audited). NULL with c->e set on failure. */
static json_t *cand_row_full(struct svc_ctx *c, struct db_stmt *s)
{
    json_t *o = json_pack("{s:I,s:s}", "id", (json_int_t)db_col_int64(s, 0), "name", db_col_text(s, 1));
    for (int i = 0; i < PII_COUNT; i++) {
        if (put_decrypted(c, s, 2 + i, &pii_fields[i], o) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    json_object_set_new(o, "source", json_string(db_col_text(s, 5)));
    json_object_set_new(o, "external_id", db_col_isnull(s, 6) ? json_null() : json_string(db_col_text(s, 6)));
    json_object_set_new(o, "consent_at", json_time_or_null(db_col_int64(s, 7), db_col_isnull(s, 7)));
    json_object_set_new(o, "created_at", json_time(db_col_int64(s, 8)));
    json_object_set_new(o, "updated_at", json_time(db_col_int64(s, 9)));
    json_object_set_new(o, "version", json_integer(db_col_int64(s, 10)));
    return o;
}

/* Applies the field-level rules for the actor in place; returns o. */
static json_t *cand_view(struct svc_ctx *c, json_t *o)
{
    if (!o || actor_sees_sensitive(c->actor))
        return o;
    json_object_del(o, "id_number");
    json_object_set_new(o, "redacted", json_pack("[s]", "id_number"));
    if (c->actor->role == ROLE_MANAGER)
        return o;
    json_t *masked = json_array();
    char buf[CANDIDATE_PII_MAX + 8];
    const char *email = json_string_value(json_object_get(o, "email"));
    const char *phone = json_string_value(json_object_get(o, "phone"));
    if (email) {
        mask_email(email, buf, sizeof(buf));
        json_object_set_new(o, "email", json_string(buf));
        json_array_append_new(masked, json_string("email"));
    }
    if (phone) {
        mask_phone(phone, buf, sizeof(buf));
        json_object_set_new(o, "phone", json_string(buf));
        json_array_append_new(masked, json_string("phone"));
    }
    json_object_set_new(o, "masked", masked);
    return o;
}

static json_t *cand_row_view(struct svc_ctx *c, struct db_stmt *s)
{
    return cand_view(c, cand_row_full(c, s));
}

/* A copy of full for audit rows and events: contact data replaced by
 * "[set]" or null, and by "[changed]" where prev held a different value. */
static json_t *cand_redact(json_t *full, json_t *prev)
{
    json_t *o = json_deep_copy(full);
    for (int i = 0; i < PII_COUNT; i++) {
        json_t *v = json_object_get(full, pii_fields[i].key);
        json_t *was = prev ? json_object_get(prev, pii_fields[i].key) : NULL;
        const char *mark = json_is_string(was) && !json_equal(was, v) ? "[changed]" : "[set]";
        json_object_set_new(o, pii_fields[i].key, json_is_string(v) ? json_string(mark) : json_null());
    }
    return o;
}

static int cand_load(struct svc_ctx *c, int64_t id, json_t **out)
{
    struct qb q;
    qb_init(&q, CAND_SELECT " AND cd.id = ?");
    qb_int(&q, id);
    qb_scope_candidate(&q, c->actor, "cd.id");
    return qb_one(c, &q, cand_row_full, "candidate", out);
}

int svc_candidate_view_tx(struct svc_ctx *c, int64_t id, json_t **out)
{
    int rc = cand_load(c, id, out);
    if (rc == 0)
        cand_view(c, *out);
    return rc;
}

int svc_candidate_get(struct svc_ctx *c, int64_t id, json_t **out)
{
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = svc_candidate_view_tx(c, id, out);
    return svc_end(c, rc);
}

/* ---- input ---- */

struct cand_in {
    const char *name, *source, *external_id;
    int has_source, has_external_id, consent, has_consent;
    int pii_present[PII_COUNT];             /* key given (a value or null) */
    char pii[PII_COUNT][CANDIDATE_PII_MAX]; /* normalised; "" for null */
};

/* Validates one contact field into ci (normalised). */
static int pii_input(json_t *in, int i, struct cand_in *ci, struct err *e)
{
    const struct pii_field *f = &pii_fields[i];
    const char *v;
    int rc = jv_string(in, f->key, 0, f->in_max, &v, &ci->pii_present[i], e);
    ci->pii[i][0] = '\0';
    if (rc != 0 || !v)
        return rc;
    if (f->norm(v, ci->pii[i], sizeof(ci->pii[i])) != 0)
        return err_set(e, ERR_INVALID, "invalid_format", f->key, "%s must be %s", f->key, f->hint);
    return 0;
}

static int read_input(json_t *in, int create, struct cand_in *ci, struct err *e)
{
    memset(ci, 0, sizeof(*ci));
    int rc;
    if ((rc = jv_string(in, "name", create || json_object_get(in, "name"), 100, &ci->name, NULL, e)) ||
        (rc = jv_string(in, "source", 0, 64, &ci->source, &ci->has_source, e)) ||
        (rc = jv_string(in, "external_id", 0, 128, &ci->external_id, &ci->has_external_id, e)) ||
        (rc = jv_bool(in, "consent", &ci->consent, &ci->has_consent, e)))
        return rc;
    for (int i = 0; i < PII_COUNT; i++)
        if ((rc = pii_input(in, i, ci, e)) != 0)
            return rc;
    return 0;
}

/* Id of a candidate other than self whose column col equals v (0 when none). */
static int find_other(struct svc_ctx *c, const char *col, const char *v, int64_t self, int64_t *found)
{
    char sql[96];
    snprintf(sql, sizeof(sql), "SELECT id FROM candidate WHERE %s = ? AND id <> ?", col);
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    db_bind_text(s, 1, v);
    db_bind_int64(s, 2, self);
    rc = db_step(s, c->e);
    *found = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* 409 "duplicate" when another candidate holds one of the unique values
 * (final contact values in pii[], external_id). */
static int check_duplicates(struct svc_ctx *c, char pii[][CANDIDATE_PII_MAX], const char *external_id, int64_t self)
{
    int64_t other = 0;
    int rc;
    for (int i = 0; i < PII_COUNT; i++) {
        if (!pii_fields[i].unique || !pii[i][0])
            continue;
        char idx[65];
        blind_index(c->kr, pii_fields[i].context, pii[i], idx);
        if ((rc = find_other(c, pii_fields[i].idx_col, idx, self, &other)) != 0)
            return rc;
        if (other) {
            rc = err_set(c->e, ERR_CONFLICT, "duplicate", pii_fields[i].key, "candidate %lld already has this %s",
                         (long long)other, pii_fields[i].key);
            c->e->existing_id = other;
            return rc;
        }
    }
    if (external_id && (rc = find_other(c, "external_id", external_id, self, &other)) != 0)
        return rc;
    if (external_id && other) {
        rc = err_set(c->e, ERR_CONFLICT, "duplicate", "external_id", "candidate %lld already has this external_id",
                     (long long)other);
        c->e->existing_id = other;
        return rc;
    }
    return 0;
}

/* After a unique violation (a concurrent writer won): rolls back and names
 * the duplicate from a fresh snapshot. */
static int conflict_after_rollback(struct svc_ctx *c, char pii[][CANDIDATE_PII_MAX], const char *external_id,
                                   int64_t self)
{
    svc_end(c, 0);
    err_clear(c->e);
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = check_duplicates(c, pii, external_id, self);
    svc_end(c, 0);
    if (rc == 0)
        rc = err_set(c->e, ERR_CONFLICT, "duplicate", NULL, "the candidate conflicts with another one");
    return rc;
}

/* Binds the three contact fields as (enc, idx) pairs from parameter first on. */
static int bind_pii(struct svc_ctx *c, struct db_stmt *s, int first, char pii[][CANDIDATE_PII_MAX])
{
    for (int i = 0; i < PII_COUNT; i++) {
        int p = first + 2 * i;
        if (!pii[i][0]) {
            db_bind_null(s, p);
            db_bind_null(s, p + 1);
            continue;
        }
        unsigned char *ct = NULL;
        size_t n = 0;
        int rc = field_encrypt(c->kr, pii_fields[i].context, pii[i], strlen(pii[i]), &ct, &n);
        if (rc != 0)
            return err_set(c->e, rc, "encrypt_failed", pii_fields[i].key, "cannot encrypt %s", pii_fields[i].key);
        db_bind_blob(s, p, ct, n);
        free(ct);
        char idx[65];
        blind_index(c->kr, pii_fields[i].context, pii[i], idx);
        db_bind_text(s, p + 1, idx);
    }
    return 0;
}

/* Loads the written candidate, appends the redacted audit row and event,
 * commits, and hands the actor's view to *out. before is the full
 * representation before an update (NULL on create). */
static int finish_write(struct svc_ctx *c, const char *action, const char *event, int64_t id, json_t *before,
                        json_t **out)
{
    json_t *after = NULL;
    int rc = cand_load(c, id, &after);
    if (rc != 0)
        return rc;
    json_t *audit_before = before ? cand_redact(before, NULL) : NULL;
    json_t *audit_after = cand_redact(after, before);
    json_t *payload = cand_redact(after, NULL);
    if (!(rc = svc_audit(c, action, "candidate", id, audit_before, audit_after)) &&
        !(rc = svc_event(c, event, "candidate", id, payload)) && !(rc = svc_commit(c))) {
        *out = cand_view(c, after);
        after = NULL;
    }
    json_decref(audit_before);
    json_decref(audit_after);
    json_decref(payload);
    json_decref(after);
    return rc;
}

/* The insert of a validated candidate, in the open transaction. */
static int cand_insert(struct svc_ctx *c, struct cand_in *ci, int64_t *id)
{
    int rc = check_duplicates(c, ci->pii, ci->external_id, 0);
    if (rc != 0)
        return rc;
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "INSERT INTO candidate (name, source, external_id, consent_at, email_enc, email_idx, "
                          "phone_enc, phone_idx, id_number_enc, id_number_idx, created_at, updated_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          &s)) != 0)
        return rc;
    db_bind_text(s, 1, ci->name);
    db_bind_text(s, 2, ci->source ? ci->source : "");
    db_bind_text(s, 3, ci->external_id);
    if (ci->consent)
        db_bind_int64(s, 4, c->now);
    else
        db_bind_null(s, 4);
    if ((rc = bind_pii(c, s, 5, ci->pii)) != 0) {
        db_reset(s);
        return rc;
    }
    db_bind_int64(s, 11, c->now);
    db_bind_int64(s, 12, c->now);
    rc = db_step(s, c->e);
    *id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

static int cand_read_new(struct svc_ctx *c, json_t *in, struct cand_in *ci)
{
    static const char *const fields[] = {"name",   "email",       "phone",   "id_number",
                                         "source", "external_id", "consent", NULL};
    int rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = read_input(in, 1, ci, c->e)))
        return rc;
    if (!ci->pii[PII_EMAIL][0] && !ci->pii[PII_PHONE][0])
        return err_set(c->e, ERR_INVALID, "required", "email", "email or phone is required");
    return 0;
}

int svc_candidate_insert_tx(struct svc_ctx *c, json_t *in, int64_t *id)
{
    struct cand_in ci;
    int rc = cand_read_new(c, in, &ci);
    if (rc == 0 && (rc = cand_insert(c, &ci, id)) == 0) {
        json_t *after = NULL;
        if ((rc = cand_load(c, *id, &after)) == 0) {
            json_t *redacted = cand_redact(after, NULL);
            rc = svc_audit(c, "candidate.create", "candidate", *id, NULL, redacted);
            if (rc == 0)
                rc = svc_event(c, "candidate.created", "candidate", *id, redacted);
            json_decref(redacted);
        }
        json_decref(after);
    }
    return rc;
}

int svc_candidate_create(struct svc_ctx *c, json_t *in, json_t **out)
{
    struct cand_in ci;
    int rc = cand_read_new(c, in, &ci);
    if (rc != 0)
        return rc;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    int64_t id = 0;
    rc = cand_insert(c, &ci, &id);
    if (rc == ERR_CONFLICT && !c->e->existing_id)
        return conflict_after_rollback(c, ci.pii, ci.external_id, 0);
    if (rc == 0)
        rc = finish_write(c, "candidate.create", "candidate.created", id, NULL, out);
    return svc_end(c, rc);
}

int svc_candidate_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"email", "phone", "name", "source", "position", "limit", "cursor", NULL};
    int rc = jq_known(query, params, c->e);
    if (rc != 0)
        return rc;
    struct qb q;
    qb_init(&q, CAND_SELECT);
    for (int i = PII_EMAIL; i <= PII_PHONE; i++) {
        const char *v = q_str(query, pii_fields[i].key);
        if (!v)
            continue;
        char norm[CANDIDATE_PII_MAX], idx[65], sql[64];
        if (strlen(v) > pii_fields[i].in_max || pii_fields[i].norm(v, norm, sizeof(norm)) != 0)
            return err_set(c->e, ERR_INVALID, "invalid_format", pii_fields[i].key, "%s must be %s", pii_fields[i].key,
                           pii_fields[i].hint);
        blind_index(c->kr, pii_fields[i].context, norm, idx);
        snprintf(sql, sizeof(sql), " AND cd.%s = ?", pii_fields[i].idx_col);
        qb_sql(&q, sql);
        qb_text_copy(&q, idx);
    }
    const char *name = q_str(query, "name"), *source = q_str(query, "source"), *pos = q_str(query, "position");
    if (name) {
        if (strlen(name) == 0 || strlen(name) > 200)
            return err_set(c->e, ERR_INVALID, NULL, "name", "name must be 1 to 200 bytes");
        char like[2 * 200 + 3], *p = like;
        *p++ = '%';
        for (const char *n = name; *n; n++) {
            if (*n == '%' || *n == '_' || *n == '\\')
                *p++ = '\\';
            *p++ = *n;
        }
        *p++ = '%';
        *p = '\0';
        qb_sql(&q, " AND LOWER(cd.name) LIKE LOWER(CAST(? AS TEXT)) ESCAPE '\\'");
        qb_text_copy(&q, like);
    }
    if (source) {
        qb_sql(&q, " AND cd.source = ?");
        qb_text(&q, source);
    }
    if (pos) {
        qb_sql(&q, " AND cd.id IN (SELECT ap.candidate_id FROM application ap JOIN position sp "
                   "ON sp.id = ap.position_id WHERE sp.code = ?)");
        qb_text(&q, pos);
    }
    qb_scope_candidate(&q, c->actor, "cd.id");
    return qb_page(c, &q, query, "cd.id", cand_row_view, out);
}

int svc_candidate_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    static const char *const fields[] = {"name",        "email",   "phone",   "id_number", "source",
                                         "external_id", "consent", "version", NULL};
    struct cand_in ci;
    int64_t version = 0;
    int has_version, rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = read_input(in, 0, &ci, c->e)) ||
        (rc = jv_int(in, "version", 0, 1, INT64_MAX, &version, &has_version, c->e)))
        return rc;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    json_t *before = NULL;
    if ((rc = cand_load(c, id, &before)) != 0)
        goto done;
    int64_t current = json_integer_value(json_object_get(before, "version"));
    if ((rc = svc_check_version(c, "candidate", before, has_version, version)) != 0)
        goto done;
    char final[PII_COUNT][CANDIDATE_PII_MAX];
    for (int i = 0; i < PII_COUNT; i++) {
        const char *old = json_string_value(json_object_get(before, pii_fields[i].key));
        snprintf(final[i], sizeof(final[i]), "%s", ci.pii_present[i] ? ci.pii[i] : old ? old : "");
    }
    if (!final[PII_EMAIL][0] && !final[PII_PHONE][0]) {
        rc = err_set(c->e, ERR_INVALID, "required", ci.pii_present[PII_EMAIL] ? "email" : "phone",
                     "a candidate needs an email or a phone");
        goto done;
    }
    const char *name = ci.name ? ci.name : json_string_value(json_object_get(before, "name"));
    const char *source =
        ci.has_source ? (ci.source ? ci.source : "") : json_string_value(json_object_get(before, "source"));
    const char *external_id =
        ci.has_external_id ? ci.external_id : json_string_value(json_object_get(before, "external_id"));
    if ((rc = check_duplicates(c, final, external_id, id)) != 0)
        goto done;
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "UPDATE candidate SET name = ?, source = ?, external_id = ?, consent_at = CASE WHEN ? = 1 "
                          "THEN COALESCE(consent_at, ?) WHEN ? = 2 THEN NULL ELSE consent_at END, email_enc = ?, "
                          "email_idx = ?, phone_enc = ?, phone_idx = ?, id_number_enc = ?, id_number_idx = ?, "
                          "updated_at = ?, version = version + 1 WHERE id = ? AND version = ? RETURNING id",
                          &s)) != 0)
        goto done;
    int consent_mode = !ci.has_consent ? 0 : ci.consent ? 1 : 2;
    db_bind_text(s, 1, name);
    db_bind_text(s, 2, source);
    db_bind_text(s, 3, external_id);
    db_bind_int64(s, 4, consent_mode);
    db_bind_int64(s, 5, c->now);
    db_bind_int64(s, 6, consent_mode);
    if ((rc = bind_pii(c, s, 7, final)) != 0) {
        db_reset(s);
        goto done;
    }
    db_bind_int64(s, 13, c->now);
    db_bind_int64(s, 14, id);
    db_bind_int64(s, 15, current);
    rc = svc_step_versioned(c, s, "candidate", id);
    if (rc == ERR_CONFLICT)
        rc = conflict_after_rollback(c, final, external_id, id);
    else if (rc >= 0)
        rc = finish_write(c, "candidate.update", "candidate.updated", id, before, out);
done:
    json_decref(before);
    return svc_end(c, rc);
}
