"""Saving over a path as torch.save would (symlinks, permissions), yet atomically, naming the path."""

import contextlib
import io
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import minigrad

REPO = Path(__file__).resolve().parents[1]
NOBODY = 65534


def save_ones(path, n=3):
    minigrad.save({"w": minigrad.ones(n)}, path)


def saved_size(path):
    return minigrad.load(path)["w"].shape[0]


@pytest.fixture
def shared_dir():
    """A folder anyone may enter and write (tmp_path's parents are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="minigrad-save-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder)


@contextlib.contextmanager
def unprivileged():
    """Run the block as a user for whom permission bits count (root ignores them)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_a_symlink_keeps_pointing_at_its_updated_target(tmp_path):
    target, link = tmp_path / "real.npz", tmp_path / "link.npz"
    save_ones(target, 1)
    link.symlink_to(target.name)
    save_ones(link, 5)
    assert link.is_symlink() and os.readlink(link) == "real.npz"
    assert saved_size(target) == 5 and sorted(os.listdir(tmp_path)) == ["link.npz", "real.npz"]


def test_a_dangling_symlink_gets_its_target_created(tmp_path):
    link = tmp_path / "link.npz"
    link.symlink_to("made.npz")
    save_ones(link, 2)
    assert link.is_symlink() and saved_size(tmp_path / "made.npz") == 2


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604, 0o755])
def test_an_existing_files_permission_bits_are_kept(tmp_path, mode):
    path = tmp_path / "private.npz"
    save_ones(path)
    path.chmod(mode)
    save_ones(path, 4)
    assert stat.S_IMODE(path.stat().st_mode) == mode and saved_size(path) == 4


def test_a_new_file_gets_the_mode_open_gives(tmp_path):
    (tmp_path / "plain").write_bytes(b"")
    save_ones(tmp_path / "new.npz")
    assert (tmp_path / "new.npz").stat().st_mode == (tmp_path / "plain").stat().st_mode


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another user")
def test_an_existing_files_owner_is_kept(tmp_path):
    path = tmp_path / "theirs.npz"
    save_ones(path)
    os.chown(path, NOBODY, NOBODY)
    save_ones(path, 2)
    assert (path.stat().st_uid, path.stat().st_gid) == (NOBODY, NOBODY) and saved_size(path) == 2


def test_a_file_one_may_not_write_is_refused_and_kept(shared_dir):
    path = shared_dir / "readonly.npz"
    save_ones(path, 1)
    path.chmod(0o444)
    with unprivileged(), pytest.raises(PermissionError, match="not writable") as error:
        save_ones(path, 6)
    assert error.value.filename == str(path) and saved_size(path) == 1
    assert os.listdir(shared_dir) == ["readonly.npz"]


@pytest.mark.torch
def test_pytorch_refuses_the_same_file(shared_dir):
    """PyTorch's C++ writer says so with a RuntimeError; minigrad raises Python's PermissionError."""
    torch = pytest.importorskip("torch")
    path = shared_dir / "readonly.pt"
    path.write_bytes(b"old")
    path.chmod(0o444)
    torch.save({"w": torch.ones(1)}, io.BytesIO())  # imports what it needs while it still can
    with unprivileged(), pytest.raises((PermissionError, RuntimeError), match="Permission denied"):
        torch.save({"w": torch.ones(1)}, path)


@pytest.mark.parametrize("exists", [False, True])
def test_a_read_only_folder_is_refused_naming_the_target(shared_dir, exists):
    folder = shared_dir / "locked"
    folder.mkdir()
    path = folder / "model.npz"
    if exists:
        save_ones(path, 1)
        path.chmod(0o666)
    folder.chmod(0o555)
    with unprivileged(), pytest.raises(PermissionError) as error:
        save_ones(path)
    assert error.value.filename == str(path) and ".tmp" not in str(error.value), str(error.value)
    assert os.listdir(folder) == (["model.npz"] if exists else [])


def test_a_missing_folder_is_named(tmp_path):
    path = tmp_path / "no" / "such" / "model.npz"
    with pytest.raises(FileNotFoundError) as error:
        save_ones(path)
    assert error.value.filename == str(path) and ".tmp" not in str(error.value), str(error.value)


def test_a_folder_is_not_overwritten(tmp_path):
    (tmp_path / "model.npz").mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder"):
        save_ones(tmp_path / "model.npz")


KILLED_SAVE = """
import os, sys
import numpy as np
import minigrad

real_write_array = np.lib.format.write_array

def write_half_then_die(handle, array, **kwargs):
    real_write_array(handle, array[: array.size // 2], **kwargs)
    handle.flush()
    os._exit(9)

np.lib.format.write_array = write_half_then_die
minigrad.save({"w": minigrad.ones(1000)}, sys.argv[1])
"""


def test_a_killed_saves_temporary_is_never_loaded_and_the_next_save_removes_it(tmp_path):
    path = tmp_path / "model.npz"
    save_ones(path, 2)
    killed = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(path)], cwd=REPO)
    assert killed.returncode == 9
    (leftover,) = set(os.listdir(tmp_path)) - {"model.npz"}
    assert leftover.startswith(".model.npz.") and leftover.endswith(".tmp")
    assert saved_size(path) == 2  # the old file is whole
    with pytest.raises(ValueError, match="temporary file of a save that did not finish"):
        minigrad.load(tmp_path / leftover)
    save_ones(path, 7)
    assert os.listdir(tmp_path) == ["model.npz"] and saved_size(path) == 7


def test_temporaries_of_running_saves_and_of_other_targets_are_left_alone(tmp_path):
    mine = tmp_path / f".model.npz.{os.getpid()}.0123456789ab.tmp"  # this process may be writing it
    other = tmp_path / f".other.npz.{NOBODY * 100}.0123456789ab.tmp"
    mine.write_bytes(b"")
    other.write_bytes(b"")
    save_ones(tmp_path / "model.npz")
    assert sorted(os.listdir(tmp_path)) == sorted(["model.npz", mine.name, other.name])
