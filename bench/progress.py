"""The one-line progress display: rewritten in place on a terminal, a line every few
seconds otherwise (so a log of `make bench` stays short)."""

from __future__ import annotations

import shutil
import sys
import time


class Progress:
    def __init__(self, every_s: float = 5.0) -> None:
        self.tty = sys.stderr.isatty()
        self.every_s = every_s
        self._last_print = 0.0
        self._shown = False

    def show(self, text: str) -> None:
        now = time.monotonic()
        if self.tty:
            width = shutil.get_terminal_size((120, 20)).columns - 1
            sys.stderr.write("\r" + text[:width].ljust(width))
            sys.stderr.flush()
            self._shown = True
        elif now - self._last_print >= self.every_s:
            sys.stderr.write(text + "\n")
            sys.stderr.flush()
            self._last_print = now

    def say(self, text: str) -> None:
        """A line that stays (a phase's result)."""
        self.clear()
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.tty and self._shown:
            width = shutil.get_terminal_size((120, 20)).columns - 1
            sys.stderr.write("\r" + " " * width + "\r")
            self._shown = False
