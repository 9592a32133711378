#!/usr/bin/env python3
"""pty_answer.py: runs a command on a new pseudo-terminal and types an answer
at each password prompt, as a user at a terminal would (a tool, not a test).

Usage: PTY_ANSWER=SECRET pty_answer.py COMMAND [ARGS...]

Everything the command writes to the terminal is copied to stdout. Each time
the output shows a prompt containing PTY_PROMPT (default "token Password:"),
the helper waits until the program has turned terminal echo off (so the
answer is neither echoed nor flushed by its TCSAFLUSH), then types the answer
and a newline. At the end it prints "pty_answer: N prompt(s) answered" and
exits with the command's status. SIGTERM, SIGINT, SIGHUP and SIGUSR1 are
passed on to the command. The answer comes from the environment so it is not on a command line.
"""
import os
import pty
import select
import signal
import sys
import termios
import time


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: PTY_ANSWER=SECRET pty_answer.py COMMAND [ARGS...]\n")
        return 2
    answer = os.environ.get("PTY_ANSWER", "").encode()
    prompt = os.environ.get("PTY_PROMPT", "token Password:").encode()
    os.environ.pop("PTY_ANSWER", None)
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(sys.argv[1], sys.argv[1:])
        finally:
            os._exit(127)

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1):
        signal.signal(signum, forward)
    out = sys.stdout.buffer
    pending = b""
    answered = 0
    status = None
    while status is None:
        try:
            ready, _, _ = select.select([fd], [], [], 0.2)
        except InterruptedError:
            ready = []
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if data:
                out.write(data)
                out.flush()
                pending = (pending + data)[-4096:]
        if prompt in pending:
            pending = pending[pending.rindex(prompt) + len(prompt):]
            # Bounded wait (5 s) for the program to switch echo off.
            for _ in range(50):
                try:
                    if not termios.tcgetattr(fd)[3] & termios.ECHO:
                        break
                except termios.error:
                    break
                time.sleep(0.1)
            os.write(fd, answer + b"\n")
            answered += 1
        done, st = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            status = st
    # Whatever is still buffered on the terminal.
    while True:
        try:
            ready, _, _ = select.select([fd], [], [], 0.1)
            data = os.read(fd, 4096) if ready else b""
        except OSError:
            data = b""
        if not data:
            break
        out.write(data)
    out.write(b"\npty_answer: %d prompt(s) answered\n" % answered)
    out.flush()
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
