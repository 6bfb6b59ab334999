/* fmt.h: numbers, sizes and times as text (for reports and the screen alike). */
#ifndef SRC_FMT_H
#define SRC_FMT_H

#include <stddef.h>
#include <stdint.h>

/* "0 B", "512 B", "3.3 KB", "12 MB", "1.5 GB" (powers of 1024, one decimal under 10). */
void fmt_size(char *out, size_t cap, int64_t bytes);
/* Compact form for narrow columns: "512", "3K", "12M", "1.5G". */
void fmt_size_short(char *out, size_t cap, int64_t bytes);
/* UTC "YYYY-mm-dd HH:MM:SS"; "-" when t < 0 is unknown. */
void fmt_utc(char *out, size_t cap, int64_t t);
/* Local "YYYY-mm-dd HH:MM". */
void fmt_local(char *out, size_t cap, int64_t t);
/* A double with up to `prec` decimals, trailing zeros dropped ("41.2", "3", "0.001"),
 * scientific notation outside [1e-4, 1e15); "nan"/"inf" spelled out. */
void fmt_num(char *out, size_t cap, double v, int prec);
/* Integer with thin grouping for readability: "1 234 567". */
void fmt_count(char *out, size_t cap, uint64_t v);
/* A duration in seconds: "812 ms", "19.7 s", "3 m 05 s", "1 h 02 m". */
void fmt_duration(char *out, size_t cap, double seconds);

#endif
