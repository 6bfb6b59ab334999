# chimera: a terminal explorer for LLM benchmark artifacts.
# Plain Makefile, dependencies through pkg-config (libcsv has no .pc: -lcsv).
# `make help` lists the targets.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DATADIR    ?= $(PREFIX)/share/chimera
BUILD      ?= build
CC         ?= cc
PKG_CONFIG ?= pkg-config
PYTHON     ?= python3

# Libraries of the core (src/) and of the front-end (ui/).
CORE_PKGS := libcjson libcurl md4c libutf8proc inih
UI_PKGS   := ncursesw

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes \
        -Wmissing-prototypes -Wwrite-strings -Wcast-qual -Wpointer-arith \
        -Wundef -Wvla -Wimplicit-fallthrough -Wnull-dereference
OPT      ?= -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong
WERROR   ?=
SAN      ?=
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(WERROR) $(OPT) $(SAN) -MMD -MP \
               -DCHIMERA_VERSION='"$(VERSION)"'

CORE_CFLAGS := $(BASE_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(CORE_PKGS) 2>/dev/null)
CORE_LIBS   := $(shell $(PKG_CONFIG) --libs $(CORE_PKGS) 2>/dev/null) -lcsv -lm
UI_CFLAGS   := $(CORE_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(UI_PKGS) 2>/dev/null) \
               -DCHIMERA_DATADIR='"$(DATADIR)"' -Isrc
UI_LIBS     := $(shell $(PKG_CONFIG) --libs $(UI_PKGS) 2>/dev/null)
LDFLAGS     += $(SAN)

CORE_SRC  := $(sort $(wildcard src/*.c))
UI_SRC    := $(sort $(wildcard ui/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRC := $(sort $(wildcard tests/bench/bench_*.c))

CORE_OBJ  := $(CORE_SRC:%.c=$(BUILD)/%.o)
UI_OBJ    := $(UI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/tests/%)
LIBCORE   := $(BUILD)/libcore.a
BIN       := $(BUILD)/chimera

# Debian packages: to build, to test, and to render screenshots.
DEB_BUILD := make gcc pkg-config libncurses-dev libcjson-dev libcsv-dev \
             libcurl4-openssl-dev libmd4c-dev libutf8proc-dev libinih-dev
DEB_TEST  := libcmocka-dev tmux python3 valgrind
DEB_SHOTS := xvfb xterm x11-apps imagemagick fonts-dejavu-core tmux

.PHONY: all help test unit e2e asan valgrind bench deps deps-shots install uninstall \
        clean lint format screenshots demo sample fuzz

all: $(BIN)

help:
	@echo "make            build $(BIN)"
	@echo "make demo       install what is missing, build, open the TUI on a sample tree"
	@echo "                (with a local Ollama stand-in when no Ollama server answers)"
	@echo "make test       unit tests (cmocka) and end-to-end tests (tmux)"
	@echo "make asan       the whole suite under AddressSanitizer + UBSan"
	@echo "make valgrind   unit tests and headless commands under valgrind"
	@echo "make bench      benchmarks with ratios against baselines measured in the same run"
	@echo "make deps       install the Debian packages that are missing"
	@echo "make install    install to PREFIX ($(PREFIX))"
	@echo "make lint       curses-free core check, cppcheck"
	@echo "make screenshots  render PNGs of the real program in xterm under Xvfb"

# --- build -----------------------------------------------------------------

$(BIN): $(UI_OBJ) $(LIBCORE)
	$(CC) $(LDFLAGS) -o $@ $(UI_OBJ) $(LIBCORE) $(UI_LIBS) $(CORE_LIBS)

# The core must build without curses: the library depends on this check.
$(BUILD)/core-is-curses-free: $(CORE_SRC) $(wildcard src/*.h)
	@mkdir -p $(@D)
	@if grep -nE '#[[:space:]]*include[[:space:]]*[<"](n?curses|ncursesw/|term\.h)' src/*.c src/*.h; then \
	    echo "error: src/ must not include curses (ui/ is the only front-end)"; exit 1; fi
	@touch $@

$(LIBCORE): $(CORE_OBJ) $(BUILD)/core-is-curses-free
	rm -f $@
	ar rcs $@ $(CORE_OBJ)

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CORE_CFLAGS) -c -o $@ $<

$(BUILD)/ui/%.o: ui/%.c
	@mkdir -p $(@D)
	$(CC) $(UI_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(CORE_CFLAGS) -Isrc -Itests/unit $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null) -c -o $@ $<

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(BUILD)/tests/unit/testutil.o $(LIBCORE)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/tests/unit/testutil.o $(LIBCORE) \
	    $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null) $(CORE_LIBS)

$(BUILD)/tests/bench/%.o: tests/bench/%.c
	@mkdir -p $(@D)
	$(CC) $(CORE_CFLAGS) -Isrc -c -o $@ $<

$(BUILD)/tests/bench_%: $(BUILD)/tests/bench/bench_%.o $(LIBCORE)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBCORE) $(CORE_LIBS)

# --- tests -----------------------------------------------------------------

test: unit e2e

unit: $(UNIT_BIN)
	@$(PYTHON) tests/run_unit.py $(UNIT_BIN)

e2e: $(BIN)
	@$(PYTHON) tests/e2e/run.py --bin $(BIN)

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan:
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	$(MAKE) BUILD=build-asan OPT="-O1 -g" SAN="$(ASAN_FLAGS)" test

valgrind: $(UNIT_BIN) $(BIN)
	@$(PYTHON) tests/run_unit.py --valgrind $(UNIT_BIN)
	@$(PYTHON) tests/valgrind.py --bin $(BIN)

bench: $(BIN) $(BENCH_BIN)
	@BUILD=$(BUILD) sh tests/bench/run.sh

fuzz:
	@sh tests/fuzz/run.sh

# --- set-up ----------------------------------------------------------------

deps:
	@sh tests/deps.sh $(DEB_BUILD) $(DEB_TEST)

deps-shots:
	@sh tests/deps.sh $(DEB_SHOTS)

sample:
	@$(PYTHON) tests/sample/gen_tree.py $(BUILD)/sample

# Install what is missing, build, generate the sample tree and open the TUI on it.
demo: deps
	@$(MAKE) --no-print-directory all
	@$(PYTHON) tests/sample/gen_tree.py $(BUILD)/sample >/dev/null
	@$(PYTHON) tests/demo.py --bin $(BIN) --tree $(BUILD)/sample

screenshots: deps-shots $(BIN)
	@$(PYTHON) tests/screenshots/render.py --bin $(BIN) --out screenshots

install: $(BIN)
	install -D -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/chimera
	install -d $(DESTDIR)$(DATADIR)/themes
	install -m 644 themes/*.theme $(DESTDIR)$(DATADIR)/themes/
	install -D -m 644 chimera.1 $(DESTDIR)$(PREFIX)/share/man/man1/chimera.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/chimera $(DESTDIR)$(PREFIX)/share/man/man1/chimera.1
	rm -rf $(DESTDIR)$(DATADIR)

lint: $(BUILD)/core-is-curses-free
	cppcheck --quiet --enable=warning,style,performance,portability --inline-suppr \
	    --suppress=missingIncludeSystem --error-exitcode=1 -D_GNU_SOURCE -Isrc src ui

format:
	clang-format -i src/*.[ch] ui/*.[ch] tests/unit/*.[ch] tests/bench/*.c tests/fuzz/*.c

clean:
	rm -rf build build-asan build-fuzz build-*

-include $(CORE_OBJ:.o=.d) $(UI_OBJ:.o=.d)
