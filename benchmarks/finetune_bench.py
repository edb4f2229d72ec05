"""Does fine-tuning EfficientNet-Lite0 beat the frozen default on artist10? Same folds, same run.

Fine-tuned: Lite0's blocks 11–15 and head are trained inside each fold of a 5-fold stratified CV (AdamW, one-cycle
schedule, label smoothing 0.1) on random 224-px crops of the paintings scaled to 768 px, half of them mirrored; the
frozen blocks 0–10 run once per crop and are cached. A painting's prediction averages the log-probabilities of its
3×3 grid of crops, the same crops the default encoder sees. Frozen: the default ``lite0-crops`` embedding + the
classifier ``artcore.classify`` trains, on the same folds. Prints JSON and a table; writes
benchmarks/results/finetune.json. About 10 minutes per fold seed on 2 CPU cores.

    python benchmarks/finetune_bench.py [--artdata ../shared/artdata] [--epochs 6] [--crops 24] [--seeds 0]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from artcore import classify, embed, lite0, registry  # noqa: E402
from artcore.config import PROJECT_ROOT, SHARED_ARTDATA  # noqa: E402
from artcore.imageio import atomic_write_bytes  # noqa: E402

CUT = 10  # blocks up to this one stay frozen
SIDE, SCALE = 224, 768


def frozen_maps(paths: list[Path], crops: int) -> tuple:
    """Block-10 maps of ``crops`` random crops (training) and of the 3×3 grid (test) per painting."""
    import torch

    net = registry.get("lite0")
    rng = np.random.default_rng(0)
    train, grid = [], []
    for path in paths:
        img = embed._load(path, ("max", SCALE))
        if min(img.size) < SIDE:  # as the grid's crops do
            s = SIDE / min(img.size)
            img = img.resize((max(SIDE, round(img.width * s)), max(SIDE, round(img.height * s))))
        arr = np.asarray(img, np.float32) / 255.0
        h, w = arr.shape[:2]
        batch = []
        for _ in range(crops):
            y, x = rng.integers(0, h - SIDE + 1), rng.integers(0, w - SIDE + 1)
            c = arr[y : y + SIDE, x : x + SIDE]
            batch.append(c[:, ::-1] if rng.random() < 0.5 else c)
        batch += [np.asarray(c, np.float32) / 255.0 for c in embed._crops(img, SIDE, 3)]
        x = torch.from_numpy(np.ascontiguousarray(np.stack(batch).transpose(0, 3, 1, 2)))
        with torch.inference_mode():
            maps = lite0.block_outputs(net, x.contiguous(memory_format=torch.channels_last), (CUT,))[0]
        train.append(maps[:crops].clone())
        grid.append(maps[crops:].clone())
    return torch.stack(train), torch.stack(grid)


def finetune_cv(train, grid, y: np.ndarray, seed: int, epochs: int, lr: float) -> dict:
    """Top-1/top-3 of the fine-tuned top, out of fold."""
    import torch
    import torch.nn.functional as F
    from sklearn.model_selection import StratifiedKFold

    net = registry.get("lite0")
    n_classes = int(y.max()) + 1
    hit1 = hit3 = 0
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        torch.manual_seed(0)
        blocks = torch.nn.Sequential(*copy.deepcopy(net._blocks[CUT + 1 :]), copy.deepcopy(net._conv_head))
        fc = torch.nn.Linear(net._conv_head.out_channels, n_classes)
        for p in blocks.parameters():
            p.requires_grad_(True)

        def forward(h, blocks=blocks, fc=fc):
            return fc(F.dropout(net._swish(blocks(h)).mean((2, 3)), 0.3, blocks.training))

        x = train[tr].flatten(0, 1)
        labels = torch.from_numpy(np.repeat(y[tr], train.shape[1]))
        steps = epochs * -(-len(x) // 64)
        opt = torch.optim.AdamW([{"params": blocks.parameters(), "lr": lr}, {"params": fc.parameters(), "lr": 1e-3}],
                                weight_decay=1e-2)  # fmt: skip
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, [lr, 1e-3], total_steps=steps, pct_start=0.15)
        blocks.train()
        for _ in range(epochs):
            for idx in torch.randperm(len(x)).split(64):
                loss = F.cross_entropy(forward(x[idx]), labels[idx], label_smoothing=0.1)
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        blocks.eval()
        with torch.no_grad():
            g = grid[te]
            logp = F.log_softmax(forward(g.flatten(0, 1)), 1).reshape(len(te), g.shape[1], -1).mean(1)
        order = logp.argsort(1, descending=True).numpy()
        hit1 += int((order[:, 0] == y[te]).sum())
        hit3 += int((order[:, :3] == y[te][:, None]).any(1).sum())
    return {"top1": round(hit1 / len(y), 4), "top3": round(hit3 / len(y), 4)}


def main() -> int:
    import torch

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--artdata", type=Path, default=SHARED_ARTDATA)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--crops", type=int, default=24, help="random training crops per painting")
    ap.add_argument("--lr", type=float, default=2e-4, help="learning rate of the fine-tuned blocks")
    ap.add_argument("--seeds", default="0", help="fold seeds, comma-separated")
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    paths, labels = embed.folder_images(args.artdata / "artist10")
    classes = sorted(set(labels))
    y = np.searchsorted(classes, labels)
    result: dict = {"cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2), "epochs": args.epochs,
                    "crops": args.crops, "lr": args.lr, "seeds": {}}  # fmt: skip
    start = time.perf_counter()
    train, grid = frozen_maps(paths, args.crops)
    result["cache_seconds"] = round(time.perf_counter() - start, 1)
    X = embed.compute(paths, "lite0-crops")
    for seed in (int(s) for s in args.seeds.split(",")):
        start = time.perf_counter()
        tuned = finetune_cv(train, grid, y, seed, args.epochs, args.lr)
        frozen = classify.cross_validate(X, labels, "lite0-crops", folds=5, seed=seed)
        result["seeds"][seed] = {"finetuned": {**tuned, "seconds": round(time.perf_counter() - start, 1)},
                                 "frozen lite0-crops": {"top1": round(frozen["top1"], 4),
                                                        "top3": round(frozen["top3"], 4)}}  # fmt: skip
        print(f"seed {seed}: {result['seeds'][seed]}", file=sys.stderr)
    result["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, indent=1))
    print(f"\n{'fold seed':>9s} {'fine-tuned top1/top3':>22s} {'frozen default top1/top3':>26s} {'seconds':>8s}")
    for seed, row in result["seeds"].items():
        t, f = row["finetuned"], row["frozen lite0-crops"]
        print(f"{seed:>9} {t['top1']:>12.1%} /{t['top3']:>7.1%} {f['top1']:>16.1%} /{f['top3']:>7.1%} {t['seconds']:>8}")
    atomic_write_bytes(PROJECT_ROOT / "benchmarks" / "results" / "finetune.json", json.dumps(result, indent=1).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
