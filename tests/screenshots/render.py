#!/usr/bin/env python3
"""render.py: screenshots of the real chimera in a real terminal emulator.

    python3 tests/screenshots/render.py --bin build/chimera --out screenshots

For every shot: a private Xvfb display, an xterm (DejaVu Sans Mono, xterm's
256-colour palette) whose child is a private tmux server running chimera on a
generated sample tree (tests/sample/gen_tree.py; never real data). tmux is the
remote control: keys go in with `send-keys`, and every step waits by polling
`capture-pane` until the screen shows what it should (no fixed sleeps as
synchronisation). Then the xterm window is grabbed with xwd, and ImageMagick
turns it into a PNG. Only the python3 standard library is used; the Debian
packages are xvfb xterm x11-apps imagemagick fonts-dejavu-core tmux
(`make deps-shots`). See tests/screenshots/README.md.
"""
import argparse
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GEN_TREE = os.path.join(REPO, "tests", "sample", "gen_tree.py")

FONT = "DejaVu Sans Mono"
FONT_SIZE = 11
POLL = 0.05
TIMEOUT = 20.0
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "e2e"))
from fakesrv import FakeServer  # noqa: E402  (the project's Ollama stand-in, as e2e runs it)

_stand_in = {"tmp": None, "srv": None}


def stand_in():
    """The stand-in for the streaming shots, started on first use: a steady 40 tok/s after
    a 250 ms prefill, so the shot shows a stream in progress."""
    if _stand_in["srv"] is None:
        _stand_in["srv"] = FakeServer(_stand_in["tmp"], "--rate", "40", "--tokens", "600",
                                      "--ttft-ms", "250", name="shots-ollama")
    return _stand_in["srv"]
TOOLS = ["Xvfb", "xterm", "xwd", "convert", "tmux"]

# The terminal's own colours per theme (chimera's "default" foreground and background).
TERM_COLOURS = {
    "dark": ("#d0d0d0", "#1c1c1c"),
    "light": ("#1c1c1c", "#ffffff"),
}

# Sample-tree files the shots show (seed 7 of gen_tree.py).
CSV_FILE = "reports/gemma3/gemma3_270m_param_tuning.csv"
SPARK_COLUMN = "tokens_per_sec"
JSON_FILE = "reports/agent_runs/20250304-012702-chimera/metrics.json"
JSON_OPEN = "aggregates"   # the document node the JSON shot opens
WIDE = (120, 40)           # the size of most shots: pane heights leave room for a story
FOLDER_OPEN = "reports"    # the folder shot opens it
ROOT_NAME = "benchmarks"   # the sample tree's folder name: the root line shows it


class ShotError(RuntimeError):
    def __init__(self, msg, screen=""):
        super().__init__(msg)
        self.screen = screen


def log(msg):
    print("render: " + msg, file=sys.stderr, flush=True)


# --- xterm's palette ----------------------------------------------------------------------

def xterm_palette():
    """The standard xterm 256-colour palette, as X resources (set explicitly so that the
    shots do not depend on how xterm was built)."""
    base = ["#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd",
            "#e5e5e5", "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff",
            "#00ffff", "#ffffff"]
    cols = list(base)
    levels = [0, 95, 135, 175, 215, 255]
    for r in levels:
        for g in levels:
            for b in levels:
                cols.append("#%02x%02x%02x" % (r, g, b))
    for i in range(24):
        v = 8 + 10 * i
        cols.append("#%02x%02x%02x" % (v, v, v))
    return ["XTerm*color%d: %s" % (i, c) for i, c in enumerate(cols)]


def write_resources(path, theme):
    fg, bg = TERM_COLOURS[theme]
    lines = [
        "XTerm*termName: xterm-256color",
        "XTerm*faceName: " + FONT,
        "XTerm*faceSize: %d" % FONT_SIZE,
        "XTerm*renderFont: true",
        "XTerm*utf8: 1",
        "XTerm*scrollBar: false",
        "XTerm*saveLines: 0",
        "XTerm*internalBorder: 6",
        "XTerm*borderWidth: 0",
        "XTerm*colorMode: true",
        "XTerm*dynamicColors: true",
        "XTerm*boldColors: false",     # bold is bold, not "bright"
        "XTerm*colorBDMode: false",
        "XTerm*colorULMode: false",
        "XTerm*allowBoldFonts: true",
        "XTerm*cursorBlink: false",
        "XTerm*visualBell: false",
        "XTerm*foreground: " + fg,
        "XTerm*background: " + bg,
        "XTerm*cursorColor: " + fg,
    ] + xterm_palette()
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# --- reading tmux's screen with attributes --------------------------------------------------

_SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def parse_screen(text):
    """capture-pane -e output -> rows of cells (char, has_background, attributes). A cell
    has a background when a non-default background colour or reverse video is set;
    attributes are (fg, bg, bold, reverse, other SGR flags) for comparing two screens."""
    rows = []
    for line in text.split("\n"):
        cells = []
        fg = bg = None
        flags = set()
        i = 0
        while i < len(line):
            ch = line[i]
            if ch == "\x1b":
                m = _SGR.match(line, i)
                if m is None:          # some other sequence: skip ESC and one char
                    i += 2
                    continue
                params = re.split("[;:]", m.group(1)) if m.group(1) else ["0"]
                j = 0
                while j < len(params):
                    p = int(params[j]) if params[j].isdigit() else 0
                    if p == 0:
                        fg = bg = None
                        flags = set()
                    elif p in (38, 48) and j + 1 < len(params):
                        n = 2 if params[j + 1] == "5" else 4
                        colour = ",".join(params[j + 1:j + 1 + n])
                        if p == 38:
                            fg = colour
                        else:
                            bg = colour
                        j += n
                    elif p == 39:
                        fg = None
                    elif p == 49:
                        bg = None
                    elif 30 <= p <= 37 or 90 <= p <= 97:
                        fg = p
                    elif 40 <= p <= 47 or 100 <= p <= 107:
                        bg = p
                    elif 20 <= p <= 29:        # 22 bold off, 23 italic off, 27 reverse off...
                        flags.discard(p - 20)
                        if p == 22:
                            flags.discard(1)
                    else:
                        flags.add(p)           # 1 bold, 2 dim, 3 italic, 4 underline, 7 reverse
                    j += 1
                i = m.end()
                continue
            if ch in "\x0e\x0f":       # shift in/out around line-drawing characters
                i += 1
                continue
            attrs = (fg, bg, tuple(sorted(flags)))
            cell = (ch, bg is not None or 7 in flags, attrs)
            cells.append(cell)
            if unicodedata.east_asian_width(ch) in ("W", "F"):
                cells.append(("", cell[1], attrs))
            i += 1
        rows.append(cells)
    return rows


def row_text(cells, x0, x1):
    return "".join(c[0] for c in cells[x0:x1])


# --- one terminal: Xvfb display + xterm + tmux + chimera -------------------------------------

class Terminal:
    """An xterm of cols x rows on `display`, running chimera inside a private tmux server."""

    def __init__(self, display, tmp, name, cols, rows, theme, argv, env):
        self.display = display
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir)
        self.cols, self.rows, self.theme = cols, rows, theme
        self.socket = os.path.join(self.dir, "tmux.sock")
        self.winid_file = os.path.join(self.dir, "windowid")
        self.xterm = self.errfile = None
        self.started_tmux = False
        self.last_screen = ""
        self.argv, self.env = argv, env

    def start(self):
        conf = os.path.join(self.dir, "tmux.conf")
        with open(conf, "w") as f:
            f.write("set -g status off\n"
                    "set -g escape-time 0\n"
                    "set -g default-terminal xterm-256color\n"
                    "set -g remain-on-exit on\n"
                    "set -g history-limit 0\n"
                    "set -g mouse off\n")
        # chimera gets only the variables in self.env (env -i)
        prog = " ".join(["env", "-i"] +
                        ["%s=%s" % (k, shlex.quote(v)) for k, v in self.env.items()] +
                        [shlex.quote(a) for a in self.argv])
        wrapper = os.path.join(self.dir, "wrapper.sh")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\n"
                    # xterm tells its child the id of its terminal window
                    'echo "$WINDOWID" > %s.tmp && mv %s.tmp %s\n'
                    "exec tmux -u -S %s -f %s new-session -s shot %s\n"
                    % (shlex.quote(self.winid_file), shlex.quote(self.winid_file),
                       shlex.quote(self.winid_file), shlex.quote(self.socket),
                       shlex.quote(conf), shlex.quote(prog)))
        os.chmod(wrapper, 0o755)
        res = os.path.join(self.dir, "xterm.res")
        write_resources(res, self.theme)
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": self.env["HOME"],
            "DISPLAY": self.display,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "XENVIRONMENT": res,       # our resources, over xterm's app-defaults
            "SHELL": "/bin/sh",
        }
        self.errfile = open(os.path.join(self.dir, "xterm.err"), "w")
        self.xterm = subprocess.Popen(
            ["xterm", "-geometry", "%dx%d+0+0" % (self.cols, self.rows), "-u8",
             "-fa", FONT, "-fs", str(FONT_SIZE), "-tn", "xterm-256color",
             "-title", "chimera", "-e", wrapper],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self.errfile, start_new_session=True)
        self.started_tmux = True
        deadline = time.monotonic() + TIMEOUT
        while not os.path.exists(self.winid_file) or not os.path.exists(self.socket):
            if self.xterm.poll() is not None:
                raise ShotError("xterm exited (%s); see %s" % (
                    self.xterm.returncode, os.path.join(self.dir, "xterm.err")))
            if time.monotonic() > deadline:
                raise ShotError("xterm or tmux did not start")
            time.sleep(POLL)
        with open(self.winid_file) as f:
            self.winid = f.read().strip()
        if not self.winid:
            raise ShotError("xterm did not set WINDOWID")
        # tmux's window has the xterm's size once the client is attached
        self.poll(lambda: self.size() == (self.cols, self.rows),
                  "tmux at %dx%d" % (self.cols, self.rows))
        return self

    def stop(self):
        if getattr(self, "frozen_pid", None):
            try:
                os.kill(self.frozen_pid, signal.SIGCONT)   # let it see the hangup and leave
            except ProcessLookupError:
                pass
            self.frozen_pid = None
        if self.started_tmux:
            subprocess.run(["tmux", "-S", self.socket, "kill-server"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.started_tmux = False
        if self.xterm is not None and self.xterm.poll() is None:
            self.xterm.terminate()
            try:
                self.xterm.wait(5)
            except subprocess.TimeoutExpired:
                self.xterm.kill()
                self.xterm.wait()
        self.xterm = None
        if self.errfile is not None:
            self.errfile.close()
            self.errfile = None

    # tmux plumbing
    def tmux(self, *args):
        r = subprocess.run(["tmux", "-S", self.socket] + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=20)
        if r.returncode != 0:
            raise ShotError("tmux %s: %s" % (" ".join(args), r.stderr.decode(errors="replace")),
                            self.last_screen)
        return r.stdout.decode("utf-8", errors="replace")

    def size(self):
        try:
            out = self.tmux("display-message", "-p", "-t", "shot", "#{pane_width} #{pane_height}")
        except ShotError:
            return None
        w, h = out.split()
        return int(w), int(h)

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "shot", *keys)

    def capture(self):
        """(plain text, cell rows) of the pane as chimera drew it."""
        esc = self.tmux("capture-pane", "-p", "-e", "-t", "shot")
        cells = parse_screen(esc)
        text = "\n".join(row_text(r, 0, len(r)).rstrip() for r in cells)
        self.last_screen = text
        return text, cells

    def poll(self, fn, what, timeout=TIMEOUT):
        """Call fn() every POLL seconds until it returns true; returns that value."""
        deadline = time.monotonic() + timeout
        while True:
            got = fn()
            if got:
                return got
            if time.monotonic() > deadline:
                raise ShotError("timed out waiting for " + what, self.last_screen)
            time.sleep(POLL)

    def wait(self, cond, what=None, timeout=TIMEOUT, cells=False):
        """Poll the screen until cond holds: a substring, or a predicate on the text (on
        text and cells when cells=True). Returns (text, cells)."""
        def check():
            text, rows = self.capture()
            if isinstance(cond, str):
                ok = cond in text
            else:
                ok = cond(text, rows) if cells else cond(text)
            return (text, rows) if ok else None
        return self.poll(check, what or repr(cond), timeout)

    # --- capture the window -------------------------------------------------------------
    def grab(self, out_png):
        """xwd the xterm window once the picture stops changing, convert to PNG."""
        env = dict(os.environ, DISPLAY=self.display)
        time.sleep(0.15)   # a short settle: tmux has the screen, xterm is drawing it
        prev, same, deadline = None, 0, time.monotonic() + TIMEOUT
        while True:
            img = subprocess.run(["xwd", "-id", self.winid, "-silent"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout
            if img == prev:
                same += 1
                if same >= 2:
                    break
            else:
                same = 0
            prev = img
            if time.monotonic() > deadline:
                raise ShotError("the xterm window never stopped changing")
            time.sleep(0.1)
        tmp_png = out_png + ".tmp"
        subprocess.run(["convert", "xwd:-", "-strip", "png:" + tmp_png], input=img,
                       check=True, env=env, timeout=60)
        os.replace(tmp_png, out_png)


# --- driving chimera ------------------------------------------------------------------------

def status_line(text):
    lines = text.rstrip("\n").split("\n")
    return lines[-1] if lines else ""


def settled(text):
    """The tree scan and any metrics loading are finished (status line quiet)."""
    s = status_line(text)
    return "? help" in s and "reading" not in s and "loading" not in s


class Driver:
    """Moves chimera's tree cursor by looking at the screen: the cursor row is the one
    whose first cell inside the tree pane has a background (the cursor bar)."""

    GLYPHS = {"▾", "▸", "●", "v", ">", "*", "+", "-", "o"}

    def __init__(self, term, root):
        self.t = term
        self.root = root

    def wide(self):
        return self.t.cols >= 80 and self.t.rows >= 16      # ui/layout.h

    def tree_rect(self):
        """(y, x, h, w) of the tree pane, as ui/layout.c computes it."""
        cols, rows = self.t.cols, self.t.rows
        if self.wide():
            return 0, 0, rows - 1, min(max(cols * 34 // 100, 28), 60)
        return 1, 0, rows - 2, cols        # tabs: the focused pane under the tab bar

    def metrics_rect(self):
        cols, rows = self.t.cols, self.t.rows
        if self.wide():
            tree_w = self.tree_rect()[3]
            body = rows - 1
            return 0, tree_w, min(max(body * 55 // 100, 6), body - 5), cols - tree_w
        return 1, 0, rows - 2, cols

    def cursor(self, cells, rect=None):
        """(row, first name on it, indentation) of the cursor bar in a pane, or None: the
        row whose first cell inside the frame has a background."""
        y, x, h, w = rect or self.tree_rect()
        for r in range(y + 1, y + h - 1):
            if r >= len(cells) or len(cells[r]) <= x + 1:
                continue
            if cells[r][x + 1][1]:
                text = row_text(cells[r], x + 1, x + w - 1)
                toks = text.split()
                if toks and toks[0] in self.GLYPHS:
                    toks = toks[1:]
                depth = len(text) - len(text.lstrip())
                return r, (toks[0] if toks else ""), depth
        return None

    @staticmethod
    def same_name(shown, want):
        if shown == want:
            return True
        if "…" in shown:                   # middle ellipsis of a long name
            pre, post = shown.split("…", 1)
            return want.startswith(pre) and want.endswith(post) and len(want) >= len(shown)
        return False

    def pane_sig(self, cells, rect):
        y, x, h, w = rect
        return tuple(tuple(r[x:x + w]) for r in cells[y:y + h])

    def step(self, key, cells, rect=None, need_cursor=True):
        """Press key and wait until the pane (the tree unless rect says otherwise) shows the
        result: its characters or its cursor bar change."""
        rect = rect or self.tree_rect()
        before = self.pane_sig(cells, rect)
        self.t.keys(key)
        return self.t.wait(lambda _s, c: self.pane_sig(c, rect) != before and
                           (not need_cursor or self.cursor(c, rect) is not None),
                           what="the pane to react to " + key, cells=True)[1]

    def metrics_to(self, cells, label, limit=200):
        """Move the metrics pane's cursor down to the line whose text has label."""
        rect = self.metrics_rect()
        for _ in range(limit):
            c = self.cursor(cells, rect)
            if c is not None:
                y, x, h, w = rect
                if label in row_text(cells[c[0]], x + 1, x + w - 1):
                    return cells
            cells = self.step("j", cells, rect)
        raise ShotError("no line %r in the metrics pane" % label, self.t.last_screen)

    @staticmethod
    def siblings(folder):
        """A folder's entries in the tree's order (src/ftree_view.c, sort by name: folders
        first, then ASCII-case-insensitive names, ties bytewise)."""
        def key(e):
            name = os.fsencode(e.name)
            return (not e.is_dir(follow_symlinks=False), name.lower(), name)
        with os.scandir(folder) as it:
            return [e.name for e in sorted(it, key=key)]

    def goto(self, root, relpath):
        """Open the folders along relpath and put the cursor on its last component; returns
        the screen's cells. The number of j presses comes from the folder listing; each
        line the cursor passes is checked against the name the listing puts there."""
        _text, cells = self.t.wait(lambda s: settled(s), what="the tree scan to finish")
        cur = self.cursor(cells)
        if cur is None:
            raise ShotError("no tree cursor on screen", self.t.last_screen)
        folder = root
        for part in relpath.split("/"):
            if not self.row_open(cells, cur):
                cells = self.step("l", cells)
                cur = self.cursor(cells)
            names = self.siblings(folder)
            for i in range(names.index(part) + 1):
                cells = self.step("j", cells)
                cur = self.cursor(cells)
                shown, want = cur[1], names[i] + ("/" if os.path.isdir(
                    os.path.join(folder, names[i])) else "")
                if not (self.same_name(shown, want) or self.same_name(shown, names[i])):
                    raise ShotError("expected %r under the cursor, the tree shows %r" % (
                        want, shown), self.t.last_screen)
            folder = os.path.join(folder, part)
        return cells

    def row_open(self, cells, c):
        y, x, h, w = self.tree_rect()
        return "▾" in row_text(cells[c[0]], x, x + w)


# --- the shots --------------------------------------------------------------------------------

def metrics_title_ok(text, relpath):
    """The metrics pane's title names relpath (allowing for a middle ellipsis)."""
    m = re.search(r"Metrics · (\S+)", text)
    return m is not None and Driver.same_name(m.group(1), relpath)


def wait_file(t, relpath, what):
    return t.wait(lambda s: metrics_title_ok(s, relpath) and what(s) and settled(s),
                  what="the metrics of " + relpath)


def csv_stats(t, d):
    """The CSV under the cursor, its statistics, the sparkline on tokens_per_sec."""
    d.goto(d.root, CSV_FILE)
    t.keys("Tab")           # focus the metrics pane (in the tabs layout: show it)
    _s, cells = wait_file(t, CSV_FILE, lambda s: " rows × " in s)
    rect = d.metrics_rect()
    y, x, h, w = rect
    for _ in range(20):     # ] steps the sparkline through the numeric columns
        if row_text(cells[y + 2], x + 1, x + w - 1).lstrip().startswith(SPARK_COLUMN + " "):
            break
        cells = d.step("]", cells, (y + 2, x, 1, w), need_cursor=False)
    else:
        raise ShotError("no sparkline of " + SPARK_COLUMN, t.last_screen)
    return cells


def shot_tree_csv(t, d):
    cells = csv_stats(t, d)
    # back to the tree (its cursor bar is the bright one): the pane's frame changes colour
    d.step("BTab", cells)


def shot_json(t, d):
    d.goto(d.root, JSON_FILE)
    _s, cells = wait_file(t, JSON_FILE, lambda s: "Document (" in s)
    t.keys("Tab")
    rect = d.metrics_rect()
    cells = t.wait(lambda _s, c: d.cursor(c, rect) is not None, what="the metrics cursor",
                   cells=True)[1]
    # - closes every node but the top one; then open one member
    cells = d.step("-", cells, rect)
    cells = d.metrics_to(cells, JSON_OPEN + ":")
    cells = d.step("Enter", cells, rect)


def root_inventory(t, d):
    t.wait(lambda s: ("Metrics · " + ROOT_NAME) in s and "Data summary" in s and settled(s),
           what="the root's inventory")


def shot_folder(t, d):
    """reports/ open (its folders and counts), the cursor back on the root line."""
    cells = d.goto(d.root, FOLDER_OPEN)
    cells = d.step("l", cells)
    d.step("g", cells)
    root_inventory(t, d)


def shot_help(t, d):
    root_inventory(t, d)
    t.keys("?")
    t.wait("chimera keys")


def shot_tabs(t, d):
    csv_stats(t, d)         # Tab shows the Metrics tab: leave it there


def shot_stream(t, d):
    """A report streaming in from the stand-in: A on the root, then the shot once the
    report call is under way (headings and bullets in the pane, live figures below).
    A live stream never holds still for the grab, so chimera is stopped (SIGSTOP) on a
    complete frame and continued when the shot is done (Terminal.stop)."""
    root_inventory(t, d)
    t.keys("A")

    def streaming(s):
        return (re.search(r"streaming · TTFT \d+ ms · [\d.]+ tok/s .*report 1/1",
                          status_line(s)) is not None and "Recommendations" in s
                and "2. We recommend" in s and "Esc stop" in status_line(s))
    pid = int(t.tmux("display-message", "-p", "-t", "shot", "#{pane_pid}").strip())
    while True:             # the pane runs `sh -c 'env -i ... chimera'`: find chimera
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = f.read().split()
        if not kids:
            break
        pid = int(kids[0])
    for _ in range(10):
        t.wait(streaming, what="the report call streaming", timeout=TIMEOUT * 4)
        os.kill(pid, signal.SIGSTOP)
        t.frozen_pid = pid
        if streaming(t.capture()[0]):
            return          # frozen on a whole frame
        os.kill(pid, signal.SIGCONT)
        t.frozen_pid = None
    raise ShotError("no whole streaming frame to freeze", t.last_screen)


SHOTS = [
    # name, theme, cols, rows, what it does
    ("tree-csv-dark", "dark", WIDE[0], WIDE[1], shot_tree_csv),
    ("tree-csv-light", "light", WIDE[0], WIDE[1], shot_tree_csv),
    ("json-dark", "dark", WIDE[0], WIDE[1], shot_json),
    ("json-light", "light", WIDE[0], WIDE[1], shot_json),
    ("folder-dark", "dark", WIDE[0], WIDE[1], shot_folder),
    ("folder-light", "light", WIDE[0], WIDE[1], shot_folder),
    ("help-dark", "dark", WIDE[0], WIDE[1], shot_help),
    ("help-light", "light", WIDE[0], WIDE[1], shot_help),
    ("small-80x24-dark", "dark", 80, 24, shot_tree_csv),
    ("tabs-60x20-dark", "dark", 60, 20, shot_tabs),
    ("stream-dark", "dark", WIDE[0], WIDE[1], shot_stream),
    ("stream-light", "light", WIDE[0], WIDE[1], shot_stream),
]


# --- main ---------------------------------------------------------------------------------------

class Xvfb:
    def __init__(self, tmp):
        self.proc = self.errfile = None
        self.tmp = tmp

    def start(self):
        r, w = os.pipe()
        self.errfile = open(os.path.join(self.tmp, "xvfb.err"), "w")
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(w), "-screen", "0", "1400x900x24", "-dpi", "96",
             "-nolisten", "tcp", "-noreset"],
            pass_fds=(w,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self.errfile, start_new_session=True)
        os.close(w)
        # -displayfd: Xvfb picks a free display and writes its number once it is ready
        num = b""
        deadline = time.monotonic() + TIMEOUT
        try:
            while not num.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([r], [], [], left)[0]:
                    raise ShotError("Xvfb did not start; see " + self.errfile.name)
                chunk = os.read(r, 16)
                if not chunk:
                    raise ShotError("Xvfb exited; see " + self.errfile.name)
                num += chunk
        finally:
            os.close(r)
        self.display = ":" + num.decode().strip()
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.errfile is not None:
            self.errfile.close()
            self.errfile = None


def rmtree(path):
    for root, dirs, _ in os.walk(path):
        for dname in dirs:
            p = os.path.join(root, dname)
            if not os.path.islink(p):
                try:
                    os.chmod(p, 0o700)
                except OSError:
                    pass
    shutil.rmtree(path, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="the chimera binary")
    ap.add_argument("--out", default="screenshots", help="folder for the PNGs")
    ap.add_argument("--only", action="append", default=[],
                    help="render only this shot (repeatable), e.g. --only json-dark")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder (debugging)")
    args = ap.parse_args()

    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        sys.exit("render: missing %s: run `make deps-shots` (Debian packages xvfb xterm "
                 "x11-apps imagemagick fonts-dejavu-core) and tmux" % ", ".join(missing))
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        sys.exit("render: %s is not an executable (build it first: make)" % binary)
    unknown = [n for n in args.only if n not in [s[0] for s in SHOTS]]
    if unknown:
        sys.exit("render: no shot named %s; shots: %s" % (
            ", ".join(unknown), ", ".join(s[0] for s in SHOTS)))
    shots = [s for s in SHOTS if not args.only or s[0] in args.only]
    os.makedirs(args.out, exist_ok=True)

    # SIGTERM/SIGHUP end us through the finally blocks below
    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="chimera-shots-")
    _stand_in["tmp"] = tmp
    xvfb, term = Xvfb(tmp), None
    failed = 0
    try:
        tree = os.path.join(tmp, "sample", ROOT_NAME)
        subprocess.run([sys.executable, GEN_TREE, tree], check=True, stdout=subprocess.DEVNULL)
        # gen_tree's marker (a dotfile that only guards re-generation) would be a stray
        # line in the tree; this throwaway copy does not need it
        os.remove(os.path.join(tree, ".chimera-sample"))
        home = os.path.join(tmp, "home")
        os.makedirs(os.path.join(home, ".config"))
        xvfb.start()
        log("Xvfb on %s; %d shots" % (xvfb.display, len(shots)))
        for name, theme, cols, rows, action in shots:
            env = {"HOME": home, "XDG_CONFIG_HOME": os.path.join(home, ".config"),
                   "LANG": "C.UTF-8", "TERM": "xterm-256color", "TZ": "UTC",
                   "PATH": "/usr/local/bin:/usr/bin:/bin"}
            argv = [binary, "--theme", theme, tree]
            # every shot talks to the stand-in (the health check at start answers); runs
            # are saved outside the tree, so that every shot shows the same tree
            argv[1:1] = ["--host", stand_in().host, "--out", os.path.join(tmp, "runs")]
            term = Terminal(xvfb.display, tmp, name, cols, rows, theme, argv, env)
            out = os.path.join(args.out, name + ".png")
            t1 = time.monotonic()
            try:
                term.start()
                term.wait(lambda s: "? help" in s, what="chimera's first screen")
                action(term, Driver(term, tree))
                with open(os.path.join(term.dir, "screen.txt"), "w") as f:
                    f.write(term.capture()[0] + "\n")     # for --keep: what was shot
                term.grab(out)
                log("%-20s %6.1f KB  %.1f s" % (name + ".png", os.path.getsize(out) / 1024,
                                                time.monotonic() - t1))
            except ShotError as e:
                failed += 1
                log("%s FAILED: %s\n--- last screen ---\n%s\n---" % (name, e, e.screen))
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
                failed += 1
                log("%s FAILED: %s" % (name, e))
            finally:
                term.stop()
                term = None
    finally:
        if term is not None:
            term.stop()
        if _stand_in["srv"] is not None:
            _stand_in["srv"].stop()
        xvfb.stop()
        if args.keep:
            log("kept " + tmp)
        else:
            rmtree(tmp)
    log("%d of %d shots in %.1f s%s" % (len(shots) - failed, len(shots), time.monotonic() - t0,
                                        "" if not failed else "; %d FAILED" % failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
