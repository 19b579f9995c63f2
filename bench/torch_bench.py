"""PyTorch side of `npm run bench`: reads the workloads as JSON on stdin (from
bench/workloads.ts), runs each as a notebook would (loss.item() and the gradient
norm's .item() every step), and prints one JSON object on stdout.

Run with /usr/bin/python3 (Debian's python3-torch)."""
import json
import math
import statistics
import sys
import time

import torch

torch.manual_seed(0)


def rosenbrock(x):
    head, tail = x[:-1], x[1:]
    return (100 * (tail - head * head) ** 2 + (1 - head) ** 2).sum()


class Lion(torch.optim.Optimizer):
    """Lion (Chen et al. 2023) as a PyTorch user writes a custom optimizer; the same arithmetic as examples/lion.ts."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            for p in group['params']:
                state = self.state[p]
                if not state:
                    state['exp_avg'] = torch.zeros_like(p)
                m = state['exp_avg']
                c = m.mul(beta1).add(p.grad.mul(1 - beta1))
                p.mul_(1 - group['lr'] * group['weight_decay']).sub_(c.sign().mul(group['lr']))
                m.mul_(beta2).add_(p.grad.mul(1 - beta2))


def rosen_start(n):
    return torch.tensor([-1.2 if i % 2 == 0 else 1.0 for i in range(n)], dtype=torch.float32)


def quadratic(n, kappa):
    """Same construction as illConditionedQuadratic in src/core/testFunctions.ts."""
    v = [float(i + 1) for i in range(n)]
    vv = sum(a * a for a in v)
    q = torch.tensor([[(1.0 if i == j else 0.0) - 2 * v[i] * v[j] / vv for j in range(n)] for i in range(n)],
                     dtype=torch.float32)
    d = torch.tensor([kappa ** (i / (n - 1)) for i in range(n)], dtype=torch.float32)
    x0 = torch.tensor([(1 + i / 4) * (1 if i % 2 == 0 else -1) for i in range(n)], dtype=torch.float32)
    return (lambda x: 0.5 * (d * (q @ x) ** 2).sum()), x0


def mlp_problem(w):
    """Same formulas as bench/workloads.ts and bench/problems.ts."""
    samples, features, hidden = w['samples'], w['features'], w['hidden']
    feat = lambda i, j: (((7 * i + 13 * j + 3 * i * j) % 17) - 8) / 8
    tw = [(((3 * j) % 7) - 3) / 3 for j in range(features)]
    rows = [[feat(i, j) for j in range(features)] for i in range(samples)]
    xs = torch.tensor(rows, dtype=torch.float32)
    ys = torch.tensor([[sum(r[j] * tw[j] for j in range(features)) ** 2 / 16] for r in rows], dtype=torch.float32)
    shapes = [(features, hidden), (1, hidden), (hidden, hidden), (1, hidden), (hidden, 1), (1, 1)]
    size = sum(r * c for r, c in shapes)
    x0 = torch.tensor([(((37 * k) % 101) - 50) / 500 for k in range(size)], dtype=torch.float32)
    batch = w['batch']
    batches = samples // batch
    # A sweep's rows come in the runner's order (bench/sweepWorkers.ts), the whole data set after the last step.
    order = [torch.tensor(rows, dtype=torch.long) for rows in w['order']] if 'order' in w else None

    def rows(step):
        if order is None:
            start = (step % batches) * batch
            return xs[start:start + batch], ys[start:start + batch]
        if step >= w['steps']:
            return xs, ys
        return xs[order[step]], ys[order[step]]

    def loss(p, step):
        xb, yb = rows(step)
        mats, off = [], 0
        for r, c in shapes:
            mats.append(p[off:off + r * c].view(r, c))
            off += r * c
        w1, b1, w2, b2, w3, b3 = mats
        h1 = torch.tanh(xb @ w1 + b1)
        h2 = torch.tanh(h1 @ w2 + b2)
        return ((h2 @ w3 + b3 - yb) ** 2).mean()

    return loss, x0


def train(f, x0, make_opt, steps, closure_style=False):
    """Notebook loop: loss and gradient norm read every step."""
    x = x0.clone().requires_grad_(True)
    opt = make_opt([x])
    initial = None
    for step in range(steps):
        if closure_style:
            def closure():
                opt.zero_grad()
                loss = f(x, step)
                loss.backward()
                return loss
            loss = closure()
            loss_v, gnorm = loss.item(), x.grad.norm().item()
            # LBFGS(max_iter=1) re-evaluates inside step(); as our loop does, reuse this evaluation.
            opt.step(lambda: loss)
        else:
            opt.zero_grad()
            loss = f(x, step)
            loss.backward()
            loss_v, gnorm = loss.item(), x.grad.norm().item()
            opt.step()
        if initial is None:
            initial = loss_v
        if not math.isfinite(loss_v) or not math.isfinite(gnorm):
            raise RuntimeError('diverged')
    with torch.no_grad():
        final = f(x, steps).item()
    return [final], [initial]


def hvp(f, x, v):
    x = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    (hv,) = torch.autograd.grad((g * v).sum(), x)
    return hv


def lanczos_lmax(f, x, n, iterations):
    """Lanczos with full re-orthogonalisation (Gram-Schmidt twice), then the top
    Ritz vector's Rayleigh quotient measured with one more product, as ours does."""
    gen = torch.Generator().manual_seed(0)
    q = torch.randn(n, generator=gen)
    q /= q.norm()
    basis, alphas, betas = [q], [], []
    for k in range(iterations):
        r = hvp(f, x, basis[-1])
        vs = torch.stack(basis)
        c1 = vs @ r
        r = r - vs.t() @ c1
        c2 = vs @ r
        r = r - vs.t() @ c2
        alphas.append((c1[-1] + c2[-1]).item())
        beta = r.norm().item()
        betas.append(beta)
        t = torch.diag(torch.tensor(alphas, dtype=torch.float64))
        for i in range(len(alphas) - 1):
            t[i, i + 1] = t[i + 1, i] = betas[i]
        evals, evecs = torch.linalg.eigh(t)
        if k + 1 < iterations:
            basis.append(r / beta)
    vs = torch.stack(basis)
    ends = []
    for s in (evecs[:, 0], evecs[:, -1]):
        u = s.to(torch.float32) @ vs
        u /= u.norm()
        ends.append(torch.dot(u, hvp(f, x, u)).item())
    return ends[1]


def run(w):
    kind = w['kind']
    if kind == 'adam-rosenbrock':
        x0 = rosen_start(w['n'])
        return lambda: train(lambda x, s: rosenbrock(x), x0, lambda p: torch.optim.Adam(p, lr=w['lr']), w['steps'])
    if kind == 'rule-rosenbrock':
        x0 = rosen_start(w['n'])
        make = (lambda p: Lion(p, lr=w['lr'])) if w['torchRule'] == 'lion' else (lambda p: torch.optim.Adam(p, lr=w['lr']))
        return lambda: train(lambda x, s: rosenbrock(x), x0, make, w['steps'])
    if kind == 'sgd-quadratic':
        f, x0 = quadratic(w['n'], w['kappa'])
        return lambda: train(lambda x, s: f(x), x0,
                             lambda p: torch.optim.SGD(p, lr=w['lr'], momentum=w['momentum']), w['steps'])
    if kind == 'lbfgs-quadratic':
        f, x0 = quadratic(w['n'], w['kappa'])
        return lambda: train(lambda x, s: f(x), x0,
                             lambda p: torch.optim.LBFGS(p, lr=w['lr'], max_iter=1, history_size=w['history']),
                             w['steps'], closure_style=True)
    if kind == 'cnn-adam':
        from torch_cnn import cnn_problem
        f, x0 = cnn_problem(w)
        return lambda: train(f, x0, lambda p: torch.optim.Adam(p, lr=w['lr']), w['steps'])
    if kind == 'example-adam':
        from torch_examples import example_problem
        f, x0 = example_problem(w)
        return lambda: train(f, x0, lambda p: torch.optim.Adam(p, lr=w['lr']), w['steps'])
    if kind == 'mlp-adam':
        f, x0 = mlp_problem(w)
        return lambda: train(f, x0, lambda p: torch.optim.Adam(p, lr=w['lr']), w['steps'])
    if kind == 'hvp':
        x, v = rosen_start(w['n']), torch.ones(w['n'])

        def go():
            norm = None
            for _ in range(w['steps']):
                norm = hvp(rosenbrock, x, v).norm().item()
            return [norm], [norm]
        return go
    if kind == 'lanczos':
        x = rosen_start(w['n'])

        def go():
            lmax = lanczos_lmax(rosenbrock, x, w['n'], w['iterations'])
            return [lmax], [lmax]
        return go
    if kind == 'sweep':
        x0 = rosen_start(w['n'])

        def go():
            finals, initials = [], []
            for lr in w['lrs']:
                fin, ini = train(lambda x, s: rosenbrock(x), x0, lambda p: torch.optim.Adam(p, lr=lr), w['steps'])
                finals += fin
                initials += ini
            return finals, initials
        return go
    if kind == 'sweep-mlp':
        f, x0 = mlp_problem(w)

        def go():
            finals, initials = [], []
            for lr in w['lrs']:
                fin, ini = train(f, x0, lambda p: torch.optim.Adam(p, lr=lr), w['steps'])
                finals += fin
                initials += ini
            return finals, initials
        return go
    raise ValueError(kind)


def main():
    workloads = json.load(sys.stdin)
    only = set(sys.argv[1:])
    results = {}
    for w in workloads:
        if only and w['id'] not in only:
            continue
        # One thread unless the row says (issue 20's threaded rows): ours runs on the same number.
        torch.set_num_threads(w.get('threads', 1))
        go = run(w)
        go()  # warm-up
        rates, last = [], None
        work = w['steps'] * (len(w['lrs']) if w['kind'] in ('sweep', 'sweep-mlp') else 1)
        for _ in range(w['repeats']):
            start = time.perf_counter()
            last = go()
            rates.append(work / (time.perf_counter() - start))
        results[w['id']] = {'stepsPerSec': statistics.median(rates), 'check': last[0], 'initial': last[1]}
        print(f"torch: {w['id']}: {results[w['id']]['stepsPerSec']:.1f}/s", file=sys.stderr, flush=True)
        torch.set_num_threads(1)
    json.dump({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'results': results}, sys.stdout)


if __name__ == '__main__':
    main()
