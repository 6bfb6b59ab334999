/* genopts.h: generation options (num_gpu, temperature, ...) and the file-tree sort
 * keys, read from text the same way by the config file, the command line and the
 * option editor.
 *
 * Generation options (file, --num-gpu ..., option editor) and their ranges:
 *   num_gpu         -1 .. 65535    layers offloaded to the GPU; -1 lets Ollama decide,
 *                                  0 is CPU only, more than the model has means all
 *   num_ctx          1 .. 16777216 context window in tokens
 *   temperature      0 .. 5        (OpenAI-compatible servers accept at most 2)
 *   top_p            0 .. 1
 *   top_k            0 .. 1000000  0 disables top-k sampling
 *   repeat_penalty  >0 .. 5        1 disables it
 *   seed            -(2^53-1) .. 2^53-1 (exact as a JSON number)
 * Whole numbers take no fraction; real numbers are plain decimals ("0.8", "1e-2"), read
 * the same in every locale. The value "default" unsets an option. */
#ifndef SRC_GENOPTS_H
#define SRC_GENOPTS_H

#include <stddef.h>

#include "attrs.h"
#include "err.h"

/* Generation options; each has a "set" flag: unset means "Ollama default". */
struct gen_options {
    int has_num_gpu, has_num_ctx, has_temperature, has_top_p, has_top_k,
        has_repeat_penalty, has_seed;
    int num_gpu;
    int num_ctx;
    double temperature;
    double top_p;
    int top_k;
    double repeat_penalty;
    long seed;
};

enum sort_key { SORT_NAME, SORT_MTIME, SORT_SIZE };

/* Set one option from text ("num_gpu", "80"; "num-gpu" works too; "default" unsets it):
 * used by the config file, the command line and the option editor alike. 0, or -1 with
 * `err` set and `o` unchanged ("num_ctx: expected a whole number from 1 to 16777216, got
 * 'abc'"). */
int gen_options_set(struct gen_options *o, const char *key, const char *value,
                    struct err *err) ATTR_WUR;
/* "num_gpu=80, num_ctx=512, temp=1, top_p=default, top_k=default,
 * repeat_penalty=default", or "Ollama defaults" when nothing is set (the original
 * agent's Configuration line; the seed is appended as ", seed=N" only when set). */
void gen_options_describe(const struct gen_options *o, char *out, size_t cap);

/* Parse "name", "mtime" or "size". -1 when unknown. */
int sort_key_parse(const char *s);
const char *sort_key_name(enum sort_key k);

/* 1 when `key` names a generation option ('-' may stand for '_'), else 0. */
int genopts_is_option(const char *key);
/* Strict whole number: optional sign, decimal digits, nothing else (no spaces); 0 and
 * *out set, or -1 on anything else or overflow. */
int genopts_parse_int(const char *s, long long *out) ATTR_WUR;
/* Copy s without surrounding white space into out; 0, or -1 when it does not fit. */
int genopts_trim_copy(const char *s, char *out, size_t cap) ATTR_WUR;

#endif
