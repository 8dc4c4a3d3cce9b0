"""load refuses what is not a plain numeric checkpoint, and cheaply: sizes are checked before data.

Memory is measured with tracemalloc (NumPy reports its allocations to it), never time.
"""

import io
import json
import struct
import tracemalloc
import warnings
import zipfile
import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad import serialization

GIB = 1 << 30


def zip_of(name, data, size, crc, method=zipfile.ZIP_DEFLATED):
    """A one-member zip archive whose directory declares ``size`` bytes for ``data``, written by hand."""
    name = name.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(data), size, len(name), 0)
    central = struct.pack(
        "<4s6H3L5H2L",
        b"PK\x01\x02",
        20,
        20,
        0,
        method,
        0,
        0,
        crc,
        len(data),
        size,
        len(name),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(name), len(local) + len(name) + len(data), 0
    )
    return local + name + data + central + name + end


def npy_header(shape, descr="<f8"):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": descr, "fortran_order": False, "shape": shape})
    return header.getvalue()


def deflate_bomb(gib=1):
    """A real bomb: a ~1 MB archive whose one member inflates to ``gib`` GiB of zeros (CRC and all)."""
    header, zeros = npy_header((gib * GIB // 8,)), bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(header) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)  # repeatable after a full flush
    crc = zlib.crc32(header)
    for _ in range(gib * 1024):
        crc = zlib.crc32(zeros, crc)
    data = start + block * (gib * 1024) + compressor.flush()
    return zip_of("w.npy", data, len(header) + gib * GIB, crc)


def peak_memory_of_refusal(data, match, **kwargs):
    """Load ``data``, expect a ValueError matching ``match``, and return the peak memory it took."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match):
            minigrad.load(io.BytesIO(data), **kwargs)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_zip_bomb_is_refused_before_inflating(tmp_path):
    bomb = deflate_bomb()
    assert len(bomb) < 2 << 20
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive, archive.open("w.npy") as member:  # it is genuine
        assert np.lib.format.read_magic(member) == (1, 0)
        assert np.lib.format.read_array_header_1_0(member)[0] == (GIB // 8,)
        assert member.read(4 << 20) == bytes(4 << 20)  # zeros, and so on for a gigabyte
    peak = peak_memory_of_refusal(
        bomb, r"declares 1073741952 bytes of arrays \(the largest is 'w'\), more than"
    )
    assert peak < 256 << 10, peak  # not even the 1 MB file was read into memory
    (tmp_path / "bomb.npz").write_bytes(bomb)
    with pytest.raises(ValueError, match="64 times the file's size"):
        minigrad.load(tmp_path / "bomb.npz")


def test_a_directory_that_declares_gigabytes_is_refused():
    lie = zip_of("w.npy", b"\0" * 64, 3 * GIB, 0)
    assert peak_memory_of_refusal(lie, "declares 3221225472 bytes") < 64 << 10


def test_an_npy_header_that_declares_more_than_its_member_holds_is_refused():
    header = npy_header((1 << 40,))  # 8 TiB of float64 in a member of a few bytes
    member = header + b"\0" * 16
    lie = zip_of("w.npy", member, len(member), zlib.crc32(member), method=zipfile.ZIP_STORED)
    peak = peak_memory_of_refusal(lie, r"corrupt or truncated \(member 'w' declares 1099511627776 elements")
    assert peak < 64 << 10


def test_max_bytes_sets_the_limit(tmp_path):
    path = tmp_path / "m.npz"
    minigrad.save({"w": minigrad.ones(1000, dtype=np.float64)}, path)
    with pytest.raises(ValueError, match=r"more than the 4000 allowed \(max_bytes=4000\)"):
        minigrad.load(path, max_bytes=4000)
    assert minigrad.load(path, max_bytes=20_000)["w"].shape == (1000,)
    with pytest.raises(TypeError, match="max_bytes must be an int or None, got '1'"):
        minigrad.load(path, max_bytes="1")
    with pytest.raises(ValueError, match="max_bytes must be non-negative, got -1"):
        minigrad.load(path, max_bytes=-1)


def test_a_compressed_npz_within_the_limit_loads(tmp_path):
    path = tmp_path / "c.npz"
    np.savez_compressed(path, w=np.zeros(10_000), b=np.arange(5))
    loaded = minigrad.load(path)
    assert loaded["w"].shape == (10_000,) and loaded["b"].tolist() == [0, 1, 2, 3, 4]


def npz_with(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def test_members_named_twice_are_refused():
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate, and writes it
        archive.writestr("w.npy", npz_member(np.ones(2)))
        archive.writestr("w.npy", npz_member(np.zeros(2)))
    with pytest.raises(ValueError, match=r"holds members named twice: \['w.npy'\]"):
        minigrad.load(io.BytesIO(buffer.getvalue()))


def npz_member(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_other_compression_methods_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("w.npy", npz_member(np.ones(2)))
    with pytest.raises(ValueError, match="member 'w.npy' is encrypted or compressed with method 12"):
        minigrad.load(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize(
    "array, problem",
    [
        (np.ones(2, complex), "dtype complex128"),
        (np.array(["text"]), "dtype <U4"),
        (np.array([b"bytes"]), "dtype |S5"),
        (np.zeros(2, dtype=[("a", "<f4"), ("b", "<i8")]), r"dtype \[\('a', '<f4'\), \('b', '<i8'\)\]"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "dtype datetime64"),
        (np.array([1], dtype="timedelta64[s]"), "dtype timedelta64"),
        (np.zeros(2, dtype=np.void(b"ab").dtype), "dtype |V2"),
        (np.ones(2, np.longdouble), "dtype float128, an extended precision float"),
        (np.array([None, 1], dtype=object), "pickled"),
    ],
    ids=["complex", "str", "bytes", "structured", "datetime", "timedelta", "void", "float128", "object"],
)
def test_members_that_are_not_plain_numbers_are_refused_by_name(array, problem):
    if np.dtype(array.dtype).kind == "f" and array.dtype.itemsize == 8:
        pytest.skip("this platform's long double is a plain float64")
    with pytest.raises(ValueError, match=f"member 'odd' has {problem}"):
        minigrad.load(io.BytesIO(npz_with(fine=np.ones(1), odd=array)))


@pytest.mark.parametrize(
    "dtype", ["<f2", "<f4", "<f8", "|b1", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8"]
)
@pytest.mark.parametrize("order", [">", "<"])
def test_every_plain_number_dtype_loads_in_native_order(dtype, order):
    array = (np.arange(12) % 2 if dtype == "|b1" else np.arange(12)).astype(
        np.dtype(dtype).newbyteorder(order)
    )
    loaded = minigrad.load(
        io.BytesIO(npz_with(w=array.reshape(3, 4), f=np.asfortranarray(array.reshape(3, 4))))
    )
    for key in ("w", "f"):
        assert loaded[key].dtype.isnative and loaded[key].dtype == np.dtype(dtype).newbyteorder("=")
        np.testing.assert_array_equal(loaded[key].numpy(), array.reshape(3, 4))


# --- malformed metadata ---------------------------------------------------------------------------


def with_meta(meta, **arrays):
    text = meta if isinstance(meta, str) else json.dumps(meta)
    return npz_with(**arrays, **{serialization.META_NAME: np.array(text)})


def tree(node, version=2):
    return {"format": "minigrad", "version": version, "tree": node}


MALFORMED = {
    "a tensor node with a number": (tree({"tensor": 5}), "lacks the array 5"),
    "two kinds in a node": (tree({"tensor": "a", "list": []}), "unknown node"),
    "an unknown key": (tree({"tensor": "a", "color": "red"}), "unknown node"),
    "a list of a dict": (tree({"list": {"a": 1}}), "a list that is not a list"),
    "dict items not pairs": (tree({"dict": [["a"]]}), r"items are not \[key, value\] pairs"),
    "a list as a key": (tree({"dict": [[["a"], 1]]}), r"items are not \[key, value\] pairs"),
    "a key twice": (tree({"dict": [["k", 1], ["k", 2]]}), "a key given twice"),
    "1 and True as keys": (tree({"dict": [[1, 1], [True, 2]]}), "a key given twice"),
    "a bare list": (tree([1, 2]), "unknown node"),
    "a member named twice": (tree({"list": [{"tensor": "a"}, {"tensor": "a"}]}), "named twice, which would make tensors alias"),
    "an array and a tensor on one member": (tree({"list": [{"ndarray": "a"}, {"tensor": "a"}]}), "named twice"),
    "a view of a storage also used alone": (
        tree({"list": [{"tensor": "a"}, {"tensor": "a", "view": [0, [1], [1]]}]}), "named twice"),
    "an unknown device": (tree({"tensor": "a", "device": "tpu"}), "unknown device 'tpu'"),
    "a device that is a number": (tree({"tensor": "a", "device": 0}), "unknown device 0"),
    "requires_grad of a string": (tree({"tensor": "a", "requires_grad": "yes"}), "must be true or false"),
    "requires_grad on integers": (tree({"tensor": "i", "requires_grad": True}), "requires_grad on a tensor of dtype int64"),
    "a view past the end": (tree({"tensor": "a", "view": [1, [3], [1]]}), "does not fit its storage"),
    "a view before the start": (tree({"tensor": "a", "view": [0, [2], [-1]]}), "does not fit its storage"),
    "a view with a float": (tree({"tensor": "a", "view": [0.5, [1], [1]]}), "does not fit"),
    "a view repeating elements": (tree({"tensor": "a", "view": [0, [1000, 1000], [0, 0]]}), "does not fit"),
    "a view of a 2-D member": (tree({"tensor": "m", "view": [0, [1], [1]]}), "does not fit its storage of shape"),
    "a scalar of an array": (tree({"numpy_scalar": "a"}), "numpy scalar stored as an array of shape"),
    "deep nesting": ('{"format": "minigrad", "version": 2, "tree": ' + '{"list": [' * 200 + "]}" * 200 + "}",
                     "nesting deeper than 100 levels"),
    "JSON nested past the recursion limit": ("[" * 100_000 + "]" * 100_000, "unreadable.*RecursionError"),
    "a repeated JSON key": ('{"format": "minigrad", "format": "minigrad", "version": 2, "tree": 1}',
                            "unreadable.*a key appears twice"),
    "a version of a string": ({"format": "minigrad", "version": "2", "tree": 1}, "format version '2'"),
    "a future version": (tree(1, version=3), "format version 3"),
    "an array it never names": (tree({"tensor": "a", "device": "cpu"}), "never names: \\['i', 'm'\\]"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_metadata_is_a_value_error_naming_the_file(case, tmp_path):
    meta, message = MALFORMED[case]
    path = tmp_path / "bad.npz"
    path.write_bytes(with_meta(meta, a=np.ones(2), i=np.arange(2), m=np.ones((2, 2))))
    with pytest.raises(ValueError, match=message) as error:
        minigrad.load(path)
    assert repr(str(path)) in str(error.value)


NODE_KEYS = [
    "tensor",
    "ndarray",
    "numpy_scalar",
    "dict",
    "ordered_dict",
    "list",
    "tuple",
    "device",
    "view",
    "x",
]
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from(["a", "i", "cpu", "tensor", "list", "view"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(NODE_KEYS), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(node=JSON)
def test_any_metadata_loads_or_is_a_value_error(node):
    data = with_meta(tree(node), a=np.ones(3), i=np.arange(3))
    try:
        minigrad.load(io.BytesIO(data))
    except ValueError as err:
        assert str(err).startswith("minigrad.load: '<file object>'"), err


def test_version_1_files_still_load():
    data = with_meta(tree({"dict": [["w", {"tensor": "a", "device": "cpu"}]]}, version=1), a=np.ones(2))
    assert minigrad.load(io.BytesIO(data))["w"].tolist() == [1.0, 1.0]
