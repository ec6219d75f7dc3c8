"""Reference NNGP/NTK kernels from Google's neural-tangents for NeuralLimits.

Each case is written as an architecture string in NeuralLimits' own
architecture language, translated here to an equivalent `neural_tangents.stax`
model, and evaluated in float64 with `kernel_fn(x, x2, ('nngp', 'ntk'))`.

Usage (from the repository root, inside a venv with neural-tangents 0.6.5,
jax/jaxlib 0.4.23, numpy<2, scipy<1.13):

    JAX_PLATFORMS=cpu python Data/reference/generate_kernels.py

Output: Data/reference/kernels.json next to this script. Inputs are drawn from
numpy generators seeded from a CRC32 of each case's base name, so the output
is deterministic and a case's inputs do not change when other cases are added.
Cases neural-tangents rejects (exceptions or non-finite kernels) are printed
and left out.
"""

import json
import os
import re
import zlib
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import neural_tangents as nt  # noqa: E402
import numpy as np  # noqa: E402
from neural_tangents import stax  # noqa: E402

OUTPUT = Path(__file__).resolve().parent / "kernels.json"
DEFAULT_DENSE_WIDTH = 512  # `dense` without `width=`; only matters in standard parameterization.


# --------------------------------------------------------------------------
# Parser for the architecture language:
#   chain := item ('->' item)*
#   item  := layer | '(' chain ')' '*' INT
#          | 'residual' '(' chain (',' 'scale' '=' NUMBER)? ')'
#          | 'parallel' '(' chain (',' chain)+ ')'
#   layer := NAME ('(' key '=' value (',' key '=' value)* ')')?
# The result is a list of nodes:
#   ("layer", name, params) | ("repeat", chain, n)
#   | ("residual", chain, scale) | ("parallel", [chain, ...])
# --------------------------------------------------------------------------

TOKEN = re.compile(r"\s*(->|[A-Za-z_][A-Za-z0-9_]*|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[(),*=])")


def tokenize(text):
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match:
            raise ValueError(f"cannot tokenize {text[pos:]!r}")
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


def parse_value(token):
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", token):
        return token
    number = float(token)
    return int(number) if re.fullmatch(r"[-+]?\d+", token) else number


class Parser:
    def __init__(self, text):
        self.tokens = tokenize(text)
        self.pos = 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected=None):
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise ValueError(f"expected {expected!r}, got {token!r} at token {self.pos}")
        self.pos += 1
        return token

    def parse(self):
        chain = self.chain()
        if self.peek() is not None:
            raise ValueError(f"trailing tokens: {self.tokens[self.pos:]}")
        return chain

    def chain(self):
        items = [self.item()]
        while self.peek() == "->":
            self.take("->")
            items.append(self.item())
        return items

    def item(self):
        token = self.peek()
        if token == "(":
            self.take("(")
            chain = self.chain()
            self.take(")")
            self.take("*")
            return ("repeat", chain, int(self.take()))
        if token == "residual":
            self.take()
            self.take("(")
            chain = self.chain()
            scale = 1.0
            if self.peek() == ",":
                self.take(",")
                self.take("scale")
                self.take("=")
                scale = float(self.take())
            self.take(")")
            return ("residual", chain, scale)
        if token == "parallel":
            self.take()
            self.take("(")
            branches = [self.chain()]
            while self.peek() == ",":
                self.take(",")
                branches.append(self.chain())
            self.take(")")
            if len(branches) < 2:
                raise ValueError("parallel needs at least two branches")
            return ("parallel", branches)
        name = self.take()
        params = {}
        if self.peek() == "(":
            self.take("(")
            while True:
                key = self.take()
                self.take("=")
                params[key] = parse_value(self.take())
                if self.peek() != ",":
                    break
                self.take(",")
            self.take(")")
        return ("layer", name, params)


# --------------------------------------------------------------------------
# Translation to neural_tangents.stax
# --------------------------------------------------------------------------

def dense(w_std=1.0, b_std=0.0, parameterization="ntk", width=None):
    if parameterization == "standard" and width is None:
        raise ValueError("standard-parameterization dense layers must state width=")
    return stax.Dense(DEFAULT_DENSE_WIDTH if width is None else width,
                      W_std=w_std, b_std=b_std, parameterization=parameterization)


def dropout(rate):
    # Our `rate` is the drop probability; neural-tangents takes the keep rate.
    return stax.Dropout(1.0 - rate, mode="train")


LAYERS = {
    "dense": dense,
    "relu": stax.Relu,
    "leaky_relu": lambda alpha: stax.LeakyRelu(alpha),
    "abrelu": lambda a, b: stax.ABRelu(a, b),
    "abs": stax.Abs,
    "erf": lambda a=1.0, b=1.0, c=0.0: stax.Erf(a, b, c),
    "sigmoid_like": stax.Sigmoid_like,
    "gelu": stax.Gelu,
    "sin": lambda a=1.0, b=1.0, c=0.0: stax.Sin(a, b, c),
    "cos": lambda a=1.0, b=1.0, c=0.0: stax.Cos(a, b, c),
    "rbf": lambda gamma=1.0: stax.Rbf(gamma),
    "exp": lambda a=1.0, b=1.0: stax.Exp(a, b),
    "identity": stax.Identity,
    "sign": stax.Sign,
    "monomial": lambda degree: stax.Monomial(degree),
    "rectified_monomial": lambda degree: stax.RectifiedMonomial(degree),
    "layernorm": lambda: stax.LayerNorm(axis=-1),
    "dropout": dropout,
}


def scaled_chain(chain, scale):
    """Return `chain` with its output multiplied by `scale`.

    A stax.Elementwise scaling layer would mark its output non-Gaussian, which
    stax.FanInSum rejects, so the scale is folded into the trailing dense
    layer instead: (scale*W_std, scale*b_std) scales NNGP and NTK by scale**2
    exactly in NTK parameterization (not in standard parameterization, where
    the weight/bias gradient terms do not depend on W_std/b_std).
    """
    if scale == 1.0:
        return chain
    last = chain[-1]
    if (last[0] != "layer" or last[1] != "dense"
            or last[2].get("parameterization", "ntk") != "ntk"):
        raise ValueError("a scaled residual chain must end in an NTK-parameterized dense layer")
    params = last[2]
    params = dict(params,
                  w_std=scale * params.get("w_std", 1.0),
                  b_std=scale * params.get("b_std", 0.0))
    return chain[:-1] + [("layer", "dense", params)]


def build(chain):
    layers = []
    for node in chain:
        kind = node[0]
        if kind == "layer":
            _, name, params = node
            if name not in LAYERS:
                raise ValueError(f"unknown layer {name!r}")
            layers.append(LAYERS[name](**params))
        elif kind == "repeat":
            _, body, count = node
            layers.append(stax.serial(*[build(body) for _ in range(count)]))
        elif kind == "residual":
            _, body, scale = node
            layers.append(stax.serial(
                stax.FanOut(2),
                stax.parallel(stax.Identity(), build(scaled_chain(body, scale))),
                stax.FanInSum()))
        elif kind == "parallel":
            _, branches = node
            layers.append(stax.serial(
                stax.FanOut(len(branches)),
                stax.parallel(*[build(branch) for branch in branches]),
                stax.FanInSum()))
    return stax.serial(*layers)


def kernel_fn_for(arch):
    return build(Parser(arch).parse())[2]


# --------------------------------------------------------------------------
# Case list
# --------------------------------------------------------------------------

def num(value):
    """Format a parameter the way it appears in architecture strings."""
    return repr(float(value))


def dense_str(w, b, **extra):
    fields = [f"w_std={num(w)}", f"b_std={num(b)}"] + [f"{k}={v}" for k, v in extra.items()]
    return f"dense({','.join(fields)})"


# Activation spellings exercised at depth 1 and depth 3.
ACTIVATIONS = [
    "relu", "leaky_relu(alpha=0.1)", "abrelu(a=-0.4,b=1.3)", "abs",
    "erf", "erf(a=1.5,b=0.7,c=0.2)", "sigmoid_like", "gelu",
    "sin", "sin(a=1.3,b=0.8,c=0.4)", "cos", "cos(a=0.9,b=1.2,c=-0.3)",
    "rbf", "rbf(gamma=0.4)", "exp", "exp(a=0.5,b=0.3)", "identity", "sign",
] + [f"monomial(degree={k})" for k in range(6)] \
  + [f"rectified_monomial(degree={k})" for k in range(4)]

# (w_std, b_std) choices. Activations whose kernels grow like a power or an
# exponential of the input variance get smaller weights, chosen so the depth-3
# values stay moderate (roughly <= 1e12) instead of overflowing.
WEIGHTS = [(1.5, 0.05), (1.0, 0.0), (2.0, 0.5)]
WEIGHTS_FOR = {
    "exp": [(0.5, 0.05), (0.3, 0.0), (0.4, 0.2)],
    "monomial(degree=2)": [(0.75, 0.05), (0.6, 0.0), (0.7, 0.3)],
    "monomial(degree=3)": [(0.6, 0.05), (0.5, 0.0), (0.55, 0.3)],
    "monomial(degree=4)": [(0.55, 0.05), (0.45, 0.0), (0.5, 0.3)],
    "monomial(degree=5)": [(0.5, 0.05), (0.4, 0.0), (0.45, 0.3)],
}


def tag(text):
    """Turn an activation spelling into a name fragment: erf(a=1.5) -> erf_a1.5."""
    return text.replace("(", "_").replace(")", "").replace("=", "").replace(",", "_")


def mlp(act, depth, w, b):
    layer = dense_str(w, b)
    if depth == 1:
        return f"{layer} -> {act} -> {layer}"
    return f"({layer} -> {act})*{depth} -> {layer}"


def standard_mlp(act, w, b, widths):
    layers = [dense_str(w, b, parameterization="standard", width=n) for n in widths]
    return f" -> {act} -> ".join(layers)


RESIDUAL_BLOCK = "dense(w_std=1.5,b_std=0.1) -> relu -> dense(w_std=1.5,b_std=0.1)"
BENCHMARK_ARCH = "(dense(w_std=1.5,b_std=0.05) -> relu)*10 -> dense(w_std=1.5,b_std=0.05)"


def case_specs():
    """Yield (base_name, arch, options); options: reverse (also K(x2, x)),
    self_only (no cross kernel), zero_row (row 1 of x, and row 0 of x2, set to 0)."""
    reversed_mlps = {("relu", 3, (1.5, 0.05)), ("erf", 3, (1.5, 0.05)), ("gelu", 3, (2.0, 0.5))}
    for act in ACTIVATIONS:
        # nt 0.6.5's RectifiedMonomial evaluates its j(theta) series at
        # theta = arccos(1) = 0, which is 0/0: its variances (cov1/cov2) and
        # self-kernel diagonals come out NaN, so any activation after it sees
        # NaN. Hence depth 1 only here (the self cases are reported as skipped),
        # plus deep cases below with the rectified monomial as last activation.
        for depth in (1,) if act.startswith("rectified_monomial") else (1, 3):
            for w, b in WEIGHTS_FOR.get(act, WEIGHTS):
                name = f"{tag(act)}_depth{depth}_w{w}_b{b}"
                yield name, mlp(act, depth, w, b), {"reverse": (act, depth, (w, b)) in reversed_mlps}

    for degree in range(4):
        yield (f"relu2_then_rectified_monomial_degree{degree}",
               f"(dense(w_std=1.5,b_std=0.05) -> relu)*2 -> dense(w_std=1.5,b_std=0.05)"
               f" -> rectified_monomial(degree={degree}) -> dense(w_std=1.5,b_std=0.05)", {})

    # Standard parameterization: every dense states its width (the NTK depends
    # on each layer's input width); b_std > 0 throughout, because nt adds the
    # bias-gradient term (+1) whenever b_std is not None, even for b_std=0.
    for act in ("relu", "erf"):
        for w, b in ((1.5, 0.05), (1.0, 0.3)):
            yield (f"standard_{act}_depth2_w{w}_b{b}", standard_mlp(act, w, b, (64, 128, 1)),
                   {"reverse": (w, b) == (1.5, 0.05)})
    yield ("standard_relu_repeat2",
           f"({dense_str(1.2, 0.1, parameterization='standard', width=32)} -> relu)*2 -> "
           f"{dense_str(1.2, 0.1, parameterization='standard', width=1)}", {})

    # Residual stacks: x + scale * block(x) after an input dense.
    for scale in (0.5, 1.0, 0.2):
        yield (f"residual4_relu_scale{scale}",
               f"dense(w_std=1.5,b_std=0.1) -> (residual({RESIDUAL_BLOCK}, scale={scale}))*4",
               {"reverse": scale == 0.5})
    yield ("residual4_relu_default_scale",
           f"dense(w_std=1.5,b_std=0.1) -> (residual({RESIDUAL_BLOCK}))*4", {})
    yield ("residual4_relu_scale0.5_readout",
           f"dense(w_std=1.5,b_std=0.1) -> (residual({RESIDUAL_BLOCK}, scale=0.5))*4"
           f" -> relu -> dense(w_std=1.0,b_std=0.05)", {})
    yield ("residual2_erf_scale0.7",
           "dense(w_std=1.2,b_std=0.2) -> (residual(dense(w_std=1.3,b_std=0.1) -> erf"
           " -> dense(w_std=1.1,b_std=0.0), scale=0.7))*2 -> gelu -> dense(w_std=1.0,b_std=0.1)", {})

    # Parallel branches (fan-in sum); every branch starts with a dense.
    yield ("parallel2_relu_erf",
           "parallel(dense(w_std=1.5,b_std=0.05) -> relu -> dense(w_std=1.0,b_std=0.1),"
           " dense(w_std=0.8,b_std=0.2) -> erf -> dense(w_std=1.3,b_std=0.0))",
           {"reverse": True})
    yield ("parallel2_after_relu",
           "dense(w_std=1.2,b_std=0.1) -> relu -> parallel(dense(w_std=1.5,b_std=0.05) -> relu"
           " -> dense(w_std=1.0,b_std=0.1), dense(w_std=0.9,b_std=0.0)) -> relu"
           " -> dense(w_std=1.5,b_std=0.05)", {})
    yield ("parallel3_mixed",
           "parallel(dense(w_std=1.0,b_std=0.0), dense(w_std=1.4,b_std=0.1) -> gelu"
           " -> dense(w_std=1.2,b_std=0.05), dense(w_std=1.1,b_std=0.3) -> sin"
           " -> dense(w_std=0.7,b_std=0.0)) -> relu -> dense(w_std=1.5,b_std=0.05)", {})

    # LayerNorm needs a Gaussian (post-dense) input in neural-tangents.
    yield ("layernorm_relu_depth1",
           "dense(w_std=1.5,b_std=0.05) -> layernorm -> relu -> dense(w_std=1.5,b_std=0.05)", {})
    yield ("layernorm_relu_depth3",
           "(dense(w_std=2.0,b_std=0.5) -> layernorm -> relu)*3 -> dense(w_std=1.0,b_std=0.0)", {})
    yield ("layernorm_final",
           "dense(w_std=1.5,b_std=0.05) -> relu -> dense(w_std=1.5,b_std=0.05) -> layernorm", {})

    # Dropout (train mode) only for x2 = null: neural-tangents scales the
    # diagonal of NNGP/NTK only when x1 is x2.
    for rate in (0.2, 0.5):
        yield (f"dropout{rate}_relu_depth1",
               f"dense(w_std=1.5,b_std=0.05) -> relu -> dropout(rate={rate}) -> dense(w_std=1.5,b_std=0.05)",
               {"self_only": True})
    yield ("dropout0.2_relu_depth3",
           "(dense(w_std=1.5,b_std=0.05) -> relu -> dropout(rate=0.2))*3 -> dense(w_std=1.5,b_std=0.05)",
           {"self_only": True})

    yield "benchmark_relu_depth10", BENCHMARK_ARCH, {"reverse": True}

    # All-zero input rows: the first dense sees zero variance there.
    for act in ("relu", "erf", "gelu", "layernorm -> relu"):
        yield (f"zero_row_{tag(act.replace(' -> ', '_'))}_depth3",
               f"(dense(w_std=1.5,b_std=0.05) -> {act})*3 -> dense(w_std=1.5,b_std=0.05)",
               {"zero_row": True})
    yield ("zero_row_relu_depth3_nobias",
           "(dense(w_std=1.5,b_std=0.0) -> relu)*3 -> dense(w_std=1.5,b_std=0.0)", {"zero_row": True})


def make_inputs(base_name, zero_row):
    rng = np.random.default_rng(zlib.crc32(base_name.encode()))
    n1 = int(rng.integers(4, 8))
    n2 = int(rng.choice([n for n in range(3, 8) if n != n1]))
    d = int(rng.integers(3, 7))
    x = rng.standard_normal((n1, d))
    x2 = rng.standard_normal((n2, d))
    if zero_row:
        x[1] = 0.0
        x2[0] = 0.0
    return x, x2


def evaluate(kernel_fn, x, x2):
    nngp, ntk = kernel_fn(x, x2, ("nngp", "ntk"))
    nngp, ntk = np.asarray(nngp, dtype=np.float64), np.asarray(ntk, dtype=np.float64)
    expected = (len(x), len(x if x2 is None else x2))
    if nngp.shape != expected or ntk.shape != expected:
        raise ValueError(f"unexpected kernel shapes {nngp.shape}, {ntk.shape}")
    if not (np.isfinite(nngp).all() and np.isfinite(ntk).all()):
        bad = ~(np.isfinite(nngp) & np.isfinite(ntk))
        where = "diagonal only" if (bad == np.diag(np.diag(bad))).all() else "off-diagonal too"
        raise ValueError(f"{bad.sum()} of {bad.size} entries non-finite ({where})")
    return nngp, ntk


def generate():
    cases, skipped = [], []
    for base_name, arch, options in case_specs():
        x, x2 = make_inputs(base_name, options.get("zero_row", False))
        variants = [(base_name, x, None)]
        if not options.get("self_only", False):
            variants.append((base_name + "_cross", x, x2))
            if options.get("reverse", False):
                variants.append((base_name + "_crossrev", x2, x))
        try:
            kernel_fn = kernel_fn_for(arch)
        except (ValueError, NotImplementedError, TypeError) as error:
            skipped.extend((name, f"{type(error).__name__}: {error}") for name, _, _ in variants)
            continue
        for name, a, b in variants:
            try:
                nngp, ntk = evaluate(kernel_fn, a, b)
            except (ValueError, NotImplementedError, TypeError) as error:
                skipped.append((name, f"{type(error).__name__}: {error}"))
                continue
            cases.append({"name": name, "arch": arch, "x": a.tolist(),
                          "x2": None if b is None else b.tolist(),
                          "nngp": nngp.tolist(), "ntk": ntk.tolist()})
    return cases, skipped


# --------------------------------------------------------------------------
# Output: one case per block, one matrix row per line, full float64 precision
# (json writes Python floats with repr, which round-trips exactly).
# --------------------------------------------------------------------------

def matrix_json(rows, indent):
    if rows is None:
        return "null"
    separator = ",\n" + " " * (indent + 1)
    return "[" + separator.join(json.dumps(row) for row in rows) + "]"


def case_json(case):
    fields = [f'"name": {json.dumps(case["name"])}', f'"arch": {json.dumps(case["arch"])}']
    for key in ("x", "x2", "nngp", "ntk"):
        prefix = f'"{key}": '
        fields.append(prefix + matrix_json(case[key], 3 + len(prefix)))
    return "  {" + ",\n   ".join(fields) + "}"


def main():
    cases, skipped = generate()
    names = [case["name"] for case in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    generator = (f"neural-tangents {nt.__version__}, jax {jax.__version__}, float64; "
                 "Data/reference/generate_kernels.py")
    text = ("{\n" f' "generator": {json.dumps(generator)},\n' ' "cases": [\n'
            + ",\n".join(case_json(case) for case in cases) + "\n ]\n}\n")
    json.loads(text)  # sanity check: valid JSON
    OUTPUT.write_text(text)
    for name, reason in skipped:
        print(f"skipped {name}: {reason}")
    print(f"wrote {len(cases)} cases ({len(skipped)} skipped), "
          f"{len(text.splitlines())} lines, {len(text)} bytes to {OUTPUT}")


if __name__ == "__main__":
    main()
