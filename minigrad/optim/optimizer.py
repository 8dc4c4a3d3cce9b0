"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad`` and state dicts.

A subclass gives its hyperparameter defaults, checks them in ``_check_group`` and updates one
parameter in ``_update``. ``state_dict()`` has PyTorch's layout: ``{"state": {index: {...}},
"param_groups": [{..., "params": [index, ...]}]}``, parameters numbered in group order.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from minigrad._checks import is_int, is_real
from minigrad.autograd import enable_grad, no_grad
from minigrad.backend import backend, backend_of, is_backend_array
from minigrad.nn.module import reset_grads
from minigrad.tensor import Tensor

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]


class Optimizer:
    """Base class of the optimizers: holds ``param_groups`` and ``state``."""

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got a Tensor"
            )
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise ``ValueError`` for an invalid hyperparameter; subclasses override this."""

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (defaults fill the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        params = param_group.get("params")
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)) or params is None:
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                f"ordering of {type(params).__name__} is not defined"
            )
        params = list(params)
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is {type(param).__name__}"
                )
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters", stacklevel=3)
        group = {**self.defaults, **param_group, "params": params}
        self._check_group(group)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if existing & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to ``None`` (skipped by ``step``), or to zeros."""
        reset_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns the loss ``closure()`` computes.

        ``closure`` (optional) re-evaluates the model and its gradients; it runs with grad mode on.
        Every gradient is checked before anything changes, so a bad one leaves all as it was.
        """
        loss = None
        self._opt_called = True  # learning-rate schedulers warn when they step before the optimizer
        if closure is not None:
            with enable_grad():
                loss = closure()
        params = [(param, group) for group in self.param_groups for param in group["params"]]
        for number, (param, _) in enumerate(params):
            self._check_grad(number, param)
        with no_grad():
            for param, group in params:
                if param.grad is not None:
                    self._update(param, group)
        return loss

    def _check_grad(self, number: int, param: Tensor) -> None:
        """``param.grad`` is ``None`` or a tensor of the parameter's shape, dtype and device."""
        grad = param.grad
        if grad is None:
            return
        mine, its = param.array, grad.array
        if mine.shape == its.shape and mine.dtype == its.dtype and type(mine) is type(its):
            return  # the common case, checked on the arrays themselves
        where = f"{type(self).__name__}.step: parameter {number}"
        for what in ("shape", "dtype", "device"):
            if getattr(grad, what) != getattr(param, what):
                raise RuntimeError(
                    f"{where} has {what} {getattr(param, what)}, but its .grad has {what} "
                    f"{getattr(grad, what)}; no parameter was changed"
                )

    def _update(self, param: Tensor, group: dict[str, Any]) -> None:
        """Apply one step of the update rule to ``param`` (called under ``no_grad``)."""
        raise NotImplementedError(f"{type(self).__name__} must define _update()")

    def _state_for(self, param: Tensor) -> dict[str, Any]:
        return self.state.setdefault(param, {})

    # -- state dicts ------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {name: value}}, "param_groups": [...]}``; values are the live tensors."""
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = [index_of.setdefault(id(p), len(index_of)) for p in group["params"]]
            groups.append(packed)
        state = {
            index_of[id(param)]: dict(values) for param, values in self.state.items() if id(param) in index_of
        }
        return {"state": dict(sorted(state.items())), "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore state and hyperparameters saved by ``state_dict()``, copying the tensors.

        PyTorch's older layouts load too (a plain number ``step``, groups lacking newer options,
        which get this optimizer's defaults). Everything is checked first, the hyperparameters
        as the constructor checks them; on an error nothing changes.
        """
        if not isinstance(state_dict, Mapping) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError("optimizer state_dict must be a dict with keys 'state' and 'param_groups'")
        saved_groups, saved_state = state_dict["param_groups"], state_dict["state"]
        if not isinstance(saved_groups, (list, tuple)) or not isinstance(saved_state, Mapping):
            raise ValueError(
                "optimizer state_dict must hold a list of 'param_groups' and a dict 'state', got "
                f"{type(saved_groups).__name__} and {type(saved_state).__name__}"
            )
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, "
                f"this optimizer has {len(self.param_groups)}"
            )
        new_groups, params_by_index = self._load_groups(saved_groups)
        new_state: dict[Tensor, dict[str, Any]] = {}
        for index, values in saved_state.items():
            if index not in params_by_index:
                raise ValueError(f"loaded state dict has state for unknown parameter index {index!r}")
            if not isinstance(values, Mapping):
                raise ValueError(
                    f"loaded state for parameter {index!r} must be a dict, got {type(values).__name__}"
                )
            param = params_by_index[index]
            new_state[param] = {key: _copy_state_value(key, value, param) for key, value in values.items()}
        self.param_groups = new_groups
        self.state = new_state

    def _load_groups(self, saved_groups: Any) -> tuple[list[dict[str, Any]], dict[Any, Tensor]]:
        """This optimizer's groups with the saved hyperparameters, checked; and index -> parameter."""
        params_by_index: dict[Any, Tensor] = {}
        new_groups = []
        for number, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            indices = saved.get("params") if isinstance(saved, Mapping) else None
            if not isinstance(indices, (list, tuple)) or not all(is_int(i) for i in indices):
                raise ValueError(
                    f"loaded state dict's parameter group {number} is malformed: it needs a 'params' "
                    f"list of parameter indices, got {saved!r:.100}"
                )
            if len(indices) != len(group["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group ({number}) of "
                    f"{len(indices)} parameters that doesn't match the size of "
                    f"optimizer's group ({len(group['params'])})"
                )
            if any(index in params_by_index for index in indices) or len(set(indices)) != len(indices):
                raise ValueError(
                    f"loaded state dict lists a parameter index twice (group {number}: {indices})"
                )
            params_by_index.update(zip(indices, group["params"]))
            new_group = {**self.defaults, **saved, "params": group["params"]}
            self._check_group(new_group)
            new_groups.append(new_group)
        return new_groups, params_by_index

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for number, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {number}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines + [")"])


def _copy_state_value(key: str, value: Any, param: Tensor) -> Any:
    """A copy of one saved state value: tensors go to ``param``'s device (and dtype, except ``step``).

    ``step`` stays a host tensor (a plain number from older PyTorch becomes a float32 one); a
    tensor already on the parameter's device is copied there, never through the host. Other state
    has the parameter's shape, or none (a scalar such as NAdam's ``mu_product``, which PyTorch
    also moves to the parameter's dtype and device).
    """
    if isinstance(value, Tensor):
        value = value.array
    if key == "step" and is_real(value):
        return Tensor(np.array(float(value), dtype=np.float32))
    if not (isinstance(value, np.ndarray) or is_backend_array(value)):
        return value
    if key == "step":
        return Tensor(backend_of(value).to_host(value).copy())
    if value.ndim and tuple(value.shape) != tuple(param.shape):
        raise ValueError(
            f"loaded optimizer state '{key}' has shape {tuple(value.shape)}, but its parameter "
            f"has shape {tuple(param.shape)}"
        )
    source, target = backend_of(value), backend(param.device)
    if source is target:
        return Tensor(value.astype(param.dtype, copy=True))
    return Tensor(target.from_host(np.array(source.to_host(value), dtype=np.dtype(param.dtype))))


def host_scalar(value: float = 0.0) -> Tensor:
    """A float32 host tensor, as PyTorch keeps step counters and other scalar state."""
    return Tensor(np.array(value, dtype=np.float32))


def count_step(state: dict[str, Any]) -> int:
    """Add one to ``state["step"]`` and return it."""
    counter = state.setdefault("step", host_scalar()).array
    counter += 1
    return int(counter.item())


def subtract_(param: Tensor, update: Any) -> None:
    """``param -= update`` on the array itself, bumping the version as an in-place op does
    (a step is one array call per parameter, without the in-place op's graph checks)."""
    param.array[...] -= update
    param._version.value += 1


def check_hyperparameter(value: Any, name: str, label: str, below: float | None = None) -> None:
    """``value`` of argument ``name`` must be a finite real number >= 0 (and < ``below``).

    ``label`` starts the message, worded as PyTorch's (``"Invalid learning rate"``).
    """
    if not is_real(value):
        raise TypeError(
            f"{label}: {name} must be a real number, got {value!r} of type {type(value).__name__}"
        )
    if not (math.isfinite(value) and value >= 0 and (below is None or value < below)):
        raise ValueError(f"{label}: {value}" + ("" if below is None else f" (must be in [0, {below}))"))
