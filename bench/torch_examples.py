"""PyTorch side of the rows on examples/ objectives (issue 20): the networks of examples/smallCnn.ts
(withBatchNorm) and examples/tinyTransformer.ts written op for op as TensorFlow.js runs them, from the
initial weights and data bench/exampleProblem.ts wrote (float32), batches taken in the same order.

TensorFlow.js keeps images as NHWC and filters as [kh, kw, in, out]; here they are NCHW and
[out, in, kh, kw] (permuted views of the same numbers), and feature maps are flattened in NHWC order so
the dense weights mean the same thing on both sides."""
import json
import math
import os
import tempfile

import torch
import torch.nn.functional as F


def read_inputs(w):
    path = os.path.join(tempfile.gettempdir(), w['dataFile'])
    with open(path + '.json') as f:
        meta = json.load(f)
    with open(path, 'rb') as f:
        raw = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    x0 = raw[:meta['x0']].clone()
    columns, off = {}, meta['x0']
    for c in meta['columns']:
        columns[c['name']] = raw[off:off + c['size']].view(-1, *c['rowShape']).clone()
        off += c['size']
    return x0, [tuple(s) for s in meta['shapes']], columns


def unflatten(p, shapes):
    parts, off = [], 0
    for s in shapes:
        size = math.prod(s)
        parts.append(p[off:off + size].view(*s))
        off += size
    return parts


def small_cnn_bn(shapes, x, y):
    """conv 3x3 'same' (no bias) -> batch norm over the batch's statistics -> relu -> max pool 2x2 -> dense."""
    labels = y.argmax(dim=1)

    def loss(p, xb, rows):
        k, gamma, beta, w, b = unflatten(p, shapes)
        h = F.conv2d(xb.permute(0, 3, 1, 2), k.permute(3, 2, 0, 1), padding=1)
        # tf.moments' variance is the biased one, as batch_norm's in training mode.
        h = F.relu(F.batch_norm(h, None, None, gamma, beta, training=True, eps=1e-5))
        pooled = F.max_pool2d(h, 2, 2)
        logits = pooled.permute(0, 2, 3, 1).reshape(xb.shape[0], -1) @ w + b
        return F.cross_entropy(logits, labels[rows])
    return loss


def tiny_transformer(shapes, x, y):
    """One pre-norm block, 4 heads, d 64, MLP 256, causal attention with -1e9 above the diagonal."""
    heads = 4

    def loss(p, xb, rows):
        (tokens, positions, n1g, n1b, query, key, value, out, n2g, n2b,
         up, up_b, down, down_b, nfg, nfb, unembed) = unflatten(p, shapes)
        b, t = xb.shape
        d = tokens.shape[1]
        dh = d // heads
        ln = lambda h, g, bias: F.layer_norm(h, (d,), g, bias, eps=1e-5)
        split = lambda h, m: (h @ m).view(b, t, heads, dh).transpose(1, 2)
        e = tokens[xb.long()] + positions[:t]
        a = ln(e, n1g, n1b)
        scores = split(a, query) @ split(a, key).transpose(-1, -2) / math.sqrt(dh)
        future = (1 - torch.tril(torch.ones(t, t))) * -1e9
        mixed = (torch.softmax(scores + future, dim=-1) @ split(a, value)).transpose(1, 2).reshape(b, t, d)
        attended = e + mixed @ out
        block = attended + F.relu(ln(attended, n2g, n2b) @ up + up_b) @ down + down_b
        logits = (ln(block, nfg, nfb) @ unembed).view(b * t, -1)
        return F.cross_entropy(logits, y[rows].reshape(-1).long())
    return loss


NETWORKS = {'smallCnnBatchNorm': small_cnn_bn, 'tinyTransformer': tiny_transformer}


def example_problem(w):
    x0, shapes, columns = read_inputs(w)
    x, y = columns['x'], columns['y']
    batch = w['batch']
    batches = x.shape[0] // batch
    net = NETWORKS[w['torchNet']](shapes, x, y)

    def loss(p, step):
        start = (step % batches) * batch
        rows = slice(start, start + batch)
        return net(p, x[rows], rows)
    return loss, x0


# CPU time per Adam step on one thread (process time around blocks of steps; medians of 5 blocks), the
# PyTorch column of the CPU tables in bench/README.md. Reads the files `npm run bench` wrote for these rows:
#   /usr/bin/python3 bench/torch_examples.py --cpu smallCnn cnn transformer
CPU_ROWS = {
    'smallCnn': ({'kind': 'example-adam', 'torchNet': 'smallCnnBatchNorm', 'batch': 32, 'dataFile': 'optlab-bench-smallcnn-inputs.bin'}, 100),
    'cnn': ({'kind': 'cnn-adam', 'batch': 32, 'dataFile': 'optlab-bench-cnn-inputs.bin'}, 100),
    'transformer': ({'kind': 'example-adam', 'torchNet': 'tinyTransformer', 'batch': 32, 'dataFile': 'optlab-bench-transformer-inputs.bin'}, 10),
}


def cpu_per_step(name, blocks=5):
    import statistics
    import time
    from torch_cnn import cnn_problem
    w, per = CPU_ROWS[name]
    f, x0 = cnn_problem(w) if w['kind'] == 'cnn-adam' else example_problem(w)
    x = x0.clone().requires_grad_(True)
    opt = torch.optim.Adam([x], lr=1e-3)
    step = 0

    def block():
        nonlocal step
        start = time.process_time()
        for _ in range(per):
            # As torch_bench.py's train loop: loss and gradient norm read every step.
            opt.zero_grad()
            loss = f(x, step)
            loss.backward()
            loss.item()
            x.grad.norm().item()
            opt.step()
            step += 1
        return (time.process_time() - start) / per * 1000
    block()
    times = [block() for _ in range(blocks)]
    return statistics.median(times), times


if __name__ == '__main__':
    import sys
    torch.set_num_threads(1)
    for row in sys.argv[2:] if sys.argv[1:2] == ['--cpu'] else []:
        median, times = cpu_per_step(row)
        print(f"torch {row}: median {median:.2f} ms CPU per Adam step ({', '.join(f'{t:.2f}' for t in times)})")
