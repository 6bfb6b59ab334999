/* attrs.h: compiler attributes that let the compiler check our intent. */
#ifndef SRC_ATTRS_H
#define SRC_ATTRS_H

#define ATTR_FORMAT(fmt, args) __attribute__((format(printf, fmt, args)))
#define ATTR_NORETURN __attribute__((noreturn))
#define ATTR_WUR __attribute__((warn_unused_result))
#define ATTR_MALLOC __attribute__((malloc))
#define ATTR_UNUSED __attribute__((unused))

#endif
