"""save/load: plain .npz round trips, no pickle ever, clear errors, atomic writes."""

import io
import os
import pickle
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
