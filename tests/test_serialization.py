"""save/load: plain .npz round trips, no pickle ever, clear errors, atomic writes."""

import io
import os
import pickle
import re
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim, serialization


def model_state():
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2, dtype=np.float64))
    model.register_buffer("steps", minigrad.tensor([7]))
    return model.state_dict()


def assert_same_state(loaded, expected):
    assert list(loaded) == list(expected)
    for key, value in expected.items():
        assert isinstance(loaded[key], minigrad.Tensor), key
        assert loaded[key].dtype == value.dtype and loaded[key].shape == value.shape
        np.testing.assert_array_equal(loaded[key].numpy(), value.numpy())


def test_state_dict_round_trip(tmp_path):
    state = model_state()
    path = tmp_path / "model.npz"
    minigrad.save(state, path)
    loaded = minigrad.load(path)
    assert isinstance(loaded, OrderedDict)
    assert_same_state(loaded, state)
    assert minigrad.load(str(path), map_location="cpu")["0.weight"].device == "cpu"


def test_the_file_is_a_plain_npz_that_numpy_reads(tmp_path):
    state = model_state()
    path = tmp_path / "model.npz"
    minigrad.save(state, path)
    with np.load(path, allow_pickle=False) as archive:
        assert set(archive.files) == set(state) | {serialization.META_NAME}
        np.testing.assert_array_equal(archive["0.weight"], state["0.weight"].numpy())


def test_a_plain_numpy_npz_loads_as_a_state_dict(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, **{"0.weight": np.ones((2, 3), np.float32), "0.bias": np.zeros(2)})
    loaded = minigrad.load(path)
    assert list(loaded) == ["0.weight", "0.bias"]
    assert loaded["0.weight"].dtype == np.float32 and loaded["0.bias"].dtype == np.float64


def test_the_path_is_used_exactly(tmp_path):
    path = tmp_path / "checkpoint.bin"
    minigrad.save({"a": minigrad.ones(1)}, path)
    assert os.listdir(tmp_path) == ["checkpoint.bin"]


def test_nested_structures_round_trip(tmp_path):
    param = nn.Parameter(minigrad.ones(2))
    optimizer = optim.Adam([param], betas=(0.5, 0.9))
    param.grad = minigrad.ones(2)
    optimizer.step()
    state = optimizer.state_dict()
    extra = {
        "list": [1, 2.5, None, True, "text", float("inf")],
        "array": np.arange(3),
        "scalar": np.float32(2.5),
        "keys": {0: "int key", "0": "str key", 1.5: "float key"},
    }
    path = tmp_path / "nested.npz"
    minigrad.save({"optimizer": state, "extra": extra, "tensor": minigrad.zeros(2, 2)}, path)
    loaded = minigrad.load(path)
    assert loaded["optimizer"]["param_groups"] == state["param_groups"]
    assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.5, 0.9)
    assert list(loaded["optimizer"]["state"]) == [0]
    for key, value in state["state"][0].items():
        np.testing.assert_array_equal(loaded["optimizer"]["state"][0][key].numpy(), value.numpy())
    assert loaded["extra"]["list"] == extra["list"]
    assert isinstance(loaded["extra"]["array"], np.ndarray) and loaded["extra"]["scalar"] == np.float32(2.5)
    assert loaded["extra"]["keys"] == extra["keys"]
    assert type(loaded["extra"]) is dict and loaded["tensor"].shape == (2, 2)


def test_a_single_tensor_and_file_objects_round_trip():
    buffer = io.BytesIO()
    minigrad.save(minigrad.arange(6).reshape(2, 3), buffer)
    buffer.seek(0)
    loaded = minigrad.load(buffer)
    np.testing.assert_array_equal(loaded.numpy(), np.arange(6).reshape(2, 3))


def test_map_location_takes_a_device_or_a_name(tmp_path):
    state = {"w": minigrad.ones(2).to("cpu")}
    minigrad.save(state, tmp_path / "w.npz")
    assert minigrad.load(tmp_path / "w.npz", map_location=minigrad.device("cpu"))["w"].device == "cpu"
    with pytest.raises(TypeError, match="map_location"):
        minigrad.load(tmp_path / "w.npz", map_location=lambda storage, loc: storage)


# --- refusing pickle ----------------------------------------------------------------------------------


class Payload:
    """Unpickling this runs code: it writes a marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('pwned')",))


def test_a_pickle_payload_inside_an_npz_does_not_run(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "evil.npz"
    payload = np.empty(1, dtype=object)
    payload[0] = Payload(marker)
    np.savez(path, weight=np.ones(2), evil=payload)  # numpy pickles object arrays by default
    with pytest.raises(ValueError, match="pickled"):
        minigrad.load(path)
    assert not marker.exists()
    # the payload is live: unpickling it the unsafe way does run it
    with np.load(path, allow_pickle=True) as archive:
        archive["evil"]
    assert marker.read_text() == "pwned"


def test_a_raw_pickle_file_does_not_run(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"weight": Payload(marker)}))
    with pytest.raises(ValueError, match="not an .npz"):
        minigrad.load(path)
    assert not marker.exists()


def test_saving_object_arrays_is_refused(tmp_path):
    path = tmp_path / "model.npz"
    with pytest.raises(TypeError, match="object arrays need pickle"):
        minigrad.save({"w": np.array([1, "a"], dtype=object)}, path)
    with pytest.raises(TypeError, match="cannot save set at key nested.bad"):
        minigrad.save({"nested": {"bad": {1, 2}}}, path)
    with pytest.raises(TypeError, match="dict key"):
        minigrad.save({("a", "b"): minigrad.ones(1)}, path)
    assert not path.exists() and os.listdir(tmp_path) == []


# --- bad files ----------------------------------------------------------------------------------------


def saved(tmp_path):
    path = tmp_path / "model.npz"
    minigrad.save(model_state(), path)
    return path, path.read_bytes()


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        minigrad.load(tmp_path / "absent.npz")


def test_a_file_truncated_anywhere_is_refused(tmp_path):
    path = tmp_path / "small.npz"
    minigrad.save({"w": minigrad.arange(3.0), "b": minigrad.zeros(2)}, path)
    data = path.read_bytes()
    for length in range(len(data)):
        path.write_bytes(data[:length])
        with pytest.raises(ValueError, match="corrupt or truncated|not an .npz"):
            minigrad.load(path)


def test_corrupted_bytes(tmp_path):
    path, data = saved(tmp_path)
    middle = len(data) // 3
    path.write_bytes(
        data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 16]) + data[middle + 16 :]
    )
    with pytest.raises(ValueError, match="corrupt"):
        minigrad.load(path)


def test_every_damaged_byte_is_caught_or_harmless(tmp_path):
    path = tmp_path / "small.npz"
    minigrad.save({"w": minigrad.arange(3.0)}, path)
    data = path.read_bytes()
    for position in range(len(data)):
        damaged = bytearray(data)
        damaged[position] ^= 0xFF
        path.write_bytes(bytes(damaged))
        try:
            loaded = minigrad.load(path)
        except (ValueError, OSError) as err:
            assert "minigrad.load" in str(err), (position, err)
        else:  # a byte zip does not check (a timestamp, a flag): the data must be intact
            assert loaded["w"].tolist() == [0.0, 1.0, 2.0], position


@pytest.mark.parametrize(
    "content, message",
    [(b"", "it is empty"), (b"hello, world", "not an .npz"), (None, "not an .npz")],
)
def test_files_that_are_not_npz(tmp_path, content, message):
    path = tmp_path / "weights.npz"
    if content is None:
        np.save(tmp_path / "weights.npy", np.ones(3))
        path = tmp_path / "weights.npy"
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        minigrad.load(path)


def test_a_zip_of_other_things(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not an array")
    with pytest.raises(ValueError, match="not .npy arrays"):
        minigrad.load(path)


def test_an_unknown_metadata_format(tmp_path):
    path = tmp_path / "odd.npz"
    np.savez(path, **{serialization.META_NAME: np.array('{"format": "other"}')})
    with pytest.raises(ValueError, match="unknown format"):
        minigrad.load(path)
    np.savez(path, **{serialization.META_NAME: np.array("{not json")})
    with pytest.raises(ValueError, match="unreadable"):
        minigrad.load(path)
    np.savez(
        path,
        **{
            serialization.META_NAME: np.array(
                '{"format": "minigrad", "version": 1, "tree": {"tensor": "gone"}}'
            )
        },
    )
    with pytest.raises(ValueError, match="lacks the array 'gone'"):
        minigrad.load(path)


# --- atomic writes ------------------------------------------------------------------------------------


def test_a_failing_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path, before = saved(tmp_path)
    real_write_array = np.lib.format.write_array
    calls = []

    def failing_write_array(handle, array, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            real_write_array(handle, array[: len(array) // 2], **kwargs)
            raise OSError("disk full")
        real_write_array(handle, array, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", failing_write_array)
    with pytest.raises(OSError, match="disk full"):
        minigrad.save({"a": minigrad.ones(100), "b": minigrad.ones(100)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]


def test_a_failing_rename_leaves_no_temporary(tmp_path, monkeypatch):
    path, before = saved(tmp_path)

    def failing_replace(source, target):
        raise OSError("rename failed")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="rename failed"):
        minigrad.save({"a": minigrad.ones(3)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]


def test_overwriting_replaces_the_file(tmp_path):
    path, _ = saved(tmp_path)
    minigrad.save({"only": minigrad.ones(1)}, path)
    assert list(minigrad.load(path)) == ["only"]
    assert os.listdir(tmp_path) == ["model.npz"]


def test_device_tensors_round_trip_through_the_host(tmp_path):
    from minigrad.testing.standin import StandinArray, use_standin

    path = tmp_path / "device.npz"
    with use_standin():
        minigrad.save({"w": minigrad.arange(4, device="cuda")}, path)
        on_device = minigrad.load(path)["w"]
        assert isinstance(on_device.array, StandinArray)
        on_host = minigrad.load(path, map_location="cpu")["w"]
        assert type(on_host.array) is np.ndarray and on_host.tolist() == [0, 1, 2, 3]
    with np.load(path) as archive:
        assert archive["w"].tolist() == [0, 1, 2, 3]


def test_a_missing_device_suggests_map_location(tmp_path, monkeypatch):
    import minigrad.backend as backend_module
    from minigrad.testing.standin import use_standin

    path = tmp_path / "device.npz"
    with use_standin():
        minigrad.save({"w": minigrad.ones(2, device="cuda")}, path)

    def no_gpu():
        raise RuntimeError("device 'cuda' needs CuPy and an NVIDIA GPU")

    monkeypatch.delitem(backend_module._BACKENDS, "cuda", raising=False)
    monkeypatch.setattr(backend_module, "_load_cupy", no_gpu)
    with pytest.raises(RuntimeError, match="map_location='cpu'"):
        minigrad.load(path)
    assert minigrad.load(path, map_location="cpu")["w"].tolist() == [1.0, 1.0]


# --- keys are kept exactly, member names are harmless ------------------------------------------------

AWKWARD_KEYS = ["w", "w.npy", "W", "a.b", "../evil", "/etc/passwd", "C:\\temp\\x", "nul\x00byte", "", " ", ".hidden",
                "ünïcødé", "x" * 300, "data", "w#1", serialization.META_NAME, "w.NPY"]  # fmt: skip


def test_distinct_keys_stay_distinct_and_member_names_are_harmless(tmp_path):
    state = {key: minigrad.full((1,), float(number)) for number, key in enumerate(AWKWARD_KEYS)}
    state["a"] = {"b": minigrad.full((1,), -1.0)}  # flattens to the same text as the key "a.b"
    path = tmp_path / "keys.npz"
    minigrad.save(state, path)
    loaded = minigrad.load(path)
    assert list(loaded) == list(state)
    for number, key in enumerate(AWKWARD_KEYS):
        assert loaded[key].tolist() == [float(number)], repr(key)
    assert loaded["a"]["b"].tolist() == [-1.0]
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    assert len({name.casefold() for name in names}) == len(names) == len(state) + 1
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.#-]*\.npy", name) and len(name) <= 120, name
    with np.load(path) as archive:  # NumPy's reader tells them apart too
        assert archive["w"].tolist() == [0.0] and archive["a.b"].tolist() == [3.0]


def test_a_key_too_long_is_refused_clearly(tmp_path):
    with pytest.raises(ValueError, match=r"key 'kkkk.*is 70000 characters long, more than the 1024"):
        minigrad.save({"k" * 70_000: minigrad.ones(1)}, tmp_path / "long.npz")
    assert os.listdir(tmp_path) == []


# --- what cannot be saved is refused before anything is written ----------------------------------------


def cyclic_list():
    loop = [minigrad.ones(1)]
    loop.append(loop)
    return {"loop": loop}


def cyclic_dict():
    inner = {}
    inner["me"] = inner
    return {"outer": inner}


def nested(depth):
    value = minigrad.ones(1)
    for _ in range(depth):
        value = [value]
    return {"deep": value}


UNSAVABLE = [
    ("a list holding itself", cyclic_list, ValueError, r"the list at key loop\.1 contains itself"),
    ("a dict holding itself", cyclic_dict, ValueError, r"the dict at key outer\.me contains itself"),
    ("nesting 10000 deep", lambda: nested(10_000), ValueError, r"key deep(\.0)+ is nested more than 100 levels"),
    ("a set", lambda: {"s": {1, 2}}, TypeError, "cannot save set at key s"),
    ("a complex number", lambda: {"c": [1, 2j]}, TypeError, r"cannot save complex at key c\.1"),
    ("bytes", lambda: {"b": b"raw"}, TypeError, "cannot save bytes at key b"),
    ("an object", lambda: {"o": object()}, TypeError, "cannot save object at key o"),
    ("a function", lambda: {"f": print}, TypeError, "cannot save builtin_function_or_method at key f"),
    ("a complex array", lambda: {"z": np.ones(2, complex)}, TypeError, "array at key z: it has dtype complex128"),
    ("a string array", lambda: {"t": np.array(["a"])}, TypeError, "array at key t: it has dtype <U1"),
    ("a datetime array", lambda: {"d": np.array(["2020"], "M8[Y]")}, TypeError, "key d: it has dtype datetime64"),
    ("a complex scalar", lambda: {"n": np.complex64(1)}, TypeError, "key n: it has dtype complex64"),
]  # fmt: skip


@pytest.mark.parametrize("case", UNSAVABLE, ids=[c[0] for c in UNSAVABLE])
def test_what_cannot_be_saved_is_refused_naming_the_key(case, tmp_path):
    _, make, error, message = case
    buffer = io.BytesIO()
    with pytest.raises(error, match=message):
        minigrad.save(make(), tmp_path / "x.npz")
    with pytest.raises(error, match=message):
        minigrad.save(make(), buffer)
    assert os.listdir(tmp_path) == [] and buffer.getvalue() == b""


def test_nesting_up_to_the_limit_is_fine(tmp_path):
    minigrad.save(nested(99), tmp_path / "deep.npz")
    value = minigrad.load(tmp_path / "deep.npz")["deep"]
    for _ in range(99):
        (value,) = value
    assert value.tolist() == [1.0]


# --- what tensors are, and what they share, is kept --------------------------------------------------------


def test_parameters_and_requires_grad_round_trip(tmp_path):
    state = {
        "param": nn.Parameter(minigrad.ones(2)),
        "frozen": nn.Parameter(minigrad.ones(2), requires_grad=False),
        "leaf": minigrad.ones(2, requires_grad=True),
        "plain": minigrad.ones(2),
        "ints": minigrad.arange(3),
    }
    minigrad.save(state, tmp_path / "p.npz")
    loaded = minigrad.load(tmp_path / "p.npz")
    assert [type(v).__name__ for v in loaded.values()] == [
        "Parameter",
        "Parameter",
        "Tensor",
        "Tensor",
        "Tensor",
    ]
    assert [v.requires_grad for v in loaded.values()] == [True, False, True, False, False]
    assert all(v.is_leaf and v.device == state["plain"].device for v in loaded.values())


def test_tensors_sharing_memory_load_sharing_it(tmp_path):
    base = minigrad.arange(24.0).reshape(4, 6)
    param = nn.Parameter(minigrad.zeros(3))
    state = {
        "base": base,
        "row": base[1],
        "column": base[:, 2],
        "block": base[1:3, 2:5],
        "transposed": base.t(),
        "again": base,
        "param": param,
        "param data": param.detach(),
        "alone": minigrad.ones(2),
    }
    minigrad.save(state, tmp_path / "views.npz")
    loaded = minigrad.load(tmp_path / "views.npz")
    for key, value in state.items():
        assert loaded[key].shape == value.shape and loaded[key].tolist() == value.tolist(), key
    with minigrad.no_grad():
        loaded["base"][1, 2] = -1.0
        loaded["param"].fill_(5.0)
    assert loaded["row"][2].item() == loaded["column"][1].item() == loaded["block"][0, 0].item() == -1.0
    assert loaded["transposed"][2, 1].item() == loaded["again"][1, 2].item() == -1.0
    assert loaded["param data"].tolist() == [5.0, 5.0, 5.0] and loaded["alone"].tolist() == [1.0, 1.0]
    with np.load(tmp_path / "views.npz") as archive:  # one storage per group, nothing duplicated
        assert sorted(archive.files) == ["__minigrad__", "alone", "base.storage", "param.storage"]


def test_views_keep_only_the_memory_they_span(tmp_path):
    big = minigrad.zeros(1_000_000)
    minigrad.save({"a": big[10:20], "b": big[15:30], "c": big[500_000:500_004]}, tmp_path / "small.npz")
    assert (tmp_path / "small.npz").stat().st_size < 4000
    loaded = minigrad.load(tmp_path / "small.npz")
    with minigrad.no_grad():
        loaded["a"][7] = 3.0
    assert loaded["b"][2].item() == 3.0 and loaded["c"].tolist() == [0.0] * 4


def test_a_broadcast_view_is_saved_as_a_copy(tmp_path):
    row = minigrad.arange(3.0)
    state = {"row": row, "rows": row.expand(4, 3)}
    minigrad.save(state, tmp_path / "b.npz")
    loaded = minigrad.load(tmp_path / "b.npz")
    assert loaded["rows"].tolist() == [[0.0, 1.0, 2.0]] * 4 and loaded["row"].tolist() == [0.0, 1.0, 2.0]


def test_loaded_views_saved_again_still_share(tmp_path):
    base = minigrad.arange(10.0, device="cpu")  # as_strided views on the host know their storage
    minigrad.save({"base": base, "tail": base[4:], "odd": base[1::2]}, tmp_path / "first.npz")
    minigrad.save(minigrad.load(tmp_path / "first.npz"), tmp_path / "again.npz")
    loaded = minigrad.load(tmp_path / "again.npz")
    with minigrad.no_grad():
        loaded["base"][5] = -1.0
    assert loaded["tail"][1].item() == loaded["odd"][2].item() == -1.0
