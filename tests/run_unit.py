#!/usr/bin/env python3
"""Run the cmocka unit-test binaries one after another and summarise.

Usage: run_unit.py [--valgrind] BIN...
Each binary is a cmocka runner for one src/ module; a non-zero exit fails the run.
With --valgrind every runner executes under memcheck and any error or leak fails it.
"""
import os
import subprocess
import sys


def main():
    args = sys.argv[1:]
    use_valgrind = False
    if args and args[0] == "--valgrind":
        use_valgrind = True
        args = args[1:]
    failed = []
    for binary in args:
        cmd = [binary]
        if use_valgrind:
            cmd = ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
                   "--show-leak-kinds=definite,indirect,possible",
                   "--errors-for-leak-kinds=definite,indirect,possible",
                   "--track-fds=no"] + cmd
        env = dict(os.environ)
        env.setdefault("CMOCKA_MESSAGE_OUTPUT", "STDOUT")
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        name = os.path.basename(binary)
        if proc.returncode != 0:
            failed.append(name)
            sys.stdout.write(proc.stdout.decode("utf-8", "replace"))
            print(f"FAIL {name} (exit {proc.returncode})")
        else:
            out = proc.stdout.decode("utf-8", "replace")
            passed = [l for l in out.splitlines() if l.startswith("[  PASSED  ]")]
            print(f"ok   {name} {passed[-1][13:].strip() if passed else ''}")
    print(f"unit: {len(args) - len(failed)}/{len(args)} runners passed"
          + (" under valgrind" if use_valgrind else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
