"""Exact NNGP/NTK kernels at extreme input norms, to 40 digits (mpmath).

For each activation φ in the network `dense -> φ -> dense` (w_std = 1, b_std = 0, NTK
parameterization) and each input norm r in {1e-150, 1, 1e150}, three inputs of dimension 2,
r·(1, 0), r·(0.5, 0.866…), r·(−0.6, 0.8), as float64, give the kernel matrices with the dual
kernels' textbook closed forms evaluated in mpmath with 800 significant digits (the worst
cancellation, (1 + βq)² − β²q² at q ≈ 10³⁰⁰, loses about 300 of them) and an unbounded exponent
range, so no overflow, underflow or cancellation can spoil them; results are written to 40 digits. The self-pairs use the same
closed forms at correlation exactly 1. A value outside float64's range is written as the string
"overflow" (the library must then refuse the network) and a value below the smallest subnormal
as its exact decimal (the library's correctly rounded answer is then 0).

Usage (from the repository root; mpmath is the only dependency):

    python3 Data/reference/generate_extreme_norms.py

Output: Data/reference/extreme_norms.json next to this script.
"""

import json
from pathlib import Path

from mpmath import mp, mpf, sqrt, pi, acos, asin, atan2, exp, cos, sin, erf, fac2

mp.dps = 800
OUTPUT = Path(__file__).resolve().parent / "extreme_norms.json"


def piecewise(a, b):
    """abrelu(a, b): b·x for x > 0, a·x otherwise (Cho & Saul's arc-cosine kernel of order 1)."""
    a, b = mpf(a), mpf(b)
    d2, s2 = (a - b) ** 2 / (2 * pi), (a * a + b * b) / 2

    def dual(c12, q1, q2):
        rho = c12 / sqrt(q1 * q2)
        rho = min(max(rho, mpf(-1)), mpf(1))
        theta = acos(rho)
        return sqrt(q1 * q2) * (d2 * (sin(theta) - theta * rho) + s2 * rho), s2 - d2 * theta
    return dual


def erf_dual(a, b, c):
    a, b, c = mpf(a), mpf(b), mpf(c)
    beta = 2 * b * b

    def dual(c12, q1, q2):
        p = (1 + beta * q1) * (1 + beta * q2)
        return (a * a * 2 / pi * asin(beta * c12 / sqrt(p)) + c * c,
                a * a * 2 * beta / pi / sqrt(p - beta * beta * c12 * c12))
    return dual


def gelu(c12, q1, q2):
    p, p1 = q1 * q2, (1 + q1) * (1 + q2)
    delta2 = p1 - c12 * c12
    delta = sqrt(delta2)
    psi = atan2(c12, delta)
    k = c12 / 4 + ((c12 * c12 + p * delta2) / (p1 * delta) + c12 * psi) / (2 * pi)
    kdot = mpf(1) / 4 + psi / (2 * pi) + c12 / (2 * pi * delta) * (1 / delta2 + (1 - p) / p1 + 1)
    return k, kdot


def sine(a, b, c):
    a, b, c = mpf(a), mpf(b), mpf(c)

    def dual(c12, q1, q2):
        minus = exp(-b * b * (q1 + q2 - 2 * c12) / 2)
        plus = exp(-b * b * (q1 + q2 + 2 * c12) / 2) * cos(2 * c)
        return a * a / 2 * (minus - plus), a * a * b * b / 2 * (minus + plus)
    return dual


def rbf(gamma):
    gamma = mpf(gamma)

    def dual(c12, q1, q2):
        k = exp(-gamma * (q1 + q2 - 2 * c12))
        return k, 2 * gamma * k
    return dual


def exponential(c12, q1, q2):
    k = exp((q1 + q2 + 2 * c12) / 2)
    return k, k


def sign(c12, q1, q2):
    rho = min(max(c12 / sqrt(q1 * q2), mpf(-1)), mpf(1))
    return 1 - 2 * acos(rho) / pi, mpf(0)


def monomial(degree):
    """E[u^d v^d] by Isserlis: Σ over j of the same parity as d of d!²/(j!·((d−j)/2)!²·2^(d−j))·Σʲ·(q1q2)^((d−j)/2)."""
    def moment(d, c12, q1, q2):
        total = mpf(0)
        for j in range(d % 2, d + 1, 2):
            m = (d - j) // 2
            total += (mp.factorial(d) ** 2 / (mp.factorial(j) * mp.factorial(m) ** 2 * 2 ** (2 * m))
                      * c12 ** j * (q1 * q2) ** m)
        return total

    def dual(c12, q1, q2):
        return moment(degree, c12, q1, q2), (degree * degree * moment(degree - 1, c12, q1, q2) if degree else mpf(0))
    return dual


def rectified_monomial(degree):
    def j_values(theta):
        j = [pi - theta]
        if degree >= 1:
            j.append(sin(theta) + (pi - theta) * cos(theta))
        for n in range(2, degree + 1):
            j.append((2 * n - 1) * cos(theta) * j[n - 1] + (n - 1) ** 2 * sin(theta) ** 2 * j[n - 2])
        return j

    def dual(c12, q1, q2):
        rho = min(max(c12 / sqrt(q1 * q2), mpf(-1)), mpf(1))
        j = j_values(acos(rho))
        root = sqrt(q1 * q2)
        k = root ** degree * j[degree] / (2 * pi)
        kdot = degree * degree * root ** (degree - 1) * j[degree - 1] / (2 * pi) if degree else mpf(0)
        return k, kdot
    return dual


def identity(c12, q1, q2):
    return c12, mpf(1)


def layernorm(c12, q1, q2):
    eps = mpf("1e-12")
    s = 1 / sqrt((q1 + eps) * (q2 + eps))
    return c12 * s, s


ACTIVATIONS = {
    "relu": piecewise(0, 1), "leaky_relu(alpha=0.2)": piecewise(0.2, 1), "abrelu(a=-0.5, b=2)": piecewise(-0.5, 2),
    "abs": piecewise(-1, 1), "shaped_relu(c=1, width=64)": piecewise(1 - 1 / mpf(8), 1 + 1 / mpf(8)),
    "erf": erf_dual(1, 1, 0), "erf(a=2, b=0.5, c=0.3)": erf_dual(2, 0.5, 0.3),
    "sigmoid_like": erf_dual(0.5, 1 / mpf("2.4020563531719796"), 0.5), "gelu": gelu,
    "sin": sine(1, 1, 0), "sin(a=1.5, b=2, c=0.3)": sine(1.5, 2, 0.3), "cos": sine(1, 1, pi / 2),
    "rbf(gamma=0.5)": rbf(0.5), "exp": exponential, "identity": identity, "sign": sign,
    "monomial(degree=2)": monomial(2), "monomial(degree=3)": monomial(3),
    "rectified_monomial(degree=0)": rectified_monomial(0), "rectified_monomial(degree=1)": rectified_monomial(1),
    "rectified_monomial(degree=2)": rectified_monomial(2), "rectified_monomial(degree=3)": rectified_monomial(3),
    "layernorm": layernorm,
}

DIRECTIONS = [(1.0, 0.0), (0.5, 0.8660254037844386), (-0.6, 0.8)]
NORMS = [1e-150, 1.0, 1e150]


def exact(value):
    """A 40-digit decimal string, or "overflow" beyond float64's largest finite value."""
    if abs(value) > mpf("1.7976931348623157e308"):
        return "overflow"
    return mp.nstr(value, 40, min_fixed=1, max_fixed=0)


def case(name, dual, r):
    x = [[r * u, r * v] for u, v in DIRECTIONS]          # float64 inputs, as written to the file
    xm = [[mpf(e) for e in row] for row in x]
    n, d = len(x), len(x[0])
    sigma0 = [[sum(xm[i][k] * xm[j][k] for k in range(d)) / d for j in range(n)] for i in range(n)]
    # dense(w_std=1, b_std=0): Σ1 = Σ0, Θ1 = Σ1; φ: (Σφ, K̇); dense: Σ2 = Σφ, Θ2 = Σφ + Θ1·K̇.
    nngp = [[None] * n for _ in range(n)]
    ntk = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            c12 = sigma0[i][i] if i == j else sigma0[i][j]
            k, kdot = dual(c12, sigma0[i][i], sigma0[j][j])
            nngp[i][j], ntk[i][j] = exact(k), exact(k + sigma0[i][j] * kdot)
    return {"name": f"{name} at norm {r:g}", "arch": f"dense -> {name} -> dense", "x": x, "nngp": nngp, "ntk": ntk}


def main():
    cases = [case(name, dual, r) for name, dual in ACTIVATIONS.items() for r in NORMS]
    OUTPUT.write_text(json.dumps({"generator": "Data/reference/generate_extreme_norms.py", "digits": 40,
                                  "cases": cases}, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUTPUT}")


if __name__ == "__main__":
    main()
