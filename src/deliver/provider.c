/* provider.c - the registry of destination types and what all types share:
 * schema rendering, required-field checks and credential masking. */
#include "deliver/provider.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const provider *const registry[] = {
    &provider_webhook,
    NULL,
};

const provider *provider_find(const char *type)
{
    for (size_t i = 0; type && registry[i]; i++)
        if (!strcmp(registry[i]->type, type)) return registry[i];
    return NULL;
}

const provider *const *provider_all(void)
{
    return registry;
}

static json_t *fields_json(const provider_field *f, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(f[i].key));
        json_object_set_new(o, "type", json_string(f[i].type));
        json_object_set_new(o, "label", json_string(f[i].label));
        json_object_set_new(o, "description", json_string(f[i].description));
        json_object_set_new(o, "required", json_boolean(f[i].required));
        if (f[i].sensitive) json_object_set_new(o, "sensitive", json_true());
        if (f[i].default_value) json_object_set_new(o, "default", json_string(f[i].default_value));
        if (f[i].pattern) json_object_set_new(o, "pattern", json_string(f[i].pattern));
        if (f[i].minlength) json_object_set_new(o, "minlength", json_integer(f[i].minlength));
        if (f[i].maxlength) json_object_set_new(o, "maxlength", json_integer(f[i].maxlength));
        json_array_append_new(arr, o);
    }
    return arr;
}

json_t *provider_schema_json(const provider *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(p->type));
    json_object_set_new(o, "label", json_string(p->label));
    json_object_set_new(o, "description", json_string(p->description));
    json_object_set_new(o, "icon", json_string(p->icon));
    json_object_set_new(o, "instructions", json_string(p->instructions));
    json_object_set_new(o, "config_fields", fields_json(p->config_fields, p->nconfig_fields));
    json_object_set_new(o, "credential_fields", fields_json(p->credential_fields, p->ncredential_fields));
    return o;
}

json_t *provider_display_credentials(const provider *p, const hp_destination *d, int64_t now_ms)
{
    if (p->display_credentials) return p->display_credentials(d, now_ms);
    json_t *out = json_deep_copy(d->credentials);
    for (size_t i = 0; out && i < p->ncredential_fields; i++) {
        const provider_field *f = &p->credential_fields[i];
        const char *v = json_string_value(json_object_get(out, f->key));
        if (!f->sensitive || !v) continue;
        char *masked = model_mask(v);
        if (masked) json_object_set_new(out, f->key, json_string(masked));
        free(masked);
    }
    return out;
}

void provider_error(json_t *errs, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hp_utf8_scrub(msg); /* the cut at 511 bytes may split a character of a quoted name */
    json_array_append_new(errs, json_string(msg));
}

static void check_required(const char *section, const provider_field *f, size_t n, const json_t *values,
                           json_t *errs)
{
    for (size_t i = 0; i < n; i++) {
        const char *v = json_string_value(json_object_get(values, f[i].key));
        if (f[i].required && (!v || !*v)) provider_error(errs, "%s.%s is required", section, f[i].key);
    }
}

void provider_check_required(const provider *p, const hp_destination *d, json_t *errs)
{
    check_required("config", p->config_fields, p->nconfig_fields, d->config, errs);
    check_required("credentials", p->credential_fields, p->ncredential_fields, d->credentials, errs);
}
