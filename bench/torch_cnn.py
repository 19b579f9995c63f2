"""PyTorch side of the CNN workload (issue 20): the network of bench/cnnNetwork.ts, from the initial weights,
images and labels bench/cnnProblem.ts wrote (float32), batches taken in the same order.

TensorFlow.js keeps images as NHWC and filters as [kh, kw, in, out]; here they are NCHW and [out, in, kh, kw]
(permuted views of the same numbers), and the last feature map is flattened in NHWC order so the dense
weights mean the same thing on both sides."""
import json
import os
import tempfile

import torch
import torch.nn.functional as F


def cnn_problem(w):
    path = os.path.join(tempfile.gettempdir(), w['dataFile'])
    with open(path + '.json') as f:
        meta = json.load(f)
    with open(path, 'rb') as f:
        raw = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    n0, ni, nl = meta['x0'], meta['images'], meta['labels']
    side, classes = meta['side'], meta['classes']
    x0 = raw[:n0].clone()
    # One channel: NHWC [N, 16, 16, 1] and NCHW [N, 1, 16, 16] are the same memory.
    images = raw[n0:n0 + ni].view(-1, 1, side, side).clone()
    labels = raw[n0 + ni:n0 + ni + nl].view(-1, classes).argmax(dim=1)
    shapes = [tuple(s) for s in meta['shapes']]
    batch = w['batch']
    batches = images.shape[0] // batch

    def loss(p, step):
        start = (step % batches) * batch
        xb, yb = images[start:start + batch], labels[start:start + batch]
        parts, off = [], 0
        for s in shapes:
            size = 1
            for d in s:
                size *= d
            parts.append(p[off:off + size].view(*s))
            off += size
        if meta.get('batchNorm'):
            # Training mode: the batch's statistics (biased variance), no running averages, as tf.moments + tf.batchNorm.
            k1, g1, be1, k2, g2, be2, w3, b3 = parts
            h1 = F.relu(F.batch_norm(F.conv2d(xb, k1.permute(3, 2, 0, 1), padding=1), None, None, g1, be1, training=True, eps=1e-5))
            h2 = F.relu(F.batch_norm(F.conv2d(h1, k2.permute(3, 2, 0, 1), stride=2, padding=1), None, None, g2, be2, training=True, eps=1e-5))
        else:
            k1, b1, k2, b2, w3, b3 = parts
            h1 = F.relu(F.conv2d(xb, k1.permute(3, 2, 0, 1), b1, padding=1))
            h2 = F.relu(F.conv2d(h1, k2.permute(3, 2, 0, 1), b2, stride=2, padding=1))
        logits = h2.permute(0, 2, 3, 1).reshape(batch, -1) @ w3 + b3
        return F.cross_entropy(logits, yb)

    return loss, x0
