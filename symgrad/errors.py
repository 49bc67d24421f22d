"""One exception family with user-facing messages.

Every error a user can cause is a :class:`SymgradError`; its message is one line that
names what is wrong and how to mend it.  The CLI prints it and exits with status 2.
"""

from __future__ import annotations


class SymgradError(Exception):
    """Base of every error caused by input: printed as one line, exit code 2."""


class NumberError(SymgradError, ValueError):
    """A number could not be read exactly."""


class SpecError(SymgradError, ValueError):
    """A network, parameter or data specification is invalid."""


class ClaimSyntaxError(SymgradError, ValueError):
    """A claim could not be parsed; the message points at the column."""


class ClaimNameError(SymgradError, KeyError):
    """A claim names something the network does not have (or indexes out of range)."""

    def __str__(self) -> str:  # KeyError would add quotes
        return str(self.args[0]) if self.args else ""


class UnsupportedError(SymgradError, NotImplementedError):
    """A request that is well formed but outside what symgrad can do."""
