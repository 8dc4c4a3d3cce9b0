"""``.safetensors``: written and read without the library, interchangeable with what it and PyTorch write."""

import io
import json
import struct
import tracemalloc
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing.standin import StandinArray, use_standin

DTYPES = ["float16", "float32", "float64", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]  # fmt: skip


def all_dtypes():
    state = OrderedDict()
    for number, dtype in enumerate(DTYPES):
        state[f"t.{dtype}"] = minigrad.tensor((np.arange(6).reshape(2, 3) + number) % 2 == 0 if dtype == "bool"
                                              else np.arange(6).reshape(2, 3) + number, dtype=dtype)  # fmt: skip
    state["scalar"] = minigrad.tensor(3.5)
    state["empty"] = minigrad.zeros(0, 4)
    return state


def parse(data):
    """The header and the data of a .safetensors file, read by hand."""
    (length,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + length]), data[8 + length :], length


def test_round_trip_of_every_dtype(tmp_path):
    state = all_dtypes()
    minigrad.save(state, tmp_path / "m.safetensors")
    loaded = minigrad.load(tmp_path / "m.safetensors")
    assert isinstance(loaded, OrderedDict) and list(loaded) == list(state)
    for key, value in state.items():
        assert loaded[key].dtype == value.dtype and loaded[key].shape == value.shape, key
        np.testing.assert_array_equal(loaded[key].numpy(), value.numpy())


def test_the_layout_is_the_formats(tmp_path):
    path = tmp_path / "m.safetensors"
    minigrad.save({"b": minigrad.arange(3, dtype=np.int16), "a": minigrad.ones(2, 2, dtype=np.float64)}, path)
    header, data, length = parse(path.read_bytes())
    assert length % 8 == 0 and list(header) == ["__metadata__", "b", "a"]
    assert header["__metadata__"] == {"format": "pt"}
    assert header["a"] == {"dtype": "F64", "shape": [2, 2], "data_offsets": [0, 32]}  # widest first: aligned
    assert header["b"] == {"dtype": "I16", "shape": [3], "data_offsets": [32, 38]}
    assert data == np.ones(4, "<f8").tobytes() + np.arange(3, dtype="<i2").tobytes()


def test_a_file_object_and_a_device(tmp_path):
    buffer = io.BytesIO()
    buffer.name = "in-memory.safetensors"
    minigrad.save({"w": minigrad.arange(4.0)}, buffer)
    buffer.seek(0)
    with use_standin():
        loaded = minigrad.load(buffer, map_location="cuda")["w"]
        assert isinstance(loaded.array, StandinArray) and loaded.tolist() == [0.0, 1.0, 2.0, 3.0]
    buffer.seek(0)
    assert minigrad.load(io.BytesIO(buffer.read()))["w"].tolist() == [
        0.0,
        1.0,
        2.0,
        3.0,
    ]  # found by its bytes


# --- files the safetensors library and PyTorch wrote ------------------------------------------------


@pytest.mark.safetensors
def test_files_the_safetensors_library_writes_load_and_ours_read_back(tmp_path):
    numpy_format = pytest.importorskip("safetensors.numpy")
    arrays = {dtype: (np.arange(6).reshape(3, 2) % 2).astype(dtype) for dtype in DTYPES}
    numpy_format.save_file(arrays, tmp_path / "lib.safetensors", metadata={"note": "theirs"})
    loaded = minigrad.load(tmp_path / "lib.safetensors")
    for dtype, array in arrays.items():
        assert loaded[dtype].dtype == array.dtype
        np.testing.assert_array_equal(loaded[dtype].numpy(), array)
    minigrad.save(loaded, tmp_path / "ours.safetensors")
    back = numpy_format.load_file(tmp_path / "ours.safetensors")
    for dtype, array in arrays.items():
        np.testing.assert_array_equal(back[dtype], array)


def small_model(library):
    return library.nn.Sequential(
        library.nn.Conv2d(2, 3, 3, padding=1),
        library.nn.ReLU(),
        library.nn.Flatten(),
        library.nn.Linear(48, 4),
    )


@pytest.mark.torch
def test_a_pytorch_state_dict_moves_through_safetensors_both_ways(tmp_path):
    torch = pytest.importorskip("torch")
    torch_format = pytest.importorskip("safetensors.torch")
    torch.manual_seed(0)
    theirs = small_model(torch)
    torch_format.save_file(theirs.state_dict(), tmp_path / "theirs.safetensors")
    ours = small_model(minigrad)
    ours.load_state_dict(minigrad.load(tmp_path / "theirs.safetensors"))
    x = np.random.default_rng(0).normal(size=(5, 2, 4, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(minigrad.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)  # fmt: skip
    with minigrad.no_grad():
        for param in ours.parameters():
            param.mul_(2.0)
    minigrad.save(ours.state_dict(), tmp_path / "ours.safetensors")
    theirs.load_state_dict(torch_format.load_file(tmp_path / "ours.safetensors"))
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(theirs.state_dict()[key].numpy(), value.numpy())


# --- what cannot be written ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "obj, error, message",
    [
        ([minigrad.ones(1)], TypeError, "holds a dict of name -> Tensor, got list"),
        (
            {"nested": {"w": minigrad.ones(1)}},
            TypeError,
            "key nested holds dict; save nested state to an .npz",
        ),
        ({"n": 3}, TypeError, "key n holds int"),
        ({1: minigrad.ones(1)}, TypeError, "name must be a str other than '__metadata__', got 1"),
        ({"__metadata__": minigrad.ones(1)}, TypeError, "other than '__metadata__'"),
    ],
)
def test_what_a_safetensors_file_cannot_hold_is_refused(tmp_path, obj, error, message):
    with pytest.raises(error, match=message):
        minigrad.save(obj, tmp_path / "x.safetensors")
    assert list(tmp_path.iterdir()) == []


def test_tensors_sharing_memory_are_refused_as_pytorch_refuses_them(tmp_path):
    base = minigrad.arange(6.0)
    with pytest.raises(RuntimeError, match=r"some tensors share memory \(\[\['a', 'b'\]\]\)"):
        minigrad.save({"a": base, "b": base[2:], "c": minigrad.ones(1)}, tmp_path / "x.safetensors")
    minigrad.save(
        {"a": base[:2], "b": base[2:]}, tmp_path / "apart.safetensors"
    )  # disjoint: no sharing to lose
    assert minigrad.load(tmp_path / "apart.safetensors")["b"].tolist() == [2.0, 3.0, 4.0, 5.0]


# --- what cannot be read ------------------------------------------------------------------------------


def file_with(header, data=b"", length=None):
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + data


def entry(dtype="F32", shape=(2,), offsets=(0, 8)):
    return {"dtype": dtype, "shape": list(shape), "data_offsets": list(offsets)}


BAD = {
    "a header longer than the file": (file_with(b"{}", length=1000), "declares a header of 1000 bytes"),
    "a header of 2**63 bytes": (file_with(b"{}", length=1 << 63), "declares a header of 9223372036854775808"),
    "a cut header": (struct.pack("<Q", 20) + b'{"a": {"dtype": "F32"' + b" " * 10, "unreadable safetensors header"),
    "no header length": (b"\x07\x00\x00{", r"corrupt or truncated \(4 bytes where the 8-byte header length"),
    "a header that is not JSON": (file_with(b"{not json}"), "unreadable safetensors header"),
    "a header that is not UTF-8": (file_with(b'{"\xff": 1}'), "not UTF-8"),
    "a header that is a list": (file_with(b"[1, 2]", length=None), "not an object"),
    "a name given twice": (file_with(b'{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, '
                                     b'"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}', bytes(8)),
                           "a key appears twice"),
    "bfloat16": (file_with({"w": entry("BF16", (2,), (0, 4))}, bytes(4)), "dtype 'BF16', which minigrad has no"),
    "an unknown dtype": (file_with({"w": entry("Q7")}, bytes(8)), "dtype 'Q7'"),
    "a negative dimension": (file_with({"w": entry(shape=(-2,))}, bytes(8)), r"shape \[-2\], not a list"),
    "a float dimension": (file_with({"w": entry(shape=(2.0,))}, bytes(8)), "not a list of non-negative ints"),
    "a missing field": (file_with({"w": {"dtype": "F32", "shape": [2]}}, bytes(8)), "needs exactly dtype, shape"),
    "a size that disagrees": (file_with({"w": entry(offsets=(0, 12))}, bytes(12)), r"spans bytes \[0, 12\]"),
    "backwards offsets": (file_with({"w": entry(shape=(0,), offsets=(8, 0))}, bytes(8)), r"spans bytes \[8, 0\]"),
    "overlapping ranges": (file_with({"a": entry(), "b": entry(offsets=(4, 12))}, bytes(12)), "overlaps the one before"),
    "the same range twice": (file_with({"a": entry(), "b": entry()}, bytes(8)), "overlaps the one before"),
    "a gap": (file_with({"a": entry(offsets=(4, 12))}, bytes(12)), "leaves a gap before it"),
    "a range past the end": (file_with({"a": entry(shape=(4,), offsets=(0, 16))}, bytes(8)), "span 16 bytes, but 8"),
    "bytes nobody owns": (file_with({"a": entry()}, bytes(12)), "span 8 bytes, but 12 bytes of data"),
    "metadata of numbers": (file_with({"__metadata__": {"a": 1}}), "must map str to str"),
    "a huge shape": (file_with({"w": entry(shape=(1 << 40,), offsets=(0, 1 << 42))}, bytes(8)), "span 4398046511104"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_malformed_file_is_refused_before_its_data_is_read(case, tmp_path):
    data, message = BAD[case]
    path = tmp_path / "bad.safetensors"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=message) as error:
            minigrad.load(path)
        assert tracemalloc.get_traced_memory()[1] < 64 << 10
    finally:
        tracemalloc.stop()
    assert repr(str(path)) in str(error.value)


def test_a_truncated_file_is_refused_anywhere(tmp_path):
    path = tmp_path / "cut.safetensors"
    minigrad.save({"a": minigrad.arange(3.0), "b": minigrad.ones(2, dtype=np.int64)}, path)
    data = path.read_bytes()
    for length in range(len(data)):
        path.write_bytes(data[:length])
        with pytest.raises(ValueError, match="minigrad.load"):
            minigrad.load(path)


def test_max_bytes_applies(tmp_path):
    path = tmp_path / "m.safetensors"
    minigrad.save({"w": minigrad.ones(100)}, path)
    with pytest.raises(
        ValueError, match=r"declares 400 bytes of arrays \(the largest is 'w'\), more than the 399"
    ):
        minigrad.load(path, max_bytes=399)
    assert minigrad.load(path, max_bytes=400)["w"].shape == (100,)


HEADER_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 20) | st.sampled_from(["F32", "I64", "BOOL", "x"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["dtype", "shape", "data_offsets", "__metadata__", "w"]), inner, max_size=4
        )
    ),
    max_leaves=10,
)


@given(header=st.dictionaries(st.sampled_from(["a", "b", "__metadata__"]), HEADER_VALUES, max_size=3),
       data=st.binary(max_size=24))  # fmt: skip
def test_any_header_loads_or_is_a_value_error(header, data):
    try:
        minigrad.load(io.BytesIO(file_with(header, data)))
    except ValueError as err:
        assert str(err).startswith("minigrad.load: '<file object>'"), err
