"""tmuxdrv.py: drive a real program inside a private, throwaway tmux server.

Follows tmux's own regress tests (tmux:regress/*.sh): a server of our own on a
unique socket (`-L`), no config file (`-f /dev/null`), a fixed pane size, keys
sent with `send-keys`, the screen read with `capture-pane -p`. Every assertion
POLLS the screen until the condition holds or a deadline passes; nothing
sleeps a fixed time and hopes.

    with Tmux(width=100, height=30, env={"LANG": "C.UTF-8"}) as t:
        t.start(["/path/chimera", "/tmp/tree"])
        t.wait_for("? help  q quit")
        t.send_keys("j", "Enter")
        screen = t.wait_for(re.compile(r"rows × \\d+ cols"))

Only the python3 standard library is used.
"""
import itertools
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time

_counter = itertools.count()
_counter_lock = threading.Lock()
_live = set()            # servers not yet killed, for the atexit safety net
_live_lock = threading.Lock()


def timeout_scale():
    """E2E_TIMEOUT_SCALE multiplies every deadline (slow or noisy machines)."""
    try:
        return max(0.1, float(os.environ.get("E2E_TIMEOUT_SCALE", "1")))
    except ValueError:
        return 1.0


DEFAULT_TIMEOUT = 15.0
POLL = 0.05


class E2EError(AssertionError):
    """A condition that did not hold; carries the last screen for the report."""

    def __init__(self, msg, screen=None):
        super().__init__(msg)
        self.screen = screen


def _terminfo_has(name):
    try:
        return subprocess.run(["infocmp", name], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        # no infocmp: look for the compiled entry ourselves
        for d in ("/usr/share/terminfo", "/lib/terminfo", "/etc/terminfo"):
            if os.path.exists(os.path.join(d, name[0], name)):
                return True
        return False


_default_term = None


def default_terminal():
    """tmux-256color when terminfo knows it, else screen-256color."""
    global _default_term
    if _default_term is None:
        _default_term = "tmux-256color" if _terminfo_has("tmux-256color") else "screen-256color"
    return _default_term


def _describe(cond):
    if isinstance(cond, str):
        return repr(cond)
    if isinstance(cond, re.Pattern):
        return "/%s/" % cond.pattern
    return getattr(cond, "__name__", "predicate")


def _matches(cond, screen):
    if isinstance(cond, str):
        return cond in screen
    if isinstance(cond, re.Pattern):
        return cond.search(screen) is not None
    return bool(cond(screen))


class Tmux:
    """A private tmux server with one session running one wrapper shell command.

    The environment inside the pane is controlled: only PATH, the variables
    given in `env`, HOME and XDG_CONFIG_HOME (both in a private temp dir, so the
    user's config never leaks in), plus what tmux itself sets (TERM from
    `default-terminal`, TMUX, TMUX_PANE). The server always runs with
    LANG=C.UTF-8 (LC_ALL and LC_CTYPE removed) so that captures are UTF-8: set
    the program's own locale, TERM or NO_COLOR with start(prog_env=...)."""

    SESSION = "e2e"

    def __init__(self, width=100, height=30, env=None, keep=False, name="case"):
        with _counter_lock:
            n = next(_counter)
        self.socket = "chimera-e2e-%d-%d" % (os.getpid(), n)
        self.width, self.height = width, height
        self.keep = keep
        self.tmpdir = tempfile.mkdtemp(prefix="chimera-e2e-%s-" % name)
        os.chmod(self.tmpdir, 0o755)   # readable by a program run as another user
        self.home = os.path.join(self.tmpdir, "home")
        os.makedirs(os.path.join(self.home, ".config"))
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": self.home,
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "LANG": "C.UTF-8",
            "SHELL": "/bin/sh",
        }
        if env:
            for k, v in env.items():
                if v is None:
                    self.env.pop(k, None)
                else:
                    self.env[k] = v
        self.term = default_terminal()
        self.started = False
        self.socket_path = None
        self.last_screen = ""

    # -- plumbing ----------------------------------------------------------------
    def _client_env(self):
        # The tmux server inherits the environment of the client that starts it;
        # the pane's program gets the server's global environment. The server
        # itself always runs in a UTF-8 locale so that captures are UTF-8; the
        # program's own locale is set by the wrapper (see start()).
        e = dict(self.env)
        e["LANG"] = "C.UTF-8"
        e.pop("LC_ALL", None)
        e.pop("LC_CTYPE", None)
        e.pop("TMUX", None)
        return e

    def tmux(self, *args, check=True, timeout=None):
        """Run one tmux command against our server; returns stdout (str)."""
        cmd = ["tmux", "-L", self.socket, "-f", "/dev/null"] + list(args)
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=self._client_env(), timeout=timeout or 20 * timeout_scale())
        if check and r.returncode != 0:
            raise E2EError("tmux %s failed (%d): %s" % (" ".join(args), r.returncode,
                                                        r.stderr.decode(errors="replace").strip()),
                           self.last_screen)
        return r.stdout.decode("utf-8", errors="replace")

    def path(self, name):
        return os.path.join(self.tmpdir, name)

    # -- life cycle ---------------------------------------------------------------
    def start(self, argv, prog_env=None, wrapper=True, cwd=None, hold=True):
        """Start the session running argv (a list) inside a wrapper shell script.

        The wrapper records `stty -g` before and after, then prints
        `TTY-RESTORED` when both agree and `EXIT=<status>` (also into the file
        wrapper.out, see wait_wrapper), then with hold sleeps so that the pane
        stays alive (else the pane dies: remain-on-exit keeps it, with
        #{pane_dead_status}). prog_env adds or
        (value None) removes variables for the program only (e.g. LANG=C)."""
        script = self.path("wrapper.sh")
        lines = ["#!/bin/sh"]
        if cwd:
            lines.append("cd %s || exit 99" % shlex.quote(cwd))
        for k, v in (prog_env or {}).items():
            if v is None:
                lines.append("unset %s" % k)
            else:
                lines.append("%s=%s; export %s" % (k, shlex.quote(v), k))
        cmd = " ".join(shlex.quote(a) for a in argv)
        if wrapper:
            # the result goes to the screen and to a file: after the program leaves
            # the alternate screen the cursor may sit on the last row, and what the
            # wrapper prints can scroll away
            out = shlex.quote(self.path("wrapper.out"))
            lines += ['s1=$(stty -g)', cmd, 'rc=$?', 's2=$(stty -g)',
                      '[ "$s1" = "$s2" ] && { echo TTY-RESTORED; echo TTY-RESTORED >> %s; }' % out,
                      'echo EXIT=$rc; echo EXIT=$rc >> %s' % out]
            if hold:
                # keep the pane alive: tmux hides the cursor of a dead pane, so
                # #{cursor_flag} is only meaningful while the shell still runs
                lines.append("exec sleep 86400")
            else:
                lines.append("exit $rc")     # -> #{pane_dead_status}
        else:
            lines.append("exec " + cmd)
        with open(script, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(script, 0o755)
        with _live_lock:
            _live.add(self.socket)
        self.started = True
        # one invocation: options first (they must exist before the pane does),
        # then the session; -f /dev/null keeps any user config out
        self.tmux("start-server", ";",
                  "set", "-g", "default-terminal", self.term, ";",
                  "set", "-g", "remain-on-exit", "on", ";",
                  "set", "-g", "status", "off", ";",
                  "set", "-g", "history-limit", "1000", ";",
                  "set", "-g", "escape-time", "0", ";",
                  "new-session", "-d", "-s", self.SESSION, "-x", str(self.width),
                  "-y", str(self.height), script)
        # a detached session with a fixed size: keep it at that size
        self.tmux("set", "-t", self.SESSION, "window-size", "manual", check=False)
        self.socket_path = self.info("#{socket_path}")
        return self

    def kill(self):
        """Kill the server (idempotent) and remove the temp dir unless kept."""
        if self.started and self.keep:
            with _live_lock:
                _live.discard(self.socket)
            return
        if self.started:
            # the program may be wedged (e.g. spinning): the processes started in the
            # pane are ours, so they are killed by pid after the server is gone
            try:
                procs = [(p, proc_comm(p)) for p in descendants_of(self.pane_pid())]
            except (E2EError, ValueError, OSError, subprocess.TimeoutExpired):
                procs = []
            try:
                self.tmux("kill-server", check=False, timeout=10)
            except (subprocess.TimeoutExpired, OSError):
                pass
            # tmux 3.3 leaves the socket file behind after kill-server
            if self.socket_path and os.path.basename(self.socket_path) == self.socket:
                try:
                    os.unlink(self.socket_path)
                except OSError:
                    pass
            for pid, comm in procs:
                if comm is not None and proc_comm(pid) == comm:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            self.started = False
        with _live_lock:
            _live.discard(self.socket)
        if not self.keep:
            rmtree(self.tmpdir)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        return False

    # -- input ----------------------------------------------------------------------
    def send_keys(self, *keys):
        """Keys by tmux name (Enter, Escape, Up, NPage, Space, Tab, BTab, C-l, "j")."""
        self.tmux("send-keys", "-t", self.SESSION, *keys)

    def send_text(self, text):
        """Literal text (no key-name lookup)."""
        self.tmux("send-keys", "-t", self.SESSION, "-l", text)

    def send_bytes(self, data):
        """Raw bytes, as the terminal would send them (e.g. a mouse report)."""
        if isinstance(data, str):
            data = data.encode()
        self.tmux("send-keys", "-t", self.SESSION, "-H", *["%02x" % b for b in data])

    def resize(self, w, h):
        self.width, self.height = w, h
        self.tmux("resize-window", "-t", self.SESSION, "-x", str(w), "-y", str(h))

    # -- output ---------------------------------------------------------------------
    def capture(self, escapes=False):
        args = ["capture-pane", "-p", "-t", self.SESSION]
        if escapes:
            args.append("-e")
        s = self.tmux(*args)
        if not escapes:
            self.last_screen = s
        return s

    def capture_bytes(self, escapes=False):
        """The capture as raw bytes (for checks on the encoding itself)."""
        args = ["tmux", "-L", self.socket, "-f", "/dev/null", "capture-pane", "-p",
                "-t", self.SESSION] + (["-e"] if escapes else [])
        return subprocess.run(args, stdout=subprocess.PIPE, env=self._client_env(),
                              check=True).stdout

    def wait_wrapper(self, timeout=None):
        """Wait for the wrapper's result; returns (exit status of the program,
        tty restored?, screen)."""
        out = self.path("wrapper.out")
        deadline = time.monotonic() + (timeout or DEFAULT_TIMEOUT) * timeout_scale()
        while True:
            try:
                with open(out) as f:
                    text = f.read()
            except FileNotFoundError:
                text = ""
            m = re.search(r"EXIT=(\d+)", text)
            if m:
                return int(m.group(1)), "TTY-RESTORED" in text, self.capture()
            if time.monotonic() > deadline:
                raise E2EError("the program did not exit", self.capture())
            time.sleep(POLL)

    def info(self, fmt):
        return self.tmux("display-message", "-p", "-t", self.SESSION, fmt).rstrip("\n")

    def pane_dead(self):
        return self.info("#{pane_dead}") == "1"

    def pane_dead_status(self):
        s = self.info("#{pane_dead_status}")
        return int(s) if s.strip().lstrip("-").isdigit() else None

    def pane_pid(self):
        return int(self.info("#{pane_pid}"))

    def child_pid(self, comm="chimera", timeout=None):
        """Pid of the program: a child of the wrapper shell (pane_pid) named comm."""
        shell = self.pane_pid()
        deadline = time.monotonic() + (timeout or DEFAULT_TIMEOUT) * timeout_scale()
        while True:
            for pid in descendants_of(shell):
                if proc_comm(pid) == comm:
                    return pid
            if time.monotonic() > deadline:
                raise E2EError("no process %r under the pane's shell (pid %d)" % (comm, shell),
                               self.last_screen)
            time.sleep(POLL)

    # -- waiting ----------------------------------------------------------------------
    def wait_for(self, cond, timeout=None, escapes=False, msg=None, poll=POLL):
        """Poll capture-pane (~every 50 ms) until cond holds: a substring, a compiled
        regex, or a predicate on the screen text. Returns the matching screen."""
        start = time.monotonic()
        deadline = start + (timeout or DEFAULT_TIMEOUT) * timeout_scale()
        while True:
            screen = self.capture(escapes=escapes)
            if _matches(cond, screen):
                if os.environ.get("E2E_DEBUG") and time.monotonic() - start > 0.5:
                    print("  [%s] waited %.2f s for %s" % (self.socket, time.monotonic() - start,
                                                        msg or _describe(cond)))
                return screen
            if time.monotonic() > deadline:
                raise E2EError(msg or "timed out waiting for %s" % _describe(cond),
                               self.last_screen if escapes else screen)
            time.sleep(poll)

    def wait_gone(self, cond, timeout=None, msg=None):
        """Poll until cond (as in wait_for) no longer holds."""
        def gone(screen):
            return not _matches(cond, screen)
        gone.__name__ = "%s to disappear" % _describe(cond)
        return self.wait_for(gone, timeout=timeout, msg=msg)

    def wait_dead(self, timeout=None):
        """Wait for the wrapper to finish; returns (pane_dead_status, screen)."""
        deadline = time.monotonic() + (timeout or DEFAULT_TIMEOUT) * timeout_scale()
        while not self.pane_dead():
            if time.monotonic() > deadline:
                raise E2EError("the program did not exit", self.capture())
            time.sleep(POLL)
        # tmux may see the pty close before it reaps the child, and (tmux 3.3) now and
        # then never records a status: wait a little for it, else report None
        grace = time.monotonic() + 2 * timeout_scale()
        while self.pane_dead_status() is None and time.monotonic() < grace:
            time.sleep(POLL)
        return self.pane_dead_status(), self.capture()

    def wait_info(self, fmt, want, timeout=None):
        """Poll a format (e.g. #{alternate_on}) until it equals want."""
        deadline = time.monotonic() + (timeout or DEFAULT_TIMEOUT) * timeout_scale()
        while True:
            got = self.info(fmt)
            if got == want:
                return got
            if time.monotonic() > deadline:
                raise E2EError("%s is %r, expected %r" % (fmt, got, want), self.capture())
            time.sleep(POLL)


# -- process helpers (Linux /proc, no ps needed) ---------------------------------------
def _stat(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read().decode(errors="replace")
    except OSError:
        return None
    # comm is in parentheses and may contain spaces
    lp, rp = data.index("("), data.rindex(")")
    rest = data[rp + 2:].split()
    return data[lp + 1:rp], rest[0], int(rest[1])   # comm, state, ppid


def children_of(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = _stat(int(d))
            if st is not None and st[2] == pid:
                out.append(int(d))
    return out


def descendants_of(pid):
    """Children, grandchildren... (tmux runs the command through `sh -c`)."""
    out, todo = [], [pid]
    while todo:
        kids = children_of(todo.pop())
        out += kids
        todo += kids
    return out


def proc_comm(pid):
    st = _stat(pid)
    return st[0] if st else None


def rmtree(path):
    """Remove a tree even when it holds chmod 000 folders (the sample's edge cases)."""
    if not os.path.lexists(path):
        return
    for root, dirs, _files in os.walk(path):
        for d in dirs:
            p = os.path.join(root, d)
            try:
                if not os.path.islink(p):
                    os.chmod(p, 0o700)
            except OSError:
                pass
    try:
        os.chmod(path, 0o700)
    except OSError:
        pass
    shutil.rmtree(path, ignore_errors=True)


def kill_all_servers():
    """atexit/signal safety net: kill every server this process started."""
    with _live_lock:
        socks = list(_live)
        _live.clear()
    for s in socks:
        subprocess.run(["tmux", "-L", s, "-f", "/dev/null", "kill-server"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        path = os.path.join(os.environ.get("TMUX_TMPDIR", "/tmp"), "tmux-%d" % os.getuid(), s)
        try:
            os.unlink(path)
        except OSError:
            pass


import atexit  # noqa: E402  (kept next to its use)
atexit.register(kill_all_servers)

__all__ = ["Tmux", "E2EError", "timeout_scale", "default_terminal", "children_of",
           "descendants_of", "proc_comm", "rmtree", "kill_all_servers", "signal"]
