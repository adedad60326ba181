"""PyTorch + transformers baseline for bench/run: the same training step Anneal's benchmark times
(BertForSequenceClassification, random token ids, AdamW, clip 1.0, dropout on) at the same shapes, with
torch.optim.AdamW as written by default ("plain": one tensor at a time on CPU) and with fused=True.
Usage: pytorch_baseline.py threads warmup timed [shape ...]; prints "<shape> <plain ms/step> <fused ms/step>"
(medians over the timed steps) for each shape named, or all."""

import statistics
import sys
import time

import torch
from transformers import BertConfig, BertForSequenceClassification

SHAPES = {"bert-tiny": (2, 128, 2, 512), "bert-mini": (4, 256, 4, 1024)}


def ms_per_step(layers, hidden, heads, intermediate, fused, batch=32, sequence=128, warmup=3, timed=10):
    torch.manual_seed(42)
    config = BertConfig(vocab_size=30522, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                        intermediate_size=intermediate, num_labels=2)
    model = BertForSequenceClassification(config).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, fused=fused)
    ids = torch.randint(1000, 30000, (warmup + timed, batch, sequence))
    labels = torch.randint(0, 2, (warmup + timed, batch))
    mask = torch.ones(batch, sequence, dtype=torch.long)
    times = []
    for step in range(warmup + timed):
        start = time.perf_counter()
        loss = model(input_ids=ids[step], attention_mask=mask, token_type_ids=torch.zeros_like(mask),
                     labels=labels[step]).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if step >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    timed = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    names = sys.argv[4:] or list(SHAPES)
    for name in names:
        shape = SHAPES[name]
        plain = ms_per_step(*shape, fused=None, warmup=warmup, timed=timed)
        fused = ms_per_step(*shape, fused=True, warmup=warmup, timed=timed)
        print(f"{name} {plain:.1f} {fused:.1f}")
