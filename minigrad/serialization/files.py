"""Saving over a path atomically, yet as ``torch.save`` would: what the target is, who may write it.

``torch.save`` opens the path for writing, so a symlink's target is rewritten, a file its user
may not write is refused, and the file keeps its permission bits and owner. minigrad writes a
temporary file beside the target, named ``.<name>.<pid>.<random>.tmp`` (never a name ``load``
accepts), and renames it over the target once complete, so a crash leaves the old file; it
then gives the new file the old one's mode and owner. The next save to the same path removes
the temporary files of saves whose process has died.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Callable
from typing import IO

_EFFECTIVE = os.access in os.supports_effective_ids  # judge by the ids open() uses
_TEMPORARY = re.compile(r"\.(?P<target>.+)\.(?P<pid>\d+)\.[0-9a-f]{12}\.tmp")


def is_temporary(path: str) -> bool:
    """Whether ``path`` is named like the temporary file of a save."""
    return _TEMPORARY.fullmatch(os.path.basename(path)) is not None


def write_atomically(path: str, write: Callable[[IO[bytes]], None]) -> None:
    """Call ``write`` on a temporary file beside ``path``'s target, then rename it over the target."""
    target = os.path.realpath(path)  # through symlinks: the link stays, its target changes
    folder, name = os.path.split(target)
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise IsADirectoryError(errno.EISDIR, "minigrad.save: the path is a folder", path)
    if existing is not None and not os.access(target, os.W_OK, effective_ids=_EFFECTIVE):
        raise PermissionError(errno.EACCES, "minigrad.save: the file is not writable", path)
    _remove_leftovers(folder, name)
    try:
        temporary, fd = _create_temporary(folder, name, 0o666 if existing is None else existing.st_mode)
    except OSError as err:
        raise type(err)(
            err.errno, f"minigrad.save: cannot create a file in {folder!r} ({err.strerror})", path
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            if existing is not None:
                _keep_owner_and_mode(temporary, existing)
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)


def _create_temporary(folder: str, name: str, mode: int) -> tuple[str, int]:
    """A new file that only this call opened; ``mode`` is masked by the umask, as by ``open``."""
    while True:
        temporary = os.path.join(folder, f".{name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
        try:
            return temporary, os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IMODE(mode))
        except FileExistsError:
            continue


def _keep_owner_and_mode(temporary: str, existing: os.stat_result) -> None:
    """Give the new file the replaced file's owner (where allowed) and exact permission bits."""
    current = os.stat(temporary)
    if (current.st_uid, current.st_gid) != (existing.st_uid, existing.st_gid) and hasattr(os, "chown"):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.chown(temporary, existing.st_uid, existing.st_gid)
    os.chmod(temporary, stat.S_IMODE(existing.st_mode))


def _remove_leftovers(folder: str, name: str) -> None:
    """Delete the temporary files that killed saves to ``name`` left behind (POSIX only)."""
    if os.name != "posix":
        return  # os.kill(pid, 0) would terminate the process on Windows
    with contextlib.suppress(OSError):
        for entry in os.listdir(folder):
            match = _TEMPORARY.fullmatch(entry)
            if match and match["target"] == name and not _running(int(match["pid"])):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, entry))


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of this process may be writing it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True


def _fsync_folder(folder: str) -> None:
    """Make the rename durable where the platform allows opening a folder (POSIX)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
