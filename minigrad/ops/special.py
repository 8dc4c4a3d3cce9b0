"""The error function and its inverse on arrays, which NumPy lacks: float64-accurate and vectorized.

``erfc`` is W. J. Cody's rational approximations (Math. Comp. 23, 1969; his CALERF routine) on
three intervals of ``|x|``, about 1e-16 relative; ``erf`` takes the small-argument one directly
and ``1 - erfc`` beyond it. ``erfinv`` starts from M. Giles' single-precision approximation
("Approximating the erfinv function", 2010), or the asymptotic form of ``erfc`` beyond its
range, and takes three Newton steps on ``erf`` (near 0) or
on ``log erfc`` (near 1, where ``erf`` cannot resolve the residual and the start is furthest off). Every interval is evaluated on the
whole array with its argument clipped into range, so there is no Python loop and no spurious
overflow; NaN stays NaN. Results are computed in float64 and returned in the input's dtype.
"""

from __future__ import annotations

import math
from typing import Any

from minigrad.backend import get_array_module

# |x| <= 0.46875: erf(x) = x P(x^2) / Q(x^2)
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03)
_A4 = 1.85777706184603153e-1
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
# 0.46875 < |x| <= 4: erfc(x) = exp(-x^2) P(x) / Q(x)
_C = (
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
)
_C8 = 2.15311535474403846e-8
_D = (
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
# |x| > 4: erfc(x) = exp(-x^2) / x (1 / sqrt(pi) + P(1/x^2) / (x^2 Q(1/x^2)))
_P = (
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
)
_P5 = 1.63153871373020978e-2
_Q = (
    2.56852019228982242e00,
    1.87295284992346725e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
)
_ONE_OVER_SQRT_PI = 1 / math.sqrt(math.pi)
_SMALL, _MIDDLE, _BIG = 0.46875, 4.0, 27.0  # erfc(27) underflows float64


def _ratio(t: Any, top: tuple, top_last: float, bottom: tuple) -> Any:
    """Cody's evaluation of P(t) / Q(t): ``top_last`` leads the numerator, Q is monic."""
    num, den = top_last * t, t
    for p, q in zip(top[:-1], bottom[:-1]):
        num, den = (num + p) * t, (den + q) * t
    return (num + top[-1]) / (den + bottom[-1])


def _gaussian(y: Any, xp: Any) -> Any:
    """exp(-y^2) with y^2 split in two (Cody's trick), so its rounding error is not magnified."""
    head = xp.trunc(y * 16) / 16
    return xp.exp(-head * head) * xp.exp(-(y - head) * (y + head))


def _small(x: Any, xp: Any) -> Any:
    """erf(x) for |x| <= 0.46875 (x clipped into that interval)."""
    x = xp.clip(x, -_SMALL, _SMALL)
    return x * _ratio(x * x, _A, _A4, _B)


def _erfc_positive(y: Any, xp: Any) -> Any:
    """erfc(y) for y > 0.46875, from the middle and the tail approximations."""
    middle = xp.clip(y, _SMALL, _MIDDLE)
    middle = _gaussian(middle, xp) * _ratio(middle, _C, _C8, _D)
    tail = xp.clip(y, _MIDDLE, _BIG)
    inverse_square = 1 / (tail * tail)
    tail = (
        _gaussian(tail, xp)
        * (_ONE_OVER_SQRT_PI - inverse_square * _ratio(inverse_square, _P, _P5, _Q))
        / tail
    )
    return xp.where(y >= _BIG, 0.0, xp.where(y <= _MIDDLE, middle, tail))


def _float64(x: Any) -> tuple[Any, Any]:
    xp = get_array_module(x)
    return xp, x.astype(xp.float64)


def erf(x: Any) -> Any:
    xp, y = _float64(x)
    far = 1 - _erfc_positive(xp.abs(y), xp)
    return xp.where(xp.abs(y) <= _SMALL, _small(y, xp), xp.copysign(far, y)).astype(x.dtype)


def erfc(x: Any) -> Any:
    xp, y = _float64(x)
    positive = _erfc_positive(xp.abs(y), xp)
    out = xp.where(xp.abs(y) <= _SMALL, 1 - _small(y, xp), xp.where(y > 0, positive, 2 - positive))
    return out.astype(x.dtype)


_GILES_CENTRAL = (
    3.43273939e-07,
    -3.5233877e-06,
    -4.39150654e-06,
    0.00021858087,
    -0.00125372503,
    -0.00417768164,
    0.246640727,
    1.50140941,
)
_GILES_TAIL = (
    0.000100950558,
    0.00134934322,
    -0.00367342844,
    0.00573950773,
    -0.0076224613,
    0.00943887047,
    1.00167406,
    2.83297682,
)


def _giles(z: Any, xp: Any) -> Any:
    """Giles' approximation of erfinv(z) for 0 <= z < 1, to about 1e-7 relative."""
    w = -xp.log((1 - z) * (1 + z))
    central, tail = w - 2.5, xp.sqrt(w) - 3
    p, q = 2.81022636e-08, -0.000200214257
    for c in _GILES_CENTRAL:
        p = c + p * central
    for c in _GILES_TAIL:
        q = c + q * tail
    return xp.where(w < 5, p, q) * z


def _start(z: Any, xp: Any) -> Any:
    """A first guess at erfinv(z), 0 <= z < 1: Giles' within his single-precision range, beyond it
    (1 - z < 1e-7) the asymptotic erfc(x) ~ exp(-x^2) / (x sqrt(pi)) solved once for x."""
    q = xp.minimum(1 - z, 1e-7)
    asymptotic = xp.sqrt(-xp.log(q * math.sqrt(math.pi) * xp.sqrt(-xp.log(q))))
    return xp.where(1 - z < 1e-7, asymptotic, _giles(z, xp))


def erfinv(x: Any) -> Any:
    """The x with erf(x) = y: +-inf at +-1, NaN outside [-1, 1]."""
    xp, y = _float64(x)
    z = xp.abs(y)
    inside = z < 1
    z = xp.where(inside, z, 0.0)
    root = _start(z, xp)
    for _ in range(3):  # Newton on erf(r) = z; near 1 on log erfc(r) = log(1 - z), nearly quadratic
        slope = 2 * _ONE_OVER_SQRT_PI * xp.exp(-root * root)
        tail = erfc(root)
        root = root - xp.where(z < 0.5, (erf(root) - z) / slope, xp.log((1 - z) / tail) * tail / slope)
    out = xp.where(inside, root, xp.where(xp.abs(y) == 1, xp.inf, xp.nan))
    return xp.copysign(out, y).astype(x.dtype)
