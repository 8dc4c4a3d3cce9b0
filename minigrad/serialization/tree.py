"""A saved object's structure as JSON, its arrays kept apart under safe member names.

``encode`` turns nested dicts, lists, tuples, numbers, strings, tensors and NumPy arrays into a
JSON-able tree plus the arrays it names; ``decode`` turns them back and trusts nothing it
reads. A node is a JSON scalar or an object of one kind::

    {"tensor": "0.weight", "device": "cpu"}        (+ "requires_grad": true, "parameter": true)
    {"tensor": "x.storage", "device": "cpu", "view": [offset, shape, strides]}
    {"ndarray": "a"}   {"numpy_scalar": "s"}
    {"dict": [[key, node], ...]}   {"ordered_dict": [...]}   {"list": [...]}   {"tuple": [...]}

Keys live in the tree, so member names only need to be distinct and harmless: a key that is
already both (``"0.weight"``) is used as is, any other gets a cleaned name with a ``#number``.
A member belongs to one node, except a storage, which all views of it name (see ``storage``).
"""

from __future__ import annotations

import json
import math
import re
from collections import OrderedDict
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.backend import backend, backend_of, device
from minigrad.nn.parameter import Parameter
from minigrad.serialization.checks import dtype_problem, parse_json
from minigrad.serialization.storage import Window, shared_storages
from minigrad.tensor import Tensor

META_NAME = "__minigrad__"
FORMAT = "minigrad"
VERSION = 2  # 2 added views, requires_grad and parameters; version 1 files still load
MAX_DEPTH = 100
MAX_KEY_LENGTH = 1024
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}")
_KINDS = {
    "tensor": {"device", "requires_grad", "parameter", "view"},
    "ndarray": set(),
    "numpy_scalar": set(),
    "dict": set(),
    "ordered_dict": set(),
    "list": set(),
    "tuple": set(),
}


def encode(obj: Any) -> tuple[str, dict[str, np.ndarray]]:
    """The JSON text describing ``obj`` and the host arrays it names; errors name the key."""
    encoder = _Encoder()
    tree = encoder.node(obj, ())
    encoder.place_tensors()
    return json.dumps({"format": FORMAT, "version": VERSION, "tree": tree}), encoder.arrays


def decode(text: str, members: dict[str, np.ndarray], map_location: Any, name: Any) -> Any:
    """The object that ``encode`` described in ``text``, built from the archive's ``members``."""
    meta = parse_json(text, f"{META_NAME} entry", name)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or "tree" not in meta:
        raise ValueError(f"minigrad.load: {name!r} has a {META_NAME} entry of an unknown format")
    if meta.get("version") not in (1, VERSION):
        raise ValueError(
            f"minigrad.load: {name!r} was written by format version {meta.get('version')!r}, "
            f"this minigrad reads versions 1 to {VERSION}"
        )
    decoder = _Decoder(members, map_location, name)
    value = decoder.node(meta["tree"], ())
    unused = sorted(set(members) - set(decoder.claimed))
    if unused:
        raise ValueError(
            f"minigrad.load: {name!r} holds arrays its {META_NAME} entry never names: {unused[:10]}"
        )
    return value


def place(array: np.ndarray, location: str | device) -> Any:
    """A host array on the device ``location``, or an error that suggests ``map_location``."""
    try:
        target = backend(location)
    except RuntimeError as err:
        raise RuntimeError(
            f"minigrad.load: a tensor was saved from device '{location}', which is not usable "
            f"here ({err}); pass map_location='cpu' to load it on the CPU"
        ) from err
    return target.from_host(array)


def _where(path: tuple) -> str:
    return "the top level" if not path else "key " + ".".join(str(part) for part in path)


# -- encoding -------------------------------------------------------------------------------


class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.taken = {META_NAME.casefold()}
        self.tensors: list[tuple[Tensor, dict[str, Any], tuple]] = []
        self.open: set[int] = set()  # the containers being encoded: meeting one again is a cycle

    def node(self, obj: Any, path: tuple) -> Any:
        if _is_scalar(obj):
            return obj
        if isinstance(obj, Tensor):
            node = {"tensor": "", "device": str(obj.device)}
            node.update({"requires_grad": True} if obj.requires_grad else {})
            node.update({"parameter": True} if isinstance(obj, Parameter) else {})
            self.tensors.append((obj, node, path))  # placed once all are known: they may share memory
            return node
        if isinstance(obj, (np.ndarray, np.generic)):
            kind = "ndarray" if isinstance(obj, np.ndarray) else "numpy_scalar"
            return {kind: self.add(np.asarray(obj), path)}
        if isinstance(obj, (dict, list, tuple)):
            return self.container(obj, path)
        raise TypeError(
            f"minigrad.save: cannot save {type(obj).__name__} at {_where(path)}; only tensors, "
            "arrays, numbers, strings, None, and dicts/lists/tuples of them can be saved without pickle"
        )

    def container(self, obj: dict | list | tuple, path: tuple) -> dict[str, Any]:
        if len(path) >= MAX_DEPTH:
            raise ValueError(f"minigrad.save: {_where(path)} is nested more than {MAX_DEPTH} levels deep")
        if id(obj) in self.open:
            raise ValueError(
                f"minigrad.save: the {type(obj).__name__} at {_where(path)} contains itself "
                "(a reference cycle), which a file cannot hold"
            )
        self.open.add(id(obj))
        try:
            if isinstance(obj, dict):
                items = [[_key(key, path), self.node(value, path + (key,))] for key, value in obj.items()]
                return {"ordered_dict" if isinstance(obj, OrderedDict) else "dict": items}
            values = [self.node(value, path + (index,)) for index, value in enumerate(obj)]
            return {"list" if isinstance(obj, list) else "tuple": values}
        finally:
            self.open.discard(id(obj))

    def place_tensors(self) -> None:
        """Give each tensor its own member, or a window on a storage it shares with others."""
        groups = shared_storages([t.array for t, _, _ in self.tensors])
        window_of = {index: (group, window) for group in groups for index, window in group.windows.items()}
        storage_names: dict[int, str] = {}
        for index, (tensor, node, path) in enumerate(self.tensors):
            if index not in window_of:
                node["tensor"] = self.add(_to_host(tensor.array), path)
                continue
            group, window = window_of[index]
            if id(group) not in storage_names:
                storage_names[id(group)] = self.add(_to_host(group.storage), path, ".storage")
            node["tensor"] = storage_names[id(group)]
            node["view"] = [window.offset, list(window.shape), list(window.strides)]

    def add(self, array: np.ndarray, path: tuple, suffix: str = "") -> str:
        problem = dtype_problem(array.dtype)
        if problem:
            raise TypeError(
                f"minigrad.save: cannot save the array at {_where(path)}: it has {problem}"
                + ("; object arrays need pickle, which minigrad never uses" if array.dtype.hasobject else "")
            )
        name = self.member_name((".".join(str(part) for part in path) or "data") + suffix)
        self.arrays[name] = array
        return name

    def member_name(self, text: str) -> str:
        """``text`` if it is a plain, unused file name (ignoring case), else a cleaned ``stem#n``."""
        name = text
        if (
            not _PLAIN_NAME.fullmatch(text)
            or text.casefold().endswith(".npy")
            or text.casefold() in self.taken
        ):
            stem = re.sub(r"[^A-Za-z0-9_.\-]", "_", text)[:100].lstrip(".-") or "data"
            number = 1
            while f"{stem}#{number}".casefold() in self.taken:
                number += 1
            name = f"{stem}#{number}"
        self.taken.add(name.casefold())
        return name


def _key(key: Any, path: tuple) -> Any:
    if not _is_scalar(key):
        raise TypeError(f"minigrad.save: dict key {key!r} at {_where(path)} must be a str or number")
    if isinstance(key, str) and len(key) > MAX_KEY_LENGTH:
        raise ValueError(
            f"minigrad.save: the key {key[:40]!r}... at {_where(path)} is {len(key)} characters long, "
            f"more than the {MAX_KEY_LENGTH} a key may have"
        )
    return key


def _to_host(array: Any) -> np.ndarray:
    return backend_of(array).to_host(array)


# -- decoding -------------------------------------------------------------------------------


class _Decoder:
    def __init__(self, members: dict[str, np.ndarray], map_location: Any, name: Any) -> None:
        self.members, self.map_location, self.name = members, map_location, name
        self.claimed: dict[str, str] = {}  # member -> "alone" or "storage"
        self.storages: dict[tuple[str, str], Any] = {}  # (member, device) -> the storage there

    def fail(self, what: str, path: tuple) -> ValueError:
        return ValueError(
            f"minigrad.load: {self.name!r} has a malformed {META_NAME} entry: {what} (at {_where(path)})"
        )

    def node(self, node: Any, path: tuple) -> Any:
        if _is_scalar(node):
            return node
        if len(path) > MAX_DEPTH:
            raise self.fail(f"nesting deeper than {MAX_DEPTH} levels", path)
        kinds = [kind for kind in node if kind in _KINDS] if isinstance(node, dict) else []
        if len(kinds) != 1 or not set(node) - {kinds[0]} <= _KINDS[kinds[0]]:
            raise self.fail(f"an unknown node {node!r:.80}", path)
        kind, body = kinds[0], node[kinds[0]]
        if kind == "tensor":
            return self.tensor(node, path)
        if kind in ("ndarray", "numpy_scalar"):
            array = self.claim(body, path, alone=True)
            if kind == "ndarray":
                return array
            if array.ndim != 0:
                raise self.fail(f"a numpy scalar stored as an array of shape {array.shape}", path)
            return array[()]
        if not isinstance(body, list):
            raise self.fail(f"a {kind} that is not a list", path)
        if kind in ("list", "tuple"):
            values = [self.node(value, path + (index,)) for index, value in enumerate(body)]
            return values if kind == "list" else tuple(values)
        if not all(isinstance(pair, list) and len(pair) == 2 and _is_scalar(pair[0]) for pair in body):
            raise self.fail(f"a {kind} whose items are not [key, value] pairs", path)
        keys = [key for key, _ in body]
        if len(set(keys)) != len(keys):
            raise self.fail(f"a {kind} with a key given twice ({keys!r:.80})", path)
        pairs = [(key, self.node(value, path + (key,))) for key, value in body]
        return OrderedDict(pairs) if kind == "ordered_dict" else dict(pairs)

    def tensor(self, node: dict[str, Any], path: tuple) -> Tensor:
        location, requires_grad = node.get("device", "cpu"), node.get("requires_grad", False)
        if not isinstance(location, str) or not _is_device(location):
            raise self.fail(f"an unknown device {location!r:.40}", path)
        if not isinstance(requires_grad, bool) or not isinstance(node.get("parameter", False), bool):
            raise self.fail("requires_grad and parameter must be true or false", path)
        location = self.map_location or location
        if "view" not in node:
            array = place(self.claim(node["tensor"], path, alone=True), location)
        else:
            array = self.view(node["tensor"], node["view"], location, path)
        if requires_grad and not dtypes.is_floating(array.dtype):
            raise self.fail(f"requires_grad on a tensor of dtype {array.dtype}", path)
        tensor = Tensor(array, requires_grad=requires_grad)
        return Parameter(tensor, requires_grad=requires_grad) if node.get("parameter") else tensor

    def view(self, member: Any, view: Any, location: Any, path: tuple) -> Any:
        """The window ``view`` describes on the 1-D storage ``member``, on the device ``location``."""
        storage = self.claim(member, path, alone=False)
        window = _window(view, storage)
        if window is None:
            raise self.fail(
                f"a view {view!r:.80} that does not fit its storage of shape {storage.shape}", path
            )
        key = (member, str(location))
        if key not in self.storages:
            self.storages[key] = place(storage, location)
        on_device = self.storages[key]
        strides = tuple(s * storage.itemsize for s in window.strides)
        xp = backend_of(on_device).xp
        return xp.lib.stride_tricks.as_strided(on_device[window.offset :], window.shape, strides)

    def claim(self, member: Any, path: tuple, alone: bool) -> np.ndarray:
        """The array ``member``; one node may have it, or any number of views of it as a storage."""
        if not isinstance(member, str) or member not in self.members:
            raise ValueError(f"minigrad.load: {self.name!r} lacks the array {member!r:.80} it describes")
        previous = self.claimed.get(member)
        if previous is not None and (alone or previous == "alone"):
            raise self.fail(f"the array {member!r} named twice, which would make tensors alias", path)
        self.claimed[member] = "alone" if alone else "storage"
        return self.members[member]


def _is_scalar(value: Any) -> bool:
    """What JSON holds as is, and so what may be a leaf or a dict key."""
    return value is None or isinstance(value, (bool, int, float, str))


def _is_device(text: str) -> bool:
    try:
        device(text)
    except RuntimeError:
        return False
    return True


def _window(view: Any, storage: np.ndarray) -> Window | None:
    """``[offset, shape, strides]`` as a window inside ``storage``, if it is one (no more elements)."""
    if not (
        isinstance(view, list) and len(view) == 3 and isinstance(view[1], list) and isinstance(view[2], list)
    ):
        return None
    offset, shape, strides = view
    numbers = [offset, *shape, *strides]
    if (
        storage.ndim != 1
        or len(shape) != len(strides)
        or len(shape) > 32
        or any(type(n) is not int for n in numbers)
    ):
        return None
    window = Window(offset, tuple(shape), tuple(strides))
    if offset < 0 or min(shape, default=1) < 0 or math.prod(shape) > storage.size:
        return None
    if 0 in shape:
        return window if offset <= storage.size else None
    low, high = window.span()
    return window if 0 <= low and high < storage.size else None
