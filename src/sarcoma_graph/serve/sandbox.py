"""No network for a query worker when no ``SERVICE`` endpoint is allowed (defence in depth
behind :mod:`sarcoma_graph.serve.guard`): a seccomp filter makes ``socket(AF_INET…)`` and
``socket(AF_INET6…)`` fail with ``EACCES`` in the worker, so pyoxigraph cannot call out even
if a text slipped past the scanner. Unix sockets, pipes and files still work.

Linux on x86-64 or AArch64 only; elsewhere (or if the kernel refuses) :func:`deny_network`
returns ``False`` and the guard alone stands.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

_ARCHES = {"x86_64": (0xC000003E, (41, 41 | 0x40000000), 425),  # audit arch, socket, io_uring
           "aarch64": (0xC00000B7, (198,), 425)}
_LD, _JEQ, _RET = 0x20, 0x15, 0x06
_ALLOW, _DENY = 0x7FFF0000, 0x00050000 | errno.EACCES
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _filter(arch: int, sockets: tuple[int, ...], io_uring: int) -> list[tuple[int, int, int, int]]:
    """BPF: other arch → allow; socket() with an IP family → EACCES; io_uring_setup → EACCES."""
    count = len(sockets)
    program = [(_LD, 0, 0, 4), (_JEQ, 0, 5 + count, arch), (_LD, 0, 0, 0)]
    for index, number in enumerate(sockets):
        program.append((_JEQ, count - index, 0, number))  # → load args[0]
    program.append((_JEQ, 4, 3, io_uring))  # → deny / allow
    program += [(_LD, 0, 0, 16), (_JEQ, 2, 0, 2), (_JEQ, 1, 0, 10),
                (_RET, 0, 0, _ALLOW), (_RET, 0, 0, _DENY)]
    return program


def deny_network() -> bool:
    """Install the filter on the calling process (after a fork); ``True`` when it holds."""
    known = _ARCHES.get(platform.machine())
    if known is None:
        return False
    program = _filter(*known)
    data = b"".join(struct.pack("HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(data, len(data))
    fprog = _Program(len(program), ctypes.cast(buffer, ctypes.c_void_p))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        status: int = libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0)
        return status == 0
    except (OSError, AttributeError):
        return False
